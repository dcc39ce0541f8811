"""The loopback Braket's quantum tasks, as the Braket SDK and boto3 use them (tests/braket_service.py).

Tasks on SV1 and DM1 really run and their results are where the service writes them; requests are validated and
idempotent; SearchQuantumTasks filters and pages as the model documents; a job's tasks are the job's by its token,
which the loopback container hands the job with its role's credentials and the loopback endpoints; the SDK's Tracker
prices tasks from the loopback price list.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from .conftest import Cloud, Project

SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
DM1 = "arn:aws:braket:::device/quantum-simulator/amazon/dm1"
BUCKET = "amazon-braket-us-east-1-123456789012"
BELL = json.dumps({"braketSchemaHeader": {"name": "braket.ir.openqasm.program", "version": "1"},
                   "source": "OPENQASM 3.0;\nbit[2] b;\nqubit[2] q;\nh q[0];\ncnot q[0], q[1];\nb = measure q;"})


def _braket() -> Any:
    return boto3.Session(region_name="us-east-1").client("braket")


def _create(**changes: Any) -> dict[str, Any]:
    """A CreateQuantumTask request for the Bell pair on SV1, with ``changes``."""
    return {"clientToken": str(uuid.uuid4()), "deviceArn": SV1, "shots": 100, "outputS3Bucket": BUCKET,
            "outputS3KeyPrefix": "tasks", "action": BELL, **changes}


@pytest.fixture
def bucket(cloud: Cloud) -> str:
    cloud.client("s3").create_bucket(Bucket=BUCKET)
    return BUCKET


@pytest.mark.parametrize("device", [SV1, DM1], ids=["sv1", "dm1"])
def test_a_circuit_runs_where_the_sdk_sends_it(cloud: Cloud, bucket: str, device: str) -> None:
    """``AwsDevice(...).run(circuit).result()``: the device's capabilities, the task, its result in S3 under
    ``<prefix>/<task id>/results.json`` with the task's ARN and device, as GetQuantumTask says."""
    from braket.aws import AwsDevice
    from braket.circuits import Circuit

    aws = AwsDevice(device)
    assert (aws.name, aws.status, aws.type.value) == (device.rsplit("/", 1)[1].upper(), "ONLINE", "SIMULATOR")
    task = aws.run(Circuit().h(0).cnot(0, 1), shots=100, s3_destination_folder=(bucket, "experiments"))
    result = task.result()
    assert sum(result.measurement_counts.values()) == 100 and set(result.measurement_counts) <= {"00", "11"}
    assert (result.task_metadata.id, result.task_metadata.deviceId) == (task.id, device)
    metadata = _braket().get_quantum_task(quantumTaskArn=task.id)
    assert (metadata["status"], metadata["outputS3Directory"]) == ("COMPLETED",
                                                                    f"experiments/{task.id.rsplit('/', 1)[1]}")
    assert metadata["actionMetadata"] == {"actionType": "braket.ir.openqasm.program"}
    stored = cloud.client("s3").get_object(Bucket=bucket, Key=f"{metadata['outputS3Directory']}/results.json")
    assert json.loads(stored["Body"].read())["taskMetadata"]["id"] == task.id


def test_a_program_set_runs_as_one_task(cloud: Cloud, bucket: str) -> None:
    from braket.aws import AwsDevice
    from braket.circuits import Circuit, FreeParameter
    from braket.program_sets import CircuitBinding, ProgramSet

    theta = FreeParameter("theta")
    programs = ProgramSet([CircuitBinding(Circuit().rx(0, theta), input_sets={"theta": [0.0, 3.141592653589793]}),
                           Circuit().x(0)], shots_per_executable=10)
    task = AwsDevice(SV1).run(programs, s3_destination_folder=(bucket, "sets"))
    result = task.result()
    assert result.num_executables == 3 and len(result.entries) == 2
    assert _braket().get_quantum_task(quantumTaskArn=task.id)["actionMetadata"] == {
        "actionType": "braket.ir.openqasm.program_set", "programCount": 2, "executableCount": 3}


def test_requests_are_validated_and_client_tokens_idempotent(cloud: Cloud, bucket: str) -> None:
    braket = _braket()
    request = _create()
    first = braket.create_quantum_task(**request)["quantumTaskArn"]
    assert braket.create_quantum_task(**request)["quantumTaskArn"] == first  # a retry: the same task
    assert len(cloud.braket.tasks) == 1
    refusals = {
        "same token, another request": (_create(clientToken=request["clientToken"], shots=10), "ConflictException"),
        "a bucket that does not exist": (_create(outputS3Bucket="amazon-braket-nobody"), "ValidationException"),
        "a token that is no job's": (_create(jobToken="not-a-job"), "ValidationException"),
        "a device whose tasks cannot run here": (_create(deviceArn="arn:aws:braket:us-east-1::device/qpu/ionq/Aria-1"),
                                                 "ValidationException"),
        "an action that is no program": (_create(action="{}"), "ValidationException"),
    }
    for case, (body, code) in refusals.items():
        with pytest.raises(ClientError) as refused:
            braket.create_quantum_task(**body)
        assert refused.value.response["Error"]["Code"] == code, case
    assert len(cloud.braket.tasks) == 1
    broken = braket.create_quantum_task(**_create(action=BELL.replace("h q[0]", "nonsense q[0]")))["quantumTaskArn"]
    failed = braket.get_quantum_task(quantumTaskArn=broken)
    assert failed["status"] == "FAILED" and "nonsense" in failed["failureReason"]


