"""The settings vocabulary, one attrs class per ``[tool.braketkit]`` table.

The same names are used in TOML, decorator keywords, ``BRAKETKIT_*`` variables
and ``--set``. Defaults here are the lowest layer of the precedence order.
"""

from __future__ import annotations

from typing import Literal, NewType

import attrs

__all__ = [
    "S3",
    "Checkpoint",
    "Instance",
    "ParameterText",
    "Seconds",
    "Settings",
    "Stopping",
    "SweepLimits",
]

Seconds = NewType("Seconds", int)
"""A duration: an integer number of seconds, or a string such as ``"2h"`` or ``"1h30m"``."""

ParameterText = NewType("ParameterText", str)
"""A hyperparameter value: written as a string, number or boolean, sent as a string."""


@attrs.frozen(kw_only=True)
class Instance:
    """Where the job's classical code runs (``instanceConfig``)."""

    type: str = "ml.m5.large"
    count: int = 1
    volume_gb: int = 30


@attrs.frozen(kw_only=True)
class Stopping:
    """When the service stops the job (``stoppingCondition``)."""

    max_runtime: Seconds = Seconds(432000)


@attrs.frozen(kw_only=True)
class S3:
    """Where job artefacts go (``outputDataConfig`` and braketkit's uploads)."""

    bucket: str | None = None
    prefix: str = "jobs"
    kms_key: str | None = None


@attrs.frozen(kw_only=True)
class Checkpoint:
    """Checkpoint settings (``checkpointConfig``)."""

    local_path: str = "/opt/jobs/checkpoints"
    copy_from_job: str | None = None


@attrs.frozen(kw_only=True)
class SweepLimits:
    """The service's CreateJob limits that submissions keep to, and how a sweep waits for the job quota.

    ``rate`` and ``burst`` are Amazon Braket's CreateJob rate (calls a second) and burst; every
    CreateJob braketkit sends from one process, in a sweep or not, is paced by them. ``poll`` is
    the seconds between checks of a sweep's unfinished jobs while it waits for the quota of
    concurrent jobs. Each field's ``metadata`` bounds it: the parser and the JSON Schema read them.
    """

    rate: float = attrs.field(default=1.0, metadata={"exclusive_minimum": 0})
    burst: int = attrs.field(default=5, metadata={"minimum": 1})
    poll: float = attrs.field(default=10.0, metadata={"exclusive_minimum": 0})


@attrs.frozen(kw_only=True)
class Settings:
    """Everything ``[tool.braketkit]`` can say, with braketkit's built-in defaults."""

    device: str | None = None
    region: str | None = None
    role: str | None = None
    image: str = "base"
    job_name: str | None = None
    source: str | None = None
    include: list[str] = attrs.field(factory=list)
    exclude: list[str] = attrs.field(factory=list)
    dependencies: str | list[str] | None = None
    hyperparameters: dict[str, ParameterText] = attrs.field(factory=dict)
    tags: dict[str, str] = attrs.field(factory=dict)
    reservation: str | None = None
    distribution: Literal["data_parallel"] | None = None
    wait: bool = False
    local: bool = False
    result_format: Literal["plaintext", "pickled_v4"] = "plaintext"
    max_source_mb: int = 500
    instance: Instance = attrs.field(factory=Instance)
    stopping: Stopping = attrs.field(factory=Stopping)
    s3: S3 = attrs.field(factory=S3)
    checkpoint: Checkpoint = attrs.field(factory=Checkpoint)
    sweep: SweepLimits = attrs.field(factory=SweepLimits)
    input: dict[str, str] = attrs.field(factory=dict)
    devices: dict[str, str] = attrs.field(factory=dict)
