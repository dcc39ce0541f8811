"""Writing a local job's record, and reading it as it stands.

A process killed outright (``kill -9``, a notebook kernel restarted) records no end; ``settle``
recognises such a record on reading and ends it, so nothing waits for it forever.

The job's folder is the job's to write, ``job.json`` and its planned record included (its code runs with
the folder as its parent, and may leave a process behind that outlives the run). So the SHA-256 of the
planned record as braketkit wrote it, before the job ran, is kept outside the folder, in
``.braketkit/plans/`` (``planned_digest``): what decides how the job's results are read is the record
that digest names.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
from datetime import datetime, timezone
from pathlib import Path

import attrs

from ..model.job import TERMINAL_STATES, LocalJobRecord

__all__ = ["RUNNER_ENDED", "planned_digest", "planned_digest_path", "settle", "with_this_runner",
           "write_planned_digest", "write_record"]

RUNNER_ENDED = "the process running it ended without recording an end"
"""The failure reason of a job whose runner died (``kill -9``) while the job was RUNNING."""


def _process_start(pid: int) -> str | None:
    """The boot and clock tick a live process started at (Linux's /proc), or None where that cannot be read.

    A zombie (ended, not yet reaped by its parent) and a dead process give None too.
    """
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()  # the command name in parentheses may hold spaces
    if len(fields) < 20 or fields[0] in ("Z", "X", "x"):
        return None
    return f"{boot}/{fields[19]}"  # field 22 of proc(5), starttime; fields[0] is field 3


def with_this_runner(record: LocalJobRecord) -> LocalJobRecord:
    """``record`` naming this process as the one running the job."""
    pid = os.getpid()
    return attrs.evolve(record, runner_pid=pid, runner_started=_process_start(pid), runner_host=socket.gethostname())


def _runner_ended(record: LocalJobRecord) -> bool:
    """Certain that the process that recorded RUNNING has ended; False whenever it cannot be told."""
    if record.state in TERMINAL_STATES or record.runner_pid is None or os.name != "posix":
        return False  # older records name no runner; elsewhere os.kill(pid, 0) is no harmless probe
    if record.runner_host != socket.gethostname():
        return False  # a folder shared with another machine: its pids are not this machine's
    try:
        os.kill(record.runner_pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # a process of another user holds the pid
    except OSError:
        return False
    if record.runner_started is None:
        return False  # no start recorded (no /proc): a live pid is taken as the runner
    return _process_start(record.runner_pid) != record.runner_started  # reused by a later process, or a zombie


def write_record(folder: Path, record: LocalJobRecord) -> None:
    """Write ``job.json`` whole or not at all: a file of this writer's own, then renamed over it."""
    from ..converter import converter

    partial = folder / f".job.json.{os.getpid()}.{threading.get_ident()}.partial"
    try:
        with partial.open("w", encoding="utf-8") as handle:
            handle.write(json.dumps(converter.unstructure(record), indent=2))
        os.replace(partial, folder / "job.json")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def planned_digest_path(folder: Path) -> Path | None:
    """Where the digest of the planned record of the job in ``folder`` is kept: ``.braketkit/plans/<name>.sha256``
    of its project, outside the folder. None for a folder that is not in a project's ``.braketkit/jobs/``."""
    from ..workspace import FOLDER, jobs_folder, plans_folder

    root = folder.parent.parent.parent
    if folder.parent != jobs_folder(root) or folder.parent.parent.name != FOLDER:
        return None
    return plans_folder(root) / f"{folder.name}.sha256"


def write_planned_digest(folder: Path, record: bytes) -> None:
    """Keep the SHA-256 of ``record``, the planned record's bytes as written into the job's ``folder``."""
    from ..workspace import make_folder

    path = planned_digest_path(folder)
    if path is None:
        raise ValueError(f"{folder} is no folder in a project's jobs folder")
    make_folder(path.parent)
    path.write_text(hashlib.sha256(record).hexdigest() + "\n", encoding="ascii")


def planned_digest(folder: Path) -> str | None:
    """The SHA-256 kept of the planned record of the job in ``folder``; None for a job run before braketkit kept one,
    or a folder moved out of its project's jobs folder."""
    path = planned_digest_path(folder)
    try:
        return path.read_text(encoding="ascii").strip() if path is not None else None
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return None


def _read_record(folder: Path) -> LocalJobRecord:
    from ..converter import converter

    record: LocalJobRecord = converter.structure(
        json.loads((folder / "job.json").read_text(encoding="utf-8")), LocalJobRecord)
    return record


def settle(folder: Path, record: LocalJobRecord) -> LocalJobRecord:
    """``record`` (read from ``folder``) as it stands: if it says RUNNING but the process running the job has
    ended without recording an end, the job is ended now: FAILED, with ``RUNNER_ENDED`` first in its failure
    reason and last in its log, so every later reader agrees. Anything that cannot be told is left as recorded."""
    if not _runner_ended(record):
        return record
    ending = folder / ".ending"  # one reader records the end; another at the same moment reports it
    try:
        os.close(os.open(ending, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except OSError:  # being recorded by another reader, or a folder this reader may not write
        return attrs.evolve(record, state="FAILED")
    try:
        record = _read_record(folder)  # the runner cannot write any more: what is on disk now is its last word
        if record.state in TERMINAL_STATES:
            return record
        last_sign = max((path.stat().st_mtime for path in (folder / "log.txt", folder / "job.json") if path.exists()),
                        default=None)
        ended = record.started_at if last_sign is None else (
            datetime.fromtimestamp(last_sign, timezone.utc).isoformat(timespec="seconds"))
        failure = folder / "output" / "failure"
        failure.parent.mkdir(exist_ok=True)
        earlier = failure.read_text(encoding="utf-8") if failure.exists() else ""
        # first: what the job's process wrote after its runner died (a BrokenPipeError) is a consequence
        failure.write_text(RUNNER_ENDED + (f"\n{earlier}" if earlier else ""), encoding="utf-8")
        with (folder / "log.txt").open("a+b") as log:
            ends_line = log.tell() == 0 or (log.seek(-1, os.SEEK_END), log.read(1))[1] == b"\n"
            log.write(("" if ends_line else "\n").encode() + f"[braketkit] {RUNNER_ENDED}\n".encode())
        record = attrs.evolve(record, state="FAILED", ended_at=ended)
        write_record(folder, record)
        return record
    except OSError:
        return attrs.evolve(record, state="FAILED")
    finally:
        ending.unlink(missing_ok=True)
