"""What a statement does that could not mean the same in the job: calls to AWS, randomness without a seed, files.

The statement's callees are resolved in the session's namespace without calling anything (attribute by
attribute, ``inspect.getattr_static``), so a check never runs user code and sees what the statement called.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import os
import pathlib
import sys
import types
from collections.abc import Iterator
from typing import Any

import attrs

from .history import Statement, own_scope

__all__ = ["AWS_MODULES", "RANDOM_MODULES", "Call", "calls", "calls_aws", "file_paths", "given_to", "global_draw",
           "is_generator", "unseeded"]

AWS_MODULES = ("boto3", "botocore", "aiobotocore", "braket.aws", "braket.tracking")
"""Calling into these reaches AWS (or counts what is spent there): in the job it would run again, as the job."""
RANDOM_MODULES = ("random", "_random", "numpy.random", "secrets", "jax.random", "torch.random")
"""Randomness: a draw made through these is another draw in the job, unless it comes from a seeded generator."""
LOOKING_ONLY = ("builtins", "matplotlib", "networkx.drawing", "networkx.readwrite", "IPython", "pprint", "json",
                "pickle", "logging", "braket", "pennylane")
"""Calls into these look at what they are given (print, draw, save, display, run a circuit) and leave it as it is
(the builtins that change it, ``next``, ``setattr`` and ``delattr``, are updates, replayed)."""
SEED_PARAMETERS = ("seed", "random_state", "rng", "random_seed")
"""A function taking one of these draws randomly when it is not given (networkx's generators, scikit-learn...)."""
SEEDERS = frozenset({"Random", "seed", "default_rng", "RandomState", "Generator", "SeedSequence", "PCG64",
                     "PCG64DXSM", "MT19937", "Philox", "SFC64", "PRNGKey", "key", "manual_seed"})
"""Made or seeded from their arguments: deterministic when given one."""
_MISSING = object()


@attrs.frozen
class Call:
    """A call in a statement: its callee's source text, and the objects its name resolves through."""

    node: ast.Call
    text: str
    chain: tuple[Any, ...]
    """The objects of ``np.random.rand``: the module ``np``, ``np.random``, then ``rand``; empty if unresolved."""


def _module_of(item: Any) -> str:
    if isinstance(item, types.ModuleType):
        return item.__name__
    owner = getattr(item, "__objclass__", None)  # a method of a class written in C: numpy's Generator.random
    if isinstance(owner, type):
        return owner.__module__
    if isinstance(item, (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        module = getattr(item, "__module__", None)
        if isinstance(module, str):
            return module
        bound = getattr(item, "__self__", None)
        if bound is not None:
            return _module_of(bound)
    module = getattr(type(item), "__module__", None)
    return module if isinstance(module, str) else ""


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def _chain(node: ast.expr, namespace: dict[str, Any]) -> tuple[Any, ...]:
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.insert(0, node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ()
    item = namespace.get(node.id, getattr(builtins, node.id, _MISSING))
    found = [item]
    for name in names:
        try:
            item = inspect.getattr_static(item, name)
        except AttributeError:
            lazy = sys.modules.get(f"{item.__name__}.{name}") if isinstance(item, types.ModuleType) else None
            if lazy is None:  # a lazily loaded submodule is in sys.modules once loaded; anything else is unknown
                return ()
            item = lazy
        if isinstance(item, (staticmethod, classmethod)):
            item = item.__func__
        found.append(item)
    return () if found[0] is _MISSING else tuple(found)


def calls(statement: Statement, namespace: dict[str, Any]) -> Iterator[Call]:
    """Every call the statement makes as it runs (not those in functions it defines), callee resolved."""
    for node in own_scope(statement.tree):
        if isinstance(node, ast.Call):
            yield Call(node, ast.unparse(node.func), _chain(node.func, namespace))


def _held(node: ast.expr) -> str | None:
    """``graph`` for ``graph``, ``graph.nodes``, ``data[0]``, ``*items``: the global whose object is given itself,
    not something computed from it (``graph.copy()``)."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def given_to(statement: Statement, namespace: dict[str, Any], name: str) -> Iterator[Call]:
    """Calls made as statements of their own (their result unused: run for what they do) that are given ``name``
    (``nx.relabel_nodes(graph, mapping, copy=False)``, ``rng.shuffle(data)``), except calls that only look at it."""
    for node in own_scope(statement.tree):
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
            continue
        call = node.value
        given = [*call.args, *(keyword.value for keyword in call.keywords)]
        if not any(_held(item) == name for item in given):
            continue
        found = Call(call, ast.unparse(call.func), _chain(call.func, namespace))
        if not any(_within(_module_of(item), LOOKING_ONLY) for item in found.chain) and not calls_aws(found):
            yield found


def calls_aws(call: Call) -> bool:
    return any(_within(_module_of(item), AWS_MODULES) for item in call.chain)


def is_generator(value: Any) -> bool:
    """A random generator object (``random.Random(1)``, ``numpy.random.default_rng(1)``): its draws are updates."""
    return not isinstance(value, (type, types.ModuleType)) and _within(_module_of(value), RANDOM_MODULES)


def _given(call: ast.Call, parameter: inspect.Parameter, position: int | None) -> bool:
    """Was the call given this parameter, and not as ``None``?"""
    if any(keyword.arg is None for keyword in call.keywords) or any(isinstance(arg, ast.Starred)
                                                                   for arg in call.args):
        return True  # **options or *args: it may be there
    for keyword in call.keywords:
        if keyword.arg == parameter.name:
            return not (isinstance(keyword.value, ast.Constant) and keyword.value.value is None)
    if position is not None and position < len(call.args):
        given = call.args[position]
        return not (isinstance(given, ast.Constant) and given.value is None)
    return False


def _through_random_module(call: Call) -> bool:
    return _within(_module_of(call.chain[-1]), RANDOM_MODULES) or (
        len(call.chain) > 1 and _within(_module_of(call.chain[0]), RANDOM_MODULES))


def _on_generator(call: Call) -> bool:
    """A method of a generator object (``rng.normal``), made by a statement that is checked in turn."""
    root = call.chain[0]
    return len(call.chain) > 1 and not isinstance(root, (type, types.ModuleType)) and is_generator(root)


def global_draw(call: Call) -> bool:
    """A draw from a random module's own generator (``np.random.rand(2)``, ``random.shuffle(items)``): its state is
    the process's, seeded (or not) by statements of its own (``np.random.seed(42)``) that the job does not replay."""
    return bool(call.chain) and _through_random_module(call) and not _on_generator(call) and \
        getattr(call.chain[-1], "__name__", "") not in SEEDERS


def unseeded(call: Call) -> bool:
    """Does the call draw randomly with nothing to seed it?

    Through a module (``random.random()``, ``np.random.rand(2)``, ``np.random.default_rng()``): yes, unless it
    makes or seeds a generator from an argument. On a generator object (``rng.normal()``): no, the generator
    was made by a statement checked in turn. Anything else that takes a ``seed`` (or ``random_state``, ``rng``)
    and is not given one: yes.
    """
    if not call.chain:
        return False
    callee = call.chain[-1]
    if _through_random_module(call):
        if _on_generator(call):
            return False
        name = getattr(callee, "__name__", "")
        arguments = [*call.node.args, *(keyword.value for keyword in call.node.keywords)]
        return not (name in SEEDERS and arguments and not all(
            isinstance(item, ast.Constant) and item.value is None for item in arguments))
    try:
        signature = inspect.signature(callee)
    except Exception:  # what an object says of its signature is its own code: anything may go wrong
        return False
    positional = [name for name, parameter in signature.parameters.items()
                  if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)]
    for name, parameter in signature.parameters.items():
        if name in SEED_PARAMETERS and parameter.kind is not parameter.VAR_KEYWORD:
            position = positional.index(name) if name in positional else None
            if not _given(call.node, parameter, position):
                return True
    return False


def _path(text: str) -> str | None:
    """``text`` if it names a file or folder here."""
    if not text or len(text) > 4096 or "\0" in text or "\n" in text or text in (".", "./"):
        return None
    try:
        return text if os.path.exists(text) else None
    except (OSError, ValueError):
        return None


def file_paths(statement: Statement, namespace: dict[str, Any], reads: set[str]) -> list[str]:
    """Paths of files or folders here that the statement names: a string in it, or a str or path global it
    reads. Found by what exists, not by which call takes them."""
    texts = [node.value for node in own_scope(statement.tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    for name in sorted(reads):
        value = namespace.get(name)
        if isinstance(value, (str, pathlib.PurePath)):
            texts.append(str(value))
    return sorted({path for text in texts if (path := _path(text)) is not None})
