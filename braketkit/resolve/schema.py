"""A JSON Schema of ``[tool.braketkit]`` that accepts what braketkit accepts, from the metadata it checks with.

Each part comes from where braketkit's own check gets it: types from the settings classes
(``braketkit.model.types.shape``), bounds from each field's ``metadata``, the duration grammar from
``braketkit.duration``, device forms from ``braketkit.catalog``, the rules of names, prefixes, keys and
patterns from the regular expressions of ``braketkit.resolve.rules``, and the limits of every setting the
request carries unchanged (``SENT_AS``) from botocore's service model with the plan's supplements. What
JSON Schema cannot say exactly is listed in ``INEXACT`` (and in the schema's description, and in
docs/settings.md); tests/test_schema.py holds the schema and braketkit to both.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from .. import catalog, duration
from ..model.provenance import OWN_TAGS, OWN_TAGS_PREFIX, RECORD_CHANNEL
from ..model.settings import Instance, ParameterText, Seconds, Settings
from ..model.types import field_types, shape
from ..plan import service_model
from ..plan.validate import SUPPLEMENTS, WIRE_RANGES
from ..s3uri import ALMOST_PATTERN
from ..workspace import LOCAL_JOB_PREFIX
from . import rules
from .keys import BOUNDS

__all__ = ["INEXACT", "SENT_AS", "duration_pattern", "settings_schema"]

SENT_AS = {
    "job_name": "jobName",
    "role": "roleArn",
    "instance.type": "instanceConfig.instanceType",
    "instance.count": "instanceConfig.instanceCount",
    "instance.volume_gb": "instanceConfig.volumeSizeInGb",
    "stopping.max_runtime": "stoppingCondition.maxRuntimeInSeconds",
    "s3.kms_key": "outputDataConfig.kmsKeyId",
    "checkpoint.local_path": "checkpointConfig.localPath",
    "reservation": "associations[].arn",
    "hyperparameters": "hyperParameters",
    "tags": "tags",
}
"""The settings the CreateJob request carries as they are, and the member each becomes (``[]``: a list's item):
the service model's limits of that member are the setting's."""

INEXACT = (
    "What JSON Schema cannot say exactly. It accepts: files and folders that do not exist or are not what they "
    "should be (source, a dependencies file and its place inside the project, local input paths); a duration "
    "string of several units whose sum is over the limit, such as \"4d24h1s\" (each unit is bounded alone); a "
    "whole number written as a float (count = 2.0); a dependencies entry that starts with a package's name but is "
    "no requirement as PEP 508 writes it, or holds several (\"numpy scipy\"), or holds an invisible character "
    "other than the common ones; a [...] set in include or exclude that Python's re refuses "
    "([9-0]); an s3.prefix that makes an S3 location longer than the service's 1024 characters (that depends on "
    "the bucket and the job's name); any device when the table defines devices (it must name one of them, or a "
    "built-in alias, ARN or local device); a device ARN in another region than region, and a region Braket's "
    "images are not offered in; hyperparameters named like the function's arguments, or more than the service's "
    "100 with braketkit's own and the arguments. It refuses: a "
    "device defined in the decorator or the environment but not in the file; an entry of devices naming "
    "another entry. It does not require device or region, which may come from elsewhere."
)
"""Where the schema and braketkit part ways, and which way; docs/settings.md says the same."""


def _at_most(limit: int) -> str:
    """Decimal numbers from 0 to ``limit``, leading zeros allowed, as a regular expression."""
    digits = str(limit)
    forms = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for place, digit in enumerate(digits):
        lowest = 1 if place == 0 else 0
        if int(digit) - 1 >= lowest:
            rest = len(digits) - place - 1
            forms.append(f"{digits[:place]}[{lowest}-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    forms.append(digits)
    return f"(?:0*(?:{'|'.join(forms)})|0+)"


def duration_pattern(low: int, high: int) -> str:
    """The duration strings from ``low`` (0 or 1) to ``high`` seconds, as far as a regular expression of modest size
    can say: whole seconds and strings of one unit exactly; in a string of several units, each unit alone is
    bounded, but not their sum (an exact expression needs thousands of alternatives)."""
    if low not in (0, 1):  # pragma: no cover - the service model's only duration starts at 1
        raise ValueError(f"no duration pattern from {low} seconds")
    units = "".join(f"(?:{_at_most(high // seconds)}{unit})?" for unit, seconds in duration.UNITS.items())
    some = "(?=[^1-9]*[1-9])" if low == 1 else ""
    return f"^{some}(?:{_at_most(high)}|(?=[0-9]){units})$"


# -- the service model ------------------------------------------------------------------------------------------


def _ascii_digits(pattern: str) -> str:
    """The model's Java patterns read ``\\d`` as an ASCII digit, and so does the plan; Python's jsonschema would not."""
    return re.sub(r"(?<!\\)\\d", "[0-9]", pattern)


def _any_case(text: str) -> str:
    return "".join(f"[{char.lower()}{char.upper()}]" if char.isalpha() else re.escape(char) for char in text)


def _limits(model: dict[str, Any]) -> dict[str, Any]:
    """A service model shape's limits as JSON Schema keywords (validate's ``_string`` and ``_bounds`` check them)."""
    kind, low, high = model["type"], model.get("min"), model.get("max")
    found: dict[str, Any] = {}
    if kind == "string":
        found |= {"minLength": low} if low else {}
        found |= {"maxLength": high} if high is not None else {}
        found |= {"enum": model["enum"]} if "enum" in model else {}
        found |= {"pattern": f"^(?:{_ascii_digits(model['pattern'])})$"} if "pattern" in model else {}
        found |= {"not": {"pattern": "^" + _any_case(model["reservedPrefix"])}} if "reservedPrefix" in model else {}
    elif kind in ("integer", "long"):
        wire_low, wire_high = WIRE_RANGES[kind]
        found |= {"minimum": wire_low if low is None else low, "maximum": wire_high if high is None else high}
    elif kind == "map":
        found |= {"minProperties": low} if low else {}
        found |= {"maxProperties": high} if high is not None else {}
    return found


def _member(path: str, operation: str = "CreateJobRequest") -> tuple[str, dict[str, Any]]:
    """The shape of a request member (``instanceConfig.instanceCount``, ``associations[].arn``), with its name."""
    shapes, name = service_model.shapes(), operation
    for part in path.split("."):
        name = shapes[name]["members"][part.removesuffix("[]")]["shape"]
        if part.endswith("[]"):
            name = shapes[name]["member"]["shape"]
    return name, {**SUPPLEMENTS.get(name, {}), **shapes[name]}


def _map_part(name: str, role: str) -> dict[str, Any]:
    """A map shape's ``key`` or ``value`` shape, with its supplement."""
    shapes = service_model.shapes()
    return {**SUPPLEMENTS.get((name, role), {}), **shapes[shapes[name][role]["shape"]]}


