"""What braketkit records about a local job, in its folder's ``job.json``.

A run records ``RUNNING`` with the process running it (its pid, when the OS started it, the host), and
its end when it ends; ``execute.record`` writes records and reads them as they stand.
"""

from __future__ import annotations

import attrs

__all__ = ["TERMINAL_STATES", "LocalJobRecord"]

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
