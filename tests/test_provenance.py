"""Provenance on every job: the tags and the planned record, from a project in a real git repository.

Submitted through the pipeline to the loopback services (moto's S3, the loopback Braket control plane)
and run locally; git is the real one, run on repositories made here.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import boto3
import pytest

from braketkit import __version__
from braketkit.converter import converter, provenance_of_tags, provenance_tags, read_record
from braketkit.errors import AwsError, BraketkitError
from braketkit.execute.cloud import submit
from braketkit.job import AwsJob, LocalJob
from braketkit.model.provenance import CALL_TAG, RECORD_FORMAT, TAGS, Provenance
from braketkit.package.git import GitFacts, git_facts
from braketkit.pipeline import plan_target, run_target
from braketkit.plan import Plan
from braketkit.target import load_reference

from .conftest import CLOUD_SETTINGS, Cloud, Project, run_cli
from .test_cloud import FAST, plan_of

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

BUCKET = "amazon-braket-us-east-1-123456789012"


def git(folder: Path, *arguments: str) -> str:
    """Run git in ``folder`` as a person would (author given here, no global configuration needed)."""
    done = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *arguments],
                          cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def committed(project: Project, branch: str = "main") -> Path:
    """The project's parent folder made a git repository (the project one folder down, beside a README) with
    everything committed on ``branch``; returns the repository's folder."""
    top = project.root.parent
    (top / "README.md").write_text("outside the project\n", encoding="utf-8")
    git(top, "init", "-q", "-b", branch)
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "first")
    return top


def expected_digest(folder: Path, untracked: list[str]) -> str:
    """The documented digest: SHA-256 of ``git diff --binary HEAD -- .``, then each untracked file in name order as
    NUL name NUL size NUL content."""
    digest = hashlib.sha256(subprocess.run(["git", "diff", "--binary", "HEAD", "--", "."], cwd=folder,
                                           capture_output=True, check=True).stdout)
    for name in sorted(untracked):
        content = (folder / name).read_bytes()
        digest.update(b"\0" + name.encode() + b"\0" + str(len(content)).encode() + b"\0" + content)
    return digest.hexdigest()


def tags_of(cloud: Cloud, arn: str) -> dict[str, str]:
    tags: dict[str, str] = cloud.braket.jobs[arn]["tags"]
    return tags


def own(tags: dict[str, str]) -> dict[str, str]:
    """braketkit's provenance tags (the call's digest, a tag of every function's job, aside)."""
    return {name: value for name, value in tags.items() if name.startswith("braketkit:") and name != CALL_TAG}


def record_in_s3(cloud: Cloud, plan: Plan) -> dict[str, Any]:
    key = f"jobs/{plan.request.job_name}/braketkit/planned.json"
    document: dict[str, Any] = json.loads(cloud.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read())
    return document


def test_a_dirty_tree_s_job_carries_its_commit_branch_and_diff(cloud_project: Project, cloud: Cloud) -> None:
    top = committed(cloud_project)
    cloud_project.write("jobs.py", (cloud_project.root / "jobs.py").read_text() + "\n# tuned\n")
    cloud_project.write("notes/idea.txt", "try a deeper ansatz\n")
    plan = plan_of("jobs.py:train")
    submission = submit(plan, policy=FAST, quiet=True)

    digest = expected_digest(cloud_project.root, ["notes/idea.txt"])
    assert own(tags_of(cloud, submission.job_arn)) == {
        "braketkit:archive-sha256": plan.archive.sha256, "braketkit:version": __version__,
        "braketkit:python": platform.python_version(), "braketkit:git-commit": git(top, "rev-parse", "HEAD"),
        "braketkit:git-branch": "main", "braketkit:git-dirty": "true", "braketkit:git-diff-sha256": digest}
    assert plan.request.algorithm_specification.script_mode_config.s3_uri.endswith(
        f"/sources/{plan.archive.sha256}/source.tar.gz")  # the archive tag names the archive the job runs

    # The record, where the docs say, with every setting and its origin, and the same provenance.
    document = record_in_s3(cloud, plan)
    assert document["format"] == RECORD_FORMAT and document["job_name"] == plan.request.job_name
    assert document["entry"] == "jobs:train" and document["rerun_of"] is None
    assert document["settings"]["device"] == {"value": "sv1", "origin": "pyproject.toml:5"}
    assert document["settings"]["instance.type"] == {"value": "ml.m5.large", "origin": "default"}
    assert document["provenance"]["git_diff_sha256"] == digest
    job = AwsJob(submission.job_arn)
    assert job.provenance == plan.provenance == provenance_of_tags(tags_of(cloud, submission.job_arn))
    assert job.planned() == plan.record and plan.record.provenance == plan.provenance

    # The same changes again: the same digest. One more line: another.
    assert plan_of("jobs.py:train").provenance.git_diff_sha256 == digest
    cloud_project.write("notes/idea.txt", "try a deeper ansatz\nand a smaller lr\n")
    changed = plan_of("jobs.py:train").provenance
    assert changed.git_diff_sha256 == expected_digest(cloud_project.root, ["notes/idea.txt"]) != digest
    cloud_project.write("jobs.py", (cloud_project.root / "jobs.py").read_text() + "# more\n")
    assert plan_of("jobs.py:train").provenance.git_diff_sha256 not in (digest, changed.git_diff_sha256)


