"""The archive uploaded is the archive its digest names.

Every upload carries the SHA-256 its plan names as S3's checksum (``ChecksumSHA256``), so S3 itself refuses other
bytes (here the S3 gate, as moto stores the checksum without computing it). A multipart upload, whose SHA-256 S3
can only check part by part, is completed only when the parts read add up to the digest. A cached archive that
fails is dropped and packed again, and uploaded once more; a file changed since the plan stops the submission.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from braketkit.errors import AwsError
from braketkit.execute.cloud import RetryPolicy, submit
from braketkit.package import cache as index
from braketkit.pipeline import plan_target
from braketkit.plan import Plan
from braketkit.target import load_reference

from .conftest import CLOUD_SETTINGS, Cloud, Project
from .s3_gate import Seen

FAST = RetryPolicy(deadline=30.0, base=0.001, cap=0.01)
BUCKET = "amazon-braket-us-east-1-123456789012"


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Index trees written a moment ago, so that a second plan takes the cached archive."""
    monkeypatch.setattr(index, "RACY_NS", 0)


def _plan() -> Plan:
    return plan_target(load_reference("jobs.py:train"))


def _b64(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


def _archive_puts(cloud: Cloud, plan: Plan) -> list[Seen]:
    folder = f"/sources/{plan.archive.sha256}/"
    return [seen for seen in cloud.gate.seen if seen.method == "PUT" and folder in seen.path]


def _stored_digest(cloud: Cloud, plan: Plan) -> str:
    key = plan.uploads[0].s3_uri.removeprefix(f"s3://{BUCKET}/")
    body = cloud.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return hashlib.sha256(body).hexdigest()


def _spoil_in_place(path: Path) -> None:
    """Change a byte in the middle and put the size and modification time back: the index's checks still hold."""
    stamp = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))


def test_moto_stores_a_sha256_it_never_computed(cloud: Cloud) -> None:
    """Why the gate checks: moto's server (5.2) takes any x-amz-checksum-sha256 on PutObject and UploadPart. When
    this fails, moto checks them itself, and the gate's own check can go."""
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="plain-moto")
    wrong = _b64(hashlib.sha256(b"other").hexdigest())
    s3.put_object(Bucket="plain-moto", Key="k", Body=b"hello", ChecksumSHA256=wrong)
    upload = s3.create_multipart_upload(Bucket="plain-moto", Key="m", ChecksumAlgorithm="SHA256")
    s3.upload_part(Bucket="plain-moto", Key="m", UploadId=upload["UploadId"], PartNumber=1, Body=b"hello",
                   ChecksumSHA256=wrong)


def test_the_gate_refuses_bytes_that_are_not_the_named_ones(cloud: Cloud) -> None:
    s3 = cloud.client("s3", via_gate=True)
    s3.create_bucket(Bucket="gated")
    s3.put_object(Bucket="gated", Key="good", Body=b"hello", ChecksumSHA256=_b64(hashlib.sha256(b"hello").hexdigest()))
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket="gated", Key="bad", Body=b"hello", ChecksumSHA256=_b64(hashlib.sha256(b"x").hexdigest()))
    assert caught.value.response["Error"]["Code"] == "BadDigest"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert [item["Key"] for item in s3.list_objects_v2(Bucket="gated")["Contents"]] == ["good"]


def test_the_upload_carries_the_archives_sha256(cloud_project: Project, cloud: Cloud) -> None:
    plan = _plan()
    submit(plan, policy=FAST, quiet=True)
    [put] = _archive_puts(cloud, plan)
    assert put.headers.get("x-amz-checksum-sha256") == _b64(plan.archive.sha256)
    assert _stored_digest(cloud, plan) == plan.archive.sha256


def test_a_cached_archive_altered_in_place_is_packed_again_and_uploaded_as_named(
        cloud_project: Project, cloud: Cloud, settled: None) -> None:
    """The issue's case: same size, same modification time, other bytes. S3 refuses them; the entry is dropped, the
    archive packed again from the tree, and the upload tried once more, with the bytes the digest names."""
    first = _plan()
    _spoil_in_place(first.archive.path)
    plan = _plan()
    assert plan.archive.sha256 == first.archive.sha256  # the cache answered: nothing was read
    submission = submit(plan, policy=FAST, quiet=True)
    refused, accepted = _archive_puts(cloud, plan)
    assert refused.headers["x-amz-checksum-sha256"] == accepted.headers["x-amz-checksum-sha256"]
    assert _stored_digest(cloud, plan) == plan.archive.sha256
    assert hashlib.sha256(plan.archive.path.read_bytes()).hexdigest() == plan.archive.sha256  # the cache is mended
    assert submission.bytes_uploaded == plan.archive.size and cloud.braket.jobs
    again = _plan()  # and the next plan finds the mended archive through the index
    assert again.archive.path == plan.archive.path
    assert hashlib.sha256(again.archive.path.read_bytes()).hexdigest() == plan.archive.sha256


