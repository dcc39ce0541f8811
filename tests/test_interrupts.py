"""Interruptions, with real processes and real signals: every local run ends in a final state with its
log written (a failed preparation, SIGTERM, SIGHUP, Ctrl-C twice, a runner killed outright), and
Ctrl-C while submitting to the cloud says whether the job may exist and how to find it."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from braketkit.errors import SubmissionInterrupted
from braketkit.execute.cloud import RetryPolicy, submit
from braketkit.execute.record import RUNNER_ENDED, settle, with_this_runner, write_record
from braketkit.job import LocalJob
from braketkit.model.job import LocalJobRecord

from .conftest import Cloud, Project, run_cli
from .s3_gate import Seen
from .test_cloud import plan_of

SETTINGS = '''
[tool.braketkit]
device = "local"
'''

JOBS = '''
import os
import signal
import time

from braketkit import hybrid_job


@hybrid_job()
def slow(seconds: float = 30.0) -> None:
    print(f"started {os.getpid()}", flush=True)
    time.sleep(seconds)
    print("finished", flush=True)


@hybrid_job()
def stubborn(seconds: float = 30.0) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C does not stop it: braketkit must
    print(f"started {os.getpid()}", flush=True)
    time.sleep(seconds)
'''

BOUND = 30  # seconds any single process of these tests may take


def _default_signals() -> None:
    """For ``preexec_fn``: SIGINT, SIGTERM and SIGHUP at their defaults, however the tests were started."""
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _nohup() -> None:
    _default_signals()
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


@pytest.fixture
def local_project(project: Project) -> Project:
    project.pyproject(SETTINGS)
    project.write("jobs.py", JOBS)
    sys.path.insert(0, str(project.root))
    return project


def _start(*argv: str, preexec: object = _default_signals) -> tuple[subprocess.Popen[str], int]:
    """``braketkit ARGV`` in a process of its own, once its job has printed its pid; the job's pid."""
    process = subprocess.Popen([sys.executable, "-m", "braketkit", *argv], stdout=subprocess.PIPE,  # type: ignore[call-overload]
                               stderr=subprocess.PIPE, text=True, env=dict(os.environ), preexec_fn=preexec)  # type: ignore[arg-type]
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("started "), (line, process.communicate(timeout=BOUND))
    return process, int(line.split()[1])


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rfind(")") + 2] == "Z"


def _only_job(project: Project) -> LocalJob:
    [folder] = (project.root / ".braketkit" / "jobs").iterdir()
    return LocalJob(folder)


# -- preparation ------------------------------------------------------------------------------------------


def test_a_missing_checkpoint_source_is_refused_before_any_job_exists(local_project: Project,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "run", "jobs.py:slow", "--local", "--set", "checkpoint.copy_from_job=nope")
    assert (code, err) == (2, "error: checkpoint.copy_from_job: no local job 'nope' with checkpoints in "
                              ".braketkit/jobs\n")
    assert not (local_project.root / ".braketkit" / "jobs").exists()


