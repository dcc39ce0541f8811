"""A 100-call sweep (`bell.map(range(100))`) versus the Braket SDK's 100 creates, and a sweep at the real limit.

Each side submits the Bell example's function 100 times from a fresh process: braketkit as one sweep
(``bell.map(...)``: every call planned first, the archive uploaded once, then CreateJob eight at a time), the
Braket SDK as 100 calls of the same function under ``@hybrid_job`` with one ``AwsSession`` passed (the SDK
has no sweep; this is its fastest way, see fifty_calls.py for it as documented). All submit to the same
loopback endpoints (moto for S3, STS, IAM and Logs, S3 behind the test suite's gate; the test suite's Braket
control plane), raw and with 20 ms added to every answer of every server. Sides alternate, each run starts
from an empty account; medians of RUNS runs.
Pacing, overhead lines: the loopback service limits no CreateJob rate and braketkit's pacing is set as
high ([tool.braketkit.sweep] rate, by BRAKETKIT_SWEEP__RATE), so neither binds.
Pacing, last line: a sweep of PACED calls at braketkit's default pacing (1 CreateJob a second, burst 5)
against the loopback service enforcing that limit, with 20 ms per answer; its lower bound is
(calls - burst) / rate, and braketkit keeps one token of the burst in reserve (execute/pacing.py).
Run: `python benchmarks/hundred_jobs.py` (about 2.5 minutes).
"""

from __future__ import annotations

import shutil
import tempfile
from functools import partial
from pathlib import Path

from _loopback import ROOT, Loopback, Side, loopback_aws, requests_a_job, run_side
from _timing import interleaved_measures

JOBS = 100
RUNS = 5
PACED, RATE, BURST = 12, 1.0, 5
UNPACED = {"BRAKETKIT_DEVICE": "sv1", "BRAKETKIT_SWEEP__RATE": "100000"}
LABELS = {"sweep": f"braketkit, one sweep of {JOBS}", "sdk-session": f"Braket SDK, {JOBS} @hybrid_job calls"}

last: dict[str, Side] = {}
"""Each side's latest run, for the requests it sent."""


def measure(aws: Loopback, example: Path, side: str) -> float:
    last[side] = run_side(aws, example, side, JOBS, UNPACED)
    return last[side].seconds


print(f"pacing: braketkit [tool.braketkit.sweep] rate = {UNPACED['BRAKETKIT_SWEEP__RATE']}/s (never binds); "
      "the loopback Braket enforces no CreateJob rate")
with tempfile.TemporaryDirectory() as scratch, loopback_aws() as aws:
    example = Path(shutil.copytree(ROOT / "examples" / "bell", Path(scratch) / "bell"))
    for latency in (0.0, 0.020):
        aws.latency = latency
        medians = interleaved_measures(RUNS, **{side: partial(measure, aws, example, side) for side in LABELS})
        print(f"-- {latency * 1000:.0f} ms added to every answer (S3, STS, IAM, Logs, Braket); medians of {RUNS} runs")
        for side, label in LABELS.items():
            seconds = medians[side]
            print(f"{label:34} {seconds:6.2f} s ({seconds / JOBS * 1000:5.1f} ms a job), {last[side].uploads:3d} "
                  f"upload(s); requests a job: {requests_a_job(last[side], JOBS)}")
        print(f"one sweep is {medians['sdk-session'] / medians['sweep']:.1f}x faster than the SDK's {JOBS} calls")

    aws.latency = 0.020
    aws.reset()
    aws.braket.limit_creates(RATE, BURST)
    paced = run_side(aws, example, "sweep", PACED, {"BRAKETKIT_DEVICE": "sv1"})  # braketkit's default pacing
    bound = (PACED - BURST) / RATE
    print(f"-- paced: the loopback Braket enforcing CreateJob {RATE:g}/s burst {BURST}, braketkit at its defaults "
          f"(rate 1, burst 5), 20 ms per answer")
    print(f"braketkit, one sweep of {PACED}: {paced.seconds:.2f} s, {paced.throttled} throttled; lower bound "
          f"(calls - burst) / rate = {bound:.0f} s (with braketkit's token in reserve: {bound + 1:.0f} s)")
