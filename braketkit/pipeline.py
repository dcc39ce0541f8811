"""The pipeline, end to end: resolve → package → plan → execute for one call or a sweep.

The decorator and the CLI are both thin over these functions, so a job
planned or run from either is planned and run the same way. Each stage is imported
when a call first needs it: importing this module (and the decorator over it) stays light.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .errors import InvalidInput, Problem
from .resolve import Keywords, Resolved, resolve
from .target import Target

if TYPE_CHECKING:
    from .aws import Aws
    from .execute.local import Echo
    from .job import Job
    from .job.original import Original
    from .job.source import JobSource
    from .model.provenance import JobCall
    from .plan import Plan
    from .plan.rerun import Rerun
    from .sweep import Sweep

__all__ = ["plan_rerun", "plan_target", "rerun_job", "resolve_target", "run_many", "run_target"]


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


def _warned(plan: Plan, quiet: bool, warn: Callable[[str], object] | None = None) -> Plan:
    """Say the plan's warnings (a file shipped that looks like a secret, a name not defined) before it runs: to
    ``warn`` (a logger's ``warning``, say) when given, else on stderr."""
    if not quiet:
        for warning in plan.warnings:
            if warn is not None:
                warn(warning)
            else:
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
    debug: bool = False,
    warn: Callable[[str], object] | None = None,
) -> Job:
    """Plan one call and carry it out, here or on Amazon Braket (shared by decorator and CLI); ``debug`` (a run
    here only): the job's uncaught exception opens ``pdb`` at this terminal; ``warn``: where the plan's warnings go
    (default: stderr)."""
    from .plan import make_plan

    resolved = resolve_target(target, profile, assignments)
    if local or resolved.settings.local:
        from .execute.local import run_local

        plan = _warned(make_plan(target, resolved, args, kwargs, local=True, environ=os.environ), quiet, warn)
        return run_local(plan, target.function, echo=None if echo is False else sys.stdout if echo is True else echo,
                         aws=aws, debug=debug)
    if debug:
        raise InvalidInput([Problem("debugs a job on this machine; add --local (a job in the cloud has no terminal "
                                    "to debug at)", "--pdb")])
    from .execute.cloud import submit
    from .job import AwsJob

    aws = _gateway(aws)
    plan = _warned(make_plan(target, resolved, args, kwargs, aws=aws, environ=os.environ), quiet, warn)
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


def _project_of(target: Target | None) -> Path:
    """The project a rerun belongs to (its archive cache, its local jobs): the function's, else the one here."""
    from .plan import project_root_of
    from .workspace import project_root

    if target is not None:
        return project_root_of(target, resolve_target(target))
    return project_root(Path.cwd())


def _target_region(target: Target) -> str | None:
    """Where the function's jobs run: its region setting, else its device's; None leaves it to the AWS configuration."""
    from . import catalog

    resolved = resolve_target(target)
    return resolved.settings.region or (catalog.device_region(resolved.device) if resolved.device else None)


