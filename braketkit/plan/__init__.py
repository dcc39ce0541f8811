"""Stage 3, plan: the exact CreateJob request and the uploads it needs.

Pure apart from reading the source tree and, unless offline, read-only AWS
lookups for the account and role through the gateway it is given (``Aws``).
The plan lists every step the submission will take in AWS (``Plan.steps``):
the executor carries out those and nothing else. The request is validated against the
service model here, so nothing invalid ever leaves the machine.
"""

from __future__ import annotations

import platform
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .. import __version__, catalog, module_source
from ..converter import RECORD_MAX_BYTES, call_digest, converter, provenance_tags, record_text
from ..errors import InvalidInput, Problem
from ..model import request as api
from ..model.provenance import (
    CALL_TAG,
    OWN_TAGS,
    OWN_TAGS_PREFIX,
    RECORD_CHANNEL,
    RECORD_NAME,
    RERUN_TAG,
    SWEEP_TAG,
    TAGS,
    JobCall,
    PlannedRecord,
    PlannedSetting,
    Provenance,
)
from ..model.steps import CopyCheckpoints, CreateJob, EnsureBucket, Step, Upload, WriteRecord
from ..package import RUNTIME_PACKAGE, InputChannel, SourceArchive, collect_channel, git, package_source
from ..package.archive import Member
from ..package.capture import MODULE as CAPTURED_MODULE
from ..package.capture import CapturedModule, capture
from ..package.secrets import in_module
from ..resolve import Resolved
from ..resolve.keys import closest, known_keys, maps
from ..resolve.planned import planned_settings
from ..resolve.pyproject import display_path
from ..runtime.contract import JOB_MODULE
from ..s3uri import split_s3_uri
from ..target import Target, own_module_hint
from ..workspace import LOCAL_JOB_PREFIX, archives_folder, make_folder
from . import lookups, service_model, spending
from .arguments import HINT as _ARGUMENT_HINT
from .arguments import encode_arguments, shown_arguments
from .jobname import default_job_name
from .spending import Spending
from .validate import SUPPLEMENTS, job_reference_problem, strings_under, validate

if TYPE_CHECKING:
    from ..aws import Aws

__all__ = ["UNRESOLVED_ACCOUNT", "UNRESOLVED_ROLE", "Plan", "SourceLayout", "Step", "Upload", "inconsistencies",
           "make_plan", "project_root_of", "source_layout"]

UNRESOLVED_ACCOUNT = "<account>"
UNRESOLVED_ROLE = "<role>"


def _steps_tuple(steps: Iterable[Step]) -> tuple[Step, ...]:
    return tuple(steps)


def _uploads_tuple(uploads: Iterable[Upload]) -> tuple[Upload, ...]:
    return tuple(uploads)


def inconsistencies(plan: Plan) -> list[str]:
    """What makes the plan show one thing and do another: its fields must say what its steps do.

    A cloud plan's steps are the truth: exactly one ``CreateJob``, last, with the plan's request; the
    ``Upload`` steps are the plan's uploads; a ``CopyCheckpoints`` step exactly when ``copy_checkpoints_from``
    says so; one ``WriteRecord`` step, after the uploads, writing the plan's record where the request's output
    goes; and every bucket an ``Upload``, ``CopyCheckpoints`` or ``WriteRecord`` writes to is made sure of by an
    ``EnsureBucket`` step before it. A local plan has no steps (nothing happens in AWS).
    """
    steps = plan.steps
    if not steps:
        return []
    found: list[str] = []
    creates = [index for index, step in enumerate(steps) if isinstance(step, CreateJob)]
    if creates != [len(steps) - 1]:
        found.append("a plan's steps end with its one CreateJob step")
    if any(isinstance(step, CreateJob) and step.request != plan.request for step in steps):
        found.append("the plan's request differs from its CreateJob step's: change both (Plan.steps)")
    if tuple(step for step in steps if isinstance(step, Upload)) != tuple(plan.uploads):
        found.append("the plan's uploads differ from its Upload steps: change both (Plan.steps)")
    copies = [step.from_job for step in steps if isinstance(step, CopyCheckpoints)]
    if copies != ([plan.copy_checkpoints_from] if plan.copy_checkpoints_from is not None else []):
        found.append("the plan's copy_checkpoints_from differs from its CopyCheckpoints step: change both "
                     "(Plan.steps)")
    records = [index for index, step in enumerate(steps) if isinstance(step, WriteRecord)]
    uploaded = [index for index, step in enumerate(steps) if isinstance(step, Upload)]
    if len(records) != 1 or (uploaded and records[0] < uploaded[-1]):
        found.append("a plan's steps write its record once, after the uploads (one WriteRecord step)")
    expected = WriteRecord(s3_uri=f"{plan.request.output_data_config.s3_path}/{RECORD_NAME}",
                           record=plan.record, client_token=plan.request.client_token)
    if any(isinstance(step, WriteRecord) and step != expected for step in steps) \
            or plan.record.job_name != plan.request.job_name:
        found.append("the plan's record differs from its WriteRecord step's, or is not where its request's output "
                     "goes: change both (Plan.steps)")
    ensured: set[str] = set()
    for step in steps:
        if isinstance(step, EnsureBucket):
            ensured.add(step.bucket)
        elif isinstance(step, (Upload, CopyCheckpoints, WriteRecord)):
            uri = step.to_uri if isinstance(step, CopyCheckpoints) else step.s3_uri
            if split_s3_uri(uri)[0] not in ensured:
                found.append(f"the step writing to {uri} comes before any EnsureBucket step for its bucket")
    return found


