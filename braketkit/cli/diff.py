"""``braketkit diff JOB1 JOB2``: what differs between two jobs, each part only when it differs; or ``--json``.

The work is ``job.compare``; this finds the two jobs and their archives and says the result. Exit status as
diff(1)'s: 0 no difference, 1 differences, 2 trouble (bad input, an AWS error, an archive that cannot be had or
is not the one the job ran).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from ..errors import BraketkitError, shown
from ..terminal import printable
from .jobs import _REGION, _aws, gateway
from .show import existing_job

if TYPE_CHECKING:
    from ..job import Job
    from ..model.details import Change, JobComparison, JobDetails, SourceComparison

__all__ = ["diff", "diff_text"]

TROUBLE = 2
"""diff(1)'s exit status for trouble."""


def _sources(first_job: Job, first: JobDetails, second_job: Job,
             second: JobDetails) -> tuple[SourceComparison | None, str | None]:
    """The two archives compared; equal recorded digests are the same archive, read from nowhere."""
    from ..job.compare import compare_sources, job_digest, job_source
    from ..model.details import SourceComparison
    from ..workspace import archives_folder, project_root

    digests = job_digest(first), job_digest(second)
    if digests[0] is not None and digests[0] == digests[1]:
        return SourceComparison(first_sha256=digests[0], second_sha256=digests[1], same=True), None
    cache = archives_folder(project_root(Path.cwd()))
    found = [job_source(job, details, gateway(), cache) for job, details in ((first_job, first), (second_job, second))]
    problems = [problem for _, problem in found if problem]
    if problems:
        return None, "; ".join(problems)
    one, two = found[0][0], found[1][0]
    assert one is not None and two is not None
    return compare_sources(one, two, first.name, second.name), None


def _redacted(comparison: JobComparison) -> JobComparison:
    """Secret-looking values hidden, as ``show`` hides them: compared as they are, shown redacted."""
    from ..resolve.planned import redact

    def hide(changes: list[Change]) -> list[Change]:
        return [attrs.evolve(change, first=redact(change.key, change.first), second=redact(change.key, change.second))
                for change in changes]

    return attrs.evolve(comparison, settings=hide(comparison.settings), arguments=hide(comparison.arguments),
                        hyperparameters=hide(comparison.hyperparameters))


def _value(value: Any, origin: str | None = None) -> str:
    return ("(none)" if value is None else shown(value)) + (f" ({origin})" if origin else "")


def _changes(title: str, changes: list[Change]) -> Iterator[str]:
    if changes:
        yield f"{title}:"
        yield from (f"  {change.key}: {_value(change.first, change.first_origin)} -> "
                    f"{_value(change.second, change.second_origin)}" for change in changes)


def _source_lines(comparison: JobComparison) -> Iterator[str]:
    source = comparison.source
    if source is None:
        return
    for job in source.unverified:
        yield (f"note: job {job} records no archive digest: its archive was compared as S3 holds it now, "
               "which may not be what it ran")
    if source.same:
        yield f"source: same source archive (sha256 {source.first_sha256})"
        return
    yield f"source: sha256 {source.first_sha256} -> {source.second_sha256}"
    # a member's name can hold a newline: escaped here, as one line, so that it cannot forge lines of its own
    yield from (f"  added:   {printable(path)}" for path in source.added)
    yield from (f"  removed: {printable(path)}" for path in source.removed)
    yield from (f"  changed: {printable(change.path)}" + (f" ({change.note})" if change.note else "")
                for change in source.changed)
    if source.note:
        yield f"  {source.note}"
    for change in source.changed:
        if change.diff:
            yield change.diff.rstrip("\n")


def diff_text(comparison: JobComparison) -> str:
    """What ``braketkit diff`` prints: each part that differs, then the source (its diffs last)."""
    lines = [f"first:  {comparison.first}", f"second: {comparison.second}"]
    where = "as planned" if comparison.settings_from == "planned" else \
        "as the jobs record them: not both have a planned record"
    lines += _changes(f"settings ({where})", comparison.settings)
    lines += _changes("arguments", comparison.arguments)
    lines += _changes("hyperparameters", comparison.hyperparameters)
    lines += _changes("provenance", comparison.provenance)
    lines += _source_lines(comparison)
    if not comparison.differ and comparison.source_problem is None:
        lines.append("no differences")
    return "\n".join(lines)


@click.command()
@click.argument("job1")
@click.argument("job2")
@_REGION
@click.option("--json", "as_json", is_flag=True, help="Print the differences as one JSON document (the fields of "
                                                      "docs/cli.md).")
def diff(job1: str, job2: str, region: str | None, as_json: bool) -> None:
    """What differs between two jobs: settings, call arguments, hyperparameters, provenance and source files.

    Each JOB is a local job's name or folder, or a cloud job's ARN or name. The source archives are compared by
    their digests first, then file by file (a unified diff for text). Exit status: 0 no differences, 1
    differences, 2 trouble.
    """
    from ..converter import converter
    from ..job.compare import compare_jobs
    from ..job.details import job_details
    from ..terminal import on_terminal

    try:
        with _aws():
            first_job, second_job = existing_job(job1, region, "JOB1"), existing_job(job2, region, "JOB2")
            first, second = job_details(first_job), job_details(second_job)
            source, problem = _sources(first_job, first, second_job, second)
    except BraketkitError as error:
        error.exit_status = TROUBLE  # diff(1): trouble is 2, whatever the trouble
        raise
    comparison = _redacted(compare_jobs(first, second, source, problem))
    click.echo(json.dumps(converter.unstructure(comparison), indent=2) if as_json
               else on_terminal(diff_text(comparison)))
    if problem is not None:
        click.echo(on_terminal(f"error: {problem}"), err=True)
        sys.exit(TROUBLE)
    sys.exit(1 if comparison.differ else 0)
