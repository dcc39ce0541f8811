"""The job a rerun starts from: the request it was created with, and where its archive and inputs are.

A cloud job is described by GetJob (its members are CreateJob's). A local job keeps no request: it is
read back from its folder, which holds what the job was given (``input/config/hyperparameters.json``,
``input/data/<channel>/``) and its record (device, tags: its provenance among them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import BraketkitError, InvalidInput, Problem
from ..model.provenance import RECORD_CHANNEL, RECORD_NAME, TAGS, JobCall, PlannedRecord, Provenance
from ..model.request import (
    AlgorithmSpecification,
    CreateJobRequest,
    DataSource,
    DeviceConfig,
    InputFileConfig,
    InstanceConfig,
    JobOutputDataConfig,
    S3DataSource,
    ScriptModeConfig,
)
from ..model.steps import Upload
from ..package import collect_channel
from ..plan import UNRESOLVED_ACCOUNT, UNRESOLVED_ROLE
from ..plan.legacy import LEGACY_ENTRY_POINT, LEGACY_HYPERPARAMETERS, is_legacy
from ..plan.rerun import original_request
from ..runtime.contract import JOB_MODULE
from .info import region_of
from .local import LocalJob

if TYPE_CHECKING:
    from ..aws import Aws
    from . import AwsJob, Job

__all__ = ["Original", "find_original"]

_LOCAL_BUCKET = f"s3://amazon-braket-local-{UNRESOLVED_ACCOUNT}/jobs"
"""Where a local job's request says its files are: it never had any in S3 (a local plan's bucket)."""


@attrs.frozen(kw_only=True)
class Original:
    """The job to run again.

    Attributes:
        request: The request it was created with (a local job's: read back from its folder).
        reran: What the rerun's ``braketkit:rerun-of`` tag says: the ARN, or a local job's name.
        region: A cloud job's region; None for a local job.
        metadata: A cloud job's GetJob answer.
        folder: A local job's folder.
        channels: A local job's input files, each at its channel's URI in ``request``.
        provenance: Where its code came from: its planned record's (exact), else its tags'; None for a job
            braketkit did not make.
        record: Its planned record; None for a job without one (made by another tool, or before braketkit
            wrote records).
        call: How braketkit's runtime called its function (``JobCall``: the record's, as its tag vouches, or a
            braketkit 0.1 job's hyperparameters'); None for a script's job or another tool's.
        entry: What it runs: its function (``module:qualname``) or script (its entry point); None for a job
            braketkit did not make.
        notes: What could not be read of it, for the user.
    """

    request: CreateJobRequest
    reran: str
    region: str | None
    metadata: dict[str, Any] | None = None
    folder: Path | None = None
    channels: tuple[Upload, ...] = ()
    provenance: Provenance | None = None
    record: PlannedRecord | None = None
    call: JobCall | None = None
    entry: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def legacy(self) -> bool:
        """Made by braketkit 0.1: its archive's runtime reads the call from the hyperparameters."""
        return is_legacy(self.request.algorithm_specification.script_mode_config.entry_point)


def _local_folder(job: str, jobs: Path) -> Path | None:
    for folder in (Path(job), jobs / job):
        if (folder / "job.json").is_file():
            return folder
    return None


def find_original(job: Job | str, *, region: str | None, aws: Aws | None, jobs: Path) -> Original:
    """The job ``job`` names: a handle, a local job's folder or name (under ``jobs``), a cloud job's ARN, or its
    name (the newest job of that name in ``region``); an unknown job is ``InvalidInput``."""
    from .cloud import AwsJob, talking_to_aws

    if isinstance(job, LocalJob):
        return _local(job.folder)
    if isinstance(job, AwsJob):
        return _cloud(job)
    folder = _local_folder(job, jobs)
    if folder is not None:
        return _local(folder)
    try:
        handle = AwsJob.attach(job, region=region_of(job) if job.startswith("arn:") else region, aws=aws)
    except InvalidInput as error:
        if job.startswith("arn:") or len(error.problems) != 1:
            raise
        raise InvalidInput([Problem(f"no local job named {job!r} in {jobs}, and {error.problems[0].message}",
                                    "JOB")]) from error
    with talking_to_aws(job):
        return _cloud(handle)


