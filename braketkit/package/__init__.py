"""Stage 2, package: the source archive and the local input channels.

Both are content-addressed: the archive by the SHA-256 of its (deterministic)
bytes, a channel by the digest of its files' names and contents, so S3 keys
change exactly when content does.

An archive is written to ``.partial-<host>-<pid>-...`` and renamed when complete;
the partial files a killed packing leaves behind are removed by the next one.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

import attrs

from ..errors import InvalidInput, Problem
from ..places import display_path
from ..runtime.contract import JOB_MODULE
from ..workspace import make_folder
from . import cache as index
from . import secrets
from .archive import Member, members, write_archive
from .gitignore import last_match, parse
from .requirements import PipOption, package_sources
from .select import SourceFile, exclude_hint, open_regular, select_files, shown

__all__ = ["RUNTIME_PACKAGE", "InputChannel", "InputFile", "Packing", "SourceArchive", "channel_digest",
           "collect_channel", "file_digest", "is_runtime_member", "package_source", "repack"]

RUNTIME_PACKAGE = "braketkit_runtime"
WARN_BYTES = 50 * 1000 * 1000
MAX_REQUIREMENTS_BYTES = 1000 * 1000
"""A requirements file is a list of packages: a megabyte is far beyond any real one, and keeps one out of memory."""
STALE_PARTIAL_SECONDS = 15 * 60
"""A partial archive untouched this long is abandoned, whoever wrote it (a live writer writes every moment)."""
_RUNTIME_FOLDER = Path(__file__).resolve().parent.parent / "runtime"


@attrs.frozen(kw_only=True)
class Packing:
    """What an archive was packed from, as ``package_source`` was given it: enough to pack it again (``repack``)."""

    root: Path
    exclude: tuple[str, ...]
    include: tuple[str, ...]
    dependencies: str | tuple[str, ...] | None
    dependencies_origin: str
    max_source_mb: int
    max_origin: str
    cache: Path
    generated: tuple[Member, ...]
    within: str


@attrs.frozen(kw_only=True)
class SourceArchive:
    path: Path
    sha256: str
    size: int
    files: int
    source_bytes: int
    warnings: list[str]
    sources: tuple[str, ...] = ()
    """The project files it ships, by their names relative to the source folder, sorted: what provenance compares
    with what git tracks. Not braketkit's own members (its runtime, a generated ``__main__`` module, a
    requirements.txt made from a ``dependencies`` list); a requirements file ``dependencies`` names is, by its own
    name."""
    package_sources: tuple[PipOption, ...] = ()
    """The lines of the requirements files the job installs that change where pip finds packages (another index,
    ``--find-links``, ``--trusted-host``): the plan shows them."""
    packing: Packing | None = attrs.field(default=None, eq=False, repr=False)
    """What it was packed from, to pack it again when its cached file is found not to be these bytes; None for an
    archive not packed here (a rerun's)."""


@attrs.frozen(kw_only=True)
class InputFile:
    name: str
    path: Path
    size: int
    sha256: str


@attrs.frozen(kw_only=True)
class InputChannel:
    name: str
    files: list[InputFile]
    digest: str


_JOB_MODULE_TEXT = f'''"""The entry point of a function's job: Braket's container calls {JOB_MODULE}.<function>,
which is braketkit's runtime calling that function as the job's planned record says ({RUNTIME_PACKAGE}/entry.py)."""

from {RUNTIME_PACKAGE}.entry import job_function as __getattr__  # noqa: F401
'''


def is_runtime_member(name: str) -> bool:
    """Whether an archive member is braketkit's runtime (its package, or the entry module at the root)."""
    return name.startswith(f"{RUNTIME_PACKAGE}/") or name == f"{JOB_MODULE}.py"


@functools.cache
def runtime_members() -> list[Member]:
    """The job-side runtime, shipped in every archive under its own package name, and the module a function's job
    names as its entry point, at the archive's root."""
    return [
        *(Member(f"{RUNTIME_PACKAGE}/{path.name}", path.read_bytes())
          for path in sorted(_RUNTIME_FOLDER.glob("*.py"))),
        Member(f"{JOB_MODULE}.py", _JOB_MODULE_TEXT.encode()),
    ]


def _requirements(root: Path, dependencies: str | list[str] | None, origin: str) -> Member | None:
    if dependencies is None:
        return None
    if isinstance(dependencies, list):
        return Member("requirements.txt", "".join(f"{line}\n" for line in dependencies).encode())
    path = root / dependencies
    try:
        with open_regular(path) as handle:
            text = handle.read(MAX_REQUIREMENTS_BYTES + 1)
    except OSError as error:
        message = f"cannot read requirements file {shown(path)!r}: {error.strerror}"
        problem = Problem(message, "dependencies", origin)
        raise InvalidInput([problem]) from None
    wrong = (f"is over {MAX_REQUIREMENTS_BYTES // 1000} kB" if len(text) > MAX_REQUIREMENTS_BYTES
             else "is not text" if b"\0" in text or not _is_utf8(text) else None)
    if wrong:
        raise InvalidInput([Problem(f"the requirements file {shown(path)!r} {wrong}; a requirements file lists "
                                    "packages, one a line", "dependencies", origin)])
    return Member("requirements.txt", text)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _pip_sources(shipped: Sequence[SourceFile], requirements: Member | None,
                 dependencies: str | list[str] | None) -> tuple[PipOption, ...]:
    """Where the requirements files the container installs (every requirements.txt of the archive) send pip, with
    the files they include that the archive ships (looked up by name only when one includes another)."""
    installed = {file.name: file.path for file in shipped
                 if file.name == "requirements.txt" or file.name.endswith("/requirements.txt")}
    every: dict[str, Path] = {}

    def read(name: str) -> str | None:
        if requirements is not None and name == requirements.name:
            source = requirements.source
            return (source if isinstance(source, bytes) else source.read_bytes()).decode("utf-8", "replace")
        if name not in installed and not every:
            every.update((file.name, file.path) for file in shipped)
        path = installed.get(name) or every.get(name)
        if path is None:
            return None
        try:
            with open_regular(path) as handle:
                return handle.read(MAX_REQUIREMENTS_BYTES).decode("utf-8", "replace")
        except OSError:  # gone since the walk, or no regular file: the archive's packing reports it
            return None

    label = os.path.normpath(dependencies).replace(os.sep, "/") if isinstance(dependencies, str) else None
    names = sorted({*installed, *([requirements.name] if requirements else [])})
    roots = [(name, label if label and name == "requirements.txt" else name, text)
             for name in names if (text := read(name)) is not None]
    return package_sources(roots, read)


def _exclusion_hint(file: SourceFile) -> str:
    folder = PurePosixPath(file.name).parts[0]
    if folder != file.name:
        return f"{folder}/"
    suffix = PurePosixPath(file.name).suffix
    return f"*{suffix}" if suffix else file.name


def _size_report(files: Sequence[SourceFile]) -> str:
    total = sum(file.size for file in files)
    largest = [file for file in sorted(files, key=lambda file: file.size, reverse=True)[:5] if file.size * 100 >= total]
    rows = [f"    {file.size / 1e6:9.1f} MB  {file.name}   (exclude = [{_exclusion_hint(file)!r}])" for file in largest]
    return "largest files:\n" + "\n".join(rows)


def _secrets_warning(files: Sequence[SourceFile], contents: dict[str, str]) -> list[str]:
    """Shipped files that look like secrets, by name (they were re-included) or by what they hold (an ``include``
    pattern names them, or braketkit wrote them from the settings)."""
    found = {file.name: file.secret for file in files if file.secret}
    for name, what in contents.items():
        found[name] = f"{found[name]}, and holds {what}" if name in found else f"holds {what}"
    if not found:
        return []
    listed = ", ".join(f"{name} ({why})" for name, why in sorted(found.items()))
    return [f"these shipped files look like secrets: {listed}; if the job does not need them, add them to "
            "exclude (or take them out of include)"]


def _where(source: Path | bytes, findings: list[secrets.Finding],
           notebook: bool) -> tuple[dict[int, int], dict[int, str]]:
    """The line (and, in a notebook, the cell) of each finding: the file is read again, block by block (a notebook
    whole, to parse it); only a file holding a secret ever is."""
    if isinstance(source, bytes) or notebook:
        data = source if isinstance(source, bytes) else source.read_bytes()
        return secrets.lines_in([data], findings), secrets.cells_in(data, findings) if notebook else {}
    with open_regular(source) as handle:
        return secrets.lines_in(iter(lambda: handle.read(1 << 20), b""), findings), {}


def _on_purpose(include: Sequence[str], name: str) -> bool:
    """An ``include`` pattern names the project file ``name`` (or a folder above it)."""
    patterns = parse(include)
    parts = name.split("/")
    return any(last_match(patterns, "/".join(parts[:count]), count < len(parts)) is not None
               for count in range(1, len(parts) + 1))


def _secrets_found(root: Path, files: Sequence[SourceFile], scans: dict[str, secrets.Scan],
                   requirements: tuple[Member, str | None] | None,
                   include: Sequence[str]) -> tuple[dict[str, str], list[Problem]]:
    """What the shipped files hold, by name: what a warning lists (files shipped on purpose, and a requirements.txt
    braketkit wrote from a ``dependencies`` list), and a problem for each other file, naming its first line."""
    by_name = {file.name: file for file in files}
    listed: dict[str, str] = {}
    problems: list[Problem] = []
    for name, scan in sorted(scans.items()):
        if not scan.findings:
            continue
        file = by_name.get(name)
        project_name = file.name if file is not None else None
        if requirements is not None and name == requirements[0].name:
            project_name = requirements[1]  # the file dependencies names, or None: written from a list
        lines, cells = _where(file.path if file is not None else requirements[0].source if requirements else b"",
                              scan.findings, notebook=name.endswith(".ipynb"))
        first, what = min(lines.values()), secrets.described(scan.findings, lines, cells)
        if project_name is None or (file.included if file is not None else _on_purpose(include, project_name)):
            listed[name] = what
            continue
        hint = exclude_hint(project_name, False)
        problems.append(Problem(
            f"holds {what}; a secret in the archive is a secret leaked (to S3, and to the job's container): take it "
            f"out, or leave the file out with exclude = [{hint!r}], or, if the job needs it as it is, ship it on "
            f"purpose with include = [{hint!r}]", origin=f"{shown(root / project_name)}:{first}"))
    return listed, problems


@functools.cache
def _host() -> str:
    import socket

    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname())


