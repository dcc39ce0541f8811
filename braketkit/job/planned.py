"""What a job records of itself, checked: the archive digest it names, and whether a planned record is its own
(the check every reader of a record makes before believing it)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..errors import BraketkitError
from ..model.provenance import TAGS, PlannedRecord

__all__ = ["record_of_job", "recorded_digest"]

_ADDRESSED = re.compile(r"/sources/([0-9a-f]{64})/source\.tar\.gz\Z")
_DIGEST = re.compile(r"[0-9a-f]{64}")


def record_of_job(record: PlannedRecord, job_name: str, digest: str | None, where: str) -> PlannedRecord:
    """``record``, once it is known to be this job's: its name the job's, and the archive its provenance names the
    one the job records (when the job records one). A record is a file anyone who may write the bucket (or the
    folder) can change, while the job's name and script URI are the service's: a record that disagrees with them
    describes another job, and is refused rather than shown as this one's."""
    wrong = []
    if record.job_name != job_name:
        wrong.append(f"it names job {record.job_name}")
    if digest is not None and record.provenance.archive_sha256 != digest:
        wrong.append(f"it names the archive sha256 {record.provenance.archive_sha256}, and the job runs {digest}")
    if wrong:
        raise BraketkitError(f"the planned record {where} is not this job's: {'; '.join(wrong)}")
    return record


def recorded_digest(tags: Mapping[str, str] | None, script_uri: str | None) -> str | None:
    """The archive digest a job records: its content-addressed script URI's (part of the request, which nothing
    changes), else its provenance tag; None if neither holds one. Only a SHA-256 as braketkit writes it (64
    lowercase hex digits) counts: anything else in the tag is no digest, and never part of a path."""
    found = _ADDRESSED.search(script_uri or "")
    if found:
        return found.group(1)
    tagged = (tags or {}).get(TAGS["archive_sha256"], "")
    return tagged if _DIGEST.fullmatch(tagged) else None
