"""Amazon Braket's spending limits, as ``braketkit limits`` and Python use them.

Arguments are what a user types: a device alias (the project's
``[tool.braketkit.devices]``, then Braket's) or ARN, an amount as decimal text,
dates in ISO 8601. Everything that can be checked without AWS is checked
first, all at once (``plan.limits``); then come the read (SearchSpendingLimits)
and the change (``execute.spending``).
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from . import catalog
from .errors import InvalidInput, Problem
from .execute import spending as change
from .execute.retry import RetryPolicy
from .model.spending import SpendingLimit
from .plan import limits as check
from .plan.spending import search
from .resolve import resolve

if TYPE_CHECKING:
    from .aws import Aws

__all__ = ["Project", "delete_limit", "list_limits", "read_project", "set_limit", "update_limit"]

Project = tuple[dict[str, str], str | None]
"""The project's device aliases and its region (``region``, else its device's)."""


def read_project(start: Path | None = None) -> Project:
    """The aliases and region of the ``pyproject.toml`` at or above ``start`` (the working directory): the region
    its jobs go to, ``region`` or its device's (a QPU's ARN names one)."""
    resolved = resolve(start=start or Path.cwd(), environ=os.environ)
    device_region = catalog.device_region(resolved.device) if resolved.device else None
    return dict(resolved.settings.devices), resolved.settings.region or device_region


def _gateway(aws: Aws | None) -> Aws:
    from .aws import shared

    return aws or shared()


def _region(aws: Aws, thing: str | None, named: str | None, given: str | None, setting: str | None,
            problems: list[Problem]) -> str:
    """``--region``, else the one ``thing`` (a QPU or a limit) names in its ARN, else the project's ``region``, else
    the AWS configuration's. A ``--region`` other than the ARN's is a problem: limits live in their device's region."""
    if given and named and given != named:
        problems.append(Problem(f"{thing} is in {named}, but --region is {given}; a device's spending limits are "
                                "in its own region, so leave --region out or make them agree", "--region"))
    region = given or named or setting or aws.region
    if not region:
        problems.append(Problem("no region: give --region, or set region in [tool.braketkit], AWS_REGION or an AWS "
                                "profile's region", "--region"))
    return region or ""


def _device(reference: str, aliases: dict[str, str], key: str, problems: list[Problem]) -> str | None:
    try:
        return check.qpu(reference, aliases, key)
    except InvalidInput as error:
        problems += error.problems
        return None


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise InvalidInput(problems)


def list_limits(*, device: str | None = None, region: str | None = None, project: Project | None = None,
                aws: Aws | None = None) -> tuple[list[SpendingLimit], str]:
    """The region's spending limits (of one device, if given), oldest first, and the region.

    Args:
        device: Only this QPU's limits: one of the project's aliases, or a device ARN.
        region: The region to list; default: the device's, else the project's, else the AWS configuration's.
        project: The project's device aliases and region; default: read from the ``pyproject.toml`` at or
            above the working directory, as the command line does.
        aws: The AWS gateway to call through; default: the process's for the present AWS configuration.
    """
    aws = _gateway(aws)
    aliases, setting = project or read_project()
    problems: list[Problem] = []
    arn = _device(device, aliases, "--device", problems) if device is not None else None
    where = _region(aws, arn, catalog.device_region(arn) if arn else None, region, setting, problems) \
        if arn or device is None else ""  # no region to judge for a device refused already
    _raise(problems)
    return sorted(search(aws.braket(where), device=arn), key=lambda limit: limit.created_at), where


def set_limit(device: str, amount: str, *, start: str | None = None, until: str | None = None,
              region: str | None = None, project: Project | None = None, policy: RetryPolicy | None = None,
              quiet: bool = False, aws: Aws | None = None) -> tuple[str, str]:
    """A new spending limit on a QPU (retried under one client token): its ARN, and its region.

    Every problem with the arguments is reported at once, before any AWS call.

    Args:
        device: The QPU: one of the project's aliases, or a device ARN (simulators take no limits).
        amount: US dollars as decimal text (``"100"``, ``"99.50"``), sent exactly as written, never through
            a float.
        start: When the period begins, ISO 8601, local time unless it names a zone. Needs ``until``.
        until: When the period ends; a date alone means the end of that day. Alone, the period starts now.
            Without either, no period is sent: the limit is in force from now on, with the period the
            service gives it.
        region: Default: the region in the device's ARN, else the project's, else the AWS configuration's.
        project: The project's device aliases and region; default: read from the nearest ``pyproject.toml``.
        policy: How long and how to retry; default: backoff for up to 15 minutes.
        quiet: No retry lines on stderr.
        aws: The AWS gateway to call through; default: the process's for the present AWS configuration.
    """
    aws = _gateway(aws)
    aliases, setting = project or read_project()
    problems: list[Problem] = []
    arn = _device(device, aliases, "DEVICE", problems)
    wrong = check.amount_problem(amount)
    problems += [wrong] if wrong else []
    time_period = None
    try:
        time_period = check.period(check.moments(start, until), datetime.now(timezone.utc))
    except InvalidInput as error:
        problems += error.problems
    where = _region(aws, arn, catalog.device_region(arn), region, setting, problems) if arn else ""
    _raise(problems)
    assert arn is not None
    request = check.create_request(arn, amount, time_period, str(uuid.uuid4()))
    return change.create(aws, request, where, policy=policy, quiet=quiet), where


