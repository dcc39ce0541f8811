"""Submitting the Bell example three times in a row: bytes uploaded, S3 requests and wall time, side by side.

The second submission goes through the same gateway (``Aws``), which remembers what S3 holds; the third
through a fresh one, as a new process would, so it asks S3 (HeadObject) before uploading.
Target: 0 bytes the second and third time (the archive is content-addressed and already in S3), and no
object PUT but the planned record's.
Against loopback AWS (moto behind the S3 gate, and the test suite's Braket control plane).
Run: `python benchmarks/submit_twice.py`.
"""

from __future__ import annotations

import collections
import shutil
import tempfile
import time
from pathlib import Path

from _loopback import ROOT, loopback_aws

from braketkit.aws import Aws
from braketkit.execute.cloud import submit
from braketkit.pipeline import plan_target
from braketkit.target import load_reference

with tempfile.TemporaryDirectory() as scratch, loopback_aws() as loopback:
    example = Path(shutil.copytree(ROOT / "examples" / "bell", Path(scratch) / "bell"))
    import os

    os.chdir(example)
    target = load_reference("bell.py:bell")
    rows = []
    for attempt, gateway in (("first", None), ("second", None), ("third", Aws())):
        seen = len(loopback.gate.seen)
        start = time.perf_counter()
        plan = plan_target(target, (), {"shots": 100}, assignments=["device=sv1"], aws=gateway)
        submission = submit(plan, aws=gateway, quiet=True)
        seconds = time.perf_counter() - start
        requests = collections.Counter(
            f"{request.method} {'object' if request.path.strip('/').count('/') else 'bucket'}"
            for request in loopback.gate.seen[seen:])
        rows.append((attempt, submission.bytes_uploaded, submission.bytes_skipped, seconds, requests))

for attempt, sent, skipped, seconds, requests in rows:
    listed = ", ".join(f"{name} {count}" for name, count in sorted(requests.items()))
    print(f"{attempt:6} submission: {sent:8d} bytes uploaded, {skipped:8d} already in S3, {seconds * 1000:7.1f} ms;"
          f" S3: {listed}")
print(f"bytes uploaded, first/second/third: {rows[0][1]}/{rows[1][1]}/{rows[2][1]}  (target: 0 the second and third "
      f"time) -> {'PASS' if rows[1][1] == rows[2][1] == 0 else 'FAIL'}")
