"""Over the wire: submission, the job handle and the CLI against moto and the loopback Braket service."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

from braketkit import InvalidInput
from braketkit.aws import Aws
from braketkit.errors import AwsError, JobFailed
from braketkit.execute.cloud import RetryPolicy, submit
from braketkit.job import AwsJob
from braketkit.model.steps import CopyCheckpoints, CreateJob, EnsureBucket, Step, Upload, WriteRecord
from braketkit.pipeline import plan_target
from braketkit.plan import Plan
from braketkit.target import load_reference

from .conftest import CLOUD_SETTINGS, Cloud, Project, interruptible, run_cli

FAST = RetryPolicy(deadline=30.0, base=0.001, cap=0.01)


def plan_of(ref: str, *args: Any, assignments: tuple[str, ...] = (), **kwargs: Any) -> Plan:
    return plan_target(load_reference(ref), args, kwargs, assignments=assignments)


def test_a_submitted_job_runs_and_gives_back_its_result(cloud_project: Project, cloud: Cloud) -> None:
    import jobs  # type: ignore[import-not-found]

    job = jobs.train(steps=4)
    assert isinstance(job, AwsJob)
    job.poll = 0.01
    assert job.arn.startswith("arn:aws:braket:us-east-1:123456789012:job/")
    display = io.StringIO()
    assert job.wait(poll=0.01, display=display) == "COMPLETED"
    assert display.getvalue().splitlines() == [f"{job.name}: QUEUED, position 2 in the JOBS_QUEUE queue",
                                               f"{job.name}: RUNNING", f"{job.name}: COMPLETED"]
    assert job.result() == jobs.Energy(-1.5, 4)
    assert [line for line in job.logs() if line.startswith("step")] == ["step 0", "step 1", "step 2", "step 3"]
    created = cloud.braket.jobs[job.arn]
    assert created["roleArn"] == cloud.role
    assert created["hyperParameters"]["steps"] == "4"


def test_an_unchanged_project_uploads_nothing_the_second_time(cloud_project: Project, cloud: Cloud) -> None:
    first = submit(plan_of("jobs.py:train"), policy=FAST, quiet=True)
    second = submit(plan_of("jobs.py:train"), policy=FAST, quiet=True)
    assert first.bytes_uploaded > 0 and first.bytes_skipped == 0
    assert (second.bytes_uploaded, second.bytes_skipped) == (0, first.bytes_uploaded)
    assert first.job_arn != second.job_arn
    creates = [s for s in cloud.gate.seen if s.method == "PUT" and s.path.count("/") == 1 and not s.query]
    assert len(creates) == 1  # CreateBucket once, when the bucket was missing; never again
    bucket = "amazon-braket-us-east-1-123456789012"
    block = cloud.client("s3").get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())


def test_every_s3_call_names_the_expected_bucket_owner(cloud_project: Project, cloud: Cloud) -> None:
    cloud_project.write("data/big.bin", "x" * (9 * 1024 * 1024))  # two parts
    cloud_project.pyproject(CLOUD_SETTINGS + 'input = { train = "data" }\n')
    job = submit(plan_of("jobs.py:train"), policy=FAST, quiet=True)
    AwsJob(job.job_arn, poll=0.01).result()
    calls = [s for s in cloud.gate.seen if not (s.method == "PUT" and s.path.count("/") == 1 and not s.query)]
    assert len(calls) > 5 and any("uploadId" in s.query for s in calls)
    assert [(s.method, s.path) for s in calls if s.expected_owner != "123456789012"] == []
    uploads = [s for s in calls if s.method == "PUT" and ("/sources/" in s.path or "/inputs/" in s.path)]
    assert len(uploads) >= 3  # the archive, and two parts of the input file
    for seen in uploads:  # each carries a SHA-256 that S3 verifies on arrival (tests/test_upload_checksum.py)
        assert "x-amz-checksum-sha256" in {name.lower() for name in seen.headers}, seen.headers


def test_a_bucket_owned_by_another_account_is_refused(cloud_project: Project, cloud: Cloud) -> None:
    bucket = "amazon-braket-us-east-1-123456789012"
    cloud.client("s3").create_bucket(Bucket=bucket)
    cloud.gate.owners[bucket] = "999999999999"
    with pytest.raises(AwsError) as caught:
        submit(plan_of("jobs.py:train"), policy=FAST, quiet=True)
    assert str(caught.value) == (
        f"the bucket {bucket} exists but is not owned by your account 123456789012 (or you may not read it); "
        "braketkit will not write to it. Set s3.bucket to a bucket your account owns.")
    assert cloud.client("s3").list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    assert "CreateJob" not in cloud.braket.calls


def test_a_failed_multipart_upload_is_aborted(cloud_project: Project, cloud: Cloud) -> None:
    cloud_project.write("data/big.bin", "y" * (17 * 1024 * 1024))  # three parts
    cloud_project.pyproject(CLOUD_SETTINGS + 'input = { train = "data" }\n')
    cloud.gate.faults.append(lambda seen: 500 if seen.query.get("partNumber") == ["2"] else None)
    with pytest.raises(AwsError, match=r"uploading .*big.bin to s3://.* failed"):
        submit(plan_of("jobs.py:train"), policy=FAST, quiet=True)
    s3 = cloud.client("s3")
    assert s3.list_multipart_uploads(Bucket="amazon-braket-us-east-1-123456789012").get("Uploads", []) == []
    assert "CreateJob" not in cloud.braket.calls


@pytest.mark.parametrize("faults", [["throttle"] * 5, ["error500", "drop"], ["drop_after_create"],
                                    ["slow_after_create", "drop_after_create", "throttle"]])
def test_create_job_is_retried_under_one_client_token(cloud_project: Project, cloud: Cloud,
                                                      faults: list[str]) -> None:
    cloud.braket.faults["CreateJob"].extend(faults)
    cloud.braket.slow_seconds = 0.5
    plan = plan_of("jobs.py:train")
    submission = submit(plan, policy=attrs.evolve(FAST, read_timeout=0.2), quiet=True)
    assert submission.create_attempts == len(faults) + 1
    assert [job["jobName"] for job in cloud.braket.jobs.values()] == [plan.request.job_name]
    assert list(cloud.braket.tokens) == [plan.request.client_token]


def test_giving_up_says_the_job_may_exist(cloud_project: Project, cloud: Cloud) -> None:
    cloud.braket.faults["CreateJob"].extend(["drop_after_create"] + ["throttle"] * 50)
    plan = plan_of("jobs.py:train")
    with pytest.raises(AwsError) as caught:
        submit(plan, policy=RetryPolicy(deadline=0.05, base=0.01, cap=0.01), quiet=True)
    assert "The job may or may not exist: `braketkit list` shows it" in str(caught.value)
    assert plan.request.client_token in str(caught.value)
    cloud.braket.faults["CreateJob"].clear()
    again = submit(plan, policy=FAST, quiet=True)  # the same plan: the same token, the same job
    assert list(cloud.braket.jobs) == [again.job_arn]


@pytest.mark.parametrize(("fault", "message"), [
    ("denied", "not allowed to create the job (User is not authorized to perform: braket:CreateJob). The caller "
               "needs braket:CreateJob and iam:PassRole on {role}; that role needs the "
               "AmazonBraketJobsExecutionPolicy."),
    ("quota", "a service quota is used up (Too many concurrent jobs); wait for running jobs to end, or ask for a "
              "higher Amazon Braket quota in the Service Quotas console."),
])
def test_refusals_say_what_to_do(cloud_project: Project, cloud: Cloud, fault: str, message: str) -> None:
    cloud.braket.faults["CreateJob"].append(fault)
    with pytest.raises(AwsError) as caught:
        submit(plan_of("jobs.py:train"), policy=FAST, quiet=True)
    assert str(caught.value) == message.format(role=cloud.role)


def test_an_offline_device(cloud_project: Project, cloud: Cloud) -> None:
    cloud.braket.offline_devices.add("arn:aws:braket:::device/quantum-simulator/amazon/sv1")
    with pytest.raises(AwsError, match=r"^the device arn:aws:braket:::device/quantum-simulator/amazon/sv1 is "
                                       r"offline \(Device is offline\); try again later, or choose another device\.$"):
        submit(plan_of("jobs.py:train"), policy=FAST, quiet=True)


def with_request(plan: Plan, **changes: Any) -> Plan:
    """The plan with its request changed, where it is shown and in the CreateJob step that sends it (and with its
    record, which names the job and is written where the job's output goes)."""
    request = attrs.evolve(plan.request, **changes)
    record = attrs.evolve(plan.record, job_name=request.job_name)
    written = WriteRecord(s3_uri=f"{request.output_data_config.s3_path}/braketkit/planned.json",
                          record=record, client_token=request.client_token)
    return attrs.evolve(plan, request=request, record=record, steps=[
        CreateJob(request=request) if isinstance(step, CreateJob) else written if isinstance(step, WriteRecord)
        else step for step in plan.steps])


def test_a_token_reused_for_a_different_request(cloud_project: Project, cloud: Cloud) -> None:
    plan = plan_of("jobs.py:train")
    submit(plan, policy=FAST, quiet=True)
    with pytest.raises(ValueError, match="the plan's request differs from its CreateJob step's"):
        attrs.evolve(plan, request=attrs.evolve(plan.request, job_name="edited"))  # shown one, sent another: refused
    edited = with_request(plan, job_name="edited")
    with pytest.raises(AwsError, match=rf"the client token {plan.request.client_token} was already used for a "
                                       "different request"):
        submit(edited, policy=FAST, quiet=True)


def test_no_role_says_how_to_get_one(cloud_project: Project, cloud: Cloud) -> None:
    cloud.client("iam").delete_role(RoleName="AmazonBraketJobsExecutionRole")
    with pytest.raises(AwsError) as caught:
        submit(plan_of("jobs.py:train"), policy=FAST, quiet=True)
    assert "no role named AmazonBraketJobsExecutionRole* in the account" in str(caught.value)
    assert "CreateJob" not in cloud.braket.calls


def test_a_failed_job_reports_its_reason_and_log_tail(cloud_project: Project, cloud: Cloud) -> None:
    job = AwsJob(submit(plan_of("jobs.py:broken"), policy=FAST, quiet=True).job_arn, poll=0.01)
    with pytest.raises(JobFailed) as caught:
        job.result()
    assert caught.value.state == "FAILED"
    assert (caught.value.reason or "").startswith("ValueError: no convergence")
    assert "about to break" in caught.value.log_tail


def test_logs_of_every_instance_merge_in_time_order(cloud_project: Project, cloud: Cloud) -> None:
    job = AwsJob(submit(plan_of("jobs.py:chatty", 12), policy=FAST, quiet=True).job_arn, poll=0.01)
    job.wait(poll=0.01)
    events = list(job.log_events())
    assert len({event["logStreamName"] for event in events}) == 2
    assert [event["message"] for event in events if event["message"].startswith("line")] == [
        f"line {index:02d}" for index in range(12)]
    assert list(job.log_events(follow=True, poll=0.01)) == events  # a second read: nothing repeated or skipped


def test_results_download_and_reattach(cloud_project: Project, cloud: Cloud, tmp_path: Path) -> None:
    submission = submit(plan_of("jobs.py:chatty", 3), policy=FAST, quiet=True)
    by_name = AwsJob.attach(submission.job_name, region="us-east-1", poll=0.01)
    assert by_name.arn == submission.job_arn
    assert by_name.result() == {"lines": 3}
    folder = AwsJob.attach(submission.job_arn, poll=0.01).download(tmp_path)
    assert folder == tmp_path / submission.job_name
    assert json.loads((folder / "results.json").read_text())["dataDictionary"] == {"lines": 3}


def test_the_braket_sdk_reads_braketkit_jobs(cloud_project: Project, cloud: Cloud, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from braket.aws import AwsQuantumJob, AwsSession

    submission = submit(plan_of("jobs.py:chatty", 2), policy=FAST, quiet=True)
    AwsJob(submission.job_arn, poll=0.01).wait()
    monkeypatch.chdir(tmp_path)
    import boto3

    session = AwsSession(boto_session=boto3.Session(region_name="us-east-1"))
    assert AwsQuantumJob(submission.job_arn, aws_session=session).result() == {"lines": 2}


def test_cancel(cloud_project: Project, cloud: Cloud) -> None:
    job = AwsJob(submit(plan_of("jobs.py:train"), policy=FAST, quiet=True).job_arn, poll=0.01)
    assert job.cancel() == "CANCELLING"
    assert job.wait(poll=0.01) == "CANCELLED"
    with pytest.raises(JobFailed, match="was cancelled"):
        job.result()


def test_checkpoints_are_copied_from_an_earlier_job(cloud_project: Project, cloud: Cloud) -> None:
    earlier = AwsJob(submit(plan_of("jobs.py:save_checkpoint"), policy=FAST, quiet=True).job_arn, poll=0.01)
    earlier.wait(poll=0.01)
    s3 = cloud.client("s3")
    bucket = "amazon-braket-us-east-1-123456789012"
    s3.put_object(Bucket=bucket, Key=f"jobs/{earlier.name}/checkpoints/{earlier.name}.json", Body=b'{"step": 7}')
    plan = plan_of("jobs.py:train", assignments=(f"checkpoint.copy_from_job={earlier.name}",))
    submit(plan, policy=FAST, quiet=True)
    copied = s3.get_object(Bucket=bucket, Key=f"jobs/{plan.request.job_name}/checkpoints/{earlier.name}.json")
    assert copied["Body"].read() == b'{"step": 7}'


def _calls_of(step: Step, checkpoints_bucket: str) -> list[tuple[str, str, str]]:
    """The S3 requests a step makes against an empty bucket: (method, path, query names)."""
    if isinstance(step, EnsureBucket):
        return [("HEAD", f"/{step.bucket}", ""), ("PUT", f"/{step.bucket}", ""),
                ("PUT", f"/{step.bucket}", "publicAccessBlock")]
    if isinstance(step, Upload):
        key = "/" + step.s3_uri.removeprefix("s3://")
        return [("HEAD", key, ""), ("PUT", key, "")]
    if isinstance(step, CopyCheckpoints):  # what is there already (nothing), the earlier job's one checkpoint; copied
        return [("GET", "/" + step.to_uri.removeprefix("s3://").partition("/")[0], "encoding-type,list-type,prefix"),
                ("GET", f"/{checkpoints_bucket}", "encoding-type,list-type,prefix"),
                ("PUT", "/" + step.to_uri.removeprefix("s3://") + "/earlier.json", "")]
    if isinstance(step, WriteRecord):  # nothing there yet: written
        key = "/" + step.s3_uri.removeprefix("s3://")
        return [("HEAD", key, ""), ("PUT", key, "")]
    return []


def test_the_executor_makes_exactly_the_calls_of_the_plans_steps(cloud_project: Project, cloud: Cloud) -> None:
    """Each step's calls, in the plan's order, and no other: the bucket, uploads and checkpoints are all in the plan."""
    earlier = submit(plan_of("jobs.py:save_checkpoint"), policy=FAST, quiet=True)
    source = "amazon-braket-us-east-1-123456789012"
    cloud.client("s3").put_object(Bucket=source, Key=f"jobs/{earlier.job_name}/checkpoints/earlier.json", Body=b"{}")
    cloud_project.write("data.csv", "x,y\n1,2\n")
    plan = plan_of("jobs.py:train", assignments=("s3.bucket=fresh-bucket", "input.data=data.csv",
                                                  f"checkpoint.copy_from_job={earlier.job_arn}"))
    assert [type(step).__name__ for step in plan.steps] == [
        "EnsureBucket", "Upload", "Upload", "CopyCheckpoints", "WriteRecord", "CreateJob"]
    assert plan.steps[1:3] == plan.uploads and plan.steps[-1] == CreateJob(request=plan.request)
    s3_before, braket_before = len(cloud.gate.seen), len(cloud.braket.calls)
    gateway = Aws()
    submit(plan, aws=gateway, policy=FAST, quiet=True)
    seen = [(s.method, s.path, ",".join(sorted(s.query))) for s in cloud.gate.seen[s3_before:]]
    assert seen == [call for step in plan.steps for call in _calls_of(step, source)]
    assert cloud.braket.calls[braket_before:] == ["CreateJob"]  # where the checkpoints are: the plan looked it up

    # The same tree again through the same gateway: the bucket is known ready and every upload known there; only the
    # new job's own record is written.
    again = plan_of("jobs.py:train", assignments=("s3.bucket=fresh-bucket", "input.data=data.csv"))
    s3_before = len(cloud.gate.seen)
    done = submit(again, aws=gateway, policy=FAST, quiet=True)
    assert ([(s.method, s.path, ",".join(sorted(s.query))) for s in cloud.gate.seen[s3_before:]],
            done.bytes_uploaded) == (_calls_of(again.steps[-2], source), 0)
    # ...and through a new one: each step checks, and finds nothing to do.
    s3_before = len(cloud.gate.seen)
    done_plan = plan_of("jobs.py:train", assignments=("s3.bucket=fresh-bucket", "input.data=data.csv"))
    done = submit(done_plan, aws=Aws(), policy=FAST, quiet=True)
    record = "/" + done_plan.steps[-2].s3_uri.removeprefix("s3://")  # type: ignore[union-attr]
    assert [(s.method, s.path) for s in cloud.gate.seen[s3_before:]] == [
        ("HEAD", "/fresh-bucket"), *(("HEAD", "/" + u.s3_uri.removeprefix("s3://")) for u in again.uploads),
        ("HEAD", record), ("PUT", record)]
    assert done.bytes_uploaded == 0


BUCKET = "amazon-braket-us-east-1-123456789012"


def _earlier_with_checkpoint(cloud: Cloud) -> tuple[str, str]:
    """An earlier job with one checkpoint file, state.json: its ARN and name."""
    earlier = submit(plan_of("jobs.py:save_checkpoint"), policy=FAST, quiet=True)
    cloud.client("s3").put_object(Bucket=BUCKET, Key=f"jobs/{earlier.job_name}/checkpoints/state.json",
                                  Body=b'{"step": 7}')
    return earlier.job_arn, earlier.job_name


def test_submitting_the_same_plan_again_never_overwrites_the_jobs_checkpoints(cloud_project: Project,
                                                                             cloud: Cloud) -> None:
    earlier, name = _earlier_with_checkpoint(cloud)
    cloud.client("s3").put_object(Bucket=BUCKET, Key=f"jobs/{name}/checkpoints/more.json",
                                  Body=b"more")
    plan = plan_of("jobs.py:train", assignments=(f"checkpoint.copy_from_job={earlier}",))
    first = submit(plan, policy=FAST, quiet=True)
    s3 = cloud.client("s3")
    state = f"jobs/{plan.request.job_name}/checkpoints/state.json"
    assert s3.get_object(Bucket=BUCKET, Key=state)["Body"].read() == b'{"step": 7}'
    s3.put_object(Bucket=BUCKET, Key=state, Body=b'{"step": 99}')  # the new job's own, written since
    s3.delete_object(Bucket=BUCKET, Key=f"jobs/{plan.request.job_name}/checkpoints/more.json")
    again = submit(plan, policy=FAST, quiet=True)  # the documented recovery after SubmissionInterrupted
    assert again.job_arn == first.job_arn
    assert s3.get_object(Bucket=BUCKET, Key=state)["Body"].read() == b'{"step": 99}'
    # what the job lacks is still copied in
    assert s3.get_object(Bucket=BUCKET, Key=f"jobs/{plan.request.job_name}/checkpoints/more.json")["Body"].read() \
        == b"more"


def _refused_when_planning(cloud_project: Project, cloud: Cloud, value: str) -> str:
    """Plan with ``checkpoint.copy_from_job = value`` in pyproject.toml: the one problem, as shown; nothing written."""
    cloud_project.pyproject(CLOUD_SETTINGS + f'\n[tool.braketkit.checkpoint]\ncopy_from_job = "{value}"\n')
    s3_before, creates = len(cloud.gate.seen), cloud.braket.calls.count("CreateJob")
    with pytest.raises(InvalidInput) as caught:
        plan_of("jobs.py:train")
    assert [s.method for s in cloud.gate.seen[s3_before:] if s.method not in ("GET", "HEAD")] == []
    assert cloud.braket.calls.count("CreateJob") == creates
    [problem] = caught.value.problems
    assert (problem.key, problem.origin) == ("checkpoint.copy_from_job", "pyproject.toml:9")
    return problem.message


def test_copy_from_job_is_looked_up_when_planning(cloud_project: Project, cloud: Cloud) -> None:
    assert _refused_when_planning(cloud_project, cloud, "nope") == (
        "no job named 'nope' in us-east-1; give its ARN, or the name of a job in the region this one runs in")
    missing = "arn:aws:braket:us-east-1:123456789012:job/gone"
    assert _refused_when_planning(cloud_project, cloud, missing) == f"no job {missing} in us-east-1"
    elsewhere = "arn:aws:braket:eu-west-2:123456789012:job/earlier"
    assert _refused_when_planning(cloud_project, cloud, elsewhere) == (
        f"the job {elsewhere} ran in eu-west-2, but this job runs in us-east-1; checkpoints are copied from a job "
        "of the same region")
    bare = "arn:aws:braket:us-east-1:123456789012:job/bare"
    cloud.braket.jobs[bare] = {"jobName": "bare", "jobArn": bare, "status": "COMPLETED", "createdAt": 0.0}
    assert _refused_when_planning(cloud_project, cloud, bare) == (
        f"the job {bare} has no checkpoint configuration: there is nothing to copy")
    cloud_project.pyproject(CLOUD_SETTINGS)  # offline, the region is checked all the same
    with pytest.raises(InvalidInput, match="ran in eu-west-2, but this job runs in us-east-1"):
        plan_target(load_reference("jobs.py:train"), offline=True,
                    assignments=(f"checkpoint.copy_from_job={elsewhere}",))


def test_the_copy_step_carries_where_the_checkpoints_are(cloud_project: Project, cloud: Cloud) -> None:
    earlier, name = _earlier_with_checkpoint(cloud)
    plan = plan_of("jobs.py:train", assignments=(f"checkpoint.copy_from_job={earlier}",))
    [copy] = [step for step in plan.steps if isinstance(step, CopyCheckpoints)]
    assert copy.from_uri == f"s3://{BUCKET}/jobs/{name}/checkpoints"
    assert plan.warnings == []
    offline = plan_target(load_reference("jobs.py:train"), offline=True,
                          assignments=(f"checkpoint.copy_from_job={earlier}",))
    [copy] = [step for step in offline.steps if isinstance(step, CopyCheckpoints)]
    assert copy.from_uri is None


def test_an_earlier_job_without_checkpoints_is_a_warning(cloud_project: Project, cloud: Cloud) -> None:
    earlier = submit(plan_of("jobs.py:train"), policy=FAST, quiet=True)
    plan = plan_of("jobs.py:train", assignments=(f"checkpoint.copy_from_job={earlier.job_name}",))
    assert plan.warnings == [f"the job {earlier.job_name} has no checkpoints at "
                             f"s3://{BUCKET}/jobs/{earlier.job_name}/checkpoints now: nothing will be copied"]


def test_checkpoints_in_another_accounts_bucket(cloud_project: Project, cloud: Cloud) -> None:
    earlier, _ = _earlier_with_checkpoint(cloud)
    theirs = "someone-elses-bucket"
    cloud.client("s3").create_bucket(Bucket=theirs)
    cloud.gate.owners[theirs] = "999999999999"
    job = cloud.braket.jobs[earlier]
    job["checkpointConfig"] = {**job["checkpointConfig"], "s3Uri": f"s3://{theirs}/checkpoints"}
    plan = plan_of("jobs.py:train", assignments=(f"checkpoint.copy_from_job={earlier}",))
    assert [warning.split(" (")[0] for warning in plan.warnings] == [
        f"cannot list the checkpoints of {earlier} at s3://{theirs}/checkpoints"]
    with pytest.raises(AwsError) as caught:
        submit(plan, policy=FAST, quiet=True)
    assert str(caught.value).startswith(
        f"copying the checkpoints of job {earlier} from s3://{theirs}/checkpoints to "
        f"s3://{BUCKET}/jobs/{plan.request.job_name}/checkpoints (the CopyCheckpoints step) failed (the bucket "
        f"{theirs} or {BUCKET} is not owned by your account 123456789012, or you may not read it): ")
    assert isinstance(caught.value.__cause__, Exception) and "AccessDenied" in str(caught.value.__cause__)
    assert plan.request.job_name not in [job["jobName"] for job in cloud.braket.jobs.values()]


def test_a_plan_with_anything_unresolved_is_not_submitted(cloud_project: Project, cloud: Cloud) -> None:
    qpu = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
    offline = plan_target(load_reference("jobs.py:train"), offline=True, assignments=(
        f"s3.bucket={BUCKET}", f"role={cloud.role}", f"device={qpu}"))
    assert offline.unresolved == ["offline: account-dependent values were not looked up",
                                  "offline: the device's spending limit was not looked up"]
    s3_before = len(cloud.gate.seen)
    with pytest.raises(AwsError) as caught:
        submit(offline, policy=FAST, quiet=True)
    assert str(caught.value) == ("cannot submit: offline: account-dependent values were not looked up; offline: "
                                 "the device's spending limit was not looked up; plan it again with AWS at hand")
    assert (cloud.gate.seen[s3_before:], cloud.braket.jobs) == ([], {})
    local = plan_target(load_reference("jobs.py:train"), local=True)
    assert local.unresolved == []
    with pytest.raises(InvalidInput) as refused:
        submit(local, policy=FAST, quiet=True)
    assert str(refused.value) == (
        "plan: it was made for a run on this machine (local), so it has no steps in AWS; run it with .local(...) "
        "or `braketkit run --local`, or plan it again without local")


def test_a_plan_shows_what_it_does(cloud_project: Project, cloud: Cloud) -> None:
    """The steps are the truth: a plan edited to show one thing and do another is refused, before anything is sent."""
    earlier, _ = _earlier_with_checkpoint(cloud)
    plan = plan_of("jobs.py:train", assignments=(f"checkpoint.copy_from_job={earlier}",))
    assert isinstance(plan.steps, tuple) and isinstance(plan.uploads, tuple)
    with pytest.raises(TypeError):
        plan.steps[-1] = plan.steps[-1]  # type: ignore[index]
    with pytest.raises(ValueError, match="the plan's uploads differ from its Upload steps"):
        attrs.evolve(plan, uploads=[])
    with pytest.raises(ValueError, match="the plan's copy_checkpoints_from differs from its CopyCheckpoints step"):
        attrs.evolve(plan, copy_checkpoints_from=None)
    with pytest.raises(ValueError, match="the plan's copy_checkpoints_from differs from its CopyCheckpoints step"):
        attrs.evolve(plan, steps=[step for step in plan.steps if not isinstance(step, CopyCheckpoints)])
    stray = Upload(path=plan.archive.path, s3_uri="s3://elsewhere/x.tar.gz", size=1, sha256="0" * 64)
    with pytest.raises(ValueError, match=r"the step writing to s3://elsewhere/x.tar.gz comes before any EnsureBucket "
                                         r"step for its bucket"):
        attrs.evolve(plan, steps=[*plan.steps[:-1], stray, plan.steps[-1]], uploads=[*plan.uploads, stray])
    with pytest.raises(ValueError, match="a plan's steps end with its one CreateJob step"):
        attrs.evolve(plan, steps=[plan.steps[-1], *plan.steps])
    # Past the checks at construction (object.__setattr__ goes round a frozen class): the executor checks again.
    edited = attrs.evolve(plan)
    object.__setattr__(edited, "uploads", ())
    s3_before = len(cloud.gate.seen)
    with pytest.raises(InvalidInput, match="the plan's uploads differ from its Upload steps: change both"):
        submit(edited, policy=FAST, quiet=True)
    assert cloud.gate.seen[s3_before:] == []
    # A dict of the request changed in place: what the plan shows, but no longer what the service accepts.
    assert plan.request.hyper_parameters is not None
    plan.request.hyper_parameters["x" * 300] = "1"
    with pytest.raises(InvalidInput, match="edited since it was planned, breaks the service's rules: hyperParameters"):
        submit(plan, policy=FAST, quiet=True)
    assert cloud.gate.seen[s3_before:] == []


def test_s3_failures_are_told_by_their_status(cloud_project: Project, cloud: Cloud,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    plan = plan_of("jobs.py:train")
    cloud.gate.faults.append(lambda seen: 503 if seen.method == "HEAD" and seen.path == f"/{BUCKET}" else None)
    with pytest.raises(AwsError) as caught:
        submit(plan, aws=Aws(), policy=FAST, quiet=True)
    assert str(caught.value) == (f"checking the bucket {BUCKET} (HeadBucket) failed (S3 answered 503 Service "
                                 "Unavailable); nothing else was done. Try again; submitting the same plan again is "
                                 "safe.")
    assert caught.value.__cause__ is not None
    cloud.gate.faults[:] = [lambda seen: 500 if seen.method == "HEAD" and "/sources/" in seen.path else None]
    with pytest.raises(AwsError) as caught:
        submit(plan, aws=Aws(), policy=FAST, quiet=True)
    archive = plan.uploads[0].s3_uri
    assert str(caught.value) == (f"checking whether S3 holds {archive} (HeadObject) failed (S3 answered 500 Internal "
                                 "Server Error); nothing else was done. Try again; submitting the same plan again is "
                                 "safe.")
    cloud.gate.faults.clear()
    assert submit(plan, aws=Aws(), policy=FAST, quiet=True).bytes_uploaded > 0


SECRET = "wJalrXUtnFEMI-SECRET-never-printed"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE-TOKEN-never-printed"


@pytest.fixture
def cli_project(cloud_project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    return cloud_project


def _no_secrets(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text and SESSION_TOKEN not in text


def test_cli_run_status_logs_result(cli_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", "jobs.py:chatty", "--lines", "4", "--quiet")
    assert code == 0, err
    name, arn = out.splitlines()[0].removeprefix("submitted "), out.splitlines()[1].split()[-1]
    assert out.splitlines()[2] == ("  console: https://us-east-1.console.aws.amazon.com/braket/home?region=us-east-1"
                                   f"#/jobs/{arn}")
    assert run_cli(capsys, "status", arn)[1].splitlines()[0] == f"{name}: QUEUED, position 2 in the JOBS_QUEUE queue"
    code, out, _ = run_cli(capsys, "result", name, "--region", "us-east-1", "--json", "--poll", "0.01")
    assert (code, json.loads(out)) == (0, {"lines": 4})
    code, out, _ = run_cli(capsys, "logs", arn)
    assert [line for line in out.splitlines() if line.startswith("line")] == [f"line {i:02d}" for i in range(4)]
    code, out, _ = run_cli(capsys, "status", arn, "--json")
    assert json.loads(out)["state"] == "COMPLETED"
    _no_secrets(out, err)


def test_cli_run_follow_streams_then_prints_the_result(cli_project: Project, cloud: Cloud,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--debug", "run", "jobs.py:chatty", "--lines", "3", "--follow", "--poll", "0.01")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[3:6] == ["line 00", "line 01", "line 02"]
    assert lines[-4].startswith(f"job {lines[0].removeprefix('submitted ')} completed (arn:aws:braket:")
    assert lines[-3:] == ["result: {", '  "lines": 3', "}"]
    _no_secrets(out, err)


def test_cli_run_wait_on_a_failing_job_exits_1(cli_project: Project, cloud: Cloud,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--debug", "run", "jobs.py:broken", "--wait", "--poll", "0.01")
    assert code == 1
    assert "failure reason:\nValueError: no convergence" in err
    assert "about to break" in err
    _no_secrets(out, err)


def test_cli_run_honours_the_wait_setting(cli_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def states(*options: str) -> tuple[str, list[str]]:
        code, out, err = run_cli(capsys, "run", "jobs.py:chatty", "--lines", "2", "--quiet", "--poll", "0.01",
                                 *options)
        assert code == 0, err
        arn = out.splitlines()[1].split()[-1]
        return cloud.braket.jobs[arn]["status"], out.splitlines()[-3:]

    cli_project.pyproject(CLOUD_SETTINGS + "wait = true\n")
    assert states() == ("COMPLETED", ["result: {", '  "lines": 2', "}"])
    assert states("--no-wait")[0] == "QUEUED"
    cli_project.pyproject(CLOUD_SETTINGS)
    assert states()[0] == "QUEUED"
    monkeypatch.setenv("BRAKETKIT_WAIT", "true")
    assert states()[0] == "COMPLETED"
    monkeypatch.setenv("BRAKETKIT_WAIT", "false")
    assert states("--wait")[0] == "COMPLETED"


def test_losing_aws_while_watching_says_the_job_goes_on(cli_project: Project, cloud: Cloud,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    cloud.braket.faults["GetJob"].extend(["throttle"] * 50)  # every poll refused, retries and all
    code, out, err = run_cli(capsys, "run", "jobs.py:train", "--follow", "--poll", "0.01")
    [arn] = cloud.braket.jobs
    assert code == 1 and out.startswith("submitted ")
    assert err.startswith("error: GetJob failed: ThrottlingException")
    assert err.endswith(f"stopped watching; the job goes on. Re-attach with: braketkit logs --follow {arn}\n")


def test_cli_refusal_with_debug_shows_no_credentials(cli_project: Project, cloud: Cloud,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    cloud.braket.faults["CreateJob"].append("denied")
    code, out, err = run_cli(capsys, "--debug", "run", "jobs.py:train")
    assert code == 1 and "Traceback" in err and "not allowed to create the job" in err
    _no_secrets(out, err)
    done = subprocess.run([sys.executable, "-m", "braketkit", "--debug", "config", "show", "--json"],
                          capture_output=True, text=True, check=False, env=dict(os.environ))
    _no_secrets(done.stdout, done.stderr)


def test_cli_cancel_and_list(cli_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    arns = [submit(plan_of("jobs.py:train"), policy=FAST, quiet=True).job_arn for _ in range(5)]
    code, out, _ = run_cli(capsys, "cancel", arns[0])
    assert (code, out) == (0, f"{cloud.braket.jobs[arns[0]]['jobName']}: CANCELLING\n")
    AwsJob(arns[0], poll=0.01).wait()
    code, out, _ = run_cli(capsys, "list", "--region", "us-east-1", "--json")
    listed = json.loads(out)
    assert sorted(job["arn"] for job in listed) == sorted(arns)  # five jobs over pages of three
    code, out, _ = run_cli(capsys, "list", "--region", "us-east-1", "--state", "cancelled", "--since", "1h")
    assert [line.split()[-1] for line in out.splitlines()[1:]] == [arns[0]]


def test_get_device_speaks_the_protocol(cloud: Cloud) -> None:
    import boto3

    braket = boto3.Session(region_name="us-east-1").client("braket")
    device = braket.get_device(deviceArn="arn:aws:braket:::device/quantum-simulator/amazon/sv1")
    assert (device["deviceName"], device["deviceStatus"]) == ("SV1", "ONLINE")  # the service's name for it


def test_ctrl_c_while_following_leaves_the_job_running(cli_project: Project, cloud: Cloud) -> None:
    import signal

    process = subprocess.Popen([sys.executable, "-m", "braketkit", "run", "jobs.py:train", "--follow", "--poll", "30"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
                               preexec_fn=interruptible)
    assert process.stdout is not None
    name = process.stdout.readline().strip().removeprefix("submitted ")
    arn = process.stdout.readline().split()[-1]
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert err.strip().endswith(f"stopped watching; the job goes on. Re-attach with: braketkit logs --follow {arn}")
    assert cloud.braket.jobs[arn]["jobName"] == name
    assert cloud.braket.jobs[arn]["status"] in ("QUEUED", "RUNNING")
    assert "CancelJob" not in cloud.braket.calls
    _no_secrets(out, err)


def test_a_sweep_uploads_once_and_plans_everything_first(cloud_project: Project, cloud: Cloud) -> None:
    import jobs  # type: ignore[import-not-found]

    handles = jobs.train.map([1, 2, 3])
    assert len({job.arn for job in handles}) == 3 and len({job.name for job in handles}) == 3
    assert sorted(cloud.braket.jobs[job.arn]["hyperParameters"]["steps"] for job in handles) == ["1", "2", "3"]
    assert len([s for s in cloud.gate.seen if s.method == "PUT" and "/sources/" in s.path]) == 1
    created = len(cloud.braket.jobs)
    with pytest.raises(InvalidInput, match=r"argument steps: steps is a set"):
        jobs.train.map([4, {5}])
    assert len(cloud.braket.jobs) == created  # the bad second call stopped the first one too


def test_wait_true_returns_the_job_once_it_has_ended(cloud_project: Project, cloud: Cloud,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import jobs  # type: ignore[import-not-found]

    monkeypatch.setattr(AwsJob, "DEFAULT_POLL", 0.01)
    assert jobs.train(steps=1).state() == "QUEUED"  # without wait: back at once
    monkeypatch.setenv("BRAKETKIT_WAIT", "true")
    job = jobs.train(steps=2)
    assert cloud.braket.jobs[job.arn]["status"] == "COMPLETED"
    assert job.result() == jobs.Energy(-1.5, 2)


def test_job_commands_honour_aws_region(cli_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore reads AWS_DEFAULT_REGION, not AWS_REGION; braketkit reads both, as plan does (and the project's)."""
    assert os.environ["AWS_REGION"] == "us-east-1" and "AWS_DEFAULT_REGION" not in os.environ
    submission = submit(plan_of("jobs.py:train"), policy=FAST, quiet=True)
    code, out, err = run_cli(capsys, "list")
    assert (code, err) == (0, "") and out.split()[-1] == submission.job_arn
    code, out, err = run_cli(capsys, "status", submission.job_name)
    assert (code, err) == (0, "") and out.startswith(f"{submission.job_name}: ")
    monkeypatch.delenv("AWS_REGION")
    assert run_cli(capsys, "status", submission.job_name)[0] == 0  # the project's region, where it was submitted
    cli_project.pyproject('[tool.braketkit]\ndevice = "sv1"\n')  # a project that names no region
    code, out, err = run_cli(capsys, "status", submission.job_name)
    assert (code, out) == (2, "")
    assert err == (f"error: JOB: no local job named {submission.job_name!r} in {cli_project.root}/.braketkit/jobs, "
                   "and no AWS region is configured: give --region, or set AWS_REGION (or a region in your AWS "
                   "configuration)\n")
    code, _, err = run_cli(capsys, "list")
    assert (code, err) == (2, "error: no AWS region is configured: give --region, or set AWS_REGION (or a region in "
                              "your AWS configuration)\n")
    code, _, err = run_cli(capsys, "status", "nope", "--region", "us-east-1")
    assert (code, err) == (2, f"error: JOB: no local job named 'nope' in {cli_project.root}/.braketkit/jobs, and no "
                              "job named 'nope' in us-east-1; give its ARN, or its name in the region it ran in "
                              "(--region)\n")


def test_an_unknown_arn_is_a_message(cli_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    arn = "arn:aws:braket:us-east-1:123456789012:job/00000000-0000-0000-0000-000000000000"
    for command in ("status", "result", "logs", "cancel"):
        code, out, err = run_cli(capsys, command, arn)
        assert (code, out) == (2, ""), command
        assert err == (f"error: JOB: no job {arn} (no job {arn}); check the ARN, and that it is of this account and "
                       "region\n"), command


def test_debug_shows_the_aws_error_behind_the_message(cli_project: Project, cloud: Cloud,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """An AWS refusal is one message; ``--debug`` adds the traceback, with botocore's error as the cause."""
    cloud.braket.offline_devices.add("arn:aws:braket:::device/quantum-simulator/amazon/sv1")
    code, out, err = run_cli(capsys, "run", "jobs.py:train", "--quiet")
    assert (code, out) == (1, "")
    assert err.startswith("error: the device arn:aws:braket:::device/quantum-simulator/amazon/sv1 is offline")
    assert err.count("\n") == 1 and "Traceback" not in err
    code, _, err = run_cli(capsys, "--debug", "run", "jobs.py:train", "--quiet")
    assert code == 1
    cause, _, rest = err.partition("The above exception was the direct cause of the following exception:")
    assert "botocore.errorfactory.DeviceOfflineException: An error occurred (DeviceOfflineException) when calling " \
           "the CreateJob operation" in cause
    assert rest.rstrip().endswith("try again later, or choose another device.")


def test_no_network_is_a_message(cli_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_BRAKET", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    arn = "arn:aws:braket:us-east-1:123456789012:job/00000000-0000-0000-0000-000000000000"
    for argv in (["status", arn], ["list"], ["result", arn], ["cancel", arn]):
        code, out, err = run_cli(capsys, *argv)
        assert (code, out) == (1, ""), argv
        assert err == (f"error: cannot connect to http://127.0.0.1:{port}: check the network connection (and any "
                       "proxy or AWS_ENDPOINT_URL setting), then try again\n"), argv


def test_no_credentials_is_a_message(cli_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    arn = "arn:aws:braket:us-east-1:123456789012:job/00000000-0000-0000-0000-000000000000"
    for argv in (["status", arn], ["list"]):
        code, out, err = run_cli(capsys, *argv)
        assert (code, out, err) == (1, "", "error: no AWS credentials found: configure them (aws configure, "
                                           "AWS_PROFILE, or the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                                           "variables)\n"), argv


def test_a_job_name_in_use_says_so_and_where_it_was_set(cloud_project: Project, cloud: Cloud) -> None:
    """Job names are never reused: a fixed job_name submitted twice is refused by the service, and said so."""
    cloud_project.pyproject(CLOUD_SETTINGS + 'job_name = "vqe-h2"\n')
    submit(plan_of("jobs.py:train"), policy=FAST, quiet=True)
    with pytest.raises(AwsError) as caught:
        submit(plan_of("jobs.py:train"), policy=FAST, quiet=True)
    record = "s3://amazon-braket-us-east-1-123456789012/jobs/vqe-h2/braketkit/planned.json"
    assert str(caught.value) == (
        f"a job named vqe-h2 already exists in this account and region, and job names are never reused ({record} "
        "holds its planned record); choose another job_name (set at pyproject.toml:7), or leave it out so that "
        "each job gets a fresh name.")
    assert len(cloud.braket.jobs) == 1
    assert cloud.braket.calls.count("CreateJob") == 1  # refused before CreateJob: the first job's record stands
    [token] = cloud.braket.tokens
    written = cloud.client("s3").get_object(Bucket="amazon-braket-us-east-1-123456789012",
                                            Key="jobs/vqe-h2/braketkit/planned.json")
    assert written["Metadata"]["client-token"] == token
