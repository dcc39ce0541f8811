"""Stage 5, job: a handle on a job for its whole life.

``LocalJob`` is a job run on this machine (``braketkit run --local``,
``train.local()``); the cloud handle offers the same methods.
"""

from __future__ import annotations

import json
import time
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..converter import converter
from ..errors import BraketkitError
from ..model.job import TERMINAL_STATES, LocalJobRecord
from ..runtime import contract
from .results import read_results

__all__ = ["AwsJob", "Job", "JobFailed", "LocalJob", "find_job", "read_results", "return_annotation"]

LOG_TAIL = 20


class JobFailed(BraketkitError):
    """The job failed or was cancelled: its failure reason and the tail of its log."""

    exit_status = 1

    def __init__(self, name: str, state: str, reason: str | None, log_tail: str) -> None:
        self.name, self.state, self.reason, self.log_tail = name, state, reason, log_tail
        lines = [f"job {name} {'was cancelled' if state == 'CANCELLED' else 'failed'}"]
        if reason:
            lines.append(f"failure reason:\n{reason.rstrip()}")
        if log_tail:
            lines.append(f"last lines of its log:\n{log_tail.rstrip()}")
        super().__init__("\n".join(lines))


def return_annotation(function: Callable[..., Any] | None) -> Any:
    if function is None:
        return Any
    try:
        return typing.get_type_hints(function).get("return", Any)
    except Exception:
        return Any


class LocalJob:
    """A job run on this machine, in ``.braketkit/jobs/<name>/``."""

    def __init__(self, folder: Path, function: Callable[..., Any] | None = None) -> None:
        self.folder = folder
        self.name = folder.name
        self._function = function

    def __repr__(self) -> str:
        return f"LocalJob({self.name!r}, state={self.state()!r})"

    def metadata(self, refresh: bool = True) -> LocalJobRecord:
        data = json.loads((self.folder / "job.json").read_text(encoding="utf-8"))
        record: LocalJobRecord = converter.structure(data, LocalJobRecord)
        return record

    def state(self) -> str:
        return self.metadata().state

    def wait(self, timeout: float | None = None, poll: float = 0.5) -> str:
        """Block until the job ends (local runs usually have); return its state."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while (state := self.state()) not in TERMINAL_STATES:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {self.name} is still {state} after {timeout} s")
            time.sleep(poll)
        return state

    def logs(self, follow: bool = False, poll: float = 0.5) -> Iterator[str]:
        """The job's log lines (``follow``: until the job ends), as the cloud handle gives them."""
        position = 0  # bytes already given, always at a line's end
        while True:
            ended = not follow or self.state() in TERMINAL_STATES
            try:
                with (self.folder / "log.txt").open("rb") as log:
                    log.seek(position)
                    data = log.read()
            except FileNotFoundError:
                data = b""
            complete = data if ended else data[: data.rfind(b"\n") + 1]
            position += len(complete)
            yield from complete.decode("utf-8", errors="replace").splitlines()
            if ended:
                return
            time.sleep(poll)

    def failure_reason(self) -> str | None:
        try:
            return (self.folder / "output" / "failure").read_text(encoding="utf-8") or None
        except FileNotFoundError:
            return None

    def result(self) -> Any:
        """What the function returned (None if it returned nothing); JobFailed if it did not finish."""
        state = self.wait()
        if state != "COMPLETED":
            tail = "\n".join(list(self.logs())[-LOG_TAIL:])
            raise JobFailed(self.name, state, self.failure_reason(), tail)
        try:
            text = (self.folder / "model" / contract.RESULTS_FILE).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return read_results(text, return_annotation(self._function))


from .cloud import AwsJob, find_job  # noqa: E402 - the cloud handle builds on the definitions above

Job = LocalJob | AwsJob
"""Either kind of job handle: both offer state, wait, logs, result."""