def _consistent(plan: Plan, _: attrs.Attribute[tuple[Step, ...]], __: tuple[Step, ...]) -> None:
    """A plan edited in one place only (``attrs.evolve(plan, request=...)``) would show one thing and do another."""
    found = inconsistencies(plan)
    if found:
        raise ValueError("; ".join(found))


@attrs.frozen(kw_only=True)
class Plan:
    """Everything a submission will do, decided before it does any of it."""

    steps: tuple[Step, ...] = attrs.field(converter=_steps_tuple, validator=_consistent)
    """What the submission does in AWS, in order (``model.steps``): the executor carries out these and nothing else.
    The other fields must agree with them (``inconsistencies``): a plan edited in one place only is refused."""
    request: api.CreateJobRequest
    """The CreateJob request, complete and validated against the service model (the ``CreateJob`` step's)."""
    uploads: tuple[Upload, ...] = attrs.field(converter=_uploads_tuple)
    """The files the submission puts in S3 (the source archive, local input channels), skipped where S3 holds them
    (the ``Upload`` steps)."""
    resolved: Resolved
    """The settings it was planned with, and where each came from (``resolved.origin("device")``)."""
    archive: SourceArchive
    """The source archive: its file on this machine, its SHA-256 and what it holds."""
    region: str | None
    """None only for a local run planned without any region configured."""
    project_root: Path
    """The folder of the project's ``pyproject.toml``: where ``.braketkit/`` lives."""
    unresolved: list[str]
    """What could not be looked up (offline, or without credentials): such a plan shows but cannot be submitted."""
    warnings: list[str]
    """What deserves a look before running: files that look like secrets, a QPU's default runtime..."""
    copy_checkpoints_from: str | None
    """The job whose checkpoints are copied in before this one is created (``checkpoint.copy_from_job``): a cloud
    plan's ``CopyCheckpoints`` step's, a local plan's earlier local job."""
    captured: CapturedModule | None = None
    """The generated module a ``__main__`` function travels in (it is inside the source archive)."""
    spending: Spending | None = None
    """The QPU's spending limit and what it leaves; None for a simulator or a local device."""
    provenance: Provenance
    """Where the job's code comes from: the archive's digest, what planned it, the source folder's git facts. The
    request's tags carry it (``model.provenance.TAGS``), and so does ``record``."""
    record: PlannedRecord
    """The job's planned record: a cloud plan's ``WriteRecord`` step writes it beside the job's outputs, a local run
    into the job's folder (``model.provenance.RECORD_NAME``)."""
    layout: SourceLayout | None = None
    """What of the project ships, and where the job imports the entry from; None for a rerun, which ships nothing."""


# Which setting produced each request member, for messages about the member.
_SETTING_OF = {
    "jobName": "job_name",
    "roleArn": "role",
    "deviceConfig.device": "device",
    "instanceConfig.instanceType": "instance.type",
    "instanceConfig.instanceCount": "instance.count",
    "instanceConfig.volumeSizeInGb": "instance.volume_gb",
    "stoppingCondition.maxRuntimeInSeconds": "stopping.max_runtime",
    "outputDataConfig.kmsKeyId": "s3.kms_key",
    "outputDataConfig.s3Path": "s3.prefix",
    "checkpointConfig.localPath": "checkpoint.local_path",
    "checkpointConfig.s3Uri": "s3.prefix",
    "algorithmSpecification.containerImage.uri": "image",
    "associations": "reservation",
    "hyperParameters": "hyperparameters",
    "tags": "tags",
}


def _s3(bucket: str, *parts: str) -> str:
    return "s3://" + "/".join([bucket, *(part.strip("/") for part in parts if part.strip("/"))])


def _region(resolved: Resolved, aws: Aws | None, environ: Mapping[str, str]) -> str:
    settings = resolved.settings
    from_device = catalog.device_region(resolved.device) if resolved.device else None
    if settings.region and from_device and settings.region != from_device:
        raise InvalidInput([Problem(
            f"the device {resolved.device} is in {from_device}, but region is {settings.region}; "
            "jobs run in their device's region, so drop region or make them agree",
            "region", resolved.origin("region"))])
    region = settings.region or from_device or (
        lookups.configured_region(aws, environ) if aws is not None else environ.get("AWS_REGION")
        or environ.get("AWS_DEFAULT_REGION"))
    if not region:
        raise InvalidInput([Problem(
            "no region: set region in [tool.braketkit], AWS_REGION, or an AWS profile's region "
            "(a QPU's device ARN names its own)", "region")])
    return region


def _image(resolved: Resolved, region: str) -> str:
    image = resolved.settings.image
    if catalog.is_image_uri(image):
        return image
    if region not in catalog.IMAGE_REGIONS:
        key = "image" if "image" in resolved.origins else "region"
        raise InvalidInput([Problem(
            f"Braket's {image} image is not offered in {region}; it is in {', '.join(catalog.IMAGE_REGIONS)} "
            "(or set image to a full ECR image URI)", key, resolved.origins.get(key))])
    return catalog.image_uri(image, region)


def _hyperparameters(prepared: Prepared, shown: dict[str, str]) -> dict[str, str]:
    """The job's hyperparameters: the settings' own, ``data_parallel``'s, and the call's as the user wrote it (a
    script's text, or a function's arguments as the Braket SDK's decorator shows them); nothing of braketkit's."""
    resolved = prepared.resolved
    settings = resolved.settings
    clashes = sorted(set(settings.hyperparameters) & set(shown))
    if clashes:
        what = "a parameter of the function" if prepared.target.function else "one of the script's arguments"
        raise InvalidInput([Problem(
            f"is also the name of {what}, which the job's hyperparameters show under its own name; rename it",
            f"hyperparameters.{name}", resolved.origin(f"hyperparameters.{name}")) for name in clashes])
    values: dict[str, str] = dict(settings.hyperparameters)
    if settings.distribution == "data_parallel":
        values |= {"sagemaker_distributed_dataparallel_enabled": "true",
                   "sagemaker_instance_type": settings.instance.type}
    return values | shown


