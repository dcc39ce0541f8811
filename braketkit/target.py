"""What a job runs: a function, and how the job imports it from the archive.

Shared by the decorator (which has the function) and the CLI (which has a
reference: ``path/to/file.py:function``, ``package.module:function``, or a module
run as a whole, ``path/to/script.py`` or ``package.module``, as Braket's own
script mode runs it). A module is named as ``python -m`` names it from the working
directory, its plain folders being namespace packages (the Braket SDK's
``source_module`` layout), so ``qaoa/run.py`` and ``qaoa.run`` are one job.

The CLI finds a function without running its module where it can
(``module_source``): only a function braketkit's ``@hybrid_job`` decorates is
imported, for its settings, and read from source when that import fails here.

A function defined in ``__main__`` (a notebook, IPython, ``python train.py``,
``python -m``) is not imported by the job at all: it travels as source
(``package.capture``), so the user's top-level code never runs in the job.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from . import module_source
from .errors import InvalidInput, Problem
from .places import display_path, is_main, where_defined
from .resolve import Keywords
from .resolve.pyproject import find_pyproject

__all__ = ["Target", "import_roots", "load_reference", "own_module_hint", "script_target", "source_module_target",
           "target_of"]


@attrs.frozen(kw_only=True)
class Target:
    function: Callable[..., Any] | None
    """None for a script run as a whole (script mode): nothing of it is imported here. For a function read from
    its source, a stand-in with its signature that runs none of the module's code (``module_source.stand_in``)."""
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
    import_roots: tuple[Path, ...] = attrs.field()
    """Every folder the job imports from, first wins: ``import_root``, then, for a module in a plain folder (no
    ``__init__.py``), that folder too (``import_roots``)."""
    import_failure: str = ""
    """Why importing the module failed here, when its function was read from source instead (the plan warns)."""
    ships: str = ""
    """The one file or folder of ``import_root`` the job gets, as the Braket SDK ships a ``source_module``
    (``qaoa``, ``algorithm_script.py``); empty: what the project says (``plan``'s layout)."""

    @import_roots.default
    def _import_root_alone(self) -> tuple[Path, ...]:
        return (self.import_root,)


def _package_root(file: Path, module: str) -> Path:
    """The folder ``module`` (defined in ``file``) is imported from."""
    root = file.parent
    for _ in module.split(".")[: -1 if file.name != "__init__.py" else None]:
        root = root.parent
    return root


def _anchor(file: Path, cwd: Path) -> Path:
    """Where a file's module is named from: the working directory, or a project below it (its pyproject.toml)."""
    pyproject = find_pyproject(file.parent)
    if pyproject is not None and pyproject.parent != cwd and pyproject.parent.is_relative_to(cwd):
        return pyproject.parent
    return cwd


def _module_from_path(file: Path, cwd: Path) -> tuple[str, Path]:
    """Import name and root for a file.

    In a package (``__init__.py``), through its package folders as Python walks them. A module in a plain
    folder below the working directory is named from there, as ``python -m`` names it, each folder a
    namespace package: ``qaoa/run.py`` is ``qaoa.run``, as ``braketkit run qaoa.run`` names it too. A folder
    whose name Python cannot import stops the walk (``4_examples/qaoa/run.py`` is ``qaoa.run`` from
    ``4_examples``); a file outside the working directory is a top-level module of its folder.
    """
    if file.name == "__init__.py" or (file.parent / "__init__.py").is_file():
        parts = [] if file.name == "__init__.py" else [file.stem]
        folder = file.parent
        while (folder / "__init__.py").is_file() and folder.parent != folder:
            parts.insert(0, folder.name)
            folder = folder.parent
        return ".".join(parts), folder
    anchor = _anchor(file, cwd)
    parts, folder = [file.stem], file.parent
    while folder != anchor and folder.is_relative_to(anchor) and module_source.is_name(folder.name):
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts), folder


def import_roots(file: Path, module: str, root: Path) -> tuple[Path, ...]:
    """The folders the job imports from, first wins: ``root``, which ``module`` is named from, then a plain
    folder's own (``qaoa/`` for ``qaoa.run``).

    A module of the Braket SDK's layout imports its neighbours both ways: as its folder's modules
    (``from qaoa.utils import ...``, as ``python -m qaoa.run`` allows) and as top-level ones (``import utils``,
    as ``python qaoa/run.py`` allows). A package's module (``__init__.py``) keeps the one root, and so does a
    folder holding a module named like the package, which would hide it.
    """
    folder = file.parent
    if file.name == "__init__.py" or folder == root or (folder / "__init__.py").is_file():
        return (root,)
    top = module.partition(".")[0]
    if (folder / f"{top}.py").exists() or (folder / top / "__init__.py").exists():
        return (root,)
    return (root, folder)


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
    root = _package_root(file, function.__module__)
    return Target(function=function, module=function.__module__, qualname=qualname, file=file,
                  import_root=root, import_roots=import_roots(file, function.__module__, root), keywords=keywords,
                  keywords_origin=f"@hybrid_job in {file.name}")


