"""A function's parameters as click options, typed from its annotations.

int, float and str map to click's types, bool to ``--x/--no-x``, ``Literal``
to a choice, and anything else (lists, dicts, attrs classes, dataclasses) is
read as JSON and structured by the converter. Defaults are left to the
function: only options the user gives become call arguments.
"""

from __future__ import annotations

import inspect
import json
import types
import typing
from collections.abc import Callable
from typing import Any, Literal

import click

from ..converter import converter
from ..resolve.keys import describe

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
            self.fail(f"{value!r} is not JSON: {error.msg}", param, ctx)
        if self.kind is Any:
            return data
        try:
            return converter.structure(data, self.kind)
        except Exception:  # cattrs raises many kinds; all mean "wrong shape"
            self.fail(f"{value!r} is not {describe(self.kind)} (as JSON)", param, ctx)


class _LiteralChoice(click.Choice):  # type: ignore[type-arg,unused-ignore]
    def __init__(self, values: tuple[Any, ...]) -> None:
        self.values = {str(value): value for value in values}
        super().__init__(list(self.values))

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return self.values[super().convert(value, param, ctx)]


def _unwrap_optional(kind: Any) -> Any:
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        arms = [arm for arm in typing.get_args(kind) if arm is not type(None)]
        if len(arms) == 1:
            return arms[0]
    return kind


def _click_type(kind: Any) -> Any:
    if kind in (int, float, str):
        return kind
    if typing.get_origin(kind) is Literal:
        return _LiteralChoice(typing.get_args(kind))
    return _Json(kind)


def function_options(function: Callable[..., Any], taken: set[str]) -> list[tuple[click.Option, str]]:
    """Options for each named parameter, with the parameter each one feeds."""
    try:
        hints = typing.get_type_hints(function)
    except Exception:
        hints = {}
    options = []
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        flag = name.replace("_", "-")
        if flag in taken:
            flag = f"arg-{flag}"
        annotated = hints.get(name, str if parameter.annotation is parameter.empty else parameter.annotation)
        kind = _unwrap_optional(annotated)
        required = parameter.default is parameter.empty
        shown = "" if required else f" [default: {parameter.default!r}]"
        help_text = f"argument {name}: {getattr(annotated, '__name__', None) or annotated}{shown}"
        key = f"arg_{name}"
        if kind is bool:
            option = click.Option([f"--{flag}/--no-{flag}", key], default=None, required=required, help=help_text)
        else:
            option = click.Option([f"--{flag}", key], type=_click_type(kind), required=required, help=help_text)
        options.append((option, name))
    return options