def test_s3_inputs_without_credentials_are_refused_before_any_job_exists(local_project: Project,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    local_project.pyproject(SETTINGS + '\n[tool.braketkit.input]\ntrain = "s3://shared/a/"\nmore = "s3://shared/b/"\n')
    code, _, err = run_cli(capsys, "run", "jobs.py:slow", "--local")
    assert code == 2
    assert err == ("error: 2 problems:\n"
                   "  - pyproject.toml:9: input.more: s3://shared/b/ is on S3; a local run downloads it with your "
                   "AWS credentials, and none were found (or use a local path)\n"
                   "  - pyproject.toml:8: input.train: s3://shared/a/ is on S3; a local run downloads it with your "
                   "AWS credentials, and none were found (or use a local path)\n")
    assert not (local_project.root / ".braketkit" / "jobs").exists()


def test_a_preparation_that_fails_records_failed_with_its_reason(local_project: Project, aws: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    local_project.pyproject(SETTINGS + '\n[tool.braketkit.input]\ntrain = "s3://no-such-bucket/sets/"\n')
    code, _, err = run_cli(capsys, "run", "jobs.py:slow", "--local")
    assert code == 1
    assert err.startswith("error: cannot download s3://no-such-bucket/sets/ for the local run: An error occurred "
                          "(NoSuchBucket)"), err
    job = _only_job(local_project)
    assert job.state() == "FAILED" and job.metadata().ended_at is not None
    reason = job.failure_reason()
    assert reason is not None and reason == err.removeprefix("error: ").rstrip("\n")
    assert list(job.logs())[-1] == f"[braketkit] the job failed: {reason}"


# -- signals ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_end_the_job_and_record_cancelled(local_project: Project, number: int) -> None:
    process, child = _start("run", "jobs.py:slow", "--local")
    started = time.monotonic()
    process.send_signal(number)
    process.communicate(timeout=BOUND)
    assert time.monotonic() - started < 10
    assert process.returncode == -number  # the signal goes on: the process ends by it, as it would have
    assert _gone(child)
    job = _only_job(local_project)
    assert job.state() == "CANCELLED"
    assert job.metadata().exit_code is not None and job.metadata().ended_at is not None
    assert list(job.logs()) == [f"started {child}", f"[braketkit] cancelled by {signal.Signals(number).name}"]


def test_an_ignored_sighup_stays_ignored(local_project: Project) -> None:
    process, _ = _start("run", "jobs.py:slow", "--local", "--seconds", "1.5", preexec=_nohup)
    process.send_signal(signal.SIGHUP)
    out, err = process.communicate(timeout=BOUND)
    assert process.returncode == 0, err
    assert "finished" in out
    assert _only_job(local_project).state() == "COMPLETED"


def test_ctrl_c_twice_still_records_cancelled(local_project: Project) -> None:
    process, child = _start("run", "jobs.py:stubborn", "--local")
    process.send_signal(signal.SIGINT)
    time.sleep(0.5)  # braketkit is waiting for the job, which ignores SIGINT, to end
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=BOUND)
    assert process.returncode == 1, err
    assert "was cancelled" in err and "Traceback" not in err
    assert _gone(child)
    job = _only_job(local_project)
    assert job.state() == "CANCELLED"
    assert list(job.logs())[-1] == "[braketkit] cancelled by Ctrl-C"


# -- a runner killed outright -------------------------------------------------------------------------------


def test_a_runner_killed_outright_reads_failed_and_result_does_not_wait(local_project: Project) -> None:
    process, child = _start("run", "jobs.py:slow", "--local")
    try:
        process.kill()
        process.communicate(timeout=BOUND)  # reaped, as a shell would
        job = _only_job(local_project)
        assert json.loads((job.folder / "job.json").read_text())["state"] == "RUNNING"
        done = subprocess.run([sys.executable, "-m", "braketkit", "result", job.name], capture_output=True,
                              text=True, timeout=BOUND, env=dict(os.environ))
        assert done.returncode == 1
        assert done.stderr == (f"error: job {job.name} failed\nfailure reason:\n{RUNNER_ENDED}\n"
                               f"last lines of its log:\nstarted {child}\n[braketkit] {RUNNER_ENDED}\n")
        assert job.wait(timeout=5) == "FAILED"
        assert job.metadata().state == "FAILED"  # recorded, so every later reader agrees
        assert job.failure_reason() == RUNNER_ENDED
    finally:
        if not _gone(child):  # the job's process outlives its runner; the test started it, the test ends it
            os.kill(child, signal.SIGKILL)


def _record(folder: Path, **fields: object) -> LocalJobRecord:
    folder.mkdir()
    record = attrs.evolve(with_this_runner(LocalJobRecord(
        name=folder.name, state="RUNNING", device="local:braket/braket_sv", entry="m:f",
        started_at="2026-11-27T00:00:00+00:00")), **fields)  # type: ignore[arg-type]
    write_record(folder, record)
    (folder / "log.txt").write_text("half a line")
    return record


def test_a_live_runner_or_one_that_cannot_be_told_stays_running(tmp_path: Path) -> None:
    cases = {
        "live": {},
        "older-record": {"runner_pid": None, "runner_started": None, "runner_host": None},
        "another-host": {"runner_pid": 2 ** 22 + 1, "runner_host": "elsewhere"},
    }
    for name, fields in cases.items():
        record = _record(tmp_path / name, **fields)  # type: ignore[arg-type]
        assert settle(tmp_path / name, record).state == "RUNNING", name
        assert LocalJob(tmp_path / name).state() == "RUNNING", name
        assert not (tmp_path / name / "output").exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="start times are read from /proc")
