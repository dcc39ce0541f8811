"""What kind of type an annotation is: the one place that looks inside ``typing`` forms.

The converter, the settings vocabulary and its messages, the JSON Schema, the text sources and the
CLI's options all ask the same question of a field's type (a union? a list of what? a map of what?
a ``Literal``? a table of fields?); ``shape`` answers it once. It imports nothing heavy, so that
decorating a function never pays for it. (The job-side runtime has its own, stdlib-only walk in
``braketkit.runtime.rebuild``: the job must not import the client package.)
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Any, Literal

import attrs

__all__ = ["Shape", "field_types", "shape", "text_based", "without_none"]

Form = Literal["union", "literal", "list", "dict", "table", "other"]


@attrs.frozen
class Shape:
    """An annotation taken apart.

    Attributes:
        form: ``union`` (``X | Y``, ``Optional[X]``), ``literal``, ``list``, ``dict``, ``table`` (an
            attrs class: a table of fixed fields), or ``other`` (a plain class, a NewType, ``Any``...).
        args: A union's arms without ``None``; a literal's values; a list's item type; a dict's key and
            value types; nothing for the others.
        optional: A union that also admits ``None``.
        origin: The generic's origin (``list`` for ``list[int]``, ``tuple`` for ``tuple[int, ...]``), or the
            annotation itself when it is no generic.
    """

    form: Form
    args: tuple[Any, ...] = ()
    optional: bool = False
    origin: Any = None


def shape(kind: Any) -> Shape:
    """``kind`` taken apart: the dispatch every walk over a field's type starts with."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        arms = tuple(arm for arm in args if arm is not type(None))
        return Shape("union", arms, optional=len(arms) < len(args), origin=origin)
    if origin is Literal:
        return Shape("literal", args, origin=origin)
    if origin is list:
        return Shape("list", args or (Any,), origin=list)
    if origin is dict:
        return Shape("dict", args or (Any, Any), origin=dict)
    if origin is None and isinstance(kind, type) and attrs.has(kind):
        return Shape("table", origin=kind)
    return Shape("other", args, origin=origin or kind)


def without_none(kind: Any) -> Any:
    """``X`` for ``X | None``; any other annotation as it is."""
    found = shape(kind)
    if found.form == "union" and found.optional and len(found.args) == 1:
        return found.args[0]
    return kind


def text_based(kind: Any) -> bool:
    """A value of this type may be a string: ``str``, a NewType of it, or a union with such an arm."""
    if kind is str or getattr(kind, "__supertype__", None) is str:
        return True
    found = shape(kind)
    return found.form == "union" and any(text_based(arm) for arm in found.args)


@functools.cache
def field_types(cls: type) -> dict[str, Any]:
    """Each field of an attrs (or any annotated) class and its type, in order, string annotations resolved.

    An attrs class's are resolved into its fields, once: the converter (cattrs) reads them there, so the
    annotations are evaluated once a process, not again for each of them."""
    if attrs.has(cls):
        return {field.name: field.type for field in attrs.fields(attrs.resolve_types(cls))}
    return dict(typing.get_type_hints(cls))
