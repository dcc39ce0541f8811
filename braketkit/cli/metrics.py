"""``braketkit metrics JOB [JOB ...]``: what jobs logged with ``log_metric``, side by side.

Text (a table with a sparkline per metric), ``--json`` or ``--csv``; ``--follow`` redraws until every
job has ended; ``--plot FILE`` also draws them (matplotlib, imported only then). Every check of the
command line comes before any AWS call; the metric names are checked once the metrics are read.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from ..errors import InvalidInput, Problem
from .jobs import _POLL, _REGION, _aws, _job

if TYPE_CHECKING:
    from ..job.metrics import Columns, Record, RowKey

__all__ = ["PLOT_FORMATS", "metrics"]

PLOT_FORMATS = ("png", "svg", "pdf")
_LOCAL_POLL = 0.5
"""Seconds between reads of local jobs' logs when following only local jobs (as ``logs --follow`` reads them)."""


@click.command(short_help="What jobs logged with log_metric, as tables or plots.")
@click.argument("jobs", nargs=-1, metavar="JOB...")
@click.option("--sweep", metavar="ID", help="Every job of this sweep (train.map(...)), oldest first: this project's "
                                            "local ones, else the region's.")
@_REGION
@click.option("--by", type=click.Choice(["iteration", "time"]),
              help="Rows by iteration number or by time (default: iteration when the metrics carry iteration "
                   "numbers).")
@click.option("--statistic", type=click.Choice(["max", "min"]), default="max", show_default=True,
              help="The value a row shows when several lines share it (as the Braket SDK's metrics()).")
@click.option("--metric", "wanted", multiple=True, metavar="NAME", help="Only this metric (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print each job's metrics as JSON: the Braket SDK's columns.")
@click.option("--csv", "as_csv", is_flag=True, help="Print one CSV of every job's rows.")
@click.option("--follow", is_flag=True, help="Redraw the table as metrics arrive, until every job has ended.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also draw the metrics into FILE (.png, .svg or .pdf): a panel per metric, a line per job.")
@_POLL
def metrics(jobs: tuple[str, ...], sweep: str | None, region: str | None, by: str | None, statistic: str,
            wanted: tuple[str, ...], as_json: bool, as_csv: bool, follow: bool, plot: Path | None, poll: float) -> None:
    """What JOBs logged with log_metric: each metric's latest value, min, max, count and history.

    JOB is a local job's name or folder, or a cloud job's ARN or name; give several to compare them,
    or --sweep ID for every job of a sweep. Ctrl-C while following stops watching, not the jobs (exit 130).
    """
    _check_options(as_json, as_csv, follow, plot)
    if not jobs and sweep is None:
        raise InvalidInput([Problem("give the jobs to show (one or more JOB), or --sweep ID", "JOB")])
    given = list(dict.fromkeys([*jobs, *(_sweep_jobs(sweep, region) if sweep is not None else [])]))
    handles: list[Any] = []
    try:
        for job in given:
            with _aws(job):
                handles.append(_job(job, region, poll))
        with _aws():
            gathered = _follow(handles, by, statistic, wanted, poll) if follow else \
                [list(handle.metric_records()) for handle in handles]
    except KeyboardInterrupt:
        click.echo(_reattach(handles, given), err=True)
        sys.exit(130)
    key, tables, names = _tables(handles, gathered, by, statistic, wanted, strict=True)
    if plot is not None:
        _draw(tables, key, names, plot)
    if as_json:
        click.echo(json.dumps(_document(handles, tables, names), indent=2))
    elif as_csv:
        click.echo(_csv(tables, key, names), nl=False)
    elif not follow:  # following has shown the table already
        from ..terminal import on_terminal

        click.echo(on_terminal(_text(handles, tables, key, names)))


def _sweep_jobs(sweep: str, region: str | None) -> list[str]:
    """The jobs of a sweep, oldest first, as JOB names them: this project's local ones, else the region's (ARNs)."""
    from datetime import datetime, timezone

    from ..job.listing import chosen, cloud_jobs, local_jobs
    from ..workspace import jobs_folder, project_root
    from .jobs import gateway, project_region
    from .values import read_query

    query = read_query(states=(), device=None, since=None, name=None, limit=None, aliases=dict,
                       now=datetime.now(timezone.utc), sweep=sweep)
    found = chosen(local_jobs(jobs_folder(project_root(Path.cwd())))[0], query)
    region = project_region(region)
    if not found:
        with _aws():
            found = cloud_jobs(gateway(), query, region)
    if not found:
        where = region or "the AWS configuration's region"
        raise InvalidInput([Problem(f"no jobs of sweep {sweep!r} in this project's .braketkit/jobs/ or in {where}",
                                    "--sweep")])
    return [info.folder or info.arn or info.name for info in reversed(found)]


def _check_options(as_json: bool, as_csv: bool, follow: bool, plot: Path | None) -> None:
    """What the command line alone can tell: refused before any job is looked up."""
    if as_json and as_csv:
        raise InvalidInput([Problem("give one of them: each prints every job's metrics", "--json, --csv")])
    if follow and (as_json or as_csv):
        raise InvalidInput([Problem(f"redraws a text table until the jobs end; {'--json' if as_json else '--csv'} "
                                    "prints once, so leave out --follow (or run it again once the jobs have ended)",
                                    "--follow")])
    if plot is not None:
        if plot.suffix.lower().lstrip(".") not in PLOT_FORMATS:
            raise InvalidInput([Problem(f"{str(plot)!r} is no .png, .svg or .pdf file; the suffix picks the format",
                                        "--plot")])
        if not plot.parent.is_dir():
            raise InvalidInput([Problem(f"no folder {str(plot.parent)!r} to write {plot.name} into; create it first",
                                        "--plot")])
        from ..job.plot import require_matplotlib

        require_matplotlib()


