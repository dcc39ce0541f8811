"""A module as its source reads, never run: a top-level function, its ``@hybrid_job`` settings, what it imports.

Finding a function by importing its module runs the module's top-level code on this machine: code that
needs a package only the job installs, or reads a variable only a job has
(``os.environ["AMZN_BRAKET_SCRIPT_ENTRY_POINT"]``). A function braketkit's ``@hybrid_job`` does not
decorate needs none of that: its signature as written gives the command's options and the call's
encoding (``stand_in``), and only the job imports the module. A decorated function is imported (its
settings may be any expression); when that fails here, its settings are read as literals
(``literal_settings``).
"""

from __future__ import annotations

import ast
import inspect
import keyword
import sys
import tokenize
import types
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, Union, cast

import attrs

__all__ = ["HYBRID_JOB", "Defined", "LiteralSettings", "SourceDefault", "Undefined", "find_function",
           "imported_modules", "is_name", "literal_settings", "parse", "parse_text", "stand_in", "standard_library",
           "user_module"]

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

HYBRID_JOB = ("braketkit.hybrid_job", "braketkit.decorator.hybrid_job", "braketkit.sdk.hybrid_job")
"""Where braketkit's decorator is imported from, by the names a module may spell it with."""


def is_name(text: str) -> bool:
    """A name Python can import: an identifier that is no keyword."""
    return text.isidentifier() and not keyword.iskeyword(text)


def parse(file: Path) -> ast.Module | None:
    """The module's syntax tree; None when it cannot be read or parsed (importing it would say why)."""
    try:
        with tokenize.open(file) as handle:  # the encoding its coding line (or UTF-8) says, as Python reads it
            return parse_text(handle.read(), str(file))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return None


def parse_text(text: str, filename: str = "<source>") -> ast.Module:
    """A module's syntax tree from its text; SyntaxError (or ValueError, for a null byte) when it has none."""
    return ast.parse(text, filename)


@attrs.frozen
class Defined:
    """The name is a function defined with ``def`` at the module's top level, last of what binds the name."""

    node: FunctionNode
    decorated: bool
    """By braketkit's ``@hybrid_job``, or by a decorator that may be it (an alias the module made of it)."""
    imports: dict[str, str]
    """The module's imports: each name it binds, and the dotted name it stands for."""
    bound: frozenset[str]
    """Every name the module binds at its level: a builtin's name among them (``list``) is the module's own."""


@attrs.frozen
class Undefined:
    """Nothing in the module binds the name, and nothing could (no ``import *``, no module ``__getattr__``)."""

    functions: list[str]
    """The module's own public top-level functions, for a "did you mean"."""


def _statements(body: Iterable[ast.stmt], nested: bool = False) -> Iterator[tuple[ast.stmt, bool]]:
    """The statements that run at the module's level, in order; ``nested``: inside an ``if``, ``try``, loop..."""
    for statement in body:
        yield statement, nested
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(statement, field, ()), True)
        for handler in getattr(statement, "handlers", ()):
            yield from _statements(handler.body, True)
        for case in getattr(statement, "cases", ()):
            yield from _statements(case.body, True)


_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def _bound(statement: ast.stmt) -> Iterator[str]:
    """The names a statement binds at the module's level (a nested block's statements bind their own)."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield statement.name
        return
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        for alias in statement.names:
            yield alias.asname or alias.name.partition(".")[0]
        return
    for field, value in ast.iter_fields(statement):
        if field in _BODIES:
            continue
        for part in value if isinstance(value, list) else [value]:
            if isinstance(part, ast.AST):
                yield from (node.id for node in ast.walk(part)
                            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store))
    for handler in getattr(statement, "handlers", ()):
        if handler.name:
            yield handler.name


def _imports(tree: ast.Module) -> dict[str, str]:
    """Each name the module's own imports bind, and the dotted name it stands for (``np`` → ``numpy``)."""
    found: dict[str, str] = {}
    for statement, _ in _statements(tree.body):
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname:
                    found[alias.asname] = alias.name
                else:
                    head = alias.name.partition(".")[0]
                    found[head] = head
        elif isinstance(statement, ast.ImportFrom):
            base = "." * statement.level + (statement.module or "")
            for alias in statement.names:
                found[alias.asname or alias.name] = f"{base}.{alias.name}"
    return found


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a name or a chain of attributes, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


