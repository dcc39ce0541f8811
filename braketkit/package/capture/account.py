"""What the generated module holds, told for the plan: values written as they are, statements replayed.

Data only: the writer fills it, ``braketkit plan`` shows it (text and ``--json``), the planner checks the files
replayed statements read against what the archive ships.
"""

from __future__ import annotations

import attrs

__all__ = ["CapturedValue", "FileRead", "Reason", "ReplayedStatement"]


@attrs.frozen(kw_only=True)
class CapturedValue:
    """A global written as its value at submission."""

    name: str
    type: str
    """``int``, ``numpy.ndarray``, ``range``..."""
    place: str | None
    """The cell or line that last bound it (``cell [4], line 6``), when the session's history shows one."""
    source_bytes: int
    """How much source the value takes in the module (at most ``MAX_LITERAL``)."""
    same_as: str | None = None
    """For a second name bound to one list, dict, set or array: the global it is written as (``b = a``)."""


@attrs.frozen(kw_only=True)
class Reason:
    """Why a statement is replayed: it makes (or updates) ``name``, which ``used_by`` uses."""

    name: str
    used_by: str
    """A function (``qaoa_layer``) or another replayed statement's place (``cell [9], line 7``)."""
    update: bool = False
    """It changes ``name`` in place after the statement that made it (``graph.add_edge(1, 2)``)."""


@attrs.frozen(kw_only=True)
class ReplayedStatement:
    """A top-level statement of the session, run again in the job in its original order."""

    text: str
    place: str
    """Where it ran: ``cell [4], line 15``, ``train.py:12``."""
    binds: list[str]
    needed_for: list[Reason]


@attrs.frozen(kw_only=True)
class FileRead:
    """A file (or folder) a replayed statement names, relative to the working directory: the job must have it."""

    path: str
    place: str
    statement: str
    """The statement's first line, as messages quote it."""
    reason: Reason
