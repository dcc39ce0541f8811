"""A deterministic gzip tar: equal trees give equal bytes, on any machine.

Entries are sorted and normalised (mtime, owner, mode); the gzip header holds
no name or time. Deflate runs on every core, pigz-style: the tar stream is cut
into fixed 1 MiB blocks, each compressed alone and ended with a sync flush, so
the output does not depend on how many threads did the work.

Each file is opened without blocking (a FIFO is never read) and read exactly as
long as it was when opened: a file that shrinks, grows or changes meanwhile
stops the packing with its name, rather than shipping a torn copy.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zlib
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

import attrs

from ..errors import InvalidInput, Problem
from .select import NotRegularFile, SourceFile, exclude_hint, open_regular, shown

if TYPE_CHECKING:
    import tarfile
    from concurrent.futures import Future

__all__ = ["Member", "Watcher", "write_archive"]

FIXED_MTIME = 315532800  # 1980-01-01, the zip epoch: old enough, and valid everywhere
BLOCK = 1 << 20
LEVEL = 6
_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, mtime 0, OS "unknown"


@attrs.frozen
class Member:
    """An archive entry: a file on disk or bytes made by braketkit."""

    name: str
    source: Path | bytes
    executable: bool = False


def _deflate(block: bytes, final: bool) -> bytes:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(block) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)


class Watcher(Protocol):
    """Reads an entry's bytes as they are packed (``secrets.Scan``): every block, in order, then ``close``."""

    def feed(self, data: bytes) -> None: ...

    def close(self) -> None: ...


class _ParallelGzip(io.RawIOBase):
    """A write-only gzip stream whose deflate work runs in a thread pool."""

    def __init__(self, out: IO[bytes], workers: int) -> None:
        from concurrent.futures import ThreadPoolExecutor  # threads (and logging) only when an archive is written

        self._out = out
        self._pool = ThreadPoolExecutor(max_workers=workers)
        self._window = 2 * workers
        self._inflight: deque[Future[bytes]] = deque()
        self._pending = bytearray()
        self._crc = 0
        self._size = 0
        out.write(_HEADER)

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._size

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        self._pending += data
        while len(self._pending) >= BLOCK:
            self._submit(bytes(self._pending[:BLOCK]), final=False)
            del self._pending[:BLOCK]
        return len(data)

    def _submit(self, block: bytes, final: bool) -> None:
        self._inflight.append(self._pool.submit(_deflate, block, final))
        while len(self._inflight) > (0 if final else self._window):
            self._out.write(self._inflight.popleft().result())

    def finish(self) -> None:
        self._submit(bytes(self._pending), final=True)
        self._out.write(struct.pack("<II", self._crc & 0xFFFFFFFF, self._size & 0xFFFFFFFF))
        self._pool.shutdown()


class _Hashing(io.RawIOBase):
    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.sha256.update(data)
        self.size += len(data)
        return self._out.write(data)


def _info(name: str, size: int, executable: bool) -> tarfile.TarInfo:
    import tarfile  # with the threads, only when an archive is written: a replan of an unchanged tree never is

    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = FIXED_MTIME
    info.mode = 0o755 if executable else 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


class _Changed(Exception):
    """The file being packed is not the file that was opened."""


class _Reader:
    """A file's bytes for tarfile, exactly ``size`` of them, each block shown to ``watcher`` as it is read."""

    def __init__(self, handle: io.FileIO, watcher: Watcher | None) -> None:
        self._handle = handle
        self._watcher = watcher

    def read(self, count: int = -1, /) -> bytes:
        if count < 0:  # pragma: no cover - tarfile always asks for a count
            return self._handle.readall()
        data = self._handle.read(count) or b""
        while len(data) < count:  # a regular file reads short only at its end: it shrank
            more = self._handle.read(count - len(data))
            if not more:
                raise _Changed
            data += more
        if self._watcher is not None:
            self._watcher.feed(data)
        return data


def _refusal(entry: Member, path: Path, what: str) -> InvalidInput:
    hint = exclude_hint(entry.name, False)
    return InvalidInput([Problem(f"{what}; wait until whatever writes it has finished and plan again, or add "
                                 f"{hint!r} to exclude", origin=shown(path))])


def _add_file(tar: tarfile.TarFile, entry: Member, path: Path, watcher: Watcher | None) -> None:
    try:
        handle = open_regular(path)
    except (FileNotFoundError, NotRegularFile):
        raise _refusal(entry, path, "changed while the source was being packed (it is gone, or no longer a file)") \
            from None
    except OSError as error:
        hint = exclude_hint(entry.name, False)
        message = f"cannot read: {error.strerror}; make it readable, or add {hint!r} to exclude"
        raise InvalidInput([Problem(message, origin=shown(path))]) from None
    with handle:
        before = os.fstat(handle.fileno())
        try:
            tar.addfile(_info(entry.name, before.st_size, entry.executable), _Reader(handle, watcher))
        except _Changed:
            after = os.fstat(handle.fileno())
            raise _refusal(entry, path, f"shrank while it was being packed ({before.st_size} bytes, then "
                                        f"{after.st_size})") from None
        after = os.fstat(handle.fileno())
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        size = f" ({before.st_size} bytes, then {after.st_size})" if after.st_size != before.st_size else ""
        raise _refusal(entry, path, f"changed while it was being packed{size}")


def members(files: Iterable[SourceFile]) -> list[Member]:
    return [Member(file.name, file.path, file.executable) for file in files]


def write_archive(entries: Iterable[Member], destination: IO[bytes], workers: int | None = None,
                  watch: Callable[[str], Watcher | None] | None = None) -> tuple[str, int]:
    """Write the sorted entries as tar.gz; return its SHA-256 and size in bytes.

    ``watch(name)`` gives what reads an entry's bytes as they are packed (None: nothing does): so the
    archive's files are read once, for the archive and for whatever looks at them.
    """
    import tarfile

    hashing = _Hashing(destination)
    gzip_stream = _ParallelGzip(hashing, workers or os.cpu_count() or 1)  # type: ignore[arg-type]
    with tarfile.open(fileobj=gzip_stream, mode="w", format=tarfile.PAX_FORMAT, copybufsize=BLOCK) as tar:  # type: ignore[call-overload]
        for entry in sorted(entries, key=lambda member: member.name):
            watcher = watch(entry.name) if watch is not None else None
            if isinstance(entry.source, bytes):
                tar.addfile(_info(entry.name, len(entry.source), entry.executable), io.BytesIO(entry.source))
                if watcher is not None:
                    watcher.feed(entry.source)
            else:
                _add_file(tar, entry, entry.source, watcher)
            if watcher is not None:
                watcher.close()
    gzip_stream.finish()
    return hashing.sha256.hexdigest(), hashing.size