def _tables(handles: Sequence[Any], gathered: Sequence[Sequence[Record]], by: str | None, statistic: str,
            wanted: Sequence[str], strict: bool) -> tuple[RowKey, list[tuple[str, Columns]], list[str]]:
    """The jobs' tables and the metrics to show; ``strict``: a name no job logged is an error, else left out."""
    from ..job.metrics import choose_metrics, labelled_tables

    key, tables = labelled_tables([(handle.name, records) for handle, records in zip(handles, gathered, strict=True)],
                                  by, statistic, "--by")
    if strict or not wanted:
        names = choose_metrics(tables, wanted, "--metric")
    else:  # still following: a name may yet be logged
        logged = set(choose_metrics(tables))
        names = [name for name in dict.fromkeys(wanted) if name in logged]
    return key, tables, names


def _text(handles: Sequence[Any], tables: Sequence[tuple[str, Columns]], key: RowKey, names: Sequence[str],
          ended: bool = True) -> str:
    from ..terminal import printable
    from .metrics_text import job_block

    width = shutil.get_terminal_size().columns
    return "\n\n".join(job_block(f"{printable(label)}  {_state(handle)}", columns, key, names, width, ended)
                       for handle, (label, columns) in zip(handles, tables, strict=True))


def _document(handles: Sequence[Any], tables: Sequence[tuple[str, Columns]], names: Sequence[str]) -> list[Any]:
    """Each job as ``status --json``-like fields and its table cut to the chosen metrics, strict JSON."""
    from ..job.metrics import select
    from .jobs_text import job_document
    from .metrics_text import json_safe

    return [job_document(handle.info()) | {"metrics": json_safe(select(columns, names))}
            for handle, (_, columns) in zip(handles, tables, strict=True)]


def _csv(tables: Sequence[tuple[str, Columns]], key: RowKey, names: Sequence[str]) -> str:
    from ..job.metrics import select
    from .metrics_text import csv_text

    return csv_text([(label, select(columns, names)) for label, columns in tables], key, names)


def _draw(tables: Sequence[tuple[str, Columns]], key: RowKey, names: Sequence[str], path: Path) -> None:
    from ..job.plot import figure

    drawing = figure(tables, key, names)
    try:
        drawing.savefig(path, format=path.suffix.lower().lstrip("."), dpi=120)
    except OSError as error:
        raise InvalidInput([Problem(f"cannot write {str(path)!r}: {error.strerror or error}", "--plot")]) from None
    jobs = f"{len(tables)} job{'s' * (len(tables) > 1)}"
    click.echo(f"drew {len(names)} metric{'s' * (len(names) > 1)} of {jobs} into {path}", err=True)


def _state(handle: Any) -> str:
    """The job's state as last read (a cloud job's GetJob answer at hand): showing it asks the service nothing."""
    from ..job import LocalJob

    if isinstance(handle, LocalJob):
        return handle.state()
    return str(handle.metadata(refresh=False)["status"])


def _follow(handles: Sequence[Any], by: str | None, statistic: str, wanted: Sequence[str],
            poll: float) -> list[list[Record]]:
    """Read every job again each ``poll`` seconds until all have ended, showing the table whenever it changed.

    A job's state is read before its log, so the read after the job was seen ended is complete.
    """
    from ..job import AwsJob
    from ..model.job import TERMINAL_STATES

    interval = poll if any(isinstance(handle, AwsJob) for handle in handles) else min(poll, _LOCAL_POLL)
    screen = _Screen(sys.stdout)
    gathered: list[list[Record]] = [[] for _ in handles]
    ended = [False] * len(handles)
    shown = None
    while True:
        for index, handle in enumerate(handles):
            if not ended[index]:
                ended[index] = handle.state() in TERMINAL_STATES
                gathered[index] = list(handle.metric_records())
        key, tables, names = _tables(handles, gathered, by, statistic, wanted, strict=False)
        text = _text(handles, tables, key, names, all(ended))
        if text != shown:
            screen.show(text)
            shown = text
        if all(ended):
            return gathered
        time.sleep(interval)


class _Screen:
    """A block of text shown again when it changes: redrawn in place on a terminal, appended anywhere else."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._terminal = stream.isatty()
        self._lines = 0

    def show(self, text: str) -> None:
        from ..terminal import on_terminal

        lines = on_terminal(text).split("\n")
        width, height = shutil.get_terminal_size()
        if self._terminal:
            lines = [line[:width] for line in lines]  # a wrapped line would throw the count of lines to go up off
        if self._terminal and 0 < self._lines < height:
            self._stream.write(f"\x1b[{self._lines}F\x1b[J")  # to the block's first line, then erase to the end
        elif self._lines:  # not a terminal, or a block taller than it: the next block below
            self._stream.write("\n")
        self._stream.write("\n".join(lines) + "\n")
        self._stream.flush()
        self._lines = len(lines)


def _reattach(handles: Sequence[Any], given: Sequence[str]) -> str:
    """The command that watches again: cloud jobs by ARN (no --region needed), local ones as they were given."""
    from ..job import AwsJob
    from .jobs_text import reattach_text

    named = [handle.arn if isinstance(handle, AwsJob) else job for handle, job in zip(handles, given, strict=False)]
    return reattach_text(*named, *given[len(handles):], command="metrics")
