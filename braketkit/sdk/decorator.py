"""``braketkit.sdk.hybrid_job``: the Braket SDK's decorator, its every keyword, on braketkit's engine.

A notebook written for the SDK changes its import line and nothing else: ``@hybrid_job(device=None,
input_data="data.npy", instance_config=InstanceConfig(instanceType="ml.m5.xlarge"), data_format="pickle")``
plans, ships source (no pickle: any Python from 3.10 on), submits idempotently and reads results safely, as
braketkit's own decorator does, and calling the function gives the SDK's ``AwsQuantumJob`` (``LocalQuantumJob``
with ``local=True``). Decorating has no side effect: the SDK checks the Python version against AWS here; braketkit
needs no such check, and reads and sends nothing until the function is called.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterable
from logging import Logger, getLogger
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, ParamSpec, TypeVar

import attrs

from ..decorator import HybridJob, called_from, job_of, refused
from ..errors import InvalidInput, Problem
from ..resolve import Keywords
from ..resolve.sources import keyword_problems
from .jobs import AwsQuantumJob, LocalQuantumJob, sdk_job
from .keywords import checked_call, gateway, origin_of, sdk_settings, session_settings

__all__ = ["SdkHybridJob", "hybrid_job"]

P = ParamSpec("P")
R = TypeVar("R")

_DEFAULT_LOGGER = getLogger("braket.jobs.hybrid_job")
"""The SDK's default ``logger``: one given other than it receives braketkit's warnings."""


@attrs.frozen(kw_only=True)
class _How:
    """How a call of the job is carried out, from the SDK keywords that are not settings."""

    aws_session: Any = None
    logger: Logger | None = None
    quiet: bool = False
    include_modules: tuple[str | ModuleType, ...] = ()
    where: str = ""


class SdkHybridJob(HybridJob[P, R], Generic[P, R]):
    """A function decorated with ``braketkit.sdk.hybrid_job``: calling it gives the SDK's job object.

    ``.local``, ``.plan``, ``.map``, ``.options`` and ``.rerun`` are braketkit's, with braketkit's handles.
    """

    def __init__(self, function: Callable[P, R], keywords: Keywords, how: _How) -> None:
        super().__init__(function, keywords)
        self.how = how

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> AwsQuantumJob | LocalQuantumJob:  # type: ignore[override]
        """Create the job, as the SDK's decorated function does: an ``AwsQuantumJob``, or with ``local=True`` a
        ``LocalQuantumJob`` once it has run here; ``wait_until_complete`` prints its log until it ends."""
        from ..pipeline import resolve_target, run_target

        target = self._runnable_target()
        if self.how.include_modules:
            target = attrs.evolve(target, keywords=(*target.keywords, *_module_includes(target, self.how)))
        warn = self.how.logger.warning if self.how.logger is not None else None
        job = run_target(target, args, kwargs, aws=gateway(self.how.aws_session), quiet=self.how.quiet, wait=False,
                         warn=warn)
        return sdk_job(job, wait=resolve_target(target).settings.wait, quiet=self.how.quiet)


def _module_includes(target: Any, how: _How) -> list[tuple[dict[str, Any], str]]:
    """``include_modules`` as braketkit's ``include`` patterns: each module's file or folder, which must be inside
    the folder braketkit ships (the SDK pickles such modules by value; braketkit ships their source)."""
    from ..pipeline import resolve_target
    from ..plan import source_layout

    root = source_layout(target, resolve_target(target)).code_folder.resolve()
    origin = origin_of("include_modules", how.where)
    patterns, problems = [], []
    for module in how.include_modules:
        name = module.__name__ if isinstance(module, ModuleType) else str(module)
        place = _module_place(module)
        if place is None:
            problems.append(Problem(f"no module {name!r} can be found here", "include_modules", origin))
        elif not place.is_relative_to(root):
            problems.append(Problem(
                f"the module {name} is at {place}, outside the folder braketkit ships ({root}); braketkit ships "
                "source, not pickles: move the module into that folder, or set source to a folder holding both",
                "include_modules", origin))
        else:
            relative = place.relative_to(root).as_posix()
            patterns.append(f"/{relative}/" if place.is_dir() else f"/{relative}")
    if problems:
        raise InvalidInput(problems)
    return [({"include": patterns}, origin)] if patterns else []


def _module_place(module: str | ModuleType) -> Path | None:
    """A module's file, or a package's folder, found without importing it (a module object: where it came from)."""
    if isinstance(module, ModuleType):
        folders = list(getattr(module, "__path__", []))
        file = getattr(module, "__file__", None)
    else:
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            return None
        if spec is None:
            return None
        folders = list(spec.submodule_search_locations or [])
        file = spec.origin if spec.has_location else None
    if folders:
        return Path(folders[0]).resolve()
    return Path(file).resolve() if file else None


def _modules(value: str | ModuleType | Iterable[str | ModuleType] | None) -> tuple[str | ModuleType, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, ModuleType)):
        return (value,)
    return tuple(value)


@checked_call("@hybrid_job")
def hybrid_job(
    *,
    device: str | None,
    include_modules: str | ModuleType | Iterable[str | ModuleType] | None = None,
    dependencies: str | Path | list[str] | None = None,
    local: bool = False,
    job_name: str | None = None,
    image_uri: str | None = None,
    input_data: str | dict[str, Any] | Any | None = None,
    wait_until_complete: bool = False,
    instance_config: Any = None,
    distribution: str | None = None,
    copy_checkpoints_from_job: str | None = None,
    checkpoint_config: Any = None,
    role_arn: str | None = None,
    stopping_condition: Any = None,
    output_data_config: Any = None,
    aws_session: Any = None,
    tags: dict[str, str] | None = None,
    logger: Logger = _DEFAULT_LOGGER,
    quiet: bool | None = None,
    reservation_arn: str | None = None,
    data_format: Any = "plaintext",
) -> Callable[[Callable[P, R]], SdkHybridJob[P, R]]:
    """The Braket SDK's ``hybrid_job``, keyword for keyword: decorate an entry function; calling it creates the job.

    Every keyword means what it means to the SDK, and becomes a braketkit setting whose origin names it
    (``instance_config (SDK keyword) in train.py:12``): ``device`` (``None``: ``local:none/none``),
    ``dependencies``, ``local`` (a run on this machine, without Docker), ``job_name``, ``image_uri``,
    ``input_data`` (a path or URI: the channel ``input``; a dict of channels; an ``S3DataSourceConfig``),
    ``wait_until_complete``, ``instance_config``, ``distribution``, ``copy_checkpoints_from_job``,
    ``checkpoint_config`` (its ``localPath``), ``role_arn``, ``stopping_condition``, ``output_data_config`` (its
    ``s3Path`` as the bucket and prefix of the job's folder, its ``kmsKeyId``), ``tags``, ``reservation_arn`` and
    ``data_format`` (``"pickle"``: ``result_format = "pickled_v4"``). ``include_modules`` names modules whose
    source must travel: they must be inside the folder braketkit ships. ``aws_session`` is the AWS session calls
    go through (and its ``default_bucket`` the bucket); ``logger`` receives braketkit's warnings; ``quiet`` says
    less. The SDK's configuration objects are read by their fields: the SDK is not imported for them.

    Args:
        device: The device ARN, an alias (``sv1``), ``local:<provider>/<name>``, a ``Devices`` member, or None.
        include_modules: Modules (or their names) whose source the job needs.
        dependencies: A requirements file, or a list of requirements.
        local: Run the job on this machine.
        job_name: The job's name; default: the function's name and a timestamp.
        image_uri: The container image.
        input_data: Input channels.
        wait_until_complete: Print the job's log until it ends.
        instance_config: The instances (``InstanceConfig``).
        distribution: ``"data_parallel"``.
        copy_checkpoints_from_job: A job whose checkpoints this one starts from.
        checkpoint_config: Where checkpoints are (``CheckpointConfig``).
        role_arn: The IAM role the job runs as.
        stopping_condition: The longest the job may run (``StoppingCondition``).
        output_data_config: Where outputs go (``OutputDataConfig``).
        aws_session: The SDK's ``AwsSession`` to call AWS through.
        tags: The job's tags.
        logger: Where braketkit's warnings go.
        quiet: Say less.
        reservation_arn: A Braket Direct reservation to run in.
        data_format: How results are stored: ``"plaintext"`` or ``"pickle"``.
    """
    caller = sys._getframe(2)  # past checked_call's frame
    where = f"@hybrid_job in {called_from(caller)}"
    defaults = {"include_modules": None, "dependencies": None, "local": False, "job_name": None, "image_uri": None,
                "input_data": None, "wait_until_complete": False, "instance_config": None, "distribution": None,
                "copy_checkpoints_from_job": None, "checkpoint_config": None, "role_arn": None,
                "stopping_condition": None, "output_data_config": None, "tags": None, "reservation_arn": None,
                "data_format": "plaintext"}
    values = {"device": device, "include_modules": include_modules, "dependencies": dependencies, "local": local,
              "job_name": job_name, "image_uri": image_uri, "input_data": input_data,
              "wait_until_complete": wait_until_complete, "instance_config": instance_config,
              "distribution": distribution, "copy_checkpoints_from_job": copy_checkpoints_from_job,
              "checkpoint_config": checkpoint_config, "role_arn": role_arn, "stopping_condition": stopping_condition,
              "output_data_config": output_data_config, "tags": tags, "reservation_arn": reservation_arn,
              "data_format": data_format}
    given = {name: value for name, value in values.items() if name == "device" or value != defaults[name]}
    try:
        sources = sdk_settings(given, where)
        if aws_session is not None and (bucket := session_settings(aws_session)):
            sources = (*sources, (bucket, origin_of("aws_session", where)))
        gateway(aws_session)  # an AwsSession, or refused now
    except InvalidInput as error:
        raise refused(error.problems, caller) from None
    problems = [problem for source, origin in sources for problem in keyword_problems(source, origin)]
    if problems:
        raise refused(problems, caller)
    how = _How(aws_session=aws_session, logger=None if logger is _DEFAULT_LOGGER else logger, quiet=bool(quiet),
               include_modules=_modules(include_modules), where=where)

    def decorate(function: Callable[P, R]) -> SdkHybridJob[P, R]:
        def make(function: Callable[P, R], keywords: Keywords) -> SdkHybridJob[P, R]:
            return SdkHybridJob(function, keywords, how)

        return job_of(function, sources, sys._getframe(1), make=make)  # type: ignore[return-value]

    return decorate
