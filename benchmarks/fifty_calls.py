"""50 submissions one after another from one process: braketkit's decorated function versus the Braket SDK's.

Each side calls the Bell example's function 50 times in a fresh process, each call waiting for CreateJob's
answer: braketkit's ``bell(shots=...)``, and the same function under the Braket SDK's ``@hybrid_job`` (the
SDK's equivalent of what a user writes), both with one ``AwsSession`` passed to the decorator (the SDK's
fastest way) and, with 20 ms, as its documentation writes it (no session: the SDK makes one per call).
All submit to the same loopback endpoints (moto for S3, STS, IAM and Logs, S3 behind the test suite's
gate; the test suite's Braket control plane), raw (about a millisecond a request) and with 20 ms added to
every answer of every server, as a same-region AWS call takes. Sides alternate, each run starts from an
empty account; medians of RUNS runs. braketkit's CreateJob pacing is set so high it never binds
(BRAKETKIT_SWEEP__RATE) and the loopback service limits no rate: this measures overhead, not the
service's limit (hundred_jobs.py shows that).
Run: `python benchmarks/fifty_calls.py` (about 2.5 minutes).
"""

from __future__ import annotations

import shutil
import tempfile
from functools import partial
from pathlib import Path

from _loopback import ROOT, Loopback, Side, loopback_aws, requests_a_job, run_side
from _timing import interleaved_measures

CALLS = 50
RUNS = 3
PACING = {"BRAKETKIT_DEVICE": "sv1", "BRAKETKIT_SWEEP__RATE": "100000"}
LABELS = {
    "calls": f"braketkit, {CALLS} calls of bell(...)",
    "sdk-session": "Braket SDK @hybrid_job, one AwsSession",
    "sdk": "Braket SDK @hybrid_job as documented",
}

last: dict[str, Side] = {}
"""Each side's latest run, for the requests it sent."""


def measure(aws: Loopback, example: Path, side: str) -> float:
    last[side] = run_side(aws, example, side, CALLS, PACING)
    return last[side].seconds


print(f"pacing: braketkit [tool.braketkit.sweep] rate = {PACING['BRAKETKIT_SWEEP__RATE']}/s (never binds); "
      "the loopback Braket enforces no CreateJob rate")
with tempfile.TemporaryDirectory() as scratch, loopback_aws() as aws:
    example = Path(shutil.copytree(ROOT / "examples" / "bell", Path(scratch) / "bell"))
    for latency, sides in ((0.0, ("calls", "sdk-session")), (0.020, ("calls", "sdk-session", "sdk"))):
        aws.latency = latency
        medians = interleaved_measures(RUNS, **{side: partial(measure, aws, example, side) for side in sides})
        print(f"-- {CALLS} calls one after another, {latency * 1000:.0f} ms added to every answer (S3, STS, IAM, "
              f"Logs, Braket); medians of {RUNS} runs")
        for side in sides:
            seconds = medians[side]
            print(f"{LABELS[side]:40} {seconds:6.2f} s ({seconds / CALLS * 1000:5.1f} ms a call); "
                  f"requests a call: {requests_a_job(last[side], CALLS)}")
        ratios = ", ".join(f"{medians[side] / medians['calls']:.1f}x {LABELS[side].removeprefix('Braket SDK ')}"
                           for side in sides[1:])
        print(f"braketkit is faster than the Braket SDK by: {ratios}")
