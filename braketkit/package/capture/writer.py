"""The generated module, written: imports, then values, then definitions and replayed statements in an order
that runs.

Each global the captured code uses is written once, as what it is: a module as an
import, an importable object as an import or a reference through a global that
holds it, a ``__main__`` function or class as its source (then what that uses,
in turn), a value as its exact source form, and any other object as the statements
of the session that made and updated it, replayed (then what those read, in turn,
as they read it). Definitions and replayed statements keep the order they ran in,
except that a definition is never placed before what its decorators, defaults,
annotations, base classes or class body name.
"""

from __future__ import annotations
import __future__

import ast
import builtins
import datetime
import decimal
import enum
import fractions
import inspect
import io
import math
import os
import pathlib
import sys
import types
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import Any

import attrs

from ... import ipython
from ...errors import Problem
from ...places import MAIN_MODULES, where_defined
from .account import CapturedValue, FileRead, Reason, ReplayedStatement
from .history import Statement, executed, read_names, update_roots
from .names import attribute_paths, defaults, first_uses, global_names, is_literal, run_time_only
from .replay import calls, calls_aws, file_paths, given_to, global_draw, is_generator, unseeded
from .source import Source, source_of, still_running

__all__ = ["MAX_DEPTH", "MAX_LITERAL", "Writer"]

MAX_LITERAL = 64 * 1024
"""Characters of source one captured value may take; bigger data travels as an argument or input."""
_MAX_INT_BITS = int(getattr(sys.int_info, "default_max_str_digits", 4300) * 3.3219)
"""An int's digits, as bits, that a Python reading the module accepts by default, whatever this session allows:
a longer one is written in hexadecimal, which no digit limit applies to."""
_LISTED_ITEMS = 64
"""An array of at most this many finite numbers is written as a list, readable in the plan; others byte for byte."""
_MUTABLE = (list, dict, set, bytearray)
"""Kinds of value whose identity shows: two names bound to one of them stay one object in the job."""
MAX_DEPTH = 50
"""How deeply a captured value may nest; Python's parser stops not far beyond."""
_UNBOUND = "no statement this session ran binds it (exec and cell magics such as %%time hide theirs)"
"""Why a global that is not a value cannot be replayed either."""
_HINT = "pass it to {entry} as an argument or as input data, create it inside {entry}, or move it into a module"


class Unwritable(Exception):
    """A value with no source form; the message says which part of it, and why."""


@attrs.define
class Use:
    """Who uses a value and where (for messages), and what of the script's own it names (for order)."""

    used_by: str
    where: str
    references: bool = True
    """False for plain values only: literals, and containers of them."""
    needs: set[str] = attrs.field(factory=set)
    parts: dict[int, str] = attrs.field(factory=dict)
    """Each list, dict, set or array within the value, by identity, and where it is: one held twice is refused."""


@attrs.frozen
class Definition:
    order: tuple[int, str, int]
    text: str
    needs: frozenset[str]
    """Names that must be defined before this runs."""
    calls: frozenset[str] = frozenset()
    """For a function or class: the globals its code uses, so those it needs when something calls it (a
    decorator, while another definition runs) are defined first too. Empty for values, which run nothing."""
    shell: str | None = None
    """For a dict, list or set that names definitions: an empty one to start with, when a definition must fill it
    as it runs (a registry a decorator adds to); ``update`` then makes it what it is here."""
    update: str | None = None


@attrs.define
class Replay:
    """A statement to replay, why, and what must be defined before it runs (globals, and replayed statements'
    keys)."""

    statement: Statement
    reasons: list[Reason]
    needs: set[str] = attrs.field(factory=set)


def _key(statement: Statement) -> str:
    """A replayed statement's name among the module's parts: not a Python name, so never a global's."""
    return f"<replayed {statement.index}>"


def _quoted(statement: Statement) -> str:
    first = statement.text.strip().splitlines()[0]
    return f"`{first if len(first) <= 80 else first[:77] + '...'}`" + (" ..." if "\n" in statement.text.strip()
                                                                      and len(first) <= 80 else "")


_NOT_CHANGING: dict[type, set[str]] = {
    list: {"copy", "count", "index"},
    dict: {"copy", "get", "items", "keys", "values", "fromkeys"},
    set: {"copy", "difference", "intersection", "isdisjoint", "issubset", "issuperset", "symmetric_difference",
          "union"},
    bytearray: {"copy", "count", "decode", "endswith", "find", "hex", "index", "isalnum", "isalpha", "isascii",
                "isdigit", "islower", "isspace", "istitle", "isupper", "startswith", "rfind", "rindex"},
}
"""Methods that leave their list, dict, set or bytearray as it is; any other may change it."""
_CHANGING_ARRAY = {"fill", "sort", "resize", "put", "itemset", "partition", "setfield", "setflags", "byteswap"}
"""NumPy array methods that change the array (the others make new arrays, or read)."""


def _rerun(earlier: Statement, later: Statement) -> bool:
    """``later`` is ``earlier`` run again, binding the same: a cell re-run with a def, import or literal."""
    tree = earlier.tree
    same_kind = isinstance(tree, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)) \
        or (isinstance(tree, (ast.Assign, ast.AnnAssign)) and tree.value is not None and is_literal(tree.value))
    return same_kind and earlier.text == later.text


def _unwrap(value: Any) -> Any:
    """The ``__main__`` function or class a decorator wrapped (``functools.wraps``, QNodes, ``@hybrid_job``)."""
    for _ in range(100):
        if (inspect.isfunction(value) or inspect.isclass(value)) and value.__module__ in MAIN_MODULES:
            return value
        value = getattr(value, "__wrapped__", None)
        if value is None:
            return None
    return None