def test_a_large_archive_is_completed_only_when_its_parts_are_the_named_bytes(
        cloud_project: Project, cloud: Cloud, settled: None) -> None:
    """Over one chunk, the archive goes in parts, each with its own SHA-256 for S3 to check; the whole is checked
    here, as the parts are read, and an upload whose parts do not add up to the digest is aborted, never completed."""
    cloud_project.write("weights.txt", "")
    (cloud_project.root / "weights.txt").write_bytes(os.urandom(9 * 1024 * 1024))  # no gzip makes it one chunk
    first = _plan()
    assert first.archive.size > 8 * 1024 * 1024
    _spoil_in_place(first.archive.path)
    plan = _plan()
    submit(plan, policy=FAST, quiet=True)
    parts = [seen for seen in _archive_puts(cloud, plan) if "partNumber" in seen.query]
    assert len(parts) == 4 and all("x-amz-checksum-sha256" in seen.headers for seen in parts)
    aborted = [seen for seen in cloud.gate.seen if seen.method == "DELETE" and "uploadId" in seen.query]
    assert len(aborted) == 1  # the first upload, whose parts were the altered bytes
    assert _stored_digest(cloud, plan) == plan.archive.sha256
    assert cloud.client("s3").list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def test_a_tree_changed_since_the_plan_stops_the_submission(cloud_project: Project, cloud: Cloud,
                                                            settled: None) -> None:
    first = _plan()
    _spoil_in_place(first.archive.path)
    plan = _plan()
    cloud_project.write("jobs.py", (cloud_project.root / "jobs.py").read_text() + "\n# edited after the plan\n")
    with pytest.raises(AwsError) as caught:
        submit(plan, policy=FAST, quiet=True)
    assert str(caught.value) == (
        f"S3 refused the source archive {plan.archive.path}: its bytes are not the ones its SHA-256 "
        f"{plan.archive.sha256[:12]} names (it changed in the cache since it was packed), and packing the source "
        "tree again gives another archive: the tree changed since the plan. Plan again; no job was created.")
    assert "CreateJob" not in cloud.braket.calls
    assert cloud.client("s3").list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0


def test_bytes_spoilt_on_the_way_twice_stop_the_submission(cloud_project: Project, cloud: Cloud) -> None:
    """Once packed again, the archive is uploaded once more, not forever."""
    plan = _plan()
    cloud.gate.corrupt.append(lambda seen: "/sources/" in seen.path)
    with pytest.raises(AwsError) as caught:
        submit(plan, policy=FAST, quiet=True)
    assert str(caught.value) == (
        f"S3 refused the source archive {plan.archive.path} twice, packed again in between: the bytes it received "
        f"were not the ones its SHA-256 {plan.archive.sha256[:12]} names (BadDigest). Something between this machine "
        "and S3 changes them; no job was created.")
    assert len(_archive_puts(cloud, plan)) == 2
    assert "CreateJob" not in cloud.braket.calls


def test_an_input_file_changed_since_the_plan_stops_the_submission(cloud_project: Project, cloud: Cloud) -> None:
    cloud_project.write("data/train.csv", "1,2,3\n")
    cloud_project.pyproject(CLOUD_SETTINGS + 'input = { train = "data" }\n')
    plan = _plan()
    cloud_project.write("data/train.csv", "4,5,6\n")  # the same size
    with pytest.raises(AwsError) as caught:
        submit(plan, policy=FAST, quiet=True)
    path = cloud_project.root / "data" / "train.csv"
    assert str(caught.value) == (
        f"S3 refused {path}: its bytes are not the ones its SHA-256 {plan.uploads[1].sha256[:12]} names (it changed "
        "since the plan). Plan again; no job was created.")
    assert "CreateJob" not in cloud.braket.calls


def test_an_unchanged_tree_still_uploads_nothing_from_a_new_process(cloud_project: Project, cloud: Cloud) -> None:
    """HeadObject still decides: a fresh gateway asks S3, finds the archive and sends nothing."""
    from braketkit.aws import Aws

    first = submit(_plan(), policy=FAST, quiet=True)
    fresh = Aws(session=boto3.Session(region_name="us-east-1"))
    plan = plan_target(load_reference("jobs.py:train"), aws=fresh)
    second = submit(plan, aws=fresh, policy=FAST, quiet=True)
    assert (second.bytes_uploaded, second.bytes_skipped) == (0, first.bytes_uploaded)
    assert len(_archive_puts(cloud, plan)) == 1
