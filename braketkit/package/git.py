"""The git facts of the source folder: the commit, the branch, whether it has changes, and a digest of them.

Read by running git, which is what knows the repository (worktrees, submodules, ``.gitignore``
anywhere, ``safe.directory``), scoped to the source folder (pathspec ``.``): a change elsewhere
in the repository is not this project's. Whatever keeps git from answering (git not installed,
no repository, no commit yet, git failing or refusing) leaves the facts absent: provenance is
recorded where it can be, and never stops a plan. git runs with its optional locks off
(``GIT_OPTIONAL_LOCKS=0``: planning never writes the repository's index), no pager, stdin closed
and stderr discarded, so nothing of it shows.

Clean means the commit holds the code the archive ships. So besides git's own changes, a shipped file
git does not track (one ``.gitignore`` leaves out but ``include`` ships) and a module braketkit generated
from ``__main__`` (a notebook's or script's function) make the source dirty, and the digest covers them:
``Probe.facts`` is given the archive's file names (``SourceArchive.sources``) and the generated modules,
and compares the names with git's tracked files (``git ls-files``, asked beside ``git status``).

``start`` sets git going and returns at once: the plan packages the source meanwhile, and
``Probe.facts`` collects the answer. git is started by ``os.posix_spawnp`` where there is one:
importing ``subprocess`` alone would cost ``braketkit plan`` more than git takes to answer
(``subprocess`` elsewhere).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import subprocess
    from hashlib import _Hash as Hash

__all__ = ["GitFacts", "Probe", "git_facts", "has_commit", "start"]

TIMEOUT = 10.0
"""Seconds git may take for each command: a repository on a hung network share leaves the facts absent."""

_CHUNK = 1024 * 1024

_CONFIG = ("-c", "core.quotePath=true", "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false",
           "-c", "diff.relative=false", "-c", "diff.renames=true", "-c", "diff.algorithm=myers",
           "-c", "diff.context=3", "-c", "diff.interHunkContext=0", "-c", "diff.indentHeuristic=true",
           "-c", "diff.suppressBlankEmpty=false", "-c", "diff.ignoreSubmodules=none", "-c", "core.fsmonitor=false")
"""What a user's git configuration could change in the diff's text or in what counts as changed: pinned, so that
equal changes give an equal digest on any machine (``-O`` with an empty file: no order file, either). No file
system monitor: it is a command the repository's configuration names, and planning runs none."""

_LOCATING = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
             "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_PREFIX")
"""Variables that point git at another repository or index than the source folder's (set in a git hook, say):
left out, so the facts are always the source folder's own."""


class GitFacts(NamedTuple):
    """The source folder's place in git; each None when git could not tell (see ``model.provenance.Provenance``).

    Attributes:
        commit: The commit checked out (``HEAD``).
        branch: The branch checked out; None when detached.
        dirty: Whether the source the archive ships differs from what the commit holds: the source folder has
            changes not committed (untracked files not ignored included), ships a file git does not track, or
            ships a module generated from ``__main__``.
        diff_sha256: A SHA-256 of all of those (``Probe.facts``); None when there are none, or a file of them
            could not be read.
    """

    commit: str | None = None
    branch: str | None = None
    dirty: bool | None = None
    diff_sha256: str | None = None


