"""What ``braketkit show`` says of one job (``JobDetails``) and ``braketkit diff`` of two (``JobComparison``).

Data only: ``job.details`` and ``job.compare`` build them, the converter writes them as the ``--json``
documents of docs/cli.md (a field without a value left out, times in ISO 8601 UTC), and the CLI's text
is made from them. ``JobDetails`` is a ``JobInfo`` with more: one vocabulary.
"""

from __future__ import annotations

from typing import Any

import attrs

from .job import JobInfo
from .provenance import PlannedSetting, Provenance

__all__ = ["Change", "FileChange", "JobComparison", "JobDetails", "SourceComparison"]


@attrs.frozen(kw_only=True)
class JobDetails(JobInfo):
    """Everything braketkit knows of one job, cloud or local (``braketkit show --json``): what every job command
    shows of it (``JobInfo``'s fields, first), then the rest.

    A field the job has no value for is None (or empty), and left out of JSON.
    """

    queued_seconds: int | None = None
    """From created to started, whole seconds."""
    ran_seconds: int | None = None
    """From started to ended (or to now while running: not kept; only an ended job has it)."""
    billed_ms: int | None = None
    """GetJob's ``billableDuration``: the milliseconds Amazon Braket bills the job's instances for."""
    entry: str | None = None
    """What the job runs: a function's ``module:function`` (its call's), a script's entry point."""
    instance_type: str | None = None
    """The instance type (``instanceConfig.instanceType``)."""
    instance_count: int | None = None
    """How many instances."""
    volume_gb: int | None = None
    """Each instance's storage, in GB."""
    max_runtime: int | None = None
    """``stoppingCondition.maxRuntimeInSeconds``."""
    image: str | None = None
    """The container image's URI; None: the service's default."""
    role: str | None = None
    """The IAM role the job runs as."""
    reservation: str | None = None
    """The reservation the job runs in (its association's ARN)."""
    source: str | None = None
    """Where its source archive is: the script URI in S3 (a local job: none, its code is in its folder)."""
    output: str | None = None
    """``outputDataConfig.s3Path``."""
    results: str | None = None
    """Where its results are: ``<output>/output/model.tar.gz``; a local job's ``model/`` folder."""
    checkpoints: str | None = None
    """``checkpointConfig.s3Uri`` (a local job's ``checkpoints/`` folder)."""
    log_group: str | None = None
    """The CloudWatch log group of its log (``/aws/braket/jobs``)."""
    log_stream_prefix: str | None = None
    """What the names of its instances' log streams start with."""
    log_file: str | None = None
    """A local job's log, ``log.txt`` in its folder."""
    inputs: dict[str, str] = attrs.field(factory=dict)
    """Each input channel's S3 URI (a local job: its folder under ``input/data/``), by channel."""
    arguments: dict[str, Any] = attrs.field(factory=dict)
    """The call's arguments, decoded from their JSON hyperparameters (text when one is not JSON)."""
    hyperparameters: dict[str, str] = attrs.field(factory=dict)
    """The other hyperparameters, braketkit's own (``braketkit_*``) left out."""
    tags: dict[str, str] = attrs.field(factory=dict)
    """The user's tags; braketkit's own (``braketkit:*``) are the provenance, sweep and rerun fields instead."""
    provenance: Provenance | None = None
    """Where its code came from; None: none recorded (a job braketkit did not make)."""
    planned_at: str | None = None
    """When it was planned, from its planned record; None when it has none."""
    settings: dict[str, PlannedSetting] | None = None
    """Every setting as planned, with its origin, from its planned record; None when it has none."""
    record_problem: str | None = None
    """Why its planned record could not be read (damaged, of a format this braketkit does not know, refused by
    S3); None when it was read, or there is none."""
    rerun_of: str | None = None
    """The job this one reran (its ``braketkit:rerun-of`` tag)."""


@attrs.frozen(kw_only=True)
class Change:
    """One value that differs between two jobs; ``None`` on a side: the job has no such value."""

    key: str
    """What differs: a setting's key (``instance.type``), an argument's or hyperparameter's name, a provenance
    field."""
    first: Any = None
    """Its value in the first job."""
    second: Any = None
    """Its value in the second job."""
    first_origin: str | None = None
    """Where the first job's value came from, for a setting of a planned record (``pyproject.toml:5``)."""
    second_origin: str | None = None
    """Where the second job's came from."""


@attrs.frozen(kw_only=True)
class FileChange:
    """A file both archives hold, with other bytes."""

    path: str
    """The file's path in the archives."""
    diff: str | None = None
    """A unified diff, when both are text files braketkit read."""
    note: str | None = None
    """Why there is no diff: ``binary files differ``, a link, too large to read."""


@attrs.frozen(kw_only=True)
class SourceComparison:
    """The two jobs' source archives, member by member."""

    first_sha256: str | None = None
    """The first job's archive's SHA-256."""
    second_sha256: str | None = None
    """The second job's."""
    same: bool
    """Both archives have the same digest: nothing was read from them."""
    added: list[str] = attrs.field(factory=list)
    """Files only the second job's archive holds."""
    removed: list[str] = attrs.field(factory=list)
    """Files only the first job's archive holds."""
    changed: list[FileChange] = attrs.field(factory=list)
    """Files both hold, with other bytes."""
    note: str | None = None
    """What differs when the digests do and no file does (modes, times, folders, order)."""
    unverified: list[str] = attrs.field(factory=list)
    """The jobs (by name) whose archive could not be checked against a recorded digest: taken as S3 holds it."""


@attrs.frozen(kw_only=True)
class JobComparison:
    """What differs between two jobs (``braketkit diff --json``); each list holds only what differs."""

    first: str
    """The first job's name."""
    second: str
    """The second job's name."""
    settings_from: str
    """``planned`` (both jobs' planned records) or ``jobs`` (what the service or the local records say)."""
    settings: list[Change] = attrs.field(factory=list)
    """The settings that differ, by key."""
    arguments: list[Change] = attrs.field(factory=list)
    """The call arguments that differ, by name."""
    hyperparameters: list[Change] = attrs.field(factory=list)
    """The other hyperparameters that differ, by name."""
    provenance: list[Change] = attrs.field(factory=list)
    """The provenance fields that differ (``git_commit``)."""
    source: SourceComparison | None = None
    """The source archives compared; None when one could not be had (``source_problem`` says why)."""
    source_problem: str | None = None
    """Why the archives could not be compared (a local job's gone from the cache, say)."""
    differ: bool
    """Whether anything differs: the settings, arguments, hyperparameters, provenance or source files."""
