"""A handle on a job on Amazon Braket, for its whole life.

State and metadata come from GetJob, logs from CloudWatch Logs (every
instance's stream, merged in time order), results from the job's
``model.tar.gz``: ``result()`` reads results.json straight from it,
``download()`` extracts it safely (``extract``), each downloading it once.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Generic, Literal, cast

from ..errors import AwsError, BraketkitError, InvalidInput, JobFailed, Problem
from ..execute.progress import NotebookLine, in_notebook
from ..model.job import TERMINAL_STATES, JobInfo, R
from ..model.provenance import CALL_TAG, RECORD_NAME, JobCall, PlannedRecord, Provenance
from ..runtime import contract
from ..s3uri import split_s3_uri
from ..terminal import printable
from . import results
from .extract import check_folder, read_member, refuse_existing_target, safe_extract
from .info import cloud_info, console_url, region_of, state_line, stream_prefix
from .local import LOG_TAIL, return_annotation, summary_html, summary_text
from .metrics import Record, parse_line
from .plot import HasMetrics
from .results import read_results, read_results_file

if TYPE_CHECKING:
    from mypy_boto3_braket import BraketClient
    from mypy_boto3_braket.type_defs import SearchJobsFilterTypeDef

    from ..aws import Aws

__all__ = ["LOG_GROUP", "AwsJob", "aws_error", "find_job", "talking_to_aws"]

LOG_GROUP = "/aws/braket/jobs"
LOOKBACK_MS = 60_000
"""Each poll reads a minute back: late-arriving events are still seen; event ids drop repeats."""


def aws_error(error: Exception, job: str | None = None) -> BraketkitError:
    """A botocore error as a message that says what to do (``job``: the job it was about, if any)."""
    from botocore import exceptions as botocore

    if isinstance(error, botocore.NoRegionError):
        return InvalidInput([Problem("no AWS region is configured: give --region, or set AWS_REGION (or a region "
                                     "in your AWS configuration)")])
    if isinstance(error, botocore.InvalidRegionError):
        region = error.kwargs.get("region_name", "")
        return InvalidInput([Problem(f"{region!r} is no AWS region name; expected one such as us-east-1", "region")])
    if isinstance(error, botocore.NoCredentialsError):
        return AwsError("no AWS credentials found: configure them (aws configure, AWS_PROFILE, or the "
                        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables)")
    if isinstance(error, botocore.EndpointConnectionError):
        from urllib.parse import urlsplit

        url = urlsplit(str(error.kwargs.get("endpoint_url", "")))
        where = f"{url.scheme}://{url.netloc}" if url.netloc else "the AWS endpoint"
        return AwsError(f"cannot connect to {where}: check the network connection (and any proxy or AWS_ENDPOINT_URL "
                        "setting), then try again")
    if isinstance(error, botocore.ConnectionError):
        return AwsError(f"the connection to AWS failed ({error}); check the network connection, then try again")
    if isinstance(error, botocore.ParamValidationError):
        return InvalidInput([Problem(f"AWS refuses the request before sending it: {error}", "JOB")])
    if isinstance(error, botocore.ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        message = str(error.response.get("Error", {}).get("Message", "")) or str(error)
        operation = error.operation_name
        if code == "ResourceNotFoundException" and job is not None and operation == "GetJob":
            return InvalidInput([Problem(f"no job {job} ({message}); check the ARN, and that it is of this account "
                                         "and region", "JOB")])
        if code in ("AccessDeniedException", "AccessDenied", "UnrecognizedClientException", "ExpiredTokenException"):
            return AwsError(f"not allowed to call {operation} ({code}: {message}); check the AWS credentials and "
                            f"that they allow braket:{operation}")
        return AwsError(f"{operation} failed: {code}: {message}")
    return AwsError(f"the AWS call failed: {error}")


@contextlib.contextmanager
def talking_to_aws(job: str | None = None) -> Iterator[None]:
    """Turn botocore's errors inside the block into messages (``aws_error``), keeping each as the cause."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise aws_error(error, job) from error