def test_a_clean_tree_has_dirty_false_and_no_diff_tag(cloud_project: Project, cloud: Cloud) -> None:
    """Changes outside the source folder are not the job's: the README beside the project is the repository's."""
    top = committed(cloud_project, branch="experiments")
    (top / "README.md").write_text("edited, outside the project\n", encoding="utf-8")
    (top / "scratch.txt").write_text("untracked, outside the project\n", encoding="utf-8")
    plan = plan_of("jobs.py:train")
    submission = submit(plan, policy=FAST, quiet=True)
    tags = own(tags_of(cloud, submission.job_arn))
    assert (tags["braketkit:git-dirty"], tags["braketkit:git-branch"]) == ("false", "experiments")
    assert tags["braketkit:git-commit"] == git(top, "rev-parse", "HEAD")
    assert "braketkit:git-diff-sha256" not in tags
    assert record_in_s3(cloud, plan)["provenance"]["git_diff_sha256"] is None


def test_no_repository_and_no_git_give_no_git_tags_and_no_error(cloud_project: Project, cloud: Cloud,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capfd: pytest.CaptureFixture[str]) -> None:
    plan = plan_of("jobs.py:train")  # a folder in no repository
    tags = own(tags_of(cloud, submit(plan, policy=FAST, quiet=True).job_arn))
    assert set(tags) == {"braketkit:archive-sha256", "braketkit:version", "braketkit:python"}
    assert record_in_s3(cloud, plan)["provenance"] == {
        "archive_sha256": plan.archive.sha256, "braketkit_version": __version__,
        "python_version": platform.python_version(), "git_commit": None, "git_branch": None, "git_dirty": None,
        "git_diff_sha256": None}

    committed(cloud_project)
    empty = cloud_project.root.parent / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # a repository, but no git to ask
    capfd.readouterr()
    plan = plan_of("jobs.py:train")
    tags = own(tags_of(cloud, submit(plan, policy=FAST, quiet=True).job_arn))
    assert set(tags) == {"braketkit:archive-sha256", "braketkit:version", "braketkit:python"}
    assert capfd.readouterr() == ("", "")


def test_a_detached_head_has_no_branch_tag(cloud_project: Project, cloud: Cloud) -> None:
    top = committed(cloud_project)
    git(top, "checkout", "-q", "--detach")
    plan = plan_of("jobs.py:train")
    tags = own(tags_of(cloud, submit(plan, policy=FAST, quiet=True).job_arn))
    assert "braketkit:git-branch" not in tags and tags["braketkit:git-commit"] == git(top, "rev-parse", "HEAD")
    assert plan.provenance.git_branch is None and record_in_s3(cloud, plan)["provenance"]["git_branch"] is None


@pytest.mark.parametrize(("branch", "tag"), [
    ("fix/issue#12,v2!", "fix/issue_12_v2_"),
    ("théorie/ψ-ansatz", "théorie/ψ-ansatz"),  # letters of any script are allowed
    ("a/" + "/".join(["b" * 100] * 3), ("a/" + "/".join(["b" * 100] * 3))[:256]),  # over the 256 a value holds
])
def test_a_branch_name_aws_tags_cannot_hold_is_made_one_and_kept_exact_in_the_record(
        cloud_project: Project, cloud: Cloud, branch: str, tag: str) -> None:
    committed(cloud_project, branch=branch)
    plan = plan_of("jobs.py:train")
    arn = submit(plan, policy=FAST, quiet=True).job_arn  # the service accepted the tag
    assert tags_of(cloud, arn)["braketkit:git-branch"] == tag
    assert record_in_s3(cloud, plan)["provenance"]["git_branch"] == branch
    assert AwsJob(arn).provenance == attrs.evolve(plan.provenance, git_branch=tag)  # the tag is what tags hold


