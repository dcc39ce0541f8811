"""Carry a plan out on AWS: exactly its steps, in order (``Plan.steps``: bucket, uploads, checkpoints, the planned
record, CreateJob).

The executor decides nothing: each step says what to do, and it is done through the gateway (``Aws``)
it is given, which remembers the buckets found ready and the uploads S3 holds. Every S3 call names the
caller's account as the expected bucket owner, so a predictable bucket name taken by someone else is
refused, never written to. CreateJob is sent under the plan's one client token for as long as it is
retried, so a response lost after the job was created can never start a second one.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import threading
from typing import IO, TYPE_CHECKING, cast

import attrs

from ..converter import converter, record_text
from ..errors import (
    AwsError,
    BraketkitError,
    InvalidInput,
    Problem,
    QuotaExceeded,
    SpendingLimitReached,
    SubmissionInterrupted,
)
from ..model.request import CreateJobRequest
from ..model.steps import CopyCheckpoints, CreateJob, EnsureBucket, Upload, WriteRecord
from ..plan import UNRESOLVED_ACCOUNT, UNRESOLVED_ROLE, Plan, inconsistencies, service_model
from ..plan.spending import money, period_text
from ..plan.validate import validate
from ..s3uri import split_s3_uri
from .progress import Progress, StatusLine
from .retry import Attempts, RetryPolicy, error_code, send_retried

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

    from ..aws import Aws

__all__ = ["RetryPolicy", "Submission", "submit"]

CHUNK = 8 * 1024 * 1024
"""A file this big or bigger goes in parts of this size (more, to keep to S3's 10000 parts)."""
CONCURRENCY = 4
"""Parts sent at once."""
READ_BLOCK = 1024 * 1024
"""How much of a file is hashed at a time."""


@attrs.frozen(kw_only=True)
class Submission:
    """What a submission did: the job it created, and what it sent.

    Attributes:
        job_arn: The new job's ARN.
        job_name: Its name.
        region: Its region.
        bytes_uploaded: Bytes of the source archive and local input files sent to S3; 0 when S3 held every one
            already (the job's planned record, written for every job, is not counted).
        bytes_skipped: Bytes of those not sent because S3 held them.
        create_attempts: How many times CreateJob was sent (more than 1 after throttling or lost answers).
    """

    job_arn: str
    job_name: str
    region: str
    bytes_uploaded: int
    bytes_skipped: int
    create_attempts: int


def _status(error: ClientError) -> int:
    """The HTTP status of an S3 answer: what a HEAD's error (which has no body, hence no code of its own) says."""
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def _s3_failed(what: str, error: ClientError) -> AwsError:
    status, code = _status(error), error_code(error)
    message = error.response.get("Error", {}).get("Message", "")
    if code in ("", str(status)):  # a HEAD's answer has no body: botocore names it by its status
        code = ""
    detail = ": ".join(part for part in (code, message if message != code else "") if part)
    return AwsError(f"{what} failed (S3 answered {status}{f' {detail}' if detail else ''}); nothing else was done. "
                    "Try again; submitting the same plan again is safe.")


def _ensure_bucket(s3: S3Client, step: EnsureBucket, account: str) -> None:
    from botocore.exceptions import ClientError

    bucket = step.bucket
    try:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=account)
        return
    except ClientError as error:
        if _status(error) == 403:
            raise AwsError(
                f"the bucket {bucket} exists but is not owned by your account {account} (or you may not read it); "
                "braketkit will not write to it. Set s3.bucket to a bucket your account owns.") from error
        if _status(error) != 404:
            raise _s3_failed(f"checking the bucket {bucket} (HeadBucket)", error) from error
    try:
        if step.region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={
                "LocationConstraint": step.region})  # type: ignore[typeddict-item]  # any region's name
    except ClientError as error:
        if error_code(error) != "BucketAlreadyOwnedByYou":
            raise AwsError(f"cannot create the bucket {bucket}: {error}; set s3.bucket to a bucket "
                           "your account owns") from error
    if step.block_public_access:
        s3.put_public_access_block(Bucket=bucket, ExpectedBucketOwner=account, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True})


def _already_there(s3: S3Client, upload: Upload, account: str) -> bool:
    from botocore.exceptions import ClientError

    bucket, key = split_s3_uri(upload.s3_uri)
    try:
        head = s3.head_object(Bucket=bucket, Key=key, ExpectedBucketOwner=account)
    except ClientError as error:
        if _status(error) == 404:
            return False
        if _status(error) == 403:
            raise AwsError(f"may not read {upload.s3_uri} (HeadObject answered 403): the bucket {bucket} is not "
                           f"owned by your account {account}, or you lack s3:GetObject there; braketkit will not "
                           "write to it.") from error
        raise _s3_failed(f"checking whether S3 holds {upload.s3_uri} (HeadObject)", error) from error
    return bool(head.get("Metadata", {}).get("sha256") == upload.sha256 and head["ContentLength"] == upload.size)


