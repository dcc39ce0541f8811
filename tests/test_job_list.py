"""The job list, one JSON vocabulary, status without None, and cleaning local job folders.

Cloud jobs live in the loopback Braket service (real rest-json through boto3), local jobs are real local
runs in the project's .braketkit/jobs/, and .gitignore is checked with a real git.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest

from braketkit.execute.cloud import RetryPolicy, submit
from braketkit.job import AwsJob, LocalJob
from braketkit.model.job import JobInfo
from braketkit.pipeline import plan_target, run_target
from braketkit.target import load_reference
from braketkit.workspace import IGNORE_ALL

from .conftest import Cloud, Project, Tripwire, interruptible, run_cli

FAST = RetryPolicy(deadline=30.0, base=0.001, cap=0.01)
VOCABULARY = {field.name for field in attrs.fields(JobInfo)}
SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
DM1 = "arn:aws:braket:::device/quantum-simulator/amazon/dm1"
FORTE = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"

LOCAL_JOBS = '''
import time

from braketkit import hybrid_job


@hybrid_job()
def fine(steps: int = 2) -> dict:
    return {"steps": steps}


@hybrid_job()
def broken() -> None:
    raise ValueError("no convergence\\nafter 40 steps")


@hybrid_job()
def slow(seconds: float = 60) -> None:
    print("started", flush=True)
    time.sleep(seconds)
'''


def submitted(name: str, *assignments: str) -> str:
    """A cloud job named ``name`` (its device and the rest from ``assignments``), submitted; its ARN."""
    plan = plan_target(load_reference("jobs.py:train"), (), {}, assignments=(f"job_name={name}", *assignments))
    return submit(plan, policy=FAST, quiet=True).job_arn


@pytest.fixture
def searches(cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every SearchJobs request body the loopback service answers."""
    seen: list[dict[str, Any]] = []
    answer = cloud.braket.search_jobs

    def recording(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        seen.append(body)
        return answer(body)

    monkeypatch.setattr(cloud.braket, "search_jobs", recording)
    return seen


def listed(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, Any]]:
    """``list --json ARGV`` (stderr unchecked: a loopback server of an earlier test may still write there)."""
    code, out, err = run_cli(capsys, "list", "--json", *argv)
    assert code == 0, err
    documents: list[dict[str, Any]] = json.loads(out)
    return documents


def names(documents: list[dict[str, Any]]) -> list[str]:
    return [document["name"] for document in documents]


# -- the cloud list ------------------------------------------------------------------------------------------