def test_a_sweep_carries_the_provenance_on_each_job(cloud_project: Project, cloud: Cloud) -> None:
    import jobs  # type: ignore[import-not-found]

    committed(cloud_project)
    cloud_project.write("scratch.py", "x = 1\n")
    sweep = jobs.train.map([1, 2, 3])
    provenance = sweep.calls[0].plan.provenance
    assert provenance.git_dirty is True and provenance.git_diff_sha256 is not None
    for job in sweep:
        tags = tags_of(cloud, job.arn)
        assert tags["braketkit:sweep"] == sweep.id
        assert provenance_of_tags(tags) == provenance
        assert AwsJob(job.arn).planned().provenance == provenance  # type: ignore[union-attr]
    assert len({call.plan.record.job_name for call in sweep.calls}) == 3


def test_a_local_run_records_its_provenance_and_planned_record(cloud_project: Project) -> None:
    top = committed(cloud_project)
    job = run_target(load_reference("jobs.py:train"), (2,), {}, local=True, echo=False)
    assert isinstance(job, LocalJob) and job.state() == "COMPLETED"
    provenance = job.provenance
    assert provenance is not None and provenance.git_commit == git(top, "rev-parse", "HEAD")
    assert (provenance.git_branch, provenance.git_dirty) == ("main", False)
    assert own(job.metadata().tags) == {tag: value for tag, value in {
        TAGS["archive_sha256"]: provenance.archive_sha256, TAGS["braketkit_version"]: __version__,
        TAGS["python_version"]: platform.python_version(), TAGS["git_commit"]: provenance.git_commit,
        TAGS["git_branch"]: "main", TAGS["git_dirty"]: "false"}.items()}
    record = job.planned()
    assert record is not None and record.job_name == job.name and record.provenance == provenance
    assert record.settings["device"].origin == "pyproject.toml:5"
    assert (job.folder / "braketkit" / "planned.json").is_file()


def test_an_old_local_record_without_provenance_still_reads(project: Project) -> None:
    folder = project.root / ".braketkit" / "jobs" / "old"
    folder.mkdir(parents=True)
    (folder / "job.json").write_text(json.dumps({
        "name": "old", "state": "COMPLETED", "device": "local:braket/braket_sv", "entry": "train:train",
        "started_at": "2026-01-01T00:00:00+00:00", "ended_at": "2026-01-01T00:01:00+00:00", "exit_code": 0}))
    job: LocalJob[Any] = LocalJob(folder)
    assert (job.state(), job.provenance, job.planned()) == ("COMPLETED", None, None)
    (folder / "braketkit").mkdir()
    (folder / "braketkit" / "planned.json").write_text('{"format": "braketkit-planned-99"}')
    with pytest.raises(BraketkitError, match=r"^the planned record of job old in .*planned\.json is of format "
                                             r"'braketkit-planned-99'; this braketkit reads braketkit-planned-1 "
                                             r"and braketkit-planned-2 \(a newer braketkit may read it\)$"):
        job.planned()


def test_a_job_braketkit_did_not_make_has_no_provenance_and_no_record(cloud_project: Project, cloud: Cloud) -> None:
    """A job made with the service's own API: no braketkit tags, nothing at the record's place."""
    plan = plan_of("jobs.py:train")
    submit(plan, policy=FAST, quiet=True)  # the bucket and an archive to point at
    braket = boto3.Session(region_name="us-east-1").client("braket", endpoint_url=cloud.braket.url)
    request = {key: value for key, value in converter.unstructure(plan.request).items()
               if key not in ("tags", "clientToken", "jobName")}
    request["outputDataConfig"] = {"s3Path": f"s3://{BUCKET}/elsewhere/made-elsewhere"}
    request["checkpointConfig"] = {"s3Uri": f"s3://{BUCKET}/elsewhere/made-elsewhere/checkpoints"}
    arn = braket.create_job(**request, jobName="made-elsewhere", clientToken="other-tool",
                            tags={"team": "qml"})["jobArn"]
    job = AwsJob(arn)
    assert (job.provenance, job.planned()) == (None, None)


