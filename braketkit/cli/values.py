"""The job commands' option values read into what the library takes: states, a device, times, a name prefix.

Everything is read before anything is sent, and every bad value is reported at once (InvalidInput, exit 2).
A duration is the one grammar of the settings (``parse_duration``: ``7d``, ``2h``, ``1h30m``, seconds);
a date or time without a zone is this machine's local time, as people type it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import click

from .. import catalog
from ..converter import MOMENT_FORMS, parse_moment
from ..duration import parse_duration
from ..errors import InvalidInput, Problem
from ..model.job import JobQuery, UtcTime

__all__ = ["POLL_SECONDS", "read_ago", "read_query", "read_since"]

Given = TypeVar("Given")
Read = TypeVar("Read")

DURATION = "a duration such as 7d, 12h, 30m or 1h30m (a bare number is seconds)"


class _PollSeconds(click.ParamType):  # type: ignore[type-arg,unused-ignore]
    """Seconds between checks: a finite number from 0.01 to an hour (``nan`` and ``inf`` pass a plain range)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not 0.01 <= seconds <= 3600:  # false for nan too
            self.fail(f"{value!r} is not from 0.01 to 3600 seconds", param, ctx)
        return seconds


POLL_SECONDS = _PollSeconds()


def read_ago(text: str, option: str, now: datetime) -> UtcTime:
    """``now`` less the duration ``text`` (``--older-than 7d``)."""
    try:
        seconds = parse_duration(text.strip())
    except ValueError:
        raise InvalidInput([Problem(f"{text!r} is not {DURATION}", option)]) from None
    try:
        return UtcTime((now - timedelta(seconds=seconds)).astimezone(timezone.utc).replace(microsecond=0))
    except OverflowError:
        raise InvalidInput([Problem(f"{text!r} reaches back before the year 1", option)]) from None


def read_since(text: str, now: datetime) -> UtcTime:
    """A duration back from ``now``, or a date or time (``parse_moment``: ``2024-05-01``, ``2024-05-01T14:00Z``)."""
    try:
        parse_duration(text.strip())
    except ValueError:
        pass
    else:
        return read_ago(text, "--since", now)
    try:
        return UtcTime(parse_moment(text))
    except ValueError:
        raise InvalidInput([Problem(f"{text!r} is neither {DURATION} nor {MOMENT_FORMS}", "--since")]) from None
    except OverflowError as error:
        raise InvalidInput([Problem(str(error), "--since")]) from None


def _states(values: Sequence[str]) -> frozenset[str]:
    from ..job.listing import job_states

    known = job_states()
    given = [part.strip() for value in values for part in value.split(",") if part.strip()]
    wrong = [value for value in given if value.upper() not in known]
    if wrong or not given:
        what = (f"{', '.join(map(repr, wrong))} {'is no job state' if len(wrong) == 1 else 'are no job states'}"
                if wrong else "names no state")
        raise InvalidInput([Problem(f"{what}; expected {', '.join(known)} (several: repeat --state, or separate them "
                                    "with commas)", "--state")])
    return frozenset(value.upper() for value in given)


def _device(value: str, aliases: Callable[[], dict[str, str]]) -> str:
    known = {} if catalog.is_device_reference(value) else aliases()
    device = catalog.expand_device(value, known)
    if device is None:
        raise InvalidInput([Problem(catalog.unknown_device(value, known), "--device")])
    return device


def _name_prefix(value: str) -> str:
    from ..plan.validate import job_name_prefix_problem

    problem = "is empty; give the start of a job name" if not value else job_name_prefix_problem(value)
    if problem:
        raise InvalidInput([Problem(problem, "--name")])
    return value


def _sweep(value: str) -> str:
    from ..model.job import SWEEP_TAG
    from ..plan.validate import SUPPLEMENTS

    longest = SUPPLEMENTS[("TagsMap", "value")]["max"]
    tag = f"the value of its jobs' {SWEEP_TAG} tag, at most {longest} characters"
    if not value.strip():
        raise InvalidInput([Problem(f"is empty; give a sweep's id: {tag}", "--sweep")])
    if len(value) > longest:
        raise InvalidInput([Problem(f"is {len(value)} characters long; a sweep's id is {tag}", "--sweep")])
    return value


def _gather(problems: list[Problem], read: Callable[[Given], Read], given: Given | None) -> Read | None:
    """``read(given)``, or None: nothing given, or what was wrong with it added to ``problems``."""
    if given is None:
        return None
    try:
        return read(given)
    except InvalidInput as error:
        problems += error.problems
        return None


def read_query(*, states: Sequence[str], device: str | None, since: str | None, name: str | None, limit: int | None,
               aliases: Callable[[], dict[str, str]], now: datetime, sweep: str | None = None) -> JobQuery:
    """The filters of ``braketkit list``; ``aliases``: the project's device aliases, asked for only when needed."""
    problems: list[Problem] = []
    query = JobQuery(
        states=_gather(problems, _states, states or None) or frozenset(),
        device=_gather(problems, lambda value: _device(value, aliases), device),
        since=_gather(problems, lambda value: read_since(value, now), since),
        name_prefix=_gather(problems, _name_prefix, name),
        sweep=_gather(problems, _sweep, sweep),
        limit=limit,
    )
    if problems:
        raise InvalidInput(problems)
    return query
