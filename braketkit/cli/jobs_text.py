"""What the CLI prints of jobs: their status, lists, results, and what was cleaned, as text or JSON."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from ..converter import converter
from ..job import AwsJob, Job, LocalJob, fields_text
from ..job.info import fields, local_time, state_line
from ..model.job import CleanReport, JobInfo
from ..places import display_path
from ..terminal import printable
from .render import _size, jsonable

__all__ = ["clean_text", "job_document", "jobs_table", "reattach_text", "result_text", "run_document",
           "status_text", "submitted_text"]


def job_document(info: JobInfo) -> dict[str, Any]:
    """A job as JSON, in the one vocabulary of every ``--json`` (docs/cli.md): keys without a value left out."""
    document: dict[str, Any] = converter.unstructure(info)
    return document


def run_document(job: Job, with_result: bool = True, allow_pickle: bool = False) -> dict[str, Any]:
    """What ``run --json`` prints: the job's document, and ``result`` once it completed."""
    info = job.info()
    document = job_document(info)
    if with_result and info.state == "COMPLETED":
        document["result"] = jsonable(job.result(allow_pickle=allow_pickle))
    return document


def status_text(info: JobInfo) -> str:
    """``braketkit status``: the line waiting shows, then the rest of what is known, one field a line."""
    rest = [field for field in fields(info, detail=True) if field.label not in ("name", "state", "queue")]
    return printable(state_line(info)) + ("\n" + fields_text(rest, indent="  ") if rest else "")


def _short_device(device: str | None) -> str:
    """A device ARN's last part (``sv1``, ``Forte-1``) for a table; ``local:`` devices whole."""
    if not device:
        return "-"
    return device.rsplit("/", 1)[-1] if device.startswith("arn:") else device


def jobs_table(jobs: list[JobInfo]) -> str:
    """``braketkit list``: one line a job, created (local time), state, name, device, and ARN for cloud jobs."""
    cloud = any(job.arn for job in jobs)
    rows = [["CREATED", "STATE", "NAME", "DEVICE"] + (["ARN"] if cloud else [])]
    rows += [[local_time(job.created, seconds=False) if job.created else "-", job.state, printable(job.name),
              _short_device(job.device)] + ([job.arn or ""] if cloud else []) for job in jobs]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
                     for row in rows)


def clean_text(report: CleanReport, older_than: str) -> str:
    """What ``braketkit clean`` did, a line for each folder or archive, then the space freed."""
    verb = "would remove" if report.dry_run else "removed"
    lines = []
    for removal in report.removed:
        when = ""
        if removal.last_used is not None:
            when = f"{'ended' if removal.kind == 'job' else 'built'} {local_time(removal.last_used, seconds=False)}, "
        lines.append(f"{verb} {removal.kind} {display_path(Path(removal.path))}  ({when}{_size(removal.bytes)})")
    lines += [f"could not remove {display_path(Path(left.path))}: {left.reason}" for left in report.failed]
    lines += [f"skipped {display_path(Path(left.path))}: {left.reason}" for left in report.skipped]
    if report.running:
        lines.append(f"kept {_count(len(report.running), 'running job')}: {', '.join(report.running)}")
    if report.kept_recent:
        lines.append(f"kept {_count(report.kept_recent, 'job')} that ended less than {older_than} ago")
    if report.removed:
        lines.append(f"{'would free' if report.dry_run else 'freed'} {_size(report.bytes_freed)}")
    else:
        lines.append(f"nothing {'would be' if report.dry_run else 'was'} removed: nothing ended more than "
                     f"{older_than} ago")
    return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def result_text(job: Job, allow_pickle: bool = False) -> str:
    """What ``run`` and ``result`` print once the job has ended (JobFailed carries a failure to the caller)."""
    value = job.result(allow_pickle=allow_pickle)
    shown = json.dumps(jsonable(value), indent=2) if value is not None else "nothing (the function returned None)"
    where = job.folder if isinstance(job, LocalJob) else job.arn
    return f"job {job.name} completed ({where})\nresult: {shown}"


def reattach_text(*jobs: str, command: str = "logs") -> str:
    """What Ctrl-C prints while watching jobs: they go on, and the ``braketkit COMMAND --follow`` that watches again."""
    they = "the job goes" if len(jobs) == 1 else "the jobs go"
    return f"\nstopped watching; {they} on. Re-attach with: braketkit {command} --follow {shlex.join(jobs)}"


def submitted_text(job: AwsJob) -> str:
    return f"submitted {job.name}\n  arn:     {job.arn}\n  console: {job.console_url()}"
