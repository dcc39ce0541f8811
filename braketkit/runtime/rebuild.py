"""Turn decoded JSON back into the types a function's parameters name.

A parameter's type is its annotation; without one, the type of its default
(``parameter_types``, which the CLI asks too, so an option parses to what the
job rebuilds). Dataclasses always; attrs classes when attrs is importable in
the job (cattrs is used when present). Unknown or unresolvable annotations
leave values as JSON gave them.
"""

from __future__ import annotations

import dataclasses
import inspect
import numbers
import sys
import types
import typing
from collections.abc import Callable
from typing import Any, Literal


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


@dataclasses.dataclass(frozen=True)
class ParameterType:
    """The type a parameter's values take, and where that type came from."""

    kind: Any
    source: Literal["annotation", "default", "neither"]
    """``annotation``; ``default``: no annotation, the default's type (``Any`` when the
    default gives none, such as ``None``); ``neither``: ``str``, the values are text."""


def type_of_default(default: Any) -> Any:
    """The type an unannotated parameter takes from its default: ``Any`` when it gives none."""
    if isinstance(default, bool):
        return bool
    if isinstance(default, numbers.Integral):
        return int
    if isinstance(default, numbers.Real):
        return float
    if isinstance(default, str):
        return str
    if isinstance(default, list):
        return list[Any]
    if isinstance(default, tuple):
        return tuple[Any, ...]
    if isinstance(default, dict):
        return dict[str, Any]
    if (dataclasses.is_dataclass(default) and not isinstance(default, type)) or _attrs_class(type(default)):
        return type(default)
    return Any


def parameter_types(function: Callable[..., Any]) -> dict[str, ParameterType]:
    """The type of each named parameter of ``function`` (``*args`` and ``**kwargs`` have none)."""
    hints = _hints(function)
    found: dict[str, ParameterType] = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.annotation is not parameter.empty:
            # Unresolvable as a whole: keep what is already an object, give up on strings.
            raw = Any if isinstance(parameter.annotation, str) else parameter.annotation
            found[name] = ParameterType(hints.get(name, raw), "annotation")
        elif parameter.default is not parameter.empty:
            found[name] = ParameterType(type_of_default(parameter.default), "default")
        else:
            found[name] = ParameterType(str, "neither")
    return found


def rebuild(function: Callable[..., Any], decoded: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``function``, each rebuilt through its parameter's type."""
    kinds = parameter_types(function)
    return {name: value_as(value, kinds[name].kind) if name in kinds else value for name, value in decoded.items()}
