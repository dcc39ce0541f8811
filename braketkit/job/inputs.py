"""A cloud job's input channels on this machine, for a rerun here: downloaded, and checked where braketkit
addressed them by content.

A channel braketkit uploaded from a local folder sits at ``s3://<bucket>/<prefix>/inputs/<digest>/``, its
digest made from its files' names and contents (``package.channel_digest``). Its files are downloaded with
the user's credentials (the caller's account the expected bucket owner, as for every braketkit S3 call) and
the digest computed again: a channel whose files were changed, added or removed since is refused
(``SourceMismatch``) before the job runs. A channel the job was given as an ``s3://`` URI is the user's own
data, with no digest to check: the local run downloads it as it is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AwsError, InvalidInput, Problem, SourceMismatch
from ..model.request import CreateJobRequest
from ..model.steps import Upload
from ..package import channel_digest, file_digest
from ..s3uri import split_s3_uri

if TYPE_CHECKING:
    from ..aws import Aws

__all__ = ["addressed_digest", "fetch_channels"]

_ADDRESSED = re.compile(r"/inputs/([0-9a-f]{64})/\Z")


def addressed_digest(uri: str) -> str | None:
    """The digest a content-addressed channel's URI names (``.../inputs/<digest>/``); None for any other URI."""
    found = _ADDRESSED.search(uri)
    return found.group(1) if found else None


def fetch_channels(request: CreateJobRequest, aws: Aws, region: str, folder: Path, job: str) -> list[Upload]:
    """The files of each content-addressed channel of ``request``, downloaded into ``folder/<channel>/`` and
    verified: each as a local file at its S3 URI. Channels passed through as ``s3://`` URIs are left out."""
    from botocore.exceptions import BotoCoreError, ClientError

    names = [channel.channel_name for channel in request.input_data_config or []]
    odd = sorted({name for name in names if name in (".", "..") or names.count(name) > 1})
    if odd:
        raise InvalidInput([Problem(f"job {job} has input channels braketkit cannot lay out as folders here: "
                                    f"{', '.join(map(repr, odd))} (a channel named . or .., or two of one name)",
                                    "JOB")])
    found: list[Upload] = []
    for channel in request.input_data_config or []:
        uri = channel.data_source.s3_data_source.s3_uri
        expected = addressed_digest(uri)
        if expected is None:
            continue
        target = folder / channel.channel_name
        target.mkdir(parents=True)
        base = uri.rstrip("/") + "/"
        files: list[Upload] = []
        try:
            bucket, prefix = split_s3_uri(base)
            owner = aws.account(region)
            s3 = aws.s3(region)
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix,
                                                                  ExpectedBucketOwner=owner)
            for item in (item for page in pages for item in page.get("Contents", [])):
                relative = item["Key"][len(prefix):]
                destination = target / relative
                if not relative or not destination.resolve().is_relative_to(target.resolve()):
                    raise _changed(channel.channel_name, uri, job, f"it holds a key {item['Key']!r} no channel has")
                destination.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(bucket, item["Key"], str(destination), ExtraArgs={"ExpectedBucketOwner": owner})
                files.append(Upload(path=destination, s3_uri=base + relative, size=destination.stat().st_size,
                                    sha256=file_digest(destination)))
        except (BotoCoreError, ClientError) as error:
            raise AwsError(f"cannot download the input channel {channel.channel_name} of job {job} from {uri}: "
                           f"{error}") from error
        actual = channel_digest((upload.s3_uri[len(base):], upload.sha256) for upload in files)
        if actual != expected:
            raise _changed(channel.channel_name, uri, job, f"its files now have the digest {actual}")
        found += files
    return found


def _changed(name: str, uri: str, job: str, what: str) -> SourceMismatch:
    return SourceMismatch(f"the input channel {name} of job {job} at {uri} is not what the job was given: {what}, "
                          "not the one its URI names; its files were changed, added or removed since, so braketkit "
                          "will not run the job with them")
