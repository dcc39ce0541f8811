"""Run a plan on this machine with the job-side contract of Braket's container.

The same archive and runtime as in the cloud, unpacked into
``.braketkit/jobs/<job name>/``, run by this Python in a child process with the
``AMZN_BRAKET_*`` variables pointing into that folder. No Docker, no AWS.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from ..converter import converter
from ..errors import BraketkitError, InvalidInput, Problem
from ..job import LocalJob
from ..model.job import LocalJobRecord
from ..plan import UNRESOLVED_ACCOUNT, Plan
from ..resolve.pyproject import display_path
from ..runtime import contract

__all__ = ["LocalRunCancelled", "LocalRunError", "run_local"]

_LAUNCH = "from braketkit_runtime.entry import main; main()"


class LocalRunError(BraketkitError):
    """The machine could not host the run (an unwritable folder, a full disk)."""


class LocalRunCancelled(KeyboardInterrupt):
    """Ctrl-C (or a notebook's stop button) ended a local run: the job is recorded CANCELLED, and the
    interruption goes on, so a loop of runs or a sweep stops too. ``job`` is the cancelled job's handle."""

    def __init__(self, job: LocalJob) -> None:
        super().__init__(f"local job {job.name} cancelled")
        self.job = job


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _new_folder(jobs: Path, name: str) -> Path:
    """A folder of its own: an existing job's folder is never reused or overwritten."""
    jobs.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, 1000):
        suffix = "" if attempt == 1 else f"-{attempt}"
        folder = jobs / (name[: 50 - len(suffix)] + suffix)
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise LocalRunError(f"no free job folder for {name} in {display_path(jobs)}")  # pragma: no cover


def _write_record(folder: Path, record: LocalJobRecord) -> None:
    partial = folder / ".job.json.partial"
    partial.write_text(json.dumps(converter.unstructure(record), indent=2), encoding="utf-8")
    os.replace(partial, folder / "job.json")


def _unpack(archive: Path, code: Path) -> None:
    with tarfile.open(archive) as opened:
        if hasattr(tarfile, "data_filter"):
            opened.extractall(code, filter="data")
        else:  # pragma: no cover - Python before 3.10.12 / 3.11.4
            opened.extractall(code)


def _download(uri: str, target: Path, key: str, origin: str | None) -> None:
    from .. import aws

    if aws.session(None).get_credentials() is None:
        raise InvalidInput([Problem(f"{uri} is on S3; a local run downloads it with your AWS credentials, "
                                    "and none were found (or use a local path)", key, origin)])
    bucket, _, prefix = uri[len("s3://"):].partition("/")
    client = aws.client("s3", None)
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            relative = item["Key"][len(prefix):].lstrip("/") or Path(item["Key"]).name
            destination = target / relative
            if not destination.resolve().is_relative_to(target.resolve()):
                continue  # a key such as "../x" must not write outside the channel folder
            destination.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(bucket, item["Key"], str(destination))


def _channels(plan: Plan, input_data: Path) -> None:
    local_files = {upload.s3_uri: upload.path for upload in plan.uploads[1:]}
    for channel in plan.request.input_data_config or []:
        uri = channel.data_source.s3_data_source.s3_uri
        target = input_data / channel.channel_name
        target.mkdir(parents=True)
        files = {s3_uri[len(uri):]: path for s3_uri, path in local_files.items() if s3_uri.startswith(uri)}
        if files:
            for name, path in files.items():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target / name)
        else:
            key = f"input.{channel.channel_name}"
            _download(uri, target, key, plan.resolved.origins.get(key))


def _copy_checkpoints(source: str, jobs: Path, checkpoints: Path) -> None:
    earlier = Path(source) if Path(source).is_dir() else jobs / source.rpartition("/")[2]
    if not (earlier / "checkpoints").is_dir():
        raise InvalidInput([Problem(f"no local job {source!r} with checkpoints in {display_path(jobs)}",
                                    "checkpoint.copy_from_job")])
    shutil.copytree(earlier / "checkpoints", checkpoints, dirs_exist_ok=True)


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
        bucket, _, key = output[len("s3://"):].partition("/")
        variables |= {
            "AMZN_BRAKET_OUT_S3_BUCKET": bucket,
            "AMZN_BRAKET_JOB_RESULTS_S3_PATH": f"{key}/output",
            "AMZN_BRAKET_TASK_RESULTS_S3_URI": f"{output}/tasks",
        }
    return variables


def _lay_out(plan: Plan, folder: Path) -> None:
    for part in ("code", "input/config", "input/data", "model", "checkpoints", "output"):
        (folder / part).mkdir(parents=True, exist_ok=True)
    (folder / "input" / "config" / "hyperparameters.json").write_text(
        json.dumps(plan.request.hyper_parameters or {}, indent=2), encoding="utf-8")
    _unpack(plan.archive.path, folder / "code")
    _channels(plan, folder / "input" / "data")
    if plan.copy_checkpoints_from:
        _copy_checkpoints(plan.copy_checkpoints_from, folder.parent, folder / "checkpoints")


def run_local(plan: Plan, function: Callable[..., Any] | None = None, echo: IO[str] | None = None) -> LocalJob:
    """Lay out the job folder, run the job in a child process, return its handle once it ends."""
    jobs = plan.project_root / ".braketkit" / "jobs"
    request = plan.request
    try:
        folder = _new_folder(jobs, request.job_name)
        record = LocalJobRecord(name=folder.name, state="RUNNING", device=request.device_config.device,
                                entry=(request.hyper_parameters or {}).get(contract.ENTRY, ""), started_at=_now())
        _write_record(folder, record)
        _lay_out(plan, folder)
    except OSError as error:
        raise LocalRunError(f"cannot prepare the local job folder in {display_path(jobs)}: "
                            f"{error.strerror or error}") from None
    environment = os.environ | job_environment(plan, folder)
    environment["AMZN_BRAKET_JOB_NAME"] = folder.name
    state, code, interrupted = "FAILED", None, False
    with (folder / "log.txt").open("w", encoding="utf-8") as log:
        child = subprocess.Popen([sys.executable, "-c", _LAUNCH], cwd=folder / "code", env=environment,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
        assert child.stdout is not None
        try:
            for line in child.stdout:
                log.write(line)
                if echo is not None:
                    echo.write(line)
                    echo.flush()
            code = child.wait()
            state = "COMPLETED" if code == 0 else "FAILED"
        except KeyboardInterrupt:
            child.send_signal(signal.SIGINT)
            try:
                code = child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                code = child.wait()
            state, interrupted = "CANCELLED", True
            log.write("\n[braketkit] cancelled by Ctrl-C\n")
    _write_record(folder, LocalJobRecord(name=record.name, state=state, device=record.device, entry=record.entry,
                                         started_at=record.started_at, ended_at=_now(), exit_code=code))
    if interrupted:
        raise LocalRunCancelled(LocalJob(folder, function))
    return LocalJob(folder, function)
