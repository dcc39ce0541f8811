"""The test suite's loopback AWS (moto behind the S3 gate, the fake Braket control plane), for benchmarks."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.braket_service import FakeBraket  # noqa: E402
from tests.s3_gate import S3Gate  # noqa: E402


@contextmanager
def loopback_aws() -> Iterator[tuple[S3Gate, FakeBraket]]:
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    moto = f"http://{host}:{port}"
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{moto}/moto-api/reset", method="POST")).close()
    gate, braket = S3Gate(moto), FakeBraket(moto)
    saved = dict(os.environ)
    os.environ.update({
        "AWS_ENDPOINT_URL": moto, "AWS_ENDPOINT_URL_S3": gate.url, "AWS_ENDPOINT_URL_BRAKET": braket.url,
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
    })
    boto3.Session(region_name="us-east-1").client("iam").create_role(
        RoleName="AmazonBraketJobsExecutionRole", Path="/service-role/",
        AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}')
    try:
        yield gate, braket
    finally:
        os.environ.clear()
        os.environ.update(saved)
        braket.close()
        gate.close()
        server.stop()


def uploaded_bytes(gate: S3Gate, start: int = 0) -> int:
    """Bytes of object data braketkit (or the SDK) sent through the gate since request number ``start``."""
    return sum(int(seen.headers.get("Content-Length") or seen.headers.get("content-length") or 0)
               for seen in gate.seen[start:] if seen.method in ("PUT", "POST") and seen.path.count("/") >= 2)
