"""The steps of a plan: everything a submission changes in AWS, in the order it happens.

The planner decides the steps (``plan.steps``); ``braketkit plan`` shows them; the executor
(``execute.cloud``) carries out exactly these, each by its kind, and nothing else. What cannot be
known offline (whether the bucket exists, whether S3 holds an upload already) is checked when the
step runs: those steps say what they do when it is already so.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from .provenance import PlannedRecord
from .request import CreateJobRequest

__all__ = ["CopyCheckpoints", "CreateJob", "EnsureBucket", "Step", "Upload", "WriteRecord"]


@attrs.frozen(kw_only=True)
class EnsureBucket:
    """Make sure the bucket exists and is the caller's: create it if missing, then block its public access.

    A bucket of that name owned by anyone else is refused, never written to.

    Attributes:
        bucket: The bucket's name.
        region: Where it is created when missing.
        owner: The account that must own it (the caller's): every S3 call names it as the expected owner.
            None when the plan did not look it up (a bucket of your own naming): read when the step runs.
        block_public_access: Block every kind of public access on a bucket it creates.
    """

    bucket: str
    region: str
    owner: str | None
    block_public_access: bool = True


@attrs.frozen(kw_only=True)
class Upload:
    """A local file the submission puts at a content-addressed S3 key; skipped when S3 holds it already.

    Attributes:
        path: The file on this machine.
        s3_uri: Where it goes: a key named by its content, so S3 holding it already means no upload.
        size: Its size in bytes.
        sha256: Its SHA-256, hex; stored with the object, and compared before uploading again.
    """

    path: Path
    s3_uri: str
    size: int
    sha256: str


@attrs.frozen(kw_only=True)
class CopyCheckpoints:
    """Copy an earlier job's checkpoints to this job's checkpoint location before it is created.

    Only keys not already at ``to_uri`` are copied: submitting the same plan again (after an interruption)
    never overwrites what the job has written there since.

    Attributes:
        from_job: The earlier job, by ARN or name (``checkpoint.copy_from_job``).
        to_uri: This job's checkpoint location (``checkpointConfig.s3Uri``).
        from_uri: Where the earlier job's checkpoints are (its ``checkpointConfig.s3Uri``), as GetJob told the
            plan; None when the plan did not look the job up (offline): such a plan cannot be submitted.
    """

    from_job: str
    to_uri: str
    from_uri: str | None = None


@attrs.frozen(kw_only=True)
class WriteRecord:
    """Put the job's planned record beside its outputs, before it is created (``model.provenance``).

    Written again when the same plan is submitted again (after an interruption): the same record. A record
    another submission left there is replaced only when no job of this name exists (job names are never reused:
    such a plan is refused, and that job's record left as it is).

    Attributes:
        s3_uri: Where: ``<outputDataConfig.s3Path>/braketkit/planned.json`` (``RECORD_NAME``).
        record: The record (``Plan.record``), written as JSON (``converter.record_text``: equal records give equal
            bytes).
        client_token: The plan's CreateJob client token, stored with the record: tells this plan's record from
            another submission's.
    """

    s3_uri: str
    record: PlannedRecord
    client_token: str


@attrs.frozen(kw_only=True)
class CreateJob:
    """CreateJob with the plan's request, under its one client token for as long as it is retried.

    Attributes:
        request: The request, validated against the service model.
    """

    request: CreateJobRequest


Step = EnsureBucket | Upload | CopyCheckpoints | WriteRecord | CreateJob
"""One step of a plan."""
