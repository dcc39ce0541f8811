"""The CreateJob request, shape for shape as in the ``braket`` service model.

Field names are the API's members in snake_case; the converter renames them to
camelCase and drops members left at ``None``. Limits are not repeated here:
``plan.validate`` checks the unstructured request against the service model.
"""

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
    """The keyword arguments of ``boto3.client("braket").create_job``.

    Each field is the API's member of the same name in camelCase (``job_name`` is ``jobName``); the
    service's API reference describes them. braketkit fills them from the settings (docs/planning.md).

    Attributes:
        client_token: One token for the whole submission, kept across retries: the service makes one job
            however often the request is sent.
        job_name: ``jobName``, from ``job_name`` or the function's name and the time.
        role_arn: ``roleArn``, the role the job runs as.
        algorithm_specification: ``algorithmSpecification``: the source archive, entry point and image.
        device_config: ``deviceConfig``: the device the job's tasks go to.
        instance_config: ``instanceConfig``: the instances, from ``instance``.
        output_data_config: ``outputDataConfig``: where results go, and their KMS key.
        checkpoint_config: ``checkpointConfig``: where checkpoints live, here and in S3.
        stopping_condition: ``stoppingCondition``: the longest the job may run.
        hyper_parameters: ``hyperParameters``: the call's arguments as JSON, the settings' hyperparameters,
            and braketkit's own ``braketkit_*`` entries.
        input_data_config: ``inputDataConfig``: the input channels.
        tags: ``tags``, from ``tags``.
        associations: ``associations``: the reservation, if any.
    """

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
