"""A rerun against a first submission of the Bell example, its code changed in between: bytes, requests, time.

Target: the rerun uploads 0 bytes of source and runs the first job's archive (the same script URI),
whatever the tree holds now; it downloads the archive once to verify its digest (GET), reads the job's
planned record (GET) and writes its own (PUT). Against loopback AWS (moto and the test suite's Braket
control plane). Run: `python benchmarks/rerun.py`.
"""

from __future__ import annotations

import collections
import os
import shutil
import tempfile
import time
from pathlib import Path

from _loopback import ROOT, loopback_aws

from braketkit.execute.cloud import submit
from braketkit.pipeline import plan_target, rerun_job
from braketkit.target import load_reference

RUNS = 3
"""Within CreateJob's burst: later ones wait for the pace of the service's CreateJob rate (1 a second)."""

with tempfile.TemporaryDirectory() as scratch, loopback_aws() as aws:
    example = Path(shutil.copytree(ROOT / "examples" / "bell", Path(scratch) / "bell"))
    os.chdir(example)
    start = time.perf_counter()
    first = submit(plan_target(load_reference("bell.py:bell"), (), {"shots": 100}, assignments=["device=sv1"]),
                   quiet=True)
    submitted = time.perf_counter() - start
    (example / "bell.py").write_text((example / "bell.py").read_text() + "\n# changed since\n")
    rows = []
    for _ in range(RUNS):
        seen, calls, services = len(aws.gate.seen), len(aws.braket.calls), len(aws.moto.services)
        start = time.perf_counter()
        job = rerun_job(first.job_arn, {"shots": "200"}, quiet=True)
        seconds = time.perf_counter() - start
        requests = collections.Counter(f"{s.method} s3" for s in aws.gate.seen[seen:])
        requests.update(f"braket {call}" for call in aws.braket.calls[calls:])
        same = aws.braket.jobs[job.arn]["algorithmSpecification"] == \
            aws.braket.jobs[first.job_arn]["algorithmSpecification"]
        puts = [s for s in aws.gate.seen[seen:] if s.method in ("PUT", "POST") and s.path.count("/") >= 2]
        source = sum(int(s.headers.get("Content-Length") or 0) for s in puts if "/sources/" in s.path)
        record = sum(int(s.headers.get("Content-Length") or 0) for s in puts if s.path.endswith("/planned.json"))
        rows.append((seconds, source, record, same, requests))

print(f"first submission: {first.bytes_uploaded} bytes uploaded, {submitted * 1000:.1f} ms")
for seconds, sent, record, same, requests in rows:
    print(f"rerun: {sent} bytes of source uploaded, planned record {record} bytes, same script URI: {same}, "
          f"{seconds * 1000:.1f} ms, requests: " + ", ".join(f"{name} {n}" for name, n in sorted(requests.items())))
best = min(seconds for seconds, *_ in rows)
most = max(sent for _, sent, *_ in rows)
print(f"rerun best of {RUNS}: {best * 1000:.1f} ms; bytes of source uploaded: {most} (target 0) -> "
      f"{'PASS' if all(sent == 0 and same for _, sent, _, same, _ in rows) else 'FAIL'}")
