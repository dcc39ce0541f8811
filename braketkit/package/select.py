"""Which files of the source tree go into the archive, and why the others don't.

Order of decision for each path, last word wins: built-in exclusions (``.git``,
virtual environments, caches, secret-looking files), the project's
``.gitignore`` files, the ``exclude`` setting, then the ``include`` setting,
which re-includes anything it names, even inside an excluded folder as long as
the pattern spells out that folder.

A symbolic link is shipped (as the content it points to) only when both its own
name and the path it leads to would be. Whatever cannot be shipped as it should
(a link loop or one leaving the folder, a name that is not UTF-8, a file or
folder that cannot be read, a ``.gitignore`` that is not a file) stops the plan
with the path and what to do; a FIFO, socket or device is never opened.
"""

from __future__ import annotations

import errno
import functools
import io
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path

import attrs

from ..errors import InvalidInput, Problem
from .gitignore import Matcher, Pattern, first_literal_folder, last_match, parse
from .secrets import STORES

__all__ = ["ALWAYS_EXCLUDED", "SECRETS", "NotRegularFile", "SourceFile", "exclude_hint", "open_regular",
           "select_files", "shown"]

CLUTTER = (
    # version control (a .git *file* is a worktree's or submodule's link to its repository), braketkit's own
    # folder, caches
    ".git", ".hg", ".svn", ".braketkit/", "__pycache__/", "*.pyc", "*.pyo", "*.pyd",
    ".mypy_cache/", ".pytest_cache/", ".ruff_cache/", ".hypothesis/", ".tox/", ".nox/",
    ".ipynb_checkpoints/", ".DS_Store",
    # virtual environments by name (any folder that looks like one is left out too: _looks_like_environment),
    # other tools' installed packages and state
    ".venv/", "venv/", "node_modules/", ".terraform/",
)
SECRETS = tuple(pattern for store in STORES for pattern in store.patterns)
"""Credential stores, by the table of what braketkit does not ship unless told to (``secrets.STORES``)."""
ALWAYS_EXCLUDED = CLUTTER + SECRETS
"""Left out unless an ``include`` pattern (or a ``!`` line of a ``.gitignore``) names them; case-insensitive."""

_TEMPLATES = (".example", ".sample", ".template", ".tmpl", ".dist")
"""``.env.example`` and the like are named like secrets but are templates: no warning when shipped."""


@attrs.frozen
class SourceFile:
    """A file chosen for the archive: its name inside it, and where it is now.

    ``secret`` says why it looks like a secret by name (it was re-included), or is empty.
    """

    name: str
    path: Path
    size: int
    executable: bool
    secret: str = ""
    changed: tuple[int, int, int] = (0, 0, 0)
    """Modification time, change time (ns) and inode as walked: what tells an unchanged file (``package.cache``)."""
    included: bool = False
    """An ``include`` pattern names it (or a folder above it): it is shipped on purpose, secrets and all."""


@functools.cache
def _clutter() -> Matcher:
    return Matcher(CLUTTER)


@functools.cache
def _secret() -> Matcher:
    return Matcher(SECRETS)


def _always(name: str, is_folder: bool) -> bool:
    """``ALWAYS_EXCLUDED``, with each pattern compiled once: the secrets' matcher also warns of re-included files."""
    return _clutter()(name, is_folder) or _secret()(name, is_folder)


def _secret_named(name: str, is_folder: bool) -> bool:
    return _secret()(name, is_folder) and not name.lower().endswith(_TEMPLATES)


def shown(path: Path | str) -> str:
    """A path for a message: relative to the working directory when below it (links not followed), and
    bytes that are not UTF-8 written as ``\\xNN``."""
    text = os.path.abspath(path)
    try:
        here = os.getcwd()
    except OSError:  # pragma: no cover - the working directory was removed
        here = ""
    if here and text.startswith(here.rstrip(os.sep) + os.sep):
        text = text[len(here.rstrip(os.sep)) + 1:]
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"  # pragma: no cover - every other kind is one of the above


class NotRegularFile(OSError):
    """What should be a file is a FIFO, socket, device or folder: never opened for reading."""

    def __init__(self, mode: int) -> None:
        super().__init__(errno.EINVAL, f"it is {_kind(mode)}, not a regular file")


