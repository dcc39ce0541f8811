"""What a captured definition takes from its module: Python's own scope analysis, over source.

``symtable`` is the compiler's symbol table: it knows which names in a ``def`` or
``class`` (and every function, lambda and comprehension inside) are globals, so
attribute names, locals and closures never pass for globals.
"""

from __future__ import annotations

import ast
import functools
import inspect
import symtable
from typing import Any

__all__ = ["attribute_paths", "defaults", "first_uses", "global_names", "is_literal", "run_time_only"]


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def global_names(text: str) -> dict[str, bool]:
    """Names the definition takes from its module's globals, in any scope within it.

    Each maps to whether it is read; a name only declared ``global`` and assigned
    needs its value only if it has one now. The module's own dunder names
    (``__name__``, ``__file__``) are the generated module's, never copied.
    """
    return dict(_global_names(text))


@functools.lru_cache(maxsize=1024)
def _global_names(text: str) -> tuple[tuple[str, bool], ...]:
    """The compiler's answer for one text, kept: a replan reads the same cells again."""
    table = symtable.symtable(text, "<captured>", "exec")
    defined = {symbol.get_name() for symbol in table.get_symbols() if symbol.is_assigned()}
    names: dict[str, bool] = {}
    pending = [table]
    while pending:
        scope = pending.pop()
        for symbol in scope.get_symbols():
            if symbol.is_global() and (symbol.is_referenced() or symbol.is_declared_global()):
                names[symbol.get_name()] = names.get(symbol.get_name(), False) or symbol.is_referenced()
        pending += scope.get_children()
    return tuple((name, read) for name, read in names.items() if name not in defined and not _is_dunder(name))


def run_time_only(text: str) -> set[str]:
    """Of those, the names read only when a function runs, not when the statement itself runs.

    Decorators, default values, annotations, base classes and class bodies run with
    the ``def`` or ``class``: what they name must be defined before it; a function's
    body may use what is defined after it.
    """
    return set(_run_time_only(text))


@functools.lru_cache(maxsize=1024)
def _run_time_only(text: str) -> frozenset[str]:
    table = symtable.symtable(text, "<captured>", "exec")
    now = {symbol.get_name() for symbol in table.get_symbols() if symbol.is_referenced()}
    classes = [child for child in table.get_children() if child.get_type() == "class"]
    while classes:
        body = classes.pop()
        now |= {symbol.get_name() for symbol in body.get_symbols() if symbol.is_referenced()}
        classes += [child for child in body.get_children() if child.get_type() == "class"]
    return frozenset(dict(_global_names(text))) - now


def attribute_paths(tree: ast.AST) -> dict[str, set[str]]:
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


def first_uses(tree: ast.AST) -> dict[str, int]:
    """The line each name is first used on, in one walk of the tree (a walk per name cost most of a plan)."""
    lines: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.lineno < lines.get(node.id, node.lineno + 1):
            lines[node.id] = node.lineno
    return lines


def is_literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


def defaults(tree: ast.stmt, function: Any) -> list[tuple[ast.expr, Any]]:
    """Each default's expression in a ``def`` (or ``name = lambda``) and the value the live function holds for it."""
    made = tree.value if isinstance(tree, ast.Assign) else tree
    if not isinstance(made, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) or not inspect.isfunction(function):
        return []
    arguments = made.args
    pairs = list(zip(arguments.defaults, function.__defaults__ or (), strict=False))
    keywords = function.__kwdefaults__ or {}
    pairs += [(node, keywords[arg.arg]) for arg, node in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
              if node is not None and arg.arg in keywords]
    return pairs
