"""Everything about one job, as ``braketkit show`` says it: ``JobDetails`` from what GetJob or a local record says.

Pure but for ``job_details``, which reads through a handle: each builder maps one source's words onto the
one vocabulary (``JobInfo``'s fields first, then the rest). braketkit's own tags (``braketkit:*``) are not shown as
the user's: they become the provenance, the sweep and the job a rerun reran; a function's call (its trusted
``JobCall``) gives the entry and the arguments, decoded from JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import BraketkitError
from ..model.details import JobDetails
from ..model.job import JobInfo, LocalJobRecord
from ..model.provenance import RECORD_CHANNEL, RECORD_NAME, RERUN_TAG, JobCall, PlannedRecord, Provenance
from ..plan.legacy import LEGACY_HYPERPARAMETERS
from .cloud import LOG_GROUP
from .info import cloud_info, local_info, stream_prefix

if TYPE_CHECKING:
    from . import Job

__all__ = ["OWN_TAGS", "call_arguments", "cloud_details", "job_details", "local_details", "other_hyperparameters",
           "user_tags"]

OWN_TAGS = "braketkit:"
"""What braketkit's own tags start with: provenance, sweep, rerun, call."""


def _decoded(text: str) -> Any:
    """An argument's JSON as its value; text that is no JSON (a job made otherwise) as it is."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def call_arguments(call: JobCall | None) -> dict[str, Any]:
    """The call's arguments, by name, decoded from JSON."""
    return {name: _decoded(text) for name, text in call.arguments.items()} if call is not None else {}


def other_hyperparameters(hyperparameters: Mapping[str, str], call: JobCall | None,
                          planned: PlannedRecord | None) -> dict[str, str]:
    """The hyperparameters that are not the call shown again: for a function's job with a record, the settings' own
    (and ``data_parallel``'s); for a job of braketkit 0.1, those not its own nor the call's; else all."""
    if call is None:
        return dict(hyperparameters)
    if "braketkit_entry" in hyperparameters:  # braketkit 0.1: its own and the arguments, by name
        hidden = {*LEGACY_HYPERPARAMETERS.values(), *call.arguments}
        return {name: value for name, value in hyperparameters.items() if name not in hidden}
    if planned is None:
        return dict(hyperparameters)
    return {name: value for name, value in hyperparameters.items()
            if f"hyperparameters.{name}" in planned.settings or name.startswith("sagemaker_")}


def user_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """The tags that are not braketkit's own (``braketkit:*``)."""
    return {name: value for name, value in tags.items() if not name.startswith(OWN_TAGS)}


def _seconds(start: Any, end: Any) -> int | None:
    return None if start is None or end is None else max(0, round((end - start).total_seconds()))


def _common(info: JobInfo, provenance: Provenance | None, planned: PlannedRecord | None, call: JobCall | None,
            entry: str | None, hyperparameters: Mapping[str, str], tags: Mapping[str, str]) -> dict[str, Any]:
    """What every job's details hold, whichever kind: ``JobInfo``'s fields, then braketkit's own."""
    return {**attrs.asdict(info, recurse=False),
            "entry": call.entry if call is not None else planned.entry if planned is not None else entry,
            "arguments": call_arguments(call),
            "hyperparameters": other_hyperparameters(hyperparameters, call, planned), "tags": user_tags(tags),
            "provenance": planned.provenance if planned else provenance,  # the record's: its git branch exact
            "planned_at": planned.planned_at if planned else None,
            "settings": dict(planned.settings) if planned else None,
            "rerun_of": tags.get(RERUN_TAG) or (planned.rerun_of if planned else None)}


