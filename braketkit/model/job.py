"""What braketkit knows of jobs: a local job's record, and what it shows of any job.

A run records ``RUNNING`` in its folder's ``job.json`` with the process running it (its pid, when the OS
started it, the host), and its end when it ends; ``execute.record`` writes records and reads them as they
stand. ``JobInfo`` is what every ``--json``, ``status`` and notebook summary shows of a job, local or cloud.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, NewType

import attrs

from .provenance import SWEEP_TAG, Provenance

__all__ = ["SWEEP_TAG", "TERMINAL_STATES", "CleanReport", "JobInfo", "JobQuery", "Left", "LocalJobRecord", "R",
           "Removal", "UtcTime"]

if TYPE_CHECKING:  # a default (PEP 696) only type checkers read: a handle made from a name alone is a Job[Any]
    from typing_extensions import TypeVar

    R = TypeVar("R", default=Any)
else:
    from typing import TypeVar

    R = TypeVar("R")
"""What a job's function returns: handles and sweeps are generic in it (``Job[R]``, ``Sweep[R]``)."""

UtcTime = NewType("UtcTime", datetime)
"""A moment, time-zone aware and in UTC; written as ISO 8601 (``2024-05-01T10:00:00+00:00``)."""

TERMINAL_STATES = ("COMPLETED", "FAILED", "CANCELLED")
"""Braket's terminal job states; local jobs use the same names."""


@attrs.frozen(kw_only=True)
class LocalJobRecord:
    name: str
    state: str
    device: str
    entry: str
    started_at: str
    ended_at: str | None = None
    exit_code: int | None = None
    runner_pid: int | None = None
    """The process running the job (``braketkit run --local``, or the Python that called ``.local()``)."""
    runner_started: str | None = None
    """When the OS started that process, in its own terms: tells it from a later process given the same pid."""
    runner_host: str | None = None
    """The machine it runs on: a pid says nothing about a job folder shared with another machine."""
    tags: dict[str, str] = attrs.field(factory=dict)
    """The job's tags, as its request carries them (a sweep's job: ``braketkit:sweep``)."""
    provenance: Provenance | None = None
    """Where the job's code came from (``model.provenance``); None in a record written before braketkit kept it."""


@attrs.frozen(kw_only=True)
class JobInfo:
    """A job as braketkit shows it, whichever kind: the one vocabulary of ``--json`` (docs/cli.md).

    A field the job has no value for is None, and left out of JSON.
    """

    name: str
    """The job's name (a local job's: its folder's)."""
    arn: str | None = None
    """A cloud job's ARN."""
    state: str
    """``QUEUED``, ``RUNNING``, ``COMPLETED``, ``FAILED``, ``CANCELLING`` or ``CANCELLED``."""
    device: str | None = None
    """The device's ARN, or ``local:<provider>/<name>``."""
    created: UtcTime | None = None
    """When the job was created (a local job: when it started)."""
    started: UtcTime | None = None
    """When it started running."""
    ended: UtcTime | None = None
    """When it ended."""
    region: str | None = None
    """A cloud job's region."""
    console: str | None = None
    """A cloud job's page in the Amazon Braket console."""
    folder: str | None = None
    """A local job's folder, ``.braketkit/jobs/<name>/``."""
    failure_reason: str | None = None
    """Why it failed or was cancelled, whole."""
    queue: str | None = None
    """The queue a queued cloud job waits in (``JOBS_QUEUE``)."""
    queue_position: str | None = None
    """As the service gives it: a number (``"2"``), or ``">15"``; None when it has none."""
    queue_message: str | None = None
    """What the service says about the queue, if anything."""
    sweep: str | None = None
    """The id of the sweep the job is part of (its ``braketkit:sweep`` tag)."""


@attrs.frozen(kw_only=True)
class JobQuery:
    """Which jobs ``braketkit list`` shows; a filter left at None (or empty) lets every job through."""

    states: frozenset[str] = frozenset()
    device: str | None = None
    """A device ARN or ``local:<provider>/<name>``, aliases already expanded."""
    since: UtcTime | None = None
    """Jobs created at this moment or later."""
    name_prefix: str | None = None
    sweep: str | None = None
    """Jobs of this sweep (tagged ``braketkit:sweep`` with it)."""
    limit: int | None = None
    """The newest this many, after the filters."""


@attrs.frozen(kw_only=True)
class Removal:
    """A local job folder or cached archive ``braketkit clean`` removed (or, in a dry run, would remove)."""

    kind: str
    """``job`` or ``archive``."""
    name: str
    path: str
    bytes: int
    last_used: UtcTime | None = None
    """A job: when it ended; an archive: when it was last built."""


@attrs.frozen(kw_only=True)
class Left:
    """A folder ``braketkit clean`` left in place, and why."""

    path: str
    reason: str


@attrs.frozen(kw_only=True)
class CleanReport:
    """What ``braketkit clean`` did: removed, kept (running, or ended too recently), and could not judge or remove."""

    dry_run: bool
    cutoff: UtcTime
    """What ended (or was last built) by this moment, to the second, is removed."""
    removed: list[Removal]
    bytes_freed: int
    running: list[str]
    kept_recent: int
    skipped: list[Left]
    """Folders that are not job folders braketkit can read (no or a damaged job.json, a link)."""
    failed: list[Left]
    """What could not be removed, with the reason."""
