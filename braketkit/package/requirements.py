"""Where the requirements files a job ships send pip for its packages.

The job's container runs ``pip install -r`` on every ``requirements.txt`` of the unpacked tree. A requirements
file keeps pip's whole syntax, so one can point pip at another index (``--index-url``, ``--extra-index-url``),
at folders or pages of wheels (``--find-links``), away from PyPI (``--no-index``), or trust a host's
certificate (``--trusted-host``), in itself or in a file it includes (``-r``, ``-c``). Those lines change
where every package comes from, so the plan shows them; nothing here refuses anything (pip judges its own file).

The lines are read as pip reads them (``pip/_internal/req/req_file.py``): continued by a final backslash,
``#`` comments at the start or after a space, an option line's words split by ``shlex``, a long option by any
unique start of its name (optparse), a short one with its value attached or after it.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Callable, Iterator

import attrs

__all__ = ["PipOption", "package_sources"]

SOURCE_OPTIONS = {"--index-url": True, "--extra-index-url": True, "--find-links": True, "--trusted-host": True,
                  "--no-index": False}
"""The options that change where packages come from, and whether each takes a value."""
INCLUDE_OPTIONS = ("--requirement", "--constraint")
"""The options that read another file, whose lines count as this one's."""
SHORT = {"-i": "--index-url", "-f": "--find-links", "-r": "--requirement", "-c": "--constraint"}
OTHER_OPTIONS = ("--editable", "--no-binary", "--only-binary", "--prefer-binary", "--require-hashes", "--pre",
                 "--use-feature")
"""pip's other requirements-file options: a start of a name shared with one of them is no option of ours."""
_LONG = (*SOURCE_OPTIONS, *INCLUDE_OPTIONS, *OTHER_OPTIONS)
_COMMENT = re.compile(r"(^|\s+)#.*$")


@attrs.frozen(kw_only=True)
class PipOption:
    """An option of a shipped requirements file that changes where pip finds packages.

    Attributes:
        file: The file, by its name in the project (the one ``dependencies`` names) or in the archive.
        line: Its line (the first, for a line continued with a backslash).
        option: The option's full name (``--index-url`` for ``-i``).
        value: What it was given (a URL, a host, a folder); None for ``--no-index``.
    """

    file: str
    line: int
    option: str
    value: str | None


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Lines as pip joins them, comments removed, each with the number of its first line."""
    start, joined = 0, ""
    for number, line in enumerate(text.splitlines(), 1):
        if not joined:
            start = number
        if line.endswith("\\") and not _COMMENT.match(line):
            joined += line[:-1]
            continue
        yield start, _COMMENT.sub("", joined + line).strip()
        joined = ""
    if joined:
        yield start, _COMMENT.sub("", joined).strip()


def _long_name(word: str) -> str | None:
    """The option a ``--word`` names: its full name, or the one option whose name it starts, as optparse reads it."""
    name = word.partition("=")[0]
    if name in _LONG:
        return name
    found = [option for option in _LONG if option.startswith(name)]
    return found[0] if len(found) == 1 else None


def _options(line: str) -> Iterator[tuple[str, str | None]]:
    """The options of an option line (one starting with ``-``) that matter here, with their values."""
    try:
        words = shlex.split(line)
    except ValueError:  # an unbalanced quote: pip refuses the line; its words are still what it says
        words = line.split()
    index = 0
    while index < len(words):
        word, index = words[index], index + 1
        if word.startswith("--"):
            name = _long_name(word)
            takes_value = name is not None and (name in INCLUDE_OPTIONS or SOURCE_OPTIONS.get(name, False))
            value = None
            if takes_value and "=" in word:
                value = word.partition("=")[2]
            elif takes_value and index < len(words):
                value, index = words[index], index + 1
        elif word[:2] in SHORT:
            name = SHORT[word[:2]]
            value = word[2:] or None
            if value is None and index < len(words):
                value, index = words[index], index + 1
        else:
            continue
        if name is not None and (name in SOURCE_OPTIONS or name in INCLUDE_OPTIONS):
            yield name, value


def package_sources(roots: list[tuple[str, str, str]], read: Callable[[str], str | None]) -> tuple[PipOption, ...]:
    """The options of shipped requirements files that change where pip finds packages, in the order pip meets them.

    Args:
        roots: The files the container installs, each as (its name in the archive, the name to show, its text).
        read: The text of a file of the archive by its name, or None when the archive does not ship it.
    """
    found: list[PipOption] = []
    seen: set[str] = set()

    def scan(name: str, label: str, text: str) -> None:
        seen.add(name)
        folder = posixpath.dirname(name)
        for number, line in _logical_lines(text):
            if not line.startswith("-"):
                continue
            for option, value in _options(line):
                if option in SOURCE_OPTIONS or (value is not None and "://" in value):  # a file pip fetches:
                    found.append(PipOption(file=label, line=number, option=option, value=value))  # all of it counts
                elif value is not None:
                    included = posixpath.normpath(posixpath.join(folder, value))
                    if included not in seen and not included.startswith(("../", "/")) and included != "..":
                        more = read(included)
                        if more is not None:
                            scan(included, included, more)

    for name, label, text in roots:
        if name not in seen:
            scan(name, label, text)
    return tuple(found)
