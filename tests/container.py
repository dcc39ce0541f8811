"""An emulation of Braket's job container, written from DESIGN.md's job-side contract.

It does what the container does, in order: download the archive named by
scriptModeConfig.s3Uri, unpack it when compressionType is GZIP, find every
requirements.txt (the container pip-installs them; here they are only listed),
append the folder to sys.path, resolve the entry point by import (a bare module
runs as ``python -m``), bind the hyperparameters to its signature when they bind
(each cast by annotation, default str) and run it in a child process with the
folder as working directory; an exception's text lands in the failure file.

The job gets what a real job has: the ``AMZN_BRAKET_*`` variables the request
implies, a home folder of its own, the checkpoints the service downloaded, and
(``aws``) what the service gives it for AWS: its role's credentials, its region,
its job token, and here the loopback endpoints that stand for AWS.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from collections.abc import Mapping
from pathlib import Path

import attrs

from braketkit.converter import record_text
from braketkit.model.provenance import RECORD_CHANNEL, PlannedRecord

CHILD = '''
import importlib, inspect, json, os, runpy, sys
code, entry, bind = sys.argv[1], sys.argv[2], sys.argv[3] == "bind"
sys.path.append(code)
module_name, _, function_name = entry.partition(":")
if function_name:
    function = getattr(importlib.import_module(module_name), function_name)
else:  # a bare module runs as `python -m` would
    def function():
        return runpy.run_module(module_name, run_name="__main__")
with open(os.environ["AMZN_BRAKET_HP_FILE"]) as handle:
    hyperparameters = json.load(handle)
signature = inspect.signature(function)
try:
    signature.bind(**hyperparameters)
    binds = True
except TypeError:
    binds = False
try:
    if bind and binds:
        casts = {name: (p.annotation if callable(p.annotation) and p.annotation is not p.empty else str)
                 for name, p in signature.parameters.items()}
        function(**{k: casts.get(k, str)(v) if k in casts else v for k, v in hyperparameters.items()})
    else:
        function()
except Exception as error:  # the container's own line; braketkit's runtime records a fuller one and exits first
    with open(os.environ["BRAKETKIT_FAILURE_FILE"], "a") as failure:
        failure.write(f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)
    raise
'''


@attrs.frozen
class ContainerRun:
    returncode: int
    output: str
    opt: Path
    requirements: list[str]
    checkpoint_path: str = "/opt/jobs/checkpoints"
    """``checkpointConfig.localPath``: where in the container the job's checkpoints are."""

    @property
    def results(self) -> Path:
        return self.opt / "braket" / "model" / "results.json"

    @property
    def failure(self) -> Path:
        return self.opt / "ml" / "output" / "failure"

    @property
    def checkpoints(self) -> Path:
        """The checkpoint folder the job wrote to (``checkpointConfig.localPath``), for the service to upload."""
        return self.opt.parent / self.checkpoint_path.lstrip("/")


def extract_built_archive(archive: Path, target: Path) -> None:
    """Unpack an archive braketkit built in this test (trusted), on Pythons with or without tarfile's filter."""
    with tarfile.open(archive) as opened:
        if hasattr(tarfile, "data_filter"):
            opened.extractall(target, filter="data")
        else:  # Debian 12's 3.11.2, 3.10 before 3.10.12
            opened.extractall(target)


def record_inputs(record: PlannedRecord, folder: Path) -> Path:
    """An input folder holding the record's channel, as the container downloads it: ``braketkit/planned.json``."""
    channel = folder / RECORD_CHANNEL
    channel.mkdir(parents=True)
    (channel / "planned.json").write_text(record_text(record), encoding="utf-8")
    return folder


