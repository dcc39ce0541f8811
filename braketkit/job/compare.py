"""What differs between two jobs (``braketkit diff``): their settings, arguments, hyperparameters, provenance and
source files.

``compare_jobs`` and ``compare_sources`` are pure: they take what ``job_details`` says of each job and the two
source archives on this machine. ``job_source`` finds a job's archive: a cloud job's by its digest
(``source.fetch_source``, verified), a local job's in its project's archive cache (``source.cached_source``).
Archives are untrusted input: their members are read in memory under caps (``extract.read_members``), never
extracted, and a link is described, never followed.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..model.details import Change, FileChange, JobComparison, JobDetails, SourceComparison
from ..model.provenance import Provenance
from ..terminal import printable
from ..workspace import FOLDER, archives_folder
from .extract import ArchiveMember, read_members, size_text
from .planned import recorded_digest
from .source import JobSource, cached_source, fetch_source

if TYPE_CHECKING:
    from ..aws import Aws
    from . import Job

__all__ = ["MAX_FILE_BYTES", "MAX_KEPT_BYTES", "compare_jobs", "compare_sources", "job_digest", "job_settings",
           "job_source"]

MAX_FILE_BYTES = 1024**2
"""The largest file compared line by line; a larger one that changed is said to differ, no more."""
MAX_KEPT_BYTES = 64 * 1024**2
"""The most bytes of one archive's files held in memory to compare; files past it are compared by digest only."""

_KINDS = {"dir": "a folder", "symlink": "a link", "hardlink": "a hard link", "other": "a special file"}


def _changes(first: Mapping[str, Any], second: Mapping[str, Any]) -> list[Change]:
    """Every key whose value differs, sorted; a key one side lacks has no value on that side."""
    return [Change(key=key, first=first.get(key), second=second.get(key))
            for key in sorted(first.keys() | second.keys())
            if key not in first or key not in second or first[key] != second[key]]


def job_settings(details: JobDetails) -> dict[str, Any]:
    """A job's settings as GetJob or its local record says them, under the settings' own keys (``instance.type``):
    what can be compared when a job has no planned record."""
    found: dict[str, Any] = {
        "entry": details.entry, "device": details.device, "instance.type": details.instance_type,
        "instance.count": details.instance_count, "instance.volume_gb": details.volume_gb,
        "stopping.max_runtime": details.max_runtime, "image": details.image, "role": details.role,
        "reservation": details.reservation,
        **{f"tags.{name}": value for name, value in details.tags.items()},
        **{f"input.{name}": value for name, value in details.inputs.items()},
    }
    return {key: value for key, value in found.items() if value is not None}


def _planned_changes(first: JobDetails, second: JobDetails) -> list[Change]:
    """The settings of two planned records that differ, each side with its origin (the entry: the record's too)."""
    assert first.settings is not None and second.settings is not None
    changes = _changes({"entry": first.entry} if first.entry else {}, {"entry": second.entry} if second.entry else {})
    for change in _changes({key: setting.value for key, setting in first.settings.items()},
                           {key: setting.value for key, setting in second.settings.items()}):
        old, new = first.settings.get(change.key), second.settings.get(change.key)
        changes.append(attrs.evolve(change, first_origin=old.origin if old else None,
                                    second_origin=new.origin if new else None))
    return changes


def _provenance(provenance: Provenance | None) -> dict[str, Any]:
    if provenance is None:
        return {}
    return {key: value for key, value in attrs.asdict(provenance).items() if value is not None}


def compare_jobs(first: JobDetails, second: JobDetails, source: SourceComparison | None,
                 source_problem: str | None = None) -> JobComparison:
    """What differs between two jobs, given each one's details and the comparison of their archives.

    Settings come from both planned records when both jobs have one, else from what the jobs themselves say.

    Args:
        first: The first job's details (``job_details``).
        second: The second job's.
        source: Their archives compared (``compare_sources``); None when one could not be had.
        source_problem: Why it could not be had.
    """
    planned = first.settings is not None and second.settings is not None
    settings = _planned_changes(first, second) if planned else _changes(job_settings(first), job_settings(second))
    arguments = _changes(first.arguments, second.arguments)
    hyperparameters = _changes(first.hyperparameters, second.hyperparameters)
    provenance = _changes(_provenance(first.provenance), _provenance(second.provenance))
    files = source is not None and bool(source.added or source.removed or source.changed or source.note)
    return JobComparison(first=first.name, second=second.name, settings_from="planned" if planned else "jobs",
                         settings=settings, arguments=arguments, hyperparameters=hyperparameters,
                         provenance=provenance, source=source, source_problem=source_problem,
                         differ=bool(settings or arguments or hyperparameters or provenance or files))


