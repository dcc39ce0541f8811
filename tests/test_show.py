"""``braketkit show``: everything about one job, against moto, the loopback Braket service and local runs."""

from __future__ import annotations

import io
import json
import platform
import re
import shutil
import subprocess
import tarfile
import uuid
from pathlib import Path
from typing import Any

import attrs
import pytest

from braketkit import __version__
from braketkit.job import AwsJob
from braketkit.model.details import JobDetails
from braketkit.model.provenance import RECORD_NAME

from .conftest import Cloud, Project, run_cli

ROOT = Path(__file__).resolve().parent.parent


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Submit with ``braketkit run ... --quiet`` and wait for the job to end; its ARN."""
    code, out, err = run_cli(capsys, "run", *argv, "--quiet")
    assert code == 0, err
    arn = out.splitlines()[1].split()[-1]
    AwsJob(arn, poll=0.01).wait(poll=0.01, display=None)
    return arn


def _fields(out: str) -> dict[str, str]:
    """The ``  label: value`` lines under the state line, by label."""
    return {match[1]: match[2] for match in re.finditer(r"^  ([a-z][a-z ]*\w):\s+(.*)$", out, re.M)}


def test_show_of_a_completed_cloud_job(cloud_project: Project, cloud: Cloud,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    arn = _run(capsys, "jobs.py:train", "--steps", "4", "--set", "tags.team=qml", "--set",
               "hyperparameters.optimizer=adam", "--set", "instance.volume_gb=40")
    job = cloud.braket.jobs[arn]
    code, out, err = run_cli(capsys, "show", arn)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"{job['jobName']}: COMPLETED"
    fields = _fields(out)
    output = job["outputDataConfig"]["s3Path"]
    billed = job["billableDuration"]
    assert billed > 0
    assert fields["arn"] == arn
    assert fields["device"] == "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
    assert fields["entry"] == "jobs:train"
    assert fields["instance"] == "ml.m5.large × 1, 40 GB"
    assert fields["max runtime"] == "5d"
    assert fields["role"] == cloud.role
    assert fields["billed"] == (f"{billed} ms" if billed < 1000 else f"{billed // 1000}s ({billed} ms)")
    assert fields["results"] == f"{output}/output/model.tar.gz"
    assert fields["source"] == job["algorithmSpecification"]["scriptModeConfig"]["s3Uri"]
    assert fields["console"].endswith(f"#/jobs/{arn}")
    assert {"created", "started", "ended"} <= fields.keys()
    assert re.fullmatch(r"\S+ \S+ UTC  \(queued \d+s\)", fields["started"])
    assert re.fullmatch(r"\S+ \S+ UTC  \(ran \d+s\)", fields["ended"])
    # the call's arguments decoded; the user's hyperparameters and tags apart; braketkit's own shown as neither
    assert "arguments:\n  steps = 4\nhyperparameters:\n  optimizer = 'adam'\ntags:\n  team = 'qml'\n" in out
    assert "braketkit_" not in out and "braketkit:" not in out
    # the places it names are where the results and the log are
    bucket, _, key = f"{output}/output/model.tar.gz".removeprefix("s3://").partition("/")
    assert cloud.client("s3").head_object(Bucket=bucket, Key=key)["ContentLength"] > 0
    group, prefix = re.fullmatch(r"CloudWatch (\S+), streams (\S+)\*", fields["logs"]).groups()  # type: ignore[union-attr]
    streams = cloud.client("logs").describe_log_streams(logGroupName=group, logStreamNamePrefix=prefix)["logStreams"]
    assert len(streams) == 1 and AwsJob(arn).name in streams[0]["logStreamName"]


def test_show_of_a_failed_job_gives_its_whole_failure_reason(cloud_project: Project, cloud: Cloud,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    arn = _run(capsys, "jobs.py:broken")
    reason = cloud.braket.jobs[arn]["failureReason"]
    assert reason.startswith("ValueError: no convergence") and len(reason.splitlines()) > 3
    code, out, _ = run_cli(capsys, "show", arn)
    assert code == 0
    assert out.splitlines()[0].endswith(": FAILED")
    shown = out.split("  failure reason:\n", 1)[1].split("\narguments:")[0]
    assert shown == "\n".join(f"    {line}" for line in reason.rstrip().splitlines())
    assert "arguments: none" in out
    code, out, _ = run_cli(capsys, "show", arn, "--json")
    assert json.loads(out)["failure_reason"] == reason


def test_show_of_a_local_job(cloud_project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", "jobs.py:train", "--local", "--steps", "2", "--json", "--quiet")
    assert code == 0, err
    folder = Path(json.loads(out)["folder"])
    code, out, err = run_cli(capsys, "show", folder.name)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"{folder.name}: COMPLETED"
    fields = _fields(out)
    assert fields["device"] == "arn:aws:braket:::device/quantum-simulator/amazon/sv1"  # the device it stands in for
    assert fields["entry"] == "jobs:train"
    assert fields["folder"] == str(folder)
    assert fields["results"] == ".braketkit/jobs/" + folder.name + "/model"
    assert fields["log"] == ".braketkit/jobs/" + folder.name + "/log.txt"
    assert (folder / "model" / "results.json").is_file() and "step 1" in (folder / "log.txt").read_text()
    assert re.fullmatch(r"\S+ \S+ UTC  \(ran \d+s\)", fields["ended"])
    assert not {"arn", "billed", "instance", "console", "logs", "started"} & fields.keys()
    assert "arguments:\n  steps = 2\n" in out
    digest = out.split("\nprovenance:\n  archive:    sha256 ", 1)[1][:64]
    assert (cloud_project.root / ".braketkit" / "archives" / f"{digest}.tar.gz").is_file()  # the archive it ran
    assert "  git:        none (no git repository, or no git)\n" in out
    assert "planned settings (" in out and re.search(r"^  pyproject.toml:5 +device = 'sv1'$", out, re.M)
    code, out, _ = run_cli(capsys, "show", str(folder), "--json")
    document = json.loads(out)
    assert (document["folder"], document["arguments"], document["log_file"]) == (
        str(folder), {"steps": 2}, str(folder / "log.txt"))
    assert document["provenance"]["archive_sha256"] == digest
    assert document["settings"]["device"] == {"value": "sv1", "origin": "pyproject.toml:5"}
    (folder / RECORD_NAME).unlink()
    assert (f"planned settings: its planned record cannot be read: the planned record of job {folder.name} "
            f"({folder / RECORD_NAME}) is gone, though braketkit wrote one before the job ran") in run_cli(
        capsys, "show", folder.name)[1]  # its digest, outside the folder, says there was one
    (cloud_project.root / ".braketkit" / "plans" / f"{folder.name}.sha256").unlink()  # as a job run before
    assert "planned settings: no planned record (the job was planned before braketkit kept one)" in run_cli(
        capsys, "show", folder.name)[1]


def _foreign_job(cloud: Cloud) -> str:
    """A job made with boto3's CreateJob alone, as another tool makes one: no braketkit tag or hyperparameter."""
    import boto3

    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="sdk-bucket")
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        script = b"def main(**hyperparameters):\n    print('hello from the SDK job', hyperparameters)\n"
        info = tarfile.TarInfo("algo.py")
        info.size = len(script)
        tar.addfile(info, io.BytesIO(script))
    s3.put_object(Bucket="sdk-bucket", Key="jobs/sdk-job/script/source.tar.gz", Body=archive.getvalue())
    braket: Any = boto3.Session(region_name="us-east-1").client("braket")
    arn = str(braket.create_job(
        jobName="sdk-job", clientToken=str(uuid.uuid4()), roleArn=cloud.role,
        algorithmSpecification={"scriptModeConfig": {"entryPoint": "algo:main", "compressionType": "GZIP",
                                                     "s3Uri": "s3://sdk-bucket/jobs/sdk-job/script/source.tar.gz"}},
        deviceConfig={"device": "arn:aws:braket:::device/quantum-simulator/amazon/sv1"},
        instanceConfig={"instanceType": "ml.m5.large", "volumeSizeInGb": 30},
        outputDataConfig={"s3Path": "s3://sdk-bucket/jobs/sdk-job/data"},
        hyperParameters={"shots": "100"}, tags={"team": "qml"})["jobArn"])
    AwsJob(arn, poll=0.01).wait(poll=0.01, display=None)
    return arn