def _writer_gone(host: str, pid: str) -> bool:
    """The process on this machine that wrote a partial archive has ended (kill -9, power cut, ...)."""
    if os.name == "nt" or host != _host() or not pid.isdigit():  # os.kill(pid, 0) would end a Windows process
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists, but is someone else's
    return False


def _clean_partials(cache: Path) -> list[Path]:
    """Remove the partial archives an interrupted packing left behind; return them."""
    removed = []
    now = time.time()
    for path in cache.glob(".partial-*"):
        host, _, rest = path.name[len(".partial-"):].partition("-")
        pid = rest.partition("-")[0]
        try:
            idle = now - path.stat().st_mtime
            if idle > STALE_PARTIAL_SECONDS or _writer_gone(host, pid):
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # another packing removed it first, or it cannot be: it stays for the next one
    return removed


def _source_names(root: Path, shipped: Sequence[SourceFile], dependencies: str | list[str] | None) -> tuple[str, ...]:
    """``SourceArchive.sources``: the shipped files' names, and a requirements file named by ``dependencies`` (shipped
    as requirements.txt) by its name in the source folder when it is in it."""
    names = {file.name for file in shipped}
    if isinstance(dependencies, str):
        base = root.resolve()
        path = Path(os.path.normpath(base / dependencies))
        if path.is_relative_to(base) and path != base:
            names.add(path.relative_to(base).as_posix())
    return tuple(sorted(names))


