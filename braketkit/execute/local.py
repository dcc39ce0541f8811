"""Run a plan on this machine with the job-side contract of Braket's container.

The same archive and runtime as in the cloud, unpacked into
``.braketkit/jobs/<job name>/``, run by this Python in a child process with the
``AMZN_BRAKET_*`` variables pointing into that folder. No Docker, no AWS.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

import attrs

from ..converter import record_text
from ..errors import BraketkitError, InvalidInput, LocalRunCancelled, LocalRunError, Problem
from ..job import LocalJob
from ..model.job import LocalJobRecord
from ..model.provenance import RECORD_CHANNEL, RECORD_NAME
from ..places import display_path
from ..plan import UNRESOLVED_ACCOUNT, Plan
from ..runtime import contract
from ..s3uri import split_s3_uri
from ..workspace import jobs_folder, make_folder
from .record import with_this_runner, write_planned_digest, write_record

if TYPE_CHECKING:
    from ..aws import Aws

__all__ = ["Echo", "run_local"]

_CONTAINER = Path(__file__).resolve().parent / "container.py"
"""What runs the job here as Braket's container would: its entry point, from the job's code folder."""


class Echo(Protocol):
    """Where a run's output goes as it comes: a stream such as ``sys.stdout``, or anything taking text the same way."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _new_folder(jobs: Path, name: str) -> Path:
    """A folder of its own: an existing job's folder is never reused or overwritten."""
    make_folder(jobs)
    for attempt in range(1, 1000):
        suffix = "" if attempt == 1 else f"-{attempt}"
        folder = jobs / (name[: 50 - len(suffix)] + suffix)
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise LocalRunError(f"no free job folder for {name} in {display_path(jobs)}")  # pragma: no cover


def _unpack(archive: Path, code: Path) -> None:
    """Unpack the job's archive as untrusted input (``job.extract``), on every Python alike: a rerun may run an
    archive another tool made, and Debian's 3.11.2 has no tarfile filter."""
    from ..job.extract import safe_extract

    safe_extract(archive, code, label=f"the source archive {archive.name}")


def _channel_sources(plan: Plan) -> list[tuple[str, str, dict[str, Path]]]:
    """Each input channel: its name, its S3 URI, and its local files by relative name (none: an s3:// channel).

    The planned record's channel (``RECORD_CHANNEL``) is not among them: the runner writes the record itself."""
    local_files = {upload.s3_uri: upload.path for upload in plan.uploads[1:]}
    sources = []
    for channel in plan.request.input_data_config or []:
        if channel.channel_name == RECORD_CHANNEL and plan.record.call is not None:
            continue
        uri = channel.data_source.s3_data_source.s3_uri
        files = {s3_uri[len(uri):]: path for s3_uri, path in local_files.items() if s3_uri.startswith(uri)}
        sources.append((channel.channel_name, uri, files))
    return sources


def _check_credentials(plan: Plan, aws: Aws | None) -> Aws | None:
    """An s3:// channel is downloaded with the user's AWS credentials: refused before any folder exists without them.

    The gateway to download with (the process's unless one is given); None when no channel is on S3."""
    remote = [(name, uri) for name, uri, files in _channel_sources(plan) if not files]
    if not remote:
        return None
    if aws is None:
        from ..aws import shared

        aws = shared()
    if not aws.has_credentials():
        raise InvalidInput([
            Problem(f"{uri} is on S3; a local run downloads it with your AWS credentials, and none were found "
                    "(or use a local path)", f"input.{name}", plan.resolved.origins.get(f"input.{name}"))
            for name, uri in remote])
    return aws


def _download(aws: Aws, uri: str, target: Path) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, prefix = split_s3_uri(uri)
    client = aws.s3()
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                relative = item["Key"][len(prefix):].lstrip("/") or Path(item["Key"]).name
                destination = target / relative
                if not destination.resolve().is_relative_to(target.resolve()):
                    continue  # a key such as "../x" must not write outside the channel folder
                destination.parent.mkdir(parents=True, exist_ok=True)
                client.download_file(bucket, item["Key"], str(destination))
    except (BotoCoreError, ClientError) as error:
        raise LocalRunError(f"cannot download {uri} for the local run: {error}") from error


