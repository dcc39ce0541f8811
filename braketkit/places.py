"""Places as a user finds them: a path from the working directory, ``train.py:12``, ``cell [3]``.

Light on purpose (no attrs, no IPython import): the decorator names where it was
used, and where ``.options()`` was called, while a module of jobs is imported.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import ipython

__all__ = ["MAIN_MODULES", "cell_numbers", "display_path", "is_main", "where_defined"]

MAIN_MODULES = ("__main__", "__mp_main__")
"""The module names a script, ``python -m``, a notebook, IPython or stdin define their functions in."""


def is_main(function: Callable[..., Any]) -> bool:
    """Defined in ``__main__`` (a script, ``python -m``, a notebook, IPython, stdin)?"""
    return getattr(function, "__module__", None) in MAIN_MODULES


def display_path(path: Path) -> str:
    """Relative to the working directory when below it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def cell_numbers() -> dict[str, int]:
    """IPython's cell file names and their execution counts, when running under IPython."""
    numbers = getattr(getattr(ipython.shell(), "compile", None), "_filename_map", None)
    return dict(numbers) if isinstance(numbers, dict) else {}


def where_defined(filename: str, line: int | None = None) -> str:
    """``train.py:12``, ``cell [3], line 2`` or ``<stdin>:4``, as a user would find it."""
    cell = cell_numbers().get(filename)
    if cell is not None:
        return f"cell [{cell}]" + (f", line {line}" if line else "")
    if filename.startswith("<"):
        return filename + (f":{line}" if line else "")
    return display_path(Path(filename)) + (f":{line}" if line else "")
