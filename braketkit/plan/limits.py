"""Spending-limit requests from what a user types: device, amount, dates. Pure: nothing here talks to AWS.

Amounts stay the decimal text the user wrote (never a float), checked against
the service model's pattern; dates are ISO 8601, local time unless they name a zone (``parse_moment``);
devices are the project's aliases, Braket's, or ARNs, and must be QPUs. Every
problem is found before any call, and reported together.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation

from .. import catalog
from ..converter import MOMENT_FORMS, converter, parse_moment
from ..errors import InvalidInput, Problem
from ..model.spending import CreateSpendingLimitRequest, TimePeriod, UpdateSpendingLimitRequest
from . import service_model
from .validate import validate

__all__ = [
    "amount_problem",
    "create_request",
    "is_limit_arn",
    "limit_arn_problem",
    "moment",
    "moments",
    "period",
    "qpu",
    "update_request",
]


def _member(operation: str, member: str) -> dict[str, object]:
    shape: dict[str, object] = service_model.shapes()[
        service_model.shapes()[service_model.input_shape(operation)]["members"][member]["shape"]]
    return shape


def amount_problem(text: str, key: str = "AMOUNT") -> Problem | None:
    """What keeps ``text`` from being an amount the service takes (its pattern decides), said plainly; or None."""
    pattern = str(_member("CreateSpendingLimit", "spendingLimit")["pattern"])
    if service_model.matches(pattern, text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is not None and value.is_finite() and value < 0:
        return Problem(f"{text!r} is negative; a spending limit is an amount of US dollars, 0 or more", key)
    exponent = value.as_tuple().exponent if value is not None and value.is_finite() else 0
    if isinstance(exponent, int) and exponent < -2 and re.fullmatch(r"\d+\.\d+", text, re.ASCII):
        return Problem(f"{text!r} has {-exponent} decimals; amounts are US dollars to the cent, with at most 2", key)
    return Problem(f"{text!r} is not an amount: write US dollars as digits with at most 2 decimals and no sign or "
                   f"unit, such as 100 or 99.50 (the service's pattern is {pattern})", key)


def moment(text: str, key: str, *, end_of_day: bool = False) -> datetime:
    """``--from`` or ``--until`` read by ``parse_moment`` (a date alone ``--until`` means the end of that day)."""
    try:
        return parse_moment(text, end_of_day=end_of_day)
    except ValueError:
        raise InvalidInput([Problem(f"{text!r} is not {MOMENT_FORMS}", key)]) from None
    except OverflowError as error:
        raise InvalidInput([Problem(str(error), key)]) from None


def _shown(moment: datetime, end: bool = False) -> str:
    """A moment in UTC; an ``end`` at midnight also as the end of the day before, as ``--until DAY`` writes it."""
    utc = moment.astimezone(timezone.utc)
    if utc.time() == time(0):
        return f"{utc:%Y-%m-%d} 00:00 UTC" + (f" (the end of {utc - timedelta(days=1):%Y-%m-%d})" if end else "")
    return f"{utc:%Y-%m-%d %H:%M:%S} UTC"


Moments = tuple[datetime | None, datetime | None]
"""``--from`` and ``--until`` as read, each None when not given."""


def moments(start: str | None, until: str | None) -> Moments:
    """``--from`` and ``--until`` read (a date alone ``--until`` means the end of that day); both reported if bad."""
    problems: list[Problem] = []
    found: list[datetime | None] = []
    for text, key, end in ((start, "--from", False), (until, "--until", True)):
        try:
            found.append(moment(text, key, end_of_day=end) if text is not None else None)
        except InvalidInput as error:
            problems += error.problems
    if problems:
        raise InvalidInput(problems)
    return found[0], found[1]


def period(given: Moments, now: datetime, earlier: TimePeriod | None = None) -> TimePeriod | None:
    """The period ``--from`` and ``--until`` give, None when neither is. An end left out is ``earlier``'s (an
    update); a start left out is ``earlier``'s, or now for a new limit. It must end after it starts, and after now."""
    begins, ends = given
    if begins is None and ends is None:
        return None
    key = "--until" if ends is not None else "--from"
    if ends is None:
        if earlier is None:
            raise InvalidInput([Problem("a new limit's period needs an end: give --until as well (or neither, for a "
                                        "limit with no period)", "--from")])
        ends = earlier.end_at
    begins = begins or (earlier.start_at if earlier else now.replace(microsecond=0))
    if ends <= now:
        raise InvalidInput([Problem(f"the period would end at {_shown(ends, end=True)}, which has passed, so the "
                                    "limit would never apply", key)])
    if ends <= begins:
        raise InvalidInput([Problem(f"the period would end at {_shown(ends, end=True)}, not after it starts, at "
                                    f"{_shown(begins)}", key)])
    return TimePeriod(start_at=begins, end_at=ends)