def _channels(plan: Plan, input_data: Path, aws: Aws | None) -> None:
    for name, uri, files in _channel_sources(plan):
        target = input_data / name
        target.mkdir(parents=True)
        for relative, path in files.items():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative)
        if not files:
            assert aws is not None  # _check_credentials: a gateway for every run with an s3:// channel
            _download(aws, uri, target)


def _checkpoint_source(plan: Plan, jobs: Path) -> Path | None:
    """The earlier local job whose checkpoints ``checkpoint.copy_from_job`` names: refused before any folder exists."""
    source = plan.copy_checkpoints_from
    if not source:
        return None
    earlier = Path(source) if Path(source).is_dir() else jobs / source.rpartition("/")[2]
    if not (earlier / "checkpoints").is_dir():
        raise InvalidInput([Problem(f"no local job {source!r} with checkpoints in {display_path(jobs)}",
                                    "checkpoint.copy_from_job")])
    return earlier / "checkpoints"


def job_environment(plan: Plan, folder: Path) -> dict[str, str]:
    """The variables Braket's container sets, pointing into the job folder."""
    request = plan.request
    script = request.algorithm_specification.script_mode_config
    variables = {
        "AMZN_BRAKET_JOB_NAME": request.job_name,
        "AMZN_BRAKET_DEVICE_ARN": request.device_config.device,
        "AMZN_BRAKET_HP_FILE": str(folder / "input" / "config" / "hyperparameters.json"),
        "AMZN_BRAKET_INPUT_DIR": str(folder / "input" / "data"),
        "AMZN_BRAKET_JOB_RESULTS_DIR": str(folder / "model"),
        "AMZN_BRAKET_CHECKPOINT_DIR": str(folder / "checkpoints"),
        "AMZN_BRAKET_SCRIPT_S3_URI": script.s3_uri,
        "AMZN_BRAKET_SCRIPT_ENTRY_POINT": script.entry_point,
        "AMZN_BRAKET_SCRIPT_COMPRESSION_TYPE": script.compression_type or "NONE",
        contract.FAILURE_FILE: str(folder / "output" / "failure"),
        contract.LOCAL_RUN: "1",
        "PYTHONUNBUFFERED": "1",
    }
    output = request.output_data_config.s3_path
    if UNRESOLVED_ACCOUNT not in output:
        bucket, key = split_s3_uri(output)
        variables |= {
            "AMZN_BRAKET_OUT_S3_BUCKET": bucket,
            "AMZN_BRAKET_JOB_RESULTS_S3_PATH": f"{key}/output",
            "AMZN_BRAKET_TASK_RESULTS_S3_URI": f"{output}/tasks",
        }
    return variables


def _lay_out(plan: Plan, folder: Path, record: str, checkpoints: Path | None, aws: Aws | None) -> None:
    for part in ("code", "input/config", "input/data", "model", "checkpoints", "output"):
        (folder / part).mkdir(parents=True, exist_ok=True)
    (folder / "input" / "config" / "hyperparameters.json").write_text(
        json.dumps(plan.request.hyper_parameters or {}, indent=2), encoding="utf-8")
    _unpack(plan.archive.path, folder / "code")
    _channels(plan, folder / "input" / "data", aws)
    if plan.record.call is not None:  # the record's channel: what the runtime reads its call from
        channel = folder / "input" / "data" / RECORD_CHANNEL
        channel.mkdir()
        (channel / RECORD_NAME.rpartition("/")[2]).write_text(record, encoding="utf-8")
    if checkpoints is not None:
        shutil.copytree(checkpoints, folder / "checkpoints", dirs_exist_ok=True)


class _Stopped(BaseException):
    """SIGTERM or SIGHUP reached the process running a local job: the job is cancelled, then the signal goes on."""

    def __init__(self, number: int) -> None:
        super().__init__(signal.Signals(number).name)
        self.number = number