def _call(prepared: Prepared, arguments: dict[str, str]) -> JobCall | None:
    """How the runtime calls the function in the job; None for a script, which Braket's container runs itself."""
    target = prepared.target
    if target.function is None:
        return None
    paths = [path for path in prepared.layout.import_paths if path != "."]  # the code folder comes after them
    return JobCall(entry=f"{target.module}:{target.qualname}", paths=paths, arguments=arguments,
                   result_format=prepared.resolved.settings.result_format, inputs=dict(prepared.links),
                   cwd=prepared.working_dir)


def entry_point(target: Target) -> str:
    """The request's entry point: ``braketkit_job:<function>`` for a function (braketkit's runtime calls it), the
    script's module (run as ``python -m``) or ``module:function`` (called by the container) for a script."""
    if target.function is not None:
        return f"{JOB_MODULE}:{target.qualname}"
    return f"{target.module}:{target.qualname}" if target.qualname else target.module


@attrs.frozen(kw_only=True)
class SourceLayout:
    """Where the job's code comes from on this machine, and where the job imports its entry from.

    Attributes:
        code_folder: The folder the archive's paths are relative to: in the job, the code folder (and working
            directory). The project's folder, or ``source``.
        shipped: The folder whose files the archive holds: ``code_folder`` itself, or, without a pyproject.toml,
            the folder the entry's import name starts with, as the Braket SDK ships a ``source_module`` folder
            (``qaoa/`` for ``qaoa.run``, not the whole working directory).
        import_paths: The folders of the code folder the job imports from, first wins (``.``, ``qaoa``):
            ``Target.import_roots``, relative.
    """

    code_folder: Path
    shipped: Path
    import_paths: tuple[str, ...]


def project_root_of(target: Target, resolved: Resolved) -> Path:
    """The project a target belongs to: the folder of its ``pyproject.toml``, else the folder it is imported from.
    Its ``.braketkit/`` holds the archives and the local jobs."""
    return resolved.pyproject.parent if resolved.pyproject else target.import_root


def source_layout(target: Target, resolved: Resolved) -> SourceLayout:
    """Where the target's code comes from and what of it ships (``SourceLayout``); ``InvalidInput`` when the entry
    is outside the source folder."""
    return _layout(resolved, target, project_root_of(target, resolved))


def _layout(resolved: Resolved, target: Target, project_root: Path) -> SourceLayout:
    """The project's folder (or ``source``) ships; without a pyproject.toml, the Braket SDK's rule: the folder
    that makes the entry's import work, which for a module of a folder (``qaoa.run``) is that folder alone."""
    source = resolved.settings.source
    code = (project_root / source).resolve() if source else project_root
    if not code.is_dir():
        raise InvalidInput([Problem(f"no such folder: {display_path(code)}", "source", resolved.origin("source"))])
    if not target.import_root.is_relative_to(code) or not target.file.is_relative_to(code):
        within = f", or run braketkit from {_place(code)}, naming the entry from there" \
            if target.file.is_relative_to(code) else ""
        raise InvalidInput([Problem(
            f"the entry {target.module} ({display_path(target.file)}, imported from {_place(target.import_root)}) is "
            f"outside the source folder {_place(code)}, which is all the job gets; set source to a folder holding "
            f"both{within}", "source", resolved.origins.get("source"))])
    if target.function is None and target.import_root != code:
        raise InvalidInput([Problem(
            f"the script {target.module} is imported from {_place(target.import_root)}, and Braket's container, "
            f"which runs a script's job itself, imports from the code folder alone ({_place(code)}); run braketkit "
            f"from {_place(code)}, naming the script from there, or set source to the folder it is named from",
            "source", resolved.origins.get("source"))])
    top = target.import_root / target.module.partition(".")[0]
    sdk_rule = resolved.pyproject is None and not source and not target.from_main and top.is_dir() \
        and target.file.is_relative_to(top)  # train.py beside a train/ folder is a module at the top
    shipped = target.import_root / target.ships if target.ships else top if sdk_rule else code
    return SourceLayout(code_folder=code, shipped=shipped,
                        import_paths=tuple(root.relative_to(code).as_posix() for root in target.import_roots))


def _place(folder: Path) -> str:
    """A folder for a message: from the working directory, which is named so."""
    shown = display_path(folder)
    return "the working directory" if shown == "." else shown


def _own_imports(target: Target, layout: SourceLayout, sources: Sequence[str], project_root: Path | None) -> list[str]:
    """Warnings for what the entry imports that is the user's own folder or module but not in the archive (it
    would fail in the job as a missing package): each names the folder and what to do."""
    tree = module_source.parse(target.file) if not target.from_main else None
    if tree is None:
        return []
    provided = {RUNTIME_PACKAGE, "braketkit"}  # the runtime gives the job a braketkit of its own
    for path in layout.import_paths:
        prefix = "" if path == "." else f"{path}/"
        provided |= {name[len(prefix):].partition("/")[0].removesuffix(".py") for name in sources
                     if name.startswith(prefix)}
    folders = [layout.code_folder / path for path in layout.import_paths]
    own: dict[str, Path] = {}
    for dotted in sorted(module_source.imported_modules(tree)):
        name = dotted.partition(".")[0]
        if name not in provided and name not in own and not module_source.standard_library(name) \
                and (found := module_source.user_module(dotted, folders)):
            own[name] = found
    installed = _installed() if own else {}  # asked only when needed: it reads every installed distribution
    return [f"{target.module} imports {name}; {own_module_hint(name, path, target.file, project_root)}"
            for name, path in own.items() if name not in installed]