class _NotTheNamedBytes(Exception):
    """The bytes read for an upload are not the ones its SHA-256 names: S3 refused them (BadDigest), or a multipart
    upload's parts did not add up to it."""


def _checksum(digest: bytes) -> str:
    """A SHA-256 as S3's ``ChecksumSHA256`` writes it: base64 of the raw digest."""
    return base64.b64encode(digest).decode()


def _put_whole(s3: S3Client, upload: Upload, bucket: str, key: str, account: str) -> None:
    """One PutObject carrying the planned SHA-256: S3 computes the bytes' own and refuses others."""
    with upload.path.open("rb") as handle:
        s3.put_object(Bucket=bucket, Key=key, Body=handle, ChecksumSHA256=_checksum(bytes.fromhex(upload.sha256)),
                      Metadata={"sha256": upload.sha256}, ExpectedBucketOwner=account)


def _put_parts(s3: S3Client, upload: Upload, bucket: str, key: str, account: str,
               progress: Progress | None) -> None:
    """A multipart upload, completed only when its parts are the planned bytes; aborted otherwise.

    S3 keeps a multipart object's SHA-256 only as a digest of its parts' digests, so the whole is checked here:
    the file is read once in order, each part's SHA-256 and the whole's computed as it goes, and each part is sent
    (``CONCURRENCY`` at once) from the file with its SHA-256, which S3 checks against the bytes it receives. The
    parts S3 accepted are then the bytes hashed here, and the object is completed only if those are the ones the
    upload names. Memory holds one read block, not the parts.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    from s3transfer.utils import ChunksizeAdjuster, ReadFileChunk  # S3's part limits; one part of a file, seekable

    chunk = ChunksizeAdjuster().adjust_chunksize(CHUNK, upload.size)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm="SHA256",
                                           Metadata={"sha256": upload.sha256},
                                           ExpectedBucketOwner=account)["UploadId"]

    def send(number: int, start: int, length: int, checksum: str) -> CompletedPartTypeDef:
        with ReadFileChunk.from_filename(str(upload.path), start, length) as body:
            answer = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number,
                                    Body=cast("IO[bytes]", body),  # botocore reads any seekable file-like body
                                    ChecksumSHA256=checksum, ExpectedBucketOwner=account)
        if progress is not None:
            progress(length)
        return {"PartNumber": number, "ETag": answer["ETag"], "ChecksumSHA256": checksum}

    try:
        whole = hashlib.sha256()
        with upload.path.open("rb") as handle, ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            sent: list[Future[CompletedPartTypeDef]] = []
            start = 0
            while True:
                part, length = hashlib.sha256(), 0
                while length < chunk and (block := handle.read(min(READ_BLOCK, chunk - length))):
                    part.update(block)
                    whole.update(block)
                    length += len(block)
                if not length:
                    break
                sent.append(pool.submit(send, len(sent) + 1, start, length, _checksum(part.digest())))
                start += length
            parts = [future.result() for future in sent]
        if whole.hexdigest() != upload.sha256:
            raise _NotTheNamedBytes(upload)
        s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts},
                                     ExpectedBucketOwner=account)
    except BaseException:
        with contextlib.suppress(Exception):  # the failure is what gets reported
            s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, ExpectedBucketOwner=account)
        raise


def _upload(aws: Aws, s3: S3Client, upload: Upload, account: str, quiet: bool) -> bool:
    """Send the file unless S3 holds it already (in parts, read once and sent side by side, from one chunk up):
    whether it was sent. ``_NotTheNamedBytes`` when the bytes read are not the ones the upload's SHA-256 names."""
    from botocore.exceptions import ClientError

    known = (upload.s3_uri, upload.sha256)
    if known in aws.present or _already_there(s3, upload, account):
        aws.present.add(known)
        return False
    bucket, key = split_s3_uri(upload.s3_uri)
    progress = Progress(f"uploading {upload.path.name}", upload.size) if not quiet else None
    # The SHA-256 that names the object goes with it: as S3's checksum, which S3 checks, and in its metadata, which
    # HeadObject shows to a later submission.
    try:
        if upload.size < CHUNK:
            _put_whole(s3, upload, bucket, key, account)
            if progress is not None:
                progress(upload.size)
        else:
            _put_parts(s3, upload, bucket, key, account, progress)
    except _NotTheNamedBytes:
        raise
    except ClientError as error:
        if error_code(error) == "BadDigest":
            raise _NotTheNamedBytes(upload) from error
        raise AwsError(f"uploading {upload.path} to {upload.s3_uri} failed: {error}") from error
    except Exception as error:
        raise AwsError(f"uploading {upload.path} to {upload.s3_uri} failed: {error}") from error
    finally:
        if progress is not None:
            progress.close()
    aws.present.add(known)
    return True


