"""The few exceptions braketkit raises, each with a message written for the user.

``InvalidInput`` is every problem the user can fix before anything reaches AWS
(exit status 2); it carries all problems found at once, not just the first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from .sweep import Sweep

__all__ = [
    "AwsError", "BraketkitError", "InvalidInput", "MissingExtra", "Problem", "QuotaExceeded", "SpendingLimitReached",
    "SweepFailed", "SweepInterrupted", "show_plainly_when_uncaught",
]


@attrs.frozen
class Problem:
    """One thing wrong with the input: what, where it came from, what is allowed.

    Shown as ``origin: key: message``, the parts it has.

    Attributes:
        message: What is wrong and what is allowed.
        key: The setting or argument at fault (``instance.count``, ``--since``), if any.
        origin: Where the value came from (``pyproject.toml:14``, ``env BRAKETKIT_DEVICE``), if known.
    """

    message: str
    key: str | None = None
    origin: str | None = None

    def __str__(self) -> str:
        return ": ".join(part for part in (self.origin, self.key, self.message) if part)


class BraketkitError(Exception):
    """Base class: anything braketkit reports to the user on purpose."""

    exit_status = 1

    def _render_traceback_(self) -> list[str]:
        """What IPython and Jupyter show for it: the message, not braketkit's frames (IPython's own hook)."""
        return [f"{type(self).__name__}: {self}"]


class InvalidInput(BraketkitError):
    """Bad settings, reference, argument or source tree; nothing was sent to AWS.

    Args:
        problems: Every problem found, each a ``Problem`` (or its message alone); all are reported at once,
            so that one run shows everything to fix. Kept as ``problems``.
    """

    exit_status = 2

    def __init__(self, problems: Iterable[Problem | str]) -> None:
        self.problems = [p if isinstance(p, Problem) else Problem(p) for p in problems]
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems:"]
        lines += [f"  - {problem}" for problem in self.problems]
        return "\n".join(lines)


class MissingExtra(BraketkitError, ImportError):
    """An optional part of braketkit is not installed (``pip install 'braketkit[plot]'``); nothing was sent to AWS.

    An ImportError too, so code that treats a missing package as optional keeps working.
    """

    exit_status = 2


class AwsError(BraketkitError):
    """AWS refused or failed a call; the message says what to do about it."""

    exit_status = 1


class QuotaExceeded(AwsError):
    """The service refused CreateJob for a service quota (ServiceQuotaExceededException): nothing was created.

    A sweep waits for one of its jobs to end and sends the same request again; a single call reports it.
    """


class SweepFailed(BraketkitError):
    """A sweep stopped on an error: the message names every job it created and how to find them again.

    ``sweep`` holds them all (``sweep.errors`` says why the rest have no job; ``sweep.resume()`` submits
    them under their own client tokens). The exit status is that of the error that stopped it.

    Args:
        report: The message: the jobs created, what became of the other calls, how to find them.
        sweep: The sweep, with every job it created.
        error: The error that stopped it (also the exception's cause).
    """

    def __init__(self, report: str, sweep: Sweep, error: BaseException) -> None:
        super().__init__(report)
        self.sweep = sweep
        self.exit_status = getattr(error, "exit_status", 1)


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep: the message names every job it created and how to find them again.

    A KeyboardInterrupt still, so the program stops; ``sweep`` holds the jobs, and ``sweep.resume()``
    submits the calls left under their own client tokens.

    Args:
        report: The message: the jobs created, what became of the other calls, how to find them.
        sweep: The sweep, with every job it created.
    """

    exit_status = 130

    def __init__(self, report: str, sweep: Sweep) -> None:
        super().__init__(report)
        self.sweep = sweep

    def _render_traceback_(self) -> list[str]:
        """What IPython and Jupyter show for it: the report, not braketkit's frames."""
        return [f"{type(self).__name__}: {self}"]


class SpendingLimitReached(BraketkitError):
    """The QPU's spending limit in force has nothing left, so the job was not submitted: a refusal that sent
    nothing (no upload, no CreateJob), hence the exit status of bad input."""

    exit_status = 2


def show_plainly_when_uncaught() -> None:
    """In a script, an uncaught braketkit error shows its message, not braketkit's traceback.

    The CLI does this itself; a researcher's ``python train.py`` gets the same:
    ``error: <message>`` and the error's exit status. (IPython and Jupyter ask the
    error itself, through ``_render_traceback_``.)
    """
    import sys

    if not getattr(sys.excepthook, "braketkit", False):
        sys.excepthook = _plain_hook(sys.excepthook)


def _plain_hook(previous: Callable[..., object]) -> Callable[..., object]:
    def hook(kind: type[BaseException], error: BaseException, traceback: object) -> None:
        if not isinstance(error, (BraketkitError, SweepInterrupted)):
            previous(kind, error, traceback)
            return
        import atexit
        import os
        import sys

        print(f"{error}" if isinstance(error, KeyboardInterrupt) else f"error: {error}", file=sys.stderr)
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(error.exit_status)  # the status a shell script can test, as the CLI gives it

    hook.braketkit = True  # type: ignore[attr-defined]
    return hook