def _request_variables(request: dict[str, object]) -> dict[str, str]:
    """What the container derives from the request beyond the job's folders: where its script and outputs are."""
    script: dict[str, str] = request["algorithmSpecification"]["scriptModeConfig"]  # type: ignore[index]
    variables = {"AMZN_BRAKET_SCRIPT_S3_URI": script.get("s3Uri", ""),
                 "AMZN_BRAKET_SCRIPT_COMPRESSION_TYPE": script.get("compressionType", "NONE")}
    output: dict[str, str] | None = request.get("outputDataConfig")  # type: ignore[assignment]
    if output is not None:
        bucket, _, key = output["s3Path"].removeprefix("s3://").partition("/")
        variables |= {"AMZN_BRAKET_OUT_S3_BUCKET": bucket, "AMZN_BRAKET_JOB_RESULTS_S3_PATH": f"{key}/output",
                      "AMZN_BRAKET_TASK_RESULTS_S3_URI": f"{output['s3Path']}/tasks"}
    return variables


def run_in_container(python: list[str], request: dict[str, object], archive: Path, root: Path,
                     bind: bool = True, inputs: Path | None = None, checkpoints: Path | None = None,
                     aws: Mapping[str, str] | None = None) -> ContainerRun:
    """Run the request's job as Braket's container would, under ``root``; ``checkpoints`` is what the service
    downloaded from ``checkpointConfig.s3Uri``, ``aws`` the job's AWS variables (none: the job cannot reach AWS)."""
    script = request["algorithmSpecification"]["scriptModeConfig"]  # type: ignore[index]
    opt = root / "opt"
    downloaded = opt / "ml" / "code" / "source.tar.gz"
    downloaded.parent.mkdir(parents=True)
    shutil.copyfile(archive, downloaded)  # the "download" of scriptModeConfig.s3Uri
    code = opt / "ml" / "code" / "unpacked"
    if script.get("compressionType") == "GZIP":
        extract_built_archive(downloaded, code)
    requirements = sorted(str(p.relative_to(code)) for p in code.rglob("requirements.txt"))
    config = opt / "braket" / "input" / "config"
    config.mkdir(parents=True)
    (config / "hyperparameters.json").write_text(json.dumps(request.get("hyperParameters", {})))
    (opt / "braket" / "model").mkdir(parents=True)
    if inputs is not None and inputs.is_dir():  # the channels, as downloaded from their s3Uri prefixes
        shutil.copytree(inputs, opt / "braket" / "input" / "data")
    (opt / "ml" / "output").mkdir(parents=True)
    checkpoint_config: dict[str, str] = request.get("checkpointConfig") or {}  # type: ignore[assignment]
    checkpoint_path = checkpoint_config.get("localPath", "/opt/jobs/checkpoints")
    local_checkpoints = root / checkpoint_path.lstrip("/")
    if checkpoints is not None and checkpoints.is_dir():
        shutil.copytree(checkpoints, local_checkpoints)
    local_checkpoints.mkdir(parents=True, exist_ok=True)
    home = root / "home"
    home.mkdir()
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),  # the container's user's own: nothing of this machine's home is read or written
        **_request_variables(request),
        **(aws or {}),
        "AMZN_BRAKET_JOB_NAME": str(request["jobName"]),
        "AMZN_BRAKET_DEVICE_ARN": str(request["deviceConfig"]["device"]),  # type: ignore[index]
        "AMZN_BRAKET_HP_FILE": str(config / "hyperparameters.json"),
        "AMZN_BRAKET_INPUT_DIR": str(opt / "braket" / "input" / "data"),
        "AMZN_BRAKET_JOB_RESULTS_DIR": str(opt / "braket" / "model"),
        "AMZN_BRAKET_CHECKPOINT_DIR": str(local_checkpoints),
        "AMZN_BRAKET_SCRIPT_ENTRY_POINT": str(script["entryPoint"]),
        # the container's /opt/ml/output/failure, moved under the test's root
        "BRAKETKIT_FAILURE_FILE": str(opt / "ml" / "output" / "failure"),
    }
    done = subprocess.run([*python, "-c", CHILD, str(code), str(script["entryPoint"]), "bind" if bind else "bare"],
                          cwd=code, env=environment, capture_output=True, text=True, errors="replace", check=False)
    return ContainerRun(done.returncode, done.stdout + done.stderr, opt, requirements, checkpoint_path)
