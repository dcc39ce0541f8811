"""A handle on a job on Amazon Braket, for its whole life.

State and metadata come from GetJob, logs from CloudWatch Logs (every
instance's stream, merged in time order), results from the job's
``model.tar.gz``, extracted safely.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Literal

from .. import aws
from ..errors import AwsError, InvalidInput, Problem
from ..execute.progress import NotebookLine, in_notebook
from ..model.job import TERMINAL_STATES
from ..runtime import contract
from . import LOG_TAIL, JobFailed, return_annotation, summary_html, summary_text
from .extract import safe_extract
from .results import read_results

__all__ = ["LOG_GROUP", "AwsJob", "find_job"]

LOG_GROUP = "/aws/braket/jobs"
LOOKBACK_MS = 60_000
"""Each poll reads a minute back: late-arriving events are still seen; event ids drop repeats."""


def _region_of(arn: str) -> str:
    return arn.split(":")[3]


def find_job(job: str, braket: Any, region: str | None = None) -> dict[str, Any]:
    """GetJob for an ARN, or for the newest job with that name (SearchJobs)."""
    if job.startswith("arn:"):
        return braket.get_job(jobArn=job, additionalAttributeNames=["QueueInfo"])  # type: ignore[no-any-return]
    newest = None
    for page in braket.get_paginator("search_jobs").paginate(filters=[]):
        for summary in page["jobs"]:
            if summary["jobName"] == job and (newest is None or summary["createdAt"] > newest["createdAt"]):
                newest = summary
    if newest is None:
        raise InvalidInput([Problem(f"no job named {job!r} in {region or 'this region'}; give its ARN, or its "
                                    "name in the region it ran in (--region)", "JOB")])
    return braket.get_job(jobArn=newest["jobArn"], additionalAttributeNames=["QueueInfo"])  # type: ignore[no-any-return]


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
            stream.write(line + "\n")
            stream.flush()
            shown = line

    return write


class AwsJob:
    """A hybrid job on Amazon Braket. Re-attach with ``AwsJob.attach(arn_or_name)``."""

    DEFAULT_POLL = 5.0
    """Seconds between GetJob calls while waiting, unless a handle is given its own ``poll``."""

    def __init__(
        self,
        arn: str,
        *,
        name: str | None = None,
        session: Any = None,
        function: Callable[..., Any] | None = None,
        poll: float | None = None,
    ) -> None:
        self.arn = arn
        self._name = name
        self.poll = self.DEFAULT_POLL if poll is None else poll
        """Seconds between GetJob calls while waiting (and between log reads while following)."""
        self.region = _region_of(arn)
        self._session = session
        self._function = function
        self._cached: dict[str, Any] | None = None

    @classmethod
    def attach(cls, job: str, *, region: str | None = None, session: Any = None, poll: float | None = None) -> AwsJob:
        region = _region_of(job) if job.startswith("arn:") else region
        braket = session.client("braket") if session is not None else aws.client("braket", region)
        found = find_job(job, braket, region)
        handle = cls(found["jobArn"], session=session, poll=poll)
        handle._cached = found
        return handle

    def __repr__(self) -> str:
        return f"AwsJob({self.arn!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(summary_text(self))

    def _repr_html_(self) -> str:
        return summary_html(self)

    def _client(self, service: str) -> Any:
        return self._session.client(service) if self._session is not None else aws.client(service, self.region)

    @property
    def name(self) -> str:
        if self._name is None:
            self._name = str((self._cached or self.metadata())["jobName"])
        return self._name

    @property
    def known_name(self) -> str | None:
        """The name if it is already at hand (given, or from an earlier GetJob); never asks the service."""
        return self._name or (str(self._cached["jobName"]) if self._cached else None)

    def metadata(self, refresh: bool = True) -> dict[str, Any]:
        """GetJob, with queue information (``refresh=False``: the answer already at hand, if any)."""
        if refresh or self._cached is None:
            self._cached = self._client("braket").get_job(jobArn=self.arn, additionalAttributeNames=["QueueInfo"])
        return self._cached

    def state(self) -> str:
        return str(self.metadata()["status"])

    def wait(
        self,
        timeout: float | None = None,
        poll: float | None = None,
        display: IO[str] | Literal["auto"] | None = "auto",
    ) -> str:
        """Poll until the job ends, showing its state and queue position as they change.

        ``display``: a stream gets one line per change; ``"auto"`` redraws one line in place in a
        notebook and shows nothing elsewhere; None shows nothing. In a notebook the kernel's own
        stdout and stderr stand for the notebook, so they get the redrawn line too.
        """
        show = _shower(display)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            metadata = self.metadata()
            state = str(metadata["status"])
            queue = metadata.get("queueInfo") or {}
            line = state + (f", position {queue['position']} in the {queue.get('queue', '')} queue"
                            if state == "QUEUED" and queue.get("position") else "")
            if show is not None:
                show(f"{self.name}: {line}")
            if state in TERMINAL_STATES:
                return state
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {self.name} is still {state} after {timeout} s")
            time.sleep(self.poll if poll is None else poll)

    def _stream_prefix(self) -> str:
        name = self.name
        return name if self.arn.endswith(name) else f"{name}/{self.arn.rsplit('/', 1)[-1]}"

    def log_events(self, follow: bool = False, poll: float | None = None) -> Iterator[dict[str, Any]]:
        """CloudWatch events of every instance's stream, in time order; none repeated, none skipped."""
        logs = self._client("logs")
        seen: set[str] = set()
        newest = 0
        while True:
            ended = not follow or self.state() in TERMINAL_STATES
            batch: list[dict[str, Any]] = []
            options = {"logGroupName": LOG_GROUP, "logStreamNamePrefix": self._stream_prefix(),
                       "startTime": max(0, newest - LOOKBACK_MS)}
            try:
                for page in logs.get_paginator("filter_log_events").paginate(**options):
                    batch += [event for event in page["events"] if event["eventId"] not in seen]
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
        """The job's log lines (``follow``: until the job ends)."""
        for event in self.log_events(follow, poll):
            yield event["message"].rstrip("\n")

    def _download_archive(self, folder: Path) -> Path:
        output = str(self.metadata()["outputDataConfig"]["s3Path"]).rstrip("/")
        bucket, _, prefix = output[len("s3://"):].partition("/")
        archive = folder / "model.tar.gz"
        account = aws.account(self.region)
        try:
            self._client("s3").download_file(bucket, f"{prefix}/output/model.tar.gz", str(archive),
                                             ExtraArgs={"ExpectedBucketOwner": account})
        except Exception as error:
            raise AwsError(f"cannot download the results of {self.name} from {output}/output/model.tar.gz: "
                           f"{error}") from None
        return archive

    def _failed(self, state: str) -> JobFailed:
        tail = "\n".join(list(self.logs())[-LOG_TAIL:])
        return JobFailed(self.name, state, self.metadata().get("failureReason"), tail)

    def download(self, path: Path | str = ".") -> Path:
        """Download and safely extract the job's results into ``path/<job name>/``."""
        state = self.wait(display=None)
        if state != "COMPLETED":
            raise self._failed(state)
        target = Path(path) / self.name
        with tempfile.TemporaryDirectory() as scratch:
            safe_extract(self._download_archive(Path(scratch)), target)
        return target

    def result(self) -> Any:
        """What the function returned; JobFailed (with failure reason and log tail) if it did not complete."""
        state = self.wait(display=None)
        if state != "COMPLETED":
            raise self._failed(state)
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            safe_extract(self._download_archive(folder), folder / "extracted")
            results = folder / "extracted" / contract.RESULTS_FILE
            if not results.exists():
                return None
            return read_results(results.read_text(encoding="utf-8"), return_annotation(self._function))

    def cancel(self) -> str:
        """Ask the service to cancel the job; returns the cancellation status."""
        return str(self._client("braket").cancel_job(jobArn=self.arn)["cancellationStatus"])

    def console_url(self) -> str:
        return f"https://{self.region}.console.aws.amazon.com/braket/home?region={self.region}#/jobs/{self.arn}"


