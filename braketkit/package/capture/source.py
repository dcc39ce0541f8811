"""Where a ``__main__`` definition's source is, and whether it is still the code that runs.

Functions keep their file and first line; IPython registers every cell in
``linecache``; classes keep neither, so their ``class`` statement is looked for
in the files their methods came from, then in the cells, newest first.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import os
import stat
import sys
import textwrap
import types
from collections.abc import Iterator
from typing import Any

import attrs

from ...places import cell_numbers, where_defined

__all__ = ["Source", "keep_stdin_source", "source_of", "still_running"]

@attrs.frozen
class Source:
    """One top-level statement (``def``, ``class``, or ``name = lambda ...``), dedented, and where it is."""

    text: str
    filename: str
    first_line: int
    tree: ast.stmt

    @property
    def place(self) -> str:
        """Where the statement is, as a user finds it: ``train.py:12``, ``cell [3]``, ``cell [3], line 4``."""
        return where_defined(self.filename, None if self.order[0] and self.first_line == 1 else self.first_line)

    @property
    def order(self) -> tuple[int, str, int]:
        """When it ran: cells by execution count, then file and line."""
        return (cell_numbers().get(self.filename, 0), self.filename, self.first_line)






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


def _parse(lines: list[str], filename: str, first_line: int) -> Source | None:
    text = textwrap.dedent("".join(lines))
    try:
        body = ast.parse(text).body
    except SyntaxError:
        return None
    return Source(text, filename, first_line, body[0]) if len(body) == 1 else None


def _function_source(function: types.FunctionType) -> Source | None:
    try:
        lines, first = inspect.getsourcelines(function)
    except (OSError, TypeError):
        return None
    source = _parse(lines, function.__code__.co_filename, first)
    if source is not None and function.__name__ == "<lambda>":  # only `name = lambda ...` on lines of its own
        tree = source.tree
        plain = isinstance(tree, ast.Assign) and len(tree.targets) == 1 and isinstance(tree.targets[0], ast.Name)
        return source if plain and isinstance(tree.value, ast.Lambda) else None  # type: ignore[attr-defined]
    return source


def _code_lines(cls: type) -> Iterator[tuple[str, int]]:
    """File and line of each of the class's methods: where the class itself was written."""
    for item in vars(cls).values():
        function = getattr(item, "__func__", None) or getattr(item, "fget", None) or item
        code = getattr(function, "__code__", None)
        if code is not None and (code.co_filename in linecache.cache or os.path.isfile(code.co_filename)):
            yield code.co_filename, code.co_firstlineno


def _class_source(cls: type) -> Source | None:
    """Classes keep no code object of their own: find their ``class`` statement in the files that may hold it."""
    cells = sorted(cell_numbers().items(), key=lambda item: -item[1])
    method_lines = list(_code_lines(cls))
    candidates = [*(name for name, _ in method_lines), *(name for name, _ in cells)]
    script = getattr(sys.modules.get("__main__"), "__file__", None)
    if isinstance(script, str):
        candidates.append(script)
    for filename in dict.fromkeys(candidates):
        lines = linecache.getlines(filename)
        try:
            tree = ast.parse("".join(lines))
        except SyntaxError:
            continue
        found = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef) and node.name == cls.__name__]
        holding = [node for node in found for name, line in method_lines
                   if name == filename and node.lineno <= line <= (node.end_lineno or node.lineno)]
        if found:
            node = (holding or found)[-1]  # defined twice: the one holding its methods, else the later one
            first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
            return _parse(lines[first - 1: node.end_lineno], filename, first)
    return None


def source_of(value: Any) -> Source | None:
    """The statement that made a ``__main__`` function or class, if Python kept it."""
    return _class_source(value) if inspect.isclass(value) else _function_source(value)


def _same(compiled: types.CodeType, running: types.CodeType) -> bool:
    """The same instructions, names and constants, wherever the lines are."""
    if (compiled.co_code, compiled.co_names, compiled.co_varnames) != (running.co_code, running.co_names,
                                                                       running.co_varnames):
        return False
    if len(compiled.co_consts) != len(running.co_consts):
        return False
    for ours, theirs in zip(compiled.co_consts, running.co_consts, strict=True):
        if isinstance(ours, types.CodeType) and isinstance(theirs, types.CodeType):
            if not _same(ours, theirs):
                return False
        elif type(ours) is not type(theirs) or (ours != theirs and ours == ours):  # NaN equals nothing
            return False
    return True


def still_running(function: types.FunctionType) -> bool:
    """Is the file's text now the code of the function that runs? A script edited since it started is not.

    The whole file is compiled again, as Python compiled it (how a name was bound, by
    ``import`` or not, changes the instructions), and the function's code is looked for
    at its line. Cells are never edited in place (each run is a new cell), so only files
    on disk are checked.
    """
    code = function.__code__
    if not os.path.isfile(code.co_filename):
        return True
    linecache.checkcache(code.co_filename)
    try:
        module = compile("".join(linecache.getlines(code.co_filename)), code.co_filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    pending = list(module.co_consts)
    while pending:
        item = pending.pop()
        if isinstance(item, types.CodeType):
            if (item.co_name, item.co_firstlineno) == (code.co_name, code.co_firstlineno):
                return _same(item, code)
            pending += item.co_consts
    return False
