"""The test suite's loopback AWS (moto behind the S3 gate, the fake Braket control plane), for benchmarks."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.braket_service import FakeBraket  # noqa: E402
from tests.loopback import MotoServer  # noqa: E402
from tests.s3_gate import S3Gate  # noqa: E402


class Loopback:
    """The servers: moto (S3 behind the gate, STS, IAM, Logs) and the Braket control plane."""

    def __init__(self, moto: MotoServer, gate: S3Gate, braket: FakeBraket) -> None:
        self.moto, self.gate, self.braket = moto, gate, braket

    def reset(self) -> None:
        """An empty account again (no bucket, no archive, no job; the jobs role only), as a first run meets."""
        import urllib.request

        import boto3

        urllib.request.urlopen(urllib.request.Request(f"{self.moto.url}/moto-api/reset", method="POST")).close()
        with self.braket.lock:
            self.braket.jobs.clear()
            self.braket.tokens.clear()
            self.braket.polls.clear()
        boto3.Session(region_name="us-east-1").client("iam").create_role(
            RoleName="AmazonBraketJobsExecutionRole", Path="/service-role/",
            AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}')

    @property
    def latency(self) -> float:
        return self.braket.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        """Seconds added to every answer of every server, once: S3 requests pass the gate and then moto, which
        adds it (the gate adds none)."""
        self.moto.latency = self.braket.latency = seconds
        self.gate.latency = 0.0


@contextmanager
def loopback_aws() -> Iterator[Loopback]:
    moto = MotoServer()
    gate, braket = S3Gate(moto.url), FakeBraket(moto.url)
    saved = dict(os.environ)
    os.environ.update({
        "AWS_ENDPOINT_URL": moto.url, "AWS_ENDPOINT_URL_S3": gate.url, "AWS_ENDPOINT_URL_BRAKET": braket.url,
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
    })
    loopback = Loopback(moto, gate, braket)
    loopback.reset()
    try:
        yield loopback
    finally:
        os.environ.clear()
        os.environ.update(saved)
        braket.close()
        gate.close()
        moto.close()


def uploaded_bytes(gate: S3Gate, start: int = 0) -> int:
    """Bytes of object data braketkit (or the SDK) sent through the gate since request number ``start``."""
    return sum(int(seen.headers.get("Content-Length") or seen.headers.get("content-length") or 0)
               for seen in gate.seen[start:] if seen.method in ("PUT", "POST") and seen.path.count("/") >= 2)


class Side:
    """What one run of ``_submitter.py`` did: its own time, the jobs the service created, the requests it sent."""

    def __init__(self, seconds: float, requests: collections.Counter[str], uploads: int, throttled: int) -> None:
        self.seconds, self.requests, self.uploads, self.throttled = seconds, requests, uploads, throttled
        """``uploads``: objects PUT to S3 (archives, the SDK's entry point); ``throttled``: CreateJob calls the
        service refused for its rate."""


def run_side(loopback: Loopback, example: Path, side: str, count: int, env: Mapping[str, str]) -> Side:
    """One side in a fresh process (``_submitter.py SIDE COUNT`` in ``example``), against an emptied account."""
    loopback.reset()
    services, calls, log = len(loopback.moto.services), len(loopback.braket.calls), len(loopback.braket.create_log)
    seen = len(loopback.gate.seen)
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "_submitter.py"), side, str(count)],
                          cwd=example, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{side} failed:\n{done.stdout}{done.stderr}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    requests = collections.Counter(loopback.moto.services[services:]) + collections.Counter(
        f"braket {operation}" for operation in loopback.braket.calls[calls:])
    answers = collections.Counter(answer for _, _, answer in loopback.braket.create_log[log:])
    if report["jobs"] != count or answers["created"] != count:
        raise SystemExit(f"{side}: {report['jobs']} handles and {answers['created']} jobs created for {count} calls")
    uploads = sum(request.method == "PUT" and request.path.strip("/").count("/") >= 1
                  for request in loopback.gate.seen[seen:])
    return Side(report["seconds"], requests, uploads, answers["throttled"])


def requests_a_job(side: Side, jobs: int) -> str:
    """``1.04 (braket CreateJob 1.00, s3 0.02, ...)``: the requests the side sent per job, by service."""
    parts = ", ".join(f"{name} {number / jobs:.2f}" for name, number in side.requests.most_common())
    return f"{sum(side.requests.values()) / jobs:.2f} ({parts})"