def _upload_as_named(aws: Aws, s3: S3Client, upload: Upload, plan: Plan, account: str, quiet: bool) -> bool:
    """``_upload``, and when the bytes are not the ones named: a source archive's cached file is dropped and the
    tree packed again, then uploaded once more (an unchanged tree packs to the same bytes); anything else changed
    since the plan, which is then carried out no further."""
    try:
        return _upload(aws, s3, upload, account, quiet)
    except _NotTheNamedBytes:
        if upload.path != plan.archive.path:
            raise AwsError(f"S3 refused {upload.path}: its bytes are not the ones its SHA-256 {upload.sha256[:12]} "
                           "names (it changed since the plan). Plan again; no job was created.") from None
    from ..package import repack  # packing again, only here: the one way back to the planned bytes

    named = f"its SHA-256 {upload.sha256[:12]} names"
    again = repack(plan.archive)
    if again is None or again.sha256 != upload.sha256:
        why = ("packing the source tree again gives another archive: the tree changed since the plan" if again else
               "it was not packed here, so it cannot be packed again")
        raise AwsError(f"S3 refused the source archive {upload.path}: its bytes are not the ones {named} (it changed "
                       f"in the cache since it was packed), and {why}. Plan again; no job was created.")
    try:
        return _upload(aws, s3, upload, account, quiet)
    except _NotTheNamedBytes:
        raise AwsError(f"S3 refused the source archive {upload.path} twice, packed again in between: the bytes it "
                       f"received were not the ones {named} (BadDigest). Something between this machine and S3 "
                       "changes them; no job was created.") from None


def _keys(s3: S3Client, uri: str, account: str) -> list[str]:
    """The keys under ``uri`` (a folder), relative to it."""
    bucket, prefix = split_s3_uri(uri)
    folder = prefix.rstrip("/") + "/"
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=folder, ExpectedBucketOwner=account)
    return [item["Key"][len(folder):] for page in pages for item in page.get("Contents", [])]


def _copy_checkpoints(s3: S3Client, step: CopyCheckpoints, account: str) -> None:
    """Copy the earlier job's checkpoints that this job's location lacks: never overwrite what is there (the job's
    own, when the same plan is submitted again after an interruption)."""
    from botocore.exceptions import BotoCoreError, ClientError

    assert step.from_uri is not None  # _refusal: a plan that did not look the earlier job up is not carried out
    from_bucket, from_prefix = split_s3_uri(step.from_uri)
    to_bucket, to_prefix = split_s3_uri(step.to_uri)
    try:
        present = set(_keys(s3, step.to_uri, account))
        for relative in _keys(s3, step.from_uri, account):
            if relative in present:
                continue
            s3.copy_object(Bucket=to_bucket, Key=to_prefix.rstrip("/") + "/" + relative,
                           CopySource={"Bucket": from_bucket, "Key": from_prefix.rstrip("/") + "/" + relative},
                           ExpectedBucketOwner=account, ExpectedSourceBucketOwner=account)
    except (BotoCoreError, ClientError) as error:
        hint = (f" (the bucket {from_bucket} or {to_bucket} is not owned by your account {account}, or you may not "
                "read it)") if isinstance(error, ClientError) and _status(error) == 403 else ""
        raise AwsError(f"copying the checkpoints of job {step.from_job} from {step.from_uri} to {step.to_uri} "
                       f"(the CopyCheckpoints step) failed{hint}: {error}; no job was created") from error


_TOKEN_KEY = "client-token"
"""The record's metadata naming the submission that wrote it (its CreateJob client token)."""


