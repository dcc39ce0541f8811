"""Archives built before, found again by a new process without reading or compressing a byte.

An archive is named by the SHA-256 of its bytes, which takes reading every file
to know. The index maps what one stat pass knows — each chosen file's name,
size, mode, modification and change times and inode; braketkit's own members;
the selection settings — to the archive built from it, one small JSON file per
tree state in ``<cache>/index/``.

An edit changes a file's change time, which no tool can set back, so an edited
tree never finds an old entry. A file changed less than ``RACY_NS`` before the
walk could change again within the same timestamp tick unseen, so such a tree
is not indexed (git's "racily clean" rule); its next plan indexes it. An entry
that does not parse, or whose archive is gone or no longer the file it
recorded (size, modification time), is ignored. Size and time are all a lookup
checks, so an archive altered in place with both kept is found; S3 refuses its
bytes at upload (they are not the SHA-256 its name says), and the submission
drops it (``forget``) and packs the tree again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

import attrs

from .archive import Member
from .select import SourceFile

__all__ = ["RACY_NS", "Entry", "fingerprint", "forget", "look_up", "remember", "settled"]

FORMAT = "braketkit-archive-index-1"
"""Part of every fingerprint: a new way of writing archives starts a new index."""
RACY_NS = 2_000_000_000
"""Timestamp ticks are coarse (milliseconds on Linux, two seconds on FAT): younger changes are not trusted."""


@attrs.frozen(kw_only=True)
class Entry:
    """The archive a tree state was packed into, and what looked like secrets inside it."""

    sha256: str
    size: int
    files: int
    source_bytes: int
    archive_mtime_ns: int
    secrets: dict[str, str]


def fingerprint(root: Path, files: Sequence[SourceFile], extra: Sequence[Member], selection: Sequence[str]) -> str:
    """What the archive of ``files`` depends on, from their stat alone (taken once, by the walk)."""
    digest = hashlib.sha256(f"{FORMAT}\0{os.fsdecode(root)}\0".encode(errors="surrogateescape"))
    digest.update(json.dumps(list(selection)).encode())
    for file in files:
        modified, changed, inode = file.changed
        digest.update(f"\n{file.name}\0{file.size}\0{file.executable}\0{modified}\0{changed}\0{inode}".encode())
    for member in extra:
        source = member.source if isinstance(member.source, bytes) else member.source.read_bytes()
        digest.update(b"\n" + member.name.encode() + b"\0" + hashlib.sha256(source).digest())
    return digest.hexdigest()


def settled(files: Sequence[SourceFile], walked_at_ns: int) -> bool:
    """Every file changed long enough before the walk that a later change cannot share its timestamp."""
    return all(max(file.changed[0], file.changed[1]) < walked_at_ns - RACY_NS for file in files)


def _path(cache: Path, key: str) -> Path:
    return cache / "index" / f"{key}.json"


def look_up(cache: Path, key: str) -> Entry | None:
    """The entry for ``key`` whose archive is still the file it recorded; None for anything else."""
    from ..converter import converter

    try:
        data = json.loads(_path(cache, key).read_bytes())
        entry = converter.structure_attrs_fromdict(data, attrs.resolve_types(Entry))  # field by field: no code made
        info = (cache / f"{entry.sha256}.tar.gz").stat()
    except Exception:  # missing, unreadable, torn or foreign: a cache miss, never an error
        return None
    if info.st_size != entry.size or info.st_mtime_ns != entry.archive_mtime_ns:
        return None
    return entry


def remember(cache: Path, key: str, entry: Entry) -> None:
    """Write the entry whole or not at all (a reader never sees half of one); a full disk only costs the cache."""
    import tempfile

    from ..converter import converter

    folder = cache / "index"
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile("w", dir=folder, prefix=".partial-", suffix=".json",  # noqa: SIM115
                                             delete=False, encoding="utf-8")
        try:
            with handle:
                json.dump(converter.unstructure(entry), handle)
            os.replace(handle.name, _path(cache, key))
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise


def forget(cache: Path, sha256: str) -> None:
    """Drop the archive named ``sha256``: every index entry naming it is a miss from now on, so the next packing
    of its tree writes it anew."""
    with contextlib.suppress(OSError):
        (cache / f"{sha256}.tar.gz").unlink(missing_ok=True)