_EXPECTED = ("expected path/to/file.py:function, package.module:function, or a module run as a whole: "
             "path/to/script.py or package.module")


def _is_dotted(text: str) -> bool:
    return all(module_source.is_name(part) for part in text.split("."))


def _module_file(module: str, root: Path, ref: str, *, script: bool) -> Path:
    """The file ``module`` is below ``root``, found as the import system finds it, without importing it: a
    package's ``__init__.py`` (its ``__main__.py``, run as a whole)."""
    base = root.joinpath(*module.split("."))
    inside = "__main__.py" if script else "__init__.py"
    for file in (base.parent / f"{base.name}.py", base / inside):
        if file.is_file():
            return file.resolve()
    place = display_path(root)
    place = "the working directory" if place == "." else place
    if script and (base / "__init__.py").is_file():
        raise InvalidInput([Problem(f"{module} is a package without __main__.py, so it cannot run as a whole; "
                                    "name one of its modules, or a function (package.module:function)", ref)])
    raise InvalidInput([Problem(f"no module named {module!r} in {place}", ref)])


def _module_of(text: str, ref: str, cwd: Path, *, script: bool) -> tuple[Path, str, Path]:
    """The file, import name and root of the module ``text`` names, by its path or its dotted name."""
    if text.endswith(".py") or (not script and ("/" in text or "\\" in text)):
        file = (cwd / text).resolve()
        if not file.is_file():
            raise InvalidInput([Problem(f"no such file: {text}", ref)])
        return (file, *_module_from_path(file, cwd))
    if _is_dotted(text):
        return _module_file(text, cwd, ref, script=script), text, cwd
    raise InvalidInput([Problem(_EXPECTED, ref)])


def script_target(ref: str, cwd: Path) -> Target:
    """A module run as a whole (``path/to/script.py``, ``package.module``), as Braket's script mode runs it:
    ``python -m`` in the job, never imported here."""
    file, module, root = _module_of(ref, ref, cwd, script=True)
    return Target(function=None, module=module, qualname="", file=file, import_root=root,
                  import_roots=import_roots(file, module, root), keywords_origin=f"script {file.name}")


def source_module_target(source_module: str, entry_point: str | None, cwd: Path, *, keywords: Keywords = (),
                         origin: str = "source_module") -> Target:
    """A script job of the Braket SDK's ``create``: ``source_module`` (a file or a folder, from ``cwd``) ships
    alone, and Braket's container runs ``entry_point`` (``module`` or ``module:function``, the module named from
    the folder holding ``source_module``; default: its name) from the code folder. Nothing is imported here.

    The settings' ``source`` is that folder (``origin`` says why), so the job's code folder is where the entry is
    named from, as the container needs it.
    """
    if source_module.startswith("s3://"):
        raise InvalidInput([Problem(
            f"{source_module} is an archive in S3; braketkit ships the source it packs itself (content-addressed, "
            "checked before it goes): name the file or folder here", "source_module", origin)])
    place = (cwd / source_module).resolve()
    if not place.exists():
        raise InvalidInput([Problem(f"no such file or folder: {source_module}", "source_module", origin)])
    root, top = place.parent, place.stem if place.is_file() else place.name
    entry = entry_point or top
    module, _, function = entry.partition(":")
    if not _is_dotted(module) or (function and not module_source.is_name(function)):
        raise InvalidInput([Problem(f"{entry!r} is not module or module:function", "entry_point", origin)])
    if place.is_dir() and module.partition(".")[0] != top:
        raise InvalidInput([Problem(f"{entry!r} is not in {source_module}: a folder's entry point starts with its "
                                    f"name ({top}.module, {top}.module:function)", "entry_point", origin)])
    if place.is_file() and module != top:
        raise InvalidInput([Problem(f"{entry!r} is not {source_module}: a file's entry point is its module "
                                    f"({top}, or {top}:function)", "entry_point", origin)])
    file = _module_file(module, root, entry, script=not function)
    if function:
        _read_function(file, module, function, Problem("", "entry_point", origin))
    source = Path(os.path.relpath(root, _project_of(root))).as_posix()
    return Target(function=None, module=module, qualname=function, file=file, import_root=root,
                  keywords=(*keywords, ({"source": source}, origin)), keywords_origin=origin, ships=place.name)


def _project_of(folder: Path) -> Path:
    """The folder ``source`` is relative to: the nearest pyproject.toml's at or above ``folder``, else ``folder``."""
    pyproject = find_pyproject(folder)
    return pyproject.parent if pyproject is not None else folder


def own_module_hint(name: str, own: Path, entry: Path, project: Path | None) -> str:
    """What to do when the entry imports ``name``, the user's own folder or module ``own``, which the job does not
    get: the hint names that folder, never "install" it. ``project``: the folder of the pyproject.toml, if any."""
    kind = "folder" if own.is_dir() else "module"
    said = f"{name} is your own {kind} {_place(own)}, which the job does not get"
    if project is not None:
        source = Path(os.path.relpath(own.parent, project)).as_posix()
        return f'{said}: set source = "{source}" in [tool.braketkit], so that {_place(own.parent)} ships whole'
    if entry.is_relative_to(own):
        return (f"{said}: run braketkit from {_place(own.parent)}, naming the entry "
                f"{entry.relative_to(own.parent).as_posix()}, so that {name}/ ships whole")
    return f"{said}: put a pyproject.toml in {_place(own.parent)}, whose folder then ships whole as the project"


