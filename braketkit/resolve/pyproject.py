"""Find and read ``[tool.braketkit]``, remembering the line each key is on.

tomllib gives no positions, so a light line scan maps key paths to the line
that defines them (or the nearest enclosing table or inline table).
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path
from typing import Any

import attrs

from ..errors import InvalidInput, Problem
from ..places import display_path

__all__ = ["Pyproject", "display_path", "find_pyproject", "parse_toml", "read_pyproject"]

_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_ASSIGN = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")
_PART = re.compile(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""")
_TOOL = ("tool", "braketkit")
_POSITION = re.compile(r"\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)")


@attrs.frozen
class Pyproject:
    """The ``[tool.braketkit]`` table of one file and where its keys are."""

    path: Path
    table: dict[str, Any]
    lines: dict[tuple[str, ...], int]
    problems: list[Problem] = attrs.field(factory=list)
    """Tables named almost ``[tool.braketkit]``."""

    def label(self, *key: str) -> str:
        """``pyproject.toml:14`` for the line defining ``key`` (or its nearest table)."""
        for end in range(len(key), -1, -1):
            line = self.lines.get(_TOOL + key[:end])
            if line is not None:
                return f"{display_path(self.path)}:{line}"
        return display_path(self.path)


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _PART.findall(dotted))


def _scan_lines(text: str) -> dict[tuple[str, ...], int]:
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith("[["):
            table = _parts(header.group(1))
            lines.setdefault(table, number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            lines.setdefault(table + _parts(assign.group(1)), number)
    return lines


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start``."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def parse_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads`` (tomli's before Python 3.11), imported when first used: decorating reads no TOML.

    Raises ValueError for text that is not TOML (tomllib's ``TOMLDecodeError`` is one).
    """
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib.loads(text)


def read_pyproject(path: Path) -> Pyproject:
    """Parse the file; invalid TOML is an ``InvalidInput`` naming file, line and column."""
    text = path.read_text(encoding="utf-8")
    try:
        document = parse_toml(text)
    except ValueError as error:
        where = _POSITION.search(str(error))
        origin = display_path(path) + (f":{where['line']}:{where['column']}" if where else "")
        reason = _POSITION.sub("", str(error)).strip()
        raise InvalidInput([Problem(f"invalid TOML: {reason}", origin=origin)]) from None
    lines = _scan_lines(text)
    tool: Any = document.get("tool", {})
    table: Any = tool.get("braketkit", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise InvalidInput([Problem("expected a table", "tool.braketkit", display_path(path))])
    return Pyproject(path=path, table=table, lines=lines, problems=_near_misses(document, path, lines))


def _near_misses(document: dict[str, Any], path: Path, lines: dict[tuple[str, ...], int]) -> list[Problem]:
    """Tables named almost ``[tool.braketkit]`` (``[tool.braketkt]``, ``[tools.braketkit]``): typos, not other tools."""
    found = []
    for top, inner in document.items():
        if not isinstance(inner, dict):
            continue
        for name in inner:
            key = (top, name)
            if key != _TOOL and _close(top, "tool") and _close(name, "braketkit"):
                first = min((line for at, line in lines.items() if at[:2] == key), default=None)
                where = display_path(path) + (f":{first}" if first else "")
                found.append(Problem("unknown table; did you mean [tool.braketkit]?", ".".join(key), where))
    return found


def _close(name: str, known: str) -> bool:
    """Equal but for case, or a typo's distance away (``braket`` alone is not close enough)."""
    name = name.lower()
    return name == known or difflib.SequenceMatcher(None, name, known).ratio() > 0.8
