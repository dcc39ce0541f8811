"""What braketkit shows of a job: ``JobInfo`` from what the service or a local record says, and its text.

Pure: each builder maps one source's words onto the one vocabulary (docs/cli.md). The service says
``"None"`` for a queue position it does not have; that becomes no position at all, so nothing ever
shows the word None. ``fields`` is what the notebook summary and ``braketkit status`` both show.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import attrs

from ..model.job import SWEEP_TAG, JobInfo, LocalJobRecord, UtcTime

__all__ = ["Field", "cloud_info", "console_url", "fields", "first_line", "local_info", "local_time", "queue_text",
           "region_of", "state_line", "stream_prefix", "utc"]


@attrs.frozen
class Field:
    """One line of what is shown of a job; ``link``: the value is a URL to open."""

    label: str
    value: str
    link: bool = False


def region_of(arn: str) -> str:
    return arn.split(":")[3]


def console_url(arn: str) -> str:
    region = region_of(arn)
    return f"https://{region}.console.aws.amazon.com/braket/home?region={region}#/jobs/{arn}"


def stream_prefix(name: str, arn: str) -> str:
    """What every log stream of the job's instances starts with: its name, then ``/`` (the streams of a job
    named ``vqe-2`` are no job ``vqe``'s), and the ARN's id when the ARN does not end in the name."""
    return f"{name}/" if arn.endswith(name) else f"{name}/{arn.rsplit('/', 1)[-1]}/"


def utc(value: datetime | str | None) -> UtcTime | None:
    """A time from the service (a datetime) or a record (ISO 8601 text) in UTC; None if there is none.

    A time without a zone is taken as UTC, which is what braketkit and the service write.
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return UtcTime(value.astimezone(timezone.utc))


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "", "None") else None


def cloud_info(metadata: Mapping[str, Any]) -> JobInfo:
    """A cloud job from a GetJob answer or a SearchJobs summary (which names its device ``device``)."""
    arn = str(metadata["jobArn"])
    state = str(metadata["status"])
    queue = (metadata.get("queueInfo") or {}) if state == "QUEUED" else {}
    device = metadata.get("device") or (metadata.get("deviceConfig") or {}).get("device")
    return JobInfo(
        name=str(metadata["jobName"]), arn=arn, state=state, device=_text(device),
        created=utc(metadata.get("createdAt")), started=utc(metadata.get("startedAt")),
        ended=utc(metadata.get("endedAt")), region=region_of(arn), console=console_url(arn),
        failure_reason=_text(metadata.get("failureReason")), queue=_text(queue.get("queue")),
        queue_position=_text(queue.get("position")), queue_message=_text(queue.get("message")),
        sweep=_text((metadata.get("tags") or {}).get(SWEEP_TAG)),
    )


def local_info(record: LocalJobRecord, folder: Path, failure_reason: str | None) -> JobInfo:
    """A local job from its record; it is created when it starts. Its folder's name is its name."""
    return JobInfo(
        name=folder.name, state=record.state, device=_text(record.device), created=utc(record.started_at),
        started=utc(record.started_at), ended=utc(record.ended_at), folder=str(folder),
        failure_reason=_text(failure_reason), sweep=_text(record.tags.get(SWEEP_TAG)),
    )


def queue_text(info: JobInfo) -> str | None:
    """Where a queued job waits (``position 2 in the JOBS_QUEUE queue``), None when there is nothing to say."""
    if info.state != "QUEUED" or info.queue is None:
        return None
    where = f"in the {info.queue} queue"
    if info.queue_position is not None:
        return f"position {info.queue_position} {where}"
    return f"{where} ({info.queue_message})" if info.queue_message else where


def state_line(info: JobInfo) -> str:
    """``name: STATE`` and, while queued, where: what waiting shows as the state changes."""
    queue = queue_text(info)
    return f"{info.name}: {info.state}" + (f", {queue}" if queue else "")


def first_line(text: str, limit: int = 200) -> str:
    lines = text.strip().splitlines()
    line = lines[0] if lines else ""
    more = len(lines) > 1 or len(line) > limit
    return line[:limit] + (" …" if more else "")


def local_time(moment: datetime, seconds: bool = True) -> str:
    """A time as people here read it: this machine's time zone, named."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M" + (":%S %Z" if seconds else ""))


def fields(info: JobInfo, detail: bool = False) -> list[Field]:
    """What is shown of a job: name, state, queue, device, where it is, the first line of its failure.

    ``detail`` (``braketkit status``) adds its ARN and times; a notebook shows the short form.
    """
    shown = [Field("name", info.name)]
    if detail and info.arn:
        shown.append(Field("arn", info.arn))
    shown.append(Field("state", info.state))
    queue = queue_text(info)
    shown += [Field("queue", queue)] if queue else []
    shown += [Field("device", info.device)] if info.device else []
    if detail:
        times = {"created": info.created, "started": info.started if info.started != info.created else None,
                 "ended": info.ended}
        shown += [Field(label, local_time(moment)) for label, moment in times.items() if moment is not None]
    shown += [Field("region", info.region)] if info.region else []
    shown += [Field("console", info.console, link=True)] if info.console else []
    shown += [Field("folder", info.folder)] if info.folder else []
    shown += [Field("reason", first_line(info.failure_reason))] if info.failure_reason else []
    return shown
