"""Reading a job's results archive, which nothing vouches for.

``model.tar.gz`` is written by whatever ran in the job (the user's code and every
package it installed) and sits where others may write. So nothing here relies on
an interpreter feature (tarfile's extraction filter is absent on some Pythons we
support and has been bypassed on the others): tarfile only reads headers and
data; every decision and every write is made here.

``safe_extract``: the whole member list is read and checked against what it
would create before anything is written. Names stay inside the folder; each
path is made once, as one kind; links are resolved against the archive's own
members and kept only as copies of the regular file they lead to; only regular
files and folders are made, with modes 0o644/0o755 and no owners; the expanded
size and the member count are capped; the files are written into a fresh
staging folder next to the target (opened with no-follow and exclusive-create)
and moved into place only when everything succeeded.

``read_member``: one member's bytes (``results.json``), read straight from the
stream without extracting the rest; ``read_members``: every member, in memory
(``braketkit diff``), links described and never followed. Each reads the gzip
stream to its end, so a truncated archive or a bad checksum is reported, not ignored.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import shutil
import stat
import tarfile
import tempfile
import zlib
from pathlib import Path
from typing import IO, Any

import attrs

from ..errors import DamagedResults, InvalidInput, Problem, ResultsError, UnsafeArchive
from ..terminal import printable

__all__ = ["MAX_BYTES", "MAX_MEMBERS", "ArchiveMember", "check_folder", "folder_problem", "read_member", "read_members",
           "refuse_existing_target", "safe_extract", "size_text"]

MAX_BYTES = 10 * 1024**3
"""Cap on what an archive expands to (files, and the copies links become); ``max_bytes=`` overrides it."""
MAX_MEMBERS = 100_000
"""Cap on an archive's member count; ``max_members=`` overrides it."""
MAX_HEADER_BYTES = 1024**2
"""Cap on the headers of one member, all told: pax and GNU long-name headers, a sparse map (kilobytes at most)."""
MAX_NAME_BYTES = 4096
"""Longest member name or link target (Linux's PATH_MAX): a longer one could not be created anyway."""
MAX_PARTS = 256
"""Most components in a name or link target: folders 256 deep are no one's results, and checking is quadratic."""
MAX_PADDING = 1024**2
"""Zeros accepted after the end of the tar data (tar pads its last record: 10 KiB usually)."""
_CHUNK = 1024**2
_SHOWN = 3
"""Problems named in one refusal; the rest are counted."""
_QUOTED = 120
"""Characters of a name shown in a message."""
_LINK_STEPS = 50_000_000
"""Work following links may take in one archive: components walked, times the length of the paths looked up."""

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_WRITE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_READ = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


Path_ = tuple[str, ...]
"""A member's path inside the archive, as its components (none empty, ``.`` or ``..``)."""


def size_text(count: int) -> str:
    """Bytes for people, in binary units: ``10 GiB``, ``1.5 MiB``, ``12 bytes``."""
    value = float(count)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            if unit == "bytes":
                return f"{count} bytes"
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


# -- reading the stream -----------------------------------------------------------------------------------------


class _HeaderTooLarge(Exception):
    pass


class _Changed(Exception):
    """The archive read the second time is not the one read the first time."""


