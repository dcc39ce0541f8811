"""Many submissions under random fault schedules: one job per success, a clear error per failure.

Each submission draws up to four faults for CreateJob (throttling, 500s, a
dropped connection before or after the job was created, a reply slower than
the client waits) and a retry deadline that is sometimes too short to outlast
them. Afterwards every job is accounted for: no job twice, no job lost.
"""

from __future__ import annotations

import random

from braketkit.errors import AwsError
from braketkit.execute.cloud import RetryPolicy, submit

from .braket_service import RETRYABLE_FAULTS
from .conftest import Cloud, Project
from .test_cloud import plan_of, with_request

SUBMISSIONS = 500


def test_random_fault_schedules_never_duplicate_or_lose_a_job(cloud_project: Project, cloud: Cloud) -> None:
    rng = random.Random(20261126)
    cloud.braket.slow_seconds = 0.3
    base = plan_of("jobs.py:train")
    submit(base, quiet=True)  # warm up both services: from here on, only the scheduled faults fail a request
    outcomes: dict[str, str | AwsError] = {}
    schedules: dict[str, list[str]] = {}
    for index in range(SUBMISSIONS):
        plan = with_request(base, job_name=f"reliability-{index}", client_token=f"token-{index:04d}")
        request = plan.request
        schedule = rng.choices(RETRYABLE_FAULTS, weights=[3, 3, 2, 2, 1], k=rng.randint(0, 4))
        cloud.braket.faults["CreateJob"].clear()
        cloud.braket.faults["CreateJob"].extend(schedule)
        patience = rng.choice([0.0, 0.02, 30.0])
        policy = RetryPolicy(deadline=patience, base=0.002, cap=0.01, read_timeout=0.2)
        schedules[request.job_name] = schedule
        try:
            outcomes[request.job_name] = submit(plan, policy=policy, quiet=True).job_arn
        except AwsError as error:
            outcomes[request.job_name] = error
    jobs_by_name: dict[str, list[str]] = {}
    for arn, job in cloud.braket.jobs.items():
        jobs_by_name.setdefault(job["jobName"], []).append(arn)
    duplicates = {name: arns for name, arns in jobs_by_name.items() if len(arns) > 1}
    assert duplicates == {}
    succeeded = {name: arn for name, arn in outcomes.items() if isinstance(arn, str)}
    failed = {name: refused for name, refused in outcomes.items() if isinstance(refused, AwsError)}
    assert all(jobs_by_name.get(name) == [arn] for name, arn in succeeded.items())  # no silent loss
    for name, refused in failed.items():  # every failure is explained, and says the job may exist
        assert schedules[name], (name, str(refused))
        assert "The job may or may not exist: `braketkit list` shows it" in str(refused)
        assert f"client token token-{name.rsplit('-', 1)[1].zfill(4)}" in str(refused)
    assert len(succeeded) + len(failed) == SUBMISSIONS
    assert len(failed) > 50 and len(succeeded) > 50  # the schedules really exercised both outcomes
    created_but_failed = [name for name in failed if name in jobs_by_name]
    assert created_but_failed  # jobs created before the reply was lost: reported, never duplicated
