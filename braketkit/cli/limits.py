"""``braketkit limits``: Amazon Braket's per-QPU spending limits, listed, set, updated and deleted.

The work is ``braketkit.limits``'s; these commands parse and print. AMOUNT is
taken as written (``-5`` included, so that it is refused with a message, not
read as an option).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import click

from ..model.spending import SpendingLimit

__all__ = ["limits"]

_AMOUNT_FIRST = {"ignore_unknown_options": True}
"""``-5`` is an amount to refuse, not an option click does not know."""


def _region_option(function: Any) -> Any:
    return click.option("--region", help="The region of the limits (default: the device's, else the project's "
                        "region, else the AWS configuration's).")(function)


def _period_options(unchanged: str) -> Callable[[Any], Any]:
    def add(function: Any) -> Any:
        function = click.option("--until", "until", metavar="DATE",
                                help="When the limit ends: ISO 8601, local time unless a zone is given; a date alone "
                                     "includes that day.")(function)
        return click.option("--from", "start", metavar="DATE", help="When the limit begins: ISO 8601, local time "
                            f"unless a zone is given (default: {unchanged}).")(function)

    return add


def _aws() -> Any:
    from ..job.cloud import talking_to_aws

    return talking_to_aws()


def _rows(found: list[SpendingLimit], aliases: dict[str, str]) -> list[list[str]]:
    from ..plan.spending import in_force, left, money, period_text

    names = {target: alias for alias, target in sorted(aliases.items(), reverse=True)}
    now = datetime.now(timezone.utc)
    rows = [["DEVICE", "AMOUNT", "SPENT", "QUEUED", "LEFT", "PERIOD", "ARN"]]
    for limit in found:
        period = limit.time_period
        state = "in force" if in_force(period, now) else "ended" if period.end_at <= now else "not begun"
        rows.append([names.get(limit.device_arn, limit.device_arn), money(limit.spending_limit),
                     money(limit.total_spend), money(limit.queued_spend), money(left(limit)),
                     f"{period_text(period)}, {state}", limit.spending_limit_arn])
    return rows


def _table(found: list[SpendingLimit], aliases: dict[str, str]) -> str:
    rows = _rows(found, aliases)
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    right = {1, 2, 3, 4}  # amounts line up on the decimal point
    lines = ["  ".join(cell.rjust(width) if column in right else cell.ljust(width)
                       for column, (cell, width) in enumerate(zip(row, widths, strict=True))).rstrip() for row in rows]
    return "\n".join(lines)


def _document(found: list[SpendingLimit]) -> list[dict[str, Any]]:
    from ..plan.spending import in_force, left
    from .render import jsonable

    now = datetime.now(timezone.utc)
    return [{**jsonable(limit), "left": str(left(limit)), "inForce": in_force(limit.time_period, now)}
            for limit in found]


def _show(limit_arn: str, region: str, aliases: dict[str, str]) -> str:
    """The limit as the service has it now, as a table."""
    from ..plan.spending import search
    from .jobs import gateway

    found = search(gateway().braket(region), limit=limit_arn)
    return _table(found, aliases) if found else limit_arn


@click.group("limits", invoke_without_command=True)
@click.option("--device", help="Only this QPU's limits (an alias or a device ARN).")
@_region_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON: SearchSpendingLimits' summaries, with left and "
              "inForce.")
@click.pass_context
def limits(ctx: click.Context, device: str | None, region: str | None, as_json: bool) -> None:
    """Spending limits on QPUs: without a command, list them (SearchSpendingLimits, every page).

    Amazon Braket refuses a QPU task whose cost would take the device's spending past its limit (what was spent
    and what is queued count). Simulators have no limits. Limits are per region: a QPU's are in its own.
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..limits import list_limits, read_project
    from .jobs import gateway

    project = read_project()
    with _aws():
        found, where = list_limits(device=device, region=region, project=project, aws=gateway())
    if as_json:
        click.echo(json.dumps(_document(found), indent=2))
    elif not found:
        click.echo(f"no spending limits{f' on {device}' if device else ''} in {where}")
    else:
        click.echo(_table(found, project[0]))


@limits.command("set", context_settings=_AMOUNT_FIRST)
@click.argument("device")
@click.argument("amount")
@_period_options("now, when --until is given")
@_region_option
def set_(device: str, amount: str, start: str | None, until: str | None, region: str | None) -> None:
    """Set a spending limit of AMOUNT US dollars (such as 100 or 99.50) on the QPU DEVICE.

    Without --from and --until the limit has no period: it is in force from now on. --until alone starts it now;
    --from needs --until. Retries reuse one client token, so a lost answer never makes a second limit.
    """
    from ..limits import read_project, set_limit
    from .jobs import gateway

    project = read_project()
    with _aws():
        arn, where = set_limit(device, amount, start=start, until=until, region=region, project=project,
                               aws=gateway())
        click.echo(f"created {arn}\n{_show(arn, where, project[0])}")


@limits.command("update", context_settings=_AMOUNT_FIRST)
@click.argument("reference", metavar="LIMIT_OR_DEVICE")
@click.argument("amount", required=False)
@_period_options("as it is")
@_region_option
def update(reference: str, amount: str | None, start: str | None, until: str | None, region: str | None) -> None:
    """Change a limit's AMOUNT, its --from, its --until, or several at once.

    LIMIT_OR_DEVICE is the limit's ARN, or a QPU with exactly one limit. An end of the period not given stays as it
    is. Retries reuse one client token.
    """
    from ..limits import read_project, update_limit
    from .jobs import gateway

    project = read_project()
    with _aws():
        before, where = update_limit(reference, amount, start=start, until=until, region=region, project=project,
                                     aws=gateway())
        click.echo(f"updated {before.spending_limit_arn}\n{_show(before.spending_limit_arn, where, project[0])}")


@limits.command("delete")
@click.argument("reference", metavar="LIMIT_OR_DEVICE")
@_region_option
def delete(reference: str, region: str | None) -> None:
    """Delete a limit (its ARN, or a QPU with exactly one limit): the device's spending is no longer capped."""
    from ..limits import delete_limit, read_project
    from ..plan.spending import money, period_text
    from .jobs import gateway

    project = read_project()
    with _aws():
        before, _ = delete_limit(reference, region=region, project=project, aws=gateway())
    click.echo(f"deleted {before.spending_limit_arn} ({money(before.spending_limit)} USD on {before.device_arn}, "
               f"{period_text(before.time_period)})")
