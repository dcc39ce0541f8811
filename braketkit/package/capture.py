"""Source capture: a function defined in ``__main__`` becomes a module of its own in the archive.

A notebook cell, IPython, ``python script.py`` and ``python -m pkg.mod`` all define
functions in ``__main__``, which the job cannot import without running the user's
top-level code again. So the function's own source is written into a generated
module, with what it uses from its globals: an import for a module or an importable
object, the source of other ``__main__`` functions and classes (recursively, with
their decorators), and literal values as they are at submission. Anything else is
refused by name. No pickle, so no Python-version lock between here and the job.

Pure: it reads the live objects and the source Python keeps for them (files, and
the cells IPython registers in ``linecache``), and writes nothing.
"""

from __future__ import annotations
import __future__

import ast
import builtins
import enum
import inspect
import linecache
import math
import os
import stat
import symtable
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from .. import ipython
from ..errors import InvalidInput, Problem
from ..resolve.pyproject import display_path

__all__ = [
    "MAIN_MODULES", "MAX_LITERAL", "MODULE", "CapturedModule", "capture", "is_main", "keep_stdin_source",
    "where_defined",
]

MODULE = "braketkit_main"
"""The generated module's name in the archive (``braketkit_main.py`` at its root)."""
MAX_LITERAL = 64 * 1024
"""Characters of source one captured value may take; bigger data travels as an argument or input."""
MAIN_MODULES = ("__main__", "__mp_main__")
_HINT = "pass it to {entry} as an argument or as input data, create it inside {entry}, or move it into a module"
_LITERALS = (type(None), bool, int, float, str, bytes, tuple, list, dict, set, frozenset)


@attrs.frozen(kw_only=True)
class CapturedModule:
    """The generated module: its text, the globals it defines, and the entry function's name in it."""

    text: str
    names: list[str]
    entry: str
    warnings: list[str]


def is_main(function: Callable[..., Any]) -> bool:
    """Defined in ``__main__`` (a script, ``python -m``, a notebook, IPython, stdin)?"""
    return getattr(function, "__module__", None) in MAIN_MODULES


def _cell_numbers() -> dict[str, int]:
    """IPython's cell file names and their execution counts, when running under IPython."""
    numbers = getattr(getattr(ipython.shell(), "compile", None), "_filename_map", None)
    return dict(numbers) if isinstance(numbers, dict) else {}


def where_defined(filename: str, line: int | None = None) -> str:
    """``train.py:12``, ``cell [3], line 2`` or ``<stdin>:4``, as a user would find it."""
    cell = _cell_numbers().get(filename)
    if cell is not None:
        return f"cell [{cell}]" + (f", line {line}" if line else "")
    if filename.startswith("<"):
        return filename + (f":{line}" if line else "")
    return display_path(Path(filename)) + (f":{line}" if line else "")


def keep_stdin_source() -> None:
    """Make code read from standard input findable, when standard input is a file that can be read again.

    ``python - < train.py`` leaves a readable file on descriptor 0; a pipe or a here-document
    leaves nothing, and Python itself keeps no copy of what it read.
    """
    if "<stdin>" in linecache.cache:
        return
    try:
        info = os.fstat(0)
        if not stat.S_ISREG(info.st_mode):
            return
        text = os.pread(0, info.st_size, 0).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return
    linecache.cache["<stdin>"] = (len(text), None, text.splitlines(keepends=True), "<stdin>")


@attrs.frozen
class _Source:
    text: str
    filename: str
    first_line: int
    tree: ast.stmt


def _parse(lines: list[str], filename: str, first_line: int) -> _Source | None:
    text = textwrap.dedent("".join(lines))
    try:
        body = ast.parse(text).body
    except SyntaxError:
        return None
    return _Source(text, filename, first_line, body[0]) if len(body) == 1 else None


def _function_source(function: types.FunctionType) -> _Source | None:
    try:
        lines, first = inspect.getsourcelines(function)
    except (OSError, TypeError):
        return None
    return _parse(lines, function.__code__.co_filename, first)