def test_a_pid_taken_by_a_later_process_or_a_zombie_is_no_runner(tmp_path: Path) -> None:
    reused = _record(tmp_path / "reused", runner_started="another-boot/1")
    assert LocalJob(tmp_path / "reused").state() == "FAILED"
    assert settle(tmp_path / "reused", reused).state == "FAILED"  # already recorded: nothing added twice
    assert (tmp_path / "reused" / "log.txt").read_text() == f"half a line\n[braketkit] {RUNNER_ENDED}\n"
    assert (tmp_path / "reused" / "output" / "failure").read_text() == RUNNER_ENDED
    _record(tmp_path / "orphan", runner_started="another-boot/1")  # its job printed once its runner had died
    (tmp_path / "orphan" / "output").mkdir()
    (tmp_path / "orphan" / "output" / "failure").write_text("BrokenPipeError: [Errno 32] Broken pipe")
    assert LocalJob(tmp_path / "orphan").failure_reason() == "BrokenPipeError: [Errno 32] Broken pipe"
    assert LocalJob(tmp_path / "orphan").state() == "FAILED"
    assert LocalJob(tmp_path / "orphan").failure_reason() == f"{RUNNER_ENDED}\nBrokenPipeError: [Errno 32] Broken pipe"
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        started = Path(f"/proc/{zombie.pid}/stat").read_text()
        start = started[started.rfind(")") + 2:].split()[19]
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        _record(tmp_path / "zombie", runner_pid=zombie.pid, runner_started=f"{boot}/{start}")
        deadline = time.monotonic() + BOUND
        while Path(f"/proc/{zombie.pid}/stat").read_text().split(") ")[1][0] != "Z":  # ended, not reaped
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert LocalJob(tmp_path / "zombie").state() == "FAILED"
    finally:
        zombie.wait()


# -- Ctrl-C while submitting to the cloud ---------------------------------------------------------------------


def _submitting(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "braketkit", "run", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ), preexec_fn=_default_signals)


def _until(condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_ctrl_c_after_a_dropped_reply_says_the_job_may_exist_and_how_to_find_it(
        cloud_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    cloud.braket.faults["CreateJob"].extend(["drop_after_create", "slow_after_create"])
    cloud.braket.slow_seconds = 5.0  # the second answer is slow: Ctrl-C comes while waiting for it
    process = _submitting("jobs.py:train")
    _until(lambda: cloud.braket.calls.count("CreateJob") == 2, process)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=BOUND)
    assert process.returncode == 130, err
    assert out == ""
    [(token, (_, arn))] = cloud.braket.tokens.items()
    name = cloud.braket.jobs[arn]["jobName"]
    lines = err.splitlines()
    assert re.fullmatch(r"CreateJob attempt 1 failed \(ConnectionClosedError: Connection was closed before we "
                        r"received a valid response from endpoint URL: \"http://127\.0\.0\.1:\d+/job\"\.\); "
                        r"next try in \d+\.\d s, at \d\d:\d\d:\d\d", lines[0]), lines[0]
    assert lines[1:] == ["", (
        f"interrupted while submitting job {name}: CreateJob was sent (2 times) without a clear answer, so the job "
        f"may exist. Find it with `braketkit status {name} --region us-east-1` or `braketkit list --region "
        f"us-east-1 --since 1h` before running it again (client token {token}; submitting the same plan again "
        "reuses it and cannot create a second job).")]
    assert "Traceback" not in err and "aborted" not in err
    code, found, _ = run_cli(capsys, "status", name, "--region", "us-east-1")  # the command it names finds it
    assert (code, found.splitlines()[0]) == (0, f"{name}: QUEUED, position 2 in the JOBS_QUEUE queue")
    code, listed, _ = run_cli(capsys, "list", "--region", "us-east-1", "--since", "1h")
    assert code == 0 and arn in listed


def test_ctrl_c_while_uploading_says_no_job_was_created(cloud_project: Project, cloud: Cloud) -> None:
    uploading = threading.Event()

    def slow_archive(seen: Seen) -> int | None:
        if seen.method == "PUT" and "/sources/" in seen.path:
            uploading.set()
            time.sleep(2)  # the upload goes on while Ctrl-C arrives
        return None

    cloud.gate.faults.append(slow_archive)
    process = _submitting("jobs.py:train")
    _until(uploading.is_set, process)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=BOUND)
    assert process.returncode == 130, err
    [message] = [line for line in err.splitlines() if line]
    assert re.fullmatch(r"interrupted while submitting job train-[\w-]+: no job was created \(CreateJob was not "
                        r"sent\)\.", message), message
    assert "CreateJob" not in cloud.braket.calls