def _plain(answer: Mapping[str, Any]) -> dict[str, Any]:
    """An answer as boto3 gives it, as a plain dict (the stubs type it as a TypedDict)."""
    return dict(answer)


def find_job(job: str, braket: BraketClient, region: str | None = None) -> dict[str, Any]:
    """GetJob for an ARN, or for the newest job with that name (SearchJobs)."""
    with talking_to_aws(job):
        if job.startswith("arn:"):
            return _plain(braket.get_job(jobArn=job, additionalAttributeNames=["QueueInfo"]))
        newest = None
        by_name: list[SearchJobsFilterTypeDef] = [{"name": "jobName", "operator": "EQUAL", "values": [job]}]
        for page in braket.get_paginator("search_jobs").paginate(filters=by_name):
            for summary in page["jobs"]:
                if summary["jobName"] == job and (newest is None or summary["createdAt"] > newest["createdAt"]):
                    newest = summary
        if newest is None:
            where = region or getattr(braket.meta, "region_name", None) or "this region"
            raise InvalidInput([Problem(f"no job named {job!r} in {where}; give its ARN, or its name in the region "
                                        "it ran in (--region)", "JOB")])
        return _plain(braket.get_job(jobArn=newest["jobArn"], additionalAttributeNames=["QueueInfo"]))


def _shower(display: IO[str] | Literal["auto"] | None) -> Callable[[str], None] | None:
    """What shows each new waiting line: one notebook output redrawn in place, a stream, or nothing."""
    if (display == "auto" or display is sys.stderr or display is sys.stdout) and in_notebook():
        return NotebookLine().show
    if display is None or isinstance(display, str):
        return None
    stream, shown = display, None

    def write(line: str) -> None:
        nonlocal shown
        if line != shown:
            stream.write(printable(line) + "\n")
            stream.flush()
            shown = line

    return write