def _code_files(cls: type) -> Iterator[str]:
    """Files holding the class's methods: where the class itself was written."""
    for item in vars(cls).values():
        function = getattr(item, "__func__", None) or getattr(item, "fget", None) or item
        code = getattr(function, "__code__", None)
        if code is not None and (code.co_filename in linecache.cache or os.path.isfile(code.co_filename)):
            yield code.co_filename


def _class_source(cls: type) -> _Source | None:
    """Classes keep no code object of their own: find their ``class`` statement in the files that may hold it."""
    main = sys.modules.get("__main__")
    cells = sorted(_cell_numbers().items(), key=lambda item: -item[1])
    candidates = [*_code_files(cls), *(name for name, _ in cells)]
    script = getattr(main, "__file__", None)
    if isinstance(script, str):
        candidates.append(script)
    for filename in dict.fromkeys(candidates):
        lines = linecache.getlines(filename)
        try:
            tree = ast.parse("".join(lines))
        except SyntaxError:
            continue
        found = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef) and node.name == cls.__name__]
        if found:
            node = found[-1]  # a class defined twice in one file: the later definition is the live one
            first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
            return _parse(lines[first - 1: node.end_lineno], filename, first)
    return None


def _lambda_source(function: types.FunctionType) -> _Source | None:
    """``name = lambda ...`` on a line of its own is captured as that assignment."""
    source = _function_source(function)
    if source is None or not isinstance(source.tree, ast.Assign):
        return None
    targets = source.tree.targets
    plain = len(targets) == 1 and isinstance(targets[0], ast.Name)
    return source if plain and isinstance(source.tree.value, ast.Lambda) else None


def _defined_name(tree: ast.stmt) -> str | None:
    """The name a captured definition binds: a def's, a class's, or a lambda assignment's target."""
    if isinstance(tree, ast.Assign) and isinstance(tree.targets[0], ast.Name):
        return tree.targets[0].id
    return getattr(tree, "name", None)


def _global_names(text: str) -> dict[str, bool]:
    """Names the definition takes from its module's globals, in any scope within it (Python's own analysis).

    Each maps to whether it is read; a name only declared ``global`` and assigned
    needs its value only if it has one now. The module's own dunder names
    (``__name__``, ``__file__``) are the generated module's, never copied.
    """
    table = symtable.symtable(text, "<captured>", "exec")
    defined = {symbol.get_name() for symbol in table.get_symbols() if symbol.is_assigned()}
    names: dict[str, bool] = {}
    pending = [table]
    while pending:
        scope = pending.pop()
        for symbol in scope.get_symbols():
            name = symbol.get_name()
            if symbol.is_global() and (symbol.is_referenced() or symbol.is_declared_global()):
                names[name] = names.get(name, False) or symbol.is_referenced()
        pending += scope.get_children()
    return {name: read for name, read in names.items()
            if name not in defined and not (name.startswith("__") and name.endswith("__"))}


def _attribute_paths(tree: ast.AST) -> dict[str, set[str]]:
    """``np.linalg.norm`` gives ``{"np": {"linalg", "linalg.norm"}}``: submodules a module global may need."""
    paths: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        chain: list[str] = []
        while isinstance(node, ast.Attribute):
            chain.insert(0, node.attr)
            node = node.value
        if chain and isinstance(node, ast.Name):
            paths.setdefault(node.id, set()).update(".".join(chain[: index + 1]) for index in range(len(chain)))
    return paths


def _first_use(tree: ast.AST, name: str) -> int | None:
    lines = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == name]
    return min(lines) if lines else None


def _literal(value: Any, seen: frozenset[int] = frozenset()) -> str | None:
    """Source that evaluates to ``value``, for JSON-like literals only (exact types, no subclasses)."""
    kind = type(value)
    if kind not in _LITERALS:
        return None
    if kind is float and not math.isfinite(value):
        return f'float("{value}")'
    if kind in (type(None), bool, int, float, str, bytes):
        return repr(value)
    if id(value) in seen:
        return None  # a container holding itself
    inner = seen | {id(value)}
    if kind is dict:
        pairs = [(_literal(key, inner), _literal(item, inner)) for key, item in value.items()]
        if any(key is None or item is None for key, item in pairs):
            return None
        return "{" + ", ".join(f"{key}: {item}" for key, item in pairs) + "}"
    items = [_literal(item, inner) for item in value]
    if any(item is None for item in items):
        return None
    if kind in (set, frozenset):
        items = sorted(items)  # type: ignore[type-var]  # a set's order varies from run to run; the module must not
        body = "{" + ", ".join(items) + "}" if items else ""  # type: ignore[arg-type]
        return f"frozenset({body})" if kind is frozenset else (body or "set()")
    if kind is tuple:
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"  # type: ignore[arg-type]
    return "[" + ", ".join(items) + "]"  # type: ignore[arg-type]


