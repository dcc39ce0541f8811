"""``braketkit clean``: remove this project's local job folders that ended long enough ago, and old cached archives.

A job whose runner is alive is never removed: each record is read as it stands (``LocalJob.metadata``), so
only a job that has ended, or whose runner died, can go. A job folder is first renamed to a hidden name
beside it, then removed, so nothing ever lists half a job; a removal cut short is finished by the next clean.
An archive's age is the time it was last built: every plan rebuilds (rewrites) the archive it uses.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from ..execute.record import planned_digest_path
from ..model.job import TERMINAL_STATES, CleanReport, Left, Removal, UtcTime
from ..workspace import archives_folder, jobs_folder
from .info import utc
from .listing import local_jobs

__all__ = ["REMOVING", "clean"]

REMOVING = ".removing-"
"""The name a job folder is given while it is removed."""


def _size(path: Path) -> int:
    """Bytes of the files under ``path`` (links counted as links, never followed)."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total


def _old_jobs(folder: Path, cutoff: UtcTime) -> tuple[list[Removal], list[str], int, list[Left]]:
    """The jobs that ended by ``cutoff``; the running ones; how many ended later; the folders not judged."""
    jobs, skipped = local_jobs(folder)
    old, running, recent = [], [], 0
    for job in jobs:
        ended = job.ended or job.created
        if job.state not in TERMINAL_STATES:
            running.append(job.name)
        elif ended is None or ended > cutoff:
            recent += 1
        else:
            path = Path(str(job.folder))
            old.append(Removal(kind="job", name=job.name, path=str(path), bytes=_size(path), last_used=ended))
    leftovers = [Removal(kind="job", name=path.name, path=str(path), bytes=_size(path))
                 for path in sorted(folder.glob(REMOVING + "*")) if path.is_dir() and not path.is_symlink()]
    return old + leftovers, running, recent, skipped


def _old_archives(folder: Path, cutoff: UtcTime) -> list[Removal]:
    old = []
    for path in sorted(folder.glob("*.tar.gz")):
        try:
            status = path.lstat()
        except OSError:
            continue
        built = utc(datetime.fromtimestamp(status.st_mtime, timezone.utc))
        if path.is_file() and not path.is_symlink() and built is not None and built <= cutoff:
            old.append(Removal(kind="archive", name=path.name, path=str(path), bytes=status.st_size, last_used=built))
    return old


def _remove(removal: Removal) -> None:
    path = Path(removal.path)
    if removal.kind == "archive":
        path.unlink()
        return
    if not path.name.startswith(REMOVING):
        hidden = path.with_name(f"{REMOVING}{path.name}-{os.getpid()}")
        path.rename(hidden)
        digest = planned_digest_path(path)
        if digest is not None:
            digest.unlink(missing_ok=True)  # the digest of its planned record goes with it
        path = hidden
    shutil.rmtree(path)


def clean(root: Path, cutoff: UtcTime, *, dry_run: bool = False, archives: bool = False) -> CleanReport:
    """Remove the local jobs of the project at ``root`` that ended by ``cutoff`` (and, with ``archives``, the
    cached archives last built by then); ``dry_run``: only say what would go."""
    candidates, running, recent, skipped = _old_jobs(jobs_folder(root), cutoff)
    if archives:
        candidates += _old_archives(archives_folder(root), cutoff)
    removed, failed = [], []
    for removal in candidates:
        try:
            if not dry_run:
                _remove(removal)
        except OSError as error:
            failed.append(Left(path=removal.path, reason=error.strerror or str(error)))
        else:
            removed.append(removal)
    return CleanReport(dry_run=dry_run, cutoff=cutoff, removed=removed, bytes_freed=sum(r.bytes for r in removed),
                       running=running, kept_recent=recent, skipped=skipped, failed=failed)