def test_a_queued_task_is_cancelled(cloud: Cloud, bucket: str) -> None:
    braket = _braket()
    cloud.braket.hold_tasks = True
    arn = braket.create_quantum_task(**_create())["quantumTaskArn"]
    queued = braket.get_quantum_task(quantumTaskArn=arn, additionalAttributeNames=["QueueInfo"])
    assert queued["status"] == "QUEUED" and queued["queueInfo"]["queuePriority"] == "Normal"
    token = str(uuid.uuid4())
    assert braket.cancel_quantum_task(quantumTaskArn=arn, clientToken=token)["cancellationStatus"] == "CANCELLING"
    assert braket.get_quantum_task(quantumTaskArn=arn)["status"] == "CANCELLED"
    assert braket.cancel_quantum_task(quantumTaskArn=arn, clientToken=token)["cancellationStatus"] == "CANCELLING"
    with pytest.raises(ClientError) as refused:
        braket.cancel_quantum_task(quantumTaskArn=arn, clientToken=str(uuid.uuid4()))
    assert refused.value.response["Error"]["Code"] == "ConflictException"
    with pytest.raises(ClientError) as missing:
        braket.get_quantum_task(quantumTaskArn=arn.replace(arn[-8:], "00000000"))
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_search_filters_and_pages(cloud: Cloud, bucket: str) -> None:
    """By jobArn (a job's token makes its tasks), device, status, task ARN and creation time; small pages, which
    boto3's paginator reads through; a filter the model does not document is refused."""
    braket = _braket()
    cloud.braket.job_tokens["job-token"] = "arn:aws:braket:us-east-1:123456789012:job/j"  # as CreateJob gives one
    job_tasks = [braket.create_quantum_task(**_create(jobToken="job-token"))["quantumTaskArn"] for _ in range(3)]
    cloud.braket.hold_tasks = True
    other = braket.create_quantum_task(**_create(deviceArn=DM1))["quantumTaskArn"]

    def search(*filters: tuple[str, str, list[str]]) -> list[str]:
        pages = braket.get_paginator("search_quantum_tasks").paginate(
            filters=[{"name": name, "operator": operator, "values": values} for name, operator, values in filters])
        return [task["quantumTaskArn"] for page in pages for task in page["quantumTasks"]]

    assert search(("jobArn", "EQUAL", ["arn:aws:braket:us-east-1:123456789012:job/j"])) == job_tasks
    assert braket.get_quantum_task(quantumTaskArn=job_tasks[0])["jobArn"].endswith(":job/j")
    assert len(braket.search_quantum_tasks(filters=[])["quantumTasks"]) == 2  # a page of two: the rest follows
    assert search(("deviceArn", "EQUAL", [DM1])) == search(("status", "EQUAL", ["QUEUED", "RUNNING"])) == [other]
    assert search(("quantumTaskArn", "EQUAL", [job_tasks[1]]), ("status", "EQUAL", ["COMPLETED"])) == [job_tasks[1]]
    now = datetime.now(timezone.utc)
    hour_ago, hour_on = (now - timedelta(hours=1)).isoformat(), (now + timedelta(hours=1)).isoformat()
    assert search(("createdAt", "BETWEEN", [hour_ago, hour_on])) == [*job_tasks, other]
    assert search(("createdAt", "GT", [hour_on])) == []
    with pytest.raises(ClientError) as refused:
        search(("shots", "EQUAL", ["100"]))
    assert refused.value.response["Error"]["Code"] == "ValidationException"


def test_the_tracker_prices_tasks_from_the_loopback_price_list(cloud: Cloud, bucket: str) -> None:
    """BRAKET_PRICE_OFFERS_URL names the loopback's price list: SV1's minute, three seconds at least a task."""
    from braket.aws import AwsDevice
    from braket.circuits import Circuit
    from braket.tracking import Tracker

    with Tracker() as tracker:
        device = AwsDevice(SV1)
        for _ in range(2):
            device.run(Circuit().h(0), shots=10, s3_destination_folder=(bucket, "tasks")).result()
    assert float(tracker.simulator_tasks_cost()) == pytest.approx(2 * 0.075 * 3 / 60)
    assert tracker.quantum_tasks_statistics()[SV1]["tasks"] == {"COMPLETED": 2}


REACH = '''
import os

import boto3

from braketkit import hybrid_job


@hybrid_job()
def reach() -> dict:
    """What a job has for AWS: its region, credentials and endpoints reach the service and its bucket."""
    braket = boto3.client("braket")
    device = braket.get_device(deviceArn="arn:aws:braket:::device/quantum-simulator/amazon/sv1")
    buckets = [bucket["Name"] for bucket in boto3.client("s3").list_buckets()["Buckets"]]
    return {"device": device["deviceName"], "token": bool(os.environ.get("AMZN_BRAKET_JOB_TOKEN")),
            "tasks": os.environ["AMZN_BRAKET_TASK_RESULTS_S3_URI"], "buckets": buckets,
            "home": os.path.expanduser("~")}
'''


def test_a_job_reaches_the_loopback_aws_as_a_real_job_reaches_aws(cloud_project: Project, cloud: Cloud) -> None:
    from braketkit.job import AwsJob

    cloud_project.write("reach.py", REACH)
    import reach  # type: ignore[import-not-found]

    job = reach.reach()
    assert isinstance(job, AwsJob)
    job.poll = 0.01
    output = cloud.braket.jobs[job.arn]["outputDataConfig"]["s3Path"]
    result = job.result()
    assert result.pop("home").endswith("/container/home")  # the container's own, not this machine's
    assert result == {"device": "SV1", "token": True, "buckets": [output.removeprefix("s3://").partition("/")[0]],
                      "tasks": f"{output}/tasks"}