def _installed() -> Mapping[str, list[str]]:
    """The top-level modules installed here, by the distributions giving them."""
    from importlib.metadata import packages_distributions

    return packages_distributions()


LocalInputs = dict[str, tuple[str, Path]]
"""Each local input channel's name: its location as written, and its path."""


def _local_inputs(resolved: Resolved, target: Target, project_root: Path, working_dir: Path) -> LocalInputs:
    """Where each local input channel is.

    A relative path is relative to the ``pyproject.toml`` that holds it. For a
    function from a notebook or script, one given in Python (``@hybrid_job``,
    ``.options``) or the environment is relative to the working directory, as
    ``open()`` is there.
    """
    found: LocalInputs = {}
    pyproject = f"{display_path(resolved.pyproject)}:" if resolved.pyproject else None
    for name, location in sorted(resolved.settings.input.items()):
        if location.startswith("s3://"):
            continue
        in_pyproject = pyproject is not None and resolved.origin(f"input.{name}").startswith(pyproject)
        base = working_dir if target.from_main and not in_pyproject else project_root
        found[name] = (location, (base / location).resolve())
    return found


def _channels_in_source(inputs: LocalInputs, source_root: Path) -> list[tuple[str, str, Path]]:
    """Local input channels inside the source folder: name, location as written, and path."""
    return [(name, location, path) for name, (location, path) in inputs.items()
            if path.is_relative_to(source_root) and path != source_root]


def _channel_exclusions(inputs: LocalInputs, source_root: Path) -> list[str]:
    """Local input channels inside the source folder travel as channels, not in the archive as well."""
    patterns = []
    for _, _, path in _channels_in_source(inputs, source_root):
        escaped = re.sub(r"([*?\[\]!#\\])", r"\\\1", path.relative_to(source_root).as_posix())
        patterns.append(f"/{escaped}/" if path.is_dir() else f"/{escaped}")
    return patterns


def _input_links(inputs: LocalInputs, source_root: Path) -> dict[str, str]:
    """Channels declared by a relative path are found at that path from the job's working directory too.

    ``np.load("data.npy")`` keeps working, as with the Braket SDK's decorator: the
    runtime links each path, relative to the code folder, to the channel's copy.
    """
    return {path.relative_to(source_root).as_posix(): name + (f"/{path.name}" if path.is_file() else "")
            for name, location, path in _channels_in_source(inputs, source_root)
            if not Path(location).is_absolute()}


def _channels(resolved: Resolved, inputs: LocalInputs) -> list[InputChannel | tuple[str, str]]:
    return [collect_channel(name, inputs[name][1], resolved.origin(f"input.{name}")) if name in inputs
            else (name, location) for name, location in sorted(resolved.settings.input.items())]


def _problem_for(
    path: str, message: str, resolved: Resolved, arguments: Mapping[str, str], channels: Sequence[str]
) -> Problem:
    head, _, rest = path.partition(".")
    if head == "hyperParameters" and rest in arguments:
        return Problem(message, f"argument {rest}")
    if head in ("hyperParameters", "tags") and rest:
        key = f"{'hyperparameters' if head == 'hyperParameters' else 'tags'}.{rest}"
        return Problem(message, key, resolved.origin(key))
    if head.startswith("inputDataConfig["):
        key = f"input.{channels[int(head[len('inputDataConfig['):-1])]}"
        return Problem(f"{message} (request member {path})", key, resolved.origin(key))
    if head == "inputDataConfig":
        return Problem(f"{message} (request member {path})", "input", resolved.origins.get("input"))
    setting = _SETTING_OF.get(path) or _SETTING_OF.get(head.split("[")[0])
    if setting is None:
        return Problem(message, f"request member {path}")
    origin = resolved.origins.get(setting) if setting in maps() else resolved.origin(setting)
    return Problem(f"{message} (request member {path})", setting, origin)


def _request(
    resolved: Resolved,
    job_name: str,
    bucket: str,
    role: str,
    image: str | None,
    hyperparameters: dict[str, str],
    archive: SourceArchive,
    channels: list[InputChannel | tuple[str, str]],
    tags: dict[str, str],
    entry: str,
    record_channel: bool,
) -> tuple[api.CreateJobRequest, list[Upload]]:
    """The request and its uploads; ``record_channel``: the job reads its planned record as the input channel
    ``RECORD_CHANNEL`` (a function's job: the record holds its call)."""
    settings = resolved.settings
    prefix = settings.s3.prefix
    uploads = [Upload(path=archive.path, s3_uri=_s3(bucket, prefix, "sources", archive.sha256, "source.tar.gz"),
                      size=archive.size, sha256=archive.sha256)]
    inputs = []
    for channel in channels:
        if isinstance(channel, InputChannel):
            base = _s3(bucket, prefix, "inputs", channel.digest) + "/"
            uploads += [Upload(path=file.path, s3_uri=base + file.name, size=file.size, sha256=file.sha256)
                        for file in channel.files]
            name, uri = channel.name, base
        else:
            name, uri = channel
        inputs.append(api.InputFileConfig(channel_name=name, data_source=api.DataSource(
            s3_data_source=api.S3DataSource(s3_uri=uri))))
    output = _s3(bucket, prefix, job_name)
    if record_channel:
        inputs.append(api.InputFileConfig(channel_name=RECORD_CHANNEL, data_source=api.DataSource(
            s3_data_source=api.S3DataSource(s3_uri=f"{output}/{RECORD_NAME}"))))
    request = api.CreateJobRequest(
        client_token=str(uuid.uuid4()),
        job_name=job_name,
        role_arn=role,
        algorithm_specification=api.AlgorithmSpecification(
            script_mode_config=api.ScriptModeConfig(entry_point=entry, s3_uri=uploads[0].s3_uri),
            container_image=api.ContainerImage(uri=image) if image else None,
        ),
        device_config=api.DeviceConfig(device=resolved.device or ""),
        instance_config=api.InstanceConfig(instance_type=settings.instance.type,
                                           volume_size_in_gb=settings.instance.volume_gb,
                                           instance_count=settings.instance.count),
        output_data_config=api.JobOutputDataConfig(s3_path=output,
                                                   kms_key_id=settings.s3.kms_key),
        checkpoint_config=api.JobCheckpointConfig(s3_uri=_s3(bucket, prefix, job_name, "checkpoints"),
                                                  local_path=settings.checkpoint.local_path),
        stopping_condition=api.JobStoppingCondition(max_runtime_in_seconds=settings.stopping.max_runtime),
        hyper_parameters=hyperparameters or None,
        input_data_config=inputs or None,
        tags=tags or None,
        associations=[api.Association(arn=settings.reservation)] if settings.reservation else None,
    )
    return request, uploads