def test_a_damaged_record_is_a_clear_error(cloud_project: Project, cloud: Cloud) -> None:
    plan = plan_of("jobs.py:train")
    job = AwsJob(submit(plan, policy=FAST, quiet=True).job_arn)
    key = f"jobs/{plan.request.job_name}/braketkit/planned.json"
    uri = f"s3://{BUCKET}/{key}"
    cloud.client("s3").put_object(Bucket=BUCKET, Key=key, Body=b'{"format": "braketkit-planned-1", "job_name": 7}')
    with pytest.raises(BraketkitError) as caught:
        job.planned()
    assert str(caught.value) == (f"the planned record of job {plan.request.job_name} at {uri} is damaged: it does "
                                 "not read as braketkit-planned-1 (TypeError: expected str, got int)")
    cloud.client("s3").put_object(Bucket=BUCKET, Key=key, Body=b"\x1f\x8b not json")
    with pytest.raises(BraketkitError, match=r"is damaged: it is no JSON"):
        job.planned()


def test_submitting_the_same_plan_again_writes_the_same_record(cloud_project: Project, cloud: Cloud) -> None:
    plan = plan_of("jobs.py:train")
    first = submit(plan, policy=FAST, quiet=True)
    written = record_in_s3(cloud, plan)
    again = submit(plan, policy=FAST, quiet=True)  # as after an interruption: the same job, the same record
    assert again.job_arn == first.job_arn and record_in_s3(cloud, plan) == written
    assert read_record(json.dumps(written), "here") == plan.record


def test_a_record_is_withdrawn_when_createjob_refuses_the_job(cloud_project: Project, cloud: Cloud) -> None:
    """A fixed job_name whose first CreateJob was refused: its record is taken back, and the next submission may use
    the name and its place."""
    cloud_project.pyproject(CLOUD_SETTINGS + 'job_name = "vqe-h2"\n')
    cloud.braket.faults["CreateJob"].append("denied")
    refused = plan_of("jobs.py:train")
    with pytest.raises(AwsError, match="not allowed to create the job"):
        submit(refused, policy=FAST, quiet=True)
    listed = cloud.client("s3").list_objects_v2(Bucket=BUCKET, Prefix="jobs/vqe-h2/")
    assert listed.get("Contents", []) == []  # written, then withdrawn when CreateJob refused for certain
    retried = plan_of("jobs.py:train")
    submission = submit(retried, policy=FAST, quiet=True)
    assert submission.job_name == "vqe-h2"
    head = cloud.client("s3").head_object(Bucket=BUCKET, Key="jobs/vqe-h2/braketkit/planned.json")
    assert head["Metadata"]["client-token"] == retried.request.client_token


def test_a_refused_name_leaves_another_tools_job_without_a_record(cloud_project: Project, cloud: Cloud) -> None:
    """A job another tool made, whose outputs are where braketkit's job of that name would put its record: asking
    braketkit for that name is refused by CreateJob, and that job is left with no record claiming braketkit's
    provenance."""
    plan = plan_of("jobs.py:train")
    submit(plan, policy=FAST, quiet=True)
    braket = boto3.Session(region_name="us-east-1").client("braket", endpoint_url=cloud.braket.url)
    request = {key: value for key, value in converter.unstructure(plan.request).items()
               if key not in ("tags", "clientToken", "jobName", "hyperParameters")}
    request["outputDataConfig"] = {"s3Path": f"s3://{BUCKET}/jobs/taken"}
    request["checkpointConfig"] = {"s3Uri": f"s3://{BUCKET}/jobs/taken/checkpoints"}
    arn = braket.create_job(**request, jobName="taken", clientToken="other-tool")["jobArn"]
    with pytest.raises(AwsError, match="a job named taken already exists"):
        submit(plan_of("jobs.py:train", assignments=("job_name=taken",)), policy=FAST, quiet=True)
    job = AwsJob(arn)
    assert (job.provenance, job.planned()) == (None, None)


