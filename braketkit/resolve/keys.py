"""The settings vocabulary as flat dotted keys, derived from the attrs classes.

``instance.type`` names a field of a table; ``tags.team`` an entry of a map.
Every source is flattened to these keys so that merging is one dict update and
every leaf keeps its own origin.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from ..errors import Problem, shown
from ..model.settings import ParameterText, Seconds, Settings, given_fields
from ..model.types import field_types, shape

__all__ = [
    "BOUNDS", "EMPTY_NAME", "Entry", "bound_problem", "closest", "describe", "fits", "flatten",
    "kind_of", "known_keys", "leaf_type", "maps", "scalars", "suggest", "tables",
]


@attrs.frozen
class Entry:
    """A value as one source gave it, with that source's label."""

    value: Any
    origin: str


_SETTINGS = field_types(Settings)


@functools.cache
def tables() -> dict[str, type]:
    """Top-level keys whose value is a table of fixed fields (``instance``, ``s3``...)."""
    return {k: t for k, t in _SETTINGS.items() if shape(t).form == "table"}


@functools.cache
def maps() -> dict[str, Any]:
    """Top-level keys whose value is a map of free keys (``tags``, ``input``...)."""
    return {k: shape(t).args[1] for k, t in _SETTINGS.items() if shape(t).form == "dict"}


@functools.cache
def scalars() -> dict[str, Any]:
    """Top-level keys holding one value (possibly a list)."""
    return {k: t for k, t in _SETTINGS.items() if k not in tables() and k not in maps()}


def leaf_type(key: str) -> Any:
    """The type a flat key's value must have; KeyError for a key not in the vocabulary."""
    head, _, rest = key.partition(".")
    if not rest:
        return scalars()[head]
    if head in maps():
        return maps()[head]
    return field_types(tables()[head])[rest]


BOUNDS = {"minimum": "minimum", "exclusive_minimum": "exclusiveMinimum", "maximum": "maximum"}
"""The bounds a settings field may state in its attrs ``metadata``, and their JSON Schema keywords; ``reason``
there says why the maximum is what it is."""


