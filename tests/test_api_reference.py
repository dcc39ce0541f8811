"""The API reference (docs/api.md) names every public name, and each describes every parameter.

Public: ``braketkit.__all__``, and whatever README.md or docs/*.md tell a reader to import or name by its
dotted path. Docstrings are read as the site reads them: griffe, Google style.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
API = ROOT / "docs" / "api.md"


def _identifiers() -> list[str]:
    return re.findall(r"^::: ([\w.]+)\s*$", API.read_text(encoding="utf-8"), re.M)


def _object(path: str) -> Any:
    module, _, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except ModuleNotFoundError:
        return getattr(_object(module), name)


def _canonical(path: str) -> str | None:
    """The name an object is defined under, whichever module re-exports it; None if there is no such object."""
    try:
        found = _object(path)
    except (AttributeError, ModuleNotFoundError):
        return None
    if hasattr(found, "__qualname__") and hasattr(found, "__module__"):
        return f"{found.__module__}.{found.__qualname__}"
    return path


def _named_by_the_pages() -> set[str]:
    """What README.md and docs/*.md tell a reader to import, or name by its dotted path."""
    named = set()
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for module, names in re.findall(r"^\s*from (braketkit(?:\.\w+)*) import ([\w, ]+)$", text, re.M):
            named |= {f"{module}.{name.strip()}" for name in names.split(",")}
        for path in re.findall(r"(?<![\w.])braketkit(?:\.[A-Za-z_]\w*)+", text):
            if re.search(r"\.(json|toml|py|md)$|\.__\w+__$", path):
                continue  # a file name, such as braketkit.schema.json, or braketkit.__all__
            try:
                importlib.import_module(path)
                continue  # a module: the names it offers are listed on their own
            except ModuleNotFoundError:
                named.add(path)
    return named


def test_the_api_reference_names_every_public_name() -> None:
    import braketkit

    assert [path for path in _identifiers() if _canonical(path) is None] == [], "docs/api.md names what is not"
    listed = {_canonical(path) for path in _identifiers()}
    public = {f"braketkit.{name}" for name in braketkit.__all__} | _named_by_the_pages()
    assert [path for path in sorted(public) if _canonical(path) is None] == [], "the pages name what is not"
    missing = sorted(path for path in public if _canonical(path) not in listed)
    assert missing == [], f"add these to docs/api.md: {missing}"


def _described(docstring: Any) -> set[str]:
    """The names a Google-style docstring describes in its Args and Attributes sections."""
    names: set[str] = set()
    for section in docstring.parse("google") if docstring is not None else []:
        if section.kind.value in ("parameters", "other parameters", "attributes"):
            names |= {item.name.lstrip("*") for item in section.value}
    return names


def _settings_described() -> set[str]:
    """The fields ``Settings`` describes: a function that says its keywords are ``Settings``'s fields lets them
    be described there, once (``hybrid_job``, ``HybridJob.options``)."""
    import griffe

    package = griffe.load("braketkit", search_paths=[str(ROOT)], docstring_parser="google")
    return _described(package["model.settings.Settings"].docstring)


def _undescribed(path: str, function: Any) -> list[str]:
    if function.docstring is None:
        return [f"{path}: no docstring"]
    described = _described(function.docstring)
    if "field of ``Settings``" in function.docstring.value:
        described |= {parameter.name for parameter in function.parameters
                      if parameter.kind.value == "keyword-only" and parameter.name in _settings_described()}
    missing = [p.name for p in function.parameters if p.name not in ("self", "cls") and p.name not in described]
    return [f"{path}: {', '.join(missing)} not described"] if missing else []


def test_a_keyword_described_on_settings_is_a_field_settings_describes() -> None:
    """The decorator's keywords are described once, on ``Settings``: each must be described there."""
    import braketkit

    fields = {field.name for field in attrs.fields(braketkit.Settings)}
    assert _settings_described() == fields


def test_every_public_name_describes_its_parameters() -> None:
    """Read as the site reads them (griffe, Google style): functions their parameters, classes their
    constructor's (attrs classes: their fields), and every public method and property of a class its own."""
    import griffe

    package = griffe.load("braketkit", search_paths=[str(ROOT)], docstring_parser="google")
    problems: list[str] = []
    for path in _identifiers():
        found = package[path.removeprefix("braketkit.")]
        found = found.final_target if found.is_alias else found
        if found.is_function:
            problems += _undescribed(path, found)
        elif found.is_attribute:
            problems += [] if found.docstring else [f"{path}: no docstring"]
        elif found.is_class:
            problems += _class_problems(path, found, _object(path))
    assert problems == []


def _class_problems(path: str, found: Any, value: type) -> list[str]:
    if found.docstring is None:
        return [f"{path}: no docstring"]
    described = _described(found.docstring)
    problems = []
    if attrs.has(value):
        members = found.all_members
        missing = [field.name for field in attrs.fields(value)
                   if field.name not in described and not (field.name in members and members[field.name].docstring)]
        problems += [f"{path}: fields {', '.join(missing)} not described"] if missing else []
    elif "__init__" in found.members:
        init = found.members["__init__"]
        described |= _described(init.docstring)
        missing = [p.name for p in init.parameters if p.name not in ("self", "cls") and p.name not in described]
        problems += [f"{path}: {', '.join(missing)} not described"] if missing else []
    for name, member in found.all_members.items():
        member = member.final_target if member.is_alias else member
        if (name.startswith("_") and name != "__call__") or not member.is_function:
            continue
        if "property" in member.labels:
            problems += [] if member.docstring else [f"{path}.{name}: no docstring"]
        else:
            problems += _undescribed(f"{path}.{name}", member)
    return problems
