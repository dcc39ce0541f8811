"""The import graph of braketkit is acyclic: a lower stage never imports a higher one, even inside a function.

Every ``import`` and ``from ... import`` of every module counts, at module level or inside a function
(only those under ``if TYPE_CHECKING:`` do not: they never run). ``import a.b.c`` depends on ``a.b.c``
and on the packages above it, which Python runs first, except the importer's own packages (they are
already running when it is imported). ``from a.b import c`` depends on the submodule ``a.b.c`` when
there is one, else on ``a.b`` itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "braketkit"


def _module_names() -> dict[str, Path]:
    """Every module of braketkit by its dotted name; a package by its own name (its ``__init__``)."""
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: anywhere in the tree but under ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        if isinstance(node, ast.If) and _type_checking(node.test):
            stack += node.orelse
            continue
        stack += ast.iter_child_nodes(node)
    return found


def _with_parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:end]) for end in range(len(parts), 0, -1)]


def _dependencies(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The braketkit modules that importing ``name`` runs, directly."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    own = set(_with_parents(package))  # already running when this module runs
    targets: list[str] = []
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets += [alias.name for alias in node.names]
            continue
        if node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            source = ".".join([*base, *([node.module] if node.module else [])])
        else:
            source = node.module or ""
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            targets.append(submodule if submodule in modules else source)
    depends: set[str] = set()
    for target in targets:
        explicit, *parents = _with_parents(target)
        depends |= {explicit, *(parent for parent in parents if parent not in own)}
    return {module for module in depends if module in modules and module != name}


def import_graph() -> dict[str, set[str]]:
    modules = _module_names()
    return {name: _dependencies(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as the modules along it (the first repeated at the end), or None."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        path.append(start)
        on_path.add(start)
        while stack:
            node, pending = stack[-1]
            if not pending:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
                continue
            following = pending.pop(0)
            if following in on_path:
                return [*path[path.index(following):], following]
            if following not in done:
                stack.append((following, sorted(graph[following])))
                path.append(following)
                on_path.add(following)
    return None


def test_the_import_graph_is_acyclic() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_graph_sees_imports_inside_functions_and_relative_ones() -> None:
    """The checks above would pass on an empty graph; these edges are known to exist."""
    graph = import_graph()
    assert "braketkit.execute.local" in graph["braketkit.pipeline"]  # inside run_target
    assert "braketkit.errors" in graph["braketkit.package"]  # from ..errors import ...
    assert "braketkit.package.capture.writer" in graph["braketkit.package.capture"]  # inside capture()
    assert "braketkit.resolve" in graph["braketkit.cli.options"]  # the package above resolve.keys


@pytest.mark.parametrize(("graph", "cycle"), [
    ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ({"a": {"b"}, "b": {"c"}, "c": {"b"}}, ["b", "c", "b"]),
    ({"a": {"a"}}, ["a", "a"]),
])
def test_find_cycle(graph: dict[str, set[str]], cycle: list[str] | None) -> None:
    assert find_cycle(graph) == cycle


def test_type_checking_imports_and_own_packages_do_not_count(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    module = tmp_path / "pkg" / "mod.py"
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import other\n"
                      "else:\n    from .sub import thing\ndef f():\n    import pkg.deep.inner\n")
    modules = {"pkg": tmp_path / "pkg" / "__init__.py", "pkg.mod": module, "pkg.other": module,
               "pkg.sub": module, "pkg.deep": module, "pkg.deep.inner": module}
    assert _dependencies("pkg.mod", module, modules) == {"pkg.sub", "pkg.deep", "pkg.deep.inner"}