def _find(aws: Aws, reference: str, region: str | None, project: Project | None,
          problems: list[Problem]) -> tuple[SpendingLimit, str]:
    """The one limit ``reference`` names (a limit's ARN, or a QPU that has exactly one), and its region.

    ``problems`` found before are reported with this one's own, before any AWS call.
    """
    aliases, setting = project or read_project()
    device = limit = None
    if check.is_limit_arn(reference):
        wrong = check.limit_arn_problem(reference, "LIMIT_OR_DEVICE")
        problems += [wrong] if wrong else []
        limit = None if wrong else reference
    else:
        device = _device(reference, aliases, "LIMIT_OR_DEVICE", problems)
    named = limit.split(":")[3] if limit else catalog.device_region(device) if device else None
    where = _region(aws, limit or device, named, region, setting, problems) if limit or device else ""
    _raise(problems)
    found = search(aws.braket(where), device=device, limit=limit)
    if not found:
        raise InvalidInput([Problem(f"no spending limit {limit} in {where}" if limit else
                                    f"no spending limit on {device} in {where}; `braketkit limits set` makes one",
                                    "LIMIT_OR_DEVICE")])
    if len(found) > 1:
        arns = ", ".join(item.spending_limit_arn for item in found)
        raise InvalidInput([Problem(f"{reference} has {len(found)} spending limits in {where}; give the ARN of the "
                                    f"one you mean: {arns}", "LIMIT_OR_DEVICE")])
    return found[0], where


def update_limit(reference: str, amount: str | None = None, *, start: str | None = None, until: str | None = None,
                 region: str | None = None, project: Project | None = None, policy: RetryPolicy | None = None,
                 quiet: bool = False, aws: Aws | None = None) -> tuple[SpendingLimit, str]:
    """Change a limit's amount, period or both (retried under one client token): the limit as it was, and its region.

    Args:
        reference: The limit's ARN, or a QPU (alias or ARN) with exactly one limit.
        amount: The new amount, US dollars as decimal text; None keeps it.
        start: The period's new beginning, ISO 8601; None keeps it.
        until: The period's new end; a date alone means the end of that day; None keeps it.
        region: Default: the region in the ARN, else the project's, else the AWS configuration's.
        project: The project's device aliases and region; default: read from the nearest ``pyproject.toml``.
        policy: How long and how to retry; default: backoff for up to 15 minutes.
        quiet: No retry lines on stderr.
        aws: The AWS gateway to call through; default: the process's for the present AWS configuration.
    """
    aws = _gateway(aws)
    problems: list[Problem] = []
    if amount is None and start is None and until is None:
        problems.append(Problem("nothing to change: give AMOUNT, --from or --until", "LIMIT_OR_DEVICE"))
    wrong = check.amount_problem(amount) if amount is not None else None
    problems += [wrong] if wrong else []
    given: check.Moments = (None, None)
    now = datetime.now(timezone.utc)
    try:
        given = check.moments(start, until)
        if None not in given:  # both ends given: judged before any call
            check.period(given, now)
    except InvalidInput as error:
        problems += error.problems
    before, where = _find(aws, reference, region, project, problems)
    time_period = check.period(given, now, before.time_period)
    request = check.update_request(before.spending_limit_arn, amount, time_period, str(uuid.uuid4()))
    change.update(aws, request, where, policy=policy, quiet=quiet)
    return before, where


def delete_limit(reference: str, *, region: str | None = None, project: Project | None = None,
                 policy: RetryPolicy | None = None, quiet: bool = False,
                 aws: Aws | None = None) -> tuple[SpendingLimit, str]:
    """Delete a limit (its ARN, or a QPU with exactly one): the limit as it was, and its region.

    Args:
        reference: The limit's ARN, or a QPU (alias or ARN) with exactly one limit.
        region: Default: the region in the ARN, else the project's, else the AWS configuration's.
        project: The project's device aliases and region; default: read from the nearest ``pyproject.toml``.
        policy: How long and how to retry; default: backoff for up to 15 minutes.
        quiet: No retry lines on stderr.
        aws: The AWS gateway to call through; default: the process's for the present AWS configuration.
    """
    aws = _gateway(aws)
    before, where = _find(aws, reference, region, project, [])
    change.delete(aws, before.spending_limit_arn, where, policy=policy, quiet=quiet)
    return before, where
