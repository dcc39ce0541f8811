"""What a job runs: a function, and how the job imports it from the archive.

Shared by the decorator (which has the function) and the CLI (which has a
reference: ``path/to/file.py:function``, ``package.module:function``, or a bare
``path/to/script.py`` run as a script, as Braket's own script mode runs it).

A function defined in ``__main__`` (a notebook, IPython, ``python train.py``,
``python -m``) is not imported by the job at all: it travels as source
(``package.capture``), so the user's top-level code never runs in the job.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from .errors import InvalidInput, Problem
from .places import display_path, is_main, where_defined
from .resolve import Keywords

__all__ = ["Target", "load_reference", "script_target", "target_of"]


@attrs.frozen(kw_only=True)
class Target:
    function: Callable[..., Any] | None
    """None for a script run as a whole (script mode): nothing of it is imported here."""
    module: str
    qualname: str
    """Empty in script mode."""
    file: Path
    """The defining file; for code typed into a notebook, IPython or stdin, ``__main__`` in the working directory."""
    import_root: Path
    """The folder the module's import name is relative to."""
    from_main: bool = False
    """Defined in ``__main__``: the job imports a captured copy (``braketkit_main``), never the user's script."""
    keywords: Keywords = ()
    """Decorator settings, lowest first: a ``Settings`` object and/or keywords, with their origin when it is
    not ``keywords_origin`` (``.options()``)."""
    keywords_origin: str = "@hybrid_job"


def _module_from_path(file: Path) -> tuple[str, Path]:
    """Import name and root for a file, walking up through package folders."""
    parts = [] if file.name == "__init__.py" else [file.stem]
    folder = file.parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts), folder


def _package_root(file: Path, module: str) -> Path:
    """The folder ``module`` (defined in ``file``) is imported from."""
    root = file.parent
    for _ in module.split(".")[: -1 if file.name != "__init__.py" else None]:
        root = root.parent
    return root


def _main_target(function: Callable[..., Any], keywords: Keywords) -> Target:
    """A ``__main__`` function: its project is the script's folder, or the working directory of a session."""
    from .package.capture import MODULE  # a notebook's function: decorating stays light
    from .package.capture.source import keep_stdin_source

    keep_stdin_source()
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None)
    spec_name = getattr(getattr(main, "__spec__", None), "name", None)
    where = where_defined(function.__code__.co_filename)
    package = ""
    if isinstance(script, str) and Path(script).is_file():  # python train.py, python -m pkg.train
        file = Path(script).resolve()
        root = _package_root(file, spec_name) if spec_name else file.parent
        package = (spec_name or "").rpartition(".")[0]
    else:  # a notebook, IPython, stdin: no file, the session's working directory is the project
        file = Path.cwd() / "__main__"
        root = Path.cwd()
    # The captured module sits beside the script (file.parent), in its package when it was run with -m.
    return Target(function=function, module=f"{package}.{MODULE}" if package else MODULE, qualname=function.__name__,
                  file=file, import_root=root, from_main=True, keywords=keywords,
                  keywords_origin=f"@hybrid_job in {where}")


def target_of(function: Callable[..., Any], keywords: Keywords = ()) -> Target:
    """The target for a function object (the decorator's case)."""
    qualname = function.__qualname__
    if "<locals>" in qualname:
        where = where_defined(function.__code__.co_filename, function.__code__.co_firstlineno)
        raise InvalidInput([Problem(
            f"{qualname} is defined inside another function; the job needs it at the top level of a module, "
            "script or notebook cell", origin=f"@hybrid_job in {where}")])
    if is_main(function):
        return _main_target(function, keywords)
    file = Path(inspect.getsourcefile(function) or function.__code__.co_filename).resolve()
    held: Any = sys.modules.get(function.__module__)
    for part in qualname.split("."):
        held = getattr(held, part, None)
    if function.__module__ in sys.modules and held is not function and getattr(held, "function", None) is not function:
        raise InvalidInput([Problem(
            f"{function.__module__}.{qualname} does not name this function any more, and the job finds the "
            f"function by that name; keep the function under its own name in its module (decorate it where it is "
            f"defined)", origin=f"@hybrid_job in {where_defined(str(file), function.__code__.co_firstlineno)}")])
    return Target(function=function, module=function.__module__, qualname=qualname, file=file,
                  import_root=_package_root(file, function.__module__), keywords=keywords,
                  keywords_origin=f"@hybrid_job in {file.name}")


def script_target(ref: str, cwd: Path) -> Target:
    """``path/to/script.py``: run as a whole in the job, as Braket's script mode runs it; not imported here."""
    file = (cwd / ref).resolve()
    if not file.is_file():
        raise InvalidInput([Problem(f"no such file: {ref}", ref)])
    module, root = _module_from_path(file)
    return Target(function=None, module=module, qualname="", file=file, import_root=root,
                  keywords_origin=f"script {file.name}")


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
    if not colon and ref.endswith(".py"):
        return script_target(ref, cwd)
    if not colon or not left or not name:
        raise InvalidInput([Problem(
            "expected path/to/file.py:function, package.module:function, or path/to/script.py", ref)])
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
    decorated = getattr(found, "target", None)  # what @hybrid_job made knows its target: no import of the decorator,
    if isinstance(decorated, Target):           # which stands above this module
        return decorated
    if not inspect.isfunction(found):
        raise InvalidInput([Problem(f"{name} is a {type(found).__name__}, not a function", ref)])
    return target_of(found)