def test_the_plan_shows_the_provenance(cloud_project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    top = committed(cloud_project)
    commit = git(top, "rev-parse", "HEAD")
    code, out, _ = run_cli(capsys, "plan", "jobs.py:train", "--offline")
    assert code == 0
    rows = {line.split(maxsplit=1)[0]: line.split(maxsplit=1)[1] for line in out.splitlines()
            if line.strip().startswith(("provenance ", "git "))}
    assert rows["git"] == f"commit {commit} on branch main, clean"
    assert rows["provenance"].startswith("archive sha256 ") and rows["provenance"].endswith(
        f", braketkit {__version__}, Python {platform.python_version()}")
    assert "write the planned record (the call the job reads as its input channel braketkit, settings with their " \
           "origins, provenance)" in out
    cloud_project.write("extra.txt", "x\n")
    code, out, _ = run_cli(capsys, "plan", "jobs.py:train", "--offline", "--json")
    document = json.loads(out)
    assert document["provenance"]["git_commit"] == commit and document["provenance"]["git_dirty"] is True
    digest = expected_digest(cloud_project.root, ["extra.txt"])
    assert document["provenance"]["git_diff_sha256"] == digest
    [written] = [step for step in document["steps"] if step["step"] == "WriteRecord"]
    assert written["record"]["provenance"] == document["provenance"]
    assert written["record"]["settings"] == document["settings"]


# -- git's facts alone ------------------------------------------------------------------------------------------


def test_an_unborn_head_and_a_refusing_git_give_no_facts(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q")
    (folder / "a.txt").write_text("a\n")
    assert git_facts(folder) == GitFacts()  # no commit yet
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "first")
    assert git_facts(folder).commit == git(folder, "rev-parse", "HEAD")
    if os.geteuid() == 0:  # root can give the repository to another user: git then refuses it (safe.directory)
        subprocess.run(["chown", "-R", "12345:12345", str(folder)], check=True)
        capfd.readouterr()
        assert git_facts(folder) == GitFacts()
        assert capfd.readouterr() == ("", "")  # git's "dubious ownership" is not shown


def test_git_facts_of_a_folder_git_cannot_enter(tmp_path: Path) -> None:
    assert git_facts(tmp_path / "missing") == GitFacts()
    assert git_facts(tmp_path) == GitFacts()


def test_provenance_reads_back_from_tags_only_when_braketkit_made_them() -> None:
    provenance = Provenance(archive_sha256="a" * 64, braketkit_version="1.0", python_version="3.12.1",
                            git_commit="c" * 40, git_dirty=False)
    tags = provenance_tags(provenance, longest=256)
    assert tags == {"braketkit:archive-sha256": "a" * 64, "braketkit:version": "1.0", "braketkit:python": "3.12.1",
                    "braketkit:git-commit": "c" * 40, "braketkit:git-dirty": "false"}
    assert provenance_of_tags({**tags, "team": "qml"}) == provenance
    assert provenance_of_tags({"team": "qml"}) is None
    assert provenance_of_tags({**tags, "braketkit:git-dirty": "maybe"}) is None
    assert provenance_of_tags({key: value for key, value in tags.items() if key != "braketkit:version"}) is None


def test_a_record_that_is_not_the_jobs_own_is_refused(cloud_project: Project, cloud: Cloud) -> None:
    """Anyone who may write the bucket can change a record; the job's name and script URI are the service's."""
    plan = plan_of("jobs.py:train")
    job = AwsJob(submit(plan, policy=FAST, quiet=True).job_arn)
    key = f"jobs/{plan.request.job_name}/braketkit/planned.json"
    document = record_in_s3(cloud, plan)
    forged = {**document, "provenance": {**document["provenance"], "archive_sha256": "d" * 64}}
    cloud.client("s3").put_object(Bucket=BUCKET, Key=key, Body=json.dumps(forged).encode())
    with pytest.raises(BraketkitError, match=f"is not this job's: it names the archive sha256 {'d' * 64}, and the "
                                             f"job runs {plan.archive.sha256}"):
        job.planned()
    cloud.client("s3").put_object(Bucket=BUCKET, Key=key, Body=json.dumps({**document, "job_name": "other"}).encode())
    with pytest.raises(BraketkitError, match="is not this job's: it names job other"):
        job.planned()
    code, out, err = run_cli_plain("show", job.arn)
    assert code == 0 and "not this job's" in out + err and "d" * 64 not in out


def test_a_record_made_to_exhaust_the_reader_is_refused(cloud_project: Project, cloud: Cloud) -> None:
    plan = plan_of("jobs.py:train")
    job = AwsJob(submit(plan, policy=FAST, quiet=True).job_arn)
    key = f"jobs/{plan.request.job_name}/braketkit/planned.json"
    cloud.client("s3").put_object(Bucket=BUCKET, Key=key, Body=b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(BraketkitError, match="nests deeper than JSON braketkit writes"):
        job.planned()
    cloud.client("s3").put_object(Bucket=BUCKET, Key=key, Body=b" " * 2_000_000)
    with pytest.raises(BraketkitError, match="is over 1000 kB"):
        job.planned()


def run_cli_plain(*argv: str) -> tuple[int, str, str]:
    """The CLI in a child process, as a person runs it (its own stdout and stderr)."""
    import sys

    done = subprocess.run([sys.executable, "-m", "braketkit", *argv], capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize(("key", "hidden"), [
    ("hyperparameters.db_pass", True), ("wandb_key", True), ("auth_token", True), ("api-key", True),
    ("hyperparameters.passphrase", True), ("pwd", True), ("s3.kms_key", False), ("steps", False),
    ("author", False), ("keyboard", False), ("passes", False)])
def test_values_whose_names_look_secret_are_redacted(key: str, hidden: bool) -> None:
    from braketkit.resolve.planned import REDACTED, redact

    assert (redact(key, "hunter2") == REDACTED) is hidden


def test_a_password_in_a_url_is_redacted_whatever_the_key() -> None:
    from braketkit.resolve.planned import redact

    assert redact("dependencies", ["numpy", "git+https://me:ghp_abc@github.com/x/y.git"]) == [
        "numpy", "git+https://me:<redacted>@github.com/x/y.git"]
    assert redact("image", "https://host/x") == "https://host/x"


# -- clean means the commit holds what the archive ships --------------------------------------------------------

SCRIPT = '''
import json
import os
import sys

from braketkit import hybrid_job
from braketkit.converter import converter

SCALE = float(os.environ["SCALE"])

@hybrid_job()
def train(steps: int = 2) -> float:
    return steps * SCALE

plan = train.plan()
print(json.dumps({"provenance": converter.unstructure(plan.provenance), "text": plan.captured.text,
                  "sources": plan.archive.sources}))
'''

LOCAL_DEVICE = '''
[tool.braketkit]
device = "local"
region = "us-east-1"
role = "arn:aws:iam::111122223333:role/r"
'''


def _script_plan(project: Project, scale: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "script.py"], cwd=project.root, capture_output=True, text=True,
                          check=False, env=os.environ | {"SCALE": scale}, timeout=120)
    assert done.returncode == 0, done.stderr
    planned: dict[str, Any] = json.loads(done.stdout)
    return planned


def test_a_script_s_captured_function_in_a_clean_repository_is_dirty(project: Project) -> None:
    """The commit holds the script, not the values its globals had: the generated module is in the digest."""
    project.pyproject(LOCAL_DEVICE)
    project.write("script.py", SCRIPT)
    project.write("requirements.txt", "numpy\n")
    top = committed(project)
    first = _script_plan(project, "1.5")
    assert first["sources"] == ["pyproject.toml", "requirements.txt", "script.py"]  # the project's own, all shipped
    assert git(top, "status", "--porcelain") == ""  # nothing changed in git's eyes
    provenance = first["provenance"]
    assert provenance["git_commit"] == git(top, "rev-parse", "HEAD") and provenance["git_dirty"] is True
    text = first["text"].encode()
    documented = hashlib.sha256(b"\0\0braketkit_main.py\0" + str(len(text)).encode() + b"\0" + text).hexdigest()
    assert provenance["git_diff_sha256"] == documented
    assert _script_plan(project, "1.5")["provenance"] == provenance  # the same cell again: the same digest
    second = _script_plan(project, "2.5")  # a global changed: another archive, another digest
    assert second["provenance"]["archive_sha256"] != provenance["archive_sha256"]
    assert second["provenance"]["git_diff_sha256"] not in (None, provenance["git_diff_sha256"])
    assert second["provenance"]["git_commit"] == provenance["git_commit"]


def test_an_ignored_file_shipped_by_include_makes_the_source_dirty(cloud_project: Project) -> None:
    cloud_project.write(".gitignore", "data/\n")
    cloud_project.write("data/points.csv", "1,2\n")
    cloud_project.write("data/unshipped.txt", "ignored and not shipped\n")
    cloud_project.pyproject(CLOUD_SETTINGS + 'include = ["data/*.csv"]\n')
    top = committed(cloud_project)
    assert git(top, "status", "--porcelain") == ""
    plan = plan_of("jobs.py:train")
    assert "data/points.csv" in plan.archive.sources and "data/unshipped.txt" not in plan.archive.sources
    assert plan.provenance.git_dirty is True
    assert plan.provenance.git_diff_sha256 == expected_digest(cloud_project.root, ["data/points.csv"])
    assert plan_of("jobs.py:train").provenance == plan.provenance  # the cache-hit path lists the files too

    cloud_project.write("data/unshipped.txt", "changed, but not shipped\n")
    assert plan_of("jobs.py:train").provenance.git_diff_sha256 == plan.provenance.git_diff_sha256
    cloud_project.write("data/points.csv", "1,2\n3,4\n")
    changed = plan_of("jobs.py:train").provenance
    assert changed.archive_sha256 != plan.provenance.archive_sha256
    assert changed.git_diff_sha256 == expected_digest(cloud_project.root, ["data/points.csv"]) \
        != plan.provenance.git_diff_sha256
    # With an edit git sees too: one digest over both, the untracked part as one sorted set.
    cloud_project.write("notes.txt", "untracked, not ignored\n")
    both = plan_of("jobs.py:train").provenance
    assert both.git_diff_sha256 == expected_digest(cloud_project.root, ["data/points.csv", "notes.txt"])


def test_a_clean_tree_shipping_only_tracked_files_stays_clean(cloud_project: Project) -> None:
    """Ignored files not shipped, braketkit's runtime, a requirements.txt made from a list: none makes it dirty."""
    cloud_project.write(".gitignore", "scratch/\n")
    cloud_project.write("scratch/big.bin", "not shipped\n")
    cloud_project.pyproject(CLOUD_SETTINGS + 'dependencies = ["numpy"]\n')
    committed(cloud_project)
    plan = plan_of("jobs.py:train")
    assert "requirements.txt" not in plan.archive.sources and not any(
        name.startswith("braketkit_runtime/") for name in plan.archive.sources)
    assert (plan.provenance.git_dirty, plan.provenance.git_diff_sha256) == (False, None)


def test_untracked_files_the_archive_leaves_out_neither_dirty_the_tree_nor_reach_the_digest(
        cloud_project: Project) -> None:
    """An ``.env`` braketkit does not ship is not the job's; a PIN in it must not be guessable from a public tag."""
    committed(cloud_project)
    (cloud_project.root / ".env").write_text("PIN=4821\n", encoding="utf-8")  # left out as a secret by default
    (cloud_project.root / "notes.txt").write_text("scratch\n", encoding="utf-8")
    cloud_project.pyproject(CLOUD_SETTINGS + 'exclude = ["notes.txt"]\n')  # changes the tree: commit it
    git(cloud_project.root, "commit", "-q", "-am", "exclude notes")
    plan = plan_target(load_reference("jobs.py:train"), offline=True)
    assert ".env" not in plan.archive.sources and "notes.txt" not in plan.archive.sources
    assert (plan.provenance.git_dirty, plan.provenance.git_diff_sha256) == (False, None)
    cloud_project.write("extra.py", "X = 1\n")  # shipped and untracked: dirty, and only it in the digest
    plan = plan_target(load_reference("jobs.py:train"), offline=True)
    assert plan.provenance.git_dirty is True
    assert plan.provenance.git_diff_sha256 == expected_digest(cloud_project.root, ["extra.py"])


def test_git_facts_are_the_source_folders_whatever_the_environment_and_run_no_monitor(
        cloud_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    top = committed(cloud_project)
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    git(other, "commit", "-q", "--allow-empty", "-m", "elsewhere")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))  # as inside a git hook of another repository
    marker = tmp_path / "monitor-ran"
    git(top, "config", "core.fsmonitor", f"touch {marker}; false")
    facts = git_facts(cloud_project.root)
    assert facts.commit == git(top, "--git-dir", str(top / ".git"), "rev-parse", "HEAD") != git(other, "rev-parse",
                                                                                                 "HEAD")
    assert not marker.exists()
