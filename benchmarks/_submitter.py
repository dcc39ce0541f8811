"""One side of a submission benchmark, in a process of its own; prints its time as JSON on the last line.

    python _submitter.py SIDE COUNT      (run in a copy of examples/bell, with the loopback's endpoints set)

SIDE: ``calls`` (COUNT calls of braketkit's decorated ``bell``, one after another), ``sweep`` (``bell.map``
over COUNT values), ``sdk`` (the same function under the Braket SDK's ``@hybrid_job``, called COUNT times,
as its users write it: no session passed), ``sdk-session`` (the same with one ``AwsSession`` passed to the
decorator, the SDK's fastest way). Every side starts with its modules and boto3 imported and no boto3 session
or client made, as a fresh process that has imported its code would; the clock runs from just before the
first call (the SDK's decoration included, since it makes its session) until the last job's CreateJob is
answered.
"""

from __future__ import annotations

import json
import sys
import time

SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/bench-jobs:latest"
"""An image of the account's own: the SDK's decorator then skips checking the Python version of its own images,
which needs ECR (not on loopback) and happens once, when decorating, not per call."""

side, count = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, ".")
import bell as example  # type: ignore[import-not-found]  # noqa: E402
import boto3  # noqa: E402, F401  # both sides: imported, no session or client

if side.startswith("sdk"):
    from braket.aws import AwsSession
    from braket.jobs import hybrid_job

jobs: list[object]
start = time.perf_counter()
if side == "calls":
    jobs = [example.bell(shots=100 + index) for index in range(count)]
elif side == "sweep":
    jobs = list(example.bell.map(range(100, 100 + count)))
elif side in ("sdk", "sdk-session"):
    session = AwsSession() if side == "sdk-session" else None
    sdk_bell = hybrid_job(device=SV1, image_uri=IMAGE, aws_session=session)(example.bell.function)
    jobs = [sdk_bell(shots=100 + index) for index in range(count)]
else:
    raise SystemExit(f"unknown side {side!r}")
seconds = time.perf_counter() - start
print(json.dumps({"side": side, "jobs": len(jobs), "seconds": seconds}))
