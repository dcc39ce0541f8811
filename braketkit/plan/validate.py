"""Check a request against the service model: every member, every limit.

botocore's own validator checks types, required members and minimum lengths;
this also checks maximum lengths, integer ranges, patterns, enums and the sizes
of lists and maps, and reports every violation, not just the first. Where the
model states no limit but the service has one (tags), ``SUPPLEMENTS`` adds it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from ..errors import shown
from ..workspace import LOCAL_JOB_PREFIX
from . import service_model

__all__ = ["SUPPLEMENTS", "Violation", "job_name_prefix_problem", "job_reference_problem", "strings_under",
           "validate"]

Violation = tuple[str, str]
"""A member path (``instanceConfig.instanceCount``) and what is wrong with it."""

SUPPLEMENTS: dict[str | tuple[str, str], dict[str, Any]] = {
    # The model's TagsMap is a map of "String" to "String" with no limits at all. AWS's tagging rules
    # (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html, "Tag naming limits and
    # requirements") allow at most 50 tags a resource, keys of 1 to 128 characters, values of at most
    # 256, and reserve keys starting with aws: (in any case) for AWS's own tags.
    "TagsMap": {"max": 50},
    ("TagsMap", "key"): {"min": 1, "max": 128, "reservedPrefix": "aws:"},
    ("TagsMap", "value"): {"max": 256},
}
"""Limits the service model does not state, by shape (or a map shape's ``key``/``value``); the model wins where it
states one."""

WIRE_RANGES = {"integer": (-2**31, 2**31 - 1), "long": (-2**63, 2**63 - 1)}
"""What an ``integer`` and a ``long`` member can hold on the wire (Smithy's 32- and 64-bit signed numbers): the
bounds of a number whose shape states none."""


def _shape(name: str, role: str | None = None) -> dict[str, Any]:
    """A shape with its supplement (under ``(map shape, role)`` for a map's key or value)."""
    shapes = service_model.shapes()
    if role is None:
        return {**SUPPLEMENTS.get(name, {}), **shapes[name]}
    return {**SUPPLEMENTS.get((name, role), {}), **shapes[shapes[name][role]["shape"]]}


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
            problems.append(f"{shown(value)} is not one of the {len(enum)} values the service accepts; {hint}"
                            "(`braketkit config schema` lists them)")
    pattern = shape.get("pattern")
    if pattern and not service_model.matches(pattern, value):
        problems.append(f"{shown(value)} does not match the pattern {pattern}")
    reserved = shape.get("reservedPrefix")
    if reserved and value.lower().startswith(reserved):
        problems.append(f"must not start with {reserved!r} (in any case): AWS keeps such names for its own")
    return problems


def _bounds(value: int, shape: dict[str, Any], noun: str = "") -> list[str]:
    """A number against the shape's min and max; with ``noun``, the size of a list or map."""
    low, high = shape.get("min"), shape.get("max")
    for limit, word, broken in ((low, "least", low is not None and value < low),
                                (high, "most", high is not None and value > high)):
        if broken:
            return [f"must have at {word} {limit} {noun} (has {value})" if noun
                    else f"must be at {word} {limit} (is {shown(value)})"]
    return []


def validate(
    value: Any, shape_name: str, skip: Callable[[Any], bool] = lambda _: False, path: str = ""
) -> list[Violation]:
    """All violations in ``value`` against shape ``shape_name``; ``skip`` exempts placeholder values."""
    return _validate(value, shape_name, _shape(shape_name), skip, path)


def _validate(value: Any, name: str, shape: dict[str, Any], skip: Callable[[Any], bool], path: str) -> list[Violation]:
    kind = shape["type"]
    here = path or "request"
    if skip(value):
        return []
    if kind == "structure":
        if not isinstance(value, dict):
            return [(here, "must be an object")]
        found: list[Violation] = []
        members = shape.get("members", {})
        for member in shape.get("required", []):
            if member not in value:
                found.append((f"{path}.{member}".lstrip("."), "is required"))
        for member, item in value.items():
            member_path = f"{path}.{member}".lstrip(".")
            if member not in members:
                found.append((member_path, "is not a member of " + name))
            else:
                found += validate(item, members[member]["shape"], skip, member_path)
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
        key_shape, value_shape = _shape(name, "key"), _shape(name, "value")
        for key, item in value.items():
            key_violations = _validate(key, shape["key"]["shape"], key_shape, skip, path)
            found += [(f"{path}.{key}", f"name {message}") for _, message in key_violations]
            found += _validate(item, shape["value"]["shape"], value_shape, skip, f"{path}.{key}")
        return found
    if kind == "string":
        if not isinstance(value, str):
            return [(here, "must be a string")]
        return [(here, message) for message in _string(value, shape)]
    if kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            return [(here, "must be an integer")]
        low, high = WIRE_RANGES[kind]
        return [(here, message) for message in _bounds(value, {"min": low, "max": high, **shape})]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [(here, "must be true or false")]
    if kind == "timestamp":  # boto3 sends a datetime in the operation's own wire format
        return [] if isinstance(value, datetime) else [(here, "must be a date and time")]
    return []  # pragma: no cover - the requests braketkit sends use no other shape types


def strings_under(value: Any, root: str, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string member starting with ``root`` (an S3 location), with its path as ``validate`` writes it."""
    if isinstance(value, str) and value.startswith(root):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_under(item, root, f"{path}.{key}".lstrip("."))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_under(item, root, f"{path}[{index}]")


def _member_shape(structure: str, member: str) -> dict[str, Any]:
    return service_model.shapes()[service_model.shapes()[structure]["members"][member]["shape"]]  # type: ignore[no-any-return]


def job_name_prefix_problem(prefix: str) -> str | None:
    """What makes ``prefix`` the start of no job name (a name itself, or one with more after it), or None."""
    name = _member_shape("CreateJobRequest", "jobName")
    if prefix and (not _string(prefix, name) or not _string(prefix + "0", name)):
        return None
    return (f"{prefix!r} is the start of no job name: a job name is {name['min']} to {name['max']} characters "
            f"and matches the pattern {name['pattern']}")


def job_reference_problem(value: str) -> str | None:
    """What makes ``value`` neither a job's ARN (what GetJob takes), a job's name, nor ``local:job/<name>`` (a local
    job, as the Braket SDK names one), or None."""
    arn = _member_shape("GetJobRequest", "jobArn")
    name = _member_shape("CreateJobRequest", "jobName")
    if value.startswith(LOCAL_JOB_PREFIX):
        local = value.removeprefix(LOCAL_JOB_PREFIX)
        return None if not _string(local, name) else (
            f"{value!r} names no local job ({LOCAL_JOB_PREFIX} and a job name: {name['min']} to {name['max']} "
            f"characters, the pattern {name['pattern']})")
    if value.startswith("arn:"):
        return None if not _string(value, arn) else f"{value!r} is not a job ARN (the pattern is {arn['pattern']})"
    if not _string(value, name):
        return None
    return (f"{value!r} is neither a job ARN (the pattern is {arn['pattern']}) nor a job name "
            f"({name['min']} to {name['max']} characters, the pattern {name['pattern']})")
