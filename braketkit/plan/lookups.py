"""Read-only AWS lookups for values the settings leave to the account, through the gateway (``Aws``).

Only called when the plan is not offline; each answers None (with a reason)
instead of failing, so a plan without credentials still shows everything else.
The gateway remembers what it found (account, default role): a sweep looks them up once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..aws import ROLE_NAME

if TYPE_CHECKING:
    from ..aws import Aws

__all__ = ["ACCOUNT_FOR_CHECKS", "ROLE_NAME", "AccountFacts", "EarlierJob", "configured_region", "earlier_job",
           "job_arn_region", "look_up"]

ACCOUNT_FOR_CHECKS = "123456789012"
"""Every AWS account ID has 12 digits: an offline plan checks the default bucket's paths with one this long."""


@attrs.frozen
class AccountFacts:
    account: str | None
    role: str | None
    notes: list[str]


def configured_region(aws: Aws, environ: Mapping[str, str]) -> str | None:
    """The region of the standard AWS configuration chain (variables first, cheaply; no AWS call)."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if environ.get(name):
            return environ[name]
    return aws.region


def look_up(aws: Aws, region: str, need_account: bool, need_role: bool) -> AccountFacts:
    """The caller's account and the default jobs role, as far as credentials allow."""
    if not (need_account or need_role):
        return AccountFacts(None, None, [])
    from botocore.exceptions import BotoCoreError, ClientError

    if not aws.has_credentials():
        return AccountFacts(None, None, ["no AWS credentials found; account-dependent values are unresolved"])
    notes: list[str] = []
    account = role = None
    try:
        account = aws.account(region)
    except (BotoCoreError, ClientError) as error:
        notes.append(f"could not read the caller's account (sts:GetCallerIdentity): {error}")
    if need_role:
        try:
            role = aws.default_role()
            if role is None:
                notes.append(f"no role named {ROLE_NAME}* in the account; set role = \"arn:aws:iam::...\" "
                             "or create it from the Amazon Braket console (Permissions and settings)")
        except (BotoCoreError, ClientError) as error:
            notes.append(f"could not list IAM roles (iam:ListRoles): {error}; set role = \"arn:aws:iam::...\"")
    return AccountFacts(account, role, notes)


@attrs.frozen
class EarlierJob:
    """What the plan learnt of ``checkpoint.copy_from_job``: where its checkpoints are, or why not.

    ``refusal`` makes the plan invalid (no such job, no checkpoint configuration); ``note`` leaves it unresolved
    (the lookup itself failed); ``warning`` is for the reader (no checkpoints there now).
    """

    s3_uri: str | None
    refusal: str | None = None
    note: str | None = None
    warning: str | None = None


def job_arn_region(job: str) -> str | None:
    """The region a job ARN names (``arn:aws:braket:REGION:ACCOUNT:job/NAME``); None for a name."""
    parts = job.split(":")
    return parts[3] if job.startswith("arn:") and len(parts) > 5 else None


def earlier_job(aws: Aws, region: str, job: str, owner: str | None) -> EarlierJob:
    """Look ``job`` (an ARN or a name) up with GetJob (SearchJobs for a name), and list one key of its checkpoints.

    ``owner`` is the account expected to own the checkpoints' bucket (the caller's): a bucket of another
    account is one the copy cannot read, and is said so now.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    braket = aws.braket(region)
    try:
        if job.startswith("arn:"):
            try:
                found: dict[str, Any] = dict(braket.get_job(jobArn=job))
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                    return EarlierJob(None, refusal=f"no job {job} in {region}")
                raise
        else:
            newest: Any = None
            by_name: Any = [{"name": "jobName", "operator": "EQUAL", "values": [job]}]
            for page in braket.get_paginator("search_jobs").paginate(filters=by_name):
                for summary in page["jobs"]:
                    if summary["jobName"] == job and (newest is None or summary["createdAt"] > newest["createdAt"]):
                        newest = summary
            if newest is None:
                return EarlierJob(None, refusal=f"no job named {job!r} in {region}; give its ARN, or the name of "
                                                "a job in the region this one runs in")
            found = dict(braket.get_job(jobArn=newest["jobArn"]))
    except (BotoCoreError, ClientError) as error:
        return EarlierJob(None, note=f"could not look up the job {job} (braket:GetJob, braket:SearchJobs): {error}")
    uri = (found.get("checkpointConfig") or {}).get("s3Uri")
    if not uri:
        return EarlierJob(None, refusal=f"the job {job} has no checkpoint configuration: there is nothing to copy")
    if owner is None:  # a bucket of your own naming: the caller's account, for the check of the checkpoints' bucket
        try:
            owner = aws.account(region)
        except (BotoCoreError, ClientError):
            owner = None
    return EarlierJob(str(uri), warning=_checkpoints_warning(aws, region, job, str(uri), owner))


def _checkpoints_warning(aws: Aws, region: str, job: str, uri: str, owner: str | None) -> str | None:
    """Why the copy would find nothing to copy, or fail (another account's bucket), or None."""
    from botocore.exceptions import BotoCoreError, ClientError

    from ..s3uri import split_s3_uri

    bucket, prefix = split_s3_uri(uri)
    extra: Any = {"ExpectedBucketOwner": owner} if owner else {}
    try:
        listed = aws.s3(region).list_objects_v2(Bucket=bucket, Prefix=prefix.rstrip("/") + "/", MaxKeys=1, **extra)
    except (BotoCoreError, ClientError) as error:
        return (f"cannot list the checkpoints of {job} at {uri} (owned by another account, or not readable): "
                f"{error}; copying them will fail")
    if not listed.get("Contents"):
        return f"the job {job} has no checkpoints at {uri} now: nothing will be copied"
    return None
