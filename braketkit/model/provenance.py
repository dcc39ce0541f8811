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

__all__ = ["OWN_TAGS", "OWN_TAGS_PREFIX", "RECORD_FORMAT", "RECORD_NAME", "RERUN_TAG", "SWEEP_TAG", "TAGS",
           "PlannedRecord", "PlannedSetting", "Provenance"]


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

OWN_TAGS = (*TAGS.values(), SWEEP_TAG, RERUN_TAG)
"""Every tag braketkit may give a job: the user may give as many as the service allows a job less these."""

OWN_TAGS_PREFIX = "braketkit:"
"""What the name of each of braketkit's tags starts with; a tag of the user's may not."""

RECORD_NAME = "braketkit/planned.json"
"""The planned record's place: under the job's output path in S3, and in a local job's folder."""

RECORD_FORMAT = "braketkit-planned-1"


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
    """

    format: str = RECORD_FORMAT
    job_name: str
    planned_at: str
    entry: str
    provenance: Provenance
    settings: dict[str, PlannedSetting]
    rerun_of: str | None = None