def qpu(reference: str, aliases: dict[str, str], key: str = "DEVICE") -> str:
    """The ARN of the QPU ``reference`` names: an alias (the project's first, then Braket's) or an ARN."""
    device = catalog.expand_device(reference, aliases)
    if device is None:
        qpus = sorted(alias for alias, target in aliases.items()
                      if catalog.is_qpu(catalog.expand_device(target, aliases) or ""))
        known = f"this project's: {', '.join(qpus)}" if qpus else "a project names its own in [tool.braketkit.devices]"
        raise InvalidInput([Problem(f"unknown device {reference!r}; expected a QPU's device ARN or an alias of one "
                                    f"({known})", key)])
    if not catalog.is_qpu(device):
        named = reference if reference == device else f"{reference} ({device})"
        kind = "a simulator" if "device/quantum-simulator/" in device or device.startswith("local:") else "not a QPU"
        raise InvalidInput([Problem(f"{named} is {kind}; Amazon Braket takes spending limits for QPUs only "
                                    "(simulators do not support them)", key)])
    return device


def is_limit_arn(value: str) -> bool:
    """An ARN of a spending limit, as UpdateSpendingLimit and DeleteSpendingLimit take it."""
    return value.startswith("arn:") and ":spending-limit/" in value


def limit_arn_problem(value: str, key: str) -> Problem | None:
    pattern = str(_member("DeleteSpendingLimit", "spendingLimitArn")["pattern"])
    if service_model.matches(pattern, value):
        return None
    return Problem(f"{value!r} is not a spending limit's ARN (the pattern is {pattern})", key)


def _checked(data: dict[str, object], operation: str, keys: dict[str, str]) -> None:
    """Every violation of the service model, each against the argument that made it."""
    violations = validate(data, service_model.input_shape(operation))
    problems: list[Problem] = []
    for path, message in violations:
        if path == "spendingLimit":
            found = amount_problem(str(data["spendingLimit"]), keys[path])
            problems += [found] if found else []
        else:
            problems.append(Problem(f"{message} (request member {path})", keys.get(path.split(".")[0])))
    if problems:
        raise InvalidInput(problems)


def create_request(device: str, amount: str, time_period: TimePeriod | None,
                   token: str) -> CreateSpendingLimitRequest:
    """A CreateSpendingLimit request, checked against the service model."""
    request = CreateSpendingLimitRequest(client_token=token, device_arn=device, spending_limit=amount,
                                         time_period=time_period)
    _checked(converter.unstructure(request), "CreateSpendingLimit", {
        "deviceArn": "DEVICE", "spendingLimit": "AMOUNT", "timePeriod": "--from"})
    return request


def update_request(limit: str, amount: str | None, time_period: TimePeriod | None,
                   token: str) -> UpdateSpendingLimitRequest:
    """An UpdateSpendingLimit request, checked against the service model."""
    request = UpdateSpendingLimitRequest(spending_limit_arn=limit, client_token=token, spending_limit=amount,
                                         time_period=time_period)
    _checked(converter.unstructure(request), "UpdateSpendingLimit", {
        "spendingLimitArn": "LIMIT_OR_DEVICE", "spendingLimit": "AMOUNT", "timePeriod": "--from"})
    return request


