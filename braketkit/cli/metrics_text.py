"""How ``braketkit metrics`` and ``run --follow`` show metrics: tables with sparklines, CSV, JSON, a summary line."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

from ..job.metrics import ITERATION, NODE, TIMESTAMP, Columns, RowKey, points
from ..terminal import printable
from .sparkline import sparkline

__all__ = ["SUMMARY_HISTORY", "csv_text", "job_block", "json_safe", "number", "summary_line"]

SUMMARY_HISTORY: Final = 12
"""How many of a metric's latest values the live summary's sparkline shows."""
_MIN_HISTORY = 8
_NON_FINITE: Final = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def number(value: float) -> str:
    """Six significant digits: ``2.87312``, ``1e-07``, ``nan``, ``inf``."""
    return f"{value:.6g}"


def job_block(title: str, columns: Columns, key: RowKey, metrics: Sequence[str], width: int, ended: bool) -> str:
    """One job's metrics: each one's latest value, min, max, count and history, in ``width`` characters."""
    shown = [name for name in metrics if name in columns]
    if not shown:
        what = "none of the chosen metrics" if metrics and columns else "no metrics"
        return f"{title}\n  {what} logged{'' if ended else ' yet'}"
    rows = [["metric", "latest", "min", "max", "count"]]
    histories = []
    for name in shown:
        values = [value for _, value, _ in points(columns, name, key)]
        ordered = [value for value in values if not math.isnan(value)]
        low, high = (number(min(ordered)), number(max(ordered))) if ordered else ("nan", "nan")
        rows.append([name, number(values[-1]), low, high, str(len(values))])
        histories.append(values)
    sizes = [max(len(row[index]) for row in rows) for index in range(5)]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(sizes[0]), *(cell.rjust(size) for cell, size in zip(row[1:], sizes[1:], strict=True))]
        prefix = "  " + "  ".join(cells) + "  "
        room = max(width - len(prefix), _MIN_HISTORY)
        lines.append(prefix + ("history" if index == 0 else sparkline(histories[index - 1], room)))
    return "\n".join([title, *lines])


def summary_line(iteration: float | None, histories: Mapping[str, Sequence[float]]) -> str:
    """``iteration 12  expected_cut 2.87312 ▂▃▅▇``: where the job is and each metric's latest values."""
    parts = [f"iteration {iteration:g}"] if iteration is not None else []
    parts += [f"{name} {number(values[-1])} {sparkline(values, SUMMARY_HISTORY)}"
              for name, values in histories.items() if values]
    return "  ".join(parts)


def csv_text(tables: Sequence[tuple[str, Columns]], key: RowKey, metrics: Sequence[str]) -> str:
    """One CSV of every job's rows: a ``job`` column first when there are several, then the row key.

    Empty where a row has no value; NaN and infinities as ``nan``, ``inf``, ``-inf`` (what pandas reads).
    """
    present = {name for _, columns in tables for name in columns}
    keys = [name for name in (key, TIMESTAMP if key == ITERATION else ITERATION, NODE) if name in present]
    header = ["job"] * (len(tables) > 1) + keys + list(metrics)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for label, columns in tables:
        length = len(next(iter(columns.values()), []))
        blank = [None] * length
        chosen = [columns.get(name, blank) for name in keys + list(metrics)]
        for index in range(length):
            writer.writerow([printable(label)] * (len(tables) > 1) + [_cell(column[index]) for column in chosen])
    return out.getvalue()


def _cell(value: Any) -> str:
    """A value as CSV gives it; text (a node's tag, as the job wrote it) escaped, as one line."""
    return "" if value is None else repr(value) if isinstance(value, float) else printable(str(value))


def json_safe(columns: Columns) -> Columns:
    """The table with NaN and infinities as the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``.

    JSON has no such numbers; these are the spellings ``float()`` and JavaScript's ``Number()`` read back.
    """
    return {name: [_NON_FINITE[repr(value)] if isinstance(value, float) and not math.isfinite(value) else value
                   for value in values] for name, values in columns.items()}
