"""Which jobs ``braketkit list`` shows: the cloud's (SearchJobs) or this project's local ones, filtered alike.

SearchJobs gets the filters the service documents for it (``deviceArn`` EQUAL, ``jobName`` CONTAINS,
``createdAt`` GTE), checked against the service model before anything is sent. Every job, cloud or local,
then passes the same ``matches``: the state and the sweep (SearchJobs documents no filter for either; a
sweep is a tag every summary carries) and the start of the name (the service only knows "contains") are
decided there.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import cattrs

from ..errors import BraketkitError, InvalidInput, Problem
from ..model.job import JobInfo, JobQuery, Left
from ..plan import service_model
from ..plan.validate import validate
from .info import cloud_info
from .local import LocalJob

if TYPE_CHECKING:
    from mypy_boto3_braket.type_defs import SearchJobsFilterTypeDef

    from ..aws import Aws

__all__ = ["chosen", "cloud_jobs", "job_states", "local_jobs", "matches", "search_filters"]


def job_states() -> list[str]:
    """The states a job can be in, as the service model names them (local jobs use the same)."""
    shapes = service_model.shapes()
    states: list[str] = shapes[shapes["GetJobResponse"]["members"]["status"]["shape"]]["enum"]
    return states


def search_filters(query: JobQuery) -> list[dict[str, Any]]:
    """The SearchJobs filters that narrow ``query`` on the service's side; InvalidInput if the model refuses one.

    Each filter is checked against the model with the option it came from, so a refusal names that option.
    """
    wanted = []
    if query.device is not None:
        wanted.append(("--device", {"name": "deviceArn", "operator": "EQUAL", "values": [query.device]}))
    if query.name_prefix is not None:
        wanted.append(("--name", {"name": "jobName", "operator": "CONTAINS", "values": [query.name_prefix]}))
    if query.since is not None:
        moment = query.since.isoformat(timespec="seconds")
        wanted.append(("--since", {"name": "createdAt", "operator": "GTE", "values": [moment]}))
    request_shape = service_model.input_shape("SearchJobs")
    problems = [Problem(message, option) for option, condition in wanted
                for _, message in validate({"filters": [condition]}, request_shape)]
    if problems:
        raise InvalidInput(problems)
    return [condition for _, condition in wanted]


def matches(info: JobInfo, query: JobQuery) -> bool:
    """Whether a job passes every filter of ``query``; a job without a creation time fails ``since``."""
    return ((not query.states or info.state in query.states)
            and (query.device is None or info.device == query.device)
            and (query.since is None or (info.created is not None and info.created >= query.since))
            and (query.name_prefix is None or info.name.startswith(query.name_prefix))
            and (query.sweep is None or info.sweep == query.sweep))


def chosen(jobs: Iterable[JobInfo], query: JobQuery) -> list[JobInfo]:
    """The jobs that match, newest first, at most ``query.limit`` of them."""
    found = sorted((job for job in jobs if matches(job, query)),
                   key=lambda job: (job.created is not None, job.created, job.name), reverse=True)
    return found[:query.limit] if query.limit is not None else found


def cloud_jobs(aws: Aws, query: JobQuery, region: str | None) -> list[JobInfo]:
    """The region's jobs that match, every page of SearchJobs read (callers turn AWS errors into messages)."""
    filters = cast("list[SearchJobsFilterTypeDef]", search_filters(query))  # checked against the service model
    pages = aws.braket(region).get_paginator("search_jobs").paginate(filters=filters)
    return chosen((cloud_info(summary) for page in pages for summary in page["jobs"]), query)


def local_jobs(folder: Path) -> tuple[list[JobInfo], list[Left]]:
    """Every local job in ``folder`` (``.braketkit/jobs/``), and the folders in it that are no job braketkit can read.

    Each record is read as it stands (``LocalJob.metadata``): a job whose runner died reads FAILED.
    """
    try:
        paths = sorted(folder.iterdir())
    except FileNotFoundError:
        return [], []
    except OSError as error:
        raise BraketkitError(f"cannot read the local jobs in {folder}: {error.strerror or error}") from None
    jobs, unreadable = [], []
    for path in paths:
        if path.name.startswith(".") or not path.is_dir():
            continue  # braketkit's own: a folder being removed (clean), a record being written
        if path.is_symlink():
            unreadable.append(Left(path=str(path), reason="a link, not a job folder braketkit made"))
            continue
        try:
            jobs.append(LocalJob(path).info())
        except (OSError, ValueError, cattrs.BaseValidationError) as error:
            unreadable.append(Left(path=str(path), reason=f"its job.json cannot be read ({_reason(error)})"))
    return jobs, unreadable


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return f"{type(error).__name__}: {error}"