def _lookup(owner: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        owner = getattr(owner, part, None)
    return owner


def importable(value: Any, name: str) -> tuple[str, str] | None:
    """``(module, qualname)`` that gives back this very object, preferring the shortest public module."""
    module = getattr(value, "__module__", None)
    if not isinstance(module, str) or module in MAIN_MODULES:
        return None
    parts = module.split(".")
    qualnames = [getattr(value, "__qualname__", None), getattr(value, "__name__", None), name]
    for prefix in (".".join(parts[: index + 1]) for index in range(len(parts))):
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
    """Like ``importable``, but through public names when the class's own is private.

    The Braket SDK's ``Devices.Amazon`` is the class ``Devices._Amazon``: the user wrote
    the public alias, and the generated module should say it too.
    """
    found = importable(kind, kind.__name__)
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


def _refill(name: str, value: Any, text: str) -> tuple[str, str] | None:
    """A mutable container as an empty one, then filled: for when definitions fill it as they run (a registry)."""
    kind: type = type(value)
    ways: dict[type, tuple[str, str]] = {
        dict: ("{}", f"{name}.clear()\n{name}.update({text})"),
        list: ("[]", f"{name}[:] = {text}"),
        set: ("set()", f"{name}.clear()\n{name} |= {text}"),
    }
    if kind not in ways:
        return None
    empty, fill = ways[kind]
    return f"{name} = {empty}\n", f"{fill}\n"


def _changed_since(tree: ast.stmt, value: Any) -> list[str]:
    """Attributes set on a function or class after its statement ran (``Model.scale = 5``, ``f.cache = {}``).

    A class attribute counts when its statement does not bind it, or binds it to a
    different literal; an undecorated function's when it is not a double-underscore name.
    """
    if inspect.isfunction(value):  # a decorated one's decorators may set attributes, and run again in the job
        decorated = bool(getattr(tree, "decorator_list", None))
        return [] if decorated else sorted(name for name in vars(value) if not name.startswith("__"))
    if not isinstance(tree, ast.ClassDef) or isinstance(value, enum.EnumMeta):  # an enum's members are its own
        return []
    attributes = {name: item for name, item in vars(value).items() if not name.startswith("_")}
    made: dict[str, Any] = {}
    for statement in tree.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    made[target.id] = attributes.get(target.id)  # not a literal: made by the statement, as it is
                    if statement.value is not None and is_literal(statement.value):
                        made[target.id] = ast.literal_eval(statement.value)
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            made[statement.name] = attributes.get(statement.name)
    dataclass_fields = getattr(value, "__dataclass_fields__", {})
    return sorted(name for name, item in attributes.items()
                  if name not in dataclass_fields and (name not in made or (made[name] is not item and
                                                                            made[name] != item)))


def _int(value: int) -> str:
    """Decimal while the job's Python reads it back (its default digit limit), else hexadecimal."""
    if abs(value).bit_length() <= _MAX_INT_BITS:
        try:
            return repr(value)
        except ValueError:  # this session's own digit limit is lower
            pass
    return hex(value)


def _is_array(value: Any) -> bool:
    """A NumPy array, or a PennyLane tensor (an array that knows whether it takes gradients)."""
    numpy = sys.modules.get("numpy")
    if numpy is None or not isinstance(value, numpy.ndarray):
        return False
    kind = type(value)
    return kind is numpy.ndarray or (kind.__name__ == "tensor" and kind.__module__.startswith("pennylane.numpy")
                                     and isinstance(getattr(value, "requires_grad", None), bool))


def _is_mutable(value: Any) -> bool:
    return type(value) in _MUTABLE or _is_array(value)


def _numpy_scalar(kind: type) -> bool:
    """``np.float64``, ``np.int32``, ``np.bool_``...: subclasses of ``numpy.generic`` (arrays are not)."""
    return any(base.__name__ == "generic" and base.__module__ == "numpy" for base in kind.__mro__)


def _from_ipython(value: Any) -> bool:
    return str(getattr(value, "__module__", None) or "").startswith("IPython")


def _kind(value: Any) -> str:
    kind = type(value)
    plain = kind.__module__ in ("builtins", *MAIN_MODULES)
    return kind.__qualname__ if plain else f"{kind.__module__}.{kind.__qualname__}"


def _whose(path: str, detail: str) -> str:
    return f"whose {path} {detail}" if path else detail


def _defined_name(tree: ast.stmt) -> str | None:
    """The name a captured statement binds: a def's, a class's, or a lambda assignment's target."""
    if isinstance(tree, ast.Assign) and isinstance(tree.targets[0], ast.Name):
        return tree.targets[0].id
    return getattr(tree, "name", None)


class Writer:
    """Collects the module's parts for one entry function, each global once."""

    def __init__(self, namespace: dict[str, Any], entry: str) -> None:
        self.namespace = namespace
        self.entry = entry
        self.imports: dict[str, str] = {}
        self.values: dict[str, str] = {}
        self.refills: dict[str, tuple[str, str]] = {}
        """For each dict, list or set value: an empty one, and the statement that fills it as it is here."""
        self.definitions: dict[str, Definition] = {}
        self.visited: set[str] = set()
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.future_annotations = False
        hidden = getattr(ipython.shell(), "user_ns_hidden", None) or {}
        self.hidden = {name for name, value in hidden.items() if namespace.get(name) is value}
        """What IPython put in the namespace itself (its own ``open``, ``exit``, ``In``): builtins to the code."""
        self.names_of = {id(namespace[name]): name for name in sorted(namespace, reverse=True)
                         if not name.startswith("_") and name not in self.hidden}
        """A global holding each object, for references from inside values."""
        self.holders: dict[int, str] = {}
        """The first global written for each list, dict, set or array: another bound to it is written as it."""
        self.aliases: dict[str, str] = {}
        self.writing: set[str] = set()
        """The globals whose values are being written: one reached again from within is a cycle."""
        self.objects: dict[str, Any] = {}
        """Each global written as a value, and what it holds (for the account)."""
        self._history: list[Statement] | None = None
        self._bindings: dict[str, list[int]] = {}
        self.replays: dict[int, Replay] = {}
        """The statements replayed, by their place in the history."""
        self.reads: list[FileRead] = []
        self.sizes: dict[str, int] = {}
        self.late: set[str] = set()
        """Globals a replayed statement read as builtins, bound only after it: written where they were bound."""

    def refuse(self, message: str, where: str) -> None:
        self.problems.append(Problem(message, origin=where))

    def bind(self, name: str, statement: str) -> None:
        self.imports.setdefault(name, statement)

    # -- globals -------------------------------------------------------------------------------------------

    def need(self, name: str, used_by: str, where: str, paths: AbstractSet[str] = frozenset(),
             read: bool = True) -> None:
        """Write the global ``name`` that ``used_by`` uses (at ``where``), once."""
        if name in self.visited:
            return
        self.visited.add(name)
        if self.ipython_only(name):
            self.warnings.append(f"{used_by} uses {name} ({where}), which IPython provides and the job does not "
                                 "have; the job will raise NameError if it is reached")
            return
        if name in self.hidden:
            return
        if name not in self.namespace:
            if read and not hasattr(builtins, name):
                self.warnings.append(f"{used_by} uses {name} ({where}), which is not defined now; "
                                     "the job will raise NameError if it is reached")
            return
        value = self.namespace[name]
        if isinstance(value, types.ModuleType):
            self.module(name, value, where, paths)
            return
        defined = _unwrap(value)
        if defined is not None:
            self.define(name, defined, where)
            return
        found = importable(value, name)
        if found is not None and "." not in found[1]:
            module, qualname = found
            self.bind(name, f"from {module} import {qualname}" + (f" as {name}" if name != qualname else ""))
            return
        if isinstance(value, io.IOBase):  # replaying open(...) would give the job a file of its own
            file = getattr(value, "name", None)
            self.refuse(f"{used_by} uses {name}, an open file{f' ({file})' if isinstance(file, str) else ''}, which "
                        "the job cannot share with this session: what it writes would stay in the job's copy of the "
                        f"project, and it reads from the start; open it inside {self.entry}", where)
            return
        if _is_mutable(value):
            first = self.holders.setdefault(id(value), name)
            if first != name:  # a = [1]; b = a: one object in the job too
                self.aliases[name] = first
                self.definitions[name] = Definition((0, "", 0), f"{name} = {first}\n", frozenset({first}))
                return
        use = Use(used_by, where)
        self.writing.add(name)
        try:
            text = self.write(value, use)
        except Unwritable as error:
            if not self.replay(name, used_by):
                self.refuse(f"{used_by} uses {name}, {error}, which cannot be written as source for the job, and "
                            f"{_UNBOUND}; " + _HINT.format(entry=self.entry), where)
            return
        finally:
            self.writing.discard(name)
        if len(text) > MAX_LITERAL:  # too big to write: made again by its statement, if the history has one
            if not self.replay(name, used_by):
                self.refuse(f"{used_by} uses {name}, a {_kind(value)} that takes {len(text)} characters as source, "
                            f"over the {MAX_LITERAL} braketkit writes into the job, and {_UNBOUND}; "
                            + _HINT.format(entry=self.entry), where)
            return
        self.objects[name] = value
        self.sizes[name] = len(text.encode())
        if use.needs:  # it names the script's own definitions: it goes after them
            order = max((self.definitions[need].order for need in use.needs if need in self.definitions),
                        default=(0, "", 0))
            shell, update = _refill(name, value, text) or (None, None)
            self.definitions[name] = Definition(order, f"{name} = {text}\n", frozenset(use.needs),
                                                shell=shell, update=update)
        else:
            self.values[name] = f"{name} = {text}\n"
            if (refill := _refill(name, value, text)) is not None:
                self.refills[name] = refill
        if isinstance(value, str) and os.path.isabs(value) and len(value) < 4096 and os.path.exists(value):
            self.warnings.append(f"{used_by} uses {name} = {value!r}, a path on this machine, which the job "
                                 f"does not have; compute it inside {self.entry}, from the working directory or "
                                 "__file__ (the job runs in the same folder of its copy of the project)")

    # -- replayed statements -------------------------------------------------------------------------------

    def history(self) -> list[Statement]:
        """The session's executed statements, read once, when a value's place or a replay first needs them."""
        if self._history is None:
            self._history = executed(self.namespace)
            for statement in self._history:
                for name in statement.binds:
                    self._bindings.setdefault(name, []).append(statement.index)
        return self._history

    def bindings(self, name: str, after: int = -1, before: int | None = None) -> list[Statement]:
        history = self.history()
        return [history[index] for index in self._bindings.get(name, [])
                if after < index and (before is None or index < before)]

    def last_binding(self, name: str, before: int | None = None) -> Statement | None:
        found = self.bindings(name, before=before)
        return found[-1] if found else None

    def replay(self, name: str, used_by: str) -> bool:
        """Rebuild ``name`` in the job from the statement that last bound it (and what that needs); False when
        no statement of the session's history binds it."""
        statement = self.last_binding(name)
        if statement is None:
            return False
        self.replay_statement(statement, Reason(name=name, used_by=used_by))
        return True

    def replay_statement(self, statement: Statement, reason: Reason) -> None:
        """Replay ``statement`` (once), with what it reads as it read it, and the updates of what it makes."""
        known = self.replays.get(statement.index)
        if known is not None:
            if reason not in known.reasons:
                known.reasons.append(reason)
            return
        entry = self.replays[statement.index] = Replay(statement, [reason])
        reads = read_names(statement.text)
        if self.check(statement, reason, reads):
            for name in sorted(reads):
                if not (name.startswith("__") and name.endswith("__")):
                    self.replay_read(entry, name)
        for name in sorted(statement.binds):
            self.replay_updates(statement, name, reason)

    def refuse_replay(self, statement: Statement, reason: Reason, problem: str, todo: str) -> None:
        self.refuse(f"{_quoted(statement)} makes {reason.name}, which {reason.used_by} uses, {problem}; {todo}",
                    statement.place)

    def check(self, statement: Statement, reason: Reason, reads: set[str]) -> bool:
        """Refuse what could not mean the same in the job; True when nothing was refused."""
        before = len(self.problems)
        inside = f"create {reason.name} inside {self.entry}"
        if "__file__" in reads:
            self.refuse_replay(statement, reason, "from __file__, which in the job is the generated module's",
                               f"name the file by a path relative to the working directory, or {inside}")
        for name in sorted(reads):
            if self.ipython_only(name):
                self.refuse_replay(statement, reason, f"through IPython's {name} (a magic or a shell command), "
                                   "which the job does not have", f"write it in plain Python, or {inside}")
        for call in calls(statement, self.namespace):
            if calls_aws(call):
                self.refuse_replay(statement, reason, f"by calling AWS ({call.text}), which the job must not do "
                                   "again as it starts", inside)
            elif global_draw(call):
                self.refuse_replay(statement, reason, f"with a draw from the global random state ({call.text}), "
                                   "which the job does not have as it was here: a seed set by another statement "
                                   "(numpy.random.seed, random.seed) is not replayed with it", "draw from a generator "
                                   "made with a seed (numpy.random.default_rng(1234), random.Random(1234)), or "
                                   f"{inside}")
            elif unseeded(call):
                self.refuse_replay(statement, reason, f"with randomness without a seed ({call.text}), which would "
                                   "draw otherwise in the job", "give it a seed (seed=..., random_state=..., or a "
                                   f"generator such as numpy.random.default_rng(1234)), or {inside}")
        for path in file_paths(statement, self.namespace, {name for name in reads if not name.startswith("__")}):
            if os.path.isabs(path):
                self.refuse_replay(statement, reason, f"reading {path}, a path of this machine, which the job "
                                   "does not have", "name it relative to the working directory, within the "
                                   f"project, or {inside}")
            else:
                self.reads.append(FileRead(path=path, place=statement.place, statement=_quoted(statement),
                                           reason=reason))
        return len(self.problems) == before

    def replay_read(self, entry: Replay, name: str) -> None:
        """``entry``'s statement reads ``name``: make sure the job gives it what the session gave it."""
        statement = entry.statement
        seen = self.last_binding(name, before=statement.index)
        later = [item for item in self.bindings(name, after=statement.index)
                 if seen is None or not _rerun(seen, item)]
        if seen is None and later:  # it read a builtin (or nothing) that a later statement bound: bound after it
            self.need(name, statement.place, statement.place)
            self.late.add(name)
            return
        if seen is None:
            if name in self.namespace:  # bound by nothing the history shows (exec, a function's global)
                self.need(name, statement.place, statement.place)
                entry.needs.add(name)
            return
        if seen.index in self.replays:
            entry.needs.add(_key(seen))
            return
        if later or name in statement.binds or self.value_updates(name, statement):  # it read what is no more
            self.replay_statement(seen, Reason(name=name, used_by=statement.place))
            entry.needs.add(_key(seen))
            return
        self.need(name, statement.place, statement.place)
        entry.needs.add(_key(seen) if seen.index in self.replays else name)
        value = self.namespace.get(name)
        reason = entry.reasons[0]
        for method in self.changes(statement, name, value):
            self.refuse_replay(statement, reason, f"changing {name} ({method}), which braketkit writes as a value as "
                               "it is now: the job would change it once more", f"copy it first ({name}.copy()), or "
                               f"create {reason.name} inside {self.entry}")

    def value_updates(self, name: str, statement: Statement) -> list[Statement]:
        """Statements after ``statement`` that changed the list, dict, set or array ``name`` in place."""
        if not _is_mutable(self.namespace.get(name)):
            return []
        return [item for item in self.history()[statement.index + 1:] if name in update_roots(item.tree)]

    def changes(self, statement: Statement, name: str, value: Any) -> list[str]:
        """How ``statement`` may change the value ``name`` holds (``edges.pop()``, ``weights[0] =``)."""
        if not _is_mutable(value) or name in self.made_by_replay():
            return []
        found = update_roots(statement.tree).get(name)
        methods = [found] if found else []
        kind = type(value)
        safe = _NOT_CHANGING.get(kind)
        for call in ast.walk(statement.tree):
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and isinstance(call.func.value, ast.Name) and call.func.value.id == name):
                method = call.func.attr
                if (method not in safe) if safe is not None else (method in _CHANGING_ARRAY):
                    methods.append(f"{name}.{method}()")
        return sorted(set(methods))

    def replay_updates(self, statement: Statement, name: str, reason: Reason) -> None:
        """Replay what changed ``name`` in place after ``statement`` made it, up to its next binding: updates are
        part of how it was made. Through any global bound to the same object, and every draw from a generator."""
        value = self.namespace.get(name)
        following = self.bindings(name, after=statement.index)
        end = following[0].index if following else len(self.history())
        current = not following
        roots = {name} | ({other for other, item in self.namespace.items() if item is value and other != name
                           and not other.startswith("_") and other not in self.hidden} if current else set())
        draws = frozenset(roots) if current and is_generator(value) else frozenset()
        for item in self.history()[statement.index + 1: end]:
            if roots & set(update_roots(item.tree, draws)):
                self.replay_statement(item, Reason(name=name, used_by=reason.used_by, update=True))

    def warn_of_unseen_changes(self) -> None:
        """Warn of calls, after a replayed object was made, that were given it and may have changed it: not
        updates by the object's own methods, so not replayed, and what they changed is not in the job
        (``nx.relabel_nodes(graph, mapping, copy=False)``, ``rng.shuffle(data)`` when ``rng`` is not replayed)."""
        found: list[tuple[int, str]] = []
        for name, key in sorted(self.made_by_replay().items()):
            made = self.last_binding(name)
            if made is None or _key(made) != key:  # bound again since: what the job gets is not this object
                continue
            reason = next((item for item in self.replays[made.index].reasons if item.name == name),
                          self.replays[made.index].reasons[0])
            for statement in self.history()[made.index + 1:]:
                if statement.index in self.replays:
                    continue
                found += [(statement.index, f"{_quoted(statement)} ({statement.place}) gives {name}, which "
                           f"{reason.used_by} uses, to {call.text} after {name} was made; the job does not replay "
                           f"that call, so a change it made to {name} is not in the job: make it with {name}'s own "
                           f"methods (which are replayed), or inside {self.entry}")
                          for call in given_to(statement, self.namespace, name)]
        self.warnings += [warning for _, warning in sorted(found)]

    def made_by_replay(self) -> dict[str, str]:
        """Each name a replayed statement binds, and the key of the last replayed statement binding it."""
        made: dict[str, str] = {}
        for index in sorted(self.replays):
            for name in self.replays[index].statement.binds:
                made[name] = _key(self.replays[index].statement)
        return made

    def names_in(self, key: str) -> list[str]:
        """The globals a part of the module binds: a definition's name, or a replayed statement's targets."""
        if not key.startswith("<replayed "):
            return [key]
        return sorted(self.replays[int(key.removeprefix("<replayed ").removesuffix(">"))].statement.binds)

    def replayed(self, order: list[tuple[str, str]]) -> list[ReplayedStatement]:
        """The replayed statements in the order the module runs them, with why each is there."""
        found = []
        for key, _ in order:
            if key.startswith("<replayed "):
                entry = self.replays[int(key.removeprefix("<replayed ").removesuffix(">"))]
                found.append(ReplayedStatement(text=entry.statement.text.rstrip("\n"), place=entry.statement.place,
                                               binds=sorted(entry.statement.binds), needed_for=list(entry.reasons)))
        return found

    def account(self) -> list[CapturedValue]:
        """Each global written as a value: its type, the statement that last bound it, the source it takes."""
        found = []
        for name in sorted({*self.objects, *self.aliases}):
            last = self.last_binding(name)
            same_as = self.aliases.get(name)
            value = self.namespace.get(name)
            found.append(CapturedValue(name=name, type=_kind(value), place=last.place if last else None,
                                       source_bytes=len(f"{same_as}".encode()) if same_as else self.sizes[name],
                                       same_as=same_as))
        return found

    def ipython_only(self, name: str) -> bool:
        """``display``, ``get_ipython``, ``In``, ``Out``: names IPython provides, which the job's Python has not."""
        if name in self.namespace:
            return (name in self.hidden and not hasattr(builtins, name)) or _from_ipython(self.namespace[name])
        return hasattr(builtins, name) and _from_ipython(getattr(builtins, name))

    def module(self, name: str, module: types.ModuleType, where: str, paths: AbstractSet[str]) -> None:
        real = module.__name__
        if real in MAIN_MODULES or sys.modules.get(real) is not module:
            self.refuse(f"{name} is the module {real}, which the job cannot import; move what "
                        f"{self.entry} needs into a module", where)
            return
        self.bind(name, f"import {real}" + (f" as {name}" if name != real else ""))
        for path in sorted(paths):  # np.linalg: a submodule its package may not import by itself
            if isinstance(sys.modules.get(f"{real}.{path}"), types.ModuleType):
                self.bind(f"{real}.{path}", f"import {real}.{path}")

    def define(self, name: str, value: Any, where: str) -> None:
        """Capture a ``__main__`` function or class from its source, then what it uses in turn."""
        label = getattr(value, "__qualname__", name)
        if "<locals>" in label:
            self.refuse(f"{label} is defined inside another function, so its source alone does not make it; "
                        "define it at the top level or in a module", where)
            return
        source = source_of(value)
        if source is None:
            lambda_ = getattr(value, "__name__", "") == "<lambda>"
            self.refuse(f"braketkit finds a lambda's source only as `name = lambda ...` on lines of its own; "
                        f"write {name} as a def" if lambda_ else
                        f"braketkit cannot find the source of {label} (Python keeps none for code read from "
                        "a pipe, built with exec or type(), or run through a magic such as %time); define it in a "
                        "file or a plain notebook cell", where)
            return
        if inspect.isfunction(value):
            if not still_running(value):
                self.refuse(f"{where_defined(source.filename)} has changed since {label} was defined; run it "
                            "again, so that the job runs the code that runs here", where)
                return
            if value.__code__.co_flags & __future__.annotations.compiler_flag:
                self.future_annotations = True
        text = f"# {source.place}\n" + self.edited(source, value)
        defined_as = _defined_name(source.tree) or name
        if defined_as != name:
            if self.namespace.get(defined_as) is value:  # g = f: capture f as itself, then bind g to it
                self.definitions[name] = Definition(source.order, f"{name} = {defined_as}\n",
                                                    frozenset({defined_as}))
                self.need(defined_as, label, where)
                return
            text += f"{name} = {defined_as}\n"  # f was redefined or deleted since: f as it was, then g
        changed = _changed_since(source.tree, value)
        if changed:
            self.warnings.append(f"{', '.join(f'{label}.{attribute}' for attribute in changed)} changed after "
                                 f"{label} was defined ({source.place}); the job "
                                 f"gets {label} as its source makes it")
        later = run_time_only(text)
        names = global_names(text)
        self.definitions[name] = Definition(source.order, text, frozenset(set(names) - later), frozenset(names))
        paths = attribute_paths(source.tree)
        lines = first_uses(source.tree)
        for needed, read in sorted(names.items()):
            line = lines.get(needed, 1)
            self.need(needed, label, where_defined(source.filename, source.first_line + line - 1),
                      paths.get(needed, set()), read)

    # -- values --------------------------------------------------------------------------------------------

    def write(self, value: Any, use: Use, path: str = "", depth: int = 0, seen: frozenset[int] = frozenset()) -> str:
        """Source that evaluates to ``value`` in the generated module; Unwritable says why there is none.

        Exact: what reads back is equal and of the same type, signs of zeros and NaNs, an int's every digit, an
        array's dtype, shape and bytes. A builtin the session has rebound (``range = 3``) is reached through the
        ``builtins`` module, as the module may bind that name too.
        """
        kind = type(value)
        if kind in (type(None), bool, str, bytes):
            return repr(value)
        if kind is int:
            return _int(value)
        if _is_mutable(value):
            return self.shared(value, use, path, depth, seen)
        return self.unshared(value, use, path, depth, seen)

    def shared(self, value: Any, use: Use, path: str, depth: int, seen: frozenset[int]) -> str:
        """A list, dict, set or array, one object in the job wherever the session holds it: inside another value
        it is named through the global that holds it, if one does; held twice within one value, it is refused."""
        if id(value) in seen:  # a container around it: refused as such
            return self.unshared(value, use, path, depth, seen)
        held = self.names_of.get(id(value)) if path and use.references else None
        if held is not None:
            if held in self.writing:
                raise Unwritable(_whose(path, f"refers back to {held}, which holds it"))
            self.need(held, use.used_by, use.where)
            use.needs.add(held)
            return held
        if id(value) in use.parts:
            first = use.parts[id(value)] or "the value itself"
            raise Unwritable(_whose(path, f"is the very {_kind(value)} that is also at {first}"))
        use.parts[id(value)] = path
        return self.unshared(value, use, path, depth, seen)

    def unshared(self, value: Any, use: Use, path: str, depth: int, seen: frozenset[int]) -> str:
        kind = type(value)
        if kind is float:
            return self.float(value)
        if kind is complex:
            return f"{self.builtin('complex')}({self.float(value.real)}, {self.float(value.imag)})"
        if kind in (tuple, list, dict, set, frozenset):
            return self.container(value, use, path, depth, seen)
        if kind is range:
            return f"{self.builtin('range')}({_int(value.start)}, {_int(value.stop)}, {_int(value.step)})"
        if kind is slice:
            parts = [self.write(part, use, f"{path}.{name}", depth + 1, seen)
                     for name, part in (("start", value.start), ("stop", value.stop), ("step", value.step))]
            return f"{self.builtin('slice')}({', '.join(parts)})"
        if kind is bytearray:
            return f"{self.builtin('bytearray')}({bytes(value)!r})"
        if not use.references:
            raise Unwritable(_whose(path, f"is a {_kind(value)} object") if path else f"a {_kind(value)} object")
        if _is_array(value):
            return self.array(value, use, path)
        plain = value.item() if _numpy_scalar(kind) else None
        if type(plain) in (bool, int, float, complex, str, bytes):  # a NumPy scalar: its type, of its value
            return f"{self.reference(kind, use)}({self.write(plain, use, path, depth, seen)})"
        if isinstance(value, pathlib.PurePath) and type(value).__module__ == "pathlib":
            return f"{self.reference(kind, use)}({str(value)!r})"
        if isinstance(value, enum.Enum):
            return f"{self.reference(kind, use)}.{value.name}"
        if kind is fractions.Fraction:
            return f"{self.reference(kind, use)}({_int(value.numerator)}, {_int(value.denominator)})"
        if kind is decimal.Decimal:  # its text keeps every digit, the exponent, the sign of a zero, NaN and Infinity
            return f"{self.reference(kind, use)}({str(value)!r})"
        if kind in (datetime.datetime, datetime.date, datetime.time, datetime.timedelta, datetime.timezone):
            return self.moment(value, use, path)
        if _unwrap(value) is not None or importable(value, getattr(value, "__name__", "")) is not None:
            return self.reference(value, use)
        raise Unwritable(_whose(path, f"is a {_kind(value)} object") if path else f"a {_kind(value)} object")

    def float(self, value: float) -> str:
        """``repr`` where it reads back (``-0.0`` does); NaN and infinities by name, with their sign."""
        if math.isfinite(value):
            return repr(value)
        sign = "-" if math.copysign(1.0, value) < 0 else ""
        return f'{self.builtin("float")}("{sign}{"nan" if math.isnan(value) else "inf"}")'

    def builtin(self, name: str) -> str:
        """``range``, or ``builtins.range`` when the session binds ``range`` to something of its own."""
        if name not in self.namespace or name in self.hidden:
            return name
        return f"{self.module_reference('builtins')}.{name}"

    def module_reference(self, module: str) -> str:
        """A name for an imported module: the session's own (``np``), else an import of it under a free name."""
        held = self.names_of.get(id(sys.modules[module]))
        if held is not None:
            self.need(held, self.entry, "")
            return held
        alias = module.replace(".", "_")
        while alias in self.namespace or self.imports.get(alias, f"import {module}") not in (
                f"import {module}", f"import {module} as {alias}"):
            alias = f"_{alias}"
        self.bind(alias, f"import {module}" + (f" as {alias}" if alias != module else ""))
        return alias

    def array(self, value: Any, use: Use, path: str) -> str:
        """A NumPy array of numbers or booleans: its dtype and shape, and its bytes exactly.

        Small arrays read as a list (``np.array([0.5, -0.0], dtype='<f8')``) when the list gives back the very
        bytes; others (a NaN's payload, a bool stored as 2, another byte order) are written byte for byte. A
        PennyLane tensor keeps ``requires_grad``.
        """
        numpy = sys.modules["numpy"]
        dtype = value.dtype
        if (dtype.kind not in "biufc" or dtype.fields is not None or dtype.subdtype is not None
                or (dtype.kind == "f" and dtype.itemsize > 8) or (dtype.kind == "c" and dtype.itemsize > 16)):
            detail = f"is a {_kind(value)} of dtype {dtype}" if path else f"a {_kind(value)} of dtype {dtype}"
            raise Unwritable(_whose(path, detail) if path else detail)
        plain = value.view(numpy.ndarray)
        np = self.module_reference("numpy")
        listed = plain.ndim and 0 < plain.size <= _LISTED_ITEMS and (dtype.isnative or dtype.itemsize == 1)
        if listed and numpy.array(plain.tolist(), dtype=dtype).tobytes() == plain.tobytes():  # the list is exact
            items = self.write(plain.tolist(), Use(use.used_by, use.where, references=False), path)
            text = f"{np}.array({items}, dtype={dtype.str!r})"
        else:
            data = f"{self.builtin('bytes')}.fromhex({plain.tobytes().hex()!r})"
            text = f"{np}.frombuffer({data}, dtype={dtype.str!r}).reshape({plain.shape!r}).copy()"
        if type(value) is not numpy.ndarray:  # a PennyLane tensor (checked by _is_array)
            return f"{self.reference(type(value), use)}({text}, requires_grad={bool(value.requires_grad)!r})"
        return text

    def moment(self, value: Any, use: Use, path: str) -> str:
        """A date, time, datetime, timedelta or timezone; a time zone only when it is UTC or a fixed offset."""
        kind = type(value)
        made = self.reference(kind, use)
        if kind is datetime.timedelta:
            return f"{made}({value.days}, {value.seconds}, {value.microseconds})"
        if kind is datetime.timezone:
            offset = value.utcoffset(None)
            if value is datetime.timezone.utc:
                return f"{made}.utc"
            name = value.tzname(None)
            named = f", {name!r}" if name != datetime.timezone(offset).tzname(None) else ""
            return f"{made}({self.moment(offset, use, path)}{named})"
        if kind is datetime.date:
            return f"{made}({value.year}, {value.month}, {value.day})"
        parts = [value.year, value.month, value.day] if kind is datetime.datetime else []
        parts += [value.hour, value.minute, value.second, value.microsecond]
        text = ", ".join(map(str, parts))
        zone = value.tzinfo
        if zone is not None:
            if type(zone) is not datetime.timezone:
                detail = f"a {kind.__name__} whose time zone is {zone!r}, not UTC or a fixed offset"
                raise Unwritable(_whose(path, f"is {detail}") if path else detail)
            text += f", tzinfo={self.moment(zone, use, path)}"
        if value.fold:
            text += ", fold=1"
        return f"{made}({text})"

    def container(self, value: Any, use: Use, path: str, depth: int, seen: frozenset[int]) -> str:
        kind = type(value)
        if id(value) in seen:
            raise Unwritable(_whose(path, "refers back to a container around it"))
        if depth >= MAX_DEPTH:
            raise Unwritable(f"a {kind.__name__} nested more than {MAX_DEPTH} deep")
        inner = seen | {id(value)}
        if kind is dict:
            pairs = [f"{self.write(key, use, f'{path}[{key!r}] (a key)', depth + 1, inner)}: "
                     f"{self.write(part, use, f'{path}[{key!r}]', depth + 1, inner)}" for key, part in value.items()]
            return "{" + ", ".join(pairs) + "}"
        items = [self.write(part, use, f"{path}[{index}]", depth + 1, inner) for index, part in enumerate(value)]
        if kind in (set, frozenset):
            items.sort()  # a set's order varies from run to run; the module must not
            body = "{" + ", ".join(items) + "}" if items else ""
            return f"frozenset({body})" if kind is frozenset else (body or "set()")
        if kind is tuple:
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        return "[" + ", ".join(items) + "]"

    def reference(self, value: Any, use: Use) -> str:
        """An expression for an object: through a global that holds it (or its module), else a new import."""
        own = _unwrap(value) is not None or (inspect.isclass(value) and value.__module__ in MAIN_MODULES)
        held = self.names_of.get(id(value))
        if held is not None:
            self.need(held, use.used_by, use.where)
            if own:
                use.needs.add(held)
            return held
        if own:
            raise Unwritable(f"a {_kind(value)} {getattr(value, '__qualname__', '')} that no global holds any more "
                             "(redefined since)")
        found = _public_path(value) if inspect.isclass(value) else importable(value, getattr(value, "__name__", ""))
        if found is None:
            raise Unwritable(f"a {_kind(value)} object")
        module, qualname = found
        head, _, rest = qualname.partition(".")
        owner = sys.modules[module]
        for start, tail in ((getattr(owner, head, None), rest), (owner, qualname)):
            holder = self.names_of.get(id(start))
            if holder is not None:
                self.need(holder, use.used_by, use.where)
                return ".".join(part for part in (holder, tail) if part)
        alias = head if head not in self.namespace else f"_{head}"
        self.bind(alias, f"from {module} import {head}" + (f" as {alias}" if alias != head else ""))
        return ".".join(part for part in (alias, rest) if part)

    # -- text ----------------------------------------------------------------------------------------------

    def edited(self, source: Source, value: Any) -> str:
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
        for node, default in defaults(source.tree, value):
            try:
                literal = self.write(default, Use("", "", references=False))
            except Unwritable:
                continue
            if not is_literal(node):
                end = starts[node.end_lineno - 1] + node.end_col_offset  # type: ignore[operator]
                edits.append((starts[node.lineno - 1] + node.col_offset, end, literal.encode()))
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

    def _reached(self, name: str, within: Iterable[str], made: dict[str, str]) -> set[str]:
        """Names in ``within`` that must exist before ``name`` runs: what it names then, and what the functions
        and classes it calls then use (a decorator's own globals, while the definition it decorates runs). A
        global a replayed statement makes stands for that statement (``made``)."""
        found: set[str] = set()
        pending = list(self.definitions[name].needs)
        while pending:
            need = pending.pop()
            need = need if need in self.definitions else made.get(need, need)
            if need not in found:
                found.add(need)
                if need in self.definitions:
                    pending += self.definitions[need].calls
        return (found & set(within)) - {name}

    def settle(self) -> None:
        """Place the replayed statements among the definitions, each after the one replayed before it.

        A global written as a value (or import) that a replayed statement binds too is left to that statement
        when it is the global's last binding; else it is written where its last binding ran, after the replayed
        statements before that, so that each reads what it read in the session. So is one that shadows a builtin
        a replayed statement read before the session bound it (``wires = range(3)``, later ``range = 7``).
        """
        self.warn_of_unseen_changes()
        made = self.made_by_replay()
        previous: str | None = None
        for index in sorted(self.replays):
            entry = self.replays[index]
            statement = entry.statement
            needs = set()
            for need in entry.needs:
                seen = self.last_binding(need, before=statement.index) if not need.startswith("<") else None
                needs.add(_key(seen) if seen is not None and seen.index in self.replays else need)
            if previous is not None:
                needs.add(previous)
            previous = _key(statement)
            self.definitions[previous] = Definition(statement.order, f"# {statement.place}\n{statement.text}",
                                                    frozenset(needs))
        for name in sorted(made.keys() | self.late):
            written = name in self.objects or name in self.aliases or name in self.imports
            if not written:
                continue
            last = self.last_binding(name)
            value_text, import_text = self.values.pop(name, None), self.imports.pop(name, None)
            self.refills.pop(name, None)
            if last is not None and last.index in self.replays:
                self.objects.pop(name, None)
                self.aliases.pop(name, None)
                self.definitions.pop(name, None)
                continue
            definition = self.definitions.get(name)
            text = definition.text if definition is not None else value_text or f"{import_text}\n"
            text = f"# {last.place}, as it is now\n{text}" if last is not None else text
            order = last.order if last is not None else (sys.maxsize, "", 0)
            earlier = {_key(entry.statement) for entry in self.replays.values() if entry.statement.order < order}
            self.definitions[name] = Definition(order, text, frozenset(
                earlier | (definition.needs if definition is not None else frozenset())))

    def layout(self) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """The values block, and each definition's name and statement in the order they ran, each moved after
        what it needs first.

        A dict, list or set that a definition fills as it runs (a registry its decorator
        adds to) starts empty and is made what it is here once they all ran.
        """
        made = self.made_by_replay()
        needs = {name: self._reached(name, self.definitions, made) for name in self.definitions}
        filled = set().union(*(self._reached(name, self.refills, made) for name in self.definitions
                               if name not in self.aliases and not name.startswith("<")))
        values = {name: self.refills[name][0] if name in filled else statement
                  for name, statement in sorted(self.values.items())}
        texts = {name: definition.text for name, definition in self.definitions.items()}
        pending = sorted(self.definitions, key=lambda name: (self.definitions[name].order, name))
        placed: list[tuple[str, str]] = []
        done: set[str] = set()
        while pending:
            ready = next((name for name in pending if needs[name] <= done), None)
            shell = next((name for name in pending if self.definitions[name].shell and name not in done), None)
            if ready is None and shell is not None:  # a registry its own entries fill: empty first
                placed.append((shell, self.definitions[shell].shell or ""))
                done.add(shell)
                texts[shell] = self.definitions[shell].update or ""
                continue
            ready = ready or pending[0]  # a cycle nothing breaks: as they ran
            pending.remove(ready)
            placed.append((ready, texts[ready]))
            done.add(ready)
        placed += [(name, self.refills[name][1]) for name in sorted(filled)]
        return values, placed

    def text(self, origin: str, values: dict[str, str], order: list[tuple[str, str]]) -> str:
        parts = [f"# Generated by braketkit from {origin}: {self.entry} and what it uses, as they were at "
                 "submission.\n# The rest of that code does not run in the job.\n"]
        if self.future_annotations:
            parts.append("from __future__ import annotations\n")
        if self.imports:
            parts.append("".join(f"{statement}\n" for statement in sorted(self.imports.values())))
        if values:
            parts.append("".join(values.values()))
        return "\n".join(parts) + "".join(f"\n\n{statement}" for _, statement in order)