def test_list_filters_by_state_device_since_and_name(cloud_project: Project, cloud: Cloud,
                                                     searches: list[dict[str, Any]],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    cloud_project.pyproject(f'[tool.braketkit]\ndevice = "sv1"\nregion = "us-east-1"\n\n'
                            f'[tool.braketkit.devices]\nforte = "{FORTE}"\n')
    arns = {name: submitted(name, *extra) for name, *extra in [
        ("vqe-a",), ("vqe-b", "device=dm1"), ("qaoa-vqe",), ("vqe-old",), ("qaoa-1", "device=dm1")]}
    cloud.braket.jobs[arns["vqe-old"]]["createdAt"] = time.time() - 3 * 86400
    AwsJob(arns["vqe-b"]).cancel()
    everything = listed(capsys)
    assert names(everything) == ["qaoa-1", "qaoa-vqe", "vqe-b", "vqe-a", "vqe-old"]  # newest first, every page

    assert names(listed(capsys, "--name", "vqe")) == ["vqe-b", "vqe-a", "vqe-old"]  # not qaoa-vqe: a prefix
    assert searches[-1]["filters"] == [{"name": "jobName", "operator": "CONTAINS", "values": ["vqe"]}]

    assert names(listed(capsys, "--device", "dm1")) == ["qaoa-1", "vqe-b"]
    assert searches[-1]["filters"] == [{"name": "deviceArn", "operator": "EQUAL", "values": [DM1]}]
    assert names(listed(capsys, "--device", SV1, "--name", "vqe")) == ["vqe-a", "vqe-old"]
    assert listed(capsys, "--device", "forte") == []  # the project's alias, expanded as settings expand it
    assert searches[-1]["filters"] == [{"name": "deviceArn", "operator": "EQUAL", "values": [FORTE]}]

    before = datetime.now(timezone.utc)
    assert names(listed(capsys, "--since", "1d")) == ["qaoa-1", "qaoa-vqe", "vqe-b", "vqe-a"]
    (condition,) = searches[-1]["filters"]
    assert (condition["name"], condition["operator"]) == ("createdAt", "GTE")
    sent = datetime.fromisoformat(condition["values"][0])
    assert timedelta(days=1) <= before - sent < timedelta(days=1, seconds=5)
    two_days_ago = (before - timedelta(days=2)).isoformat(timespec="seconds")
    assert names(listed(capsys, "--since", two_days_ago)) == names(listed(capsys, "--since", "1d"))
    four_days_ago = (before - timedelta(days=4)).date().isoformat()  # a date: local midnight
    assert len(listed(capsys, "--since", four_days_ago)) == 5

    assert names(listed(capsys, "--state", "cancelling,queued", "--name", "vqe-")) == ["vqe-b", "vqe-a", "vqe-old"]
    assert names(listed(capsys, "--state", "CANCELLING", "--state", "completed")) == ["vqe-b"]
    assert "status" not in {condition["name"] for body in searches for condition in body["filters"]}
    assert names(listed(capsys, "--limit", "2")) == ["qaoa-1", "qaoa-vqe"]

    code, out, err = run_cli(capsys, "list", "--name", "qaoa")
    assert code == 0, err
    header, *rows = out.splitlines()
    assert header.split() == ["CREATED", "STATE", "NAME", "DEVICE", "ARN"]
    assert [row.split()[2:] for row in rows] == [["QUEUED", "qaoa-1", "dm1", arns["qaoa-1"]],
                                                 ["QUEUED", "qaoa-vqe", "sv1", arns["qaoa-vqe"]]]
    code, out, err = run_cli(capsys, "list", "--name", "nothing")
    assert (code, out, err.splitlines()[-1]) == (0, "", "no jobs match")


def test_status_by_name_asks_the_service_for_that_name(cloud_project: Project, cloud: Cloud,
                                                       searches: list[dict[str, Any]],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    submitted("vqe-a")
    arn = submitted("vqe-ab")
    code, out, _ = run_cli(capsys, "status", "vqe-ab", "--json")
    assert (code, json.loads(out)["arn"]) == (0, arn)
    assert searches == [{"filters": [{"name": "jobName", "operator": "EQUAL", "values": ["vqe-ab"]}]}]


def test_a_job_by_name_is_looked_for_in_the_projects_region(cloud_project: Project, cloud: Cloud,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    arn = submitted("vqe-here")
    monkeypatch.delenv("AWS_REGION")  # only the project says us-east-1, as it did when the job was submitted
    code, out, err = run_cli(capsys, "status", "vqe-here", "--json")
    assert (code, json.loads(out)["arn"]) == (0, arn), err
    assert names(listed(capsys, "--name", "vqe-here")) == ["vqe-here"]
    cloud_project.pyproject("[tool.braketkit]\ndevice = 'arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1'\n")
    assert run_cli(capsys, "status", "vqe-here")[0] == 0  # a QPU's ARN names the region too


# -- one vocabulary --------------------------------------------------------------------------------------------


def test_run_status_and_list_speak_one_vocabulary_for_a_cloud_job(cloud_project: Project, cloud: Cloud,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", "jobs.py:train", "--json")
    assert code == 0, err
    submitted_document = json.loads(out)
    assert set(submitted_document) <= VOCABULARY
    arn = submitted_document["arn"]
    AwsJob(arn, poll=0.01).wait(display=None)
    code, out, _ = run_cli(capsys, "status", arn, "--json")
    status = json.loads(out)
    assert code == 0 and set(status) == {"name", "arn", "state", "device", "created", "started", "ended", "region",
                                         "console"}
    assert listed(capsys) == [status]  # the same keys, the same values
    assert submitted_document["queue_position"] == "2"  # it was queued then; the rest has not changed since
    changing = {"state", "queue", "queue_position"}
    assert {key: status[key] for key in submitted_document if key not in changing} == {
        key: value for key, value in submitted_document.items() if key not in changing}
    for moment in ("created", "started", "ended"):
        assert status[moment].endswith("+00:00") and datetime.fromisoformat(status[moment]).tzinfo is not None
    assert status["device"] == SV1 and status["region"] == "us-east-1" and status["state"] == "COMPLETED"


def test_run_status_and_list_speak_one_vocabulary_for_a_local_job(cloud_project: Project,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "run", "jobs.py:broken", "--local", "--json")
    assert code == 1
    run = json.loads(out)
    code, out, _ = run_cli(capsys, "status", run["name"], "--json")
    status = json.loads(out)
    assert status == run and set(status) == {"name", "state", "device", "created", "started", "ended", "folder",
                                             "failure_reason"}
    assert listed(capsys, "--local") == [status]
    assert status["failure_reason"].startswith("ValueError: no convergence\n")
    code, out, _ = run_cli(capsys, "run", "jobs.py:train", "--local", "--json")
    completed = json.loads(out)
    assert code == 0 and completed["result"] == {"value": -1.5, "steps": 3}
    del completed["result"]
    assert listed(capsys, "--local", "--state", "completed") == [completed]
    assert set(completed) <= VOCABULARY


# -- status never shows None ---------------------------------------------------------------------------------


@pytest.fixture
def no_position(cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> None:
    """GetJob answers as the service does when it has no position: the string "None" (the Braket SDK maps it)."""
    answer = cloud.braket.get_job

    def without_position(arn: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        status, job = answer(arn, query)
        if "QueueInfo" in query.get("additionalAttributeNames", []):
            queued = job["status"] == "QUEUED"
            job["queueInfo"] = {"queue": "JOBS_QUEUE", "position": "None"} | (
                {} if queued else {"message": f"Job is in {job['status']} status. AmazonBraket does not show queue "
                                              "position for this status."})
        return status, job

    monkeypatch.setattr(cloud.braket, "get_job", without_position)


def test_a_queued_job_without_a_position_shows_none_of_it(cloud_project: Project, cloud: Cloud, no_position: None,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    arn = submitted("vqe-queued")
    code, out, err = run_cli(capsys, "status", arn)  # each GetJob moves the job on: this one finds it queued
    assert code == 0, err
    assert out.splitlines()[0] == "vqe-queued: QUEUED, in the JOBS_QUEUE queue"
    assert [line.split(":")[0].strip() for line in out.splitlines()[1:]] == ["arn", "device", "created", "region",
                                                                             "console"]
    assert "None" not in out
    code, out, _ = run_cli(capsys, "status", submitted("vqe-queued-too"), "--json")
    document = json.loads(out)
    assert (document["state"], document["queue"]) == ("QUEUED", "JOBS_QUEUE") and "queue_position" not in document
    assert "None" not in out and None not in document.values()
    html = AwsJob(submitted("vqe-in-a-notebook"))._repr_html_()
    assert "in the JOBS_QUEUE queue" in html and "position" not in html and "None" not in html
    display = io.StringIO()
    AwsJob(submitted("vqe-waiting"), poll=0.01).wait(display=display)
    assert display.getvalue().splitlines() == ["vqe-waiting: QUEUED, in the JOBS_QUEUE queue", "vqe-waiting: RUNNING",
                                               "vqe-waiting: COMPLETED"]
    job = AwsJob(arn, poll=0.01)
    job.wait(display=None)
    code, out, _ = run_cli(capsys, "status", arn)
    assert out.splitlines()[0] == "vqe-queued: COMPLETED"  # the service's message about no position: not shown
    assert "None" not in out and "JOBS_QUEUE" not in out and "position" not in out


def test_a_local_job_shows_device_times_and_the_first_line_of_its_failure(cloud_project: Project,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "run", "jobs.py:broken", "--local", "--json")
    name = json.loads(out)["name"]
    code, out, err = run_cli(capsys, "status", name)
    assert (code, err) == (0, "")
    first, *rest = out.splitlines()
    assert first == f"{name}: FAILED"
    fields = dict(line.strip().split(": ", 1) for line in rest)
    assert list(fields) == ["device", "created", "ended", "folder", "reason"]
    assert fields["device"].strip() == SV1
    assert fields["reason"].strip() == "ValueError: no convergence …"
    created = datetime.strptime(fields["created"].strip()[:19], "%Y-%m-%d %H:%M:%S")
    assert abs(created - datetime.now()) < timedelta(minutes=5)  # this machine's time, as people read it
    assert "None" not in out


# -- the local list --------------------------------------------------------------------------------------------


@pytest.fixture
def local_project(project: Project) -> Project:
    project.pyproject('[tool.braketkit]\ndevice = "local"\nregion = "us-east-1"\n')
    project.write("jobs.py", LOCAL_JOBS)
    sys.path.insert(0, str(project.root))  # restored after each test
    return project


def run_local(ref: str, **arguments: Any) -> LocalJob:
    try:
        job = run_target(load_reference(ref), (), arguments, local=True, echo=False)
    except Exception as error:  # a failing job raises nothing here; anything else is a broken test
        raise AssertionError(error) from error
    assert isinstance(job, LocalJob)
    return job


def backdate(job: LocalJob, days: float) -> None:
    """Make the job look as if it had started and ended ``days`` ago."""
    record = json.loads((job.folder / "job.json").read_text())
    moment = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")
    record |= {"started_at": moment, "ended_at": moment}
    (job.folder / "job.json").write_text(json.dumps(record))


def test_list_local_filters_alike_and_asks_aws_nothing(local_project: Project, tripwire: Tripwire,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    fine, broken, old = run_local("jobs.py:fine"), run_local("jobs.py:broken"), run_local("jobs.py:fine", steps=3)
    backdate(fine, 1)
    backdate(old, 10)
    assert names(listed(capsys, "--local")) == [broken.name, fine.name, old.name]
    assert names(listed(capsys, "--local", "--state", "failed")) == [broken.name]
    assert names(listed(capsys, "--local", "--since", "7d")) == [broken.name, fine.name]
    assert names(listed(capsys, "--local", "--name", "fine-")) == [fine.name, old.name]
    assert names(listed(capsys, "--local", "--device", "local", "--limit", "1")) == [broken.name]
    assert listed(capsys, "--local", "--device", "sv1") == []
    (local_project.root / ".braketkit" / "jobs" / "not-a-job").mkdir()
    subfolder = local_project.root / "analysis"
    subfolder.mkdir()
    os.chdir(subfolder)  # the project's jobs, from anywhere in the project
    code, out, err = run_cli(capsys, "list", "--local")
    assert code == 0 and [row.split()[3] for row in out.splitlines()[1:]] == [broken.name, fine.name, old.name]
    assert out.splitlines()[0].split() == ["CREATED", "STATE", "NAME", "DEVICE"]
    assert err == (f"note: skipped {local_project.root}/.braketkit/jobs/not-a-job: its job.json cannot be read "
                   "(No such file or directory)\n")
    code, out, err = run_cli(capsys, "status", fine.name)
    assert (code, out.splitlines()[0]) == (0, f"{fine.name}: COMPLETED")
    assert tripwire.requests == []


# -- clean -------------------------------------------------------------------------------------------------------


def test_clean_removes_what_ended_long_ago_and_says_so(local_project: Project, tripwire: Tripwire,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    old, recent, older = run_local("jobs.py:fine"), run_local("jobs.py:broken"), run_local("jobs.py:fine", steps=3)
    backdate(old, 8)
    backdate(older, 30)
    sizes = {job.name: sum(path.lstat().st_size for path in job.folder.rglob("*") if not path.is_dir())
             for job in (old, older)}
    code, out, err = run_cli(capsys, "clean", "--older-than", "7d", "--dry-run")
    assert (code, err) == (0, "")
    assert [line.split()[:3] for line in out.splitlines()[:2]] == [
        ["would", "remove", "job"], ["would", "remove", "job"]]
    assert out.splitlines()[2:] == ["kept 1 job that ended less than 7d ago",
                                    f"would free {sum(sizes.values()) / 1000:.1f} kB"]
    assert old.folder.is_dir() and older.folder.is_dir()
    code, out, err = run_cli(capsys, "clean", "--older-than", "7d", "--json")
    report = json.loads(out)
    assert (code, err) == (0, "")
    assert [(removal["kind"], removal["name"], removal["bytes"]) for removal in report["removed"]] == [
        ("job", name, sizes[name]) for name in sorted(sizes)]
    assert report["bytes_freed"] == sum(sizes.values()) and report["kept_recent"] == 1
    assert (report["dry_run"], report["running"], report["skipped"], report["failed"]) == (False, [], [], [])
    assert not old.folder.exists() and not older.folder.exists() and recent.folder.is_dir()
    assert sorted(path.name for path in recent.folder.parent.iterdir()) == [recent.name]  # nothing hidden left
    plans = local_project.root / ".braketkit" / "plans"  # the digests of their planned records went with them
    assert sorted(path.name for path in plans.iterdir()) == [f"{recent.name}.sha256"]
    code, out, _ = run_cli(capsys, "clean", "--older-than", "7d")
    assert (code, out) == (0, "kept 1 job that ended less than 7d ago\n"
                              "nothing was removed: nothing ended more than 7d ago\n")
    assert tripwire.requests == []


def test_clean_reports_in_words(local_project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    job = run_local("jobs.py:fine")
    backdate(job, 2)
    size = sum(path.lstat().st_size for path in job.folder.rglob("*") if not path.is_dir())
    ended = datetime.fromisoformat(json.loads((job.folder / "job.json").read_text())["ended_at"])
    code, out, _ = run_cli(capsys, "clean", "--older-than", "1d")
    assert (code, out) == (0, f"removed job .braketkit/jobs/{job.name}  (ended {ended.astimezone():%Y-%m-%d %H:%M}, "
                              f"{size / 1000:.1f} kB)\nfreed {size / 1000:.1f} kB\n")


def test_clean_never_removes_a_running_job(local_project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    runner = subprocess.Popen([sys.executable, "-m", "braketkit", "run", "jobs.py:slow", "--local"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ),
                              preexec_fn=interruptible)
    try:
        assert runner.stdout is not None and runner.stdout.readline() == "started\n"
        (folder,) = (local_project.root / ".braketkit" / "jobs").iterdir()
        record = json.loads((folder / "job.json").read_text())
        record["started_at"] = "2000-01-01T00:00:00+00:00"  # however long it has been running
        (folder / "job.json").write_text(json.dumps(record))
        code, out, _ = run_cli(capsys, "clean", "--older-than", "0")
        assert (code, out) == (0, f"kept 1 running job: {folder.name}\nnothing was removed: nothing ended more "
                                  "than 0 ago\n")
        assert (folder / "job.json").is_file()
    finally:
        runner.send_signal(signal.SIGTERM)
        runner.communicate(timeout=30)
    assert json.loads((folder / "job.json").read_text())["state"] == "CANCELLED"
    code, out, _ = run_cli(capsys, "clean", "--older-than", "0", "--json")
    assert [removal["name"] for removal in json.loads(out)["removed"]] == [folder.name]
    assert not folder.exists()


def test_clean_skips_what_it_cannot_judge_and_follows_no_link(local_project: Project, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    jobs = local_project.root / ".braketkit" / "jobs"
    damaged = run_local("jobs.py:fine")
    (damaged.folder / "job.json").write_text("{not json")
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "data.txt").write_text("keep me")
    (jobs / "linked").symlink_to(outside)
    leftover = jobs / ".removing-train-1-4242"  # a removal cut short
    (leftover / "model").mkdir(parents=True)
    (leftover / "model" / "results.json").write_text("{}")
    code, out, _ = run_cli(capsys, "clean", "--older-than", "0", "--json")
    report = json.loads(out)
    assert code == 0
    assert [(removal["name"], removal["bytes"]) for removal in report["removed"]] == [(leftover.name, 2)]
    assert [(Path(left["path"]).name, left["reason"]) for left in report["skipped"]] == [
        (damaged.name, "its job.json cannot be read (JSONDecodeError: Expecting property name enclosed in double "
                       "quotes: line 1 column 2 (char 1))"),
        ("linked", "a link, not a job folder braketkit made")]
    assert (outside / "data.txt").read_text() == "keep me" and (jobs / "linked").is_symlink()
    assert damaged.folder.is_dir() and not leftover.exists()


def test_clean_archives_only_when_asked(local_project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    run_local("jobs.py:fine")
    archives = local_project.root / ".braketkit" / "archives"
    (current,) = archives.glob("*.tar.gz")
    stale = archives / ("0" * 64 + ".tar.gz")
    shutil.copyfile(current, stale)
    month_ago = time.time() - 30 * 86400
    os.utime(stale, (month_ago, month_ago))
    code, out, _ = run_cli(capsys, "clean", "--older-than", "7d", "--json")
    assert (code, json.loads(out)["removed"]) == (0, [])
    code, out, _ = run_cli(capsys, "clean", "--older-than", "7d", "--archives", "--json")
    (removal,) = json.loads(out)["removed"]
    assert (removal["kind"], removal["name"], removal["bytes"]) == ("archive", stale.name, current.stat().st_size)
    assert datetime.fromisoformat(removal["last_used"]).timestamp() == pytest.approx(month_ago, abs=1)
    assert not stale.exists() and current.is_file()


# -- .braketkit/ stays out of git -----------------------------------------------------------------------------


def git(project: Project, *argv: str) -> str:
    done = subprocess.run(["git", *argv], cwd=project.root, capture_output=True, text=True, check=True,
                          env=dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_SYSTEM=os.devnull))
    return done.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_braketkit_folder_never_shows_in_git_status(local_project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    git(local_project, "init", "--quiet")
    code, _, _ = run_cli(capsys, "plan", "jobs.py:fine", "--offline")  # the archive cache alone
    assert code == 0 and (local_project.root / ".braketkit" / "archives").is_dir()
    assert (local_project.root / ".braketkit" / ".gitignore").read_text() == IGNORE_ALL
    assert git(local_project, "status", "--porcelain", "--untracked-files=all").splitlines() == [
        "?? jobs.py", "?? pyproject.toml"]
    shutil.rmtree(local_project.root / ".braketkit")
    run_local("jobs.py:fine")  # a local run makes .braketkit/ again, with its .gitignore
    assert git(local_project, "status", "--porcelain", "--untracked-files=all").splitlines() == [
        "?? jobs.py", "?? pyproject.toml"]
    git(local_project, "add", "--all")
    assert git(local_project, "diff", "--cached", "--name-only").splitlines() == ["jobs.py", "pyproject.toml"]


def test_a_gitignore_of_the_users_own_is_kept(local_project: Project) -> None:
    folder = local_project.root / ".braketkit"
    folder.mkdir()
    (folder / ".gitignore").write_text("jobs/\n")
    run_local("jobs.py:fine")
    assert (folder / ".gitignore").read_text() == "jobs/\n"


def test_a_time_without_a_zone_is_this_machines_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """One grammar for `list --since` and `limits --from/--until`: local time unless a zone is written."""
    from braketkit.converter import parse_moment

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert parse_moment("2026-06-01T09:30").astimezone(timezone.utc) == datetime(2026, 6, 1, 0, 30,
                                                                                      tzinfo=timezone.utc)
        assert parse_moment("2026-06-01T09:30Z") == datetime(2026, 6, 1, 9, 30, tzinfo=timezone.utc)
        assert parse_moment("2026-06-30", end_of_day=True).astimezone(timezone.utc) == datetime(
            2026, 6, 30, 15, 0, tzinfo=timezone.utc)  # the end of June 30 in Tokyo
        for wrong in ("2026-6-1", "2026-06-01T9:30", "June 1", "2026-06-01T09:30:00.1234"):
            with pytest.raises(ValueError, match="local time unless"):
                parse_moment(wrong)
        for beyond in ("0001-01-01", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00+01:00"):
            with pytest.raises(OverflowError, match="beyond the years 1 to 9999"):
                parse_moment(beyond)  # Tokyo's first day of year 1 starts in year 0 in UTC
        with pytest.raises(OverflowError, match="beyond the year 9999"):
            parse_moment("9999-12-31", end_of_day=True)
        with pytest.raises(ValueError, match="local time unless"):
            parse_moment("٢٠٢٦-٠٦-٠١")  # digits, but not ASCII ones
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
