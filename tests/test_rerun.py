"""``braketkit rerun`` and ``train.rerun``: a job again from its own archive, against the loopback services."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from braketkit.execute.cloud import RetryPolicy, submit
from braketkit.model.provenance import RERUN_TAG, TAGS, JobCall
from braketkit.pipeline import plan_target
from braketkit.runtime import contract
from braketkit.s3uri import split_s3_uri
from braketkit.target import load_reference

from .conftest import CLOUD_SETTINGS, Cloud, Project, run_cli
from .s3_gate import CALLER

REPLACED = '''
from __future__ import annotations

import dataclasses

from braketkit import hybrid_job


@dataclasses.dataclass
class Energy:
    value: float
    steps: int


@hybrid_job()
def train(steps: int = 3) -> Energy:
    return Energy(-9.0, steps)
'''


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """``braketkit run ARGV --quiet``: the new job's ARN."""
    code, out, err = run_cli(capsys, "run", *argv, "--quiet")
    assert code == 0, err
    return out.splitlines()[1].split()[-1]


def _rerun(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    """``braketkit rerun ARGV --quiet``: the new job's ARN, and what was said on stderr."""
    code, out, err = run_cli(capsys, "rerun", *argv, "--quiet")
    assert code == 0, err
    return out.splitlines()[1].split()[-1], err


def _source_puts(cloud: Cloud, since: int) -> list[str]:
    return [seen.path for seen in cloud.gate.seen[since:] if seen.method == "PUT" and "/sources/" in seen.path]


def _finished(cloud: Cloud, arn: str) -> dict[str, Any]:
    for _ in range(4):  # the loopback service moves a job on as it is polled
        cloud.braket.get_job(arn, {})
    return cloud.braket.jobs[arn]


def test_a_rerun_runs_the_jobs_own_archive_after_the_tree_changed(cloud_project: Project, cloud: Cloud,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    first = _run(capsys, "jobs.py:train", "--steps", "2")
    cloud_project.write("jobs.py", REPLACED)
    seen = len(cloud.gate.seen)
    second, _ = _rerun(capsys, first)
    assert _source_puts(cloud, seen) == []  # 0 bytes uploaded: S3 holds the archive
    assert {request.expected_owner for request in cloud.gate.seen[seen:]} == {CALLER}  # every S3 call names it
    old, new = cloud.braket.jobs[first], cloud.braket.jobs[second]
    script = old["algorithmSpecification"]["scriptModeConfig"]["s3Uri"]
    assert new["algorithmSpecification"] == old["algorithmSpecification"]
    assert new["hyperParameters"] == old["hyperParameters"]
    assert new["tags"][RERUN_TAG] == first and new["jobName"] != old["jobName"]
    assert new["jobName"].startswith("train-")
    assert new["outputDataConfig"]["s3Path"] == old["outputDataConfig"]["s3Path"].replace(old["jobName"],
                                                                                         new["jobName"])
    assert new["checkpointConfig"]["s3Uri"] != old["checkpointConfig"]["s3Uri"]
    assert split_s3_uri(script)[1].endswith("/source.tar.gz")
    code, out, err = run_cli(capsys, "result", second, "--json", "--poll", "0.01")
    assert (code, json.loads(out)) == (0, {"value": -1.5, "steps": 2}), err  # the old code, not the tree's


RERUN_JOBS = '''
import os
from pathlib import Path

from braketkit import hybrid_job


@hybrid_job()
def tagged(label: str = "a", steps: int = 1, scale: float = 1.0) -> dict:
    return {"label": label, "steps": steps, "scale": scale}


@hybrid_job()
def diverges(steps: int = 3) -> None:
    energy = -1.25 * steps
    print(f"energy {energy}")
    raise ValueError(f"no convergence after {steps} steps")


@hybrid_job(input={"data": "data"})
def reads() -> str:
    return (Path(os.environ["AMZN_BRAKET_INPUT_DIR"]) / "data" / "x.txt").read_text()
'''


@pytest.fixture
def rerun_project(cloud_project: Project) -> Project:
    cloud_project.write("more.py", RERUN_JOBS)
    cloud_project.write("data/x.txt", "the data")
    return cloud_project


def _git(folder: Path, *arguments: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *arguments],
                          cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_rerun_says_the_tree_changed_and_carries_the_jobs_provenance(cloud_project: Project, cloud: Cloud,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    (cloud_project.root / ".gitignore").write_text(".braketkit/\n__pycache__/\n")
    _git(cloud_project.root, "init", "-q", "-b", "main")
    _git(cloud_project.root, "add", "-A")
    _git(cloud_project.root, "commit", "-q", "-m", "first")
    before = _git(cloud_project.root, "rev-parse", "HEAD")
    first = _run(capsys, "jobs.py:train", "--steps", "2")
    _, err = _rerun(capsys, first)
    assert "working tree" not in err  # as it was: nothing to say
    cloud_project.write("jobs.py", REPLACED)
    _git(cloud_project.root, "commit", "-q", "-am", "second")
    after = _git(cloud_project.root, "rev-parse", "HEAD")
    cloud_project.write("notes.txt", "not committed")
    seen = len(cloud.gate.seen)
    second, err = _rerun(capsys, first)
    old, new = cloud.braket.jobs[first], cloud.braket.jobs[second]
    digest = old["tags"][TAGS["archive_sha256"]]
    assert err == (f"note: the working tree has changed since job {old['jobName']} was planned (commit {before[:7]} → "
                   f"{after[:7]}; uncommitted changes); the rerun runs the job's own archive (sha256 {digest})\n")
    assert _source_puts(cloud, seen) == []
    assert {tag: new["tags"][tag] for tag in TAGS.values() if tag in old["tags"]} == \
        {tag: value for tag, value in old["tags"].items() if tag in TAGS.values()}
    assert new["tags"][TAGS["git_commit"]] == before and new["tags"][RERUN_TAG] == first
    from braketkit.job import AwsJob

    record, earlier = AwsJob(second).planned(), AwsJob(first).planned()
    assert record is not None and earlier is not None
    assert (record.job_name, record.rerun_of, record.provenance) == (new["jobName"], first, earlier.provenance)
    assert record.settings["device"] == earlier.settings["device"]  # as planned, with its origin
    assert record.settings["job_name"] == earlier.settings["job_name"]  # as planned: the new name is the job's own


def test_changed_arguments_and_settings_land_in_the_new_request(rerun_project: Project, cloud: Cloud,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    rerun_project.pyproject('[tool.braketkit]\ndevice = "sv1"\nregion = "us-east-1"\n\n'
                            '[tool.braketkit.devices]\nfast = "dm1"\n')
    first = _run(capsys, "more.py:tagged", "--label", "5", "--steps", "2")
    second, _ = _rerun(capsys, first, "--label", "7", "--steps", "3", "--scale", "0.5",
                       "--set", "instance.count=2", "--set", "device=fast", "--set", "tags.team=qml",
                       "--set", "stopping.max_runtime=2h", "--set", "job_name=my-rerun",
                       "--set", "hyperparameters.optimizer=adam")
    old, new = cloud.braket.jobs[first], cloud.braket.jobs[second]
    hyperparameters = new["hyperParameters"]
    assert (hyperparameters["label"], hyperparameters["steps"], hyperparameters["scale"]) == ("7", "3", "0.5")
    assert hyperparameters["optimizer"] == "adam"
    from braketkit.job import AwsJob

    call = AwsJob(second).call()  # the exact arguments, which the job's runtime reads
    assert call is not None and call.arguments == {"label": '"7"', "steps": "3", "scale": "0.5"}
    assert new["instanceConfig"]["instanceCount"] == 2
    assert new["deviceConfig"]["device"] == "arn:aws:braket:::device/quantum-simulator/amazon/dm1"
    assert new["stoppingCondition"]["maxRuntimeInSeconds"] == 7200
    assert new["jobName"] == "my-rerun" and new["outputDataConfig"]["s3Path"].endswith("/my-rerun")
    assert new["tags"]["team"] == "qml"
    assert old["instanceConfig"]["instanceCount"] == 1 and "team" not in old.get("tags", {})
    code, out, err = run_cli(capsys, "result", second, "--json", "--poll", "0.01")
    assert (code, json.loads(out)) == (0, {"label": "7", "steps": 3, "scale": 0.5}), err


@pytest.mark.parametrize(("argv", "expected"), [
    (["--set", "source=src", "--set", "input.data=s3://b/k/", "--set", "region=us-west-2"],
     ["--set source: source: a rerun runs the job's own archive and inputs as they were, so it cannot change source; "
      "`braketkit run`", "--set input.data: input.data:", "--set region: region:"]),
    (["--set", "instance.count=many"], ["--set instance.count: instance.count: expected an integer"]),
    (["--set", "tags.braketkit:sweep=x"], ["is a tag braketkit gives jobs itself"]),
    (["--set", "hyperparameters.steps=4"], ["is an argument of the job's function; give it as --steps VALUE"]),
    (["--set", "device=local"], ["is a simulator inside the job"]),
    (["--braketkit_entry", "os:getcwd"], ["argument braketkit_entry: train has no parameter braketkit_entry"]),
    (["--set", "job_name=bad_name!"], ["--set job_name: job_name:"]),
])
def test_what_a_rerun_cannot_change_is_refused(cloud_project: Project, cloud: Cloud,
                                               capsys: pytest.CaptureFixture[str], argv: list[str],
                                               expected: list[str]) -> None:
    first = _run(capsys, "jobs.py:train", "--steps", "2")
    creates = cloud.braket.calls.count("CreateJob")
    code, out, err = run_cli(capsys, "rerun", first, *argv)
    assert (code, out) == (2, ""), err
    for text in expected:
        assert text in err
    assert cloud.braket.calls.count("CreateJob") == creates


def test_an_unknown_job_is_bad_input(cloud_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "rerun", "arn:aws:braket:us-east-1:123456789012:job/none")
    assert code == 2 and err.startswith("error: JOB: no job arn:aws:braket:us-east-1:123456789012:job/none"), err
    code, _, err = run_cli(capsys, "rerun", "none-such")
    assert code == 2 and "no local job named 'none-such'" in err and "no job named 'none-such'" in err, err
    assert cloud.braket.calls.count("CreateJob") == 0


def test_an_archive_changed_in_s3_is_refused(cloud_project: Project, cloud: Cloud,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    first = _run(capsys, "jobs.py:train")
    bucket, key = split_s3_uri(cloud.braket.jobs[first]["algorithmSpecification"]["scriptModeConfig"]["s3Uri"])
    cloud.client("s3").put_object(Bucket=bucket, Key=key, Body=b"not the archive the job ran")
    code, _, err = run_cli(capsys, "rerun", first)
    assert code == 1 and "changed or replaced since, so braketkit will not use it" in err, err
    assert cloud.braket.calls.count("CreateJob") == 1


def test_a_failed_cloud_job_fails_the_same_way_here(rerun_project: Project, cloud: Cloud,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    first = _run(capsys, "more.py:diverges")
    reason = _finished(cloud, first)["failureReason"]
    assert reason.startswith("ValueError: no convergence after 3 steps")
    code, out, err = run_cli(capsys, "rerun", first, "--local")
    assert code == 1
    assert "energy -3.75" in out
    assert f"failure reason:\n{reason.splitlines()[0]}" in err
    [folder] = (rerun_project.root / ".braketkit" / "jobs").iterdir()
    assert (folder / "output" / "failure").read_text().splitlines()[0] == reason.splitlines()[0]
    record = json.loads((folder / "job.json").read_text())
    assert record["state"] == "FAILED" and record["tags"][RERUN_TAG] == first
    from braketkit.job import AwsJob, LocalJob

    here, there = LocalJob(folder), AwsJob(first)
    assert here.provenance is not None and here.provenance == there.provenance
    planned = here.planned()
    assert planned is not None and (planned.rerun_of, planned.job_name) == (first, folder.name)


def test_pdb_opens_at_the_jobs_exception(rerun_project: Project, cloud: Cloud,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    first = _run(capsys, "more.py:diverges", "--steps", "4")
    done = subprocess.run([sys.executable, "-m", "braketkit", "rerun", first, "--local", "--pdb"],
                          input="p energy * 2\np steps\nq\n", capture_output=True, text=True, check=False,
                          env=dict(os.environ), timeout=120)
    assert done.returncode == 1, done.stderr
    assert "(Pdb) -10.0\n(Pdb) 4\n(Pdb) " in done.stdout, done.stdout
    assert "ValueError: no convergence after 4 steps" in done.stderr
    [folder] = (rerun_project.root / ".braketkit" / "jobs").iterdir()
    assert (folder / "output" / "failure").read_text().startswith("ValueError: no convergence after 4 steps")
    assert "--pdb: the job's output went to the terminal" in (folder / "log.txt").read_text()


def test_a_rerun_here_downloads_the_inputs_and_refuses_changed_ones(rerun_project: Project, cloud: Cloud,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    first = _run(capsys, "more.py:reads")
    code, out, err = run_cli(capsys, "rerun", first, "--local", "--json")
    assert code == 0, err
    assert json.loads(out)["result"] == "the data"
    channel, record = cloud.braket.jobs[first]["inputDataConfig"]
    assert record["channelName"] == "braketkit"  # the job's planned record: the rerun writes its own
    bucket, prefix = split_s3_uri(channel["dataSource"]["s3DataSource"]["s3Uri"])
    cloud.client("s3").put_object(Bucket=bucket, Key=f"{prefix}x.txt", Body=b"other data")
    jobs = rerun_project.root / ".braketkit" / "jobs"
    before = sorted(jobs.iterdir())
    code, out, err = run_cli(capsys, "rerun", first, "--local")
    assert code == 1 and "the input channel data of job" in err and "will not run the job with them" in err, err
    assert sorted(jobs.iterdir()) == before  # refused before any job folder was made


def _foreign_job(cloud: Cloud, tmp_path: Path, entry: str = "algo:main", name: str = "foreign-1") -> str:
    """A job made with boto3 alone, as another tool makes one: a plain archive and a script entry point."""
    import boto3

    code = tmp_path / "foreign"
    code.mkdir(exist_ok=True)
    (code / "algo.py").write_text("import json, os\n\ndef main():\n"
                                  "    print('foreign job', json.load(open(os.environ['AMZN_BRAKET_HP_FILE'])))\n\n"
                                  "def scaled(shots: int):\n    print('scaled', shots * 2)\n")
    archive = tmp_path / "source.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(code / "algo.py", arcname="algo.py")
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="other-tool")
    s3.upload_file(str(archive), "other-tool", "jobs/script/source.tar.gz")
    braket = boto3.Session(region_name="us-east-1").client("braket")
    return str(braket.create_job(
        jobName=name, roleArn=cloud.role, deviceConfig={"device": "arn:aws:braket:::device/quantum-simulator"
                                                                  "/amazon/sv1"},
        algorithmSpecification={"scriptModeConfig": {"entryPoint": entry, "compressionType": "GZIP",
                                                     "s3Uri": "s3://other-tool/jobs/script/source.tar.gz"}},
        instanceConfig={"instanceType": "ml.m5.large", "volumeSizeInGb": 30},
        outputDataConfig={"s3Path": f"s3://other-tool/jobs/{name}/data"},
        hyperParameters={"shots": "100"}, tags={"team": "qml"}, clientToken=f"{name}-token")["jobArn"])


def test_a_job_another_tool_made_reruns_from_its_archive(cloud_project: Project, cloud: Cloud, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    first = _foreign_job(cloud, tmp_path)
    second, err = _rerun(capsys, first, "--shots", "200")
    assert "note: job foreign-1 records no provenance (braketkit did not make it): its archive is used as S3 " \
           "holds it now (s3://other-tool/jobs/script/source.tar.gz, sha256" in err
    old, new = cloud.braket.jobs[first], cloud.braket.jobs[second]
    assert new["algorithmSpecification"] == old["algorithmSpecification"]
    assert new["hyperParameters"] == {"shots": "200"} and new["tags"] == {"team": "qml", RERUN_TAG: first}
    assert new["jobName"].startswith("foreign-1-") and new["outputDataConfig"]["s3Path"] == (
        f"s3://other-tool/jobs/{new['jobName']}/data")
    assert _finished(cloud, second)["status"] == "COMPLETED"
    code, out, err = run_cli(capsys, "rerun", first, "--local", "--shots", "300")  # run by braketkit's runtime
    assert code == 0 and "foreign job {'shots': '300'}" in out, err                 # as its container would
    assert "records no provenance" in err
    bound = _foreign_job(cloud, tmp_path, entry="algo:scaled", name="foreign-2")  # hyperparameters that bind:
    code, out, err = run_cli(capsys, "rerun", bound, "--local", "--shots", "21")   # passed, cast by annotation
    assert code == 0 and "scaled 42" in out, err


def test_rerun_dry_run_shows_the_plan_and_creates_nothing(cloud_project: Project, cloud: Cloud,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    first = _run(capsys, "jobs.py:train", "--steps", "2")
    code, out, err = run_cli(capsys, "rerun", first, "--dry-run", "--steps", "4")
    assert code == 0, err
    assert out.startswith(f"rerun of {first}, on Amazon Braket\narchive: sha256 ")
    assert "steps=4" in out and "3. CreateJob train-" in out and "upload source" not in out, out
    assert "2. write the planned record" in out
    code, out, err = run_cli(capsys, "rerun", first, "--dry-run", "--json")
    document = json.loads(out)
    assert [step["step"] for step in document["steps"]] == ["EnsureBucket", "WriteRecord", "CreateJob"]
    assert document["rerun_of"] == first
    assert document["uploads"] == [] and document["archive_verified"] is True
    assert cloud.braket.calls.count("CreateJob") == 1


def test_train_rerun_gives_a_typed_handle_whose_result_is_right(cloud_project: Project, cloud: Cloud) -> None:
    import jobs  # type: ignore[import-not-found]

    from braketkit import AwsJob
    from braketkit.errors import InvalidInput

    job = jobs.train(steps=2)
    again = jobs.train.rerun(job, steps=5)
    assert isinstance(again, AwsJob)
    again.poll = 0.01
    assert again.result() == jobs.Energy(-1.5, 5)
    request = cloud.braket.jobs[again.arn]
    assert request["tags"][RERUN_TAG] == job.arn and request["hyperParameters"]["steps"] == "5"
    by_name = jobs.train.options(instance={"count": 2}, tags={"team": "qml"}).rerun(job.name)
    request = cloud.braket.jobs[by_name.arn]
    assert request["instanceConfig"]["instanceCount"] == 2 and request["tags"]["team"] == "qml"
    assert request["hyperParameters"]["steps"] == "2"  # the job's own arguments
    with pytest.raises(InvalidInput, match=r"is a run of jobs:train, not of jobs:chatty"):
        jobs.chatty.rerun(job)
    with pytest.raises(InvalidInput, match=r"options\(\) in .*test_rerun.py:\d+: source: a rerun runs"):
        jobs.train.options(source=".").rerun(job)
    with pytest.raises(InvalidInput, match="unexpected keyword argument 'stepz'"):
        jobs.train.rerun(job, stepz=3)
    with pytest.raises(InvalidInput, match="profile: a rerun changes only"):
        jobs.train.options(profile="qpu").rerun(job)
    assert cloud.braket.calls.count("CreateJob") == 3


def test_run_local_pdb_opens_at_the_exception_too(project: Project) -> None:
    project.pyproject('[tool.braketkit]\ndevice = "local"\n')
    project.write("more.py", RERUN_JOBS)
    done = subprocess.run([sys.executable, "-m", "braketkit", "run", "more.py:diverges", "--local", "--pdb",
                           "--steps", "2"], input="p energy\nq\n", capture_output=True, text=True, check=False,
                          env=dict(os.environ), timeout=120)
    assert done.returncode == 1, done.stderr
    assert "energy -2.5\n" in done.stdout and "(Pdb) -2.5\n" in done.stdout
    assert "failure reason:\nValueError: no convergence after 2 steps" in done.stderr


def test_the_debugging_variable_is_no_setting(basic_project: Project, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(contract.DEBUG, "1")  # as a local run with --pdb sets it for the job's process
    code, out, err = run_cli(capsys, "plan", "train.py:train", "--offline", "--json")
    assert code == 0, err
    assert contract.DEBUG not in out


def test_a_local_job_reruns_here_from_its_cached_archive(cloud_project: Project, cloud: Cloud,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    import jobs

    from braketkit import LocalJob

    first = jobs.train.local(steps=2)
    cloud_project.write("jobs.py", REPLACED)  # the tree changes; the archive in the cache is the job's
    again = jobs.train.rerun(first, steps=4)
    assert isinstance(again, LocalJob) and again.result() == jobs.Energy(-1.5, 4)
    assert again.metadata().tags[RERUN_TAG] == first.name and again.name != first.name
    code, out, err = run_cli(capsys, "rerun", first.name, "--json")
    assert code == 0 and json.loads(out)["result"] == {"value": -1.5, "steps": 2}, err
    for archive in (cloud_project.root / ".braketkit" / "archives").glob("*.tar.gz"):
        archive.unlink()  # as `braketkit clean --archives` may have
    code, out, err = run_cli(capsys, "rerun", first.name)
    assert code == 2 and "cannot rerun local job" in err and "is no longer in" in err, err


@pytest.mark.parametrize(("planned", "now", "said"), [
    (("a" * 40, False, None), ("a" * 40, False, None), None),
    (("a" * 40, True, "d1"), ("a" * 40, True, "d1"), None),
    (("a" * 40, False, None), ("b" * 40, False, None), "commit aaaaaaa → bbbbbbb"),
    (("a" * 40, False, None), ("a" * 40, True, "d1"), "uncommitted changes"),
    (("a" * 40, True, "d1"), ("a" * 40, True, "d2"), "other uncommitted changes than it had"),
    (("a" * 40, True, "d1"), ("b" * 40, False, None),
     "commit aaaaaaa → bbbbbbb; the uncommitted changes it had are gone"),
    ((None, None, None), ("a" * 40, True, "d1"), None),  # no git facts recorded: nothing known to compare
    (("a" * 40, False, None), (None, None, None), None),  # no git here
])
def test_what_the_tree_note_says(planned: tuple[Any, ...], now: tuple[Any, ...], said: str | None) -> None:
    from braketkit.model.provenance import Provenance
    from braketkit.package.git import GitFacts
    from braketkit.plan.rerun import tree_note

    recorded = Provenance(archive_sha256="f" * 64, braketkit_version="0.1.0", python_version="3.11.7",
                          git_commit=planned[0], git_dirty=planned[1], git_diff_sha256=planned[2])
    note = tree_note("train-1", recorded, GitFacts(commit=now[0], dirty=now[1], diff_sha256=now[2]))
    assert note == (None if said is None else f"the working tree has changed since job train-1 was planned ({said}); "
                    f"the rerun runs the job's own archive (sha256 {'f' * 64})")


def test_a_hostile_archive_of_another_tool_is_unpacked_as_untrusted_input(cloud_project: Project, cloud: Cloud,
                                                                          tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A member reaching out of the code folder: refused on every Python, Debian's 3.11.2 (no tarfile filter)
    included; nothing is written outside, and the local job records the failure."""
    import io

    first = _foreign_job(cloud, tmp_path)
    hostile = tmp_path / "hostile.tar.gz"
    with tarfile.open(hostile, "w:gz") as tar:
        for name, data in (("algo.py", b"def main():\n    print('ran')\n"), ("../../escaped.txt", b"out")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    cloud.client("s3").upload_file(str(hostile), "other-tool", "jobs/script/source.tar.gz")
    code, out, err = run_cli(capsys, "rerun", first, "--local")
    assert code == 1 and "../../escaped.txt" in err and "ran" not in out
    assert not list(cloud_project.root.rglob("escaped.txt")) and not list(tmp_path.rglob("escaped.txt"))


def test_a_job_described_with_channels_no_folder_can_hold_is_refused_here(cloud_project: Project, cloud: Cloud,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """GetJob could describe channels named ``..`` (the service's pattern allows it) or two of one name."""
    arn = _submitted_with_input(cloud_project)
    job = cloud.braket.jobs[arn]
    channel = job["inputDataConfig"][0]
    job["inputDataConfig"] = [{**channel, "channelName": ".."}]
    code, _, err = run_cli(capsys, "rerun", arn, "--local")
    assert code == 2 and err == ("error: input: the channel '..' names no folder a job can have its data in (the "
                                 "service's pattern allows it); name the channel otherwise\n")
    job["inputDataConfig"] = [channel, channel]
    code, _, err = run_cli(capsys, "rerun", arn, "--local")
    assert code == 2 and f"'{channel['channelName']}' (a channel named . or .., or two of one name)" in err


def test_a_job_without_a_script_is_said_to_have_none(cloud_project: Project, cloud: Cloud,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    arn = _submitted_with_input(cloud_project)
    cloud.braket.jobs[arn]["algorithmSpecification"] = {"containerImage": {"uri": "1.dkr.ecr.us-east-1/x:1"}}
    code, _, err = run_cli(capsys, "rerun", arn)
    assert code == 2 and "has no script (its container image runs its own code)" in err


FAST = RetryPolicy(deadline=30.0, base=0.001, cap=0.01)


def _submitted_with_input(project: Project) -> str:
    project.write("data/a.csv", "1\n")
    project.pyproject(CLOUD_SETTINGS + 'input = { train = "data" }\n')
    return submit(plan_target(load_reference("jobs.py:train"), (), {}), policy=FAST, quiet=True).job_arn


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_rerun_from_another_repository_compares_no_trees(cloud_project: Project, cloud: Cloud,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """The job's commit is not in the repository here: no "changed" note comparing unrelated code, but that."""
    (cloud_project.root / ".gitignore").write_text(".braketkit/\n__pycache__/\n")
    _git(cloud_project.root, "init", "-q", "-b", "main")
    _git(cloud_project.root, "add", "-A")
    _git(cloud_project.root, "commit", "-q", "-m", "first")
    planned_at = _git(cloud_project.root, "rev-parse", "HEAD")
    first = _run(capsys, "jobs.py:train", "--steps", "2")
    shutil.rmtree(cloud_project.root / ".git")  # an unrelated repository in its place
    _git(cloud_project.root, "init", "-q", "-b", "main")
    _git(cloud_project.root, "add", "-A")
    _git(cloud_project.root, "commit", "-q", "-m", "unrelated", "--date", "2001-01-01T00:00:00")
    assert _git(cloud_project.root, "rev-parse", "HEAD") != planned_at
    _, err = _rerun(capsys, first)
    old = cloud.braket.jobs[first]
    assert err == (f"note: job {old['jobName']} was planned at commit {planned_at[:7]}, which the repository here "
                   "does not hold (another repository, or a commit not fetched here): its tree is not compared with "
                   f"this one; the rerun runs the job's own archive (sha256 {old['tags'][TAGS['archive_sha256']]})\n")
    assert "working tree has changed" not in err


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_files_no_job_ships_make_no_tree_change(cloud_project: Project, cloud: Cloud,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """An ``.env`` (left out of every archive) neither dirties the job nor reads as a change at its rerun; a new file
    a plan here would ship does."""
    (cloud_project.root / ".gitignore").write_text(".braketkit/\n__pycache__/\n")
    _git(cloud_project.root, "init", "-q", "-b", "main")
    _git(cloud_project.root, "add", "-A")
    _git(cloud_project.root, "commit", "-q", "-m", "first")
    (cloud_project.root / ".env").write_text("PIN=4821\n")
    first = _run(capsys, "jobs.py:train", "--steps", "2")
    assert cloud.braket.jobs[first]["tags"][TAGS["git_dirty"]] == "false"
    (cloud_project.root / ".env").write_text("PIN=1234\n")
    _, err = _rerun(capsys, first)
    assert "working tree" not in err
    cloud_project.write("helpers.py", "X = 1\n")
    _, err = _rerun(capsys, first)
    assert "(uncommitted changes)" in err


def test_a_records_source_folder_outside_the_project_is_not_followed(tmp_path: Path) -> None:
    """A record is a file in a bucket; a folder it names elsewhere (whose git configuration could name commands) is
    never where git runs."""
    from types import SimpleNamespace
    from typing import cast

    from braketkit.job.original import Original
    from braketkit.model.provenance import PlannedSetting
    from braketkit.pipeline import _source_folder

    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()

    def original(source: object) -> Original:
        settings = {"source": PlannedSetting(value=source, origin="pyproject.toml:3")}
        return cast(Original, SimpleNamespace(record=SimpleNamespace(settings=settings)))

    assert _source_folder(root, original("src")) == (root / "src").resolve()
    for hostile in ("../elsewhere", str(tmp_path / "elsewhere"), "missing", 7, ""):
        assert _source_folder(root, original(hostile)) == root


def test_rerun_checks_arguments_against_the_function_in_its_archive(rerun_project: Project, cloud: Cloud,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    first = _run(capsys, "more.py:tagged", "--steps", "2")
    rerun_project.write("more.py", "def tagged(**anything):\n    pass\n")  # the tree's function takes anything now
    refused = {
        ("--stepz", "3"): "error: argument stepz: tagged has no parameter stepz; did you mean --steps? it takes "
                          "--label, --steps, --scale\n",
        ("--steps", "abc"): "error: argument steps: 'abc' is not an integer, which tagged's steps (int) takes\n",
        ("--steps", "2.5"): "error: argument steps: '2.5' is not an integer, which tagged's steps (int) takes\n",
        ("--scale", "1e999"): "error: argument scale: '1e999' is not a finite number (JSON, which a job's arguments "
                              "are, holds no infinity or NaN), which tagged's scale (float) takes\n",
        ("--label", "nan", "--scale", "inf"): "error: argument scale: 'inf' is not a finite number (JSON, which a "
                                              "job's arguments are, holds no infinity or NaN), which tagged's scale "
                                              "(float) takes\n",
    }
    for argv, message in refused.items():
        for dry in ((), ("--dry-run",)):
            code, out, err = run_cli(capsys, "rerun", first, *argv, *dry, "--quiet")
            assert (code, out, err) == (2, "", message), argv
    code, out, err = run_cli(capsys, "rerun", first, "--dry-run", "--json", "--steps", "4", "--scale", "2",
                             "--label", "7")
    assert code == 0, err
    arguments = json.loads(out)["call"]["arguments"]
    assert (arguments["steps"], arguments["scale"], arguments["label"]) == ("4", "2.0", '"7"')
    assert cloud.braket.calls.count("CreateJob") == 1


def test_what_the_archive_declares_of_a_function() -> None:
    from braketkit.plan.rerun import declared_parameters

    source = ("from typing import Optional, Union\nimport typing\n\n"
              "def f(a: int, b: 'float', c: Optional[bool] = None, d: str | None = None, *args: int,\n"
              "      e: typing.Optional[int] = 1, g: Union[None, str] = None, h: list[int] = [], i=3) -> None: ...\n\n"
              "class Model:\n    def fit(self, steps: int, /, rate: float = 1, **rest: float) -> None: ...\n")
    declared = declared_parameters(source, "f")
    assert declared is not None and declared.names == ["a", "b", "c", "d", "e", "g", "h", "i"]
    assert declared.types == {"a": "int", "b": "float", "c": "bool", "d": "str", "e": "int", "g": "str"}
    assert declared.any_keyword is False
    method = declared_parameters(source, "Model.fit")
    assert method is not None and method.any_keyword and method.names == ["rate"]  # self, steps: by position only
    assert declared_parameters(source, "g") is None and declared_parameters("def f(:\n", "f") is None


@pytest.mark.parametrize(("text", "kind", "encoded"), [
    ("5", "int", "5"), ("-3", "int", "-3"), ("2", "float", "2.0"), ("1e-3", "float", "0.001"),
    ("true", "bool", "true"), ("No", "bool", "false"), ("nan", "str", '"nan"'), ("5", "str", '"5"'),
    ("5", None, "5"), ("[1, 2]", None, "[1,2]"), ("abc", None, '"abc"'),
])
def test_rerun_text_is_encoded_as_the_parameter_is_annotated(text: str, kind: str | None, encoded: str) -> None:
    from braketkit.plan.rerun import Declared, text_arguments

    declared = Declared(function="f", names=["x"], types={"x": kind} if kind else {}, any_keyword=False)
    assert text_arguments({"x": text}, JobCall(entry="m:f", arguments={"x": "1"}), declared) == {"x": encoded}


@pytest.mark.parametrize("text", ["1e999", "-inf", "nan", "Infinity", "[1e999]"])
def test_a_number_json_cannot_hold_is_refused_without_a_declaration(text: str) -> None:
    from braketkit.errors import InvalidInput
    from braketkit.plan.rerun import text_arguments

    with pytest.raises(InvalidInput, match="JSON, which holds no infinity or NaN"):
        text_arguments({"x": text}, JobCall(entry="m:f", arguments={"x": "1"}))


def test_what_rerun_prints_as_text_cannot_drive_the_terminal(rerun_project: Project, cloud: Cloud,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    first = _run(capsys, "more.py:tagged", "--label", "\x1b]0;owned\x07")
    code, out, err = run_cli(capsys, "rerun", first, "--dry-run", "--label", "\x1b[2J", "--set",
                             "hyperparameters.note=\x1b[31mred")
    assert code == 0, err
    assert "\x1b" not in out + err and "\x07" not in out
    assert 'label="\\u001b[2J"' in out and "\\x1b[31mred" in out, out
    code, out, err = run_cli(capsys, "rerun", first, "--dry-run", "--set", "device=\x1b[2Jsv9")
    assert code == 2 and "\x1b" not in err and err.startswith("error: --set device: device: unknown device "
                                                              "'\\x1b[2Jsv9'"), err
    out = run_cli(capsys, "rerun", first, "--dry-run", "--json", "--label", "\x1b[2J")[1]
    document = json.loads(out)
    assert "\x1b" not in out and document["request"]["hyperParameters"]["label"] == "\x1b[2J"  # JSON's escape
    assert document["call"]["arguments"]["label"] == '"\\u001b[2J"'  # JSON in JSON


def test_plan_and_rerun_never_print_a_secret_argument(cloud_project: Project, cloud: Cloud,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    cloud_project.write("secret.py", "from braketkit import hybrid_job\n\n\n@hybrid_job()\n"
                                     "def login(password: str = '', api_key: str = '', steps: int = 1) -> int:\n"
                                     "    return steps\n")
    outputs = []
    for json_flag in ((), ("--json",)):
        code, out, err = run_cli(capsys, "plan", "secret.py:login", "--password", "hunter2", "--steps", "2",
                                 "--set", "hyperparameters.db_token=tok3n", *json_flag)
        assert code == 0, err
        outputs.append(out + err)
    first = _run(capsys, "secret.py:login", "--password", "hunter2", "--api-key", "k3y")
    for json_flag in ((), ("--json",)):
        code, out, err = run_cli(capsys, "rerun", first, "--dry-run", "--password", "hunter3",
                                 "--set", "hyperparameters.db_token=tok3n", *json_flag)
        assert code == 0, err
        outputs.append(out + err)
    assert 'password=<redacted>' in outputs[0] and "steps=2" in outputs[0], outputs[0]
    assert 'password=<redacted>' in outputs[2] and "api_key=<redacted>" in outputs[2], outputs[2]
    for said in outputs:
        assert "hunter" not in said and "k3y" not in said and "tok3n" not in said, said
    assert cloud.braket.jobs[first]["hyperParameters"]["password"] == "hunter2"  # redacted only where shown


def test_a_pickled_job_reruns_here_with_allow_pickle(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """``rerun`` takes ``--allow-pickle`` as ``run`` does: a job planned to pickle its results is rerun here and its
    result read; without the flag, the refusal says how to ask."""
    project.pyproject('[tool.braketkit]\ndevice = "local"\nresult_format = "pickled_v4"\n')
    project.write("spin.py", "def spin(steps: int = 2) -> complex:\n    return complex(steps, -0.0)\n")
    code, out, err = run_cli(capsys, "run", "spin.py:spin", "--local", "--steps", "3", "--allow-pickle", "--json")
    assert (code, err) == (0, ""), err
    first = json.loads(out)
    assert first["result"] == "(3-0j)"
    code, out, err = run_cli(capsys, "rerun", first["name"], "--local", "--steps", "4", "--allow-pickle", "--json")
    assert (code, err) == (0, ""), err
    assert json.loads(out)["result"] == "(4-0j)"
    code, out, err = run_cli(capsys, "rerun", first["name"], "--local", "--json")
    assert code == 1 and "read them with result(allow_pickle=True)" in err, err
