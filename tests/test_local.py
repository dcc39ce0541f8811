"""Local runs: the same archive and runtime as the cloud, in .braketkit/jobs/<name>/, no AWS."""

from __future__ import annotations

import inspect
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from braketkit import InvalidInput
from braketkit.errors import JobFailed, LocalRunError, PickledResults
from braketkit.job import LocalJob
from braketkit.pipeline import run_target
from braketkit.target import load_reference

from .conftest import Project, Tripwire, interruptible, run_cli

SETTINGS = '''
[tool.braketkit]
device = "local"
hyperparameters = { lr = 0.1 }
dependencies = ["qiskit-nature>=0.7"]

[tool.braketkit.input]
train = "data"
'''

JOBS = '''
from __future__ import annotations

import dataclasses
import functools
import os
import time

import attrs

from braketkit import hybrid_job


@attrs.define
class Ansatz:
    layers: int


@dataclasses.dataclass
class Point:
    x: float
    y: float


@hybrid_job()
def inspect_job(ansatz: Ansatz, point: Point = Point(0, 0)) -> dict:
    from braket.jobs import (get_checkpoint_dir, get_hyperparameters, get_input_data_dir, get_job_device_arn,
                             get_job_name, get_results_dir)
    print("hello from the job")
    return {
        "types": [type(ansatz).__name__, type(point).__name__], "layers": ansatz.layers, "x": point.x,
        "job_name": get_job_name(), "device": get_job_device_arn(), "input": get_input_data_dir("train"),
        "results": get_results_dir(), "checkpoints": get_checkpoint_dir(), "lr": get_hyperparameters()["lr"],
        "files": sorted(os.listdir(get_input_data_dir("train"))), "cwd": os.getcwd(),
        "env": {k: v for k, v in os.environ.items() if k.startswith("AMZN_BRAKET_")},
    }


@hybrid_job  # bare: the job-side stand-in hands back the function itself
def pair() -> tuple[int, Point]:
    return (3, Point(1.5, 2.0))


pair_again = pair.options(job_name="pair-again")  # at the top level: the job runs it when it imports the module


def tagged(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return ["tagged", function(*args, **kwargs)]
    return wrapper


@hybrid_job()
@tagged  # the user's own decorator, under ours: the job runs what the module holds, the wrapper
def wrapped(n: int = 1) -> int:
    return n


@hybrid_job()
def fails() -> None:
    print("about to fail")
    raise RuntimeError("the device was unreachable")


@hybrid_job()
def unstorable() -> set[int]:
    return {1, 2}


@hybrid_job(result_format="pickled_v4")
def pickled() -> complex:
    return 1 + 2j


@hybrid_job()
def needs_qiskit_nature() -> None:
    import qiskit_nature  # noqa: F401 - not installed in the test environment


@hybrid_job()
def slow(seconds: float = 30.0) -> None:
    print("started", flush=True)
    time.sleep(seconds)


@hybrid_job()
def two_lines() -> None:
    print("first", flush=True)
    time.sleep(0.6)
    print("second", flush=True)
'''

SDK_SCRIPT = '''
def main():
    from braket.jobs import get_hyperparameters, get_job_name, save_job_result
    print("running", get_job_name())
    save_job_result({"lr_seen": get_hyperparameters()["lr"]})
'''


@pytest.fixture
def local_project(project: Project) -> Project:
    project.pyproject(SETTINGS)
    project.write("jobs.py", JOBS)
    project.write("sdk_script.py", SDK_SCRIPT)
    project.write("data/a.csv", "1,2\n")
    project.write("data/deep/b.csv", "3,4\n")
    sys.path.insert(0, str(project.root))  # restored after each test
    return project


def run(ref: str, *args: Any, **kwargs: Any) -> LocalJob:
    options = {k: kwargs.pop(k) for k in ("assignments", "profile") if k in kwargs}
    return run_target(load_reference(ref), args, kwargs, local=True, echo=False, **options)  # type: ignore[return-value]