def _qualified(node: ast.expr, imports: dict[str, str]) -> str | None:
    """The dotted name an expression stands for through the module's imports; None when it is no import's."""
    dotted = _dotted(node)
    if dotted is None:
        return None
    head, dot, rest = dotted.partition(".")
    origin = imports.get(head)
    return None if origin is None else origin + dot + rest


def _braketkit_imported(tree: ast.Module) -> bool:
    """Whether the module imports anything of braketkit, anywhere."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(alias.name.partition(".")[0] == "braketkit" for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").partition(".")[0] == "braketkit":
            return True
    return False


def _decorated(node: FunctionNode, imports: dict[str, str], braketkit: bool) -> bool:
    """Decorated by braketkit's ``@hybrid_job``, or, in a module that imports braketkit, by a decorator this
    reading cannot follow (``job = hybrid_job(...)`` then ``@job``): a function taken for undecorated would
    lose its settings, one taken for decorated is only imported."""
    for decorator in node.decorator_list:
        called = decorator.func if isinstance(decorator, ast.Call) else decorator
        qualified = _qualified(called, imports)
        if qualified is None:
            if braketkit:
                return True
        elif qualified in HYBRID_JOB or qualified.partition(".")[0] == "braketkit":
            return True
    return False


def find_function(tree: ast.Module, name: str) -> Defined | Undefined | None:
    """What the module's source says of ``name``; None when only running it can tell (the name is bound by an
    assignment, an import, a class, inside an ``if`` or ``try``, or may come from ``import *``)."""
    if not is_name(name):
        return None
    binding: tuple[ast.stmt, bool] | None = None
    getattr_hook = False
    functions: list[str] = []
    everything: set[str] = set()
    for statement, nested in _statements(tree.body):
        bound = set(_bound(statement))
        if name in bound:
            binding = (statement, nested)
        everything |= bound
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and not nested:
            getattr_hook = getattr_hook or statement.name == "__getattr__"
            if not statement.name.startswith("_"):
                functions.append(statement.name)
    if binding is None:
        return None if "*" in everything or getattr_hook else Undefined(sorted(set(functions)))
    statement, nested = binding
    if nested or not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    imports = _imports(tree)
    return Defined(statement, _decorated(statement, imports, _braketkit_imported(tree)), imports,
                   frozenset(everything))


@attrs.frozen
class LiteralSettings:
    """A decorated function's ``@hybrid_job`` settings, as far as they are literals."""

    keywords: dict[str, Any]
    not_literal: str = ""
    """The first setting written as an expression (``device=DEVICE``), or empty: all are literals."""


def literal_settings(found: Defined) -> LiteralSettings:
    """The keywords of the function's ``@hybrid_job``, each read with ``ast.literal_eval``."""
    keywords: dict[str, Any] = {}
    for decorator in found.node.decorator_list:
        called = decorator.func if isinstance(decorator, ast.Call) else decorator
        if _qualified(called, found.imports) not in HYBRID_JOB:
            continue
        if not isinstance(decorator, ast.Call):
            return LiteralSettings(keywords)  # bare @hybrid_job: no settings
        if decorator.args:
            return LiteralSettings(keywords, ast.unparse(decorator.args[0]))
        for given in decorator.keywords:
            if given.arg is None:
                return LiteralSettings(keywords, f"**{ast.unparse(given.value)}")
            try:
                keywords[given.arg] = ast.literal_eval(given.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return LiteralSettings(keywords, f"{given.arg}={ast.unparse(given.value)}")
        return LiteralSettings(keywords)
    unfollowed = next(iter(found.node.decorator_list), None)
    return LiteralSettings(keywords, f"@{ast.unparse(unfollowed)}" if unfollowed is not None else "")


# -- the signature, as a function that stands in for the one the job imports ------------------------------------


class _Unknown(Exception):
    """An annotation that is not a plain type: the job's own function has it; here it takes JSON."""


_BUILTIN_TYPES: dict[str, Any] = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "dict": dict,
                                  "tuple": tuple, "set": set, "frozenset": frozenset}
