"""The typing promises of the public API, read by mypy (``make typecheck``), never run.

Each ``assert_type`` states what a type checker sees; each ``# type: ignore[code]`` is an error mypy must
report there, and ``warn_unused_ignores`` fails ``make typecheck`` when one is no longer reported: a
promise that stops holding fails the build either way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from braketkit import (
    S3,
    AwsJob,
    Checkpoint,
    HybridJob,
    Instance,
    LocalJob,
    Plan,
    Settings,
    Stopping,
    Sweep,
    SweepLimits,
    hybrid_job,
)

if sys.version_info >= (3, 11):
    from typing import assert_type
else:
    from typing_extensions import assert_type

if TYPE_CHECKING:
    from braketkit.job import Job


# The bare decorator and the decorator with settings both keep the function's parameters and return type.
@hybrid_job
def bare(steps: int, lr: float = 0.1) -> dict[str, float]:
    return {"loss": lr / steps}


@hybrid_job(device="sv1", instance="ml.c5.xlarge", stopping={"max_runtime": "2h"}, wait=False)
def train(steps: int, lr: float = 0.1) -> list[float]:
    return [lr] * steps


kept: HybridJob[[int, float], list[float]] = train
kept_bare: HybridJob[[int, float], dict[str, float]] = bare
not_kept: HybridJob[[str], list[float]] = train  # type: ignore[assignment]

# Calls, local runs, plans, options and sweeps keep the parameter types; handles carry the return type.
assert_type(train(3), "Job[list[float]]")
assert_type(train(3).result(), list[float])
assert_type(bare(3, lr=0.5).result(), dict[str, float])
assert_type(train.local(3), LocalJob[list[float]])
assert_type(train.local(3).result(), list[float])
assert_type(train.plan(3), Plan)
kept = train.options(device="dm1")
kept = train.options(Settings(region="us-west-2"), wait=True)
assert_type(train.options(Settings(wait=True)).local(2).result(), list[float])
sweep = train.map([1, 2, 3], lr=0.2)
assert_type(sweep, Sweep[list[float]])
assert_type(sweep[0], "Job[list[float]]")
assert_type(sweep[0].result(), list[float])
assert_type(sweep.job(1), "Job[list[float]] | None")
assert_type(sweep.resume(), Sweep[list[float]])
assert_type([job.result() for job in sweep], list[list[float]])
assert_type(train.rerun(train(3), lr=0.2), "Job[list[float]]")
assert_type(train.options(local=True).rerun("train-20261126-183400-123-k4z").result(), list[float])

train("three")  # type: ignore[arg-type]
train.local(steps="three")  # type: ignore[arg-type]
train.plan(3, 0.1, 7)  # type: ignore[call-arg]
train.options(device="dm1")(3, lr="fast")  # type: ignore[arg-type]
train.rerun(3)  # type: ignore[arg-type]

# Handles made from a job's name or folder alone hold a result of any type.
assert_type(AwsJob("arn:aws:braket:us-east-1:111122223333:job/x"), AwsJob[Any])
assert_type(AwsJob.attach("x"), AwsJob[Any])
assert_type(LocalJob(Path(".braketkit/jobs/x")), LocalJob[Any])
one: Job[int] = AwsJob("arn:aws:braket:us-east-1:111122223333:job/x")


# The documented value forms are accepted: durations as text or seconds, an instance type's name or an
# Instance, tables as their class or a dict, hyperparameters as text, numbers or booleans.
@hybrid_job(
    Settings(device="dm1", stopping=Stopping(max_runtime="2h"), hyperparameters={"lr": "0.1", "layers": 3}),
    instance=Instance(type="ml.c5.xlarge", count=2),
    stopping={"max_runtime": 7200},
    s3={"bucket": "amazon-braket-us-east-1-111122223333", "prefix": "jobs"},
    checkpoint=Checkpoint(copy_from_job="vqe-1"),
    sweep={"rate": 2, "burst": 10},
    hyperparameters={"optimizer": "adam", "shots": 100, "noisy": True},
    tags={"team": "qml"},
    input={"train": "data/train", "more": "s3://bucket/key"},
    dependencies=["numpy"],
    include=["data/*.csv"],
    distribution="data_parallel",
    result_format="pickled_v4",
    profile="qpu",
)
def documented() -> None: ...


Stopping(max_runtime=7200)
Settings(hyperparameters={"lr": 0.1, "adaptive": False}, s3=S3(prefix="runs"), sweep=SweepLimits(rate=0.5))
train.options(Settings(wait=False), instance="ml.m5.xlarge", stopping=Stopping(max_runtime="90m"))

# Misspelt and mistyped settings are errors.
hybrid_job(devcie="sv1")  # type: ignore[call-overload]
hybrid_job(device=42)  # type: ignore[call-overload]
hybrid_job(device="sv1", wait="yes")  # type: ignore[call-overload]
hybrid_job(stopping={"max_runtim": "2h"})  # type: ignore[call-overload]
hybrid_job(stopping={"max_runtime": 2.5})  # type: ignore[call-overload]
hybrid_job(instance=4)  # type: ignore[call-overload]
hybrid_job(distribution="model_parallel")  # type: ignore[call-overload]
hybrid_job(hyperparameters={"lr": [0.1]})  # type: ignore[dict-item]
hybrid_job("sv1")  # type: ignore[call-overload]
train.options(devcie="sv1")  # type: ignore[call-arg]
train.options(wait="yes")  # type: ignore[arg-type]
Stopping(max_runtime=2.5)  # type: ignore[arg-type]
Settings(hyperparameters={"lr": None})  # type: ignore[dict-item]
Instance(type="ml.c5.xlarge", count="2")  # type: ignore[arg-type]
