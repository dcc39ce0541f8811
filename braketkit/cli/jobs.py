"""Commands on jobs that exist already: status, logs, result, cancel, list, and clean for local job folders.

JOB is a local job's name (under the project's .braketkit/jobs/), or a cloud job's ARN or name.
AWS errors become messages that say what to do (``talking_to_aws``), never
internal errors.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import InvalidInput, Problem
from ..workspace import jobs_folder, project_root
from .values import POLL_SECONDS

if TYPE_CHECKING:
    from ..aws import Aws

__all__ = ["cancel", "clean", "list_jobs", "logs", "result", "status"]

_REGION = click.option("--region", help="The region of a job given by name (default: the project's, as its jobs are "
                                         "submitted, else the AWS configuration's).")


def gateway() -> Aws:
    """The command's AWS gateway: the process's for the present AWS configuration, passed to what calls AWS."""
    from ..aws import shared

    return shared()


def project_region(region: str | None) -> str | None:
    """``--region``, else the region this project's jobs go to (``region``, or its device's); None leaves it to the
    AWS configuration. A pyproject.toml braketkit cannot read names no region: it is for the job, not this."""
    if region is not None:
        return region
    from ..limits import read_project

    try:
        return read_project()[1]
    except InvalidInput:
        return None
_POLL = click.option("--poll", type=POLL_SECONDS, default=5.0, show_default=True,
                     help="Seconds between checks of a cloud job while waiting or following.")


def _job(job: str, region: str | None, poll: float = 5.0) -> Any:
    from ..job import AwsJob, LocalJob

    jobs = jobs_folder(project_root(Path.cwd()))
    for folder in (Path(job), jobs / job):
        if (folder / "job.json").is_file():
            return LocalJob(folder)
    try:
        return AwsJob.attach(job, region=region if job.startswith("arn:") else project_region(region), poll=poll,
                             aws=gateway())
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
@click.option("--json", "as_json", is_flag=True, help="Print the job as JSON (the fields of docs/cli.md).")
def status(job: str, region: str | None, as_json: bool) -> None:
    """The job's state, queue position while queued, device, times, and why it failed."""
    from ..job import LocalJob
    from ..terminal import on_terminal
    from .jobs_text import job_document, status_text

    with _aws(job):
        handle = _job(job, region)
        info = handle.info() if isinstance(handle, LocalJob) else handle.info(refresh=False)
    click.echo(json.dumps(job_document(info), indent=2) if as_json else on_terminal(status_text(info)))


@click.command()
@click.argument("job")
@_REGION
@click.option("--follow", is_flag=True, help="Keep printing until the job ends.")
@_POLL
def logs(job: str, region: str | None, follow: bool, poll: float) -> None:
    """The job's log: every instance's stream, in time order."""
    from ..terminal import on_terminal

    try:
        with _aws(job):
            handle = _job(job, region, poll)
            for line in handle.logs(follow=follow):
                click.echo(on_terminal(line))
    except KeyboardInterrupt:
        from .jobs_text import reattach_text

        click.echo(reattach_text(job), err=True)
        sys.exit(130)


@click.command()
@click.argument("job")
@_REGION
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--download", type=click.Path(path_type=Path),
              help="Also extract the job's whole results folder into DIRECTORY/<job name>/ (which must not exist yet).")
@click.option("--allow-pickle", is_flag=True,
              help='Read pickled results (result_format = "pickled_v4"): unpickling runs the code they hold.')
@_POLL
def result(job: str, region: str | None, as_json: bool, download: Path | None, allow_pickle: bool,
           poll: float) -> None:
    """What the job's function returned (waits for the job to end)."""
    from ..job import LocalJob
    from ..job.extract import check_folder
    from .jobs_text import result_text
    from .render import jsonable

    if download is not None:
        check_folder(download, "--download")  # before asking AWS anything, as job.download() does
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


def _project_aliases() -> dict[str, str]:
    """The device aliases of the project here, as its settings give them ([tool.braketkit.devices])."""
    import os

    from ..resolve import resolve

    return resolve(start=Path.cwd(), environ=os.environ, defer_problems=True).settings.devices


@click.command("list")
@_REGION
@click.option("--state", "states", multiple=True, metavar="STATE[,STATE...]",
              help="Only jobs in these states, such as RUNNING or FAILED (repeat, or separate with commas).")
@click.option("--device", help="Only jobs on this device: an alias (sv1, or of [tool.braketkit.devices]) or an ARN.")
@click.option("--since", help="Only jobs created since: a duration back from now (7d, 2h, 30m) or a date or time "
                              "(2024-05-01, 2024-05-01T14:00; local time unless it ends in Z or an offset).")
@click.option("--name", metavar="PREFIX", help="Only jobs whose name starts with PREFIX.")
@click.option("--sweep", metavar="ID", help="Only the jobs of this sweep (train.map(...)): their braketkit:sweep tag.")
@click.option("--local", is_flag=True, help="This project's local jobs (.braketkit/jobs/) instead; no AWS call.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the newest N (after the filters).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of jobs (the fields of docs/cli.md).")
def list_jobs(region: str | None, states: tuple[str, ...], device: str | None, since: str | None, name: str | None,
              sweep: str | None, local: bool, limit: int | None, as_json: bool) -> None:
    """Jobs, newest first: the region's (SearchJobs, every page), or with --local this project's."""
    from ..job.listing import chosen, cloud_jobs, local_jobs
    from ..terminal import on_terminal
    from .jobs_text import job_document, jobs_table
    from .values import read_query

    query = read_query(states=states, device=device, since=since, name=name, limit=limit, aliases=_project_aliases,
                       now=datetime.now(timezone.utc), sweep=sweep)
    if local and region:
        raise InvalidInput([Problem("local jobs have no region; leave --region out with --local", "--region")])
    if local:
        found, unreadable = local_jobs(jobs_folder(project_root(Path.cwd())))
        jobs = chosen(found, query)
        for left in unreadable:
            click.echo(on_terminal(f"note: skipped {left.path}: {left.reason}"), err=True)
    else:
        with _aws():
            jobs = cloud_jobs(gateway(), query, project_region(region))
    if as_json:
        click.echo(json.dumps([job_document(job) for job in jobs], indent=2))
    elif jobs:
        click.echo(on_terminal(jobs_table(jobs)))
    else:
        click.echo("no jobs match" if any((states, device, since, name, sweep)) else "no jobs", err=True)


@click.command()
@click.option("--older-than", required=True, metavar="DURATION",
              help="Remove local jobs that ended longer ago than this: 7d, 12h, 30m.")
@click.option("--archives", is_flag=True,
              help="Also remove cached source archives (.braketkit/archives/) last built longer ago than that.")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@click.option("--json", "as_json", is_flag=True, help="Print what was removed as JSON.")
def clean(older_than: str, archives: bool, dry_run: bool, as_json: bool) -> None:
    """Remove this project's local job folders that ended long ago; never a running job."""
    from ..converter import converter
    from ..job.clean import clean as remove_old
    from ..terminal import on_terminal
    from .jobs_text import clean_text
    from .values import read_ago

    cutoff = read_ago(older_than, "--older-than", datetime.now(timezone.utc))
    report = remove_old(project_root(Path.cwd()), cutoff, dry_run=dry_run, archives=archives)
    text = json.dumps(converter.unstructure(report), indent=2) if as_json else clean_text(report, older_than.strip())
    click.echo(text if as_json else on_terminal(text))
    if report.failed:
        sys.exit(1)
