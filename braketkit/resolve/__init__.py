"""Stage 1, resolve: gather settings from every source, merge, keep origins, validate.

Lowest to highest: built-in defaults, ``[tool.braketkit]``, the chosen profile,
decorator keywords, ``BRAKETKIT_*`` variables, ``--set``. Every problem found
is reported at once, each naming its key and where the value came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from .. import catalog
from ..errors import InvalidInput, Problem, shown
from ..model.settings import Settings
from ..s3uri import near_miss
from . import rules
from .keys import Entry, bound_problem, describe, kind_of, leaf_type, maps, tables
from .pyproject import find_pyproject, read_pyproject
from .sources import PROFILE_VARIABLE, env_layer, keyword_layer, pyproject_layers, set_layer

__all__ = ["KeywordSource", "Keywords", "Resolved", "leaves", "resolve"]

KeywordSource = Settings | Mapping[str, Any]
"""Settings given in Python: a ``Settings`` object or keywords."""
Keywords = tuple[KeywordSource | tuple[KeywordSource, str], ...]
"""Keyword sources, lowest first; a ``(source, origin)`` pair carries an origin of its own."""

DEFAULT = "default"


@attrs.frozen(kw_only=True)
class Resolved:
    """The merged settings, the origin of every leaf, and the project they belong to."""

    settings: Settings
    """The merged settings: every source, by precedence, over the built-in defaults."""
    origins: dict[str, str]
    """Where each value came from, by flat key (``instance.type``): ``pyproject.toml:14``, ``env BRAKETKIT_WAIT``;
    a map given entries (``tags``) has theirs (``pyproject.toml:8``, or several: ``pyproject.toml:8, --set tags.x``)."""
    profile: str | None
    """The profile chosen, if any."""
    pyproject: Path | None
    """The ``pyproject.toml`` the settings were read from, if one was found."""
    device: str | None
    """``settings.device`` expanded through the project's and built-in aliases."""
    problems: list[Problem] = attrs.field(factory=list)
    """What is wrong, when ``resolve(defer_problems=True)`` left it for the plan to report with its own."""

    def origin(self, key: str) -> str:
        """Where the value of ``key`` came from, ``default`` when nothing set it.

        Args:
            key: A setting's flat key, tables' fields after a dot: ``device``, ``instance.count``.
        """
        return self.origins.get(key, DEFAULT)


def leaves(settings: Settings) -> dict[str, Any]:
    """Every leaf of the settings as flat keys, defaults included (for display)."""
    from ..converter import converter

    data = converter.unstructure(settings)
    flat: dict[str, Any] = {}
    for name, value in data.items():
        if name in tables() or name in maps():
            flat.update({f"{name}.{key}": item for key, item in value.items()})
        else:
            flat[name] = value
    return flat


def resolve(
    *,
    start: Path,
    keywords: Keywords = (),
    keywords_origin: str = "@hybrid_job",
    profile: str | None = None,
    assignments: Iterable[str] = (),
    environ: Mapping[str, str] | None = None,
    defer_problems: bool = False,
) -> Resolved:
    """Resolve settings for an entry whose module lives in ``start``.

    ``keywords`` are the decorator's sources, lowest first; a ``(source, origin)``
    pair has an origin of its own (``options() in train.py:12``), the others
    ``keywords_origin``. Problems raise ``InvalidInput``; with ``defer_problems``
    they are returned in ``Resolved.problems`` instead, with the settings that
    could be read, so that planning reports them together with its own (a plan
    is never made while any remain).
    """
    import os

    environ = os.environ if environ is None else environ
    keyword_profile, keyword_profile_origin = None, keywords_origin
    keyword_entries: dict[str, Entry] = {}
    problems: list[Problem] = []
    for item in keywords:
        source, origin = item if isinstance(item, tuple) else (item, keywords_origin)
        if isinstance(source, Mapping) and "profile" in source:
            keyword_profile, keyword_profile_origin = source["profile"], origin
        entries, trouble = keyword_layer(source, origin)
        keyword_entries.update(entries)
        problems += trouble
    chosen, profile_origin = _choose_profile(profile, environ, keyword_profile, keyword_profile_origin)
    path = find_pyproject(start)
    layers: list[tuple[dict[str, Entry], list[Problem]]] = []
    if path is not None:
        layers += pyproject_layers(read_pyproject(path), chosen, profile_origin)
    elif chosen is not None:
        problems.append(Problem(f"no pyproject.toml at or above {start} to define it", "profile", profile_origin))
    layers += [(keyword_entries, []), env_layer(environ), set_layer(assignments)]
    merged: dict[str, Entry] = {}
    for entries, trouble in layers:
        merged.update(entries)
        problems += trouble
    typed = _typed(merged, problems)
    settings = _settings(typed)
    device = _check(settings, merged, problems, path)
    if problems and not defer_problems:
        raise InvalidInput(problems)
    origins = {key: entry.origin for key, entry in merged.items()}
    origins |= _map_origins(merged)
    return Resolved(settings=settings, origins=origins, profile=chosen, pyproject=path, device=device,
                    problems=problems)