def _job_named(aws: Aws, region: str, name: str, uri: str) -> bool:
    """Whether a job of this name exists in the region (SearchJobs); an error when it cannot be told."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        pages = aws.braket(region).get_paginator("search_jobs").paginate(
            filters=[{"name": "jobName", "operator": "EQUAL", "values": [name]}])
        return any(summary["jobName"] == name for page in pages for summary in page["jobs"])
    except (BotoCoreError, ClientError) as error:
        raise AwsError(f"{uri} holds the planned record of another submission of a job named {name}, and whether "
                       f"that job exists could not be told (SearchJobs: {error}); braketkit will not replace the "
                       "record of a job that may exist. Allow braket:SearchJobs, or choose another job_name. "
                       "Nothing was created.") from error


def _write_record(aws: Aws, s3: S3Client, step: WriteRecord, plan: Plan, region: str, account: str) -> None:
    """Put the planned record, unless another submission's is there for a job that exists: job names are never
    reused, so that job is this name's, and its record is left as it is (CreateJob would refuse the name anyway)."""
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, key = split_s3_uri(step.s3_uri)
    job_name = plan.request.job_name
    try:
        try:
            head = s3.head_object(Bucket=bucket, Key=key, ExpectedBucketOwner=account)
        except ClientError as error:
            if _status(error) != 404:
                raise
        else:
            others = head.get("Metadata", {}).get(_TOKEN_KEY) != step.client_token
            if others and _job_named(aws, region, job_name, step.s3_uri):
                raise AwsError(f"a job named {job_name} already exists in this account and region, and job names "
                               f"are never reused ({step.s3_uri} holds its planned record); choose another job_name "
                               f"(set at {plan.resolved.origin('job_name')}), or leave it out so that each job gets a "
                               "fresh name.")
        s3.put_object(Bucket=bucket, Key=key, Body=record_text(step.record).encode(), ContentType="application/json",
                      ChecksumAlgorithm="SHA256", Metadata={_TOKEN_KEY: step.client_token},
                      ExpectedBucketOwner=account)
    except ClientError as error:
        raise _s3_failed(f"writing the planned record to {step.s3_uri} (the WriteRecord step)", error) from error
    except BotoCoreError as error:
        raise AwsError(f"writing the planned record to {step.s3_uri} (the WriteRecord step) failed: {error}; no job "
                       "was created") from error


def _withdraw_record(s3: S3Client, step: WriteRecord, account: str) -> None:
    """Remove the record this submission wrote when CreateJob refused it for certain: no job of this plan exists, so
    the record would describe none, or worse another tool's job of the same name. Best effort: the refusal is what
    gets reported."""
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, key = split_s3_uri(step.s3_uri)
    try:
        head = s3.head_object(Bucket=bucket, Key=key, ExpectedBucketOwner=account)
        if head.get("Metadata", {}).get(_TOKEN_KEY) == step.client_token:  # this plan's record, no other's
            s3.delete_object(Bucket=bucket, Key=key, ExpectedBucketOwner=account)
    except (BotoCoreError, ClientError):
        pass


def _explain(error: ClientError, request: CreateJobRequest, plan: Plan) -> AwsError:
    code = error_code(error)
    message = error.response.get("Error", {}).get("Message", "") or str(error)
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


def _create_job(aws: Aws, step: CreateJob, plan: Plan, region: str, policy: RetryPolicy, attempts: Attempts,
                line: StatusLine | None, stop: threading.Event | None) -> str:
    """CreateJob under the plan's client token, each attempt at the service's pace, retried until it answers or
    the deadline passes."""
    # One client token for the whole submission, and braketkit alone decides when to retry it.
    braket = aws.braket_once(region, policy.read_timeout)
    arguments = converter.unstructure(step.request)
    unsure = (f"The job may or may not exist: `braketkit list` shows it; submitting the same plan again reuses "
              f"client token {step.request.client_token} and cannot create a second job.")
    limits = plan.resolved.settings.sweep
    bucket = aws.pace(region, limits.rate, limits.burst)
    return send_retried(lambda: str(braket.create_job(**arguments)["jobArn"]), operation="CreateJob",
                        policy=policy, attempts=attempts, line=line,
                        refused=lambda error: _explain(error, step.request, plan), unsure=unsure,
                        pace=lambda: bucket.take(stop))


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


