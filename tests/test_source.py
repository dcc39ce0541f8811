"""A job's source archive fetched by its digest, against moto and the loopback Braket service."""

from __future__ import annotations

from pathlib import Path

import pytest

from braketkit.aws import Aws
from braketkit.errors import InvalidInput, SourceMismatch
from braketkit.execute.cloud import RetryPolicy, submit
from braketkit.job.planned import recorded_digest
from braketkit.job.source import fetch_source
from braketkit.package import file_digest
from braketkit.pipeline import plan_target
from braketkit.s3uri import split_s3_uri
from braketkit.target import load_reference

from .conftest import Cloud, Project

FAST = RetryPolicy(deadline=30.0, base=0.001, cap=0.01)


def _submitted(cloud: Cloud) -> dict[str, object]:
    plan = plan_target(load_reference("jobs.py:train"), (), {"steps": 2})
    arn = submit(plan, policy=FAST, quiet=True).job_arn
    return dict(Aws().braket("us-east-1").get_job(jobArn=arn))


def test_a_jobs_archive_is_downloaded_once_then_found_in_the_cache(cloud_project: Project, cloud: Cloud,
                                                                   tmp_path: Path) -> None:
    metadata = _submitted(cloud)
    uri = metadata["algorithmSpecification"]["scriptModeConfig"]["s3Uri"]  # type: ignore[index]
    cache = tmp_path / "elsewhere" / "archives"
    fetched = fetch_source(metadata, Aws(), "us-east-1", cache)
    assert (fetched.downloaded, fetched.verified, fetched.script_uri) == (True, True, uri)
    assert fetched.path == cache / f"{fetched.sha256}.tar.gz" and file_digest(fetched.path) == fetched.sha256
    assert f"/sources/{fetched.sha256}/" in uri
    assert [path.name for path in cache.iterdir()] == [fetched.path.name]  # no partial file left behind
    again = fetch_source(metadata, Aws(), "us-east-1", cache)
    assert (again.downloaded, again.path, again.verified) == (False, fetched.path, True)


def test_an_archive_that_no_longer_matches_its_digest_is_refused(cloud_project: Project, cloud: Cloud,
                                                                 tmp_path: Path) -> None:
    metadata = _submitted(cloud)
    uri = str(metadata["algorithmSpecification"]["scriptModeConfig"]["s3Uri"])  # type: ignore[index]
    bucket, key = split_s3_uri(uri)
    cloud.client("s3").put_object(Bucket=bucket, Key=key, Body=b"something else")
    cache = tmp_path / "cache"
    with pytest.raises(SourceMismatch, match="changed or replaced"):
        fetch_source(metadata, Aws(), "us-east-1", cache)
    assert list(cache.iterdir()) == []  # nothing kept of it

    digest = recorded_digest(metadata.get("tags"), uri)  # type: ignore[arg-type]
    assert digest is not None
    (cache / f"{digest}.tar.gz").write_bytes(b"tampered in the cache")
    with pytest.raises(SourceMismatch, match="cached archive"):
        fetch_source(metadata, Aws(), "us-east-1", cache)


def test_a_job_not_made_by_braketkit_gives_its_archive_unverified(cloud: Cloud, tmp_path: Path) -> None:
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="sdk-bucket")
    s3.put_object(Bucket="sdk-bucket", Key="jobs/sdk-job/script/source.tar.gz", Body=b"the SDK's archive")
    metadata = {"jobName": "sdk-job", "tags": {"team": "qml"}, "algorithmSpecification": {
        "scriptModeConfig": {"s3Uri": "s3://sdk-bucket/jobs/sdk-job/script/source.tar.gz"}}}
    fetched = fetch_source(metadata, Aws(), "us-east-1", tmp_path)
    assert (fetched.verified, fetched.path.read_bytes()) == (False, b"the SDK's archive")


def test_the_recorded_digest_is_the_content_addressed_uri_else_the_tag_and_never_a_path() -> None:
    digest, other = "a" * 64, "b" * 64
    uri = f"s3://b/p/sources/{digest}/source.tar.gz"
    assert recorded_digest({"braketkit:archive-sha256": other}, uri) == digest  # the request's own, not a tag
    assert recorded_digest({"braketkit:archive-sha256": other}, "s3://b/p/script/source.tar.gz") == other
    assert recorded_digest({}, uri) == digest
    assert recorded_digest(None, "s3://b/p/script/source.tar.gz") is None
    assert recorded_digest(None, f"s3://b/p/sources/{digest}/source.tar.gz.bak") is None
    for forged in ("../../../tmp/evil", "B" * 64, digest + "0", ""):
        assert recorded_digest({"braketkit:archive-sha256": forged}, "s3://b/p/script/source.tar.gz") is None


def test_a_job_without_a_script_has_no_source_to_fetch(tmp_path: Path) -> None:
    metadata = {"jobName": "byoc", "algorithmSpecification": {"containerImage": {"uri": "1.dkr.ecr/x:1"}}}
    with pytest.raises(InvalidInput, match="job byoc has no script"):
        fetch_source(metadata, Aws(), "us-east-1", tmp_path)
