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

import difflib
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, Literal

from ..errors import InvalidInput, Problem

__all__ = ["MARK", "NODE_TAG", "Columns", "Point", "Record", "RowKey", "Statistic", "choose_metrics",
           "labelled_tables", "metric_names", "parse_line", "points", "row_key", "select", "table"]

MARK: Final = "Metrics -"
"""What every line ``log_metric`` prints contains (CloudWatch queries of the SDK filter on it too)."""
TIMESTAMP: Final = "timestamp"
ITERATION: Final = "iteration_number"
NODE: Final = "node_id"

NODE_TAG = re.compile(r"^\[([^\]]*)\]")
"""A node's tag at a line's start, ``[algo-2]``: the pattern the Braket SDK matches it with (anchored and with one
repetition, so one pass)."""

Record = dict[str, Any]
"""One metric line: its numbers by name, ``timestamp``, and ``node_id`` when the line was tagged."""
Columns = dict[str, list[Any]]
"""A metrics table: equal-length columns by name (what ``table`` and ``job.metrics()`` give)."""
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
    for name, value in _pairs(message):
        try:
            record[name] = float(value)
        except ValueError:
            continue  # the SDK drops a value that is no number, and so do we
    if not record:
        return None
    if timestamp and TIMESTAMP not in record:
        record[TIMESTAMP] = timestamp
    node = _node(message)
    if node is not None:
        record[NODE] = node
    return record


def _pairs(line: str) -> Iterator[tuple[str, str]]:
    """Every ``name=value;`` on a line, the pairs the Braket SDK's pattern ``(\\w+)\\s*=\\s*([^;]+)\\s*;`` finds,
    in one pass over the line whatever it holds.

    That pattern, searched for from every position, reads the rest of the line from each ``=`` with no ``;``
    after it: a line of 64 KB takes minutes. What it finds is simpler than how it searches: a match ends at the
    first ``;`` after its ``=``, so each stretch between two ``;`` holds one pair at most, the first ``=`` in it
    with a word (``\\w``, then spaces) right before it and something after it. So each stretch is read once
    forward to its ``=`` signs, and back from each only to the one before. The value keeps what the pattern
    keeps (spaces after it; the number is read by ``float``, which drops them).
    """
    start = 0
    while (end := line.find(";", start)) != -1:
        equals = line.find("=", start, end)
        while equals != -1:
            name_end = equals
            while name_end > start and line[name_end - 1].isspace():
                name_end -= 1
            name_start = name_end
            while name_start > start and _is_word(line[name_start - 1]):
                name_start -= 1
            if name_start < name_end and equals + 1 < end:
                value = line[equals + 1:end]
                yield line[name_start:name_end], value.lstrip() or value[-1]
                break
            equals = line.find("=", equals + 1, end)
        start = end + 1


def _is_word(character: str) -> bool:
    """Whether ``character`` is one ``\\w`` matches in a str pattern (the same Unicode classes)."""
    return character.isalnum() or character == "_"


def _node(line: str) -> str | None:
    """The node's tag the line starts with (``[algo-2]``: ``"algo-2"``), as ``NODE_TAG`` reads it."""
    if not line.startswith("["):
        return None
    end = line.find("]", 1)
    return line[1:end] if end != -1 else None


def _pick(current: Any, new: Any, choice: Statistic) -> Any:
    if current is None:
        return new
    return max(current, new) if choice == "max" else min(current, new)


def table(
    records: Iterable[Record], metric_type: object = TIMESTAMP, statistic: object = "max"
) -> dict[str, list[Any]]:
    """Records as columns: a row per value of the row key and node, in the order first logged.

    A record without the row key is left out; a column a row has no value for holds None.

    Args:
        records: Parsed metric lines (``job.metric_records()``), in the order they were logged.
        metric_type: The row key, ``"timestamp"`` or ``"iteration_number"`` (the Braket SDK's
            ``MetricType`` members are taken too).
        statistic: Which value a row keeps where several records share it: ``"max"`` or ``"min"`` (or the
            SDK's ``MetricStatistic``).
    """
    key, choice = row_key(metric_type), _statistic(statistic)
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


def row_key(metric_type: object, key: str = "metric_type") -> RowKey:
    """The row key a word names: ``"timestamp"`` (or ``"time"``), ``"iteration_number"`` (or ``"iteration"``)."""
    word = _word(metric_type)
    if word in ("timestamp", "time"):
        return TIMESTAMP
    if word in ("iterationnumber", "iteration"):
        return ITERATION
    raise InvalidInput([Problem(f"{metric_type!r} is no metric type; give \"iteration\" (or \"iteration_number\") "
                                "or \"time\" (or \"timestamp\")", key)])