def _refusal(plan: Plan) -> BraketkitError | None:
    """A plan that cannot be carried out as it shows: a local one, one with a value it could not look up (offline,
    or without credentials), or one whose fields disagree with its steps."""
    if not plan.steps:
        return InvalidInput([Problem("it was made for a run on this machine (local), so it has no steps in AWS; run "
                                     "it with .local(...) or `braketkit run --local`, or plan it again without "
                                     "local", "plan")])
    edited = inconsistencies(plan)
    if edited:
        return InvalidInput([Problem(f"{message}; plan again rather than editing a plan", "plan")
                             for message in edited])
    placeholders = any(
        (isinstance(step, CreateJob) and step.request.role_arn == UNRESOLVED_ROLE)
        or (isinstance(step, EnsureBucket) and UNRESOLVED_ACCOUNT in step.bucket)
        or (isinstance(step, CopyCheckpoints) and step.from_uri is None) for step in plan.steps)
    if plan.unresolved or placeholders:
        return AwsError("cannot submit: " + "; ".join(plan.unresolved or ["some values were not looked up"])
                        + "; plan it again with AWS at hand")
    shape = service_model.input_shape("CreateJob")
    broken = [Problem(f"its CreateJob request, edited since it was planned, breaks the service's rules: {path}: "
                      f"{message}; plan again rather than editing a plan", "plan")
              for step in plan.steps if isinstance(step, CreateJob)
              for path, message in validate(converter.unstructure(step.request), shape)]
    return InvalidInput(broken) if broken else None


def submit(plan: Plan, *, aws: Aws | None = None, policy: RetryPolicy | None = None, quiet: bool = False,
           stop: threading.Event | None = None) -> Submission:
    """Carry out the plan's steps in order: make sure of the bucket, upload what is missing, copy checkpoints, and
    create the job. The plan must be one made with AWS at hand: a local plan, one with anything unresolved
    (``Plan.unresolved``: offline, no credentials) or one whose fields disagree with its steps is refused.

    CreateJob is retried under the plan's client token, so submitting the same plan again after an
    interruption finds the job it may have made rather than making a second one.

    Args:
        plan: A plan made with AWS at hand (``train.plan(...)``), not offline.
        aws: The gateway to AWS; default: the process's for the present AWS configuration (``aws.shared()``).
        policy: How long and how to retry CreateJob; default: backoff for up to 15 minutes.
        quiet: No progress bar and no retry lines on stderr.
        stop: A sweep's: once set, a CreateJob still waiting for its turn is not sent, and the
            submission ends as interrupted (``SubmissionInterrupted``).
    """
    refusal = _refusal(plan) or _nothing_left(plan)
    if refusal is not None:
        raise refusal
    if plan.region is None:
        raise InvalidInput([Problem("a job on Amazon Braket needs a region: set region, AWS_REGION or an AWS "
                                    "profile's region", "region")])
    if aws is None:
        from ..aws import shared

        aws = shared()
    region = plan.region
    attempts = Attempts()
    line = None if quiet else StatusLine()
    try:
        return _submit(aws, plan, region, policy or RetryPolicy(), attempts, line, quiet, stop)
    except KeyboardInterrupt:  # from None: the cause is Ctrl-C itself, and the message says all there is to say
        raise SubmissionInterrupted(plan.request.job_name, plan.request.client_token, region, attempts.sent,
                                    attempts.maybe_done > 0) from None
    finally:
        if line is not None:
            line.close()


def _submit(aws: Aws, plan: Plan, region: str, policy: RetryPolicy, attempts: Attempts, line: StatusLine | None,
            quiet: bool, stop: threading.Event | None) -> Submission:
    """Each step by its kind, and nothing else; S3 calls name the owner of the plan's bucket step."""
    s3 = aws.s3(region)
    owner: str | None = None
    sent = skipped = 0
    arn = job_name = None
    written: WriteRecord | None = None
    for step in plan.steps:
        if isinstance(step, EnsureBucket):
            owner = step.owner or aws.account(region)
            if step.bucket not in aws.ready_buckets:
                _ensure_bucket(s3, step, owner)
                aws.ready_buckets.add(step.bucket)
        elif isinstance(step, Upload):
            if _upload_as_named(aws, s3, step, plan, owner or aws.account(region), quiet):
                sent += step.size
            else:
                skipped += step.size
        elif isinstance(step, CopyCheckpoints):
            _copy_checkpoints(s3, step, owner or aws.account(region))
        elif isinstance(step, WriteRecord):
            _write_record(aws, s3, step, plan, region, owner or aws.account(region))
            written = step
        else:
            try:
                arn = _create_job(aws, step, plan, region, policy, attempts, line, stop)
            except Exception:
                if written is not None and attempts.maybe_done == 0:
                    _withdraw_record(s3, written, owner or aws.account(region))
                raise
            job_name = step.request.job_name
    assert arn is not None and job_name is not None  # _refusal: a plan without CreateJob is not carried out
    return Submission(job_arn=arn, job_name=job_name, region=region, bytes_uploaded=sent, bytes_skipped=skipped,
                      create_attempts=attempts.sent)