def _is_literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except ValueError:
        return False


def _defaults(tree: ast.stmt, function: Any) -> list[tuple[ast.expr, Any]]:
    """Each default's expression in a ``def`` and the value the live function holds for it."""
    if not isinstance(tree, (ast.FunctionDef, ast.AsyncFunctionDef)) or not inspect.isfunction(function):
        return []
    pairs = list(zip(tree.args.defaults, function.__defaults__ or (), strict=False))
    keywords = function.__kwdefaults__ or {}
    pairs += [(node, keywords[arg.arg]) for arg, node in zip(tree.args.kwonlyargs, tree.args.kw_defaults, strict=True)
              if node is not None and arg.arg in keywords]
    return pairs


def _lookup(owner: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        owner = getattr(owner, part, None)
    return owner


def _importable(value: Any, name: str) -> tuple[str, str] | None:
    """``(module, qualname)`` that gives back this very object, preferring the shortest public module."""
    module = getattr(value, "__module__", None)
    if not isinstance(module, str) or module in MAIN_MODULES:
        return None
    parts = module.split(".")
    prefixes = [".".join(parts[: index + 1]) for index in range(len(parts))]
    qualnames = [getattr(value, "__qualname__", None), getattr(value, "__name__", None), name]
    for prefix in prefixes:
        owner = sys.modules.get(prefix)
        for qualname in qualnames:
            if owner is not None and isinstance(qualname, str) and "<" not in qualname:
                try:
                    if _lookup(owner, qualname) is value:
                        return prefix, qualname
                except Exception:  # a module's own __getattr__ may raise anything
                    continue
    return None


def _public_path(kind: type) -> tuple[str, str] | None:
    """Like ``_importable``, but through public names when the class's own is private.

    The Braket SDK's ``Devices.Amazon`` is the class ``Devices._Amazon``: the user wrote
    the public alias, and the generated module should say it too.
    """
    found = _importable(kind, kind.__name__)
    if found is None or not any(part.startswith("_") for part in found[1].split(".")):
        return found
    module = found[0]
    level = [(name, item) for name, item in vars(sys.modules[module]).items()
             if not name.startswith("_") and isinstance(item, type)]
    for _ in range(3):  # a few levels of nested classes, breadth first: the shortest public path wins
        for path, item in level:
            if item is kind:
                return module, path
        level = [(f"{path}.{name}", inner) for path, item in level for name, inner in vars(item).items()
                 if not name.startswith("_") and isinstance(inner, type)]
    return found


def _unwrap(value: Any) -> Any:
    """The ``__main__`` function or class a decorator wrapped (``functools.wraps``, QNodes, ``@hybrid_job``)."""
    for _ in range(100):
        if (inspect.isfunction(value) or inspect.isclass(value)) and value.__module__ in MAIN_MODULES:
            return value
        value = getattr(value, "__wrapped__", None)
        if value is None:
            return None
    return None


def _kind(value: Any) -> str:
    kind = type(value)
    plain = kind.__module__ in ("builtins", *MAIN_MODULES)
    return kind.__qualname__ if plain else f"{kind.__module__}.{kind.__qualname__}"


class _Writer:
    """Collects the module's parts, each name once: imports, then values, then definitions in source order."""

    def __init__(self, namespace: dict[str, Any], entry: str) -> None:
        self.namespace = namespace
        self.entry = entry
        self.imports: dict[str, str] = {}
        self.values: dict[str, str] = {}
        self.definitions: dict[str, tuple[tuple[int, str, int], str]] = {}
        self.visited: set[str] = set()
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.future_annotations = False

    def refuse(self, message: str, where: str) -> None:
        self.problems.append(Problem(message, origin=where))

    def bind(self, name: str, statement: str) -> None:
        self.imports.setdefault(name, statement)

    def expression(self, value: Any, name: str) -> str | None:
        """An expression for an importable object or enum member, adding the import it needs."""
        if isinstance(value, enum.Enum):
            owner = _public_path(type(value))
            if owner is None:
                return None
            module, qualname = owner
            head, _, rest = qualname.partition(".")
            alias = head if self.namespace.get(head) is _lookup(sys.modules[module], head) else f"_{head}"
            self.bind(alias, f"from {module} import {head}" + (f" as {alias}" if alias != head else ""))
            return ".".join(part for part in (alias, rest, value.name) if part)
        found = _importable(value, name)
        if found is None:
            return None
        module, qualname = found
        head, _, rest = qualname.partition(".")
        if not rest:
            self.bind(name, f"from {module} import {head}" + (f" as {name}" if name != head else ""))
            return None  # the import binds the name itself
        alias = f"_{head}"
        self.bind(alias, f"from {module} import {head} as {alias}")
        return f"{alias}.{rest}"

    def need(self, name: str, used_by: str, where: str, paths: set[str], read: bool = True) -> None:
        if name in self.visited:
            return
        self.visited.add(name)
        if name not in self.namespace:
            if read and not hasattr(builtins, name):
                self.warnings.append(f"{used_by} uses {name} ({where}), which is not defined now; "
                                     "the job will raise NameError if it is reached")
            return
        value = self.namespace[name]
        literal = _literal(value)
        if literal is not None:
            if len(literal) > MAX_LITERAL:
                self.refuse(f"{used_by} uses {name}, a {_kind(value)} that takes {len(literal)} characters as "
                            f"source, over the {MAX_LITERAL} braketkit writes into the job; "
                            + _HINT.format(entry=self.entry), where)
            else:
                self.values[name] = f"{name} = {literal}"
            return
        if isinstance(value, types.ModuleType):
            self.module(name, value, where, paths)
            return
        defined = _unwrap(value)
        if defined is not None:
            self.define(name, defined, where)
            return
        kind = type(value)
        own_enum = kind.__module__ in MAIN_MODULES and self.namespace.get(kind.__name__) is kind
        if isinstance(value, enum.Enum) and own_enum:  # a member of an enum of the notebook's own
            self.need(kind.__name__, used_by, where, set())
            if kind.__name__ in self.definitions:
                (cell, filename, line), _ = self.definitions[kind.__name__]
                self.definitions[name] = ((cell, filename, line + 1), f"{name} = {kind.__name__}.{value.name}\n")
            return
        expression = self.expression(value, name)
        if expression is not None:
            self.values[name] = f"{name} = {expression}"
        elif name not in self.imports:
            self.refuse(f"{used_by} uses {name}, a {_kind(value)} object, which cannot be written as source for "
                        "the job; " + _HINT.format(entry=self.entry), where)

    def module(self, name: str, module: types.ModuleType, where: str, paths: set[str]) -> None:
        real = module.__name__
        if real in MAIN_MODULES or sys.modules.get(real) is not module:
            self.refuse(f"{name} is the module {real}, which the job cannot import; move what "
                        f"{self.entry} needs into a module", where)
            return
        self.bind(name, f"import {real}" + (f" as {name}" if name != real else ""))
        for path in sorted(paths):  # np.linalg: a submodule its package may not import by itself
            if f"{real}.{path}" in sys.modules and isinstance(sys.modules[f"{real}.{path}"], types.ModuleType):
                self.bind(f"{real}.{path}", f"import {real}.{path}")

    def define(self, name: str, value: Any, where: str) -> None:
        """Capture a ``__main__`` function or class from its source, then what it uses in turn."""
        label = getattr(value, "__qualname__", name)
        if "<locals>" in label:
            self.refuse(f"{label} is defined inside another function, so its source alone does not make it; "
                        "define it at the top level or in a module", where)
            return
        if inspect.isclass(value):
            source = _class_source(value)
        elif value.__name__ == "<lambda>":
            source = _lambda_source(value)
        else:
            source = _function_source(value)
        if source is None:
            self.refuse(f"braketkit cannot find the source of {label} (Python keeps none for code read from "
                        "a pipe or built with exec); save it in a file or a notebook cell", where)
            return
        if inspect.isfunction(value) and value.__code__.co_flags & __future__.annotations.compiler_flag:
            self.future_annotations = True
        order = (_cell_numbers().get(source.filename, 0), source.filename, source.first_line)
        defined_as = _defined_name(source.tree) or name
        if defined_as != name:  # an alias (g = f): capture f under its own name, then bind g after it
            self.definitions[name] = ((*order[:2], source.first_line + 1), f"{name} = {defined_as}\n")
            self.need(defined_as, label, where, set())
            return
        text = self.edited(source, value)
        self.definitions[name] = (order, text)
        paths = _attribute_paths(source.tree)
        for needed, read in sorted(_global_names(text).items()):
            line = _first_use(source.tree, needed) or 1
            self.need(needed, label, where_defined(source.filename, source.first_line + line - 1),
                      paths.get(needed, set()), read)

    def edited(self, source: _Source, value: Any) -> str:
        """The source as the job needs it: without ``@hybrid_job(...)``, and with defaults as they were made.

        The job has no use for the decorator, and its settings need not be source. A
        default is evaluated when ``def`` runs: ``def train(steps=STEPS)`` keeps the
        STEPS of that moment even after a later cell changes it, so a default that is
        a literal value is written as that value, not as its expression.
        """
        text = source.text.encode()
        starts = [0]
        for line in text.splitlines(keepends=True):
            starts.append(starts[-1] + len(line))
        edits: list[tuple[int, int, bytes]] = []
        for decorator in getattr(source.tree, "decorator_list", []):
            if self.is_braketkit(decorator):
                edits.append((starts[decorator.lineno - 1], starts[decorator.end_lineno], b""))
        for node, default in _defaults(source.tree, value):
            literal = _literal(default)
            if literal is not None and not _is_literal(node):
                edits.append((starts[node.lineno - 1] + node.col_offset,
                              starts[node.end_lineno - 1] + node.end_col_offset, literal.encode()))  # type: ignore[operator]
        for start, end, replacement in sorted(edits, reverse=True):
            text = text[:start] + replacement + text[end:]
        return text.decode().rstrip() + "\n"

    def is_braketkit(self, decorator: ast.expr) -> bool:
        root = decorator.func if isinstance(decorator, ast.Call) else decorator
        while isinstance(root, ast.Attribute):
            root = root.value
        bound = self.namespace.get(root.id) if isinstance(root, ast.Name) else None
        home = bound.__name__ if isinstance(bound, types.ModuleType) else getattr(bound, "__module__", "")
        return isinstance(home, str) and home.partition(".")[0] == "braketkit"

    def text(self, origin: str) -> str:
        parts = [f"# Generated by braketkit from {origin}: {self.entry} and what it uses, as they were at "
                 "submission.\n# The rest of that code does not run in the job.\n"]
        if self.future_annotations:
            parts.append("from __future__ import annotations\n")
        if self.imports:
            parts.append("".join(f"{statement}\n" for statement in sorted(self.imports.values())))
        if self.values:
            parts.append("".join(f"{statement}\n" for statement in self.values.values()))
        definitions = sorted(self.definitions.values())
        return "\n".join(parts) + "".join(f"\n\n{text}" for _, text in definitions)


def capture(function: Callable[..., Any]) -> CapturedModule:
    """The generated module for a ``__main__`` function; InvalidInput naming each global it cannot write."""
    namespace = getattr(function, "__globals__", None)
    if not isinstance(namespace, dict):
        raise InvalidInput([Problem(f"{function!r} is not a Python function", "entry")])
    name = function.__name__
    writer = _Writer(namespace, name)
    code = function.__code__
    writer.visited.add(name)
    writer.define(name, function, where_defined(code.co_filename, code.co_firstlineno))
    if writer.problems:
        raise InvalidInput(writer.problems)
    origin = where_defined(code.co_filename)
    values = sorted(writer.values)
    writer.values = {key: writer.values[key] for key in values}
    names = [*sorted(writer.imports), *values, *(key for key, _ in sorted(writer.definitions.items(),
                                                                          key=lambda item: item[1]))]
    return CapturedModule(text=writer.text(origin), names=[n for n in names if "." not in n], entry=name,
                          warnings=writer.warnings)