def _cloud(job: AwsJob[Any]) -> Original:
    """A cloud job as GetJob describes it, with its planned record when braketkit made it."""
    from ..converter import provenance_of_tags
    from .cloud import talking_to_aws
    from .planned import recorded_digest

    with talking_to_aws(job.arn):
        metadata = job.metadata(refresh=False)
    request = original_request(metadata)
    provenance = provenance_of_tags(request.tags or {})
    record, notes = None, []
    made_here = provenance is not None or recorded_digest(
        request.tags, request.algorithm_specification.script_mode_config.s3_uri) is not None
    if made_here:  # braketkit made it: it may have a record
        try:
            record = job.planned()
        except BraketkitError as error:  # S3 refused, a damaged record: the rerun goes on without it
            notes.append(f"{error}; the rerun's record has the settings of the job's request")
    with talking_to_aws(job.arn):
        call = job.call()  # a function's job: without its call (a changed record) there is nothing to rerun
    return Original(request=request, reran=job.arn, region=job.region, metadata=metadata,
                    provenance=record.provenance if record is not None else provenance, record=record,
                    call=call, entry=_entry(request, call, record, made_here), notes=tuple(notes))


def _entry(request: CreateJobRequest, call: JobCall | None, record: PlannedRecord | None,
           made_here: bool) -> str | None:
    """What a job runs, as braketkit names it; None for a job of another tool."""
    if call is not None:
        return call.entry
    if record is not None:
        return record.entry
    if is_legacy(request.algorithm_specification.script_mode_config.entry_point):
        return (request.hyper_parameters or {}).get(LEGACY_HYPERPARAMETERS["entry"])
    return request.algorithm_specification.script_mode_config.entry_point if made_here else None


def _local(folder: Path) -> Original:
    """A local job's request, read back from its folder."""
    job = LocalJob(folder)
    record = job.metadata()
    call = job.call()  # a function's job: without its call (a changed record) there is nothing to rerun
    try:
        hyperparameters = json.loads((folder / "input" / "config" / "hyperparameters.json").read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidInput([Problem(f"cannot read the hyperparameters of local job {folder.name} "
                                    f"({error}); its folder is damaged", "JOB")]) from None
    legacy = isinstance(hyperparameters, dict) and LEGACY_HYPERPARAMETERS["entry"] in hyperparameters
    digest = record.provenance.archive_sha256 if record.provenance is not None else record.tags.get(
        TAGS["archive_sha256"], "unrecorded")  # no digest: no archive to find
    channels: list[Upload] = []
    inputs: list[InputFileConfig] = []
    data = folder / "input" / "data"
    for path in sorted(data.iterdir()) if data.is_dir() else []:
        if path.name == RECORD_CHANNEL and call is not None and not legacy:
            continue  # the job's record: a rerun's is its own
        channel = collect_channel(path.name, path, f"local job {folder.name}")
        uri = f"{_LOCAL_BUCKET}/inputs/{channel.digest}/"
        channels += [Upload(path=file.path, s3_uri=uri + file.name, size=file.size, sha256=file.sha256)
                     for file in channel.files]
        inputs.append(InputFileConfig(channel_name=path.name, data_source=DataSource(
            s3_data_source=S3DataSource(s3_uri=uri))))
    output = f"{_LOCAL_BUCKET}/{folder.name}"
    if call is not None and not legacy:
        inputs.append(InputFileConfig(channel_name=RECORD_CHANNEL, data_source=DataSource(
            s3_data_source=S3DataSource(s3_uri=f"{output}/{RECORD_NAME}"))))
    entry_point = (LEGACY_ENTRY_POINT if legacy else f"{JOB_MODULE}:{call.entry.partition(':')[2]}"
                   if call is not None else record.entry)
    request = CreateJobRequest(
        client_token="reran", job_name=folder.name, role_arn=UNRESOLVED_ROLE,
        algorithm_specification=AlgorithmSpecification(script_mode_config=ScriptModeConfig(
            entry_point=entry_point, s3_uri=f"{_LOCAL_BUCKET}/sources/{digest}/source.tar.gz")),
        device_config=DeviceConfig(device=record.device),
        instance_config=InstanceConfig(instance_type="ml.m5.large", volume_size_in_gb=30, instance_count=1),
        output_data_config=JobOutputDataConfig(s3_path=output),
        hyper_parameters={str(key): str(value) for key, value in hyperparameters.items()} or None,
        input_data_config=inputs or None, tags=dict(record.tags) or None)
    notes: tuple[str, ...] = ()
    try:
        record_of = LocalJob(folder).planned()
    except BraketkitError as error:  # a damaged record: the rerun goes on without it
        record_of, notes = None, (f"{error}; the rerun's record has the settings of the job's folder",)
    return Original(request=request, reran=folder.name, region=None, folder=folder, channels=tuple(channels),
                    provenance=record_of.provenance if record_of is not None else record.provenance,
                    record=record_of, call=call, entry=record.entry or None, notes=notes)