def _is_placeholder(value: object) -> bool:
    return isinstance(value, str) and (UNRESOLVED_ACCOUNT in value or value == UNRESOLVED_ROLE)


def _merged(first: Sequence[Problem], later: Sequence[Problem]) -> list[Problem]:
    """One report: a later problem about a key already reported is left out (it judged a stand-in value)."""
    keys = {problem.key for problem in first if problem.key}
    return [*first, *(problem for problem in later if not problem.key or problem.key not in keys)]


def _prefix_problems(data: dict[str, Any], resolved: Resolved) -> tuple[set[str], list[Problem]]:
    """S3 locations made from the prefix that are too long: one problem for s3.prefix, not one per location."""
    root = data["outputDataConfig"]["s3Path"].rpartition("/")[0] + "/"
    longest = service_model.limit("S3Path", "max")
    over = {path: uri for path, uri in strings_under(data, root) if len(uri) > longest}
    if not over:
        return set(), []
    path, uri = max(over.items(), key=lambda item: len(item[1]))
    prefix, bucket = resolved.settings.s3.prefix, resolved.settings.s3.bucket
    with_bucket = f"the bucket {bucket}" if bucket else "the default bucket of a 12-digit account"
    message = (f"makes request member {path} {len(uri)} characters long with {with_bucket}, over the {longest} "
               f"the service accepts; shorten it to at most {len(prefix) - (len(uri) - longest)} characters")
    return set(over), [Problem(message, "s3.prefix", resolved.origin("s3.prefix"))]


def _validate(
    request: api.CreateJobRequest, resolved: Resolved, arguments: Mapping[str, str], found: Sequence[Problem] = ()
) -> None:
    """Every violation of the service model, with the problems ``found`` before it, in one report."""
    data = converter.unstructure(request)
    violations = validate(data, service_model.input_shape("CreateJob"), _is_placeholder)
    too_long, problems = _prefix_problems(data, resolved)
    names = [channel.channel_name for channel in request.input_data_config or []]
    problems += [_problem_for(path, message, resolved, arguments, names) for path, message in violations
                 if path not in too_long]
    problems += [Problem(f"the channel {name!r} names no folder a job can have its data in (the service's pattern "
                         "allows it); name the channel otherwise", "input", resolved.origins.get(f"input.{name}"))
                 for name in names if name in (".", "..")]
    if RECORD_CHANNEL in resolved.settings.input:
        problems.append(Problem(f"the channel {RECORD_CHANNEL!r} is braketkit's own: a function's job reads its "
                                "planned record from it; name the channel otherwise", f"input.{RECORD_CHANNEL}",
                                resolved.origin(f"input.{RECORD_CHANNEL}")))
    copy_from = resolved.settings.checkpoint.copy_from_job
    wrong = job_reference_problem(copy_from) if copy_from is not None else None
    if wrong is not None:
        problems.append(Problem(wrong, "checkpoint.copy_from_job", resolved.origin("checkpoint.copy_from_job")))
    if found or problems:
        raise InvalidInput(_merged(found, problems))


@attrs.frozen(kw_only=True)
class Prepared:
    """Everything about a plan that does not depend on the call's arguments: done once per sweep."""

    target: Target
    resolved: Resolved
    project_root: Path
    source_root: Path
    """The code folder: ``layout.code_folder``."""
    layout: SourceLayout
    region: str | None
    image: str | None
    archive: SourceArchive
    channels: list[InputChannel | tuple[str, str]]
    links: dict[str, str]
    offline: bool
    aws: Aws | None
    """The gateway for the account, role and spending-limit lookups; None offline and for a local run."""
    captured: CapturedModule | None
    working_dir: str | None
    """For a notebook's or script's function: the folder, relative to the code folder, the job runs in."""
    problems: list[Problem] = attrs.field(factory=list)
    """Found while preparing (and deferred by resolve): reported with the request's own, by ``plan_call``."""
    spending: Spending | None = None
    """The QPU's spending limit once a call's plan looked it up: a sweep's other calls reuse it."""
    local: bool = False
    """Planned for a run on this machine: no step in AWS."""
    provenance: Provenance
    """Where the code comes from: the same for every call of a sweep."""
    warnings: list[str] = attrs.field(factory=list)
    """About the entry and what ships of it (an import that failed here, a folder of the user's the job lacks)."""


_UNPACKAGED = SourceArchive(path=Path("unpackaged"), sha256="0" * 64, size=0, files=0, source_bytes=0, warnings=[])
"""Stands in for the archive while resolve's problems stand: the request is checked, the tree is not packaged."""


