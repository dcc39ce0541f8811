"""Where a job's code came from (``Provenance``), and the record of how it was planned (``PlannedRecord``).

Every job braketkit makes carries its provenance twice: as tags on the job (``TAGS``: a
``braketkit:`` name for each field, readable by the console, the Braket SDK and SearchJobs),
and whole in its planned record. The record is a JSON file beside the job's outputs
(``<outputDataConfig.s3Path>/RECORD_NAME``; a local job: ``RECORD_NAME`` in its folder) with the
settings as they were planned, each with its origin. Tags are what every tool sees; the record is
what braketkit adds for ``show``, ``diff`` and ``rerun``.
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["CALL_TAG", "OWN_TAGS", "OWN_TAGS_PREFIX", "READABLE_FORMATS", "RECORD_CHANNEL", "RECORD_FORMAT",
           "RECORD_NAME", "RERUN_TAG", "SWEEP_TAG", "TAGS", "JobCall", "PlannedRecord", "PlannedSetting", "Provenance"]


@attrs.frozen(kw_only=True)
class Provenance:
    """What a job's code was, and what planned it; a git field is None when the project is no git repository
    (or git is not installed).

    Attributes:
        archive_sha256: The SHA-256 of the source archive the job runs (its S3 key names it too).
        braketkit_version: The braketkit that planned the job (and whose runtime is in the archive).
        python_version: The Python that planned it, such as ``3.11.7``.
        git_commit: The commit checked out in the source folder's repository.
        git_branch: The branch checked out; None when detached.
        git_dirty: Whether the source folder had changes not committed (untracked files included).
        git_diff_sha256: A SHA-256 of those changes (the diff against the commit, and the untracked files'
            names and contents); None when the tree was clean.
    """

    archive_sha256: str
    braketkit_version: str
    python_version: str
    git_commit: str | None = None
    git_branch: str | None = None
    git_dirty: bool | None = None
    git_diff_sha256: str | None = None


TAGS = {
    "archive_sha256": "braketkit:archive-sha256",
    "braketkit_version": "braketkit:version",
    "python_version": "braketkit:python",
    "git_commit": "braketkit:git-commit",
    "git_branch": "braketkit:git-branch",
    "git_dirty": "braketkit:git-dirty",
    "git_diff_sha256": "braketkit:git-diff-sha256",
}
"""The tag each provenance field is stored in, by field name; a field that is None has no tag."""

RERUN_TAG = "braketkit:rerun-of"
"""The tag of a job made by ``braketkit rerun``: the ARN (or a local job's name) of the job it reran."""

SWEEP_TAG = "braketkit:sweep"
"""The tag each job of a sweep carries, its value the sweep's id (``braketkit list --sweep ID``)."""

CALL_TAG = "braketkit:call-sha256"
"""The tag of a function's job: the SHA-256 of its call (``JobCall``) as its planned record holds it. The record is a
file the job itself may write; the tag is the service's, so a reader believes the call only when the digests agree."""

OWN_TAGS = (*TAGS.values(), SWEEP_TAG, RERUN_TAG, CALL_TAG)
"""Every tag braketkit may give a job: the user may give as many as the service allows a job less these."""

OWN_TAGS_PREFIX = "braketkit:"
"""What the name of each of braketkit's tags starts with; a tag of the user's may not."""

RECORD_NAME = "braketkit/planned.json"
"""The planned record's place: under the job's output path in S3, and in a local job's folder."""

RECORD_CHANNEL = "braketkit"
"""The input channel a function's job reads its record from (``$AMZN_BRAKET_INPUT_DIR/braketkit/planned.json``): the
record is written before CreateJob, and the channel names it, so braketkit's own data never sits in the
hyperparameters."""

RECORD_FORMAT = "braketkit-planned-2"
READABLE_FORMATS = ("braketkit-planned-1", RECORD_FORMAT)
"""The record formats this braketkit reads: 1 has no ``call`` (its jobs kept it in their hyperparameters)."""


@attrs.frozen(kw_only=True)
class JobCall:
    """How braketkit's runtime calls the function inside the job: what a job of the Braket SDK's decorator keeps in
    its pickle, kept here as data. The runtime of the job's archive reads it (``runtime/entry.py``), so its JSON
    form is a contract with every archive braketkit has written: members are added, never renamed.

    Attributes:
        entry: The function, ``module:qualname``.
        paths: Folders, relative to the code folder, put first on ``sys.path`` (in this order) before importing it.
        arguments: The call's arguments as given, each as JSON text by parameter name (the job's hyperparameters
            show them as the Braket SDK's decorator does: text, defaults included).
        result_format: How the runtime stores what the function returns: ``plaintext`` or ``pickled_v4``.
        inputs: For each input channel declared by a relative path: that path, relative to the code folder, and
            where the channel's copy is under the input folder (``{"data.npy": "data/data.npy"}``).
        cwd: For a function from a notebook or script: the folder, relative to the code folder, it runs in.
    """

    entry: str
    paths: list[str] = attrs.field(factory=list)
    arguments: dict[str, str] = attrs.field(factory=dict)
    result_format: str = "plaintext"
    inputs: dict[str, str] = attrs.field(factory=dict)
    cwd: str | None = None


@attrs.frozen(kw_only=True)
class PlannedSetting:
    """One setting as it was planned: its value (secrets redacted) and where it came from.

    Attributes:
        value: Its value, as ``braketkit config show --json`` writes it.
        origin: Where it came from: ``pyproject.toml:14``, ``env BRAKETKIT_DEVICE``, ``default``...
    """

    value: Any
    origin: str


@attrs.frozen(kw_only=True)
class PlannedRecord:
    """How a job was planned: what ``braketkit show`` and ``diff`` read beyond what the service keeps.

    Attributes:
        format: ``RECORD_FORMAT``; a reader refuses a format it does not know.
        job_name: The job it is the record of.
        planned_at: When it was planned, ISO 8601 UTC.
        entry: What the job runs, ``module:function`` (or a script's module).
        provenance: Where its code came from; the git branch exact, as its tag may not be.
        settings: Every setting as planned, by key (``instance.type``), with its origin.
        rerun_of: The job this one reran, if it is a rerun.
        call: How the runtime calls the function (``JobCall``); None for a script's job, which Braket's container
            runs itself, and in records of format 1.
    """

    format: str = RECORD_FORMAT
    job_name: str
    planned_at: str
    entry: str
    provenance: Provenance
    settings: dict[str, PlannedSetting]
    rerun_of: str | None = None
    call: JobCall | None = None
