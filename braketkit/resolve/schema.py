"""A JSON Schema of ``[tool.braketkit]``, derived from the settings classes.

Instance types come from the service model's enum, so editors complete the
same values the service accepts.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal

import attrs

from ..model.settings import S3, Instance, ParameterText, Seconds, Settings
from ..plan import service_model
from . import rules
from .keys import BOUNDS

__all__ = ["DURATION_PATTERN", "settings_schema"]

DURATION_PATTERN = r"^(\d+|(?=\d)(\d+d)?(\d+h)?(\d+m)?(\d+s)?)$"


def _type(kind: Any) -> dict[str, Any]:
    if kind is Seconds:
        return {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": DURATION_PATTERN}]}
    if kind is ParameterText:
        return {"type": ["string", "number", "boolean"]}
    simple = {str: "string", int: "integer", bool: "boolean", float: "number"}
    if kind in simple:
        return {"type": simple[kind]}
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is Literal:
        return {"enum": list(args)}
    if origin in (typing.Union, types.UnionType):
        arms = [_type(arm) for arm in args if arm is not type(None)]
        return arms[0] if len(arms) == 1 else {"anyOf": arms}
    if origin is list:
        return {"type": "array", "items": _type(args[0])}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type(args[1])}
    if attrs.has(kind):
        return _table(kind)
    raise TypeError(f"no schema for {kind}")  # pragma: no cover - every settings type is covered


_PATTERNS: dict[tuple[type, str], str] = {(S3, "bucket"): rules.BUCKET_PATTERN, (S3, "kms_key"): rules.KMS_KEY_PATTERN}
"""Fields whose strings follow a rule of their own (the parser checks the same: braketkit.resolve.rules)."""


def _table(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties = {name: _type(hint) for name, hint in hints.items()}
    for name in properties:
        if (cls, name) in _PATTERNS:
            properties[name] = {**properties[name], "pattern": _PATTERNS[cls, name]}
    for field in attrs.fields(cls):  # the bounds the parser checks (resolve's bound_problem), from the same metadata
        properties[field.name] |= {BOUNDS[bound]: limit for bound, limit in field.metadata.items() if bound in BOUNDS}
    if cls is Instance:
        properties["type"] = {"enum": service_model.limit("InstanceType", "enum")}
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if cls is Instance:
        return {"anyOf": [properties["type"], schema]}
    return schema


def settings_schema() -> dict[str, Any]:
    """The schema of ``[tool.braketkit]``, profiles included."""
    table = _table(Settings)
    profile = {**table, "properties": dict(table["properties"])}
    table["properties"]["profiles"] = {"type": "object", "additionalProperties": profile}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "[tool.braketkit]", **table}