def plan_rerun(
    job: Job | str,
    arguments: Mapping[str, Any] | None = None,
    *,
    target: Target | None = None,
    assignments: Sequence[str] = (),
    keywords: Keywords = (),
    local: bool = False,
    region: str | None = None,
    aws: Aws | None = None,
) -> Rerun:
    """Plan ``job`` again from its own archive (fetched by its digest and verified), with the changes asked for.

    The CLI gives ``arguments`` as text (``--NAME VALUE``, ``plan.rerun.text_arguments``); the decorator gives
    values and its ``target``, through whose signature they are encoded as a call's are, and whose function the
    job must be a run of. Changed settings come from ``assignments`` (``--set``) or ``keywords``
    (``.options``). A local job, ``local`` or a change ``local = true`` plans a run on this machine.
    """
    import functools
    import platform
    from datetime import datetime, timezone

    from . import __version__
    from .converter import RECORD_MAX_BYTES
    from .errors import InvalidInput, Problem
    from .job.original import find_original
    from .model.provenance import Provenance
    from .package import SourceArchive, git
    from .plan.arguments import encode_arguments
    from .plan.rerun import (
        Rerun,
        changes_asked,
        declared_parameters,
        rerun_plan,
        rerun_record,
        rerun_request,
        text_arguments,
        tree_note,
    )
    from .workspace import archives_folder, jobs_folder

    root = _project_of(target)
    changes = changes_asked(resolve(start=root, keywords=keywords, assignments=assignments, environ={},
                                    defer_problems=True))
    local_origin = "--local"
    if not local and changes.values.get("local"):
        local, local_origin = True, changes.origins["local"]
    if region is None and target is not None and not (isinstance(job, str) and job.startswith("arn:")):
        region = _target_region(target)
    original = find_original(job, region=region, aws=aws, jobs=jobs_folder(root))
    request, name, entry = original.request, original.request.job_name, original.entry
    if not local and original.folder is not None:
        local, local_origin = True, "a local job"
    if target is not None and entry != f"{target.module}:{target.qualname}":
        ran = f"a run of {entry}" if entry else "not a job braketkit made"
        raise InvalidInput([Problem(f"job {name} is {ran}, not of {target.module}:{target.qualname}; rerun it "
                                    f"through its own function, or with `braketkit rerun {name}`", "job")])
    if target is not None and target.function is not None:
        encoded = encode_arguments(target.function, (), arguments or {}, RECORD_MAX_BYTES, partial=True)
    else:
        texts = {key: str(value) for key, value in (arguments or {}).items()}
        encoded = text_arguments(texts, original.call, provisional=True)  # checked once the archive is at hand
    request_with = functools.partial(rerun_request, request, reran=original.reran, changes=changes,
                                     region=original.region, local=local, local_origin=local_origin,
                                     call=original.call, record=original.record, entry=entry, legacy=original.legacy)
    new, resolved, call = request_with(arguments=encoded)
    script = request.algorithm_specification.script_mode_config
    if local and entry is None and script.compression_type != "GZIP":
        raise InvalidInput([Problem(
            f"job {name} was not made by braketkit, and its script ({script.s3_uri}) is no gzip archive "
            f"(compressionType {script.compression_type or 'NONE'}): braketkit runs such a job here only from a gzip "
            "archive; rerun it in the cloud (without --local)", "--local")])
    source = _archive_of(original, archives_folder(root), aws, local)
    if (target is None or target.function is None) and arguments and original.call is not None:
        # the CLI's text, checked against the function as its archive declares it (read, never run)
        declared = declared_parameters(module, original.call.entry.partition(":")[2]) if (
            module := _module_source(source.path, original.call)) is not None else None
        if (checked := text_arguments(texts, original.call, declared)) != encoded:
            new, resolved, call = request_with(arguments=checked)
    notes = list(original.notes)
    if not source.verified:
        notes.append(f"job {name} records no provenance (braketkit did not make it): its archive is used as S3 holds "
                     f"it now ({script.s3_uri}, sha256 {source.sha256})")
    provenance = original.provenance or Provenance(  # a job another tool made: what braketkit knows of it now
        archive_sha256=source.sha256, braketkit_version=__version__, python_version=platform.python_version())
    if provenance.git_commit is not None:  # the working tree here against the job's, as git tells
        folder = _source_folder(root, original)
        shipped, generated = _shipped(source.path, original, folder)
        now = git.start(folder).facts(shipped, generated)
        here = now.commit in (None, provenance.git_commit) or git.has_commit(folder, provenance.git_commit)
        note = tree_note(name, provenance, now, commit_here=here)
        notes += [note] if note else []
    record = rerun_record(new, resolved, changes, provenance=provenance, reran=original.reran,
                          earlier=original.record, planned_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                          call=None if original.legacy else call, entry=entry)
    archive = SourceArchive(path=source.path, sha256=source.sha256, size=source.path.stat().st_size, files=0,
                            source_bytes=0, warnings=[])
    plan = rerun_plan(new, resolved, archive=archive, region=original.region, project_root=root, local=local,
                      channels=original.channels, provenance=provenance, record=record)
    return Rerun(plan=plan, reran=original.reran, reran_name=name, notes=notes, verified=source.verified)


def _source_folder(root: Path, original: Original) -> Path:
    """The folder the job's source came from, here: its recorded ``source`` setting, when that is a folder inside
    the project (a record is a file in a bucket: one naming a folder elsewhere, whose git configuration could name
    commands, is not followed), else the project's."""
    recorded = original.record.settings.get("source") if original.record is not None else None
    if recorded is None or not isinstance(recorded.value, str) or not recorded.value:
        return root
    folder = (root / recorded.value).resolve()
    return folder if folder.is_relative_to(root.resolve()) and folder.is_dir() else root


def _shipped(archive: Path, original: Original, folder: Path) -> tuple[list[str], list[tuple[str, bytes]]]:
    """What the job's archive shipped of the project and what a plan of the tree here would (by the job's own
    include and exclude), and the modules braketkit generated into the archive: so that git's view of the tree here
    is judged by the files that make a job, as the job's was at plan (``package.git``)."""
    from .job.extract import read_members
    from .package import is_runtime_member
    from .package.capture import MODULE

    members = read_members(archive, label=f"the archive of job {original.request.job_name}", max_size=1_000_000,
                           max_kept=16_000_000)
    record = original.record
    listed = record.settings.get("dependencies") if record is not None else None
    written = {"requirements.txt"} if listed is not None and isinstance(listed.value, list) else set()
    files = {name: member for name, member in members.items() if member.kind == "file"
             and not is_runtime_member(name) and name not in written}
    generated = [(name, member.data or b"") for name, member in files.items()
                 if name.rpartition("/")[2] == f"{MODULE}.py"]
    shipped = {name for name in files if name.rpartition("/")[2] != f"{MODULE}.py"}
    patterns = {key: record.settings.get(key) for key in ("exclude", "include")} if record is not None else {}
    given = {key: setting.value for key, setting in patterns.items() if setting is not None}
    if all(isinstance(value, list) for value in given.values()) and len(given) == 2:
        from .errors import InvalidInput
        from .package.select import select_files

        with contextlib.suppress(InvalidInput, OSError):  # what a plan here would ship too: new files count
            shipped |= {file.name for file in select_files(folder, given["exclude"], given["include"])}
    return sorted(shipped), generated


