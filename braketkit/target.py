"""What a job runs: a function, and how the job imports it from the archive.

Shared by the decorator (which has the function) and the CLI (which has a
reference, ``path/to/file.py:function`` or ``package.module:function``).
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from .errors import InvalidInput, Problem
from .model.settings import Settings
from .resolve.pyproject import display_path

__all__ = ["Target", "load_reference", "target_of"]


@attrs.frozen(kw_only=True)
class Target:
    function: Callable[..., Any]
    module: str
    qualname: str
    file: Path
    import_root: Path
    """The folder the module's import name is relative to."""
    keywords: tuple[Settings | Mapping[str, Any], ...] = ()
    """Decorator settings, lowest first: a ``Settings`` object and/or keywords."""
    keywords_origin: str = "@hybrid_job"


def _module_from_path(file: Path) -> tuple[str, Path]:
    """Import name and root for a file, walking up through package folders."""
    parts = [] if file.name == "__init__.py" else [file.stem]
    folder = file.parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts), folder


def target_of(function: Callable[..., Any], keywords: tuple[Settings | Mapping[str, Any], ...] = ()) -> Target:
    """The target for a function object (the decorator's case)."""
    file = Path(inspect.getsourcefile(function) or function.__code__.co_filename).resolve()
    qualname = function.__qualname__
    origin = f"@hybrid_job in {file.name}"
    if "<locals>" in qualname:
        raise InvalidInput([Problem(
            f"{qualname} is defined inside another function; the job imports its function by name, "
            "so define it at the top level of a module", origin=origin)])
    module = function.__module__
    if module in (None, "__main__", "__mp_main__"):
        module, root = _module_from_path(file)
    else:
        root = file.parent
        for _ in module.split(".")[: -1 if file.name != "__init__.py" else None]:
            root = root.parent
    return Target(function=function, module=module, qualname=qualname, file=file,
                  import_root=root, keywords=keywords, keywords_origin=origin)


def _import(module: str, where: str, ref: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is not None and (module == error.name or module.startswith(error.name + ".")):
            place = display_path(Path(where))
            place = "the working directory" if place == "." else place
            raise InvalidInput([Problem(f"no module named {module!r} in {place}", ref)]) from None
        raise InvalidInput([Problem(
            f"importing {module} failed: {error}; install it locally to plan or run the job here", ref)]) from None
    except InvalidInput:
        raise
    except Exception as error:  # the user's module raised while importing
        raise InvalidInput([Problem(f"importing {module} failed: {type(error).__name__}: {error}", ref)]) from error


def load_reference(ref: str, cwd: Path | None = None) -> Target:
    """Import the module a reference names and return its target."""
    cwd = cwd or Path.cwd()
    left, colon, name = ref.rpartition(":")
    if not colon or not left or not name:
        raise InvalidInput([Problem("expected path/to/file.py:function or package.module:function", ref)])
    if left.endswith(".py") or "/" in left or "\\" in left:
        file = (cwd / left).resolve()
        if not file.is_file():
            raise InvalidInput([Problem(f"no such file: {left}", ref)])
        module, root = _module_from_path(file)
    else:
        module, root = left, cwd
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    found: Any = _import(module, str(root), ref)
    for part in name.split("."):
        if not hasattr(found, part):
            candidates = [n for n, v in vars(found).items() if callable(v) and not n.startswith("_")]
            close = difflib.get_close_matches(part, candidates, n=1)
            listing = f"; it has {', '.join(sorted(candidates))}" if candidates else ""
            hint = f"; did you mean {close[0]!r}?" if close else listing
            raise InvalidInput([Problem(f"{module} has no {part!r}{hint}", ref)])
        found = getattr(found, part)
    from .decorator import HybridJob

    if isinstance(found, HybridJob):
        return found.target
    if not inspect.isfunction(found):
        raise InvalidInput([Problem(f"{name} is a {type(found).__name__}, not a function", ref)])
    return target_of(found)
