"""``braketkit show JOB``: everything about one job in one screen, or ``--json`` (``JobDetails``).

The work is ``job.details.job_details``; this is its text. Secret-looking hyperparameters are redacted in both
forms, as ``plan`` redacts them; every line goes through ``on_terminal``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from ..errors import InvalidInput, Problem, shown
from ..workspace import jobs_folder, project_root
from .jobs import _REGION, _aws, _job

if TYPE_CHECKING:
    from ..job import Job
    from ..model.details import JobDetails
    from ..model.provenance import Provenance

__all__ = ["existing_job", "show", "show_text"]

_DEFAULT = "default"


def existing_job(job: str, region: str | None, key: str = "JOB") -> Job:
    """The job ``job`` names, as the other job commands find it; one that is no local job and could name no cloud
    job is refused before any AWS call (``key``: the argument it was given as)."""
    import cattrs

    from ..plan.validate import job_reference_problem

    jobs = jobs_folder(project_root(Path.cwd()))
    if not any((folder / "job.json").is_file() for folder in (Path(job), jobs / job)):
        problem = job_reference_problem(job)
        if problem is not None:
            raise InvalidInput([Problem(f"no local job {job!r} in {jobs}, and {problem}", key)])
    try:
        handle: Job = _job(job, region)
    except InvalidInput as error:  # no such job: named by the argument it was given as
        raise InvalidInput([attrs.evolve(problem, key=key) if problem.key == "JOB" else problem
                            for problem in error.problems]) from error
    from ..job import LocalJob

    if isinstance(handle, LocalJob):
        try:
            handle.metadata()
        except (OSError, ValueError, cattrs.BaseValidationError) as error:
            cause: Exception = error
            while isinstance(cause, cattrs.BaseValidationError) and cause.exceptions:  # what cattrs found
                cause = cause.exceptions[0]
            reason = error.strerror if isinstance(error, OSError) else f"{type(cause).__name__}: {cause}"
            raise InvalidInput([Problem(f"local job {job!r}: its job.json cannot be read ({reason})", key)]) \
                from error
    return handle


def redacted(details: JobDetails) -> JobDetails:
    """``details`` with the values of secret-looking hyperparameters and arguments hidden, as ``plan`` hides them."""
    from ..resolve.planned import redact

    return attrs.evolve(details, arguments={name: redact(name, value) for name, value in details.arguments.items()},
                        hyperparameters={name: redact(name, value) for name, value in details.hyperparameters.items()})


def _time(moment: Any) -> str:
    from ..job.info import local_time

    return local_time(moment)


def _instance(details: JobDetails) -> str | None:
    if details.instance_type is None:
        return None
    count = f" × {details.instance_count}" if details.instance_count is not None else ""
    volume = f", {details.volume_gb} GB" if details.volume_gb is not None else ""
    return f"{details.instance_type}{count}{volume}"


def _times(details: JobDetails) -> list[tuple[str, str]]:
    from ..duration import duration_text
    from ..job.info import utc

    rows = []
    planned = utc(details.planned_at)
    if planned is not None:
        rows.append(("planned", _time(planned)))
    if details.created is not None:
        rows.append(("created", _time(details.created)))
    if details.started is not None and (details.started != details.created or details.arn):
        queued = f"  (queued {duration_text(details.queued_seconds)})" if details.queued_seconds is not None else ""
        rows.append(("started", _time(details.started) + queued))
    if details.ended is not None:
        ran = f"  (ran {duration_text(details.ran_seconds)})" if details.ran_seconds is not None else ""
        rows.append(("ended", _time(details.ended) + ran))
    if details.billed_ms is not None:
        seconds = details.billed_ms // 1000
        rows.append(("billed", f"{duration_text(seconds)} ({details.billed_ms} ms)" if seconds else
                     f"{details.billed_ms} ms"))
    return rows


def _where(details: JobDetails) -> list[tuple[str, str]]:
    from ..places import display_path

    rows = []
    if details.results:
        rows.append(("results", details.results if details.arn else display_path(Path(details.results))))
    if details.log_group:
        rows.append(("logs", f"CloudWatch {details.log_group}, streams {details.log_stream_prefix}*"))
    if details.log_file:
        rows.append(("log", display_path(Path(details.log_file))))
    if details.source:
        rows.append(("source", details.source))
    if details.checkpoints and details.arn:
        rows.append(("checkpoints", details.checkpoints))
    rows += [(f"input {name}", uri if details.arn else display_path(Path(uri))) for name, uri in details.inputs.items()]
    if details.console:
        rows.append(("console", details.console))
    return rows


def _rows(details: JobDetails) -> list[tuple[str, str]]:
    from ..duration import duration_text

    rows = [("arn", details.arn), ("device", details.device), ("entry", details.entry),
            ("instance", _instance(details)),
            ("max runtime", duration_text(details.max_runtime) if details.max_runtime is not None else None),
            ("image", details.image or ("service default" if details.arn else None)), ("role", details.role),
            ("reservation", details.reservation), ("region", details.region), ("folder", details.folder),
            ("sweep", details.sweep), ("rerun of", details.rerun_of)]
    return [(label, value) for label, value in rows if value] + _times(details) + _where(details)


def _info(details: JobDetails) -> Any:
    from ..model.job import JobInfo

    names = {field.name for field in attrs.fields(JobInfo)}
    return JobInfo(**{name: value for name, value in attrs.asdict(details, recurse=False).items() if name in names})


def _aligned(rows: list[tuple[str, str]], indent: str = "  ") -> list[str]:
    width = max((len(label) for label, _ in rows), default=0) + 1
    return [f"{indent}{label + ':':<{width}} {value}" for label, value in rows]


def _values(title: str, values: dict[str, Any], none: str | None = None) -> list[str]:
    """A section of ``name = value`` lines, each value as messages quote one (long ones cut in the middle)."""
    if not values:
        return [f"{title}: {none}"] if none else []
    return [f"{title}:", *(f"  {name} = {shown(value)}" for name, value in values.items())]


def provenance_lines(provenance: Provenance | None) -> list[str]:
    """What ``show`` says of where a job's code came from."""
    if provenance is None:
        return ["provenance: none recorded (not made by braketkit)"]
    rows = [("archive", f"sha256 {provenance.archive_sha256}"),
            ("planned by", f"braketkit {provenance.braketkit_version}, Python {provenance.python_version}")]
    if provenance.git_commit is None:
        rows.append(("git", "none (no git repository, or no git)"))
    else:
        branch = f" on {provenance.git_branch}" if provenance.git_branch else " (detached)"
        state = {True: ", with uncommitted changes", False: ", clean", None: ""}[provenance.git_dirty]
        rows.append(("git", f"commit {provenance.git_commit}{branch}{state}"))
        if provenance.git_diff_sha256:
            rows.append(("changes", f"sha256 {provenance.git_diff_sha256}"))
    return ["provenance:", *_aligned(rows)]