_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class _Signals:
    """What signals do while a local job runs.

    SIGTERM and SIGHUP stop the job as Ctrl-C does: they raise ``_Stopped`` where Ctrl-C raises
    KeyboardInterrupt. From the first of them, or from the job's own end, until that end is recorded,
    these signals are held: a second Ctrl-C cannot leave the job RUNNING. On leaving, the handlers are
    restored; ``held`` lists what arrived meanwhile, to be delivered again. A signal that is ignored
    (``nohup``) stays ignored, a SIGINT handler of the program's own stays in place, and outside the
    main thread, where Python sets no handler, nothing changes.
    """

    def __init__(self, debugging: bool = False) -> None:
        self._previous: dict[int, Any] = {}
        self.ending = False
        self.held: list[int] = []
        self.debugging = debugging
        """The job's process is at the terminal (``--pdb``): Ctrl-C is its, to stop or to use in the debugger."""

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGINT, *_STOP_SIGNALS):
                handler = signal.getsignal(number)
                if handler in (signal.SIG_IGN, None) or (
                        number == signal.SIGINT and handler is not signal.default_int_handler):
                    continue
                self._previous[number] = signal.signal(number, self._arrived)
        return self

    def _arrived(self, number: int, frame: object) -> None:
        if number == signal.SIGINT and self.debugging and not self.ending:
            return  # the terminal sent it to the job's process too, which decides
        if self.ending:
            self.held.append(number)
            return
        self.ending = True
        if number == signal.SIGINT:
            raise KeyboardInterrupt
        raise _Stopped(number)

    def __exit__(self, *exception: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)


def _deliver(numbers: list[int]) -> None:
    """Send these signals again, each once, to this process, whose own handlers are back in place."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed terminal: nothing left to lose
            stream.flush()
    for number in dict.fromkeys(numbers):
        os.kill(os.getpid(), number)  # the default action of SIGTERM ends the process here, as it would have


class _Log:
    """log.txt, line-buffered so that a run killed outright keeps what its job printed."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle
        self._at_line_start = True

    def write(self, text: str) -> None:
        self._handle.write(text)
        self._at_line_start = text.endswith("\n") or (self._at_line_start and not text)

    def note(self, text: str) -> None:
        """braketkit's own line about how the job ended; never raises (the disk may be what failed)."""
        with contextlib.suppress(OSError, ValueError):
            self.write(("" if self._at_line_start else "\n") + f"[braketkit] {text}\n")


@attrs.frozen
class _End:
    state: str
    exit_code: int | None = None
    passed_on: BaseException | None = None
    """The interruption or error to raise (or the signal to deliver) once the end is recorded."""


def _cause(interruption: BaseException) -> str:
    return signal.Signals(interruption.number).name if isinstance(interruption, _Stopped) else "Ctrl-C"


def _reason(error: BaseException) -> str:
    return str(error) if isinstance(error, BraketkitError) else f"{type(error).__name__}: {error}"


def _fail(folder: Path, log: _Log, error: BaseException, exit_code: int | None = None) -> _End:
    """A run that could not be prepared or carried on: FAILED, the reason in output/failure and the log."""
    log.note(f"the job failed: {_reason(error)}")
    with contextlib.suppress(OSError):
        (folder / "output").mkdir(exist_ok=True)
        with (folder / "output" / "failure").open("a", encoding="utf-8") as failure:
            failure.write(_reason(error))
    return _End("FAILED", exit_code, error)


def _stop_child(child: subprocess.Popen[str], number: int) -> int:
    child.send_signal(number)
    try:
        return child.wait(timeout=5)
    except subprocess.TimeoutExpired:
        child.kill()
        return child.wait()


def _supervise(plan: Plan, folder: Path, log: _Log, echo: Echo | None, signals: _Signals) -> _End:
    """Run the job's child process to its end, or stop it when this process is interrupted.

    Debugging (``--pdb``), the child has this process's terminal, not a pipe: its output is not in the log.
    """
    environment = os.environ | job_environment(plan, folder)
    environment["AMZN_BRAKET_JOB_NAME"] = folder.name
    if signals.debugging:
        environment[contract.DEBUG] = "1"
        log.note("--pdb: the job's output went to the terminal, not to this log")
    piped, merged = (None, None) if signals.debugging else (subprocess.PIPE, subprocess.STDOUT)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()  # what this process wrote comes before the job's, on a terminal they share
    try:
        child = subprocess.Popen([sys.executable, str(_CONTAINER)], cwd=folder / "code", env=environment,
                                 stdout=piped, stderr=merged, text=True, errors="replace")
    except OSError as error:
        raise LocalRunError(f"cannot start {sys.executable} for the job: {error.strerror or error}") from None
    try:
        for line in child.stdout or ():
            log.write(line)
            if echo is not None:
                try:
                    echo.write(line)
                    echo.flush()
                except (OSError, ValueError):  # a closed terminal or pipe: the log still gets every line
                    echo = None
        code = child.wait()
        signals.ending = True
        return _End("COMPLETED" if code == 0 else "FAILED", code)
    except BaseException as error:
        signals.ending = True
        code = _stop_child(child, signal.SIGINT if isinstance(error, KeyboardInterrupt) else signal.SIGTERM)
        if isinstance(error, (KeyboardInterrupt, _Stopped)):
            log.note(f"cancelled by {_cause(error)}")
            return _End("CANCELLED", code, error)
        return _fail(folder, log, error, code)