def cloud_details(metadata: Mapping[str, Any], planned: PlannedRecord | None = None,
                  call: JobCall | None = None) -> JobDetails:
    """A cloud job from GetJob's answer (``metadata``: its provenance from its tags), its planned record (None:
    it has none) and its call (a function's job: the record's, as its tag vouches)."""
    from ..converter import provenance_of_tags

    info = cloud_info(metadata)
    hyperparameters = metadata.get("hyperParameters") or {}
    tags = metadata.get("tags") or {}
    instance = metadata.get("instanceConfig") or {}
    algorithm = metadata.get("algorithmSpecification") or {}
    output = (metadata.get("outputDataConfig") or {}).get("s3Path")
    reservations = [item["arn"] for item in metadata.get("associations") or []
                    if item.get("type") == "RESERVATION_TIME_WINDOW_ARN"]
    arn = str(metadata["jobArn"])
    billed = metadata.get("billableDuration")
    return JobDetails(
        **_common(info, provenance_of_tags(tags), planned, call, algorithm.get("scriptModeConfig", {}).get(
            "entryPoint"), hyperparameters, tags),
        queued_seconds=_seconds(info.created, info.started), ran_seconds=_seconds(info.started, info.ended),
        billed_ms=billed if isinstance(billed, int) else None,
        instance_type=instance.get("instanceType"), instance_count=instance.get("instanceCount"),
        volume_gb=instance.get("volumeSizeInGb"),
        max_runtime=(metadata.get("stoppingCondition") or {}).get("maxRuntimeInSeconds"),
        image=(algorithm.get("containerImage") or {}).get("uri"), role=metadata.get("roleArn"),
        reservation=reservations[0] if reservations else None,
        source=(algorithm.get("scriptModeConfig") or {}).get("s3Uri"), output=output,
        results=f"{str(output).rstrip('/')}/output/model.tar.gz" if output else None,
        checkpoints=(metadata.get("checkpointConfig") or {}).get("s3Uri"),
        log_group=LOG_GROUP, log_stream_prefix=stream_prefix(info.name, arn),
        inputs={channel["channelName"]: channel["dataSource"]["s3DataSource"]["s3Uri"]
                for channel in metadata.get("inputDataConfig") or [] if not _is_record_channel(channel, output)},
    )


def _is_record_channel(channel: Mapping[str, Any], output: Any) -> bool:
    """Whether an input channel is braketkit's own: the job's planned record, which a function's job reads."""
    uri = (channel.get("dataSource") or {}).get("s3DataSource", {}).get("s3Uri")
    return channel.get("channelName") == RECORD_CHANNEL and uri == f"{str(output).rstrip('/')}/{RECORD_NAME}"


def local_details(record: LocalJobRecord, folder: Path, *, failure_reason: str | None,
                  hyperparameters: Mapping[str, str], planned: PlannedRecord | None = None,
                  call: JobCall | None = None) -> JobDetails:
    """A local job from its record (its provenance too), its folder, and what it holds (the failure, the
    hyperparameters, the planned record, its call)."""
    info = local_info(record, folder, failure_reason)
    data = folder / "input" / "data"
    inputs = sorted(path for path in data.iterdir() if path.is_dir() and not (
        path.name == RECORD_CHANNEL and call is not None)) if data.is_dir() else []
    return JobDetails(
        **_common(info, record.provenance, planned, call, record.entry, hyperparameters, record.tags),
        ran_seconds=_seconds(info.started, info.ended), results=str(folder / "model"),
        checkpoints=str(folder / "checkpoints"), log_file=str(folder / "log.txt"),
        inputs={path.name: str(path) for path in inputs},
    )


def _local_hyperparameters(folder: Path) -> dict[str, str]:
    """A local job's hyperparameters.json, as the job read it; empty when it has none a job could read."""
    try:
        found = json.loads((folder / "input" / "config" / "hyperparameters.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(name): str(value) for name, value in found.items()} if isinstance(found, dict) else {}


def _planned(job: Job) -> tuple[PlannedRecord | None, str | None]:
    """The job's planned record, or why it cannot be read: all else about the job can be shown without it."""
    try:
        return job.planned(), None
    except BraketkitError as error:
        return None, str(error)


def job_details(job: Job) -> JobDetails:
    """Everything about ``job`` (``braketkit show``): a cloud job's GetJob answer (the one at hand, if any) and
    planned record, or a local job's record and folder.

    Args:
        job: A handle on the job (``AwsJob.attach(...)``, ``LocalJob(folder)``, what a call returned).
    """
    from .local import LocalJob

    planned, problem = _planned(job)
    call = None
    if planned is not None or problem is None:
        try:
            call = job.call()
        except BraketkitError as error:  # a record whose call its tag does not vouch for: the rest can be shown
            problem = problem or (str(error) if planned is not None else None)
    if isinstance(job, LocalJob):
        found = local_details(job.metadata(), job.folder, failure_reason=job.failure_reason(),
                              hyperparameters=_local_hyperparameters(job.folder), planned=planned, call=call)
    else:
        found = cloud_details(job.metadata(refresh=False), planned, call)
    return attrs.evolve(found, record_problem=problem)
