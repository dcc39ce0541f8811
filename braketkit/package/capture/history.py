"""The session's executed history: the top-level statements ``__main__`` ran, in the order they ran.

A global that is neither a module, nor a definition, nor a value braketkit can write is rebuilt in the job by
replaying the statements that made it. Those are found here: IPython and Jupyter keep every cell's source (as
run, magics transformed) in ``linecache``, under a file name ``places.cell_numbers`` maps to its execution count;
a script's (or a ``python - < file``'s) statements are in its file. The statement running now (the one that called
braketkit) and what follows it have not run, and are left out. A script's ``if __name__ == "__main__":`` running
now counts by the statements of its body that ran before.
"""

from __future__ import annotations

import ast
import linecache
import symtable
import sys
import textwrap
import types
from collections.abc import Iterator
from typing import Any

import attrs

from ... import ipython
from ...places import cell_numbers, where_defined

__all__ = ["CHANGING_BUILTINS", "Statement", "bound_names", "executed", "own_scope", "read_names", "update_roots"]

CHANGING_BUILTINS = frozenset({"next", "setattr", "delattr"})
"""Builtins that change what they are given: an iterator moves on, an attribute is set or deleted."""


@attrs.frozen(kw_only=True)
class Statement:
    """One top-level statement that ran: its source, where it is, and when it ran."""

    index: int
    """Its place in the history: earlier statements have smaller ones."""
    text: str
    filename: str
    first_line: int
    place: str
    """As a user finds it: ``cell [4], line 2``, ``train.py:12``."""
    order: tuple[int, str, int]
    """When it ran, comparable with a captured definition's: cells by execution count, then file and line."""
    tree: ast.stmt
    binds: frozenset[str]


def _running(namespace: dict[str, Any]) -> dict[str, int]:
    """Each file with a top-level statement of ``namespace`` running now (on this thread's stack), and its line."""
    running: dict[str, int] = {}
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_globals is namespace and frame.f_code.co_name == "<module>":
            running.setdefault(frame.f_code.co_filename, frame.f_lineno)
        frame = frame.f_back
    return running


def _sources(namespace: dict[str, Any]) -> Iterator[tuple[int, str]]:
    """The files ``__main__`` ran, in order, each with its execution count (0 for a script)."""
    shell = ipython.shell()
    if shell is not None and getattr(shell, "user_ns", None) is namespace:
        for filename, count in sorted(cell_numbers().items(), key=lambda item: item[1]):
            yield count, filename
        return
    script = namespace.get("__file__")
    if isinstance(script, str):
        yield 0, script
    elif "<stdin>" in linecache.cache:
        yield 0, "<stdin>"


def _ran(body: list[ast.stmt], running: int | None) -> Iterator[ast.stmt]:
    """The statements of ``body`` that ran, when the one holding line ``running`` is running now.

    The body of a running ``if`` (the branch holding the line: a script's main guard) ran up to that line.
    """
    for node in body:
        end = node.end_lineno or node.lineno
        if running is None or end < running:
            yield node
            continue
        if node.lineno <= running and isinstance(node, ast.If):
            branch = node.body if node.body and running <= (node.body[-1].end_lineno or 0) else node.orelse
            yield from _ran(branch, running)
        return


def executed(namespace: dict[str, Any]) -> list[Statement]:
    """Every top-level statement ``namespace`` ran, oldest first."""
    running = _running(namespace)
    statements: list[Statement] = []
    for count, filename in _sources(namespace):
        lines = linecache.getlines(filename)
        try:
            body = ast.parse("".join(lines)).body
        except (SyntaxError, ValueError):
            continue
        for node in _ran(body, running.get(filename)):
            first = min([node.lineno, *(item.lineno for item in getattr(node, "decorator_list", []))])
            text = textwrap.dedent("".join(lines[first - 1: node.end_lineno]))
            try:
                tree = ast.parse(text).body[0]
            except (SyntaxError, IndexError):
                continue
            line = None if count and first == 1 else first
            statements.append(Statement(index=len(statements), text=text, filename=filename, first_line=first,
                                        place=where_defined(filename, line), order=(count, filename, first),
                                        tree=tree, binds=frozenset(bound_names(tree))))
    return statements