def prepare(target: Target, resolved: Resolved, *, aws: Aws | None = None, offline: bool = False,
            local: bool = False, environ: Mapping[str, str]) -> Prepared:
    """Check the device, region and image; package the source; hash the local input channels.

    ``local`` plans a run on this machine: no AWS call, and no region needed
    (the request is still validated, so what runs here is valid in the cloud).
    ``aws`` is the gateway to look up account values with (and the region of the AWS
    configuration, even offline); None makes no lookup at all, as offline.
    """
    deferred = resolved.problems  # resolve's, when it left them to be reported with the plan's
    if resolved.device is None:  # not "no device" when resolve refused the one given, or a misspelling of device
        given = resolved.settings.device is not None or any(
            problem.key and problem.key not in known_keys() and closest(problem.key) == "device"
            for problem in deferred)
        raise InvalidInput(_merged(deferred, [] if given and deferred else [Problem(
            "no device: set device = \"sv1\" (or another alias or ARN) in [tool.braketkit], "
            "@hybrid_job(device=...) or --set device=...", "device")]))
    project_root = project_root_of(target, resolved)
    try:
        layout = _layout(resolved, target, project_root)
    except InvalidInput as error:
        raise InvalidInput(_merged(deferred, error.problems)) from None
    probe = None
    if not deferred:  # git answers while the plan goes on; .braketkit/ (ignored: its .gitignore) is made first, so
        make_folder(archives_folder(project_root))  # that packaging into it cannot show git an untracked folder
        probe = git.start(layout.code_folder)
    try:
        return _prepare(target, resolved, aws=aws, offline=offline, local=local, environ=environ,
                        project_root=project_root, layout=layout, probe=probe)
    finally:
        if probe is not None:
            probe.wait()  # read once (and kept): here it reaps git when the plan failed before reading it


def _prepare(target: Target, resolved: Resolved, *, aws: Aws | None, offline: bool, local: bool,
             environ: Mapping[str, str], project_root: Path, layout: SourceLayout,
             probe: git.Probe | None) -> Prepared:
    settings = resolved.settings
    source_root = layout.code_folder
    deferred = resolved.problems
    try:
        # A __main__ function is captured now, at submission: a notebook's re-run cell counts, not the first one.
        # Its module sits where its script is (or the notebook's folder), so __file__ and sibling files are as here.
        captured = capture(target.function) if target.from_main and target.function else None
    except InvalidInput as error:
        raise InvalidInput(_merged(deferred, error.problems)) from None
    module_path = (target.file.parent / f"{CAPTURED_MODULE}.py").relative_to(source_root).as_posix()
    problems = list(deferred) + (_captured_secrets(captured, module_path) if captured else [])
    refused = {problem.key for problem in deferred}  # values resolve refused are not looked up again
    region: str | None = None
    image: str | None = None
    try:
        region = _region(resolved, aws, environ) if not refused & {"region", "device"} else None
    except InvalidInput as error:
        if not local:  # a local run needs no region
            problems = _merged(problems, error.problems)
    try:
        image = _image(resolved, region) if region and "image" not in refused else None
    except InvalidInput as error:
        problems = _merged(problems, error.problems)
    working_dir = Path.cwd()
    inputs = _local_inputs(resolved, target, project_root, working_dir)
    generated = [(module_path, captured.text.encode())] if captured else []
    archive = _UNPACKAGED
    channels: list[InputChannel | tuple[str, str]] = [(name, "s3://unpackaged/") for name in sorted(settings.input)]
    if not deferred:  # settings resolve refused stand at their defaults: packaging by them would only mislead
        try:
            archive = package_source(
                source_root, exclude=[*settings.exclude, *_channel_exclusions(inputs, source_root)],
                include=settings.include,
                within="" if layout.shipped == source_root else layout.shipped.relative_to(source_root).as_posix(),
                dependencies=settings.dependencies, dependencies_origin=resolved.origin("dependencies"),
                max_source_mb=settings.max_source_mb, max_origin=resolved.origin("max_source_mb"),
                cache=archives_folder(project_root),
                generated=[Member(name, text) for name, text in generated],
            )
            channels = _channels(resolved, inputs)
        except InvalidInput as error:
            raise InvalidInput(_merged(problems, error.problems)) from None
        if captured is not None:
            problems += _unshipped_reads(captured, archive.sources, _input_links(inputs, source_root), working_dir,
                                         source_root)
    # Clean only when the commit holds what the archive ships: its files all tracked, no module generated.
    facts = probe.facts(archive.sources, generated) if probe is not None else git.GitFacts()
    provenance = Provenance(archive_sha256=archive.sha256, braketkit_version=__version__,
                            python_version=platform.python_version(), git_commit=facts.commit,
                            git_branch=facts.branch, git_dirty=facts.dirty, git_diff_sha256=facts.diff_sha256)
    runs_in = working_dir.relative_to(source_root).as_posix() if working_dir.is_relative_to(source_root) else None
    failed_import = [f"importing {target.module} failed here ({target.import_failure}), so {target.qualname} and its "
                     "@hybrid_job settings were read from its source; the job imports it where it runs (a run with "
                     "--local needs the import to work here)"] if target.import_failure else []
    own = _own_imports(target, layout, archive.sources, resolved.pyproject.parent if resolved.pyproject else None) \
        if archive is not _UNPACKAGED else []
    return Prepared(target=target, resolved=resolved, project_root=project_root, source_root=source_root,
                    layout=layout, warnings=[*failed_import, *own],
                    region=region, image=image, archive=archive,
                    channels=channels, links=_input_links(inputs, source_root),
                    offline=offline or local or aws is None, aws=None if offline or local else aws,
                    local=local, captured=captured,
                    working_dir=runs_in if captured and runs_in != "." else None, problems=problems,
                    provenance=provenance)


