"""Settings written back as ``[tool.braketkit]`` TOML (only what differs from the defaults)."""

from __future__ import annotations

import json
import re
from typing import Any

from ..converter import converter
from ..model.settings import Settings
from .keys import tables

__all__ = ["dumps"]

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _key(key: str) -> str:
    return key if _BARE.fullmatch(key) else _value(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }" if value else "{}"
    raise TypeError(f"no TOML form for {type(value).__name__}")  # pragma: no cover


def dumps(settings: Settings) -> str:
    """A ``[tool.braketkit]`` document that resolves to ``settings``."""
    data = converter.unstructure(settings)
    defaults = converter.unstructure(Settings())
    lines = ["[tool.braketkit]"]
    sections: list[str] = []
    for name, value in data.items():
        if value is None or value == defaults[name]:
            continue
        if name in tables():
            changed = {k: v for k, v in value.items() if v is not None and v != defaults[name][k]}
            sections += ["", f"[tool.braketkit.{name}]", *(f"{_key(k)} = {_value(v)}" for k, v in changed.items())]
        else:
            lines.append(f"{_key(name)} = {_value(value)}")
    return "\n".join(lines + sections) + "\n"
