"""Commands on jobs that exist already: status, logs, result, cancel, list.

JOB is a local job's name (under .braketkit/jobs/), or a cloud job's ARN or name.
AWS errors become messages that say what to do (``talking_to_aws``), never
internal errors.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click

from ..converter import parse_duration
from ..errors import InvalidInput, Problem

__all__ = ["cancel", "list_jobs", "logs", "result", "status"]

_REGION = click.option("--region", help="The region of a job given by name (default: the AWS configuration's).")
_POLL = click.option("--poll", type=click.FloatRange(min=0.01), default=5.0, show_default=True,
                     help="Seconds between checks of a cloud job while waiting or following.")


def _job(job: str, region: str | None, poll: float = 5.0) -> Any:
    from ..job import AwsJob, LocalJob

    jobs = Path.cwd() / ".braketkit" / "jobs"
    for folder in (Path(job), jobs / job):
        if (folder / "job.json").is_file():
            return LocalJob(folder)
    try:
        return AwsJob.attach(job, region=region, poll=poll)
    except InvalidInput as error:
        if job.startswith("arn:") or len(error.problems) != 1:
            raise
        raise InvalidInput([Problem(f"no local job named {job!r} in {jobs}, and {error.problems[0].message}",
                                    "JOB")]) from error


def _aws(job: str | None = None) -> Any:
    from ..job.cloud import talking_to_aws

    return talking_to_aws(job)


@click.command()
@click.argument("job")
@_REGION
@click.option("--json", "as_json", is_flag=True, help="Print the job's metadata as JSON.")
def status(job: str, region: str | None, as_json: bool) -> None:
    """The job's state (and queue position while queued)."""
    from ..job import LocalJob
    from .render import jsonable

    with _aws(job):
        handle = _job(job, region)
        metadata = handle.metadata(refresh=False)
    if as_json:
        click.echo(json.dumps(jsonable(metadata), indent=2))
        return
    if isinstance(handle, LocalJob):
        click.echo(f"{handle.name}: {metadata.state}")
        return
    queue = metadata.get("queueInfo") or {}
    position = f", position {queue['position']} in the {queue.get('queue', '')} queue" if queue.get("position") else ""
    click.echo(f"{handle.name}: {metadata['status']}{position}")
    if metadata.get("failureReason"):
        click.echo(f"failure reason: {metadata['failureReason']}")


@click.command()
@click.argument("job")
@_REGION
@click.option("--follow", is_flag=True, help="Keep printing until the job ends.")
@_POLL
def logs(job: str, region: str | None, follow: bool, poll: float) -> None:
    """The job's log: every instance's stream, in time order."""
    try:
        with _aws(job):
            handle = _job(job, region, poll)
            for line in handle.logs(follow=follow):
                click.echo(line)
    except KeyboardInterrupt:
        from .render import reattach_text

        click.echo(reattach_text(job), err=True)
        sys.exit(130)


@click.command()
@click.argument("job")
@_REGION
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--download", type=click.Path(file_okay=False, path_type=Path),
              help="Also extract the job's whole results folder into DIRECTORY/<job name>/ (which must not exist yet).")
@click.option("--allow-pickle", is_flag=True,
              help='Read pickled results (result_format = "pickled_v4"): unpickling runs the code they hold.')
@_POLL
def result(job: str, region: str | None, as_json: bool, download: Path | None, allow_pickle: bool,
           poll: float) -> None:
    """What the job's function returned (waits for the job to end)."""
    from ..job import LocalJob
    from .render import jsonable, result_text

    with _aws(job):
        handle = _job(job, region, poll)
        if download is not None and not isinstance(handle, LocalJob):
            click.echo(f"extracted into {handle.download(download)}", err=True)  # result() reads it there
        text = json.dumps(jsonable(handle.result(allow_pickle=allow_pickle)), indent=2) if as_json else \
            result_text(handle, allow_pickle=allow_pickle)
    click.echo(text)


@click.command()
@click.argument("job")
@_REGION
def cancel(job: str, region: str | None) -> None:
    """Ask Amazon Braket to cancel the job."""
    from ..job import LocalJob

    with _aws(job):
        handle = _job(job, region)
        if isinstance(handle, LocalJob):
            raise InvalidInput([Problem("a local job runs in the foreground; stop it with Ctrl-C", "JOB")])
        click.echo(f"{handle.name}: {handle.cancel()}")


@click.command("list")
@_REGION
@click.option("--state", type=click.Choice(["QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLING", "CANCELLED"],
                                           case_sensitive=False), help="Only jobs in this state.")
@click.option("--since", help="Only jobs created this long ago or later: 1d, 2h, 30m.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_jobs(region: str | None, state: str | None, since: str | None, as_json: bool) -> None:
    """Jobs in the region, newest first (SearchJobs, every page)."""
    from .. import aws
    from .render import jsonable

    filters: list[dict[str, Any]] = []
    if state:
        filters.append({"name": "status", "values": [state.upper()], "operator": "EQUAL"})
    if since:
        try:
            start = datetime.now(timezone.utc) - timedelta(seconds=parse_duration(since))
        except ValueError:
            raise InvalidInput([Problem("expected a duration such as 1d, 2h or 30m", "--since")]) from None
        filters.append({"name": "createdAt", "values": [start.isoformat()], "operator": "GT"})
    with _aws():
        braket = aws.client("braket", region)
        jobs = [job for page in braket.get_paginator("search_jobs").paginate(filters=filters) for job in page["jobs"]]
    jobs.sort(key=lambda job: job["createdAt"], reverse=True)
    if as_json:
        click.echo(json.dumps(jsonable(jobs), indent=2))
        return
    for job in jobs:
        click.echo(f"{job['createdAt']:%Y-%m-%d %H:%M}  {job['status']:<10} {job['jobName']:<50} {job['jobArn']}")
