"""What braketkit records about a local job, in its folder's ``job.json``."""

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
