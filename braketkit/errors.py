"""The few exceptions braketkit raises, each with a message written for the user.

``InvalidInput`` is every problem the user can fix before anything reaches AWS
(exit status 2); it carries all problems found at once, not just the first.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = ["AwsError", "BraketkitError", "InvalidInput", "Problem"]


@attrs.frozen
class Problem:
    """One thing wrong with the input: what, where it came from, what is allowed."""

    message: str
    key: str | None = None
    origin: str | None = None

    def __str__(self) -> str:
        return ": ".join(part for part in (self.origin, self.key, self.message) if part)


class BraketkitError(Exception):
    """Base class: anything braketkit reports to the user on purpose."""

    exit_status = 1


class InvalidInput(BraketkitError):
    """Bad settings, reference, argument or source tree; nothing was sent to AWS."""

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


class AwsError(BraketkitError):
    """AWS refused or failed a call; the message says what to do about it."""

    exit_status = 1