def _limit(number: float) -> str:
    """A bound as a message writes it: whole numbers in full (``1000000``, not ``1e+06``)."""
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def bound_problem(value: float, metadata: Mapping[str, Any]) -> str | None:
    """What is wrong with a number against the bounds of its field's metadata, or None; nan and the infinities
    are no number a setting means (a rate of nan would turn pacing off, a poll of inf overflow a wait)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number (is {value})"
    low, above, high = metadata.get("minimum"), metadata.get("exclusive_minimum"), metadata.get("maximum")
    if low is not None and value < low:
        return f"must be at least {_limit(low)} (is {shown(value)})"
    if above is not None and value <= above:
        return f"must be more than {_limit(above)} (is {shown(value)})"
    if high is not None and value > high:
        why = f": {metadata['reason']}" if "reason" in metadata else ""
        return f"must be at most {_limit(high)} (is {shown(value)}){why}"
    return None


@functools.cache
def known_keys() -> list[str]:
    """Every key of the vocabulary: top-level names, tables, and their fields (``instance.count``)."""
    keys = list(scalars()) + list(maps())
    for name, cls in tables().items():
        keys += [name] + [f"{name}.{field}" for field in field_types(cls)]
    return keys


def closest(key: str) -> str | None:
    """The known key an unknown one most likely misspells (``devcie``: ``device``), if any is close."""
    close = difflib.get_close_matches(key, known_keys(), n=1, cutoff=0.6)
    if not close and "." in key:
        close = difflib.get_close_matches(key.rpartition(".")[2], known_keys(), n=1, cutoff=0.6)
    return close[0] if close else None


def suggest(key: str, spell: Callable[[str], str] = repr, what: str = "setting") -> str:
    """A "did you mean" clause (``spell`` writes the key as the source would), or a pointer to the vocabulary."""
    close = closest(key)
    if close:
        return f"unknown {what}; did you mean {spell(close)}?"
    return f"unknown {what}; `braketkit config schema` lists the settings"


EMPTY_NAME = "has an entry with an empty name; give every entry a name"


def _not_text(name: object) -> str:
    """What is said of a name that is no string (``tags={1: "a"}``): it would only be sent as text by accident."""
    return f"has an entry named {shown(name)} of type {type(name).__name__}; entries are named by strings"


def _object_fields(value: Any) -> Iterator[tuple[str, Any]]:
    """Fields of an attrs settings object that its constructor was given (``Settings(wait=False)`` sets ``wait``);
    for one that does not know (a copy), the fields that differ from the class default."""
    given = given_fields(value)
    for field in attrs.fields(type(value)):
        if given is not None:
            if field.name in given:
                yield field.name, getattr(value, field.name)
            continue
        current = getattr(value, field.name)
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type,unused-ignore]
            default = default.factory()
        if current != default:
            yield field.name, current


def flatten(
    data: Mapping[str, Any] | Any, origin_of: Any, prefix: str = ""
) -> tuple[dict[str, Entry], list[Problem]]:
    """Flatten one source's table (or a ``Settings``) into entries and problems.

    ``origin_of(key)`` labels each leaf, so a TOML source can name its line.
    Objects (``Settings``, ``Instance(...)``) contribute the fields their
    constructor was given; plain mappings contribute every key they hold.
    """
    items = _object_fields(data) if attrs.has(type(data)) else data.items()
    entries: dict[str, Entry] = {}
    problems: list[Problem] = []
    for name, value in items:
        if not isinstance(name, str):
            problems.append(Problem(f"a key is {shown(name)} of type {type(name).__name__}; settings are named by "
                                    "strings", None, origin_of(prefix)))
            continue
        key = f"{prefix}{name}"
        if name in tables():
            if isinstance(value, str) and name == "instance":
                entries["instance.type"] = Entry(value, origin_of("instance"))
            elif isinstance(value, (tables()[name], Mapping)):
                sub = _object_fields(value) if attrs.has(type(value)) else typing.cast(Mapping[str, Any], value).items()
                fields = field_types(tables()[name])
                for field, sub_value in sub:
                    if not isinstance(field, str):
                        problems.append(Problem(_not_text(field), name, origin_of(name)))
                    elif not field:
                        problems.append(Problem(EMPTY_NAME, name, origin_of(name)))
                    elif field in fields:
                        entries[f"{name}.{field}"] = Entry(sub_value, origin_of(f"{name}.{field}"))
                    else:
                        problems.append(Problem(suggest(f"{name}.{field}"), f"{name}.{field}", origin_of(key)))
            else:
                expected = describe(tables()[name])
                problems.append(Problem(f"expected {expected}, got {kind_of(value)}", key, origin_of(name)))
        elif name in maps():
            if isinstance(value, Mapping):
                for sub_key, sub_value in value.items():
                    if not isinstance(sub_key, str):
                        problems.append(Problem(_not_text(sub_key), name, origin_of(name)))
                    elif sub_key == "":
                        problems.append(Problem(EMPTY_NAME, name, origin_of(name)))
                    else:
                        entries[f"{name}.{sub_key}"] = Entry(sub_value, origin_of(f"{name}.{sub_key}"))
            else:
                expected = describe(dict[str, maps()[name]])  # type: ignore[misc]
                problems.append(Problem(f"expected {expected}, got {kind_of(value)}", key, origin_of(name)))
        elif name in scalars():
            entries[name] = Entry(value, origin_of(name))
        elif not name:
            problems.append(Problem("a key is empty; every setting has a name", None, origin_of(name)))
        else:
            problems.append(Problem(suggest(name), key, origin_of(name)))
    return entries, problems


def fits(value: Any, kind: Any) -> bool:
    """Whether ``value`` has the type ``kind`` as the converter reads it, without importing it (decorating stays
    cheap). Only the type: what the text says (a duration's grammar) is read when the job is planned."""
    if kind is Seconds:
        return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    if kind is ParameterText:
        return isinstance(value, (str, int, float, bool))
    if kind is type(None):
        return value is None
    if kind is bool:
        return isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind in (str, int):
        return isinstance(value, kind) and not isinstance(value, bool)
    found = shape(kind)
    if found.form == "literal":
        return any(type(value) is type(arg) and value == arg for arg in found.args)
    if found.form == "union":
        return (found.optional and value is None) or any(fits(value, arm) for arm in found.args)
    if found.form == "list":
        return isinstance(value, (list, tuple)) and all(fits(item, found.args[0]) for item in value)
    return True  # no other kind is a leaf's


def kind_of(value: Any) -> str:
    """A value's kind as a message names it: ``a string ('2')``, ``a table``."""
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number",
             list: "a list", dict: "a table"}
    for kind, label in names.items():
        if isinstance(value, kind):
            return f"{label} ({shown(value)})" if kind in (str, int, float, bool) else label
    return type(value).__name__


def describe(kind: Any) -> str:
    """What a value of this type looks like, in the words of the TOML user."""
    if kind is Seconds:
        return 'a duration (whole seconds, or a string such as "2h" or "1h30m")'
    if kind is ParameterText:
        return "a string, number or boolean"
    if kind is str:
        return "a string"
    if kind is bool:
        return "true or false"
    if kind is int:
        return "an integer"
    if kind is float:
        return "a number"
    found = shape(kind)
    if found.form == "literal":
        return "one of " + ", ".join(repr(arg) for arg in found.args)
    if found.form == "union":
        return " or ".join(describe(arg) for arg in found.args)
    if found.form == "list":
        return f"a list of {_plural(describe(found.args[0]))}"
    if found.form == "dict":
        return f"a table of {_plural(describe(found.args[1]))}"
    if found.form == "table":
        fields = ", ".join(field_types(kind))
        return f"a table with {fields}" + (' (or a string: the instance type)' if kind.__name__ == "Instance" else "")
    return getattr(kind, "__name__", str(kind))


def _plural(phrase: str) -> str:
    """``a string, number or boolean``: ``strings, numbers or booleans``."""
    for article in ("a ", "an "):
        if phrase.startswith(article):
            return re.sub(r"\b(?:an? )?(string|integer|number|boolean)\b", r"\1s", phrase[len(article):])
    return phrase
