"""What one request costs the test servers themselves, so that their own stalls do not hide braketkit's.

moto as moto ships it (``ThreadedMotoServer``: Nagle's algorithm on, so a reply written in two pieces can
wait for the client's delayed ACK) against the test suite's ``MotoServer`` (TCP_NODELAY), request by request
alternately, S3 through the test suite's gate; and the loopback Braket control plane's CreateJob and GetJob,
next to what loading and parsing botocore's ``braket`` service model costs (done once, when
tests/braket_service.py is imported, never per request). Medians of REQUESTS requests, no added latency.
Run: `python benchmarks/loopback_requests.py`.
"""

from __future__ import annotations

import logging
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import botocore.session
from _loopback import loopback_aws
from moto.server import ThreadedMotoServer

from tests.loopback import MotoServer
from tests.s3_gate import S3Gate

REQUESTS = 200
SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"


def clients(moto: str, gate: str, name: str) -> dict[str, Callable[[], Any]]:
    """Each request kind to one server; ``name`` the bucket and role (moto's state is one per process)."""
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    sts, iam = session.client("sts", endpoint_url=moto), session.client("iam", endpoint_url=moto)
    s3, direct = session.client("s3", endpoint_url=gate), session.client("s3", endpoint_url=moto)
    s3.create_bucket(Bucket=name)
    iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")
    body = bytes(7000)
    return {"STS GetCallerIdentity": sts.get_caller_identity, "IAM GetRole": lambda: iam.get_role(RoleName=name),
            "S3 PutObject (7 kB), via the gate": lambda: s3.put_object(Bucket=name, Key="a", Body=body),
            "S3 HeadObject, via the gate": lambda: s3.head_object(Bucket=name, Key="a"),
            "S3 PutObject (7 kB), to moto": lambda: direct.put_object(Bucket=name, Key="b", Body=body)}


def timed(call: Callable[[], Any], times: list[float]) -> None:
    start = time.perf_counter()
    call()
    times.append((time.perf_counter() - start) * 1000)


logging.getLogger("werkzeug").setLevel(logging.ERROR)
shipped = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
shipped.start()
host, port = shipped.get_host_and_port()
ours = MotoServer()
gates = {"moto as shipped": S3Gate(f"http://{host}:{port}"), "MotoServer (TCP_NODELAY)": S3Gate(ours.url)}
servers = {"moto as shipped": clients(f"http://{host}:{port}", gates["moto as shipped"].url, "bench-shipped"),
           "MotoServer (TCP_NODELAY)": clients(ours.url, gates["MotoServer (TCP_NODELAY)"].url, "bench-ours")}
times: dict[tuple[str, str], list[float]] = {(server, name): [] for server in servers for name in servers[server]}
for _ in range(REQUESTS):
    for server, calls in servers.items():
        for name, call in calls.items():
            timed(call, times[(server, name)])
print(f"-- one request, median of {REQUESTS} (ms): moto as shipped / the tests' MotoServer (TCP_NODELAY)")
for name in servers["moto as shipped"]:
    before, after = (statistics.median(times[(server, name)]) for server in servers)
    print(f"{name:34} {before:6.2f} / {after:6.2f}")
for gate in gates.values():
    gate.close()
ours.close()
shipped.stop()

with loopback_aws() as aws:
    braket = boto3.Session(region_name="us-east-1").client("braket")
    request = {"algorithmSpecification": {"scriptModeConfig": {"entryPoint": "bell:bell",
                                                               "s3Uri": "s3://bucket/source.tar.gz"}},
               "deviceConfig": {"device": SV1}, "instanceConfig": {"instanceType": "ml.m5.large", "volumeSizeInGb": 30},
               "outputDataConfig": {"s3Path": "s3://bucket/out"}, "roleArn": "arn:aws:iam::123456789012:role/r"}
    creates: list[float] = []
    gets: list[float] = []
    arns: list[str] = []
    for _ in range(REQUESTS):
        timed(lambda: arns.append(braket.create_job(jobName=f"j-{uuid.uuid4().hex[:20]}",
                                                    clientToken=str(uuid.uuid4()), **request)["jobArn"]), creates)
        timed(lambda: braket.get_job(jobArn=arns[-1]), gets)
loads: list[float] = []
for _ in range(5):
    timed(lambda: botocore.session.get_session().get_service_model("braket").operation_model("CreateJob")
              .input_shape, loads)
print(f"-- the loopback Braket, median of {REQUESTS} (ms): CreateJob {statistics.median(creates):.2f}, GetJob "
      f"{statistics.median(gets):.2f}; loading and parsing its service model (once per process, at import): "
      f"{statistics.median(loads):.2f}")
