"""Safe extraction of a results archive: nothing lands outside the target folder.

Every member is checked before anything is written: no absolute names, no
``..``, no device or FIFO files, and no symbolic or hard link whose target
leaves the folder. An archive with any such member is refused whole.
"""

from __future__ import annotations

import posixpath
import tarfile
from pathlib import Path

from ..errors import BraketkitError

__all__ = ["UnsafeArchive", "safe_extract"]


class UnsafeArchive(BraketkitError):
    """A results archive tried to write outside its folder; nothing was extracted."""


def _inside(path: str) -> bool:
    normal = posixpath.normpath(path)
    return not (posixpath.isabs(path) or normal == ".." or normal.startswith("../") or path.startswith("\\"))


def _problem(member: tarfile.TarInfo) -> str | None:
    if not _inside(member.name):
        return "its name leaves the folder"
    if member.isdev() or member.isfifo():
        return "it is a device or FIFO"
    if member.issym() and not _inside(posixpath.join(posixpath.dirname(member.name), member.linkname)):
        return f"it links to {member.linkname}, outside the folder"
    if member.islnk() and not _inside(member.linkname):
        return f"it hard-links to {member.linkname}, outside the folder"
    return None


def safe_extract(archive: Path, target: Path) -> list[str]:
    """Extract ``archive`` into ``target`` after checking every member; return the member names."""
    with tarfile.open(archive, "r:*") as opened:
        members = opened.getmembers()
        unsafe = [f"{member.name!r} ({reason})" for member in members if (reason := _problem(member))]
        if unsafe:
            raise UnsafeArchive(f"refusing to extract {archive.name}: " + "; ".join(unsafe)
                                + "; nothing was extracted")
        target.mkdir(parents=True, exist_ok=True)
        if hasattr(tarfile, "data_filter"):
            opened.extractall(target, members=members, filter="data")
        else:  # pragma: no cover - Python before 3.10.12 / 3.11.4: the checks above stand alone
            opened.extractall(target, members=members)
    return [member.name for member in members]
