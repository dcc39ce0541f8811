"""A metric's history in one line of text: ``▁▂▃▅▆▇█``, scaled between its smallest and largest value.

A history longer than the room it gets is cut into that many equal runs, each shown by the mean of
its finite values. NaN shows as ``·``, +inf as ``↑`` and -inf as ``↓``, apart from the scale, so one
stray value neither hides nor flattens the rest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

__all__ = ["BARS", "sparkline"]

BARS: Final = "▁▂▃▄▅▆▇█"
_NAN, _UP, _DOWN = "·", "↑", "↓"


def sparkline(values: Sequence[float], width: int) -> str:
    """``values`` in at most ``width`` characters (fewer when there are fewer values)."""
    shown = _downsample(values, max(width, 1))
    finite = [value for value in shown if math.isfinite(value)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 0.0)
    return "".join(_mark(value, low, high) for value in shown)


def _mark(value: float, low: float, high: float) -> str:
    if math.isnan(value):
        return _NAN
    if math.isinf(value):
        return _UP if value > 0 else _DOWN
    if high == low:
        return BARS[len(BARS) // 2 - 1]  # a flat history: a flat line in the middle
    return BARS[int((value - low) / (high - low) * (len(BARS) - 1) + 0.5)]


def _downsample(values: Sequence[float], width: int) -> list[float]:
    if len(values) <= width:
        return list(values)
    return [_run_value(values[len(values) * index // width: len(values) * (index + 1) // width])
            for index in range(width)]


def _run_value(run: Sequence[float]) -> float:
    """The mean of a run's finite values; a run of none shows its first value (NaN or an infinity)."""
    finite = [value for value in run if math.isfinite(value)]
    return math.fsum(finite) / len(finite) if finite else run[0]
