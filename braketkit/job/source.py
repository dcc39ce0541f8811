"""A job's source archive, fetched by its digest and verified: what ``rerun`` runs and ``diff`` compares.

braketkit's archives are content-addressed, so the digest a job carries (its ``braketkit:archive-sha256``
tag, else the ``sources/<sha256>/`` of its script URI) names the exact bytes it ran. The project's
archive cache (``.braketkit/archives/<sha256>.tar.gz``) is looked in first, then the script URI is
downloaded; either way the bytes are hashed, and an archive whose digest is not the job's is refused
(``SourceMismatch``), never used. A job not made by braketkit records no digest: its archive is taken
as S3 holds it now, and ``JobSource.verified`` says so.

``extract_source`` unpacks a job's archive, so found, into a folder of its own (``braketkit show JOB
--source DIR``): the exact files the job ran, whatever the working tree holds now.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import AwsError, InvalidInput, Problem, SourceMismatch
from ..package import file_digest
from ..s3uri import split_s3_uri
from ..workspace import make_folder
from .planned import recorded_digest

if TYPE_CHECKING:
    from ..aws import Aws
    from . import Job

__all__ = ["JobSource", "cached_source", "extract_source", "fetch_source", "job_source", "local_source",
           "recorded_digest", "script_uri"]



@attrs.frozen(kw_only=True)
class JobSource:
    """A job's source archive on this machine.

    Attributes:
        path: The archive file (in the project's archive cache when verified).
        sha256: Its SHA-256, as hashed here.
        verified: Whether the job records a digest and the bytes match it; False only for a job not made by
            braketkit, whose archive is taken as it is now.
        script_uri: Where the job's archive is in S3 (its ``scriptModeConfig.s3Uri``); None for a local job.
        downloaded: Whether it was downloaded now, rather than found in the cache.
    """

    path: Path
    sha256: str
    verified: bool
    script_uri: str | None
    downloaded: bool


def _mismatch(what: str, expected: str, actual: str) -> SourceMismatch:
    return SourceMismatch(f"{what} has SHA-256 {actual}, not the {expected} the job ran: it was changed or replaced "
                          "since, so braketkit will not use it")


def cached_source(cache: Path, digest: str, job: str) -> JobSource | None:
    """The archive of ``digest`` in the project's cache, verified; None when the cache has none."""
    path = cache / f"{digest}.tar.gz"
    if not path.is_file():
        return None
    actual = file_digest(path)
    if actual != digest:
        raise _mismatch(f"the cached archive {path} of job {job}", digest, actual)
    return JobSource(path=path, sha256=digest, verified=True, script_uri=None, downloaded=False)


def script_uri(metadata: Mapping[str, Any]) -> str:
    """Where the job GetJob described keeps its code (``scriptModeConfig.s3Uri``); a job that runs its container
    image's own code has none, which is said plainly."""
    uri = ((metadata.get("algorithmSpecification") or {}).get("scriptModeConfig") or {}).get("s3Uri")
    if not isinstance(uri, str) or not uri:
        raise InvalidInput([Problem(f"job {metadata.get('jobName', '?')} has no script (its container image runs its "
                                    "own code), so it has no source archive braketkit can fetch", "JOB")])
    return uri


def fetch_source(metadata: Mapping[str, Any], aws: Aws, region: str, cache: Path, fresh: bool = False) -> JobSource:
    """The source archive of the cloud job GetJob described (``metadata``), verified against its digest.

    Looked for in ``cache`` first; downloaded from its script URI (the caller's account as the expected bucket
    owner, as for every braketkit S3 call) into the cache otherwise. ``fresh``: downloaded (and verified) even
    when the cache has it, for what S3 holds now is what a cloud rerun of the job will run.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    name = str(metadata.get("jobName", "?"))
    uri = script_uri(metadata)
    expected = recorded_digest(metadata.get("tags"), uri)
    if expected is not None and not fresh:
        found = cached_source(cache, expected, name)
        if found is not None:
            return attrs.evolve(found, script_uri=uri)
    make_folder(cache)
    partial = cache / f".partial-source-{os.getpid()}-{id(metadata):x}.tar.gz"
    try:
        try:
            bucket, key = split_s3_uri(uri)
            aws.s3(region).download_file(bucket, key, str(partial),
                                         ExtraArgs={"ExpectedBucketOwner": aws.account(region)})
        except (BotoCoreError, ClientError, ValueError) as error:
            raise AwsError(f"cannot download the source archive of job {name} from {uri}: {error}") from error
        actual = file_digest(partial)
        if expected is not None and actual != expected:
            raise _mismatch(f"the source archive of job {name} at {uri}", expected, actual)
        final = cache / f"{actual}.tar.gz"
        os.replace(partial, final)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()
    return JobSource(path=final, sha256=actual, verified=expected is not None, script_uri=uri, downloaded=True)


def job_source(job: Job, cache: Path) -> JobSource:
    """The source archive of ``job``, verified: a cloud job's from ``cache`` or its script URI (``fetch_source``),
    a local job's from the archive cache of its project (else ``cache``), the only place it is kept."""
    from ..workspace import FOLDER
    from .cloud import AwsJob, talking_to_aws

    if isinstance(job, AwsJob):
        with talking_to_aws(job.arn):
            return fetch_source(job.metadata(refresh=False), job._gateway(), job.region, cache)
    record = job.metadata()
    digest = record.provenance.archive_sha256 if record.provenance is not None else recorded_digest(record.tags, None)
    if job.folder.parent.parent.name == FOLDER:  # <project>/.braketkit/jobs/<name>: its own project's cache
        cache = job.folder.parent.parent / "archives"
    return local_source(cache, digest, job.name, "get the source of")


def local_source(cache: Path, digest: str | None, job: str, doing: str) -> JobSource:
    """A local job's archive from ``cache``, verified: the only place it is kept. When it is gone (or the job records
    no digest), ``InvalidInput`` says what could not be done (``doing``: ``rerun``, ``get the source of``)."""
    found = cached_source(cache, digest, job) if digest else None
    if found is None:
        why = f"its archive (sha256 {digest}) is no longer in {cache}" if digest else "it records no archive digest"
        raise InvalidInput([Problem(f"cannot {doing} local job {job}: {why} (a local job's archive is kept only "
                                    "there, and `braketkit clean --archives` may have removed it)", "JOB")])
    return found


def extract_source(job: Job, folder: Path, cache: Path) -> tuple[Path, JobSource]:
    """Unpack ``job``'s source archive (``job_source``) into ``folder/<job name>``, all or nothing, as
    ``safe_extract`` does (a target that exists and is not an empty folder is refused before anything is
    fetched); return that folder and the archive. braketkit's runtime (``braketkit_runtime/``) is in it: it is
    part of what ran."""
    from .extract import refuse_existing_target, safe_extract

    target = folder / job.name
    label = f"the source archive of job {job.name}"
    refuse_existing_target(target, label)
    source = job_source(job, cache)
    safe_extract(source.path, target, label=label)
    return target, source