class AwsJob(HasMetrics, Generic[R]):
    """A hybrid job on Amazon Braket. Re-attach with ``AwsJob.attach(arn_or_name)``.

    Generic in what the function returns: ``train(...)`` gives an ``AwsJob[R]`` (when not run locally)
    whose ``result()`` is an ``R``; a handle made from an ARN or a name alone is an ``AwsJob[Any]``.

    Args:
        arn: The job's ARN; its region is where the handle looks.
        name: The job's name when known, saving a GetJob to learn it.
        session: A boto3 session to make clients from; default: braketkit's, from the usual AWS chain.
        function: The job's function, whose return annotation rebuilds the result (dataclasses, tuples).
        poll: Seconds between GetJob calls while waiting; default ``DEFAULT_POLL``.
        aws: The AWS gateway to call through (``braketkit.aws.Aws``); default: one over ``session`` if given,
            else the process's for the present AWS configuration.
    """

    DEFAULT_POLL = 5.0
    """Seconds between GetJob calls while waiting, unless a handle is given its own ``poll``."""

    def __init__(
        self,
        arn: str,
        *,
        name: str | None = None,
        session: Any = None,
        function: Callable[..., R] | None = None,
        poll: float | None = None,
        aws: Aws | None = None,
    ) -> None:
        self.arn = arn
        self._name = name
        self.poll = self.DEFAULT_POLL if poll is None else poll
        """Seconds between GetJob calls while waiting (and between log reads while following)."""
        self.region = region_of(arn)
        if aws is None and session is not None:
            from ..aws import Aws

            aws = Aws(session=session)
        self._aws = aws
        self._function = function
        self._cached: dict[str, Any] | None = None
        self._downloaded: Path | None = None
        """The folder ``download()`` extracted the results into: ``result()`` reads them there, not again from S3."""
        self._record: tuple[PlannedRecord | None] | None = None
        """The planned record once read (``planned()``): written before the job was created, it does not change."""

    @classmethod
    def attach(cls, job: str, *, region: str | None = None, session: Any = None, poll: float | None = None,
               aws: Aws | None = None) -> AwsJob[Any]:
        """A handle on a job that exists already, by ARN or by name (the newest job of that name).

        Args:
            job: The job's ARN, or its name.
            region: Where to look for a job given by name; an ARN names its own.
            session: A boto3 session to make clients from; default: braketkit's.
            poll: Seconds between GetJob calls while waiting.
            aws: The AWS gateway to call through; default: one over ``session`` if given, else the process's.
        """
        region = region_of(job) if job.startswith("arn:") else region
        if aws is None:
            from ..aws import Aws, shared

            aws = Aws(session=session) if session is not None else shared()
        with talking_to_aws(job):
            braket = aws.braket(region)
        found = find_job(job, braket, region)
        handle: AwsJob[Any] = cls(found["jobArn"], poll=poll, aws=aws)
        handle._cached = found
        return handle

    def __repr__(self) -> str:
        return f"AwsJob({self.arn!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(summary_text(self))

    def _repr_html_(self) -> str:
        return summary_html(self)

    def _gateway(self) -> Aws:
        """The handle's gateway; made (or taken: the process's) on first use, so that a handle costs no boto3."""
        if self._aws is None:
            from ..aws import shared

            self._aws = shared()
        return self._aws

    @property
    def name(self) -> str:
        """The job's name (asks GetJob once if the handle was made from an ARN alone)."""
        if self._name is None:
            self._name = str((self._cached or self.metadata())["jobName"])
        return self._name

    @property
    def known_name(self) -> str | None:
        """The name if it is already at hand (given, or from an earlier GetJob); never asks the service."""
        return self._name or (str(self._cached["jobName"]) if self._cached else None)

    def metadata(self, refresh: bool = True) -> dict[str, Any]:
        """GetJob's answer, with queue information, as boto3 gives it.

        Args:
            refresh: Ask the service again; ``False`` takes the answer already at hand, if any.
        """
        if refresh or self._cached is None:
            self._cached = _plain(self._gateway().braket(self.region).get_job(
                jobArn=self.arn, additionalAttributeNames=["QueueInfo"]))
        return self._cached

    def state(self) -> str:
        """The job's state now: ``QUEUED``, ``RUNNING``, ``COMPLETED``, ``FAILED``, ``CANCELLING`` or ``CANCELLED``."""
        return str(self.metadata()["status"])

    def info(self, refresh: bool = True) -> JobInfo:
        """The job as braketkit shows it: state, queue, device, times, failure reason (``--json``).

        Args:
            refresh: Ask the service again; ``False`` takes the answer already at hand, if any.
        """
        return cloud_info(self.metadata(refresh))

    def wait(
        self,
        timeout: float | None = None,
        poll: float | None = None,
        display: IO[str] | Literal["auto"] | None = "auto",
    ) -> str:
        """Poll until the job ends, showing its state and queue position as they change.

        Returns the final state; a failed job is no error here (``result()`` raises for it).

        Args:
            timeout: Seconds to wait at most, then ``TimeoutError``; the job goes on. None waits as long as
                the job runs.
            poll: Seconds between GetJob calls; default: the handle's ``poll``.
            display: Where to show the changes: a stream gets one line per change; ``"auto"`` redraws one
                line in place in a notebook and shows nothing elsewhere; None shows nothing. In a notebook
                the kernel's own stdout and stderr stand for the notebook, so they get the redrawn line too.
        """
        show = _shower(display)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            info = self.info()
            state = info.state
            if show is not None:
                show(state_line(info))
            if state in TERMINAL_STATES:
                return state
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {self.name} is still {state} after {timeout} s")
            time.sleep(self.poll if poll is None else poll)

    def _stream_prefix(self) -> str:
        """What every stream of this job's instances starts with (``info.stream_prefix``)."""
        return stream_prefix(self.name, self.arn)

    def log_events(self, follow: bool = False, poll: float | None = None) -> Iterator[dict[str, Any]]:
        """CloudWatch events of every instance's stream, in time order; none repeated, none skipped.

        Args:
            follow: Keep reading until the job ends, rather than stopping at what is logged now.
            poll: Seconds between reads while following; default: the handle's ``poll``.
        """
        logs = self._gateway().logs(self.region)
        seen: set[str] = set()
        newest = 0
        while True:
            ended = not follow or self.state() in TERMINAL_STATES
            batch: list[dict[str, Any]] = []
            prefix = self._stream_prefix()
            try:
                for page in logs.get_paginator("filter_log_events").paginate(
                        logGroupName=LOG_GROUP, logStreamNamePrefix=prefix, startTime=max(0, newest - LOOKBACK_MS)):
                    batch += [_plain(event) for event in page["events"]  # the prefix checked here too: another job's
                              if event["eventId"] not in seen and event["logStreamName"].startswith(prefix)]  # lines
            except logs.exceptions.ResourceNotFoundException:
                batch = []  # no log group yet: the job has not started
            for event in sorted(batch, key=lambda event: (event["timestamp"], event["logStreamName"])):
                seen.add(event["eventId"])
                newest = max(newest, event["timestamp"])
                yield event
            if ended:
                return
            time.sleep(self.poll if poll is None else poll)

    def logs(self, follow: bool = False, poll: float | None = None) -> Iterator[str]:
        """The job's log lines, every instance's merged in time order.

        Args:
            follow: Keep reading until the job ends, rather than stopping at what is logged now.
            poll: Seconds between reads while following; default: the handle's ``poll``.
        """
        for event in self.log_events(follow, poll):
            yield event["message"].rstrip("\n")

    def metric_records(self, follow: bool = False, poll: float | None = None) -> Iterator[Record]:
        """Each metric line of every instance's log, in time order, parsed as the Braket SDK parses it.

        A line without a timestamp of its own gets its log event's, in seconds.

        Args:
            follow: Keep reading until the job ends, rather than stopping at what is logged now.
            poll: Seconds between reads while following; default: the handle's ``poll``.
        """
        for event in self.log_events(follow, poll):
            record = parse_line(event["message"], event["timestamp"] / 1000)
            if record is not None:
                yield record

    def _results_uri(self) -> str:
        return str(self.metadata(refresh=False)["outputDataConfig"]["s3Path"]).rstrip("/") + "/output/model.tar.gz"

    def _label(self) -> str:
        return f"the results of job {self.name}"

    def _download_archive(self, folder: Path) -> Path:
        uri = self._results_uri()
        archive = folder / "model.tar.gz"
        try:
            bucket, key = split_s3_uri(uri)
            gateway = self._gateway()
            gateway.s3(self.region).download_file(bucket, key, str(archive),
                                                  ExtraArgs={"ExpectedBucketOwner": gateway.account(self.region)})
        except Exception as error:
            raise AwsError(f"cannot download the results of job {self.name} from {uri}: {error}") from error
        return archive

    def _failed(self, state: str) -> JobFailed:
        tail = "\n".join(list(self.logs())[-LOG_TAIL:])
        return JobFailed(self.name, state, self.metadata().get("failureReason"), tail)

    def _completed(self) -> None:
        state = self.wait(display=None)
        if state != "COMPLETED":
            raise self._failed(state)

    def download(self, path: Path | str = ".", *, max_bytes: int | None = None,
                 max_members: int | None = None) -> Path:
        """Download the job's results once and extract them safely into ``path/<job name>/``, all or nothing.

        Waits for the job to complete first; returns the folder. Afterwards ``result()`` reads the
        extracted folder instead of downloading again.

        Args:
            path: The folder to extract into; ``path/<job name>/`` must not exist yet (or be empty).
            max_bytes: The most the archive may expand to, for this download; default ``extract.MAX_BYTES``.
            max_members: The most members it may hold, for this download; default ``extract.MAX_MEMBERS``.
        """
        check_folder(Path(path), "path")  # before asking AWS anything
        self._completed()
        target = Path(path) / self.name
        refuse_existing_target(target, self._label())  # before downloading anything
        with tempfile.TemporaryDirectory() as scratch:
            safe_extract(self._download_archive(Path(scratch)), target, label=self._label(), max_bytes=max_bytes,
                         max_members=max_members)
        self._downloaded = target
        return target

    @property
    def provenance(self) -> Provenance | None:
        """Where the job's code came from, as its tags tell (``model.provenance.TAGS``); None for a job braketkit
        did not make. Asks GetJob once if the handle has no answer at hand."""
        from ..converter import provenance_of_tags

        return provenance_of_tags(self.metadata(refresh=False).get("tags") or {})

    def planned(self) -> PlannedRecord | None:
        """The job's planned record: its settings with their origins, as planned, and its provenance.

        Read from ``<outputDataConfig.s3Path>/braketkit/planned.json``, naming your account as the bucket's
        expected owner. None when there is none (a job braketkit did not make, or made before it wrote records);
        a record of a format this braketkit does not know, or damaged, is a ``BraketkitError``.
        """
        if self._record is None:
            self._record = (self._read_planned(),)
        return self._record[0]

    def _read_planned(self) -> PlannedRecord | None:
        from botocore.exceptions import BotoCoreError, ClientError

        from ..converter import RECORD_MAX_BYTES, read_record
        from .planned import record_of_job, recorded_digest

        uri = str(self.metadata(refresh=False)["outputDataConfig"]["s3Path"]).rstrip("/") + f"/{RECORD_NAME}"
        bucket, key = split_s3_uri(uri)
        gateway = self._gateway()
        try:
            answer = gateway.s3(self.region).get_object(Bucket=bucket, Key=key,
                                                        ExpectedBucketOwner=gateway.account(self.region))
            data = answer["Body"].read(RECORD_MAX_BYTES + 1)  # more than that is refused unread (read_record)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise AwsError(f"cannot read the planned record of job {self.name} from {uri}: {error}") from error
        except BotoCoreError as error:
            raise AwsError(f"cannot read the planned record of job {self.name} from {uri}: {error}") from error
        where = f"of job {self.name} at {uri}"
        metadata = self.metadata(refresh=False)
        return record_of_job(read_record(data, where), self.name, recorded_digest(metadata.get("tags"), (
            (metadata.get("algorithmSpecification") or {}).get("scriptModeConfig") or {}).get("s3Uri")), where)

    def call(self) -> JobCall | None:
        """How the job's function was called (``JobCall``): its planned record's, checked against its
        ``braketkit:call-sha256`` tag (which the service keeps); None for a script's job or one braketkit did not
        make. A job of braketkit 0.1 kept it in its hyperparameters. A call that does not match its tag is a
        ``BraketkitError``."""
        from ..plan.legacy import is_legacy, legacy_call
        from .call import trusted_call

        metadata = self.metadata(refresh=False)
        script = (metadata.get("algorithmSpecification") or {}).get("scriptModeConfig") or {}
        if is_legacy(script.get("entryPoint")):
            return legacy_call(metadata.get("hyperParameters") or {})
        tags = metadata.get("tags") or {}
        return trusted_call(self.planned() if CALL_TAG in tags else None, tags, self.name)

    def planned_result_format(self) -> str:
        """The ``result_format`` the job was planned with: its call's (``call()``), else plaintext."""
        call = self.call()
        return call.result_format if call is not None else "plaintext"

    def result(self, allow_pickle: bool = False) -> R:
        """What the function returned; JobFailed (with failure reason and log tail) if it did not complete.

        Waits for the job to end. results.json is read straight from the archive, nothing extracted (or
        from the folder ``download()`` made).

        Args:
            allow_pickle: Read pickled results (``result_format = "pickled_v4"``), which runs the code they
                hold; refused unless the job was planned with that format.
        """
        self._completed()
        if self._downloaded is not None:
            data = read_results_file(self._downloaded / contract.RESULTS_FILE, job=self.name)
        else:
            with tempfile.TemporaryDirectory() as scratch:
                data = read_member(self._download_archive(Path(scratch)), contract.RESULTS_FILE,
                                   label=self._label(), max_size=results.MAX_RESULTS_BYTES)
        if data is None:
            return cast("R", None)
        return cast("R", read_results(data, return_annotation(self._function), job=self.name,
                                      allow_pickle=allow_pickle, planned_format=self.planned_result_format))

    def cancel(self) -> str:
        """Ask the service to cancel the job; returns the cancellation status."""
        return str(self._gateway().braket(self.region).cancel_job(jobArn=self.arn)["cancellationStatus"])

    def console_url(self) -> str:
        """The job's page in the Amazon Braket console."""
        return console_url(self.arn)


