"""Every exception braketkit raises to the user, each with a message written for them.

``InvalidInput`` is every problem the user can fix before anything reaches AWS
(exit status 2); it carries all problems found at once, not just the first. The
others derive from ``BraketkitError`` too, but for the reports of a Ctrl-C
(``SweepInterrupted``, ``SubmissionInterrupted``, ``LocalRunCancelled``), which stay
``KeyboardInterrupt``s so that ``except Exception`` never swallows an interruption.
docs/errors.md shows the tree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import attrs

from .terminal import on_terminal

if TYPE_CHECKING:
    from .job import LocalJob
    from .sweep import Sweep

__all__ = [
    "AwsError", "BraketkitError", "DamagedResults", "InvalidInput", "JobFailed", "LocalRunCancelled", "LocalRunError",
    "MissingExtra", "PickledResults", "Problem", "QuotaExceeded", "ResultsError", "SourceMismatch",
    "SpendingLimitReached", "SubmissionInterrupted", "SweepFailed", "SweepInterrupted", "UnsafeArchive",
    "show_plainly_when_uncaught", "shown",
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


SHOWN_LENGTH = 100
"""The most characters a message quotes of a value; a longer one is cut in the middle."""


def shown(value: object) -> str:
    """A value as a message quotes it: its ``repr``, cut in the middle past ``SHOWN_LENGTH`` characters, so that a
    pasted file or a 5000-digit number does not flood the terminal; an integer too long for Python to write as text
    (``sys.get_int_max_str_digits``) is named by its number of digits."""
    import math

    try:
        text = repr(value)
    except ValueError:  # an int over the digits limit: only it raises ValueError from repr
        digits = math.floor(math.log10(abs(value))) + 1 if isinstance(value, int) and value else 0
        return f"<an integer of {digits} digits>"
    if len(text) <= SHOWN_LENGTH:
        return text
    size = f"{len(value)} characters" if isinstance(value, str) else f"{len(text)} characters as text"
    return f"{text[:SHOWN_LENGTH * 2 // 3]}...{text[-(SHOWN_LENGTH // 6):]} ({size})"


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


class JobFailed(BraketkitError):
    """The job failed or was cancelled: its failure reason and the tail of its log.

    Args:
        name: The job's name.
        state: ``FAILED`` or ``CANCELLED``.
        reason: The job's failure reason, if it has one.
        log_tail: The last lines of its log, which usually show what went wrong.
    """

    exit_status = 1

    def __init__(self, name: str, state: str, reason: str | None, log_tail: str) -> None:
        self.name, self.state, self.reason, self.log_tail = name, state, reason, log_tail
        lines = [f"job {name} {'was cancelled' if state == 'CANCELLED' else 'failed'}"]
        if reason:  # the job wrote both: escaped for the terminal or notebook the message is printed on
            lines.append(f"failure reason:\n{on_terminal(reason.rstrip())}")
        if log_tail:
            lines.append(f"last lines of its log:\n{on_terminal(log_tail.rstrip())}")
        super().__init__("\n".join(lines))


class ResultsError(BraketkitError):
    """A job's results cannot be read or extracted; the message names the job and what is wrong."""


class UnsafeArchive(ResultsError):
    """The archive holds something braketkit will not create (or too much of it); nothing was extracted."""


class DamagedResults(ResultsError):
    """The archive or its results.json is damaged (truncated, not gzip, not tar, not JSON, wrong shape)."""


class PickledResults(ResultsError):
    """The results are pickled and were not (or may not be) unpickled; the message says what to do."""


class SourceMismatch(BraketkitError):
    """A job's source archive is not the one it ran: its bytes no longer hash to the digest the job records.

    Nothing was run, submitted or compared from it.
    """


class LocalRunError(BraketkitError):
    """The machine could not host the run (an unwritable folder, a full disk)."""


class LocalRunCancelled(KeyboardInterrupt):
    """Ctrl-C (or a notebook's stop button) ended a local run: the job is recorded CANCELLED, and the
    interruption goes on, so a loop of runs or a sweep stops too.

    Args:
        job: The cancelled job's handle, kept as ``job``: its folder holds the log up to the interruption.
    """

    def __init__(self, job: LocalJob) -> None:
        super().__init__(f"local job {job.name} cancelled")
        self.job = job


class SubmissionInterrupted(KeyboardInterrupt):
    """Ctrl-C while submitting: says whether the job may exist, with its name, client token and region, and
    how to find it. A KeyboardInterrupt still, so a loop of submissions stops too.

    Args:
        job_name: The job being submitted, to look for with ``braketkit status``.
        client_token: The plan's client token: submitting the same plan again reuses it, and cannot make a
            second job.
        region: Where to look for the job.
        attempts: How many times CreateJob was sent.
        may_exist: Whether a CreateJob went out without a clear answer, so that the job may exist.
    """

    def __init__(self, job_name: str, client_token: str, region: str, attempts: int, may_exist: bool) -> None:
        self.job_name, self.client_token, self.region = job_name, client_token, region
        self.attempts, self.may_exist = attempts, may_exist
        if may_exist:
            sent = "once" if attempts == 1 else f"{attempts} times"
            message = (
                f"interrupted while submitting job {job_name}: CreateJob was sent ({sent}) without a clear "
                f"answer, so the job may exist. Find it with `braketkit status {job_name} --region {region}` "
                f"or `braketkit list --region {region} --since 1h` before running it again (client token "
                f"{client_token}; submitting the same plan again reuses it and cannot create a second job).")
        elif attempts:
            times = "the one time" if attempts == 1 else f"each of the {attempts} times"
            message = (f"interrupted while submitting job {job_name}: no job was created (CreateJob was refused "
                       f"{times} it was sent).")
        else:
            message = f"interrupted while submitting job {job_name}: no job was created (CreateJob was not sent)."
        super().__init__(message)


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
