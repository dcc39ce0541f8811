"""Submitting the Bell example twice in a row: bytes uploaded and wall time, side by side.

Target: 0 bytes the second time (the archive is content-addressed and already in S3).
Against loopback AWS (moto and the test suite's Braket control plane).
Run: `python benchmarks/submit_twice.py`.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from _loopback import ROOT, loopback_aws

from braketkit.execute.cloud import submit
from braketkit.pipeline import plan_target
from braketkit.target import load_reference

with tempfile.TemporaryDirectory() as scratch, loopback_aws():
    example = Path(shutil.copytree(ROOT / "examples" / "bell", Path(scratch) / "bell"))
    import os

    os.chdir(example)
    target = load_reference("bell.py:bell")
    rows = []
    for attempt in ("first", "second"):
        start = time.perf_counter()
        submission = submit(plan_target(target, (), {"shots": 100}, assignments=["device=sv1"]), quiet=True)
        rows.append((attempt, submission.bytes_uploaded, submission.bytes_skipped, time.perf_counter() - start))

for attempt, sent, skipped, seconds in rows:
    print(f"{attempt:6} submission: {sent:8d} bytes uploaded, {skipped:8d} already in S3, {seconds * 1000:7.1f} ms")
print(f"second/first bytes uploaded: {rows[1][1]}/{rows[0][1]}  (target: 0 the second time) -> "
      f"{'PASS' if rows[1][1] == 0 else 'FAIL'}")