def _place(path: Path) -> str:
    """A folder or file for a message: from the working directory, or its whole path when it is that directory."""
    shown = display_path(path)
    return str(path) if shown == "." else shown


class _ImportFailed(Exception):
    """Importing the module here failed: the problem to report (with what to do), and the reason in a few words."""

    def __init__(self, problem: Problem, reason: str) -> None:
        super().__init__(str(problem))
        self.problem, self.reason = problem, reason


def _import(module: str, file: Path, roots: tuple[Path, ...], ref: str) -> Any:
    for root in reversed(roots):  # the first root first, as in the job
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is not None and (module == error.name or module.startswith(error.name + ".")):
            place = display_path(roots[0])
            place = "the working directory" if place == "." else place
            raise InvalidInput([Problem(f"no module named {module!r} in {place}", ref)]) from None
        top = (error.name or "").partition(".")[0]
        tree = module_source.parse(file)
        named = sorted((name for name in module_source.imported_modules(tree) if name.partition(".")[0] == top),
                       key=len, reverse=True) if tree is not None else [top]
        own = next((found for name in named if (found := module_source.user_module(name, roots))), None)
        if own is not None:
            pyproject = find_pyproject(file.parent)
            hint = own_module_hint(top, own, file, pyproject.parent if pyproject else None)
        else:
            hint = "install it locally to plan or run the job here"
        raise _ImportFailed(Problem(f"importing {module} failed: {error}; {hint}", ref), str(error)) from error
    except InvalidInput:
        raise
    except Exception as error:  # the user's module raised while importing
        reason = f"{type(error).__name__}: {error}"
        raise _ImportFailed(Problem(f"importing {module} failed: {reason}", ref), reason) from error


def _imported(ref: str, file: Path, module: str, roots: tuple[Path, ...], name: str) -> Target:
    """The target, found by importing its module (a decorated function's settings are known only so)."""
    found: Any = _import(module, file, roots, ref)
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


def _read_function(file: Path, module: str, name: str, at: Problem) -> module_source.Defined | None:
    """What ``module``'s source says of its function ``name`` (None: only running it can tell); refused, with a
    "did you mean", when nothing in it binds the name. ``at``: the problem's key and origin."""
    tree = module_source.parse(file)
    found = module_source.find_function(tree, name) if tree is not None else None
    if isinstance(found, module_source.Undefined):
        close = difflib.get_close_matches(name, found.functions, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else \
            f"; it has {', '.join(found.functions)}" if found.functions else ""
        raise InvalidInput([attrs.evolve(at, message=f"{module} has no {name!r}{hint}")])
    return found


def _function_target(ref: str, file: Path, module: str, root: Path, name: str) -> Target:
    """The function ``name`` of ``module``: read from its source unless braketkit's ``@hybrid_job`` decorates it,
    whose settings need the import (when it fails here, they are read from the source as literals)."""
    roots = import_roots(file, module, root)
    found = _read_function(file, module, name, Problem("", ref))

    def from_source(read: module_source.Defined, keywords: Keywords = (), failure: str = "") -> Target:
        return Target(function=module_source.stand_in(read, module), module=module, qualname=name, file=file,
                      import_root=root, import_roots=roots, keywords=keywords,
                      keywords_origin=f"@hybrid_job in {file.name}", import_failure=failure)

    if isinstance(found, module_source.Defined) and not found.decorated:
        return from_source(found)
    try:
        return _imported(ref, file, module, roots, name)
    except _ImportFailed as failure:
        if not isinstance(found, module_source.Defined):
            raise InvalidInput([failure.problem]) from failure.__cause__
        settings = module_source.literal_settings(found)
        if settings.not_literal:
            line = min(node.lineno for node in [found.node, *found.node.decorator_list])  # as the decorator names it
            raise InvalidInput([Problem(
                f"{failure.problem.message}; the @hybrid_job settings of {name} ({where_defined(str(file), line)}) "
                f"are not all literals ({settings.not_literal}), so they cannot be read without importing {module}: "
                "write them as literals (strings, numbers, lists, dicts) or in [tool.braketkit]", ref)
            ]) from failure.__cause__
        return from_source(found, (settings.keywords,) if settings.keywords else (), failure.reason)


def load_reference(ref: str, cwd: Path | None = None) -> Target:
    """The target a reference names, its module imported only where ``_function_target`` must."""
    here = (cwd or Path.cwd()).resolve()
    left, colon, name = ref.rpartition(":")
    if not colon:
        return script_target(ref, here)
    if not left or not name:
        raise InvalidInput([Problem(_EXPECTED, ref)])
    file, module, root = _module_of(left, ref, here, script=False)
    return _function_target(ref, file, module, root, name)