def _environment() -> dict[str, str]:
    inherited = {name: value for name, value in os.environ.items() if name not in _LOCATING}
    return {**inherited, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"}


def _spawn(folder: Path, *arguments: str) -> tuple[int, int] | subprocess.Popen[bytes] | None:
    """Start ``git -C folder ARGUMENTS``, stdin and stderr on the null device: its process id and the read end of
    its stdout (without ``posix_spawnp``, a Popen); None when it cannot start."""
    command = ["git", "-C", str(folder), "--no-pager", *_CONFIG, *arguments]
    try:
        if not hasattr(os, "posix_spawnp"):  # pragma: no cover - Windows
            import subprocess

            return subprocess.Popen(command, env=_environment(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL)
        read_end, write_end = os.pipe()  # neither is inherited: only the stdout made of write_end is
        try:
            pid = os.posix_spawnp("git", command, _environment(), file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0), (os.POSIX_SPAWN_DUP2, write_end, 1),
                (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        return pid, read_end
    except (OSError, ValueError):  # no git on PATH, a NUL in the environment
        return None


def _output(running: tuple[int, int] | subprocess.Popen[bytes] | None) -> bytes | None:
    """What the command wrote, or None when it failed, took too long or could not be started."""
    if running is None:
        return None
    if not isinstance(running, tuple):  # pragma: no cover - Windows
        import subprocess

        try:
            out, _ = running.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            running.kill()
            running.communicate()
            return None
        return out if running.returncode == 0 else None
    import select

    pid, read_end = running
    chunks: list[bytes] = []
    deadline = time.monotonic() + TIMEOUT
    poll = select.poll()
    poll.register(read_end, select.POLLIN)
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not poll.poll(left * 1000):
                import signal

                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return None
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
    _, status = os.waitpid(pid, 0)
    return b"".join(chunks) if os.waitstatus_to_exitcode(status) == 0 else None


def _status(out: bytes) -> tuple[str | None, str | None, bool, bool]:
    """The commit, the branch, whether anything changed, whether anything is untracked: from ``git status
    --porcelain=v2 --branch -z``, whose records end in NUL (a rename's record, ``2 ...``, holds one NUL more
    before its old path, which is no record of its own)."""
    commit = branch = None
    changed = untracked = old_path = False
    for record in out.split(b"\0"):
        if old_path:
            old_path = False
        elif record.startswith(b"# branch.oid "):
            oid = record[len(b"# branch.oid "):].decode("ascii", "replace")
            commit = None if oid == "(initial)" else oid
        elif record.startswith(b"# branch.head "):
            head = record[len(b"# branch.head "):].decode("utf-8", "surrogateescape")
            branch = None if head == "(detached)" else head
        elif record.startswith(b"? "):
            untracked = True
        elif record[:2] in (b"1 ", b"2 ", b"u "):
            changed, old_path = True, record[:2] == b"2 "
    return commit, branch, changed, untracked


def _hash_file(digest: Hash, path: Path) -> None:
    """A file's content into the digest, as git sees it: a link's target, not what it points at."""
    if path.is_symlink():
        digest.update(os.fsencode(os.readlink(path)))
        return
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)


def _diff_sha256(folder: Path, diff: bytes, untracked: Iterable[bytes], generated: Sequence[tuple[str, bytes]]) \
        -> str | None:
    """SHA-256 over the diff against HEAD, then each untracked file by name (git's untracked files and the shipped
    files git does not track, one set, sorted by their UTF-8 bytes): ``NUL name NUL size NUL content``, then each
    generated module by name: ``NUL NUL name NUL size NUL content``.

    None when an untracked file cannot be read (it vanished, or is not readable): no digest rather than a wrong one.
    """
    digest = hashlib.sha256(diff)
    for name in sorted(set(untracked)):
        path = folder / os.fsdecode(name)
        try:
            size = path.lstat().st_size
            digest.update(b"\0" + name + b"\0" + str(size).encode() + b"\0")
            _hash_file(digest, path)
        except OSError:
            return None
    for module, text in sorted(generated):
        digest.update(b"\0\0" + module.encode() + b"\0" + str(len(text)).encode() + b"\0" + text)
    return digest.hexdigest()


def _not_tracked(shipped: Iterable[str], tracked: bytes) -> list[bytes]:
    """The shipped names git does not track (``git ls-files -z``'s output). A file below a tracked link to a
    folder, or in a submodule, counts as tracked: the commit names the link, or the submodule's commit."""
    known = set(tracked.split(b"\0"))
    found = []
    for name in shipped:
        encoded = name.encode("utf-8", "surrogateescape")
        if encoded in known:
            continue
        parts = encoded.split(b"/")
        if not any(b"/".join(parts[:end]) in known for end in range(1, len(parts))):
            found.append(encoded)
    return found


class Probe:
    """git asked about a folder, answering in the background; ``facts()`` waits for the answer (call it, or
    ``wait()``, even when the plan fails meanwhile: it reaps git's processes)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._status = _spawn(folder, "status", "--porcelain=v2", "--branch", "-z", "--untracked-files=normal",
                              "--", ".")
        self._tracked = _spawn(folder, "ls-files", "-z", "--", ".")
        self._answers: tuple[bytes | None, bytes | None] | None = None

    def wait(self) -> tuple[bytes | None, bytes | None]:
        """git's answers, status and tracked files (each None when git failed), read once and kept."""
        if self._answers is None:
            self._answers = (_output(self._status), _output(self._tracked))
        return self._answers

    def facts(self, shipped: Iterable[str] | None = None, generated: Sequence[tuple[str, bytes]] = ()) -> GitFacts:
        """The folder's git facts; all None when git could not tell.

        ``shipped``: the names (relative to the folder) of the files the archive ships; ``generated``: the modules
        braketkit generated into it, by name and content. Either makes the source dirty when the commit does not
        hold it. With ``shipped`` given, a file git sees as untracked counts only when shipped: the others are not
        the job's, and their contents (an ``.env`` the archive leaves out) must not reach the digest, which anyone
        who may list jobs reads. Without it (no archive at hand), every untracked file counts.
        """
        out, tracked = self.wait()
        if out is None:
            return GitFacts()
        commit, branch, changed, untracked = _status(out)
        if commit is None:  # no commit yet: nothing to be relative to
            return GitFacts()
        every_untracked = untracked and shipped is None
        shipped = list(shipped or ())
        outside = _not_tracked(shipped, tracked) if tracked is not None else []
        if not (changed or every_untracked or outside or generated or (shipped and tracked is None)):
            return GitFacts(commit=commit, branch=branch, dirty=False)
        if tracked is None:  # git said what changed but not what it tracks: dirty, as far as anyone can tell
            return GitFacts(commit=commit, branch=branch, dirty=True)
        folder = self._folder
        diff = _spawn(folder, "diff", "--binary", "--no-color", "--no-ext-diff", "--no-textconv",
                      f"-O{os.devnull}", "HEAD", "--", ".") if changed else None
        # Both at once; the untracked files one by one (a folder shows in status as one entry), by their names
        # relative to the source folder.
        listing = _spawn(folder, "ls-files", "-z", "--others", "--exclude-standard", "--", ".") \
            if every_untracked else None
        diff_out = _output(diff) if changed else b""
        listed = _output(listing) if every_untracked else b""
        if diff_out is None or listed is None:
            return GitFacts(commit=commit, branch=branch, dirty=True)
        names = [name for name in listed.split(b"\0") if name] + outside
        return GitFacts(commit=commit, branch=branch, dirty=True,
                        diff_sha256=_diff_sha256(folder, diff_out, names, generated))


def start(folder: Path) -> Probe:
    """Set git going on ``folder``; the plan goes on meanwhile, and ``Probe.facts()`` collects the answer."""
    return Probe(folder)


def git_facts(folder: Path) -> GitFacts:
    """The git facts of ``folder`` (the source folder), read now."""
    return start(folder).facts()


def has_commit(folder: Path, commit: str) -> bool:
    """Whether the repository of ``folder`` holds ``commit`` (a full hex object name): False too when git cannot
    tell, or ``commit`` is no object name at all."""
    if not (len(commit) in (40, 64) and all(character in "0123456789abcdef" for character in commit)):
        return False
    return _output(_spawn(folder, "cat-file", "-e", f"{commit}^{{commit}}")) is not None