def _captured_secrets(captured: CapturedModule, module: str) -> list[Problem]:
    """A secret a global or function of ``__main__`` holds would be written into the job's module as it is: named."""
    places = {value.name: value.place for value in captured.values}
    return [Problem(f"{what}, which braketkit would write into the job's module ({module}) as it is: have the job "
                    "read it where it runs, or, to ship it on purpose, define it in a module of the project that the "
                    "function uses it through (import lab_keys, then lab_keys.NAME) and name that module in include",
                    origin=origin) for origin, what in in_module(captured.text, module, places)]


def _unshipped_reads(captured: CapturedModule, sources: Sequence[str], links: Mapping[str, str], working_dir: Path,
                     source_root: Path) -> list[Problem]:
    """A file a replayed statement reads must be in the job: shipped in the archive, or input data linked at its
    relative path. The statement runs in the job's copy of the working directory, so the path is resolved as here."""
    root = source_root.resolve()
    problems = []
    for read in captured.reads:
        found = (working_dir / read.path).resolve()
        relative = found.relative_to(root).as_posix() if found.is_relative_to(root) else None
        present = relative is not None and any(
            name == relative or name.startswith(f"{relative}/") or relative.startswith(f"{name}/")
            for name in (*sources, *links))
        if present:
            continue
        cause = ("it is outside the project" if relative is None else
                 f"it is neither in the source archive (include = [\"{relative}\"] ships it) nor input data at that "
                 f"path (input = {{\"data\": \"{read.path}\"}} links it)")
        problems.append(Problem(f"{read.statement} makes {read.reason.name}, which {read.reason.used_by} uses, reading "
                                f"{read.path}, which the job will not have: {cause}", origin=read.place))
    return problems


_OWN_TAG_MEANINGS = {
    **{tag: "braketkit gives every job (its provenance)" for tag in TAGS.values()},
    SWEEP_TAG: "braketkit gives each job of a sweep (braketkit:sweep = <sweep id>)",
    RERUN_TAG: "braketkit gives a job that reruns another (braketkit:rerun-of = <its ARN>)",
}


def _own_tags(resolved: Resolved) -> list[Problem]:
    """braketkit's tags (``OWN_TAGS``) are its own: the settings' tags may neither take their names (nor any name
    starting ``braketkit:``) nor leave them too few of the tags a job may carry.

    The budget is the same for every job, whatever tags it gets (a clean tree has no diff tag, a job of no sweep no
    sweep tag): a project that plans today still plans with a dirty tree, in a sweep, or rerun.
    """
    settings_tags = resolved.settings.tags
    problems = [Problem(f"is a tag {_OWN_TAG_MEANINGS[key]}; name yours otherwise" if key in _OWN_TAG_MEANINGS
                        else f"starts with {OWN_TAGS_PREFIX!r}, which braketkit keeps for the tags it gives jobs; "
                             "name yours otherwise", f"tags.{key}", resolved.origin(f"tags.{key}"))
                for key in sorted(settings_tags) if key.startswith(OWN_TAGS_PREFIX)]
    most = SUPPLEMENTS["TagsMap"]["max"]
    allowed = most - len(OWN_TAGS)
    if len(settings_tags) > allowed:
        problems.append(Problem(
            f"has {len(settings_tags)} tags; a job carries at most {most}, and braketkit keeps {len(OWN_TAGS)} of "
            f"them for its own (provenance, sweep, rerun, call: docs/reproducibility.md), so give at most {allowed}",
            "tags", resolved.origins.get("tags")))
    return problems


