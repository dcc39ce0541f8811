"""Source capture: a function defined in ``__main__`` becomes a module of its own in the archive.

A notebook cell, IPython, ``python script.py`` and ``python -m pkg.mod`` all define
functions in ``__main__``, which the job cannot import without running the user's
top-level code again. So the function's own source is written into a generated
module, with what it uses from its globals: an import for a module or an importable
object, the source of other ``__main__`` functions and classes (recursively, with
their decorators), values as they are at submission when they can be written exactly,
and, for any other object, the statements of the session that made it, replayed in
their order. What could not mean the same in the job is refused by name. No pickle,
so no Python-version lock between here and the job.

Pure: it reads the live objects and the source Python keeps for them (files, and
the cells IPython registers in ``linecache``), and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from ...errors import InvalidInput, Problem
from ...places import MAIN_MODULES, is_main, where_defined
from .account import CapturedValue, FileRead, Reason, ReplayedStatement

__all__ = ["MAIN_MODULES", "MODULE", "CapturedModule", "CapturedValue", "FileRead", "Reason", "ReplayedStatement",
           "capture", "is_main", "where_defined"]

MODULE = "braketkit_main"
"""The generated module's name in the archive (``braketkit_main.py`` at its root)."""


@attrs.frozen(kw_only=True)
class CapturedModule:
    """The generated module: its text, the globals it defines, the entry function's name in it, and how each
    global that is not a definition or an import travels (as a value, or by replayed statements)."""

    text: str
    names: list[str]
    entry: str
    warnings: list[str]
    values: list[CapturedValue] = attrs.field(factory=list)
    replayed: list[ReplayedStatement] = attrs.field(factory=list)
    """In the order the module runs them, which is the order they ran in the session."""
    reads: list[FileRead] = attrs.field(factory=list)
    """Files the replayed statements name: the planner checks that the job has them."""


def capture(function: Callable[..., Any]) -> CapturedModule:
    """The generated module for a ``__main__`` function; InvalidInput naming each global it cannot write."""
    from .writer import Writer  # only when capturing: decorating and importing braketkit stay light

    namespace = getattr(function, "__globals__", None)
    if not isinstance(namespace, dict):
        raise InvalidInput([Problem(f"{function!r} is not a Python function", "entry")])
    name = function.__name__
    code = function.__code__
    writer = Writer(namespace, name)
    writer.visited.add(name)
    writer.define(name, function, where_defined(code.co_filename, code.co_firstlineno))
    if writer.problems:
        raise InvalidInput(writer.problems)
    writer.settle()
    values, order = writer.layout()
    text = writer.text(where_defined(code.co_filename), values, order)
    try:  # a guard: what was written must read back (nesting and digit limits are checked as values are written)
        compile(text, f"{MODULE}.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise InvalidInput([Problem(f"the module braketkit wrote for {name} does not compile ({error}); move "
                                    "what it uses into a module of your project", origin=where_defined(
                                        code.co_filename, code.co_firstlineno))]) from error
    replayed = writer.replayed(order)
    defined = [bound for key, _ in order for bound in writer.names_in(key)]
    names = [*sorted(writer.imports), *sorted(writer.values), *defined]
    return CapturedModule(text=text, names=list(dict.fromkeys(item for item in names if "." not in item)),
                          entry=name, warnings=writer.warnings, values=writer.account(), replayed=replayed,
                          reads=writer.reads)
