"""gitignore patterns: the rules of ``git help gitignore``, compiled to regexes.

Used for the project's ``.gitignore`` files (each relative to its own folder),
for ``exclude``/``include`` settings (relative to the source root) and for the
built-in exclusions, so one matcher decides everything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

__all__ = ["Matcher", "Pattern", "first_literal_folder", "last_match", "parse"]


@attrs.frozen
class Pattern:
    text: str
    regex: re.Pattern[str]
    negated: bool
    folders_only: bool
    anchored: bool
    base: str
    """Folder (``""`` or ``"a/b/"``) the pattern is relative to."""

    def matches(self, path: str, is_folder: bool) -> bool:
        if self.folders_only and not is_folder:
            return False
        if not path.startswith(self.base):
            return False
        return self.regex.fullmatch(path[len(self.base):]) is not None


def _translate(body: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if body.startswith("**/", i) and (i == 0 or body[i - 1] == "/"):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("/**", i) and i + 3 == len(body):
            out.append("/.*")
            i += 3
        elif char == "*":
            while i + 1 < len(body) and body[i + 1] == "*":
                i += 1
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            end = body.find("]", i + 2)
            if end == -1:
                out.append(re.escape(char))
                i += 1
                continue
            inner = body[i + 1 : end]
            if inner.startswith("!"):
                inner = "^" + inner[1:]
            out.append("[" + inner.replace("\\", "\\\\") + "]")
            i = end + 1
        elif char == "\\" and i + 1 < len(body):
            out.append(re.escape(body[i + 1]))
            i += 2
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def _fields(line: str) -> tuple[str, bool, bool, bool, str] | None:
    """A gitignore line's text, negation, folders-only and anchoring, and its body (no slash at either end); None
    for a line that is no pattern."""
    text = line.rstrip("\n").rstrip("\r")
    if not text.endswith("\\ "):
        text = text.rstrip(" ")
    if not text or text.startswith("#"):
        return None
    negated = text.startswith("!")
    body = text[1:] if negated else text
    if body.startswith(("\\#", "\\!")):
        body = body[1:]
    folders_only = body.endswith("/")
    body = body.rstrip("/")
    if not body:
        return None
    anchored = "/" in body
    return text, negated, folders_only, anchored, body.lstrip("/")


def _one(line: str, base: str) -> Pattern | None:
    fields = _fields(line)
    if fields is None:
        return None
    text, negated, folders_only, anchored, body = fields
    regex = _translate(body) if anchored else "(?:.*/)?" + _translate(body)
    return Pattern(text, re.compile(regex, re.DOTALL), negated, folders_only, anchored, base)


def parse(lines: Iterable[str], base: str = "") -> list[Pattern]:
    """Patterns from gitignore lines, relative to folder ``base`` (``""`` or ``"a/"``)."""
    return [pattern for line in lines if (pattern := _one(line, base)) is not None]


def last_match(patterns: Iterable[Pattern], path: str, is_folder: bool) -> Pattern | None:
    """The pattern that decides ``path`` (the last one matching), if any."""
    decided = None
    for pattern in patterns:
        if pattern.matches(path, is_folder):
            decided = pattern
    return decided


class Matcher:
    """Whether any of a list of patterns without negations matches, case-insensitively.

    For the built-in exclusions: the same rules as ``parse``, but a pattern
    without a slash is matched against the last part of the path alone. Most
    of them are a name, or a name with ``*`` for wildcards (``*.pem``,
    ``id_rsa*``, ``*service-account*.json``): an ASCII name is checked against
    those with set and string tests, and one regex holds the rest. Compiling the
    whole list as regexes would be most of what a plan's start costs; the full
    regex is made only for a name that is not ASCII, where case-insensitive
    matching is Unicode's.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        self._simple: dict[bool, _Simple] = {False: _Simple(), True: _Simple()}
        names: dict[bool, list[str]] = {False: [], True: []}
        self._all_names: dict[bool, list[str]] = {False: [], True: []}
        """Every name pattern's body, for names that are not ASCII: translated to a regex only if one comes."""
        paths: dict[bool, list[str]] = {False: [], True: []}
        path_ends: dict[bool, list[str]] = {False: [], True: []}
        for line in lines:
            fields = _fields(line)
            if fields is None:
                continue
            _, negated, folders_only, anchored, body = fields
            if negated:
                raise ValueError("a Matcher takes no negated patterns")
            if anchored:
                paths[folders_only].append(body)
                path_ends[folders_only].append(body.rpartition("/")[2])
                continue
            self._all_names[folders_only].append(body)
            if not self._simple[folders_only].add(body):
                names[folders_only].append(_translate(body))
        self._names = {folders_only: _union(regexes) for folders_only, regexes in names.items()}
        self._path_bodies = paths
        self._paths: dict[bool, re.Pattern[str] | None] = {}
        """The path patterns' regex, compiled when a name first ends one (most plans never need it)."""
        self._path_ends: dict[bool, set[str] | None] = {
            folders_only: None if any(char in body for body in bodies for char in "*?[\\")
            else {body.lower() for body in bodies} for folders_only, bodies in path_ends.items()}
        """The last part of each path pattern (``hosts.yml`` of ``**/gh/hosts.yml``); None when one has a wildcard."""
        self._unicode: dict[bool, re.Pattern[str] | None] = {}

    def __call__(self, path: str, is_folder: bool) -> bool:
        name = path.rpartition("/")[2]
        for folders_only in (False, True) if is_folder else (False,):
            if name.isascii():
                if self._simple[folders_only].matches(name.lower()):
                    return True
                names = self._names[folders_only]
            else:
                names = self._unicode_names(folders_only)
            if names is not None and names.fullmatch(name) is not None:
                return True
            ends = self._path_ends[folders_only]
            if (ends is None or not name.isascii() or name.lower() in ends) and (
                    (paths := self._paths_of(folders_only)) is not None and paths.fullmatch(path) is not None):
                return True
        return False

    def _paths_of(self, folders_only: bool) -> re.Pattern[str] | None:
        if folders_only not in self._paths:
            self._paths[folders_only] = _union([_translate(body) for body in self._path_bodies[folders_only]])
        return self._paths[folders_only]

    def _unicode_names(self, folders_only: bool) -> re.Pattern[str] | None:
        if folders_only not in self._unicode:
            self._unicode[folders_only] = _union([_translate(body) for body in self._all_names[folders_only]])
        return self._unicode[folders_only]