class _Stream:
    """The decompressed archive as tarfile reads it, with a budget for each member's headers.

    tarfile holds a member's headers in memory whole while it parses them: a pax or GNU long-name header,
    a chain of them, a sparse map (which it turns into a list of numbers). A gzip of a few kilobytes can
    make any of these gigabytes. While a member's headers are parsed (``mark`` is where they start), no
    read may go more than ``MAX_HEADER_BYTES`` past it. Data is read in chunks far below that.
    """

    def __init__(self, compressed: IO[bytes]) -> None:
        self.gzip = gzip.GzipFile(fileobj=compressed, mode="rb")
        self.last = (0, b"")
        """Where the latest read started, and what it gave: the block tarfile stopped at."""
        self.mark: int | None = 0
        """Where the headers being parsed start; None while member data is read."""

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            raise _HeaderTooLarge()
        if self.mark is not None and self.gzip.tell() + size - self.mark > MAX_HEADER_BYTES:
            raise _HeaderTooLarge()
        start = self.gzip.tell()
        data = self.gzip.read(size)
        self.last = (start, data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.gzip.seek(offset, whence)

    def tell(self) -> int:
        return self.gzip.tell()


def _open_tar(stream: _Stream) -> tarfile.TarFile:
    """A TarFile on the stream; it parses the first member's headers at once, under the budget."""
    stream.mark = 0
    opened: tarfile.TarFile = tarfile.open(  # type: ignore[call-overload]  # noqa: SIM115 - the caller closes it
        fileobj=stream, mode="r:", encoding="utf-8", errors="surrogateescape")
    stream.mark = None
    return opened


def _next(opened: tarfile.TarFile, stream: _Stream) -> tarfile.TarInfo | None:
    """The next member, its headers parsed under the budget; tarfile keeps no list of them (memory stays flat)."""
    stream.mark = opened.offset
    try:
        member = opened.next()
    finally:
        stream.mark = None
    opened.members.clear()  # type: ignore[attr-defined]  # nothing is looked up in it: links are resolved here
    return member


def _damage(error: BaseException, position: int) -> str:
    """What a reading error means, in words (``position``: how far the decompressed stream had got)."""
    text = printable(str(error))
    if isinstance(error, _Changed):
        return "the archive changed while it was read"
    if isinstance(error, _HeaderTooLarge):
        return f"a member's tar headers take more than {size_text(MAX_HEADER_BYTES)}"
    if isinstance(error, RecursionError):
        return "its tar headers are nested too deeply"
    if isinstance(error, EOFError) or "unexpected end of data" in text:
        return "the archive is truncated (its data ends early)"
    if isinstance(error, gzip.BadGzipFile) and text.startswith("Not a gzipped file"):
        return "it is not a gzip file" if position == 0 else "it has data after the end of its gzip stream"
    if isinstance(error, gzip.BadGzipFile) and ("CRC" in text or "length" in text):
        return "its gzip checksum does not match its data (the archive is damaged)"
    if isinstance(error, zlib.error) or "zlib" in text or isinstance(error, gzip.BadGzipFile):
        return f"its compressed data is damaged ({text})"
    if isinstance(error, tarfile.ReadError) and position <= tarfile.BLOCKSIZE:
        return "it is not a tar archive"
    return f"its tar data is damaged ({type(error).__name__}: {text})"


_READ_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error, ValueError, OverflowError, RecursionError,
                _HeaderTooLarge, _Changed)


def _finish(stream: _Stream, end: int, label: str, limit: int, suffix: str = "") -> None:
    """Read from ``end`` (where the tar data stopped) to the end of the gzip stream: zeros only, checksum checked.

    tarfile takes a damaged header for the end of the archive and never reads the gzip trailer; this does both.
    """
    start, block = stream.last
    if start == end and stream.tell() == end + len(block):
        pending = block  # the block tarfile stopped at, already read
    else:
        stream.seek(end)
        pending = b""
    position = end
    while True:
        if pending.strip(b"\0"):
            position += len(pending) - len(pending.lstrip(b"\0"))
            raise DamagedResults(f"cannot read {label}: its tar data is damaged at byte {position} "
                                 f"(something other than zeros follows the last member){suffix}")
        position += len(pending)
        if position - end > limit:
            raise DamagedResults(f"cannot read {label}: more than {size_text(limit)} follow the end of its tar "
                                 f"data{suffix}")
        pending = stream.gzip.read(_CHUNK)
        if not pending:
            return