def test_the_job_sees_the_container_contract_inside_its_folder(local_project: Project, tripwire: Tripwire) -> None:
    from jobs import Ansatz  # type: ignore[import-not-found]

    job = run("jobs.py:inspect_job", Ansatz(layers=3))
    folder = local_project.root / ".braketkit" / "jobs" / job.name
    assert job.folder == folder and job.state() == "COMPLETED"
    value = job.result()
    assert value["types"] == ["Ansatz", "Point"] and value["layers"] == 3 and value["x"] == 0
    assert value["job_name"] == job.name
    assert value["device"] == "local:braket/braket_sv"
    assert value["input"] == str(folder / "input" / "data" / "train")
    assert value["files"] == ["a.csv", "deep"]
    assert value["results"] == str(folder / "model")
    assert value["checkpoints"] == str(folder / "checkpoints")
    assert value["lr"] == "0.1"
    assert value["cwd"] == str(folder / "code")
    assert value["env"]["AMZN_BRAKET_SCRIPT_ENTRY_POINT"] == "braketkit_job:inspect_job"  # as a job of the SDK's
    assert json.loads((folder / "input" / "config" / "hyperparameters.json").read_text()) == {
        "lr": "0.1", "ansatz": "Ansatz{layers=3}", "point": "Point{x=0, y=0}"}  # as the Braket SDK's decorator does
    assert (folder / "code" / "requirements.txt").read_text() == "qiskit-nature>=0.7\n"
    assert "hello from the job" in "\n".join(job.logs())
    assert job.metadata().exit_code == 0
    assert tripwire.requests == []


def test_results_are_read_by_the_braket_sdk(local_project: Project) -> None:
    from braket.jobs.data_persistence import load_job_result
    from jobs import Ansatz  # type: ignore[import-not-found]

    job = run("jobs.py:inspect_job", Ansatz(layers=1))
    assert load_job_result(job.folder / "model" / "results.json") == job.result()


def test_non_dict_returns_come_back_exactly(local_project: Project) -> None:
    from jobs import Point  # type: ignore[import-not-found]

    job = run("jobs.py:pair")
    assert job.result() == (3, Point(1.5, 2.0))
    assert run("jobs.py:pair_again").result() == (3, Point(1.5, 2.0))
    assert run("jobs.py:wrapped", 2).result() == ["tagged", 2]
    from braket.jobs.data_persistence import load_job_result

    assert load_job_result(job.folder / "model" / "results.json") == {"result": [3, {"x": 1.5, "y": 2.0}]}


def test_pickled_results_when_the_settings_ask(local_project: Project) -> None:
    from braket.jobs.data_persistence import load_job_result

    job = run("jobs.py:pickled")
    with pytest.raises(PickledResults, match=f"^the results of job {job.name} are pickled"):
        job.result()  # unpickling runs code: only on request
    assert job.result(allow_pickle=True) == 1 + 2j
    # The SDK made unpickling opt-in in 1.117; on Python 3.10 pip can install no SDK newer than 1.110.
    opt_in = {"allow_pickle": True} if "allow_pickle" in inspect.signature(load_job_result).parameters else {}
    assert load_job_result(job.folder / "model" / "results.json", **opt_in) == {"result": 1 + 2j}