def open_regular(path: Path) -> io.FileIO:
    """Open a regular file for reading, never blocking: a FIFO, socket or device raises ``NotRegularFile``.

    The file is opened non-blocking (a FIFO would otherwise wait for a writer) and
    checked on the open descriptor, so a file swapped for a FIFO in between is caught too.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(mode)
        return io.FileIO(descriptor, "rb", closefd=True)
    except BaseException:
        os.close(descriptor)
        raise


def _is_undecodable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _looks_like_environment(folder: Path, names: set[str]) -> bool:
    """A virtual environment or conda environment, whatever its name: its own marker files, or the layout
    virtualenv made before ``pyvenv.cfg`` existed (``bin/activate``, ``lib/python*/site-packages``)."""
    if "pyvenv.cfg" in names or "conda-meta" in names:
        return True
    if "bin" in names and os.path.isfile(folder / "bin" / "activate"):
        return True
    if "Scripts" in names and (os.path.isfile(folder / "Scripts" / "activate")
                               or os.path.isfile(folder / "Scripts" / "activate.bat")):
        return True
    if "lib" in names:
        try:
            versions = os.listdir(folder / "lib")
        except OSError:
            return False
        return any(version.startswith("python") and os.path.isdir(folder / "lib" / version / "site-packages")
                   for version in versions)
    return False


def exclude_hint(name: str, is_folder: bool) -> str:
    """A pattern that leaves ``name`` out: itself, anchored, an undecodable byte matched by ``?``."""
    pattern = re.sub(r"([*?\[\]!#\\])", r"\\\1", name)
    pattern = re.sub("[\udc80-\udcff]", "?", pattern)
    return ("" if "/" in pattern else "/") + pattern + ("/" if is_folder else "")


@attrs.frozen
class _Place:
    """A folder as its entries are decided: its prefix in the archive, the .gitignore patterns that apply,
    whether it (or a folder above it) is left out, and whether it is a secret folder (``.aws/``)."""

    prefix: str
    ignores: tuple[Pattern, ...]
    excluded: bool
    secret: bool


class _Selection:
    def __init__(self, root: Path, exclude: Sequence[str], include: Sequence[str], within: str = "") -> None:
        self.root = root
        self.within = within
        """The one folder of the root that is walked, or empty: the whole root."""
        self.boundary = (root / within).resolve() if within else root
        """Where a link may lead."""
        self.always = _always
        self.excluded = parse(exclude)
        self.included = parse(include)
        self.reach = [folder for pattern in self.included if (folder := first_literal_folder(pattern))]
        self.chosen: list[SourceFile] = []
        self.problems: list[Problem] = []
        self.places: dict[str, _Place] = {}
        """Folders of the tree by their path from the root (``""``, ``"a/b"``): where links lead."""

    def problem(self, path: Path, message: str) -> None:
        self.problems.append(Problem(message, origin=shown(path)))

    # -- deciding ------------------------------------------------------------------------------------------

    def wanted(self, name: str, is_folder: bool, place: _Place) -> bool | None:
        """True: shipped; False: left out; None: no pattern says (shipped, unless a folder is an environment)."""
        if last_match(self.included, name, is_folder) is not None:
            return True
        if place.excluded:
            return False
        for patterns in (self.excluded, place.ignores):
            decided = last_match(patterns, name, is_folder)
            if decided is not None:
                return decided.negated
        return False if self.always(name, is_folder) else None

    def named_by_include(self, *names: str) -> bool:
        """An ``include`` pattern names one of these paths, or a folder above it: shipped on purpose."""
        for name in names:
            parts = name.split("/")
            if any(last_match(self.included, "/".join(parts[:count]), count < len(parts)) is not None
                   for count in range(1, len(parts) + 1)):
                return True
        return False

    def reaches(self, name: str) -> bool:
        """An include pattern spells out a path through this (left out) folder."""
        return any(folder == name or folder.startswith(name + "/") for folder in self.reach)

    def gitignore(self, folder: Path, prefix: str) -> list[Pattern]:
        path = folder / ".gitignore"
        try:
            with open_regular(path) as handle:
                text = handle.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return []  # none, or a dangling link
        except NotRegularFile as error:
            self.problem(path, f"{error.strerror}; braketkit reads every .gitignore to choose what to ship: "
                               "make it a file, or remove it")
            return []
        except OSError as error:
            self.problem(path, f"cannot read .gitignore: {error.strerror}; make it readable, or remove it")
            return []
        return parse(text.splitlines(), prefix)

    def place_of(self, relative: str) -> _Place:
        """The place of a real folder of the tree, found from the root down (for a link's target)."""
        place = self.places.get(relative)
        if place is not None:
            return place
        folder = self.root / relative
        parent = self.place_of(relative.rpartition("/")[0]) if relative else None
        if parent is None:
            place = _Place("", tuple(self.gitignore(folder, "")), False, False)
        else:
            kept = self.real_wanted(relative, True)
            secret = parent.secret or _secret_named(relative, True)
            place = _Place(relative + "/", parent.ignores + tuple(self.gitignore(folder, relative + "/")),
                           parent.excluded or not kept, secret)
        self.places[relative] = place
        return place

    def real_wanted(self, relative: str, is_folder: bool) -> bool:
        """Whether the real path ``relative`` (below the root) would be shipped under its own name."""
        decided = self.wanted(relative, is_folder, self.place_of(relative.rpartition("/")[0]))
        if decided is None and is_folder:
            try:
                names = set(os.listdir(self.root / relative))
            except OSError:
                names = set()
            return not _looks_like_environment(self.root / relative, names)
        return decided is not False

    # -- walking -------------------------------------------------------------------------------------------

    def walk(self, folder: Path, place: _Place, real: str | None, seen: frozenset[str], check: bool) -> None:
        """Choose the files below ``folder``, named ``place.prefix + ...`` in the archive.

        ``real`` is the folder's own path from the root when it was reached through a
        link (its entries must be shipped under their real paths as well), else None.
        ``check``: no pattern decided the folder, so it is left out if it looks like an environment.
        """
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            hint = f", or add {exclude_hint(place.prefix[:-1], True)!r} to exclude" if place.prefix else ""
            self.problem(folder, f"cannot read folder: {error.strerror}; make it readable{hint}")
            return
        names = {entry.name for entry in entries}
        if check and _looks_like_environment(folder, names):
            if not self.reaches(place.prefix[:-1]):
                return
            place = attrs.evolve(place, excluded=True)
        if ".gitignore" in names:
            place = attrs.evolve(place, ignores=place.ignores + tuple(self.gitignore(folder, place.prefix)))
        if real is None:
            self.places[place.prefix[:-1]] = place
        for entry in entries:
            if not place.prefix and self.within and entry.name != self.within:
                continue
            self.entry(entry, folder, place, real, seen)

    def entry(self, entry: os.DirEntry[str], folder: Path, place: _Place, real: str | None,
              seen: frozenset[str]) -> None:
        name = place.prefix + entry.name
        path = folder / entry.name
        real_name = None if real is None else f"{real}/{entry.name}" if real else entry.name
        if entry.is_symlink():
            self.link(name, path, place, real_name, seen)
            return
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
        except OSError:  # pragma: no cover - d_type unknown and lstat failed
            is_folder = False
        decided = self.wanted(name, is_folder, place)
        if real_name is not None and decided is not False and not self.real_wanted(real_name, is_folder):
            decided = False
        if is_folder:
            here = str(path) if real_name is None else os.path.join(self.root, real_name)
            self.folder(name, path, place, decided, real_name, seen | {here})
        elif decided is not False:
            self.file(name, path, entry, place, decided, "", real_name)

    def folder(self, name: str, path: Path, place: _Place, decided: bool | None, real: str | None,
               seen: frozenset[str], secret: bool = False) -> None:
        if not (decided is not False or self.reaches(name)):
            return
        if _is_undecodable(name):
            self.problem(path, f"folder name is not valid UTF-8; rename it, or add {exclude_hint(name, True)!r} "
                               "to exclude")
            return
        inner = _Place(name + "/", place.ignores, place.excluded or decided is False,
                       secret or place.secret or _secret_named(name, True))
        self.walk(path, inner, real, seen, decided is None)

    def file(self, name: str, path: Path, entry: os.DirEntry[str] | os.stat_result, place: _Place,
             decided: bool | None, secret: str, real: str | None = None) -> None:
        try:
            info = entry.stat() if isinstance(entry, os.DirEntry) else entry
        except OSError as error:
            self.problem(path, f"cannot read: {error.strerror}; make it readable, or add "
                               f"{exclude_hint(name, False)!r} to exclude")
            return
        if not stat.S_ISREG(info.st_mode):
            return  # a FIFO, socket or device: nothing to ship, and never opened
        if _is_undecodable(name):
            self.problem(path, f"file name is not valid UTF-8; rename it, or add {exclude_hint(name, False)!r} "
                               "to exclude")
            return
        if not secret and (place.secret or (decided is True and _secret_named(name, False))):
            secret = "named like a secret"
        self.chosen.append(SourceFile(name, path, info.st_size, bool(info.st_mode & stat.S_IXUSR), secret,
                                      (info.st_mtime_ns, info.st_ctime_ns, info.st_ino),
                                      self.named_by_include(name, *([real] if real else []))))

    def link(self, name: str, path: Path, place: _Place, real: str | None, seen: frozenset[str]) -> None:
        """A symbolic link: shipped as what it points to, when both its name and its target are.

        ``real``: the link's own path from the root, when it was reached through another link.
        """
        info: os.stat_result | None = None
        failure: OSError | None = None
        try:
            info = path.stat()
        except OSError as error:
            failure = error
        is_folder = info is not None and stat.S_ISDIR(info.st_mode)
        decided = self.wanted(name, is_folder, place)
        if real is not None and decided is not False and not self.real_wanted(real, is_folder):
            decided = False
        if decided is False and not (is_folder and self.reaches(name)):
            return
        if info is None and self.wanted(name, True, place) is False:
            return  # a broken link whose name is left out as a folder as well
        hint = f"add {exclude_hint(name, is_folder)!r} to exclude"
        if failure is not None and failure.errno == errno.ELOOP:
            self.problem(path, f"symbolic link loop (following it leads back to itself); remove the link, or {hint}")
            return
        target = os.path.realpath(path)
        boundary = str(self.boundary)
        if target != boundary and not target.startswith(boundary.rstrip(os.sep) + os.sep):
            self.problem(path, f"symbolic link points outside the source folder, to {shown(target)}; "
                               f"copy the file in, or {hint}")
            return
        if info is None:
            if failure is not None and failure.errno not in (errno.ENOENT, errno.ENOTDIR):
                self.problem(path, f"cannot read what the link points to: {failure.strerror}; make it readable, "
                                   f"or {hint}")
            return  # a dangling link (an editor's lock file, say): nothing to ship
        root = str(self.root)
        relative = os.path.relpath(target, root).replace(os.sep, "/") if target != root else ""
        if is_folder:
            if target in seen:
                return  # a cycle: this folder is already being walked
            if relative and not self.real_wanted(relative, True):
                return
            self.folder(name, path, place, decided, relative, seen | {target}, self.place_of(relative).secret)
        elif self.real_wanted(relative, False):
            secret = ""
            if _secret_named(relative, False) or self.place_of(relative.rpartition("/")[0]).secret:
                secret = f"links to {relative}, named like a secret"
            self.file(name, path, info, place, decided, secret, relative)


def select_files(root: Path, exclude: Sequence[str] = (), include: Sequence[str] = (), *,
                 within: str = "") -> list[SourceFile]:
    """Walk ``root`` and return the chosen files, sorted by name in the archive.

    ``within`` (a folder's name, ``qaoa``): only that folder of ``root`` is walked, its files named from ``root``
    (``qaoa/run.py``), with ``root``'s ``.gitignore`` and the patterns applying as for the whole tree; a link
    leaving it leaves the source folder.
    """
    root = root.resolve()
    selection = _Selection(root, exclude, include, within)
    selection.walk(root, _Place("", (), False, False), None, frozenset({str(root)}), False)
    if selection.problems:
        raise InvalidInput(selection.problems)
    return sorted(selection.chosen, key=lambda file: file.name)