def plan_call(prepared: Prepared, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None,
              tags: Mapping[str, str] | None = None) -> Plan:
    """The validated request for one call: arguments, job name and client token are its own.

    ``tags`` are braketkit's own for this job (``braketkit:sweep``, ``braketkit:rerun-of``: then the record's
    ``rerun_of`` too), added with the provenance's to the settings' tags.
    """
    target, resolved, region = prepared.target, prepared.resolved, prepared.region
    settings = resolved.settings
    problems = _merged(prepared.problems, _own_tags(resolved))
    own = {**provenance_tags(prepared.provenance, longest=SUPPLEMENTS[("TagsMap", "value")]["max"]), **(tags or {})}
    arguments: dict[str, str] = {}
    shown: dict[str, str] = {}
    try:
        if target.function is None:  # script mode: what follows `--` reaches the script as get_hyperparameters()
            shown = {name: str(value) for name, value in (kwargs or {}).items()}
        else:
            arguments = encode_arguments(target.function, args, kwargs or {}, RECORD_MAX_BYTES)
            shown = shown_arguments(target.function, args, kwargs or {}, service_model.hyperparameter_limit())
    except InvalidInput as error:
        problems = _merged(problems, error.problems)
    call = _call(prepared, arguments)
    if call is not None:
        own[CALL_TAG] = call_digest(call)
    job_name = settings.job_name or default_job_name(target.qualname or target.file.stem)
    try:
        hyperparameters = _hyperparameters(prepared, shown)
    except InvalidInput as error:
        problems, hyperparameters = _merged(problems, error.problems), dict(shown)

    def bucket(account: str | None) -> str:
        return settings.s3.bucket or f"amazon-braket-{region or 'local'}-{account or UNRESOLVED_ACCOUNT}"

    def build(account: str | None, role: str | None) -> tuple[api.CreateJobRequest, list[Upload]]:
        return _request(resolved, job_name, bucket(account), settings.role or role or UNRESOLVED_ROLE, prepared.image,
                        hyperparameters, prepared.archive, prepared.channels, {**settings.tags, **own},
                        entry_point(target), record_channel=call is not None)

    copy_from = None if prepared.local else settings.checkpoint.copy_from_job
    copy_origin = resolved.origin("checkpoint.copy_from_job")
    copy_region = lookups.job_arn_region(copy_from) if copy_from and not job_reference_problem(copy_from) else None
    if copy_from and copy_from.startswith(LOCAL_JOB_PREFIX) and not job_reference_problem(copy_from):
        problems = _merged(problems, [Problem(
            f"{copy_from} is a job run on this machine: its checkpoints are here, not in S3 where a job in the cloud "
            "starts from; name a cloud job (its ARN or name), or run this job here too", "checkpoint.copy_from_job",
            copy_origin)])
    if copy_region and region and copy_region != region:
        problems = _merged(problems, [Problem(
            f"the job {copy_from} ran in {copy_region}, but this job runs in {region}; checkpoints are copied "
            "from a job of the same region", "checkpoint.copy_from_job", copy_origin)])
    record = PlannedRecord(job_name=job_name, planned_at=_now(),
                           entry=call.entry if call is not None else entry_point(target),
                           provenance=prepared.provenance, settings=_as_run(planned_settings(resolved), prepared),
                           rerun_of=own.get(RERUN_TAG), call=call)
    if arguments and len(record_text(record).encode()) > RECORD_MAX_BYTES:  # what the job and its readers take
        largest = max(arguments, key=lambda name: len(arguments[name]))
        problems = _merged(problems, [Problem(f"makes the job's planned record, which holds the call, over "
                                              f"{RECORD_MAX_BYTES // 1000} kB; {_ARGUMENT_HINT}",
                                              f"argument {largest}")])
    # Validate first, the default bucket with the longest account ID: a bad setting stops here, before any AWS call.
    request, uploads = build(None, None)
    _validate(build(lookups.ACCOUNT_FOR_CHECKS, None)[0] if settings.s3.bucket is None else request,
              resolved, shown, problems)
    unresolved = ["offline: account-dependent values were not looked up"] if prepared.offline and not prepared.local \
        else []
    need_account, need_role = settings.s3.bucket is None, settings.role is None
    owner = None
    if region is not None and prepared.aws is not None and (need_account or need_role):
        facts = lookups.look_up(prepared.aws, region, need_account, need_role)
        unresolved += facts.notes
        owner = facts.account
        request, uploads = build(facts.account, facts.role)
        _validate(request, resolved, shown)
    earlier = None
    if copy_from is not None and region is not None and prepared.aws is not None:
        earlier = lookups.earlier_job(prepared.aws, region, copy_from, owner)
        if earlier.refusal is not None:
            raise InvalidInput([Problem(earlier.refusal, "checkpoint.copy_from_job", copy_origin)])
        unresolved += [earlier.note] if earlier.note else []
    limit = prepared.spending or spending.look_up(prepared.aws, resolved.device, region)
    # With AWS at hand a failed lookup (no braket:SearchSpendingLimits, say) is a warning, not a bar: the service
    # enforces the limit on the job's tasks all the same. Offline or without credentials it is unresolved.
    failed_lookup = prepared.aws is not None and prepared.aws.has_credentials()
    limit_note = [limit.note] if limit is not None and limit.note else []
    unresolved += [] if failed_lookup else limit_note
    steps = [] if prepared.local or region is None else _steps(
        request, uploads, bucket(owner), region, owner, copy_from, earlier.s3_uri if earlier else None, record)
    return Plan(steps=steps, request=request, uploads=uploads, resolved=resolved, archive=prepared.archive,
                region=region,
                project_root=prepared.project_root, unresolved=unresolved,
                warnings=[*prepared.warnings, *(prepared.captured.warnings if prepared.captured else []),
                          *prepared.archive.warnings,
                          *spending.runtime_warning(resolved, resolved.device), *(limit_note if failed_lookup else []),
                          *([earlier.warning] if earlier and earlier.warning else [])],
                copy_checkpoints_from=settings.checkpoint.copy_from_job, captured=prepared.captured, spending=limit,
                provenance=prepared.provenance, record=record, layout=prepared.layout)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _as_run(settings: dict[str, PlannedSetting], prepared: Prepared) -> dict[str, PlannedSetting]:
    """The settings as the job ran: a run here asked for by ``--local`` or ``.local()`` (not the ``local`` setting)
    is recorded as ``local = true``, with why."""
    if prepared.local and not prepared.resolved.settings.local:
        return {**settings, "local": PlannedSetting(value=True, origin="run here (--local, or .local())")}
    return settings


def _steps(request: api.CreateJobRequest, uploads: list[Upload], bucket: str, region: str, owner: str | None,
           copy_from_job: str | None, copy_from_uri: str | None, record: PlannedRecord) -> list[Step]:
    """What a submission of ``request`` does in AWS, in order: the bucket, the uploads, the checkpoints, the planned
    record, CreateJob.

    ``owner`` is the caller's account when the plan looked it up (the default bucket is named by it); None leaves
    it to the executor, which reads it when the bucket's step runs.
    """
    steps: list[Step] = [EnsureBucket(bucket=bucket, region=region, owner=owner), *uploads]
    if copy_from_job is not None and request.checkpoint_config is not None:
        steps.append(CopyCheckpoints(from_job=copy_from_job, to_uri=request.checkpoint_config.s3_uri,
                                     from_uri=copy_from_uri))
    steps.append(WriteRecord(s3_uri=f"{request.output_data_config.s3_path}/{RECORD_NAME}", record=record,
                             client_token=request.client_token))
    return [*steps, CreateJob(request=request)]


def make_plan(
    target: Target,
    resolved: Resolved,
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    aws: Aws | None = None,
    offline: bool = False,
    local: bool = False,
    environ: Mapping[str, str],
) -> Plan:
    """Build and validate the submission for ``target(*args, **kwargs)``; ``aws`` None looks nothing up."""
    return plan_call(prepare(target, resolved, aws=aws, offline=offline, local=local, environ=environ), args, kwargs)