_TYPING: dict[str, Any] = {"Any": Any, "List": list, "Dict": dict, "Tuple": tuple, "Set": set,
                           "FrozenSet": frozenset}
_GENERIC = (list, dict, tuple, set, frozenset)
_UNION: Any = Union
_LITERAL: Any = Literal
"""The typing forms, subscripted with what the source names: types made at run time, not written."""


class _Annotations:
    """Annotations turned into types, for plain ones only: builtins, ``typing``'s containers, ``Optional``,
    ``Union``, ``X | Y`` and ``Literal`` of literals. Nothing of the module is run."""

    def __init__(self, imports: dict[str, str], shadowed: frozenset[str]) -> None:
        self.imports, self.shadowed = imports, shadowed

    def name(self, node: ast.expr) -> str:
        """``builtins.int``, ``typing.Optional``: what a name in an annotation stands for, or ``_Unknown``."""
        qualified = _qualified(node, self.imports)
        if qualified is not None:
            module, _, member = qualified.rpartition(".")
            if module in ("typing", "typing_extensions"):
                return f"typing.{member}"
            raise _Unknown
        if isinstance(node, ast.Name) and node.id in _BUILTIN_TYPES and node.id not in self.shadowed:
            return f"builtins.{node.id}"
        raise _Unknown

    def type(self, node: ast.expr | None) -> Any:
        if node is None:
            raise _Unknown
        if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "int | None", as quoted
            try:
                return self.type(ast.parse(node.value, mode="eval").body)
            except SyntaxError:
                raise _Unknown from None
        if isinstance(node, ast.Constant) and node.value is None:
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return _UNION[self.type(node.left), self.type(node.right)]
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        named = self.name(node)
        if named.startswith("builtins."):
            return _BUILTIN_TYPES[named.removeprefix("builtins.")]
        if named.removeprefix("typing.") in _TYPING:
            return _TYPING[named.removeprefix("typing.")]
        raise _Unknown

    def subscript(self, node: ast.Subscript) -> Any:
        named = self.name(node.value)
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if named == "typing.Literal":
            try:
                values = tuple(ast.literal_eval(item) for item in items)
            except (ValueError, TypeError, SyntaxError):
                raise _Unknown from None
            return _LITERAL[values]
        if named == "typing.Optional" and len(items) == 1:
            return _UNION[self.type(items[0]), None]
        if named == "typing.Union":
            return _UNION[tuple(self.type(item) for item in items)]
        origin = self.type(node.value)
        if origin not in _GENERIC:
            raise _Unknown
        args = tuple(... if isinstance(item, ast.Constant) and item.value is Ellipsis else self.type(item)
                     for item in items)
        return origin[args if len(args) > 1 else args[0]]


class SourceDefault:
    """A default that is no literal (``Budget(100)``, ``DEFAULT_LR``): its value is known only where the module
    runs, so it gives no type; shown as written."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _default(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return SourceDefault(ast.unparse(node))


def _yields(node: FunctionNode) -> bool:
    """Whether the function's own body yields (a nested function's or lambda's yield is its own)."""
    stack: list[ast.AST] = list(node.body)
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack += ast.iter_child_nodes(current)
    return False