def _map_origins(merged: dict[str, Entry]) -> dict[str, str]:
    """Where each map's entries came from, as the map's own origin (its size is judged as a whole): the
    distinct origins in order, the first two of them named."""
    found: dict[str, list[str]] = {}
    for key, entry in merged.items():
        head, dot, _ = key.partition(".")
        if dot and head in maps() and entry.origin not in found.setdefault(head, []):
            found[head].append(entry.origin)
    return {head: ", ".join(origins[:2]) + (f" and {len(origins) - 2} more" if len(origins) > 2 else "")
            for head, origins in found.items()}


def _choose_profile(
    explicit: str | None, environ: Mapping[str, str], keyword: str | None, keyword_origin: str
) -> tuple[str | None, str]:
    if explicit is not None:
        return explicit, "--profile"
    if environ.get(PROFILE_VARIABLE):
        return environ[PROFILE_VARIABLE], f"env {PROFILE_VARIABLE}"
    return keyword, keyword_origin if keyword is not None else DEFAULT


def _typed(merged: dict[str, Entry], problems: list[Problem]) -> dict[str, Any]:
    from cattrs.errors import CattrsError  # with the converter, only once settings are read: decorating stays light

    from ..converter import converter

    typed: dict[str, Any] = {}
    for key, entry in merged.items():
        kind = leaf_type(key)
        if _too_long(entry.value):
            problems.append(Problem(f"is {shown(entry.value)[1:-1]}, more digits than Python writes as text; no "
                                    "setting takes such a number", key, entry.origin))
            continue
        try:
            typed[key] = converter.structure(entry.value, kind)
        except (TypeError, ValueError, CattrsError):
            problems.append(Problem(f"expected {describe(kind)}, got {kind_of(entry.value)}", key, entry.origin))
    return typed


def _too_long(value: Any) -> bool:
    """An int over ``sys.get_int_max_str_digits`` (Python 3.10.7 on): it could be neither shown nor sent."""
    if not isinstance(value, int):
        return False
    try:
        str(value)
    except ValueError:
        return True
    return False


def _settings(typed: dict[str, Any]) -> Settings:
    """The settings from every value that could be read: the checks below judge them even when others failed."""
    from cattrs.errors import CattrsError

    from ..converter import converter

    try:
        return converter.structure(_nest(typed), Settings)
    except (TypeError, ValueError, CattrsError):  # pragma: no cover - each leaf was read alone
        return Settings()


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        head, _, rest = key.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = value
        else:
            nested[head] = value
    return nested


def _check(settings: Settings, merged: dict[str, Entry], problems: list[Problem], pyproject: Path | None) -> str | None:
    """Each setting's own shape, checks across keys and against the catalog; the service model checks the rest later."""

    def origin(key: str) -> str:
        return merged[key].origin if key in merged else DEFAULT

    def check(key: str, problem: str | None) -> None:
        if problem is not None:
            problems.append(Problem(problem, key, origin(key)))

    for alias in settings.devices:
        check(f"devices.{alias}", catalog.alias_problem(alias, settings.devices))
    device = None
    if settings.device is not None:
        device = catalog.expand_device(settings.device, settings.devices)
        if device is None and settings.device not in settings.devices:  # a broken alias is reported as such, above
            problems.append(Problem(catalog.unknown_device(settings.device, settings.devices), "device",
                                    origin("device")))
    if settings.region is not None:
        check("region", rules.region_problem(settings.region))
    image = settings.image
    if image not in catalog.IMAGE_REPOSITORIES and not catalog.is_image_uri(image):
        names = ", ".join(catalog.IMAGE_REPOSITORIES)
        expected = f"expected {names}, or a full ECR image URI"
        problems.append(Problem(f"unknown image {image!r}; {expected}", "image", origin("image")))
    for name, location in settings.input.items():
        if not location:
            problems.append(Problem("expected a local path or an s3:// URI", f"input.{name}", origin(f"input.{name}")))
        elif near_miss(location):  # an s3:// URI, or text meant as one (S3://, a space before it)
            check(f"input.{name}", rules.s3_uri_problem(location))
    if settings.s3.bucket is not None:
        check("s3.bucket", rules.bucket_problem(settings.s3.bucket))
    check("s3.prefix", rules.prefix_problem(settings.s3.prefix))
    check("checkpoint.local_path", rules.local_path_problem(settings.checkpoint.local_path))
    if settings.s3.kms_key:  # an empty one is the service model's to refuse (kmsKeyId has a minimum length)
        check("s3.kms_key", rules.kms_key_problem(settings.s3.kms_key))
    for key in ("include", "exclude"):
        for pattern in getattr(settings, key):
            check(key, rules.pattern_problem(pattern))
    if isinstance(settings.dependencies, str):
        project = pyproject.parent if pyproject else None
        check("dependencies", rules.dependencies_problem(settings.dependencies, project, settings.source))
    elif settings.dependencies is not None:
        for problem in rules.dependency_entry_problems(settings.dependencies):
            check("dependencies", problem)
    for field in attrs.fields(Settings):  # the bounds each number's field states (the request's: the plan's)
        if field.metadata:
            check(field.name, bound_problem(getattr(settings, field.name), field.metadata))
    for name in tables():
        table = getattr(settings, name)
        for field in attrs.fields(type(table)):
            if field.metadata:
                check(f"{name}.{field.name}", bound_problem(getattr(table, field.name), field.metadata))
    return device