class _Simple:
    """ASCII patterns whose only wildcard is ``*``, lowercased: whole names, prefixes, suffixes, and the rest."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.prefixes: tuple[str, ...] = ()
        self.suffixes: tuple[str, ...] = ()
        self.others: list[list[str]] = []
        """The text around each ``*`` of a pattern with more than one, or with text at both ends."""

    def add(self, body: str) -> bool:
        """Take the pattern if it is simple; False leaves it to a regex."""
        if not body.isascii() or any(char in body for char in "?[\\"):
            return False
        parts = body.lower().split("*")
        if len(parts) == 1:
            self.names.add(parts[0])
        elif len(parts) == 2 and not parts[1]:
            self.prefixes += (parts[0],)
        elif len(parts) == 2 and not parts[0]:
            self.suffixes += (parts[1],)
        else:
            self.others.append(parts)
        return True

    def matches(self, name: str) -> bool:
        """Whether the lowercased ASCII ``name`` fits one of the patterns."""
        return (name in self.names or name.startswith(self.prefixes) or name.endswith(self.suffixes)
                or any(_fits(name, parts) for parts in self.others))


def _fits(name: str, parts: list[str]) -> bool:
    """``name`` is ``parts`` joined by runs of any characters: the first at its start, the last at its end, the
    others in order between (the leftmost place for each leaves the most room for the rest)."""
    head, *middle, tail = parts
    if len(name) < len(head) + len(tail) or not name.startswith(head) or not name.endswith(tail):
        return False
    position, end = len(head), len(name) - len(tail)
    for part in middle:
        found = name.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


def _union(regexes: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{regex})" for regex in regexes), re.DOTALL | re.IGNORECASE) if regexes else None


def first_literal_folder(pattern: Pattern) -> str | None:
    """For an anchored pattern, the folder path before its first wildcard."""
    if not pattern.anchored:
        return None
    body = pattern.text.lstrip("!").lstrip("/")
    literal = re.split(r"[*?\[]", body, maxsplit=1)[0]
    return pattern.base + literal.rpartition("/")[0]
