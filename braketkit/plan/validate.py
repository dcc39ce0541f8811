"""Check a request against the service model: every member, every limit.

botocore's own validator checks types, required members and minimum lengths;
this also checks maximum lengths, integer ranges, patterns, enums and the sizes
of lists and maps, and reports every violation, not just the first.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from . import service_model

__all__ = ["Violation", "validate"]

Violation = tuple[str, str]
"""A member path (``instanceConfig.instanceCount``) and what is wrong with it."""


def _string(value: str, shape: dict[str, Any]) -> list[str]:
    problems = []
    low, high = shape.get("min"), shape.get("max")
    if (low is not None and len(value) < low) or (high is not None and len(value) > high):
        span = f"at most {high}" if not low else f"{low} to {high}" if high is not None else f"at least {low}"
        problems.append(f"must be {span} characters long (is {len(value)})")
    enum = shape.get("enum")
    if enum and value not in enum:
        if len(enum) <= 8:
            problems.append("must be one of " + ", ".join(enum))
        else:
            close = difflib.get_close_matches(value, enum, n=3)
            hint = f"did you mean {' or '.join(close)}? " if close else ""
            problems.append(f"{value!r} is not one of the {len(enum)} values the service accepts; {hint}"
                            "(`braketkit config schema` lists them)")
    pattern = shape.get("pattern")
    if pattern and re.fullmatch(pattern, value) is None:
        problems.append(f"{value!r} does not match the pattern {pattern}")
    return problems


def _bounds(value: int, shape: dict[str, Any], noun: str = "") -> list[str]:
    """A number against the shape's min and max; with ``noun``, the size of a list or map."""
    low, high = shape.get("min"), shape.get("max")
    for limit, word, broken in ((low, "least", low is not None and value < low),
                                (high, "most", high is not None and value > high)):
        if broken:
            return [f"must have at {word} {limit} {noun} (has {value})" if noun
                    else f"must be at {word} {limit} (is {value})"]
    return []


def validate(
    value: Any, shape_name: str, skip: Callable[[Any], bool] = lambda _: False, path: str = ""
) -> list[Violation]:
    """All violations in ``value`` against shape ``shape_name``; ``skip`` exempts placeholder values."""
    shape = service_model.shapes()[shape_name]
    kind = shape["type"]
    here = path or "request"
    if skip(value):
        return []
    if kind == "structure":
        if not isinstance(value, dict):
            return [(here, "must be an object")]
        found: list[Violation] = []
        members = shape.get("members", {})
        for name in shape.get("required", []):
            if name not in value:
                found.append((f"{path}.{name}".lstrip("."), "is required"))
        for name, item in value.items():
            member_path = f"{path}.{name}".lstrip(".")
            if name not in members:
                found.append((member_path, "is not a member of " + shape_name))
            else:
                found += validate(item, members[name]["shape"], skip, member_path)
        return found
    if kind == "list":
        if not isinstance(value, list):
            return [(here, "must be a list")]
        found = [(here, message) for message in _bounds(len(value), shape, "items")]
        for index, item in enumerate(value):
            found += validate(item, shape["member"]["shape"], skip, f"{path}[{index}]")
        return found
    if kind == "map":
        if not isinstance(value, dict):
            return [(here, "must be an object")]
        found = [(here, message) for message in _bounds(len(value), shape, "entries")]
        for key, item in value.items():
            key_violations = validate(key, shape["key"]["shape"], skip, path)
            found += [(f"{path}.{key}", f"name {message}") for _, message in key_violations]
            found += validate(item, shape["value"]["shape"], skip, f"{path}.{key}")
        return found
    if kind == "string":
        if not isinstance(value, str):
            return [(here, "must be a string")]
        return [(here, message) for message in _string(value, shape)]
    if kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            return [(here, "must be an integer")]
        return [(here, message) for message in _bounds(value, shape)]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [(here, "must be true or false")]
    return []  # pragma: no cover - CreateJob uses no other shape types
