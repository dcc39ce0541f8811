"""A job's call, as a reader may believe it: from its planned record, checked against its tag.

A function's job keeps how its function is called (``JobCall``) in its planned record, a file the job itself may
write; its ``braketkit:call-sha256`` tag is the service's. A record whose call does not match the tag is refused, so
that a job cannot change what ``result(allow_pickle=True)`` unpickles or what ``rerun`` passes. (Jobs of braketkit
0.1 kept the call in hyperparameters of their own, which the service keeps: ``plan.legacy`` reads them.)
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import BraketkitError
from ..model.provenance import CALL_TAG, JobCall, PlannedRecord

__all__ = ["trusted_call"]


def trusted_call(record: PlannedRecord | None, tags: Mapping[str, str], job: str) -> JobCall | None:
    """The call ``record`` holds, when the job's ``braketkit:call-sha256`` tag vouches for it; None when the job has
    none (a script's job, a record of format 1). A call the tag does not match is a ``BraketkitError``."""
    from ..converter import call_digest

    tagged = tags.get(CALL_TAG)
    call = record.call if record is not None else None
    if call is None and tagged is None:
        return None
    if call is None:
        raise BraketkitError(f"job {job} records a call (its {CALL_TAG} tag), but its planned record holds none: "
                             "the record was changed or lost")
    if tagged is None or call_digest(call) != tagged:
        raise BraketkitError(f"the call in the planned record of job {job} is not the one the job was created with "
                             f"(its {CALL_TAG} tag): the record was changed after the job was planned")
    return call