def _drain(stream: _Stream, label: str, max_bytes: int) -> None:
    """Decompress the rest of the stream unread, so that its length and checksum are checked."""
    while stream.gzip.read(_CHUNK):
        if stream.tell() > max_bytes:
            raise UnsafeArchive(f"refusing to read {label}: it expands to more than {size_text(max_bytes)} "
                                "(the cap, max_bytes)")


# -- checking what the archive would create -----------------------------------------------------------------------


def _name_problem(name: str, link: bool = False) -> str | None:
    what = "its target" if link else "its name"
    if len(name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        return f"{what} is longer than {MAX_NAME_BYTES} bytes"
    if name.count("/") >= MAX_PARTS:
        return f"{what} has more than {MAX_PARTS} parts"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return f"{what} is not UTF-8"
    if not name:
        return f"{what} is empty"
    if "\\" in name:
        return f"{what} holds a backslash"
    if os.name == "nt" and ":" in name:  # pragma: no cover - a drive or an alternate data stream on Windows
        return f"{what} holds a colon"
    if name.startswith("/"):
        return f"{what} is an absolute path"
    return None


def _parts(name: str) -> Path_:
    return tuple(part for part in name.split("/") if part not in ("", "."))


def _quote(name: str) -> str:
    """A name as messages show it: quoted, and cut short when long."""
    return repr(name if len(name) <= _QUOTED else name[:_QUOTED] + "…")


def _show(path: Path_) -> str:
    return _quote("/".join(path))


_KINDS = {"file": "a file", "dir": "a folder", "symlink": "a link", "hardlink": "a hard link"}


@attrs.define
class _Entry:
    """What one member would create, kept small: the archive's TarInfo objects are not kept."""

    index: int
    name: str
    path: Path_
    kind: str  # file, dir, symlink, hardlink
    named: bool = True
    """False for a folder no member names, only its contents."""
    link: str = ""
    size: int = 0
    mode: int = 0o644
    mtime: float | None = None


def _kind(member: tarfile.TarInfo) -> str | None:
    if member.isreg():
        return "file"
    if member.isdir():
        return "dir"
    if member.issym():
        return "symlink"
    if member.islnk():
        return "hardlink"
    return None


def _skips_data(member: tarfile.TarInfo) -> bool:
    """Whether the member's data follows it in the stream: a regular file, or a type tarfile does not know."""
    return member.isreg() or not (member.isdir() or member.issym() or member.islnk() or member.ischr()
                                  or member.isblk() or member.isfifo())


def _refusal(member: tarfile.TarInfo) -> str:
    if member.ischr():
        return "it is a character device"
    if member.isblk():
        return "it is a block device"
    if member.isfifo():
        return "it is a FIFO"
    return f"it is of a type braketkit does not create ({member.type.decode('latin-1')!r})"


@attrs.frozen
class _Fault:
    """Why a link cannot be kept, and which link it is (the one followed, or one it leads to)."""

    path: Path_
    reason: str


_FOLDER_LINK = "a folder (links are kept only to files, as copies)"


@attrs.define
class _Survey:
    """The archive's members as braketkit would create them, and every reason not to."""

    label: str
    max_bytes: int
    max_members: int
    entries: dict[Path_, _Entry] = attrs.field(factory=dict)
    order: list[_Entry] = attrs.field(factory=list)
    problems: list[tuple[int, str]] = attrs.field(factory=list)
    """Each with the position of its member, so that they are named in the archive's order."""
    count: int = 0
    implied: int = 0
    """Folders made only because members are inside them."""
    size: int = 0
    memo: dict[Path_, Path_ | _Fault] = attrs.field(factory=dict)
    steps: int = 0
    """Link-target components walked so far, all links together."""

    def problem(self, name: str, reason: str, index: int | None = None) -> None:
        self.problems.append((self.count if index is None else index, f"{_quote(name)}: {reason}"))

    def add(self, member: tarfile.TarInfo) -> None:
        self.count += 1
        if self.count > self.max_members:
            raise UnsafeArchive(f"refusing to extract {self.label}: it has more than {self.max_members:,} members "
                                "(the cap, max_members); nothing was extracted")
        kind = _kind(member)
        if _skips_data(member):  # data tarfile reads past: what it expands to, whatever becomes of it
            self.size += member.size
            if self.size > self.max_bytes:
                raise self.too_large()
        if kind is None:
            self.problem(member.name, _refusal(member))
            return
        problem = _name_problem(member.name)
        path = _parts(member.name)
        if problem is None and ".." in member.name.split("/"):
            problem = "its name holds '..'"
        if problem is not None:
            self.problem(member.name, problem)
            return
        if not path:
            if kind != "dir":
                self.problem(member.name, f"it names the folder itself, as {_KINDS[kind]}")
            return
        missing = []  # the folders above it not met yet; one met already had its own checked when it was
        for depth in range(len(path) - 1, 0, -1):
            above = self.entries.get(path[:depth])
            if above is None:
                missing.append(path[:depth])
                continue
            if above.kind != "dir":
                self.problem(member.name, f"it is inside {_show(above.path)}, which is {_KINDS[above.kind]}")
                return
            break
        self.implied += len(missing)
        if self.implied > self.max_members:
            raise UnsafeArchive(f"refusing to extract {self.label}: its names imply more than {self.max_members:,} "
                                "folders (the cap, max_members); nothing was extracted")
        for folder in reversed(missing):  # parents first
            self.entries[folder] = _Entry(self.count, member.name, folder, "dir", named=False)
        entry = _Entry(self.count, member.name, path, kind, link=member.linkname, size=member.size,
                       mode=0o755 if member.mode & 0o111 else 0o644, mtime=member.mtime)
        earlier = self.entries.get(path)
        if earlier is not None and kind == "dir" == earlier.kind:
            if not earlier.named:  # a folder met first as a parent, now named itself
                self.entries[path] = attrs.evolve(entry, index=earlier.index)
                self.order.append(entry)
            return
        if earlier is not None:
            kinds = {earlier.kind, kind}
            self.problem(member.name, "it appears twice" if len(kinds) == 1 else
                         f"it is both {_KINDS[earlier.kind]} and {_KINDS[kind]}")
            return
        self.entries[path] = entry
        self.order.append(entry)

    def too_large(self) -> UnsafeArchive:
        return UnsafeArchive(f"refusing to extract {self.label}: it expands to more than "
                             f"{size_text(self.max_bytes)} (the cap, max_bytes); nothing was extracted")

    def source(self, entry: _Entry) -> Path_ | str:
        """The regular file a link leads to, followed through the archive's own members; or why it cannot be kept."""
        found = self._resolve(entry)
        if not isinstance(found, _Fault):
            return found
        return found.reason if found.path == entry.path else \
            f"{self._says(entry)}, and {_show(found.path)}: {found.reason}"

    @staticmethod
    def _says(entry: _Entry) -> str:
        return f"it {'hard-links' if entry.kind == 'hardlink' else 'links'} to {_quote(entry.link)}"

    def _resolve(self, entry: _Entry) -> Path_ | _Fault:
        """Follow a chain of links to its end, one link at a time; every link on it is followed once (``memo``).

        A link met again on the same chain is a loop. No recursion: a chain may be as long as the archive.
        """
        chain: list[_Entry] = []
        on_chain: set[Path_] = set()
        current = entry
        while True:
            if current.path in self.memo:
                found = self.memo[current.path]
                break
            if current.path in on_chain:
                found = _Fault(current.path, "its links go round in a loop")
                break
            chain.append(current)
            on_chain.add(current.path)
            step = self._follow(current)
            if not isinstance(step, _Entry):
                found = step
                break
            current = step
        for link in chain:
            self.memo[link.path] = found
        return found

    def _follow(self, entry: _Entry) -> Path_ | _Fault | _Entry:
        """One link: the file it leads to, the next link of its chain, or why it cannot be kept."""
        target, says = entry.link, self._says(entry)
        problem = _name_problem(target, link=True)
        if entry.kind == "hardlink":
            if problem is None and ".." in target.split("/"):
                problem = "its target holds '..'"
            if problem is not None:
                return _Fault(entry.path, f"{says}: {problem}")
            found = self.entries.get(_parts(target))
            if found is None or found.index >= entry.index:
                return _Fault(entry.path, f"{says}, which is not an earlier member")
            return self._lead(entry, found, says)
        if problem is not None:
            return _Fault(entry.path, f"{says}: {problem}")
        where = list(entry.path[:-1])
        steps = _parts(target)
        self.steps += len(steps) * (len(entry.path) + len(steps))  # each step looks up a path this long at most
        if self.steps > _LINK_STEPS:
            raise UnsafeArchive(f"refusing to extract {self.label}: its links take more than {_LINK_STEPS:,} steps "
                                "to follow; nothing was extracted")
        for step, part in enumerate(steps):
            if part == "..":
                if not where:
                    return _Fault(entry.path, f"{says}, outside the folder")
                where.pop()
                continue
            where.append(part)
            if step < len(steps) - 1 and (tuple(where) not in self.entries or
                                          self.entries[tuple(where)].kind != "dir"):
                through = self.entries.get(tuple(where))
                return _Fault(entry.path, f"{says}, through {_show(tuple(where))}, which is "
                                          f"{_KINDS[through.kind] if through else 'not in the archive'}")
        if not where:
            return _Fault(entry.path, f"{says}, {_FOLDER_LINK}")
        found = self.entries.get(tuple(where))
        if found is None:
            return _Fault(entry.path, f"{says}, which is not in the archive")
        return self._lead(entry, found, says)

    @staticmethod
    def _lead(entry: _Entry, found: _Entry, says: str) -> Path_ | _Fault | _Entry:
        if found.kind == "dir":
            return _Fault(entry.path, f"{says}, {_FOLDER_LINK}")
        return found.path if found.kind == "file" else found


@attrs.frozen
class _Plan:
    folders: list[Path_]
    files: dict[int, _Entry]
    """By position in the archive."""
    copies: list[tuple[Path_, _Entry]]
    size: int


def _plan(survey: _Survey) -> _Plan:
    copies = []
    for entry in survey.order:
        if entry.kind in ("symlink", "hardlink"):
            source = survey.source(entry)
            if isinstance(source, str):
                survey.problem(entry.name, source, entry.index)
                continue
            copies.append((entry.path, survey.entries[source]))
            survey.size += survey.entries[source].size
    if survey.problems:
        problems = [text for _, text in sorted(survey.problems, key=lambda problem: problem[0])]
        more = len(problems) - _SHOWN
        shown = "; ".join(problems[:_SHOWN]) + (f"; and {more} more" if more > 0 else "")
        raise UnsafeArchive(f"refusing to extract {survey.label}: {shown}; nothing was extracted")
    if survey.size > survey.max_bytes:
        raise survey.too_large()
    folders = [path for path, entry in survey.entries.items() if entry.kind == "dir"]
    files = {entry.index: entry for entry in survey.order if entry.kind == "file"}
    return _Plan(folders, files, copies, survey.size)


def _survey(opened: tarfile.TarFile, stream: _Stream, survey: _Survey) -> _Plan:
    while (member := _next(opened, stream)) is not None:
        survey.add(member)
    _finish(stream, opened.offset, survey.label, MAX_PADDING, "; nothing was extracted")
    return _plan(survey)


# -- writing -----------------------------------------------------------------------------------------------------


def _write_file(path: Path, mode: int, chunks: Any, expected: int, mtime: float | None) -> None:
    descriptor = os.open(path, _WRITE, mode)
    with open(descriptor, "wb") as out:
        written = 0
        while chunk := chunks(_CHUNK):
            written += len(chunk)
            out.write(chunk)
        if written != expected:
            raise tarfile.ReadError("unexpected end of data")
        if mtime is not None and os.utime in os.supports_fd:
            out.flush()
            with contextlib.suppress(OSError, OverflowError, ValueError):
                os.utime(out.fileno(), (mtime, mtime))


def _write(compressed: IO[bytes], plan: _Plan, staging: Path) -> None:
    """Read the archive again from its start, writing the planned files; then the copies links become."""
    for folder in plan.folders:  # parents before children: the survey met them in that order
        os.mkdir(staging.joinpath(*folder), 0o755)
    compressed.seek(0)
    stream = _Stream(compressed)
    index, last = 0, max(plan.files, default=0)
    with _open_tar(stream) as opened:
        while index < last and (member := _next(opened, stream)) is not None:
            index += 1
            entry = plan.files.get(index)
            if entry is None:
                continue
            if _parts(member.name) != entry.path or member.size != entry.size:
                raise _Changed()
            data = opened.extractfile(member)
            assert data is not None
            with data:
                _write_file(staging.joinpath(*entry.path), entry.mode, data.read, entry.size, entry.mtime)
    for path, source in plan.copies:
        with open(os.open(staging.joinpath(*source.path), _READ), "rb") as copied:
            _write_file(staging.joinpath(*path), source.mode, copied.read, source.size, None)


def _existing(path: Path) -> Path:
    while not os.path.exists(path):  # False for a name the system cannot even look up (too long): made, or said
        path = path.parent
    return path


def folder_problem(folder: Path) -> str | None:
    """Why nothing can be extracted into ``folder`` or a folder made in it: the nearest part of it that exists is no
    folder (a file, or a link to nothing). None when nothing is found against it; making the folder may still fail,
    and then says why (``cannot extract ... into ...``), never that the archive is damaged."""
    for part in (folder, *folder.parents):
        try:
            status = os.stat(part)  # a link to a folder is a folder
        except FileNotFoundError:
            if os.path.islink(part):
                return f"{part} is a link to nothing, not a folder"
            continue
        except OSError:
            continue  # a file further up (ENOTDIR), a name too long: found there, or when the folder is made
        if stat.S_ISDIR(status.st_mode):
            return None
        return f"{part} is {'a file' if stat.S_ISREG(status.st_mode) else 'no folder'}, not a folder"
    return None


def check_folder(folder: Path, key: str) -> None:
    """InvalidInput if ``folder``, given to extract into (``key`` names the argument), can be no folder
    (``folder_problem``): said before anything is downloaded, from Python and the command line alike."""
    problem = folder_problem(folder)
    if problem is not None:
        raise InvalidInput([Problem(f"cannot extract into {folder}: {problem}", key)])


def refuse_existing_target(target: Path, label: str) -> None:
    """ResultsError if ``target`` exists and is not an empty folder (extraction never writes into one), or cannot
    be made because a part of it is no folder (``folder_problem``)."""
    if os.path.lexists(target) and not (target.is_dir() and not target.is_symlink() and not any(target.iterdir())):
        raise ResultsError(f"refusing to extract {label}: {target} already exists; remove it, or choose another "
                           "folder; nothing was extracted")
    problem = folder_problem(target.parent)
    if problem is not None:
        raise ResultsError(f"cannot extract {label} into {target}: {problem}; nothing was extracted")


def safe_extract(archive: Path, target: Path, *, label: str | None = None, max_bytes: int | None = None,
                 max_members: int | None = None) -> list[str]:
    """Extract ``archive`` into ``target`` (which must not exist, or be empty), all or nothing; return the names.

    ``label`` names the archive in messages (default: its file name). The caps default to ``MAX_BYTES``
    and ``MAX_MEMBERS``, read at each call.
    """
    label = label or archive.name
    survey = _Survey(label, MAX_BYTES if max_bytes is None else max_bytes,
                     MAX_MEMBERS if max_members is None else max_members)
    refuse_existing_target(target, label)
    with open(archive, "rb") as compressed:
        stream = _Stream(compressed)
        try:
            with _open_tar(stream) as opened:
                plan = _survey(opened, stream, survey)
        except _READ_ERRORS as error:
            raise DamagedResults(f"cannot read {label}: {_damage(error, stream.tell())}; nothing was "
                                 "extracted") from error
        free = shutil.disk_usage(_existing(target.parent)).free
        if plan.size > free:
            raise ResultsError(f"refusing to extract {label}: it expands to {size_text(plan.size)}, but "
                               f"{_existing(target.parent)} has only {size_text(free)} free; nothing was extracted")
        try:
            _place(compressed, plan, target, label)
        except _READ_ERRORS as error:  # the stream was read whole a moment ago: the file changed meanwhile
            raise DamagedResults(f"cannot read {label}: {_damage(error, -1)}; nothing was extracted") from error
    return ["/".join(entry.path) for entry in survey.order]


def _place(compressed: IO[bytes], plan: _Plan, target: Path, label: str) -> None:
    """Write into a fresh staging folder beside ``target``, then move it into place; on any failure, remove it all.

    The staging folder sits in a private one (mode 0o700, from mkdtemp), so nobody else can reach it while it is
    written, and is itself made like any folder (0o755 under the umask).
    """
    made: list[Path] = []
    parent = target.parent
    while not os.path.exists(parent):
        made.append(parent)
        parent = parent.parent
    holder: Path | None = None
    try:
        try:
            for folder in reversed(made):
                os.mkdir(folder)
            holder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
        except OSError as error:  # the folder here, not the archive: said as such, never as damaged data
            raise ResultsError(f"cannot extract {label} into {target}: {error.strerror or error}; nothing was "
                               "extracted") from error
        staging = holder / "staging"
        try:
            os.mkdir(staging, 0o755)
            _write(compressed, plan, staging)
        except FileExistsError as error:
            name = os.path.relpath(str(error.filename), staging) if error.filename else "a member"
            raise UnsafeArchive(f"refusing to extract {label}: {name!r} collides with another member on this file "
                                "system (names that differ only in case?); nothing was extracted") from error
        except OSError as error:
            raise ResultsError(f"cannot extract {label} into {target}: {error.strerror or error}; nothing was "
                               "extracted") from error
        refuse_existing_target(target, label)
        try:
            os.replace(staging, target)
        except OSError as error:
            raise ResultsError(f"cannot extract {label} into {target}: {error.strerror or error}; nothing was "
                               "extracted") from error
    finally:
        if holder is not None:
            shutil.rmtree(holder, ignore_errors=True)
        if not os.path.exists(target):
            for folder in made:  # deepest first; each only if still empty
                with contextlib.suppress(OSError):
                    folder.rmdir()


def read_member(archive: Path, name: str, *, label: str | None = None, max_size: int,
                max_bytes: int | None = None, max_members: int | None = None) -> bytes | None:
    """The bytes of the regular file ``name`` in ``archive`` (None if it holds none), nothing extracted.

    Members are read up to ``name``; the rest of the gzip stream is decompressed unread, so that a
    truncated or damaged archive is still reported. ``max_size`` caps the member itself.
    """
    label = label or archive.name
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    max_members = MAX_MEMBERS if max_members is None else max_members
    wanted = _parts(name)
    with open(archive, "rb") as compressed:
        stream = _Stream(compressed)
        try:
            with _open_tar(stream) as opened:
                count = size = 0
                while (member := _next(opened, stream)) is not None:
                    count += 1
                    if count > max_members:
                        raise UnsafeArchive(f"refusing to read {label}: it has more than {max_members:,} members "
                                            "before its " + name + " (the cap, max_members)")
                    size += member.size if _skips_data(member) else 0
                    if size > max_bytes:
                        raise UnsafeArchive(f"refusing to read {label}: it expands to more than "
                                            f"{size_text(max_bytes)} (the cap, max_bytes)")
                    if _parts(member.name) != wanted:
                        continue
                    if not member.isreg():
                        kind = _kind(member)
                        raise DamagedResults(f"cannot read {label}: its {name} is "
                                             f"{_KINDS[kind] if kind else 'not a regular file'}, not a file")
                    if member.size > max_size:
                        raise UnsafeArchive(f"refusing to read {label}: its {name} is larger than "
                                            f"{size_text(max_size)} (the cap)")
                    data = opened.extractfile(member)
                    assert data is not None
                    with data:
                        chunks = []
                        while chunk := data.read(_CHUNK):
                            chunks.append(chunk)
                    _drain(stream, label, max_bytes)
                    return b"".join(chunks)
                _finish(stream, opened.offset, label, MAX_PADDING)
                return None
        except _READ_ERRORS as error:
            raise DamagedResults(f"cannot read {label}: {_damage(error, stream.tell())}") from error


@attrs.frozen(kw_only=True)
class ArchiveMember:
    """One member of an archive as ``read_members`` read it, in memory; nothing of it was written anywhere.

    Attributes:
        name: Its path in the archive, ``/``-separated, without ``./`` or a trailing ``/``.
        kind: ``file``, ``dir``, ``symlink``, ``hardlink``, or ``other`` (a device, a FIFO, a type unknown).
        size: Its size in bytes (a file's).
        sha256: A file's SHA-256; None for the other kinds.
        data: A file's bytes when it was kept (see ``read_members``); None otherwise.
        link: Where a link points, as the archive says (never followed).
    """

    name: str
    kind: str
    size: int = 0
    sha256: str | None = None
    data: bytes | None = None
    link: str = ""


def read_members(archive: Path, *, label: str | None = None, max_size: int, max_kept: int,
                 max_bytes: int | None = None, max_members: int | None = None) -> dict[str, ArchiveMember]:
    """Every member of ``archive`` by name, read in memory: nothing is extracted, no link is followed.

    Each file is hashed; its bytes are kept when it is at most ``max_size`` and the bytes kept so far leave room
    for it under ``max_kept``. A name met twice is the later member, as extraction would leave it. The archive's
    expanded size and member count are capped as for extraction (``max_bytes``, ``max_members``).
    """
    label = label or archive.name
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    max_members = MAX_MEMBERS if max_members is None else max_members
    found: dict[str, ArchiveMember] = {}
    with open(archive, "rb") as compressed:
        stream = _Stream(compressed)
        try:
            with _open_tar(stream) as opened:
                count = size = kept = 0
                while (member := _next(opened, stream)) is not None:
                    count += 1
                    if count > max_members:
                        raise UnsafeArchive(f"refusing to read {label}: it has more than {max_members:,} members "
                                            "(the cap, max_members)")
                    size += member.size if _skips_data(member) else 0
                    if size > max_bytes:
                        raise UnsafeArchive(f"refusing to read {label}: it expands to more than "
                                            f"{size_text(max_bytes)} (the cap, max_bytes)")
                    name = "/".join(_parts(member.name))
                    if not name:
                        continue  # the archive's own folder
                    kind = _kind(member) or "other"
                    if kind != "file":
                        found[name] = ArchiveMember(name=name, kind=kind, link=member.linkname)
                        continue
                    digest, chunks = hashlib.sha256(), []
                    keep = member.size <= max_size and kept + member.size <= max_kept
                    data = opened.extractfile(member)
                    assert data is not None
                    with data:
                        while chunk := data.read(_CHUNK):
                            digest.update(chunk)
                            if keep:
                                chunks.append(chunk)
                    kept += member.size if keep else 0
                    found[name] = ArchiveMember(name=name, kind=kind, size=member.size, sha256=digest.hexdigest(),
                                                data=b"".join(chunks) if keep else None)
                _finish(stream, opened.offset, label, MAX_PADDING)
        except _READ_ERRORS as error:
            raise DamagedResults(f"cannot read {label}: {_damage(error, stream.tell())}") from error
    return found
