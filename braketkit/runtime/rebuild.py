"""Turn decoded JSON back into the types a function's annotations name.

Dataclasses always; attrs classes when attrs is importable in the job (cattrs
is used when present). Unknown or unresolvable annotations leave values as
JSON gave them.
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
import types
import typing
from collections.abc import Callable
from typing import Any


def _hints(function: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(function)
    except Exception:
        return {}


def _attrs_class(kind: Any) -> bool:
    # A module that defines attrs classes has imported attrs already.
    attrs = sys.modules.get("attrs")
    return attrs is not None and isinstance(kind, type) and attrs.has(kind)


def value_as(value: Any, kind: Any) -> Any:
    """``value`` (from JSON) as an instance of annotation ``kind``."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if kind is Any or kind is None:
        return value
    if origin in (typing.Union, getattr(types, "UnionType", typing.Union)):
        if value is None and type(None) in args:
            return None
        for arm in args:
            if arm is not type(None):
                try:
                    return value_as(value, arm)
                except (TypeError, ValueError):
                    continue
        return value
    if dataclasses.is_dataclass(kind) and isinstance(kind, type) and isinstance(value, dict):
        hints = _hints(kind)
        fields = {f.name: value_as(value[f.name], hints.get(f.name, Any))
                  for f in dataclasses.fields(kind) if f.name in value}
        return kind(**fields)
    if _attrs_class(kind) and isinstance(value, dict):
        try:
            import cattrs

            return cattrs.structure(value, kind)
        except ImportError:
            import attrs

            hints = _hints(kind)
            return kind(**{f.name: value_as(value[f.name], hints.get(f.name, Any))
                           for f in attrs.fields(kind) if f.name in value})
    if origin in (list, set, frozenset) and isinstance(value, list):
        return origin(value_as(item, args[0] if args else Any) for item in value)
    if origin is tuple and isinstance(value, list):
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(value_as(item, args[0]) for item in value)
        return tuple(value_as(item, arm) for item, arm in zip(value, args or [Any] * len(value), strict=False))
    if origin is dict and isinstance(value, dict):
        return {key: value_as(item, args[1] if args else Any) for key, item in value.items()}
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is tuple and isinstance(value, list):
        return tuple(value)
    return value


def rebuild(function: Callable[..., Any], decoded: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``function``, each rebuilt through its annotation."""
    hints = _hints(function)
    parameters = inspect.signature(function).parameters
    return {name: value_as(value, hints.get(name, Any)) if name in parameters else value
            for name, value in decoded.items()}