def _template(node: FunctionNode, message: str) -> Callable[..., Any]:
    """A function of the source's kind (plain, generator, coroutine, async generator), which refuses to be called
    here: what asks ``inspect`` of the function gets the source's answer."""

    def plain(*args: Any, **kwargs: Any) -> Any:
        raise TypeError(message)

    def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
        raise TypeError(message)
        yield  # a generator function, as the source's

    async def coroutine(*args: Any, **kwargs: Any) -> Any:
        raise TypeError(message)

    async def async_generator(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        raise TypeError(message)
        yield  # an async generator function, as the source's

    if isinstance(node, ast.AsyncFunctionDef):
        return async_generator if _yields(node) else coroutine
    return generator if _yields(node) else plain


def stand_in(found: Defined, module: str) -> Callable[..., Any]:
    """A function with the source's name, signature and kind that never runs the module's code: what the command's
    options, the argument encoding and the result's type are made from. An annotation that is no plain type stays
    text in the signature (and takes JSON); the job's own function rebuilds the value."""
    node = found.node
    reader = _Annotations(found.imports, found.bound)
    annotations: dict[str, Any] = {}

    def annotated(name: str, annotation: ast.expr | None) -> Any:
        if annotation is None:
            return inspect.Parameter.empty
        try:
            annotations[name] = reader.type(annotation)
        except _Unknown:
            return ast.unparse(annotation)
        return annotations[name]

    arguments = node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults)) + [*arguments.defaults]
    parameters = []
    for index, (argument, default) in enumerate(zip(positional, defaults, strict=True)):
        kind = inspect.Parameter.POSITIONAL_ONLY if index < len(arguments.posonlyargs) else \
            inspect.Parameter.POSITIONAL_OR_KEYWORD
        parameters.append(inspect.Parameter(
            argument.arg, kind, default=inspect.Parameter.empty if default is None else _default(default),
            annotation=annotated(argument.arg, argument.annotation)))
    if arguments.vararg is not None:
        parameters.append(inspect.Parameter(arguments.vararg.arg, inspect.Parameter.VAR_POSITIONAL,
                                            annotation=annotated(arguments.vararg.arg, arguments.vararg.annotation)))
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        parameters.append(inspect.Parameter(
            argument.arg, inspect.Parameter.KEYWORD_ONLY,
            default=inspect.Parameter.empty if default is None else _default(default),
            annotation=annotated(argument.arg, argument.annotation)))
    if arguments.kwarg is not None:
        parameters.append(inspect.Parameter(arguments.kwarg.arg, inspect.Parameter.VAR_KEYWORD,
                                            annotation=annotated(arguments.kwarg.arg, arguments.kwarg.annotation)))
    returns = annotated("return", node.returns)
    function = cast(types.FunctionType, _template(
        node, f"{module}.{node.name} was read from its source, not imported: it runs in the job"))
    function.__name__ = function.__qualname__ = node.name
    function.__module__ = module
    function.__doc__ = ast.get_docstring(node)
    function.__annotations__ = annotations
    function.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        parameters, return_annotation=inspect.Signature.empty if returns is inspect.Parameter.empty else returns)
    return function


# -- what the module imports, and which of it is the user's own -----------------------------------------------


def imported_modules(tree: ast.Module) -> set[str]:
    """The modules it imports absolutely, anywhere in it, by their dotted names (``qaoa.utils``)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module)
    return found


def _python(path: Path) -> bool:
    """A ``.py`` file, or a folder holding one (a package's ``__init__.py`` among them)."""
    if path.is_file():
        return path.suffix == ".py"
    try:
        return path.is_dir() and any(child.suffix == ".py" for child in path.iterdir())
    except OSError:
        return False


def _holds(folder: Path, parts: list[str]) -> bool:
    """Whether the modules ``parts`` name are in ``folder`` (``["utils"]``: ``utils.py`` or ``utils/``)."""
    if not parts:
        return _python(folder)
    *inner, last = parts
    place = folder.joinpath(*inner)
    return (place / f"{last}.py").is_file() or _python(place / last)


def user_module(dotted: str, folders: Iterable[Path]) -> Path | None:
    """The user's own module or folder that ``dotted`` (``qaoa.utils``) starts with, in or beside one of
    ``folders`` (the folders the job imports from, as they are on this machine): ``qaoa.py``, or a ``qaoa/``
    holding Python. One of ``folders`` itself counts only when the rest of the name is in it (``utils.py``, when
    planned from inside ``qaoa/``): a project folder named like a package it uses is no module of the user's."""
    top, *rest = dotted.split(".")
    roots = list(folders)
    for folder in roots:
        for base in (folder, folder.parent):
            if not rest and (base / f"{top}.py").is_file():
                return base / f"{top}.py"
            package = base / top
            if package.is_dir() and (rest or package not in roots) and _holds(package, rest):
                return package
    return None


def standard_library(name: str) -> bool:
    """A top-level module of Python's standard library (or built into the interpreter)."""
    return name in sys.stdlib_module_names or name in sys.builtin_module_names
