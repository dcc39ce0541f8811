"""Which files of the source tree go into the archive, and why the others don't.

Order of decision for each path, last word wins: built-in exclusions (``.git``,
virtual environments, caches, secret-looking files), the project's
``.gitignore`` files, the ``exclude`` setting, then the ``include`` setting,
which re-includes anything it names, even inside an excluded folder as long as
the pattern spells out that folder.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Sequence
from pathlib import Path

import attrs

from ..errors import InvalidInput, Problem
from .gitignore import Pattern, first_literal_folder, last_match, parse

__all__ = ["ALWAYS_EXCLUDED", "SourceFile", "select_files"]

ALWAYS_EXCLUDED = (
    # version control, braketkit's own folder, caches
    ".git/", ".hg/", ".svn/", ".braketkit/", "__pycache__/", "*.py[cod]",
    ".mypy_cache/", ".pytest_cache/", ".ruff_cache/", ".hypothesis/", ".tox/", ".nox/",
    ".ipynb_checkpoints/", ".DS_Store",
    # secret-looking files: never shipped unless an include pattern names them
    ".env*", "*.pem", "*.key", "*.p12", "*.pfx", "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*",
    ".aws/", ".ssh/", "credentials", "credentials.json", ".netrc", ".pypirc", ".git-credentials",
)


@attrs.frozen
class SourceFile:
    """A file chosen for the archive: its name inside it, and where it is now."""

    name: str
    path: Path
    size: int
    executable: bool


@functools.cache
def _always() -> list[Pattern]:
    return parse(ALWAYS_EXCLUDED)


def _is_environment(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file() or (folder / "conda-meta").is_dir()


def _gitignore(folder: Path, base: str) -> list[Pattern]:
    try:
        text = (folder / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return parse(text.splitlines(), base)


def select_files(root: Path, exclude: Sequence[str] = (), include: Sequence[str] = ()) -> list[SourceFile]:
    """Walk ``root`` and return the chosen files, sorted by name in the archive."""
    root = root.resolve()
    always = _always()
    excluded = parse(exclude)
    included = parse(include)
    reach = [folder for pattern in included if (folder := first_literal_folder(pattern))]
    chosen: list[SourceFile] = []
    problems: list[Problem] = []

    def decide(name: str, is_folder: bool, ignores: list[Pattern]) -> bool:
        if last_match(included, name, is_folder):
            return True
        for patterns in (excluded, ignores, always):
            decided = last_match(patterns, name, is_folder)
            if decided is not None:
                return decided.negated
        return not (is_folder and _is_environment(root / name))

    def walk(folder: Path, prefix: str, ignores: list[Pattern], inside_excluded: bool, seen: frozenset[Path]) -> None:
        ignores = ignores + _gitignore(folder, prefix)
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            problems.append(Problem(f"cannot read folder: {error.strerror}", origin=str(folder)))
            return
        for entry in entries:
            name = prefix + entry.name
            path = Path(entry.path)
            if entry.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(root):
                    message = f"symbolic link points outside the source folder, to {target}; copy the file in"
                    problems.append(Problem(f"{message}, or add {name!r} to exclude", origin=str(path)))
                    continue
            try:
                info = path.stat()
            except OSError:
                continue  # a dangling link inside the tree: nothing to ship
            is_folder = stat.S_ISDIR(info.st_mode)
            named = last_match(included, name, is_folder) is not None
            wanted = named or (not inside_excluded and decide(name, is_folder, ignores))
            if is_folder:
                real = path.resolve()
                if real in seen:
                    continue
                if wanted or any(f == name or f.startswith(name + "/") for f in reach):
                    walk(path, name + "/", ignores, inside_excluded or not wanted, seen | {real})
            elif wanted and stat.S_ISREG(info.st_mode):
                chosen.append(SourceFile(name, path, info.st_size, bool(info.st_mode & stat.S_IXUSR)))

    walk(root, "", [], False, frozenset({root}))
    if problems:
        raise InvalidInput(problems)
    return sorted(chosen, key=lambda file: file.name)
