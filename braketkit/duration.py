"""The one duration grammar: ``"2h"``, ``"1h30m"``, ``"45s"``, ``"2d"``, or whole seconds (``"3600"``).

Settings (``stopping.max_runtime``) and command-line options (``--older-than 7d``) read it with
``parse_duration``; the JSON Schema of ``[tool.braketkit]`` states it with ``PATTERN``. The pattern is
the grammar itself (``parse_duration`` matches text against it), written so that Python and
JSON Schema's ECMA-262 regular expressions read it alike.
"""

from __future__ import annotations

import re

__all__ = ["PATTERN", "UNITS", "duration_text", "parse_duration"]

UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
"""Each unit's letter and its length in seconds, in the order the grammar takes them."""

PATTERN = "^(?:[0-9]+|(?=[0-9])" + "".join(f"(?:[0-9]+{unit})?" for unit in UNITS) + ")$"
"""The grammar: whole seconds, or at least one of days, hours, minutes and seconds, in that order."""

_GRAMMAR = re.compile("".join(f"(?:([0-9]+){unit})?" for unit in UNITS))


def parse_duration(text: str) -> int:
    """A duration in the grammar as whole seconds; ValueError for anything else (spaces included)."""
    if re.fullmatch(PATTERN, text) is None:
        raise ValueError(f"{text!r} is not a duration")
    if text.isdigit():
        return int(text)
    match = _GRAMMAR.fullmatch(text)
    assert match is not None  # the pattern holds this grammar
    return sum(int(part or 0) * seconds for part, seconds in zip(match.groups(), UNITS.values(), strict=True))


def duration_text(seconds: int) -> str:
    """Whole seconds written in the grammar, largest units first: ``3723`` is ``1h2m3s``, ``0`` is ``0s``."""
    parts = []
    for unit, length in UNITS.items():
        count, seconds = divmod(seconds, length)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
