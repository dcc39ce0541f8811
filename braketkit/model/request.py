"""The CreateJob request, shape for shape as in the ``braket`` service model.

Field names are the API's members in snake_case; the converter renames them to
camelCase and drops members left at ``None``. Limits are not repeated here:
``plan.validate`` checks the unstructured request against the service model.
"""

from __future__ import annotations

import attrs

__all__ = [
    "AlgorithmSpecification",
    "Association",
    "ContainerImage",
    "CreateJobRequest",
    "DataSource",
    "DeviceConfig",
    "InputFileConfig",
    "InstanceConfig",
    "JobCheckpointConfig",
    "JobOutputDataConfig",
    "JobStoppingCondition",
    "S3DataSource",
    "ScriptModeConfig",
]


@attrs.frozen(kw_only=True)
class ScriptModeConfig:
    entry_point: str
    s3_uri: str
    compression_type: str | None = "GZIP"


@attrs.frozen(kw_only=True)
class ContainerImage:
    uri: str


@attrs.frozen(kw_only=True)
class AlgorithmSpecification:
    script_mode_config: ScriptModeConfig
    container_image: ContainerImage | None = None


@attrs.frozen(kw_only=True)
class S3DataSource:
    s3_uri: str


@attrs.frozen(kw_only=True)
class DataSource:
    s3_data_source: S3DataSource


@attrs.frozen(kw_only=True)
class InputFileConfig:
    channel_name: str
    data_source: DataSource
    content_type: str | None = None


@attrs.frozen(kw_only=True)
class JobOutputDataConfig:
    s3_path: str
    kms_key_id: str | None = None


@attrs.frozen(kw_only=True)
class JobCheckpointConfig:
    s3_uri: str
    local_path: str | None = None


@attrs.frozen(kw_only=True)
class JobStoppingCondition:
    max_runtime_in_seconds: int | None = None


@attrs.frozen(kw_only=True)
class InstanceConfig:
    instance_type: str
    volume_size_in_gb: int
    instance_count: int | None = None


@attrs.frozen(kw_only=True)
class DeviceConfig:
    device: str


@attrs.frozen(kw_only=True)
class Association:
    arn: str
    type: str = "RESERVATION_TIME_WINDOW_ARN"


@attrs.frozen(kw_only=True)
class CreateJobRequest:
    """The keyword arguments of ``boto3.client("braket").create_job``."""

    client_token: str
    job_name: str
    role_arn: str
    algorithm_specification: AlgorithmSpecification
    device_config: DeviceConfig
    instance_config: InstanceConfig
    output_data_config: JobOutputDataConfig
    checkpoint_config: JobCheckpointConfig | None = None
    stopping_condition: JobStoppingCondition | None = None
    hyper_parameters: dict[str, str] | None = None
    input_data_config: list[InputFileConfig] | None = None
    tags: dict[str, str] | None = None
    associations: list[Association] | None = None