def test_run_reads_pickled_results_only_when_asked(local_project: Project,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", "jobs.py:pickled", "--local", "--json")
    assert code == 1 and "are pickled" in err
    code, out, err = run_cli(capsys, "run", "jobs.py:pickled", "--local", "--json", "--allow-pickle")
    assert (code, json.loads(out)["result"]) == (0, "(1+2j)")


def test_a_script_written_for_the_sdk_runs_unchanged(local_project: Project,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", "sdk_script.py:main", "--local", "--json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["state"] == "COMPLETED"
    assert document["result"] == {"lr_seen": "0.1"}
    assert Path(document["folder"]).name == document["name"]


def test_a_failing_job(local_project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", "jobs.py:fails", "--local")
    assert code == 1
    assert "about to fail" in out  # streamed as it ran
    assert err.startswith("error: job fails-")
    assert " failed\nfailure reason:\nRuntimeError: the device was unreachable\nTraceback, innermost" in err
    assert "last lines of its log:" in err and "about to fail" in err
    job = LocalJob(next((local_project.root / ".braketkit" / "jobs").iterdir()))
    assert job.state() == "FAILED"
    with pytest.raises(JobFailed) as caught:
        job.result()
    assert caught.value.reason is not None and caught.value.reason.startswith("RuntimeError: the device")


def test_a_return_value_that_cannot_be_stored(local_project: Project) -> None:
    job = run("jobs.py:unstorable")
    assert job.state() == "FAILED"
    assert not (job.folder / "model" / "results.json").exists()
    assert list((job.folder / "model").iterdir()) == []
    reason = job.failure_reason() or ""
    assert reason.startswith("TypeError: the return value cannot be stored as JSON (set has no JSON form); "
                             'return JSON values (lists, dicts, numbers, strings), or set result_format = "pickled_v4"')


def test_a_missing_requirement_says_what_to_install(local_project: Project) -> None:
    job = run("jobs.py:needs_qiskit_nature")
    assert (job.failure_reason() or "").startswith(
        "ModuleNotFoundError: No module named 'qiskit_nature'; the job's requirements.txt asks for "
        "'qiskit-nature>=0.7', which local runs do not install: pip install 'qiskit-nature>=0.7'")


def test_a_script_job_missing_a_nested_requirement_says_what_to_install(
        local_project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """Amazon's notebook-runner example keeps its requirements in src/requirements.txt; the container installs every
    requirements.txt, a local run none: the script's failure names the line, as a function's does."""
    local_project.write("src/requirements.txt", "numpy\nnot-installed-here>=2.4\n")
    local_project.write("src/runner.py", "import not_installed_here\n")
    code, _, err = run_cli(capsys, "run", "src/runner.py", "--local")
    assert code == 1
    assert ("ModuleNotFoundError: No module named 'not_installed_here'; the job's src/requirements.txt asks for "
            "'not-installed-here>=2.4', which local runs do not install: pip install 'not-installed-here>=2.4'") in err


def test_an_existing_job_folder_is_never_reused(local_project: Project) -> None:
    first = run("sdk_script.py:main", assignments=["job_name=fixed"])
    second = run("sdk_script.py:main", assignments=["job_name=fixed"])
    assert (first.name, second.name) == ("fixed", "fixed-2")
    assert first.result() == second.result() == {"lr_seen": "0.1"}
    assert "running fixed-2" in list(second.logs())


def test_an_unwritable_jobs_folder_is_a_clear_error(local_project: Project) -> None:
    (local_project.root / ".braketkit").mkdir()
    (local_project.root / ".braketkit" / "jobs").write_text("not a folder")
    with pytest.raises(LocalRunError) as caught:
        run("sdk_script.py:main")
    assert str(caught.value) == "cannot prepare the local job folder in .braketkit/jobs: File exists"


def test_output_streams_while_the_job_runs(local_project: Project) -> None:
    seen: list[tuple[float, str]] = []

    class Recorder:
        def write(self, text: str) -> None:
            seen.append((time.monotonic(), text))

        def flush(self) -> None:
            pass

    from braketkit.execute.local import run_local
    from braketkit.pipeline import plan_target

    target = load_reference("jobs.py:two_lines")
    run_local(plan_target(target, local=True), target.function, echo=Recorder())  # type: ignore[arg-type]
    lines = {text.strip(): when for when, text in seen}
    assert lines["second"] - lines["first"] >= 0.5


def test_ctrl_c_stops_the_job_and_marks_it_cancelled(local_project: Project) -> None:
    process = subprocess.Popen([sys.executable, "-m", "braketkit", "run", "jobs.py:slow", "--local"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
                               preexec_fn=interruptible)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "started"
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert time.monotonic() - started < 10
    assert process.returncode == 1
    assert "was cancelled" in err
    [folder] = (local_project.root / ".braketkit" / "jobs").iterdir()
    assert LocalJob(folder).state() == "CANCELLED"
    assert "[braketkit] cancelled by Ctrl-C" in list(LocalJob(folder).logs())


def test_local_true_makes_calls_local(local_project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    import jobs  # type: ignore[import-not-found]

    with pytest.raises(InvalidInput, match="no region"):  # not local: it would submit to Amazon Braket
        jobs.pair()
    monkeypatch.setenv("BRAKETKIT_LOCAL", "true")
    assert jobs.pair().result() == (3, jobs.Point(1.5, 2.0))
    assert jobs.pickled.local().result(allow_pickle=True) == 1 + 2j


def test_s3_channels_are_downloaded_with_the_users_credentials(local_project: Project, aws: str) -> None:
    s3 = boto3.Session(region_name="us-east-1").client("s3")
    s3.create_bucket(Bucket="shared-data")
    s3.put_object(Bucket="shared-data", Key="sets/graphs/g1.json", Body=b"[[0, 1]]")
    s3.put_object(Bucket="shared-data", Key="sets/graphs/more/g2.json", Body=b"[[1, 2]]")
    local_project.pyproject(SETTINGS.replace('train = "data"', 'train = "s3://shared-data/sets/graphs/"'))
    from jobs import Ansatz  # type: ignore[import-not-found]

    value = run("jobs.py:inspect_job", Ansatz(layers=1)).result()
    assert value["files"] == ["g1.json", "more"]


def test_s3_channels_without_credentials(local_project: Project) -> None:
    local_project.pyproject(SETTINGS.replace('train = "data"', 'train = "s3://shared-data/sets/"'))
    with pytest.raises(InvalidInput) as caught:
        run("sdk_script.py:main")
    assert str(caught.value) == ("pyproject.toml:10: input.train: s3://shared-data/sets/ is on S3; a local run "
                                 "downloads it with your AWS credentials, and none were found (or use a local path)")


def test_checkpoints_of_an_earlier_local_job_are_copied(local_project: Project) -> None:
    local_project.write("ckpt.py", '''
from braketkit import hybrid_job

@hybrid_job()
def save() -> None:
    from braket.jobs import save_job_checkpoint
    save_job_checkpoint({"step": 5})

@hybrid_job()
def resume(earlier: str) -> int:
    from braket.jobs import load_job_checkpoint
    return load_job_checkpoint(earlier)["step"]
''')
    first = run("ckpt.py:save")
    second = run("ckpt.py:resume", first.name, assignments=[f"checkpoint.copy_from_job={first.name}"])
    assert second.result() == 5
    as_the_sdk_names_it = run("ckpt.py:resume", first.name,
                              assignments=[f"checkpoint.copy_from_job=local:job/{first.name}"])
    assert as_the_sdk_names_it.result() == 5
    with pytest.raises(InvalidInput, match="no local job 'nope' with checkpoints"):
        run("ckpt.py:resume", "x", assignments=["checkpoint.copy_from_job=nope"])


def test_following_a_local_log_gives_each_line_once_as_it_grows(tmp_path: Path) -> None:
    import threading

    import attrs

    from braketkit.converter import converter
    from braketkit.execute.record import write_record
    from braketkit.model.job import LocalJobRecord

    folder = tmp_path / "job-1"
    folder.mkdir()
    record = LocalJobRecord(name="job-1", state="RUNNING", device="local:braket/braket_sv", entry="m:f",
                            started_at="2026-11-26T00:00:00+00:00")
    (folder / "job.json").write_text(json.dumps(converter.unstructure(record)))
    log = folder / "log.txt"
    log.write_bytes(b"first\nbad byte \xff here\nhalf a li")

    def finish() -> None:
        time.sleep(0.2)
        with log.open("ab") as handle:
            handle.write(b"ne\nlast\n")
        write_record(folder, attrs.evolve(record, state="COMPLETED"))  # whole, as the runner writes it

    threading.Thread(target=finish).start()
    lines = list(LocalJob(folder).logs(follow=True, poll=0.05))
    assert lines == ["first", "bad byte \ufffd here", "half a line", "last"]