def test_show_of_a_job_braketkit_did_not_make(cloud_project: Project, cloud: Cloud,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    arn = _foreign_job(cloud)
    code, out, err = run_cli(capsys, "show", "sdk-job", "--region", "us-east-1")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "sdk-job: COMPLETED"
    assert _fields(out)["arn"] == arn
    assert _fields(out)["entry"] == "algo:main"  # its entry point: what Braket's container runs
    assert "arguments: none\nhyperparameters:\n  shots = '100'\ntags:\n  team = 'qml'\n" in out
    assert "provenance: none recorded (not made by braketkit)\n" in out
    assert "planned settings: no planned record (not made by braketkit)" in out
    code, out, _ = run_cli(capsys, "show", arn, "--json")
    document = json.loads(out)
    assert "provenance" not in document and "settings" not in document and "arguments" not in document
    assert document["hyperparameters"] == {"shots": "100"}


def _documented_fields(heading: str) -> list[str]:
    """The fields docs/cli.md lists in the table under ``heading``."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").split(f"\n{heading}\n", 1)[1]
    table = text.split("\n\n| field |", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^\| `(\w+)` \|", table, re.M)


def test_show_json_has_the_documented_fields(cloud_project: Project, cloud: Cloud,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert _documented_fields("### show") == [field.name for field in attrs.fields(JobDetails)]
    arn = _run(capsys, "jobs.py:train", "--steps", "3", "--set", "hyperparameters.api_token=s3cr3t")
    code, out, _ = run_cli(capsys, "show", arn, "--json")
    assert code == 0
    document = json.loads(out)
    job = cloud.braket.jobs[arn]
    assert set(document) <= set(_documented_fields("### show"))
    assert document["billed_ms"] == job["billableDuration"]
    assert document["arguments"] == {"steps": 3}
    assert document["hyperparameters"] == {"api_token": "<redacted>"}  # as plan redacts it
    assert "s3cr3t" not in out
    assert document["results"] == job["outputDataConfig"]["s3Path"] + "/output/model.tar.gz"
    assert (document["log_group"], document["instance_count"], document["max_runtime"]) == (
        "/aws/braket/jobs", 1, 432000)
    assert document["started"].endswith("+00:00") and document["queued_seconds"] >= 0


def test_show_text_escapes_what_a_terminal_would_act_on(cloud_project: Project,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    cloud_project.write("odd.py", '''
        from braketkit import hybrid_job

        @hybrid_job(device="local")
        def odd(label: str = "x") -> None:
            raise RuntimeError("bad \\x1b[31mred\\x1b[0m label")
        ''')
    code, out, _ = run_cli(capsys, "run", "odd.py:odd", "--local", "--label", "\x1b[2J", "--json", "--quiet")
    assert code == 1
    folder = Path(json.loads(out)["folder"])
    code, out, _ = run_cli(capsys, "show", folder.name)
    assert code == 0
    assert "\x1b" not in out
    assert "label = '\\x1b[2J'" in out and "bad \\x1b[31mred\\x1b[0m label" in out


def test_an_unknown_job_is_bad_input(cloud_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "show", "nope", "--region", "us-east-1")
    assert (code, out) == (2, "")
    assert err == (f"error: JOB: no local job named 'nope' in {cloud_project.root}/.braketkit/jobs, and no job named "
                   "'nope' in us-east-1; give its ARN, or its name in the region it ran in (--region)\n")
    arn = _run(capsys, "jobs.py:train")
    unknown = "arn:aws:braket:us-east-1:123456789012:job/00000000-0000-0000-0000-000000000000"
    code, out, err = run_cli(capsys, "diff", arn, unknown)
    assert (code, out) == (2, "")
    assert err == (f"error: JOB2: no job {unknown} (no job {unknown}); check the ARN, and that it is of this account "
                   "and region\n")


def git(folder: Path, *arguments: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *arguments],
                          cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_show_gives_the_provenance_and_the_settings_as_planned(cloud_project: Project, cloud: Cloud,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    top = cloud_project.root.parent
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "first")
    commit = git(top, "rev-parse", "HEAD")
    jobs = cloud_project.root / "jobs.py"
    jobs.write_text(jobs.read_text(encoding="utf-8") + "\n# not committed\n", encoding="utf-8")
    arn = _run(capsys, "jobs.py:train", "--steps", "2", "--set", "instance.type=ml.c5.xlarge")
    tags = cloud.braket.jobs[arn]["tags"]
    digest = tags["braketkit:archive-sha256"]
    assert f"/sources/{digest}/" in cloud.braket.jobs[arn]["algorithmSpecification"]["scriptModeConfig"]["s3Uri"]
    code, out, _ = run_cli(capsys, "show", arn)
    assert code == 0
    assert out.split("\nprovenance:\n", 1)[1].splitlines()[:4] == [
        f"  archive:    sha256 {digest}", f"  planned by: braketkit {__version__}, Python {platform.python_version()}",
        f"  git:        commit {commit} on main, with uncommitted changes",
        f"  changes:    sha256 {tags['braketkit:git-diff-sha256']}"]
    settings = out.split("\nplanned settings (", 1)[1].splitlines()
    assert re.fullmatch(r"\d+ more at their defaults: --json shows them all\):", settings[0])
    assert "  --set instance.type        instance.type = 'ml.c5.xlarge'" in settings
    assert "  pyproject.toml:5           device = 'sv1'" in settings
    assert re.fullmatch(r"\S+ \S+ UTC", _fields(out)["planned"])
    code, out, _ = run_cli(capsys, "show", arn, "--json")
    document = json.loads(out)
    assert document["provenance"] == {
        "archive_sha256": digest, "braketkit_version": __version__, "python_version": platform.python_version(),
        "git_commit": commit, "git_branch": "main", "git_dirty": True,
        "git_diff_sha256": tags["braketkit:git-diff-sha256"]}
    assert document["settings"]["instance.type"] == {"value": "ml.c5.xlarge", "origin": "--set instance.type"}
    assert document["settings"]["instance.count"] == {"value": 1, "origin": "default"}
    assert document["planned_at"].endswith("+00:00")


def test_a_planned_record_that_cannot_be_read_leaves_the_rest_shown(cloud_project: Project, cloud: Cloud,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    arn = _run(capsys, "jobs.py:train", "--steps", "2")
    output = cloud.braket.jobs[arn]["outputDataConfig"]["s3Path"]
    bucket, _, prefix = output.removeprefix("s3://").partition("/")
    cloud.client("s3").put_object(Bucket=bucket, Key=f"{prefix}/{RECORD_NAME}", Body=b"{damaged")
    code, out, err = run_cli(capsys, "show", arn)
    assert (code, err) == (0, "")
    assert out.splitlines()[0].endswith(": COMPLETED")  # the call is in the record: its arguments are not known,
    assert "arguments: none\nhyperparameters:\n  steps = '2'\n" in out  # and the hyperparameters show them as text
    assert out.splitlines()[-1].startswith(
        f"planned settings: its planned record cannot be read: the planned record of job {AwsJob(arn).name} at "
        f"{output}/{RECORD_NAME} is damaged: it is no JSON (")
    assert "  archive:    sha256 " in out  # the provenance its tags keep
    document = json.loads(run_cli(capsys, "show", arn, "--json")[1])
    assert "settings" not in document and document["record_problem"].startswith("the planned record of job")
    code, out, _ = run_cli(capsys, "diff", arn, arn)  # the jobs' own settings compared instead
    assert (code, out.splitlines()[-1]) == (0, "no differences")


# -- show --source: the job's exact files -------------------------------------------------------------------------


def _archive_files(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        return {member.name: archive.extractfile(member).read()  # type: ignore[union-attr]
                for member in archive.getmembers() if member.isfile()}


def _tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def _s3_archive(cloud: Cloud, arn: str) -> tuple[str, str]:
    uri = cloud.braket.jobs[arn]["algorithmSpecification"]["scriptModeConfig"]["s3Uri"]
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def test_show_source_extracts_the_exact_files_of_a_cloud_job(cloud_project: Project, cloud: Cloud,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    arn = _run(capsys, "jobs.py:train", "--steps", "4")
    name = cloud.braket.jobs[arn]["jobName"]
    ran = (cloud_project.root / "jobs.py").read_text()
    cloud_project.write("jobs.py", ran + "\n# edited since the job ran\n")  # the working tree moves on
    shutil.rmtree(cloud_project.root / ".braketkit" / "archives")  # fetched from S3, by its digest
    bucket, key = _s3_archive(cloud, arn)
    expected = _archive_files(cloud.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())

    code, out, err = run_cli(capsys, "show", arn, "--source", "sources")
    assert (code, out) == (0, ""), err
    target = cloud_project.root / "sources" / name
    digest = key.split("/")[-2]
    assert err == f"source of job {name} (archive sha256 {digest}) extracted to sources/{name}\n"
    assert _tree(target) == expected  # the archive's files, no more, no fewer
    assert (target / "jobs.py").read_text() == ran and "braketkit_runtime/entry.py" in expected

    code, _, err = run_cli(capsys, "show", name, "--source", "sources")  # by name: the folder is in the way now
    assert code == 2 and "--source" in err and f"sources/{name} already exists" in err
    assert _tree(target) == expected


def test_show_source_refuses_an_archive_replaced_in_s3(cloud_project: Project, cloud: Cloud,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    arn = _run(capsys, "jobs.py:train", "--steps", "4")
    shutil.rmtree(cloud_project.root / ".braketkit" / "archives")
    bucket, key = _s3_archive(cloud, arn)
    cloud.client("s3").put_object(Bucket=bucket, Key=key, Body=b"not what the job ran")
    code, out, err = run_cli(capsys, "show", arn, "--source", "sources")
    assert (code, out) == (1, "")
    assert "changed or replaced" in err and "Traceback" not in err
    assert not (cloud_project.root / "sources").exists()  # nothing extracted


def test_show_source_of_a_local_job_and_of_one_whose_archive_is_gone(cloud_project: Project,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", "jobs.py:train", "--local", "--steps", "2", "--json", "--quiet")
    assert code == 0, err
    folder = Path(json.loads(out)["folder"])
    [archive] = (cloud_project.root / ".braketkit" / "archives").glob("*.tar.gz")
    expected = _archive_files(archive.read_bytes())
    cloud_project.write("jobs.py", "# rewritten\n")
    code, out, err = run_cli(capsys, "show", folder.name, "--source", "out")
    assert (code, out) == (0, ""), err
    assert _tree(cloud_project.root / "out" / folder.name) == expected
    archive.unlink()
    code, _, err = run_cli(capsys, "show", folder.name, "--source", "again")
    assert code == 2 and f"sha256 {archive.name.removesuffix('.tar.gz')}) is no longer in" in err
    assert not (cloud_project.root / "again").exists()
    code, _, err = run_cli(capsys, "show", folder.name, "--source", "again", "--json")
    assert code == 2 and "--source" in err