def package_source(
    root: Path,
    *,
    exclude: Sequence[str] = (),
    include: Sequence[str] = (),
    dependencies: str | list[str] | None = None,
    dependencies_origin: str = "default",
    max_source_mb: int = 500,
    max_origin: str = "default",
    cache: Path,
    generated: Sequence[Member] = (),
    within: str = "",
) -> SourceArchive:
    """Select, guard and archive the source tree into ``cache/<sha256>.tar.gz``.

    ``generated`` members (a captured ``__main__`` module) are braketkit's own: a
    project file of the same name is an error rather than silently replaced.
    ``within``: a folder of ``root`` (``qaoa``) whose files alone ship, named from
    ``root`` (``qaoa/run.py``), as the Braket SDK ships a ``source_module`` folder.
    """
    if not root.is_dir():
        raise InvalidInput([Problem(f"source folder {str(root)!r} does not exist", "source")])
    walked_at = time.time_ns()
    files = select_files(root, exclude, include, within=within)
    ours = {member.name for member in [*generated, *runtime_members()]}
    clashes = sorted(file.name for file in files
                     if file.name in ours or file.name.partition("/")[0] == RUNTIME_PACKAGE)
    if clashes:
        raise InvalidInput([Problem(f"{name} has a name braketkit uses for its own module in the job; rename it",
                                    "source") for name in clashes])
    requirements = _requirements(root, dependencies, dependencies_origin)
    extra = [member for member in (requirements,) if member]
    extra += generated
    total = sum(file.size for file in files)
    warnings: list[str] = []
    if total > max_source_mb * 1000 * 1000:
        raise InvalidInput([Problem(
            f"the source tree holds {total / 1e6:.1f} MB, over the limit of {max_source_mb} MB; "
            f"exclude what the job does not need, pass data as input channels, or raise the limit\n"
            + _size_report(files), "max_source_mb", max_origin)])
    if total > WARN_BYTES:
        warnings.append(f"the source tree holds {total / 1e6:.1f} MB; " + _size_report(files))
    nested = [file.name for file in files if file.name.endswith("/requirements.txt")]
    if nested:
        warnings.append("the job's container installs every requirements.txt in the tree, nested ones too: "
                        + ", ".join(nested))
    shipped = [file for file in files if not (requirements and file.name == "requirements.txt")]
    entries = members(shipped) + extra + runtime_members()
    sources = _source_names(root, shipped, dependencies)
    pip_sources = _pip_sources(shipped, requirements, dependencies)
    packing = Packing(root=root, exclude=tuple(exclude), include=tuple(include),
                      dependencies=tuple(dependencies) if isinstance(dependencies, list) else dependencies,
                      dependencies_origin=dependencies_origin, max_source_mb=max_source_mb, max_origin=max_origin,
                      cache=cache, generated=tuple(generated), within=within)
    key = index.fingerprint(root, files, [*extra, *runtime_members()],
                            [*exclude, "\0", *include, "\0", secrets.table_version()])
    found = index.look_up(cache, key)
    if found is not None:
        return SourceArchive(path=cache / f"{found.sha256}.tar.gz", sha256=found.sha256, size=found.size,
                             files=found.files, source_bytes=found.source_bytes,
                             warnings=warnings + _secrets_warning(files, found.secrets), sources=sources,
                             package_sources=pip_sources, packing=packing)
    unsearched = {member.name for member in generated}  # a captured module: the planner names its globals
    scans: dict[str, secrets.Scan] = {}

    def watch(name: str) -> secrets.Scan | None:
        if is_runtime_member(name) or name in unsearched:
            return None
        scans[name] = secrets.Scan()
        return scans[name]

    import tempfile  # only when an archive is written: a replan of an unchanged tree never is

    make_folder(cache)
    _clean_partials(cache)
    handle = tempfile.NamedTemporaryFile(dir=cache, prefix=f".partial-{_host()}-{os.getpid()}-",  # noqa: SIM115
                                         delete=False)
    try:
        with handle:
            sha256, size = write_archive(entries, handle, watch=watch)
        final = cache / f"{sha256}.tar.gz"
        os.replace(handle.name, final)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    named = dependencies if isinstance(dependencies, str) else None
    contents, problems = _secrets_found(
        root, shipped, scans, (requirements, named and _relative_in(root, named)) if requirements else None, include)
    if problems:
        final.unlink(missing_ok=True)  # nothing of it is kept: the archive holds a secret
        raise InvalidInput(problems)
    archive = SourceArchive(path=final, sha256=sha256, size=size, files=len(entries), source_bytes=total,
                            warnings=warnings + _secrets_warning(files, contents), sources=sources,
                            package_sources=pip_sources, packing=packing)
    if index.settled(files, walked_at):
        index.remember(cache, key, index.Entry(sha256=sha256, size=size, files=len(entries), source_bytes=total,
                                               archive_mtime_ns=final.stat().st_mtime_ns, secrets=contents))
    return archive


