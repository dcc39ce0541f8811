"""The handle on a job run on this machine, and what the cloud handle (``cloud.py``) shares with it.

``LocalJob`` is a job run on this machine (``braketkit run --local``,
``train.local()``); the cloud handle offers the same methods, and a notebook
shows either by the same ``summary``.
"""

from __future__ import annotations

import hashlib
import html
import json
import time
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, cast

from ..converter import RECORD_MAX_BYTES, converter, read_record
from ..errors import BraketkitError, JobFailed, PickledResults
from ..execute.record import planned_digest, settle
from ..model.job import TERMINAL_STATES, JobInfo, LocalJobRecord, R
from ..model.provenance import CALL_TAG, RECORD_NAME, JobCall, PlannedRecord, Provenance
from ..runtime import contract
from ..terminal import on_terminal
from .info import Field, fields, local_info
from .metrics import Record, parse_line
from .plot import HasMetrics
from .results import read_results, read_results_file

if TYPE_CHECKING:
    from . import Job

__all__ = ["LOG_TAIL", "LocalJob", "fields_text", "return_annotation", "summary", "summary_html", "summary_text"]

LOG_TAIL = 20


def return_annotation(function: Callable[..., Any] | None) -> Any:
    if function is None:
        return Any
    try:
        return typing.get_type_hints(function).get("return", Any)
    except Exception:
        return Any


