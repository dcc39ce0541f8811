"""Carry a plan out on AWS: bucket, uploads, checkpoints, then CreateJob.

Every S3 call names the caller's account as the expected bucket owner, so a
predictable bucket name taken by someone else is refused, never written to.
CreateJob is sent under the plan's one client token for as long as it is
retried, so a response lost after the job was created can never start a second one.
"""

from __future__ import annotations

import threading
from typing import Any

import attrs

from .. import aws
from ..converter import converter
from ..errors import AwsError, InvalidInput, Problem, QuotaExceeded, SpendingLimitReached, SubmissionInterrupted
from ..plan import UNRESOLVED_ACCOUNT, UNRESOLVED_ROLE, Plan, Upload
from ..plan.spending import money, period_text
from ..s3uri import split_s3_uri
from .pacing import bucket_for
from .progress import Progress, StatusLine
from .retry import Attempts, RetryPolicy, error_code, retrying_client, send_retried

__all__ = ["RetryPolicy", "Submission", "submit"]

CHUNK = 8 * 1024 * 1024
_verified_buckets: set[tuple[Any, ...]] = set()
"""Buckets already checked (owned by the caller, public access blocked) in this process."""
_present: set[tuple[Any, ...]] = set()
"""(S3 URI, SHA-256, AWS configuration) known to be in S3 from this process: not asked about again."""


@attrs.frozen(kw_only=True)
class Submission:
    """What a submission did: the job it created, and what it sent.

    Attributes:
        job_arn: The new job's ARN.
        job_name: Its name.
        region: Its region.
        bytes_uploaded: Bytes sent to S3; 0 when S3 held every upload already.
        bytes_skipped: Bytes not sent because S3 held them.
        create_attempts: How many times CreateJob was sent (more than 1 after throttling or lost answers).
    """

    job_arn: str
    job_name: str
    region: str
    bytes_uploaded: int
    bytes_skipped: int
    create_attempts: int


def _ensure_bucket(s3: Any, bucket: str, account: str, region: str) -> None:
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=account)
        return
    except ClientError as error:
        if error_code(error) not in ("404", "NoSuchBucket", "NotFound"):
            raise AwsError(
                f"the bucket {bucket} exists but is not owned by your account {account} (or you may not read it); "
                "braketkit will not write to it. Set s3.bucket to a bucket your account owns.") from None
    options: dict[str, Any] = {} if region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": region}}
    try:
        s3.create_bucket(Bucket=bucket, **options)
    except ClientError as error:
        if error_code(error) != "BucketAlreadyOwnedByYou":
            raise AwsError(f"cannot create the bucket {bucket}: {error}; set s3.bucket to a bucket "
                           "your account owns") from None
    s3.put_public_access_block(Bucket=bucket, ExpectedBucketOwner=account, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})


