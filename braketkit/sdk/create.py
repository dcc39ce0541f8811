"""``AwsQuantumJob.create`` and ``LocalQuantumJob.create``: the Braket SDK's script jobs, on braketkit's engine.

``source_module`` is a script or a folder of them, ``entry_point`` the module (run as ``python -m``) or
``module:function`` (called with the hyperparameters) Braket's container runs: what ships and what runs are the
SDK's (the file alone, or the folder as ``folder/...``), and the job is an ordinary script job, its hyperparameters
exactly the ones given. braketkit plans it (every setting with its origin, validated against the service model),
ships the source content-addressed, submits it idempotently, and runs it here without Docker for ``local``.
"""

from __future__ import annotations

import sys
from logging import Logger
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..decorator import called_from
from ..errors import InvalidInput, Problem, show_plainly_when_uncaught
from ..places import MAIN_MODULES
from .keywords import gateway, origin_of, sdk_settings, session_settings

if TYPE_CHECKING:
    from ..job import Job

__all__ = ["create"]

def _code_location(value: str) -> dict[str, Any]:
    """``code_location``: braketkit keeps sources content-addressed, ``s3://<bucket>/<prefix>/sources/<sha256>/``, so
    its bucket and prefix are what it says."""
    from ..s3uri import split_s3_uri

    if not value.startswith("s3://"):
        raise InvalidInput([Problem(f"{value!r} is no s3:// URI", "code_location")])
    bucket, prefix = split_s3_uri(value)
    return {"s3": {"bucket": bucket, "prefix": prefix.strip("/") or "/"}}


def create(*, local: bool, device: str, source_module: str, entry_point: str | None = None,
           image_uri: str | None = None, job_name: str | None = None, code_location: str | None = None,
           role_arn: str | None = None, wait_until_complete: bool = False,
           hyperparameters: dict[str, Any] | None = None, input_data: Any = None, instance_config: Any = None,
           distribution: str | None = None, stopping_condition: Any = None, output_data_config: Any = None,
           copy_checkpoints_from_job: str | None = None, checkpoint_config: Any = None, aws_session: Any = None,
           tags: dict[str, str] | None = None, logger: Logger | None = None, quiet: bool = False,
           reservation_arn: str | None = None) -> tuple[Job[Any], bool]:
    """Create a script job as the Braket SDK's ``AwsQuantumJob.create`` (``local``: ``LocalQuantumJob.create``)
    does, with its keywords and their meanings; see ``braketkit.sdk.hybrid_job`` for those they share. Returns the
    job braketkit made, and whether to wait for it (``wait_until_complete``, or the ``wait`` setting).

    ``source_module`` (a file or folder, relative to the working directory) ships alone: a file as itself, a folder
    as ``folder/...``. ``entry_point`` is ``folder.module`` or ``folder.module:function`` (default: the file's or
    folder's name). ``hyperparameters`` become the job's, each as its ``str``. ``code_location`` names the bucket
    and prefix braketkit keeps sources under (content-addressed: ``<prefix>/sources/<sha256>/``).
    """
    from ..pipeline import resolve_target, run_target
    from ..target import source_module_target

    caller = sys._getframe(3)  # past AwsQuantumJob.create and checked_call
    if caller.f_globals.get("__name__") in MAIN_MODULES:
        show_plainly_when_uncaught()
    where = f"{'LocalQuantumJob' if local else 'AwsQuantumJob'}.create in {called_from(caller)}"
    given = {name: value for name, value in {
        "device": device, "job_name": job_name, "image_uri": image_uri, "role_arn": role_arn,
        "wait_until_complete": wait_until_complete or None, "input_data": input_data,
        "instance_config": instance_config, "distribution": distribution, "stopping_condition": stopping_condition,
        "output_data_config": output_data_config, "copy_checkpoints_from_job": copy_checkpoints_from_job,
        "checkpoint_config": checkpoint_config, "tags": tags, "reservation_arn": reservation_arn}.items()
        if value is not None or name == "device"}
    sources = list(sdk_settings(given, where))
    if code_location is not None:
        try:
            sources.append((_code_location(code_location), origin_of("code_location", where)))
        except InvalidInput as error:
            raise InvalidInput([Problem(problem.message, problem.key, origin_of("code_location", where))
                                for problem in error.problems]) from None
    if aws_session is not None and (bucket := session_settings(aws_session)):
        sources.append((bucket, origin_of("aws_session", where)))
    if local:
        sources.append(({"local": True}, f"LocalQuantumJob.create in {called_from(caller)}"))
    target = source_module_target(source_module, entry_point, Path.cwd(), keywords=tuple(sources),
                                  origin=origin_of("source_module", where))
    texts = {str(name): str(value) for name, value in (hyperparameters or {}).items()}
    job = run_target(target, (), texts, aws=gateway(aws_session), quiet=quiet, wait=False,
                     warn=logger.warning if logger is not None else None)
    return job, resolve_target(target).settings.wait