class LocalJob(HasMetrics, Generic[R]):
    """A job run on this machine, in ``.braketkit/jobs/<name>/``.

    ``LocalJob(Path(".braketkit/jobs/<name>"))`` re-attaches to an earlier run. Generic in what the
    function returns: ``train.local()`` is a ``LocalJob[R]`` whose ``result()`` is an ``R``.

    Args:
        folder: The job's folder; its name is the job's name.
        function: The job's function, whose return annotation rebuilds the result (dataclasses, tuples).
    """

    def __init__(self, folder: Path, function: Callable[..., R] | None = None) -> None:
        self.folder = folder
        self.name = folder.name
        self._function = function

    def __repr__(self) -> str:
        return f"LocalJob({self.name!r}, state={self.state()!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(summary_text(self))

    def _repr_html_(self) -> str:
        return summary_html(self)

    def metadata(self, refresh: bool = True) -> LocalJobRecord:
        """The job's record; a runner killed outright reads FAILED, not RUNNING (status, summaries, state).

        Args:
            refresh: Taken for the cloud handle's sake; a local job's record is always read afresh.
        """
        data = json.loads((self.folder / "job.json").read_text(encoding="utf-8"))
        record: LocalJobRecord = converter.structure(data, LocalJobRecord)
        return settle(self.folder, record)

    def state(self) -> str:
        """The job's state now: ``RUNNING``, ``COMPLETED``, ``FAILED`` or ``CANCELLED``."""
        return self.metadata().state

    @property
    def provenance(self) -> Provenance | None:
        """Where the job's code came from, as its record (``job.json``) keeps it; None for a job recorded before
        braketkit kept provenance."""
        return self.metadata().provenance

    def planned(self) -> PlannedRecord | None:
        """The job's planned record (``braketkit/planned.json`` in its folder): its settings with their origins,
        as planned, and its provenance.

        None when there is none (a job run before braketkit wrote records); a record of a format this braketkit
        does not know, or damaged, or not the one braketkit wrote before the job ran (its digest, kept outside the
        job's folder in ``.braketkit/plans/``, says), is a ``BraketkitError``.
        """
        from .planned import record_of_job

        path = self.folder / RECORD_NAME
        digest = planned_digest(self.folder)
        try:
            with path.open("rb") as handle:
                data = handle.read(RECORD_MAX_BYTES + 1)  # more than that is refused unread (read_record)
        except FileNotFoundError:
            if digest is None:
                return None
            raise BraketkitError(f"the planned record of job {self.name} ({path}) is gone, though braketkit wrote "
                                 "one before the job ran") from None
        if digest is not None and hashlib.sha256(data).hexdigest() != digest:
            raise BraketkitError(f"the planned record of job {self.name} ({path}) is not the one braketkit wrote "
                                 "before the job ran (its SHA-256 is kept in .braketkit/plans/, outside the job's "
                                 "folder): it was changed after the job was planned, by the job's code or a process "
                                 "it left")
        where = f"of job {self.name} in {path}"
        provenance = self.metadata().provenance
        return record_of_job(read_record(data, where), self.name,
                             provenance.archive_sha256 if provenance is not None else None, where)

    def info(self) -> JobInfo:
        """The job as braketkit shows it: state, device, times, folder, failure reason (``--json``)."""
        return local_info(self.metadata(), self.folder, self.failure_reason())

    def wait(self, timeout: float | None = None, poll: float = 0.5) -> str:
        """Block until the job ends (local runs usually have); return its state.

        Args:
            timeout: Seconds to wait at most, then ``TimeoutError``. None waits as long as the job runs.
            poll: Seconds between reads of the job's record.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while (state := self.state()) not in TERMINAL_STATES:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {self.name} is still {state} after {timeout} s")
            time.sleep(poll)
        return state

    def logs(self, follow: bool = False, poll: float = 0.5) -> Iterator[str]:
        """The job's log lines, as the cloud handle gives them.

        Args:
            follow: Keep reading until the job ends, rather than stopping at what is logged now.
            poll: Seconds between reads while following.
        """
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

    def metric_records(self, follow: bool = False, poll: float | None = None) -> Iterator[Record]:
        """Each metric line of the log as it is read (``follow``: until the job ends).

        A line without a timestamp of its own gets the time it was read, as the Braket SDK's local job does.

        Args:
            follow: Keep reading until the job ends, rather than stopping at what is logged now.
            poll: Seconds between reads while following; default half a second.
        """
        for line in self.logs(follow=follow, poll=0.5 if poll is None else poll):
            record = parse_line(line, time.time())
            if record is not None:
                yield record

    def failure_reason(self) -> str | None:
        """Why the job failed or was cancelled (its ``output/failure``), whole; None if it did not."""
        try:
            return (self.folder / "output" / "failure").read_text(encoding="utf-8") or None
        except FileNotFoundError:
            return None

    def call(self) -> JobCall | None:
        """How the job's function was called (``JobCall``): its planned record's, checked against the
        ``braketkit:call-sha256`` tag in ``job.json``; None for a script's job. A job of braketkit 0.1 kept it in its
        hyperparameters.json. A call that does not match its tag is a ``BraketkitError``."""
        from ..plan.legacy import legacy_call
        from .call import trusted_call

        record = self.metadata()
        if (record.entry and not record.tags.get(CALL_TAG) and planned_digest(self.folder) is None
                and (self.folder / "input" / "config").is_dir()):  # a job that ran before braketkit kept a digest
            try:
                found = json.loads((self.folder / "input" / "config" / "hyperparameters.json").read_text("utf-8"))
            except (OSError, ValueError):
                found = None
            if isinstance(found, dict) and "braketkit_entry" in found:  # braketkit 0.1's local job
                return legacy_call({str(key): str(value) for key, value in found.items()})
        return trusted_call(self.planned() if CALL_TAG in record.tags else None, record.tags, self.name)

    def planned_result_format(self) -> str:
        """The ``result_format`` the job was planned with: its planned record's call's (plaintext for a script), the
        record as braketkit wrote it before the job ran, which the digest kept outside the job's folder vouches for.

        Nothing in the job's folder decides it (its hyperparameters.json, ``job.json`` and planned record are the
        job's to write), so a record the job changed, or a job whose plan braketkit kept no digest of (one run
        before it did, or a folder moved away from it), is a ``BraketkitError`` naming that.
        """
        if planned_digest(self.folder) is None:
            raise PickledResults(
                f"braketkit keeps no record of how job {self.name} was planned outside its folder (in "
                ".braketkit/plans/: the job ran before braketkit kept one there, or its folder was moved out of its "
                "project's .braketkit/jobs/), and what is in the folder the job itself could have written, so "
                "braketkit will not unpickle its results; rerun it to read them")
        record = self.planned()
        call = record.call if record is not None else None
        return call.result_format if call is not None else "plaintext"

    def result(self, allow_pickle: bool = False) -> R:
        """What the function returned (None if it returned nothing); JobFailed if it did not finish.

        Args:
            allow_pickle: Read pickled results (``result_format = "pickled_v4"``), which runs the code they
                hold; refused unless the job was planned with that format.
        """
        state = self.wait()
        if state != "COMPLETED":
            tail = "\n".join(list(self.logs())[-LOG_TAIL:])
            raise JobFailed(self.name, state, self.failure_reason(), tail)
        data = read_results_file(self.folder / "model" / contract.RESULTS_FILE, job=self.name)
        if data is None:
            return cast("R", None)
        return cast("R", read_results(data, return_annotation(self._function), job=self.name,
                                      allow_pickle=allow_pickle, planned_format=self.planned_result_format))


def summary(job: Job) -> list[Field]:
    """What a notebook shows of a job, in HTML and as text alike: name, state, where it runs (``info.fields``).

    Reading it never raises: an error reading the state (AWS, a missing job folder) shows as
    state ``unknown`` with the reason. A failure reason shows its first line only.
    """
    try:
        shown = job.info()
    except Exception as error:  # a notebook's repr must never raise
        kind, message = type(error).__name__, str(error)
        reason = message if kind in message else f"{kind}: {message}"
        if isinstance(job, LocalJob):
            shown = JobInfo(name=job.name, state="unknown", folder=str(job.folder), failure_reason=reason)
        else:
            shown = JobInfo(name=job.known_name or job.arn, arn=job.arn, state="unknown", region=job.region,
                            console=job.console_url(), failure_reason=reason)
    return fields(shown)


def fields_text(shown: list[Field], indent: str = "") -> str:
    """Fields as aligned ``label: value`` lines (``braketkit status``, and the summary below)."""
    width = max(len(field.label) for field in shown) + 1
    return "\n".join(f"{indent}{field.label + ':':<{width}} {field.value}" for field in shown)


def summary_text(job: Job) -> str:
    """The summary as text (IPython's pretty printer, a terminal IPython), escaped: its failure reason is the job's."""
    return on_terminal(f"{type(job).__name__}\n{fields_text(summary(job), indent='  ')}")


def summary_html(job: Job) -> str:
    """The summary as an HTML table; every value escaped, the console link only a link."""
    rows = []
    for field in summary(job):
        value = html.escape(field.value)
        if field.link:
            value = f'<a href="{value}" target="_blank" rel="noopener noreferrer">{value}</a>'
        rows.append(f'<tr><th style="text-align:left">{html.escape(field.label)}</th>'
                    f'<td style="text-align:left"><code>{value}</code></td></tr>')
    return f"<div><strong>{type(job).__name__}</strong><table>{''.join(rows)}</table></div>"