def _already_there(s3: Any, bucket: str, key: str, upload: Upload, account: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        head = s3.head_object(Bucket=bucket, Key=key, ExpectedBucketOwner=account)
    except ClientError as error:
        if error_code(error) in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return bool(head.get("Metadata", {}).get("sha256") == upload.sha256 and head["ContentLength"] == upload.size)


def _upload_all(s3: Any, uploads: list[Upload], account: str, region: str, quiet: bool) -> tuple[int, int]:
    """Send what S3 does not hold yet; multipart, streamed and parallel above one chunk."""
    from boto3.s3.transfer import TransferConfig

    config = TransferConfig(multipart_threshold=CHUNK, multipart_chunksize=CHUNK, max_concurrency=4)
    sent = skipped = 0
    for upload in uploads:
        bucket, key = split_s3_uri(upload.s3_uri)
        known = (upload.s3_uri, upload.sha256, *aws.configuration(region))
        if known in _present or _already_there(s3, bucket, key, upload, account):
            _present.add(known)
            skipped += upload.size
            continue
        progress = Progress(f"uploading {upload.path.name}", upload.size) if not quiet else None
        # S3 verifies a SHA-256 of every part on arrival; the object's own SHA-256, which names it, goes in metadata.
        extra = {"ChecksumAlgorithm": "SHA256", "Metadata": {"sha256": upload.sha256}, "ExpectedBucketOwner": account}
        try:
            s3.upload_file(str(upload.path), bucket, key, ExtraArgs=extra, Config=config, Callback=progress)
        except Exception as error:  # boto3 aborts a failed multipart upload before raising
            raise AwsError(f"uploading {upload.path} to {upload.s3_uri} failed: {error}") from None
        finally:
            if progress is not None:
                progress.close()
        _present.add(known)
        sent += upload.size
    return sent, skipped


def _copy_checkpoints(plan: Plan, braket: Any, s3: Any, account: str, region: str) -> None:
    from .. import job as jobs

    source = plan.copy_checkpoints_from
    assert source is not None and plan.request.checkpoint_config is not None
    earlier = jobs.find_job(source, braket, region)
    from_bucket, from_prefix = split_s3_uri(earlier["checkpointConfig"]["s3Uri"])
    to_bucket, to_prefix = split_s3_uri(plan.request.checkpoint_config.s3_uri)
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=from_bucket, Prefix=from_prefix.rstrip("/") + "/",
                                                         ExpectedBucketOwner=account)
    for page in pages:
        for item in page.get("Contents", []):
            target = to_prefix.rstrip("/") + "/" + item["Key"][len(from_prefix.rstrip("/")) + 1:]
            s3.copy_object(Bucket=to_bucket, Key=target, CopySource={"Bucket": from_bucket, "Key": item["Key"]},
                           ExpectedBucketOwner=account, ExpectedSourceBucketOwner=account)


def _explain(error: Any, plan: Plan) -> AwsError:
    code = error_code(error)
    message = error.response.get("Error", {}).get("Message", "") or str(error)
    request = plan.request
    device = request.device_config.device
    explanations = {
        "AccessDeniedException": f"not allowed to create the job ({message}). The caller needs braket:CreateJob and "
        f"iam:PassRole on {request.role_arn}; that role needs the AmazonBraketJobsExecutionPolicy.",
        "DeviceOfflineException": f"the device {device} is offline ({message}); try again later, or choose "
        "another device.",
        "DeviceRetiredException": f"the device {device} is retired ({message}); choose another device.",
        "ServiceQuotaExceededException": f"a service quota is used up ({message}); wait for running jobs to end, "
        "or ask for a higher Amazon Braket quota in the Service Quotas console.",
        "ValidationException": f"the service rejected the request: {message}",
        "ConflictException": f"the client token {request.client_token} was already used for a different request "
        f"({message}); plan the job again rather than reusing an edited plan." if "token" in message.lower() else
        f"a job named {request.job_name} already exists in this account and region, and job names are never "
        f"reused ({message}); choose another job_name (set at {plan.resolved.origin('job_name')}), or leave it "
        "out so that each job gets a fresh name.",
    }
    if code == "ServiceQuotaExceededException":
        return QuotaExceeded(explanations[code])
    return AwsError(explanations.get(code, f"CreateJob failed: {code}: {message}"))


def _create_job(braket: Any, plan: Plan, policy: RetryPolicy, attempts: Attempts, line: StatusLine | None,
                stop: threading.Event | None) -> str:
    """CreateJob under the plan's client token, each attempt at the service's pace, retried until it answers or
    the deadline passes."""
    arguments = converter.unstructure(plan.request)
    unsure = (f"The job may or may not exist: `braketkit list` shows it; submitting the same plan again reuses "
              f"client token {plan.request.client_token} and cannot create a second job.")
    limits = plan.resolved.settings.sweep
    bucket = bucket_for(plan.region or "", limits.rate, limits.burst)
    return send_retried(lambda: str(braket.create_job(**arguments)["jobArn"]), operation="CreateJob",
                        policy=policy, attempts=attempts, line=line, refused=lambda error: _explain(error, plan),
                        unsure=unsure, pace=lambda: bucket.take(stop))