def _text(member: ArchiveMember) -> str | None:
    """A file's text, if it is text braketkit kept: UTF-8 without NUL bytes."""
    if member.data is None or b"\0" in member.data:
        return None
    try:
        return member.data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _what(member: ArchiveMember) -> str:
    """A member that is no file, as a note says it: ``a link to 'x'`` (never followed)."""
    kind = _KINDS.get(member.kind, "a file")
    return f"{kind} to {printable(member.link)!r}" if member.link else kind


def _file_change(path: str, first: ArchiveMember, second: ArchiveMember) -> FileChange | None:
    """How a path both archives hold differs, or None when it does not."""
    if first.kind != "file" or second.kind != "file":
        if (first.kind, first.link) == (second.kind, second.link):
            return None
        return FileChange(path=path, note=f"{_what(first)}, now {_what(second)}")
    if first.sha256 == second.sha256:
        return None
    old, new = _text(first), _text(second)
    if old is not None and new is not None:
        lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                     fromfile=f"a/{printable(path)}", tofile=f"b/{printable(path)}")
        return FileChange(path=path, diff="".join(line if line.endswith("\n") else line + "\n\\ No newline at end "
                                                  "of file\n" for line in lines))
    if first.data is None or second.data is None:
        larger = max(first.size, second.size)
        return FileChange(path=path, note=f"files differ ({size_text(larger)}: too large to compare line by line)"
                          if larger > MAX_FILE_BYTES else "files differ (not read: the archives hold more than "
                          f"{size_text(MAX_KEPT_BYTES)} to compare)")
    return FileChange(path=path, note="binary files differ")


def compare_sources(first: JobSource, second: JobSource, first_job: str, second_job: str) -> SourceComparison:
    """The two archives member by member: files added, removed and changed (a unified diff for text)."""
    unverified = [job for job, source in ((first_job, first), (second_job, second)) if not source.verified]
    if first.sha256 == second.sha256:
        return SourceComparison(first_sha256=first.sha256, second_sha256=second.sha256, same=True,
                                unverified=unverified)
    old, new = (read_members(source.path, label=f"the source archive of job {job}", max_size=MAX_FILE_BYTES,
                             max_kept=MAX_KEPT_BYTES) for job, source in ((first_job, first), (second_job, second)))
    old = {name: member for name, member in old.items() if member.kind != "dir"}
    new = {name: member for name, member in new.items() if member.kind != "dir"}
    changed = [change for path in sorted(old.keys() & new.keys())
               if (change := _file_change(path, old[path], new[path])) is not None]
    added, removed = sorted(new.keys() - old.keys()), sorted(old.keys() - new.keys())
    note = None if added or removed or changed else \
        "the archives differ only in what is not compared: file modes, times, folders or order"
    return SourceComparison(first_sha256=first.sha256, second_sha256=second.sha256, same=False, added=added,
                            removed=removed, changed=changed, note=note, unverified=unverified)


def job_digest(details: JobDetails) -> str | None:
    """The digest of the archive a job ran, as it records it (provenance, else its script URI); None if it does not."""
    if details.provenance is not None:
        return details.provenance.archive_sha256
    return recorded_digest(None, details.source)


def _cache_of(folder: Path, project_cache: Path) -> Path:
    """A local job's archive cache: that of the project whose ``.braketkit/jobs/`` holds it."""
    jobs = folder.resolve().parent
    return archives_folder(jobs.parent.parent) if jobs.name == "jobs" and jobs.parent.name == FOLDER \
        else project_cache


def job_source(job: Job, details: JobDetails, aws: Aws, cache: Path) -> tuple[JobSource | None, str | None]:
    """The job's source archive on this machine, verified, or why there is none (a local job's gone from the cache).

    A cloud job's is looked for in ``cache`` and downloaded from its script URI if needed (``fetch_source``,
    SourceMismatch when its bytes are not the digest the job records); a local job's is looked for in the archive
    cache of its project.
    """
    from .local import LocalJob

    if not isinstance(job, LocalJob):
        return fetch_source(job.metadata(refresh=False), aws, job.region, cache), None
    digest = job_digest(details)
    if digest is None:
        return None, (f"local job {job.name} records no source archive (it ran before braketkit recorded "
                      "provenance), so its files cannot be compared")
    where = _cache_of(job.folder, cache)
    found = cached_source(where, digest, job.name)
    if found is None:
        return None, (f"the source archive of local job {job.name} (sha256 {digest}) is no longer in {where}: "
                      "removed by `braketkit clean --archives`, or the cache was deleted; its files cannot be "
                      "compared (a run of the same source tree builds it again)")
    return found, None
