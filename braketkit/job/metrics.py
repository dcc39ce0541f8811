"""Metrics a job logged with the Braket SDK's ``log_metric``, read back from its log.

``log_metric("cost", 0.5, iteration_number=3)`` prints
``Metrics - timestamp=1700000000.1; cost=0.5; iteration_number=3;``. A line is
read exactly as the Braket SDK's ``LogMetricsParser`` reads it (every
``name=value;`` pair whose value is a number, a ``[node]`` tag at its start),
and the table has the SDK's shape: a dict of equal-length columns, one row per
timestamp (or iteration) and node, so ``pandas.DataFrame(job.metrics())`` and
code written for ``AwsQuantumJob.metrics()`` keep working. Where two records
share a row, the statistic (``"max"``, the SDK's default, or ``"min"``) picks
each column's value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final, Literal

from ..errors import InvalidInput, Problem

__all__ = ["MARK", "Record", "RowKey", "Statistic", "parse_line", "table"]

MARK: Final = "Metrics -"
"""What every line ``log_metric`` prints contains (CloudWatch queries of the SDK filter on it too)."""
TIMESTAMP: Final = "timestamp"
ITERATION: Final = "iteration_number"
NODE: Final = "node_id"

_PAIR = re.compile(r"(\w+)\s*=\s*([^;]+)\s*;")
_NODE_TAG = re.compile(r"^\[([^\]]*)\]")

Record = dict[str, Any]
"""One metric line: its numbers by name, ``timestamp``, and ``node_id`` when the line was tagged."""
RowKey = Literal["timestamp", "iteration_number"]
Statistic = Literal["max", "min"]


def parse_line(message: str, timestamp: float | None = None) -> Record | None:
    """The metrics on one log line, or None if it holds none.

    ``timestamp`` (seconds) stands in when the line has none of its own: the
    log event's time for a cloud job.
    """
    if MARK not in message:
        return None
    record: Record = {}
    for name, value in _PAIR.findall(message):
        try:
            record[name] = float(value)
        except ValueError:
            continue  # the SDK drops a value that is no number, and so do we
    if not record:
        return None
    if timestamp and TIMESTAMP not in record:
        record[TIMESTAMP] = timestamp
    node = _NODE_TAG.match(message)
    if node:
        record[NODE] = node.group(1)
    return record


def _pick(current: Any, new: Any, choice: Statistic) -> Any:
    if current is None:
        return new
    return max(current, new) if choice == "max" else min(current, new)


def table(
    records: Iterable[Record], metric_type: object = TIMESTAMP, statistic: object = "max"
) -> dict[str, list[Any]]:
    """Records as columns: a row per value of the row key and node, in the order first logged.

    ``metric_type``: the row key, ``"timestamp"`` or ``"iteration_number"``; ``statistic``: ``"max"`` or
    ``"min"`` (the Braket SDK's ``MetricType`` and ``MetricStatistic`` members are taken too). A record
    without the row key is left out; a column a row has no value for holds None.
    """
    key, choice = _row_key(metric_type), _statistic(statistic)
    rows: dict[tuple[Any, Any], dict[str, Any]] = {}
    columns: dict[str, None] = {}
    for record in records:
        if key not in record:
            continue
        row = rows.setdefault((record[key], record.get(NODE)), {})
        for name, value in record.items():
            columns.setdefault(name)
            row[name] = _pick(row.get(name), value, choice)
    return {name: [row.get(name) for row in rows.values()] for name in columns}


def _word(value: object) -> str:
    """``"iteration_number"``, ``MetricType.ITERATION_NUMBER`` (value ``"IterationNumber"``) and the like, alike."""
    return str(getattr(value, "value", value)).replace("_", "").replace(" ", "").lower()


def _row_key(metric_type: object) -> RowKey:
    word = _word(metric_type)
    if word == "timestamp":
        return TIMESTAMP
    if word in ("iterationnumber", "iteration"):
        return ITERATION
    raise InvalidInput([Problem(f"{metric_type!r} is no metric type; give \"timestamp\" or \"iteration_number\"",
                                "metric_type")])


def _statistic(value: object) -> Statistic:
    word = _word(value)
    if word in ("max", "min"):
        return "max" if word == "max" else "min"
    raise InvalidInput([Problem(f"{value!r} is no statistic; give \"max\" or \"min\"", "statistic")])
