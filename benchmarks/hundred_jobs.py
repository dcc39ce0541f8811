"""Submitting 100 jobs from one process: braketkit versus the Braket SDK's AwsQuantumJob.create.

All submit the Bell example to the same loopback endpoints (moto for S3, STS
and IAM, behind the test suite's S3 gate; the test suite's Braket control
plane): the SDK one job after another, braketkit both ways: 100 calls of the
decorated function, and one sweep (`bell.map(...)`, which packages once and
submits concurrently). Measured twice: as loopback answers (about 1 ms a
request), and with 20 ms added to every S3 and Braket answer on both sides,
as a same-region AWS call takes. Each side starts from modules imported and no
boto3 session or client made, as a fresh process would.
Targets: braketkit uploads the archive once, and is at least 10x faster.
Run: `python benchmarks/hundred_jobs.py`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _loopback import ROOT, loopback_aws

JOBS = 100
SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"


def source_uploads(gate: object, start: int, marker: str) -> int:
    return sum(1 for seen in gate.seen[start:] if seen.method == "PUT" and marker in seen.path)  # type: ignore[attr-defined]


def fresh_bell() -> object:
    """The example imported anew with no braketkit state: what a new process would have."""
    for module in [name for name in sys.modules if name.startswith("braketkit") or name == "bell"]:
        del sys.modules[module]
    from bell import bell  # type: ignore[import-not-found]

    return bell


def measure(latency: float) -> dict[str, tuple[float, int]]:
    with tempfile.TemporaryDirectory() as scratch, loopback_aws() as (gate, braket):
        gate.latency = braket.latency = latency
        example = Path(shutil.copytree(ROOT / "examples" / "bell", Path(scratch) / "bell"))
        os.chdir(example)
        sys.path.insert(0, str(example))
        os.environ["BRAKETKIT_DEVICE"] = "sv1"
        os.environ["BRAKETKIT_SWEEP__RATE"] = "100000"  # the loopback Braket has no CreateJob rate: measure braketkit
        import boto3
        from braket.aws import AwsQuantumJob, AwsSession

        results: dict[str, tuple[float, int]] = {}
        bell = fresh_bell()
        start, mark = time.perf_counter(), len(gate.seen)
        bell.map(range(100, 100 + JOBS))  # type: ignore[attr-defined]
        results["braketkit, one sweep"] = (time.perf_counter() - start, source_uploads(gate, mark, "/sources/"))
        bell = fresh_bell()
        start, mark = time.perf_counter(), len(gate.seen)
        for index in range(JOBS):
            bell(shots=100 + index)  # type: ignore[operator]
        results["braketkit, 100 calls"] = (time.perf_counter() - start, source_uploads(gate, mark, "/sources/"))
        start, mark = time.perf_counter(), len(gate.seen)  # both sides start with no session or client
        session = AwsSession(boto_session=boto3.Session(region_name="us-east-1"))
        for index in range(JOBS):
            AwsQuantumJob.create(device=SV1, source_module="bell.py", entry_point="bell:bell",
                                 hyperparameters={"shots": 100 + index}, wait_until_complete=False,
                                 aws_session=session)
        results["Braket SDK, 100 creates"] = (time.perf_counter() - start, source_uploads(gate, mark, "source.tar.gz"))
        sys.path.remove(str(example))
        os.chdir(ROOT)
    return results


for latency in (0.0, 0.020):
    results = measure(latency)
    print(f"-- {latency * 1000:.0f} ms added to every S3 and Braket answer")
    for label, (seconds, uploads) in results.items():
        print(f"{label:24} {seconds:6.2f} s ({seconds / JOBS * 1000:5.1f} ms a job), {uploads} archive upload(s)")
    sdk = results["Braket SDK, 100 creates"][0]
    calls, sweep = results["braketkit, 100 calls"][0], results["braketkit, one sweep"][0]
    print(f"speed-up: 100 calls {sdk / calls:.1f}x, one sweep {sdk / sweep:.1f}x (target: at least 10x) -> "
          f"{'PASS' if sdk / sweep >= 10 else 'FAIL'}")