def settings_lines(details: JobDetails) -> list[str]:
    """The settings as planned, with their origins: those not at their defaults (``--json`` has them all)."""
    if details.record_problem is not None:
        return [f"planned settings: its planned record cannot be read: {details.record_problem}"]
    if details.settings is None:
        return ["planned settings: no planned record (" + ("not made by braketkit)" if details.provenance is None
                                                           else "the job was planned before braketkit kept one)")]
    chosen = {key: setting for key, setting in details.settings.items() if setting.origin != _DEFAULT}
    defaults = len(details.settings) - len(chosen)
    if not chosen:
        return [f"planned settings: all {defaults} at their defaults (--json shows them)"]
    rest = f" ({defaults} more at their defaults: --json shows them all)" if defaults else ""
    width = max(len(setting.origin) for setting in chosen.values())
    return [f"planned settings{rest}:",
            *(f"  {setting.origin:<{width}}  {key} = {shown(setting.value)}"
              for key, setting in sorted(chosen.items()))]


def show_text(details: JobDetails) -> str:
    """``braketkit show``: the job's state line, its fields, then arguments, tags, provenance and settings."""
    from ..job.info import state_line

    lines = [state_line(_info(details)), *_aligned(_rows(details))]
    if details.failure_reason:
        lines += ["  failure reason:", *(f"    {line}" for line in details.failure_reason.rstrip().splitlines())]
    lines += _values("arguments", details.arguments, none="none")
    lines += _values("hyperparameters", details.hyperparameters)
    lines += _values("tags", details.tags)
    lines += provenance_lines(details.provenance)
    lines += settings_lines(details)
    return "\n".join(lines)


@click.command()
@click.argument("job")
@_REGION
@click.option("--json", "as_json", is_flag=True, help="Print everything as one JSON document (the fields of "
                                                      "docs/cli.md).")
@click.option("--source", "source", metavar="DIR", type=click.Path(path_type=Path),
              help="Instead: extract the job's source archive, verified against its recorded SHA-256, into "
                   "DIR/<job name>/ (which must not exist, or be empty): the exact files the job ran, braketkit's "
                   "runtime included.")
def show(job: str, region: str | None, as_json: bool, source: Path | None) -> None:
    """Everything about one job: state, times, billed duration, failure, where its results and logs are, arguments,
    provenance and settings as planned.

    JOB is a local job's name or folder, or a cloud job's ARN or name.
    """
    from ..converter import converter
    from ..job.details import job_details
    from ..terminal import on_terminal

    if source is not None:
        if as_json:
            raise InvalidInput([Problem("extracts the job's source; --json shows the job: give one of them",
                                        "--source")])
        _extract(job, region, source)
        return
    with _aws(job):
        details = redacted(job_details(existing_job(job, region)))
    click.echo(json.dumps(converter.unstructure(details), indent=2) if as_json else on_terminal(show_text(details)))


def _extract(job: str, region: str | None, folder: Path) -> None:
    """``show --source DIR``: the job's archive into ``DIR/<job name>/``; where it went, on stderr."""
    from ..errors import ResultsError
    from ..job.extract import check_folder, refuse_existing_target
    from ..job.source import extract_source
    from ..places import display_path
    from ..terminal import printable
    from ..workspace import archives_folder

    check_folder(folder, "--source")  # before asking AWS anything, as --download does
    with _aws(job):
        handle = existing_job(job, region)
        target = folder / handle.name
        try:  # checked before anything is fetched: a folder in the way is bad input
            refuse_existing_target(target, f"the source of job {handle.name}")
        except ResultsError as error:
            raise InvalidInput([Problem(f"{error} (the source goes into DIR/<job name>/, which must not exist, "
                                        "or be empty)", "--source")]) from None
        target, found = extract_source(handle, folder, archives_folder(project_root(Path.cwd())))
    unverified = "" if found.verified else (" (not verified: the job records no digest, braketkit did not make it; "
                                            "this is its archive as S3 holds it now)")
    click.echo(printable(f"source of job {handle.name} (archive sha256 {found.sha256}) extracted to "
                         f"{display_path(target)}{unverified}"), err=True)