def _statistic(value: object) -> Statistic:
    word = _word(value)
    if word in ("max", "min"):
        return "max" if word == "max" else "min"
    raise InvalidInput([Problem(f"{value!r} is no statistic; give \"max\" or \"min\"", "statistic")])


def labelled_tables(
    named: Sequence[tuple[str, Sequence[Record]]], by: object | None = None, statistic: object = "max",
    key_name: str = "by",
) -> tuple[RowKey, list[tuple[str, Columns]]]:
    """Each job's records as a table, all by the same row key, so that the jobs' tables line up: ``by``, or
    when None, ``iteration_number`` if every line of every job carries one (``timestamp`` otherwise: a job
    that logs without iteration numbers is never shown empty beside one that logs with them)."""
    logged = [(label, records) for label, records in named if records]
    if by is not None:
        key = row_key(by, key_name)
        bare = [label for label, records in logged if not any(ITERATION in record for record in records)]
        if key == ITERATION and bare:
            raise InvalidInput([Problem(f"{', '.join(bare)} logged {'its' if len(bare) == 1 else 'their'} metrics "
                                        "without iteration_number, so nothing of it lines up by iteration; compare "
                                        "by time instead", key_name)])
    else:
        every = logged and all(ITERATION in record for _, records in logged for record in records)
        key = ITERATION if every else TIMESTAMP
    return key, [(label, table(records, key, statistic)) for label, records in named]


_KEYS: Final = (TIMESTAMP, ITERATION, NODE)

Point = tuple[float, float, Any]
"""One value of a metric: where it is on the row key's axis, the value, and the node that logged it (or None)."""


def metric_names(columns: Mapping[str, Any]) -> list[str]:
    """The metrics a table (or a record) holds, in the order first logged: every name but the row keys and node."""
    return [name for name in columns if name not in _KEYS]


def select(columns: Columns, names: Sequence[str]) -> Columns:
    """The table cut to the row keys, node and ``names``: the rows holding a value of one of them (none: ``{}``)."""
    kept = [name for name in columns if name in _KEYS or name in names]
    rows = [index for index in range(_length(columns))
            if any(columns[name][index] is not None for name in names if name in columns)]
    return {name: [columns[name][index] for index in rows] for name in kept} if rows else {}


def points(columns: Columns, metric: str, key: RowKey) -> list[Point]:
    """Every value of ``metric`` in order along the row key; time as seconds since the table's first row.

    A row without a value of the metric is left out; NaN and infinities stay as they were logged.
    """
    if metric not in columns or key not in columns:
        return []
    axis = [float(value) for value in columns[key]]
    start = min((x for x in axis if math.isfinite(x)), default=0.0) if key == TIMESTAMP else 0.0
    nodes = columns.get(NODE) or [None] * len(axis)
    found = [(x - start, float(value), node) for x, value, node in zip(axis, columns[metric], nodes, strict=True)
             if value is not None]
    return sorted(found, key=lambda point: point[0])


def choose_metrics(tables: Sequence[tuple[str, Columns]], wanted: Sequence[str] = (), key: str = "metric") -> list[str]:
    """The metrics to show of these jobs' tables: ``wanted`` (each logged by at least one of them), or all.

    A name none of them logged is refused, naming the metrics they did log.
    """
    logged = list(dict.fromkeys(name for _, columns in tables for name in metric_names(columns)))
    if not wanted:
        return logged
    unknown = [name for name in dict.fromkeys(wanted) if name not in logged]
    if unknown:
        raise InvalidInput([Problem(_not_logged(name, [label for label, _ in tables], logged), key)
                            for name in unknown])
    return list(dict.fromkeys(wanted))


def _not_logged(name: str, jobs: Sequence[str], logged: Sequence[str]) -> str:
    which = f"job {jobs[0]}" if len(jobs) == 1 else "jobs " + ", ".join(jobs)
    they = "it" if len(jobs) == 1 else "they"
    close = difflib.get_close_matches(name, logged, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    metrics = ", ".join(logged) if logged else "none"
    return f"no metric {name!r} in {which}{hint} ({they} logged: {metrics})"


def _length(columns: Columns) -> int:
    return len(next(iter(columns.values()), []))
