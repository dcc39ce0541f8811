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

from ..errors import InvalidInput, Problem
from ..model.provenance import TAGS
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
from ..plan.rerun import original_request
from ..runtime import contract
from .info import region_of
from .local import LocalJob

if TYPE_CHECKING:
    from ..aws import Aws
    from . import Job

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
    """

    request: CreateJobRequest
    reran: str
    region: str | None
    metadata: dict[str, Any] | None = None
    folder: Path | None = None
    channels: tuple[Upload, ...] = ()


def _local_folder(job: str, jobs: Path) -> Path | None:
    for folder in (Path(job), jobs / job):
        if (folder / "job.json").is_file():
            return folder
    return None


def find_original(job: Job | str, *, region: str | None, aws: Aws | None, jobs: Path) -> Original:
    """The job ``job`` names: a handle, a local job's folder or name (under ``jobs``), a cloud job's ARN, or its
    name (the newest job of that name in ``region``); an unknown job is ``InvalidInput``."""
    from .cloud import AwsJob, find_job, talking_to_aws

    if isinstance(job, LocalJob):
        return _local(job.folder)
    if isinstance(job, AwsJob):
        with talking_to_aws(job.arn):
            return _cloud(job.metadata())
    folder = _local_folder(job, jobs)
    if folder is not None:
        return _local(folder)
    if aws is None:
        from ..aws import shared

        aws = shared()
    where = region_of(job) if job.startswith("arn:") else region
    try:
        with talking_to_aws(job):
            metadata = find_job(job, aws.braket(where), where)
    except InvalidInput as error:
        if job.startswith("arn:") or len(error.problems) != 1:
            raise
        raise InvalidInput([Problem(f"no local job named {job!r} in {jobs}, and {error.problems[0].message}",
                                    "JOB")]) from error
    return _cloud(metadata)


def _cloud(metadata: dict[str, Any]) -> Original:
    arn = str(metadata["jobArn"])
    return Original(request=original_request(metadata), reran=arn, region=region_of(arn), metadata=metadata)


def _local(folder: Path) -> Original:
    """A local job's request, read back from its folder."""
    record = LocalJob(folder).metadata()
    try:
        hyperparameters = json.loads((folder / "input" / "config" / "hyperparameters.json").read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidInput([Problem(f"cannot read the hyperparameters of local job {folder.name} "
                                    f"({error}); its folder is damaged", "JOB")]) from None
    digest = record.tags.get(TAGS["archive_sha256"], "unrecorded")  # no digest: no archive to find
    channels: list[Upload] = []
    inputs: list[InputFileConfig] = []
    data = folder / "input" / "data"
    for path in sorted(data.iterdir()) if data.is_dir() else []:
        channel = collect_channel(path.name, path, f"local job {folder.name}")
        uri = f"{_LOCAL_BUCKET}/inputs/{channel.digest}/"
        channels += [Upload(path=file.path, s3_uri=uri + file.name, size=file.size, sha256=file.sha256)
                     for file in channel.files]
        inputs.append(InputFileConfig(channel_name=path.name, data_source=DataSource(
            s3_data_source=S3DataSource(s3_uri=uri))))
    request = CreateJobRequest(
        client_token="reran", job_name=folder.name, role_arn=UNRESOLVED_ROLE,
        algorithm_specification=AlgorithmSpecification(script_mode_config=ScriptModeConfig(
            entry_point=contract.ENTRY_POINT, s3_uri=f"{_LOCAL_BUCKET}/sources/{digest}/source.tar.gz")),
        device_config=DeviceConfig(device=record.device),
        instance_config=InstanceConfig(instance_type="ml.m5.large", volume_size_in_gb=30, instance_count=1),
        output_data_config=JobOutputDataConfig(s3_path=f"{_LOCAL_BUCKET}/{folder.name}"),
        hyper_parameters={str(key): str(value) for key, value in hyperparameters.items()} or None,
        input_data_config=inputs or None, tags=dict(record.tags) or None)
    return Original(request=request, reran=folder.name, region=None, folder=folder, channels=tuple(channels))
