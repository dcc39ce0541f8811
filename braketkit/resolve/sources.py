"""Each settings source flattened to entries: pyproject, profile, decorator, env, CLI.

Text sources (environment variables, ``--set``) are read by the type the key
must have: a string-typed key takes the text as it is, anything else is read
as a TOML value (``2``, ``true``, ``["a", "b"]``, ``{team = "qml"}``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..errors import Problem
from ..model.types import text_based
from ..places import display_path
from ..runtime import contract
from .keys import EMPTY_NAME, Entry, describe, fits, flatten, kind_of, leaf_type, maps, suggest, tables
from .pyproject import Pyproject, parse_toml

__all__ = ["ENV_PREFIX", "PROFILE_VARIABLE", "Layer", "env_layer", "keyword_layer", "keyword_problems",
           "pyproject_layers", "set_layer"]

Layer = tuple[dict[str, Entry], list[Problem]]

ENV_PREFIX = "BRAKETKIT_"
PROFILE_VARIABLE = "BRAKETKIT_PROFILE"


def pyproject_layers(project: Pyproject, profile: str | None, profile_origin: str) -> tuple[Layer, Layer]:
    """The base ``[tool.braketkit]`` layer and the chosen profile's layer."""
    table = dict(project.table)
    profiles = table.pop("profiles", {})
    entries, problems = flatten(table, lambda key: project.label(*key.split(".")))
    for name, body in (profiles.items() if isinstance(profiles, dict) else ()):  # every profile, chosen or not:
        where = f"{project.label('profiles', name)} (profile {name})"            # a typo waits for no --profile
        if not name or not isinstance(body, dict):
            problems.append(Problem("a profile is a named table: [tool.braketkit.profiles.NAME]",
                                    f"profiles.{name}", where))
        elif name != profile:
            problems += flatten(body, lambda key, name=name: f"{project.label('profiles', name, *key.split('.'))} "
                                                             f"(profile {name})")[1]
    base = entries, [*project.problems, *problems]
    if profile is None:
        return base, ({}, [])
    chosen = profiles.get(profile) if isinstance(profiles, dict) else None
    if not isinstance(chosen, dict):
        known = ", ".join(sorted(profiles)) if isinstance(profiles, dict) and profiles else "none"
        where = display_path(project.path)
        problem = Problem(f"no profile {profile!r} in {where}; profiles defined: {known}", "profile", profile_origin)
        return base, ({}, [problem])
    label = lambda key: f"{project.label('profiles', profile, *key.split('.'))} (profile {profile})"  # noqa: E731
    return base, flatten(chosen, label)


def keyword_layer(keywords: Mapping[str, Any] | Any, origin: str) -> Layer:
    """Decorator keywords or a ``Settings`` object; ``profile`` chooses a profile, it is no setting."""
    if isinstance(keywords, Mapping):
        keywords = {key: value for key, value in keywords.items() if key != "profile"}
    return flatten(keywords, lambda key: origin)


def keyword_problems(keywords: Mapping[str, Any] | Any, origin: str) -> list[Problem]:
    """What is wrong with decorator keywords or a ``Settings`` object alone: unknown names and wrong types.

    Decorating checks this much, with no file read and nothing heavy imported; the rest (a duration's
    text, a device's name) is judged when the job is planned.
    """
    entries, problems = keyword_layer(keywords, origin)
    for key, entry in entries.items():
        kind = leaf_type(key)
        if not fits(entry.value, kind):
            problems.append(Problem(f"expected {describe(kind)}, got {kind_of(entry.value)}", key, entry.origin))
    return problems


def read_text(text: str, kind: Any) -> Any:
    """A value given as text, read as the type its key must have."""
    try:
        parsed = parse_toml(f"v = {text}")["v"]
    except ValueError:
        return text
    if isinstance(parsed, (list, dict)) or not text_based(kind):
        return parsed
    return text


def _assignments(pairs: Iterable[tuple[str, str, str]], unknown: Callable[[str], str] = suggest) -> Layer:
    entries: dict[str, Entry] = {}
    problems: list[Problem] = []
    for key, text, origin in pairs:
        head, dot, rest = key.partition(".")
        if dot and not rest and head in maps():
            problems.append(Problem(EMPTY_NAME, head, origin))
            continue
        whole_table = not rest and (head in tables() or head in maps())
        try:
            value = read_text(text, dict if whole_table else leaf_type(key))
        except KeyError:
            problems.append(Problem(unknown(key), None if origin.endswith(key.upper()) else key, origin))
            continue
        found, trouble = flatten({head: {rest: value} if rest else value}, lambda _key, o=origin: o)
        entries.update(found)
        problems += trouble
    return entries, problems


def env_layer(environ: Mapping[str, str]) -> Layer:
    """``BRAKETKIT_INSTANCE__TYPE=...``: ``__`` separates a table from its field."""
    pairs = [
        (name[len(ENV_PREFIX):].lower().replace("__", "."), value, f"env {name}")
        for name, value in sorted(environ.items())
        if name.startswith(ENV_PREFIX) and name != PROFILE_VARIABLE and name not in contract.RUNTIME_VARIABLES
    ]
    return _assignments(pairs, lambda key: suggest(key, env_name, "variable"))


def env_name(key: str) -> str:
    """The environment variable spelling of a flat key: ``instance.type`` → ``BRAKETKIT_INSTANCE__TYPE``."""
    return ENV_PREFIX + key.upper().replace(".", "__")


def set_layer(assignments: Iterable[str]) -> Layer:
    """``--set key=value`` pairs from the command line."""
    pairs: list[tuple[str, str, str]] = []
    problems: list[Problem] = []
    for assignment in assignments:
        key, equals, text = assignment.partition("=")
        if not equals or not key.strip():
            problems.append(Problem("expected key=value, for example --set instance.count=2", assignment, "--set"))
            continue
        pairs.append((key.strip(), text, f"--set {key.strip()}"))
    entries, more = _assignments(pairs)
    return entries, problems + more