def _nothing_left(plan: Plan) -> SpendingLimitReached | None:
    """The plan's QPU has a spending limit in force with nothing left: its tasks would be refused, so no job."""
    spending = plan.spending
    limit = spending.active if spending is not None else None
    if spending is None or limit is None or spending.left is None or spending.left > 0:
        return None
    written = plan.resolved.settings.device
    device = spending.device if written in (None, spending.device) else f"{written} ({spending.device})"
    return SpendingLimitReached(
        f"the spending limit on {device} has nothing left ({money(limit.spending_limit)} USD for "
        f"{period_text(limit.time_period)}: {money(limit.total_spend)} spent, {money(limit.queued_spend)} queued), "
        "so the job's QPU tasks would be refused; it was not submitted (nothing uploaded, no CreateJob). Raise the "
        f"limit with `braketkit limits update {limit.spending_limit_arn} AMOUNT`.")


def submit(plan: Plan, *, policy: RetryPolicy | None = None, quiet: bool = False,
           stop: threading.Event | None = None) -> Submission:
    """Upload what is missing and create the job; the plan must not be a local or offline one.

    CreateJob is retried under the plan's client token, so submitting the same plan again after an
    interruption finds the job it may have made rather than making a second one.

    Args:
        plan: A plan made with AWS at hand (``train.plan(...)``), not offline.
        policy: How long and how to retry CreateJob; default: backoff for up to 15 minutes.
        quiet: No progress bar and no retry lines on stderr.
        stop: A sweep's: once set, a CreateJob still waiting for its turn is not sent, and the
            submission ends as interrupted (``SubmissionInterrupted``).
    """
    if plan.region is None:
        raise InvalidInput([Problem("a job on Amazon Braket needs a region: set region, AWS_REGION or an AWS "
                                    "profile's region", "region")])
    refusal = _nothing_left(plan)
    if refusal is not None:
        raise refusal
    if plan.request.role_arn == UNRESOLVED_ROLE or UNRESOLVED_ACCOUNT in plan.uploads[0].s3_uri:
        raise AwsError("cannot submit: " + "; ".join(plan.unresolved or ["the account or role is unresolved"]))
    region = plan.region
    attempts = Attempts()
    line = None if quiet else StatusLine()
    try:
        return _submit(plan, region, policy or RetryPolicy(), attempts, line, quiet, stop)
    except KeyboardInterrupt:
        raise SubmissionInterrupted(plan.request.job_name, plan.request.client_token, region, attempts.sent,
                                    attempts.maybe_done > 0) from None
    finally:
        if line is not None:
            line.close()


def _submit(plan: Plan, region: str, policy: RetryPolicy, attempts: Attempts, line: StatusLine | None,
            quiet: bool, stop: threading.Event | None) -> Submission:
    account = aws.account(region)
    s3 = aws.client("s3", region)
    # One client token for the whole submission, and braketkit alone decides when to retry it.
    braket = retrying_client(region, policy)
    bucket = split_s3_uri(plan.uploads[0].s3_uri)[0]
    if (bucket, *aws.configuration(region)) not in _verified_buckets:
        _ensure_bucket(s3, bucket, account, region)
        _verified_buckets.add((bucket, *aws.configuration(region)))
    sent, skipped = _upload_all(s3, plan.uploads, account, region, quiet)
    if plan.copy_checkpoints_from:
        _copy_checkpoints(plan, braket, s3, account, region)
    arn = _create_job(braket, plan, policy, attempts, line, stop)
    return Submission(job_arn=arn, job_name=plan.request.job_name, region=region, bytes_uploaded=sent,
                      bytes_skipped=skipped, create_attempts=attempts.sent)
