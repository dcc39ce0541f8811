"""The generated module, written: imports, then values, then definitions in an order that runs.

Each global the captured code uses is written once, as what it is: a module as an
import, an importable object as an import or a reference through a global that
holds it, a ``__main__`` function or class as its source (then what that uses,
in turn), a value as its source form. Definitions keep the order they ran in,
except that a definition is never placed before what its decorators, defaults,
annotations, base classes or class body name.
"""

from __future__ import annotations
import __future__

import ast
import builtins
import enum
import inspect
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
from .names import attribute_paths, defaults, first_use, global_names, is_literal, run_time_only
from .source import Source, source_of, still_running

__all__ = ["MAX_DEPTH", "MAX_LITERAL", "Writer"]

MAX_LITERAL = 64 * 1024
"""Characters of source one captured value may take; bigger data travels as an argument or input."""
_MAX_INT_BITS = int(getattr(sys.int_info, "default_max_str_digits", 4300) * 3.3219)
"""An int's digits, as bits, that a Python reading the module accepts by default, whatever this session allows."""
MAX_DEPTH = 50
"""How deeply a captured value may nest; Python's parser stops not far beyond."""
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
        use = Use(used_by, where)
        try:
            text = self.write(value, use)
        except Unwritable as error:
            self.refuse(f"{used_by} uses {name}, {error}, which cannot be written as source for the job; "
                        + _HINT.format(entry=self.entry), where)
            return
        if len(text) > MAX_LITERAL:
            self.refuse(f"{used_by} uses {name}, a {_kind(value)} that takes {len(text)} characters as source, "
                        f"over the {MAX_LITERAL} braketkit writes into the job; " + _HINT.format(entry=self.entry),
                        where)
        elif use.needs:  # it names the script's own definitions: it goes after them
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
        for needed, read in sorted(names.items()):
            line = first_use(source.tree, needed) or 1
            self.need(needed, label, where_defined(source.filename, source.first_line + line - 1),
                      paths.get(needed, set()), read)

    # -- values --------------------------------------------------------------------------------------------

    def write(self, value: Any, use: Use, path: str = "", depth: int = 0, seen: frozenset[int] = frozenset()) -> str:
        """Source that evaluates to ``value`` in the generated module; Unwritable says why there is none."""
        kind = type(value)
        if kind in (type(None), bool, str, bytes):
            return repr(value)
        if kind is int:
            if abs(value).bit_length() > _MAX_INT_BITS:  # the job's Python reads back no longer int literal
                raise Unwritable(_whose(path, "is an int with more digits than Python reads back") if path
                                 else "an int with more digits than Python reads back")
            return repr(value)
        if kind in (float, complex):
            text = repr(value)
            return text if "nan" not in text and "inf" not in text else f'{kind.__name__}("{value}")'
        if kind in (tuple, list, dict, set, frozenset):
            return self.container(value, use, path, depth, seen)
        if use.references:
            plain = value.item() if _numpy_scalar(kind) else None
            if type(plain) in (bool, int, float, complex, str, bytes):  # a NumPy scalar: its type, of its value
                return f"{self.reference(kind, use)}({self.write(plain, use, path, depth, seen)})"
            if isinstance(value, pathlib.PurePath):
                return f"{self.reference(kind, use)}({str(value)!r})"
            if isinstance(value, enum.Enum):
                return f"{self.reference(kind, use)}.{value.name}"
            if _unwrap(value) is not None or importable(value, getattr(value, "__name__", "")) is not None:
                return self.reference(value, use)
        raise Unwritable(_whose(path, f"is a {_kind(value)} object") if path else f"a {_kind(value)} object")

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

    def _reached(self, name: str, within: Iterable[str]) -> set[str]:
        """Names in ``within`` that must exist before ``name`` runs: what it names then, and what the functions
        and classes it calls then use (a decorator's own globals, while the definition it decorates runs)."""
        found: set[str] = set()
        pending = list(self.definitions[name].needs)
        while pending:
            need = pending.pop()
            if need not in found:
                found.add(need)
                if need in self.definitions:
                    pending += self.definitions[need].calls
        return (found & set(within)) - {name}

    def layout(self) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """The values block, and each definition's name and statement in the order they ran, each moved after
        what it needs first.

        A dict, list or set that a definition fills as it runs (a registry its decorator
        adds to) starts empty and is made what it is here once they all ran.
        """
        needs = {name: self._reached(name, self.definitions) for name in self.definitions}
        filled = set().union(*(self._reached(name, self.refills) for name in self.definitions))
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