def _run(plan: Plan, folder: Path, record: str, checkpoints: Path | None, echo: Echo | None, signals: _Signals,
         aws: Aws | None) -> _End:
    """Prepare the job folder and run the job: how it ended, whatever happened."""
    with (folder / "log.txt").open("w", encoding="utf-8", buffering=1) as handle:
        log = _Log(handle)
        try:
            try:
                _lay_out(plan, folder, record, checkpoints, aws)
            except OSError as error:
                raise _unprepared(folder.parent, error) from None
            return _supervise(plan, folder, log, echo, signals)
        except (KeyboardInterrupt, _Stopped) as interruption:  # while preparing: no child to stop
            signals.ending = True
            log.note(f"cancelled by {_cause(interruption)}")
            return _End("CANCELLED", None, interruption)
        except BaseException as error:
            signals.ending = True
            return _fail(folder, log, error)


def _unprepared(jobs: Path, error: OSError) -> LocalRunError:
    return LocalRunError(f"cannot prepare the local job folder in {display_path(jobs)}: {error.strerror or error}")


def run_local(plan: Plan, function: Callable[..., Any] | None = None, echo: Echo | None = None,
              aws: Aws | None = None, debug: bool = False) -> LocalJob:
    """Lay out the job folder, run the job in a child process, return its handle once it ends.

    The job's record (``job.json``) carries its provenance, and its planned record is written beside it
    (``braketkit/planned.json``), as a cloud job's is beside its outputs.

    Every way out records an end with a line in the log: COMPLETED or FAILED by the job's exit
    status; FAILED with the reason when the folder could not be prepared (the error is raised
    then); CANCELLED by Ctrl-C (``LocalRunCancelled`` is raised then) or by SIGTERM or SIGHUP (the
    signal is delivered again then, and by default ends this process). Inputs that cannot work
    (``checkpoint.copy_from_job`` naming no local job, an s3:// channel without credentials) are
    refused before any folder exists. ``aws`` is the gateway an s3:// channel is downloaded through
    (default: the process's). ``debug`` (``--pdb``): the job runs at this terminal, and its uncaught exception
    opens ``pdb.post_mortem`` before the failure is recorded; Ctrl-C is the job's then, not a cancellation.
    """
    jobs = jobs_folder(plan.project_root)
    checkpoints = _checkpoint_source(plan, jobs)
    aws = _check_credentials(plan, aws)
    request = plan.request
    try:
        folder = _new_folder(jobs, request.job_name)
        record = with_this_runner(LocalJobRecord(
            name=folder.name, state="RUNNING", device=request.device_config.device, entry=plan.record.entry,
            started_at=_now(), tags=dict(request.tags or {}), provenance=plan.provenance))
        write_record(folder, record)
        planned = folder / RECORD_NAME  # the job's name is its folder's, which may have a suffix the plan's lacks
        planned.parent.mkdir()
        planned_text = record_text(attrs.evolve(plan.record, job_name=folder.name))
        planned.write_bytes(planned_text.encode("utf-8"))
        write_planned_digest(folder, planned_text.encode("utf-8"))  # outside the folder the job is given
    except OSError as error:
        raise _unprepared(jobs, error) from None
    signals = _Signals(debugging=debug)
    with signals:
        try:
            end = _run(plan, folder, planned_text, checkpoints, echo, signals, aws)
        except BaseException as error:  # the log itself could not be opened
            signals.ending = True
            end = _End("FAILED", None, error)
        write_record(folder, attrs.evolve(record, state=end.state, ended_at=_now(), exit_code=end.exit_code))
    job = LocalJob(folder, function)
    interruption = end.passed_on
    if isinstance(interruption, _Stopped):
        _deliver([interruption.number, *signals.held])
        return job  # the program's own handler of that signal let it go on
    _deliver([number for number in signals.held if not (number == signal.SIGINT and interruption is not None)])
    if isinstance(interruption, KeyboardInterrupt):
        raise LocalRunCancelled(job) from None
    if interruption is not None:
        raise interruption
    return job