def test_ctrl_c_between_refused_attempts_says_no_job_was_created(cloud_project: Project, cloud: Cloud) -> None:
    cloud.braket.faults["CreateJob"].extend(["throttle"] * 3)

    def ctrl_c(seconds: float) -> None:  # a real SIGINT to this process, while it waits for the next try
        if cloud.braket.calls.count("CreateJob") == 2:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(BOUND)  # pragma: no cover - interrupted

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # even if the tests run with it ignored
    try:
        plan = plan_of("jobs.py:train")
        with pytest.raises(SubmissionInterrupted) as caught:
            submit(plan, policy=RetryPolicy(base=0.001, cap=0.001, sleep=ctrl_c), quiet=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert isinstance(caught.value, KeyboardInterrupt)  # a loop of submissions stops too
    assert (caught.value.may_exist, caught.value.attempts) == (False, 2)
    assert str(caught.value) == (f"interrupted while submitting job {plan.request.job_name}: no job was created "
                                 "(CreateJob was refused each of the 2 times it was sent).")
    assert cloud.braket.jobs == {}


def test_retries_show_on_stderr_a_line_each(cloud_project: Project, cloud: Cloud,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    cloud.braket.faults["CreateJob"].extend(["throttle", "error500"])
    submit(plan_of("jobs.py:train"), policy=RetryPolicy(base=0.001, cap=0.001), quiet=True)
    assert capsys.readouterr().err == ""  # quiet: nothing
    cloud.braket.faults["CreateJob"].extend(["throttle", "error500"])
    submit(plan_of("jobs.py:train"), policy=RetryPolicy(base=0.001, cap=0.001))
    lines = capsys.readouterr().err.splitlines()
    pattern = r"CreateJob attempt {} failed \({}\); next try in 0\.0 s, at \d\d:\d\d:\d\d"
    assert re.fullmatch(pattern.format(1, "ThrottlingException: Rate exceeded"), lines[0]), lines
    assert re.fullmatch(pattern.format(2, "InternalServiceException: an internal error"), lines[1]), lines
    assert lines[2:] == ["CreateJob answered on attempt 3, after 0 s of retries"]


def test_retries_show_on_a_terminal_as_one_redrawn_line(cloud_project: Project, cloud: Cloud,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    cloud.braket.faults["CreateJob"].extend(["throttle", "throttle"])
    submit(plan_of("jobs.py:train"), policy=RetryPolicy(base=0.001, cap=0.001))
    text = screen.getvalue().partition("CreateJob")[2]  # after the upload's progress line
    assert text.count("\n") == 1 and text.endswith("\n")
    frames = ("\rCreateJob" + text).removesuffix("\n").split("\r")[1:]
    assert [frame.removesuffix("\x1b[K")[:26] for frame in frames] == [
        "CreateJob attempt 1 failed", "CreateJob attempt 2 failed", "CreateJob answered on atte"]
    assert all(frame.endswith("\x1b[K") and len(frame) <= 79 + 3 for frame in frames)
