"""The pipeline, end to end: resolve → package → plan → execute for one call or a sweep.

The decorator and the CLI are both thin over these functions, so a job
planned or run from either is planned and run the same way. Each stage is imported
when a call first needs it: importing this module (and the decorator over it) stays light.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .errors import InvalidInput, Problem
from .resolve import Resolved, resolve
from .target import Target

if TYPE_CHECKING:
    from .aws import Aws
    from .execute.local import Echo
    from .job import Job
    from .plan import Plan
    from .sweep import Sweep

__all__ = ["plan_target", "resolve_target", "run_many", "run_target"]


def resolve_target(target: Target, profile: str | None = None, assignments: Sequence[str] = ()) -> Resolved:
    """Settings for a plan; their problems are left to the plan, which reports them with its own, at once."""
    return resolve(start=target.file.parent, keywords=target.keywords, keywords_origin=target.keywords_origin,
                   profile=profile, assignments=assignments, environ=os.environ, defer_problems=True)


def _gateway(aws: Aws | None) -> Aws:
    """The gateway a call goes through: the one given, else the process's for the present AWS configuration."""
    if aws is not None:
        return aws
    from .aws import shared

    return shared()


def plan_target(
    target: Target,
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    profile: str | None = None,
    assignments: Sequence[str] = (),
    offline: bool = False,
    local: bool = False,
    aws: Aws | None = None,
) -> Plan:
    """Resolve the target's settings and plan one call of it (shared by decorator and CLI)."""
    from .plan import make_plan

    resolved = resolve_target(target, profile, assignments)
    return make_plan(target, resolved, args, kwargs, aws=_gateway(aws), offline=offline,
                     local=local or resolved.settings.local, environ=os.environ)


def _warned(plan: Plan, quiet: bool) -> Plan:
    """Say the plan's warnings (a file shipped that looks like a secret, a name not defined) before it runs."""
    if not quiet:
        for warning in plan.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return plan


def run_target(
    target: Target,
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    profile: str | None = None,
    assignments: Sequence[str] = (),
    local: bool = False,
    echo: bool | Echo = True,
    wait: bool | None = None,
    quiet: bool = False,
    aws: Aws | None = None,
) -> Job:
    """Plan one call and carry it out, here or on Amazon Braket (shared by decorator and CLI)."""
    from .plan import make_plan

    resolved = resolve_target(target, profile, assignments)
    if local or resolved.settings.local:
        from .execute.local import run_local

        plan = _warned(make_plan(target, resolved, args, kwargs, local=True, environ=os.environ), quiet)
        return run_local(plan, target.function, echo=None if echo is False else sys.stdout if echo is True else echo,
                         aws=aws)
    from .execute.cloud import submit
    from .job import AwsJob

    aws = _gateway(aws)
    plan = _warned(make_plan(target, resolved, args, kwargs, aws=aws, environ=os.environ), quiet)
    submission = submit(plan, aws=aws, quiet=quiet)
    job = AwsJob(submission.job_arn, name=submission.job_name, function=target.function, aws=aws)
    if resolved.settings.wait if wait is None else wait:
        job.wait(display=None if quiet else sys.stderr)
    return job


def run_many(
    target: Target, calls: Sequence[tuple[Sequence[Any], Mapping[str, Any]]], *, max_workers: int = 8,
    aws: Aws | None = None,
) -> Sweep:
    """Plan every call first (so bad input stops before any job exists), each tagged with the sweep's id, then
    carry them out (``sweep.carry_out``)."""
    from .model.job import SWEEP_TAG
    from .plan import plan_call, prepare
    from .plan.jobname import sweep_id
    from .sweep import Call, Sweep

    if max_workers < 1:
        raise InvalidInput([Problem(f"must be at least 1 (is {max_workers})", "max_workers")])
    resolved = resolve_target(target)
    local = resolved.settings.local
    aws = None if local else _gateway(aws)
    prepared = prepare(target, resolved, aws=aws, local=local, environ=os.environ)
    if prepared.problems and not calls:  # nothing to plan: the settings' own problems still stop here
        raise InvalidInput(prepared.problems)
    sweep = sweep_id(target.qualname or target.file.stem)
    planned: list[Call] = []
    for index, (args, kwargs) in enumerate(calls):
        plan = plan_call(prepared, args, kwargs, tags={SWEEP_TAG: sweep})
        planned.append(Call(index=index, args=tuple(args), kwargs=dict(kwargs), plan=plan))
        prepared = attrs.evolve(prepared, spending=planned[0].plan.spending)  # the QPU's limit: looked up once
    if planned:
        _warned(planned[0].plan, quiet=False)  # the same for every call of a sweep: said once
    return Sweep(sweep, planned, local=local, function=target.function, aws=aws).resume(max_workers=max_workers)