def _runs_now(node: ast.AST) -> list[ast.AST]:
    """What of a definition runs where it is defined: decorators, defaults, base classes and keywords."""
    found: list[ast.AST] = [*getattr(node, "decorator_list", []), *getattr(node, "bases", []),
                            *getattr(node, "keywords", [])]
    arguments = getattr(node, "args", None)
    if isinstance(arguments, ast.arguments):
        found += [*arguments.defaults, *(item for item in arguments.kw_defaults if item)]
    return found


def own_scope(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a statement that run in its own scope: not the bodies of functions, lambdas and classes."""
    pending = [node]
    while pending:
        item = pending.pop()
        yield item
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            pending += _runs_now(item)
        else:
            pending += ast.iter_child_nodes(item)


def bound_names(tree: ast.stmt) -> set[str]:
    """Names the statement binds (or deletes) at the top level: targets, imports, definitions, walruses.

    ``x += 1`` does not bind ``x``: it updates what an earlier statement bound (``update_roots`` says so), which the
    job must make first."""
    names: set[str] = set()
    scoped = {id(target) for node in own_scope(tree) if isinstance(node, ast.comprehension)
              for target in ast.walk(node.target)}  # a comprehension's variables are its own
    scoped |= {id(node.target) for node in own_scope(tree) if isinstance(node, ast.AugAssign)}
    for node in own_scope(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)) and id(node) not in scoped:
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).partition(".")[0] for alias in node.names if alias.name != "*"}
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names |= set(node.names)
    return names


def read_names(text: str) -> set[str]:
    """Names the statement reads from the module: by itself, and from within its functions, lambdas and
    comprehensions. Python's own scope analysis (``symtable``), as for captured definitions."""
    table = symtable.symtable(text, "<replayed>", "exec")
    names = {symbol.get_name() for symbol in table.get_symbols() if symbol.is_referenced()}
    pending = list(table.get_children())
    while pending:
        scope = pending.pop()
        names |= {symbol.get_name() for symbol in scope.get_symbols()
                  if symbol.is_referenced() and symbol.is_global()}
        pending += scope.get_children()
    return names


def _root(node: ast.expr) -> str | None:
    """``graph`` for ``graph.nodes[1]["w"]``, ``circuit.h(0).cnot(0, 1)``: the name an expression starts from."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call, ast.Starred)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _targets(node: ast.expr) -> Iterator[ast.expr]:
    if isinstance(node, (ast.Tuple, ast.List)):
        for item in node.elts:
            yield from _targets(item)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)
    else:
        yield node


def update_roots(tree: ast.stmt, draws: frozenset[str] = frozenset()) -> dict[str, str]:
    """Names whose objects the statement updates in place, each with how (``graph.add_edge``, ``obj[...] =``).

    An update is a method called as a statement of its own (``graph.add_edge(1, 2)``), an item or attribute
    assigned or deleted (``obj.attr = v``, ``obj[k] = v``, ``del obj[k]``), an augmented assignment (``obj += ...``),
    or ``next``, ``setattr`` or ``delattr`` called on it (``next(counter)``), anywhere in the statement but in
    functions it defines. For the names in ``draws`` (random generators), any method called on them counts: every
    draw moves the generator on. Another call that is given an object (``nx.draw(graph)``) is not an update.
    """
    found: dict[str, str] = {}
    for node in own_scope(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and isinstance(node.value.func,
                                                                                        ast.Attribute):
            root = _root(node.value.func)
            if root is not None:
                found.setdefault(root, f"{root}.{node.value.func.attr}()")
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = [item for target in node.targets for item in _targets(target)]
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = [item for target in node.targets for item in _targets(target)]
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            targets = list(_targets(node.target))
        for target in targets:
            root = _root(target)
            if root is not None and (not isinstance(target, ast.Name) or isinstance(node, ast.AugAssign)):
                found.setdefault(root, f"{ast.unparse(target)} {'+=' if isinstance(node, ast.AugAssign) else '='}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CHANGING_BUILTINS \
                and node.args and isinstance(node.args[0], ast.Name):  # wherever in the statement it is called
            found.setdefault(node.args[0].id, f"{node.func.id}({node.args[0].id})")
        if draws and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            root = _root(node.func)
            if root in draws:
                found.setdefault(root, f"{root}.{node.func.attr}()")
    return found
