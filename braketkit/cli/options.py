"""A function's parameters as click options, typed as the job will rebuild them.

The type of each parameter comes from the runtime's ``parameter_types``: its
annotation, else the type of its default, else ``str``. int, float and str map
to click's types, bool to ``--x/--no-x``, ``Literal`` to a choice, and anything
else (lists, dicts, attrs classes, dataclasses) is read as JSON and structured
by the converter. An unannotated parameter whose default gives no type (``None``)
takes JSON, or the text itself when it is not JSON. Defaults are left to the
function: only options the user gives become call arguments.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

import click

from ..converter import converter
from ..errors import shown
from ..model.types import shape, without_none
from ..resolve.keys import describe
from ..runtime.rebuild import ParameterType, parameter_types

__all__ = ["function_options"]


class _Json(click.ParamType):  # type: ignore[type-arg,unused-ignore]
    name = "json"

    def __init__(self, kind: Any) -> None:
        self.kind = kind

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            data = json.loads(value)
        except json.JSONDecodeError as error:
            self.fail(f"{shown(value)} is not JSON: {error.msg}", param, ctx)
        if self.kind is Any:
            return data
        # cattrs makes a list of a string's letters or a dict's keys: the shape is checked first.
        origin = shape(self.kind).origin
        wrong_shape = (origin in (list, tuple, set, frozenset) and not isinstance(data, list)) or (
            origin is dict and not isinstance(data, dict))
        try:
            if not wrong_shape:
                return converter.structure(data, self.kind)
        except Exception:  # cattrs raises many kinds; all mean "wrong shape"
            pass
        bare = _UNTYPED.get(self.kind)
        self.fail(f"{shown(value)} is not {bare}" if bare else f"{shown(value)} is not {describe(self.kind)} (as JSON)",
                  param, ctx)


_UNTYPED = {list[Any]: "a JSON array", tuple[Any, ...]: "a JSON array", dict[str, Any]: "a JSON object"}
"""What an unannotated list, tuple or dict default asks for (``type_of_default``), in words."""


class _JsonOrText(click.ParamType):  # type: ignore[type-arg,unused-ignore]
    """JSON when the text is JSON (``3``, ``0.5``, ``true``, ``[1, 2]``, ``null``), else the text itself."""

    name = "json|text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value


class _Int(click.types.IntParamType):
    """click's integer, but a long value is shortened in its message (click's own echoes it whole)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            if isinstance(value, str) and shown(value) != repr(value):
                self.fail(f"{shown(value)} is not a valid integer.", param, ctx)
            raise


class _Float(click.types.FloatParamType):
    """click's float, but a long value is shortened in its message."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            if isinstance(value, str) and shown(value) != repr(value):
                self.fail(f"{shown(value)} is not a valid float.", param, ctx)
            raise


class _LiteralChoice(click.Choice):  # type: ignore[type-arg,unused-ignore]
    def __init__(self, values: tuple[Any, ...]) -> None:
        self.values = {str(value): value for value in values}
        super().__init__(list(self.values))

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return self.values[super().convert(value, param, ctx)]


def _click_type(kind: Any, source: str) -> Any:
    if kind is Any and source == "default":
        return _JsonOrText()
    if kind is int:
        return _Int()
    if kind is float:
        return _Float()
    if kind is str:
        return kind
    found = shape(kind)
    if found.form == "literal":
        return _LiteralChoice(found.args)
    return _Json(kind)


def _type_text(found: ParameterType, annotation: Any) -> str:
    if isinstance(annotation, str) and found.kind is Any:  # not resolvable here (a function read from its source)
        return f"{annotation}, as JSON"
    if found.source == "neither":
        return "str (no annotation or default: given as text)"
    if found.source == "default":
        if found.kind is Any:
            return "JSON, or text if not JSON (no annotation, and the default gives no type)"
        return f"{found.kind.__name__} (from its default)"
    return str(getattr(found.kind, "__name__", None) or found.kind)


def function_options(function: Callable[..., Any], taken: set[str]) -> list[tuple[click.Option, str]]:
    """Options for each named parameter, with the parameter each one feeds."""
    parameters = inspect.signature(function).parameters
    options = []
    for name, found in parameter_types(function).items():
        default = parameters[name].default
        flag = name.replace("_", "-")
        if flag in taken:
            flag = f"arg-{flag}"
        kind = without_none(found.kind)
        required = default is inspect.Parameter.empty
        shown = "" if required else f" [default: {default!r}]"
        help_text = f"argument {name}: {_type_text(found, parameters[name].annotation)}{shown}"
        key = f"arg_{name}"
        if kind is bool:
            option = click.Option([f"--{flag}/--no-{flag}", key], default=None, required=required, help=help_text)
        else:
            option = click.Option([f"--{flag}", key], type=_click_type(kind, found.source), required=required,
                                  help=help_text)
        options.append((option, name))
    return options