_MODULE_BYTES = 16 * 1024**2
"""The most of a job's module ``rerun`` reads from its archive to check the arguments it is given."""


def _module_source(archive: Path, call: JobCall) -> str | None:
    """The source of a function job's module in its (verified) archive, read in memory; None when it is not there
    or cannot be read (then the arguments are taken as they were before such a check)."""
    from .errors import BraketkitError
    from .job.extract import read_member
    from .plan.rerun import module_member

    for name in module_member(call):
        try:
            data = read_member(archive, name, max_size=_MODULE_BYTES)
        except BraketkitError:
            return None
        if data is not None:
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                return None
    return None


def _archive_of(original: Original, cache: Path, aws: Aws | None, local: bool) -> JobSource:
    """The job's archive, verified: a cloud job's downloaded from S3 (what a cloud rerun runs is what S3 holds now;
    from the cache when run here), a local job's from the cache, where its provenance names it."""
    from .job.planned import recorded_digest
    from .job.source import fetch_source, local_source

    request = original.request
    if original.metadata is not None:
        assert original.region is not None  # a cloud job's ARN names its region
        return fetch_source(original.metadata, _gateway(aws), original.region, cache, fresh=not local)
    digest = recorded_digest(request.tags, request.algorithm_specification.script_mode_config.s3_uri)
    return local_source(cache, digest, request.job_name, "rerun")


def rerun_job(
    job: Job | str,
    arguments: Mapping[str, Any] | None = None,
    *,
    target: Target | None = None,
    assignments: Sequence[str] = (),
    keywords: Keywords = (),
    local: bool = False,
    debug: bool = False,
    echo: bool | Echo = True,
    wait: bool | None = None,
    quiet: bool = False,
    region: str | None = None,
    aws: Aws | None = None,
) -> Job:
    """Run ``job`` again (``plan_rerun``): submitted under a new name and client token, or run on this machine
    with its inputs downloaded and verified (``debug``: a post-mortem debugger at the job's exception)."""
    rerun = plan_rerun(job, arguments, target=target, assignments=assignments, keywords=keywords, local=local,
                       region=region, aws=aws)
    plan = rerun.plan
    from .terminal import on_terminal

    for note in rerun.notes:  # said even when quiet: what the rerun runs is not what the user may think
        print(on_terminal(f"note: {note}"), file=sys.stderr)
    function = target.function if target is not None else None
    if not plan.steps:
        return _rerun_here(rerun, function, None if echo is False else sys.stdout if echo is True else echo, debug,
                           aws)
    from .execute.cloud import submit
    from .job import AwsJob

    aws = _gateway(aws)
    submission = submit(plan, aws=aws, quiet=quiet)
    handle = AwsJob(submission.job_arn, name=submission.job_name, function=function, aws=aws)
    if plan.resolved.settings.wait if wait is None else wait:
        handle.wait(display=None if quiet else sys.stderr)
    return handle


def _rerun_here(rerun: Rerun, function: Any, echo: Echo | None, debug: bool, aws: Aws | None) -> Job:
    """Run the rerun's plan on this machine, a cloud job's inputs downloaded (and verified) first."""
    import tempfile

    from .execute.local import run_local
    from .job.inputs import addressed_digest, fetch_channels
    from .workspace import FOLDER, make_folder

    plan = rerun.plan
    addressed = any(addressed_digest(channel.data_source.s3_data_source.s3_uri)
                    for channel in plan.request.input_data_config or [])
    if plan.region is None or not addressed:  # a local job's inputs are in its folder; s3:// ones: run_local's
        return run_local(plan, function, echo=echo, aws=aws, debug=debug)
    aws = _gateway(aws)
    with tempfile.TemporaryDirectory(prefix="inputs-", dir=make_folder(plan.project_root / FOLDER)) as folder:
        channels = fetch_channels(plan.request, aws, plan.region, Path(folder), rerun.reran_name)
        return run_local(attrs.evolve(plan, uploads=(*plan.uploads, *channels)), function, echo=echo, aws=aws,
                         debug=debug)