# -- the settings -------------------------------------------------------------------------------------------------


NOT_A_NUMBER = {"minimum": 1, "maximum": 0, "$comment": "nan alone: no number is both at least 1 and at most 0, "
                "but nan fails no comparison (TOML can write nan; JSON cannot)"}
"""A schema only nan meets, to refuse it with ``not`` (the infinities are past every field's maximum)."""


def _type(kind: Any, key: str) -> dict[str, Any]:
    """The schema of ``key``'s type alone, before the rules of the key."""
    if kind is Seconds:
        return {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": duration.PATTERN}]}
    if kind is ParameterText:
        return {"anyOf": [{"type": "string"}, {"type": ["number", "boolean"]}]}
    if kind is float:  # resolve's bound_problem refuses nan and the infinities
        return {"type": "number", "not": NOT_A_NUMBER}
    simple = {str: "string", int: "integer", bool: "boolean"}
    if kind in simple:
        return {"type": simple[kind]}
    found = shape(kind)
    if found.form == "literal":
        return {"enum": list(found.args)}
    if found.form == "union":
        arms = [_type(arm, key) for arm in found.args]
        return arms[0] if len(arms) == 1 else {"anyOf": arms}
    if found.form == "list":
        return {"type": "array", "items": _type(found.args[0], key)}
    if found.form == "dict":
        return {"type": "object", "propertyNames": {"minLength": 1}, "additionalProperties": _type(found.args[1], key)}
    if found.form == "table":
        return _table(kind, key)
    raise TypeError(f"no schema for {kind}")  # pragma: no cover - every settings type is covered


def _sent_as(key: str, schema: dict[str, Any], kind: Any) -> dict[str, Any]:
    """``schema`` narrowed by the limits of the request member ``key`` is sent as."""
    name, model = _member(SENT_AS[key])
    if model["type"] == "map":
        value = _limits(_map_part(name, "value"))
        names = {"minLength": 1, **_limits(_map_part(name, "key"))}
        if key == "hyperparameters":  # numbers and booleans are written as text
            value = {"anyOf": [{"type": "string", **value}, {"type": ["number", "boolean"]}]}
            return {**schema, **_limits(model), "propertyNames": names, "additionalProperties": value}
        entry = {**schema["additionalProperties"], **value}
        if key == "tags":  # braketkit keeps some of the service's tags for its own, and their names' prefix
            names["allOf"] = [{"not": {"pattern": "^" + re.escape(OWN_TAGS_PREFIX)}}]
            return {**schema, **_limits(model), "maxProperties": model["max"] - len(OWN_TAGS),
                    "propertyNames": names, "additionalProperties": entry}
        return {**schema, **_limits(model), "propertyNames": names, "additionalProperties": entry}
    limits = _limits(model)
    if kind is Seconds:
        low, high = limits.get("minimum", 0), limits["maximum"]
        return {"anyOf": [{"type": "integer", **limits},
                          {"type": "string", "pattern": duration_pattern(low, high)}]}
    return {**schema, **limits}


def _rules(key: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The rules resolve and the plan check for ``key`` beyond its type and the request's limits."""
    if key == "region":
        return {**schema, "pattern": rules.REGION_PATTERN}
    if key == "checkpoint.local_path":
        return {**schema, "pattern": rules.LOCAL_PATH_PATTERN}
    if key == "s3.bucket":
        return {**schema, "pattern": rules.BUCKET_PATTERN}
    if key == "s3.prefix":
        return {**schema, "pattern": rules.PREFIX_PATTERN}
    if key == "s3.kms_key":
        return {**schema, "allOf": [{"pattern": rules.KMS_KEY_PATTERN}]}
    if key == "dependencies":  # a file's name, or a list of requirements
        return {"anyOf": [arm if arm.get("type") != "array" else
                          {**arm, "items": {**arm["items"], "pattern": rules.REQUIREMENT_PATTERN}}
                          for arm in schema["anyOf"]]}
    if key in ("include", "exclude"):
        return {**schema, "items": {**schema["items"], "pattern": rules.GIT_PATTERN}}
    if key == "image":
        _, uri = _member("algorithmSpecification.containerImage.uri")
        return {"type": "string", "anyOf": [{"enum": list(catalog.IMAGE_REPOSITORIES)},
                                            {"allOf": [{"pattern": r"\.dkr\.ecr\."}, _limits(uri)]}]}
    if key == "devices":
        return {**schema, "additionalProperties": {"$ref": "#/$defs/device"}}
    if key == "input":
        _, channels = _member("inputDataConfig")
        _, channel = _member("inputDataConfig[].channelName")
        _, location = _member("inputDataConfig[].dataSource.s3DataSource.s3Uri")
        local = {"minLength": 1, "not": {"pattern": ALMOST_PATTERN}}
        remote = {"allOf": [{"pattern": rules.S3_URI_PATTERN}, _limits(location)]}
        names = {**_limits(channel), "not": {"enum": [RECORD_CHANNEL]}}  # a function's job reads its record there
        return {**schema, "maxProperties": channels["max"] - 1, "propertyNames": names,
                "additionalProperties": {"type": "string", "anyOf": [local, remote]}}
    if key == "checkpoint.copy_from_job":
        _, arn = _member("jobArn", "GetJobRequest")
        _, name = _member("jobName")
        named = _limits(name)
        local = {"pattern": f"^{LOCAL_JOB_PREFIX}{named['pattern'].removeprefix('^')}",
                 "maxLength": len(LOCAL_JOB_PREFIX) + named["maxLength"]}  # a local job, as the Braket SDK names it
        return {**schema, "anyOf": [{"allOf": [{"pattern": "^arn:"}, _limits(arn)]},
                                    {"allOf": [{"not": {"pattern": "^(arn|local):"}}, named]}, local]}
    return schema


def _device() -> dict[str, Any]:
    """A device as ``catalog.expand_device`` reads it without the project's aliases."""
    _, model = _member("deviceConfig.device")
    return {"type": "string", **_limits(model), "anyOf": [
        {"enum": list(catalog.BUILTIN_DEVICES)},
        {"pattern": f"^(?:{catalog.DEVICE_ARN_PATTERN})$"},
        {"pattern": f"^(?:{catalog.LOCAL_DEVICE_PATTERN})$"},
    ]}


def _table(cls: type, prefix: str = "") -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for name, kind in field_types(cls).items():
        key = f"{prefix}.{name}" if prefix else name
        schema = _type(kind, key)
        if key in SENT_AS:
            schema = _sent_as(key, schema, kind)
        properties[name] = _rules(key, schema)
    for field in attrs.fields(cls):  # the bounds the parser checks (resolve's bound_problem), from the same metadata
        properties[field.name] |= {BOUNDS[bound]: limit for bound, limit in field.metadata.items() if bound in BOUNDS}
    table = {"type": "object", "properties": properties, "additionalProperties": False}
    if cls is Instance:  # a string is the instance type
        return {"anyOf": [properties["type"], table]}
    return table


_DEFINES_DEVICES = {"required": ["devices"], "properties": {"devices": {"minProperties": 1}}}


def settings_schema() -> dict[str, Any]:
    """The schema of ``[tool.braketkit]``, profiles included."""
    table = _table(Settings)
    properties = {**table["properties"], "device": {"type": "string"}}  # narrowed below, unless devices are defined

    def with_device_rule(extra: dict[str, Any], otherwise: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "properties": {**properties, **extra}, "additionalProperties": False,
                "if": _DEFINES_DEVICES, "else": {"properties": {"device": {"$ref": "#/$defs/device"}, **otherwise}}}

    profile = with_device_rule({}, {})
    free_profile = {"type": "object", "properties": properties, "additionalProperties": False}
    profiles = {"type": "object", "propertyNames": {"minLength": 1}}
    root = with_device_rule({"profiles": profiles}, {"profiles": {"additionalProperties": {"$ref": "#/$defs/profile"}}})
    root["then"] = {"properties": {"profiles": {"additionalProperties": {"$ref": "#/$defs/profile-under-devices"}}}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "[tool.braketkit]",
        "description": "braketkit's settings (docs/settings.md). " + INEXACT,
        **root,
        "$defs": {"device": _device(), "profile": profile, "profile-under-devices": free_profile},
    }