def _relative_in(root: Path, name: str) -> str | None:
    """``name`` (a path ``dependencies`` gives) relative to the source folder, when it is inside it."""
    base = root.resolve()
    path = Path(os.path.normpath(base / name))
    return path.relative_to(base).as_posix() if path.is_relative_to(base) and path != base else None


def repack(archive: SourceArchive) -> SourceArchive | None:
    """``archive`` packed again from its tree, its cached file dropped first (so the index cannot answer with it);
    None for an archive not packed here. An unchanged tree gives the same bytes, hence the same SHA-256."""
    packing = archive.packing
    if packing is None:
        return None
    index.forget(packing.cache, archive.sha256)
    dependencies = list(packing.dependencies) if isinstance(packing.dependencies, tuple) else packing.dependencies
    return package_source(packing.root, exclude=packing.exclude, include=packing.include, dependencies=dependencies,
                          dependencies_origin=packing.dependencies_origin, max_source_mb=packing.max_source_mb,
                          max_origin=packing.max_origin, cache=packing.cache, generated=packing.generated,
                          within=packing.within)


def file_digest(path: Path) -> str:
    """A file's SHA-256, hex: what content-addressed keys and provenance name it by."""
    with path.open("rb") as handle:
        if sys.version_info >= (3, 11):
            return hashlib.file_digest(handle, "sha256").hexdigest()
        digest = hashlib.sha256()  # pragma: no cover
        for block in iter(lambda: handle.read(1 << 20), b""):  # pragma: no cover
            digest.update(block)
        return digest.hexdigest()  # pragma: no cover


def collect_channel(name: str, path: Path, origin: str) -> InputChannel:
    """A local input channel: every file under ``path`` (or the file itself), hashed."""
    if path.is_file():
        chosen = [SourceFile(path.name, path, path.stat().st_size, False)]
    elif path.is_dir():
        chosen = select_files(path)
    else:
        message = f"no such file or folder: {display_path(path)!r}; expected a local path or an s3:// URI"
        raise InvalidInput([Problem(message, f"input.{name}", origin)])
    files = [InputFile(name=file.name, path=file.path, size=file.size, sha256=file_digest(file.path))
             for file in chosen]
    return InputChannel(name=name, files=files, digest=channel_digest((file.name, file.sha256) for file in files))


def channel_digest(files: Iterable[tuple[str, str]]) -> str:
    """A channel's digest from its files' names (relative, ``/``-separated) and SHA-256s: the S3 key it is
    uploaded under names it, and a rerun on this machine checks the files it downloads against it."""
    manifest = "".join(f"{name}\0{sha256}\n" for name, sha256 in sorted(files))
    return hashlib.sha256(manifest.encode()).hexdigest()
