"""What a job may cost: the device's spending limit, and the most instance time the job can take.

Amazon Braket's spending limits are per QPU (simulators have none) and per
region. SearchSpendingLimits reports each with what was spent and what is
queued against it; what is left is the limit minus both. The plan looks the
device's limit up read-only, never offline or for a local run, and a failed
lookup is a note, not an error: the plan still shows everything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from .. import catalog
from ..converter import converter
from ..model.request import CreateJobRequest
from ..model.spending import SpendingLimit, TimePeriod
from ..resolve import Resolved

if TYPE_CHECKING:
    from mypy_boto3_braket import BraketClient

    from ..aws import Aws

__all__ = [
    "Spending",
    "in_force",
    "instance_seconds",
    "left",
    "look_up",
    "money",
    "period_text",
    "runtime_warning",
    "search",
    "summarize",
]


@attrs.frozen(kw_only=True)
class Spending:
    """What a plan knows of its QPU's spending limit."""

    device: str
    """The QPU's ARN."""
    looked_up: bool
    """False offline, without credentials, or when SearchSpendingLimits failed; ``note`` says which."""
    active: SpendingLimit | None = None
    """The limit in force now (its period contains the plan's time); the one with least left when several are."""
    left: Decimal | None = None
    """What ``active`` leaves: its amount minus its total and queued spend, never below 0."""
    others: int = 0
    """The device's limits not in force now (their period has not begun or has ended)."""
    note: str | None = None
    """Why the limit was not looked up, when it was not: the plan shows it so that no one mistakes it for none."""


def search(braket: BraketClient, *, device: str | None = None, limit: str | None = None) -> list[SpendingLimit]:
    """Every spending limit of the region, of one device, or one by its ARN (SearchSpendingLimits, every page)."""
    pages = braket.get_paginator("search_spending_limits").paginate(filters=[
        {"name": name, "values": [value], "operator": "EQUAL"}
        for name, value in (("deviceArn", device), ("spendingLimitArn", limit)) if value is not None])
    return [converter.structure(summary, SpendingLimit) for page in pages for summary in page["spendingLimits"]]


def in_force(period: TimePeriod, now: datetime) -> bool:
    return period.start_at <= now < period.end_at


def left(limit: SpendingLimit) -> Decimal:
    return max(Decimal(0), limit.spending_limit - limit.total_spend - limit.queued_spend)


def summarize(device: str, limits: Iterable[SpendingLimit], now: datetime) -> Spending:
    """The device's limit in force at ``now`` and what it leaves, from what SearchSpendingLimits answered."""
    mine = [limit for limit in limits if limit.device_arn == device]
    active = sorted((limit for limit in mine if in_force(limit.time_period, now)), key=left)
    if not active:
        return Spending(device=device, looked_up=True, others=len(mine))
    return Spending(device=device, looked_up=True, active=active[0], left=left(active[0]),
                    others=len(mine) - len(active))


def look_up(aws: Aws | None, device: str | None, region: str | None) -> Spending | None:
    """The spending limit of a QPU at this moment; None for any other device (simulators have no limits).

    ``aws`` None: offline, nothing looked up."""
    if device is None or not catalog.is_qpu(device):
        return None
    if aws is None or region is None:
        return Spending(device=device, looked_up=False, note="offline: the device's spending limit was not looked up")
    from botocore.exceptions import BotoCoreError, ClientError

    if not aws.has_credentials():
        return Spending(device=device, looked_up=False,
                        note="no AWS credentials found: the device's spending limit was not looked up")
    try:
        found = search(aws.braket(region), device=device)
    except (BotoCoreError, ClientError, ValueError, RuntimeError, OverflowError) as error:  # an answer not read too
        return Spending(device=device, looked_up=False, note="the device's spending limit was not looked up: "
                        f"reading it (braket:SearchSpendingLimits) failed: {error}")
    return summarize(device, found, datetime.now(timezone.utc))


def money(amount: Decimal) -> str:
    """US dollars to the cent, as the limits are written."""
    return f"{amount:.2f}"


def period_text(period: TimePeriod) -> str:
    def at(moment: datetime) -> str:
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")

    return f"{at(period.start_at)} to {at(period.end_at)} UTC"


def instance_seconds(request: CreateJobRequest) -> int:
    """The most instance time a job can take: every instance for the whole ``max_runtime``."""
    count = request.instance_config.instance_count or 1
    runtime = request.stopping_condition.max_runtime_in_seconds if request.stopping_condition else None
    return count * (runtime or 0)


def runtime_warning(resolved: Resolved, device: str | None) -> list[str]:
    """On a QPU, the built-in five days of ``stopping.max_runtime`` are rarely meant: say so."""
    if device is None or not catalog.is_qpu(device) or resolved.origin("stopping.max_runtime") != "default":
        return []
    hours = resolved.settings.stopping.max_runtime / 3600
    return [f"stopping.max_runtime is the built-in default, {hours:g} h, on a QPU: a job that hangs (waiting on a "
            "busy QPU, say) keeps its instances, and their bill, that long; set [tool.braketkit.stopping] "
            "max_runtime to what the job needs, such as \"2h\""]
