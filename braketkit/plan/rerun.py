"""Stage 3 for a rerun: a new request from the one a job was created with, changed only where asked.

A rerun runs the job's own archive (the same script URI: nothing is packaged, nothing uploaded) with its
own inputs and hyperparameters. What may change is what leaves the code and the data as they were: the
device, the instances, the runtime, the role, the reservation, the image, tags, hyperparameters, the call's
arguments, the name, the KMS key and the checkpoint folder (``CHANGEABLE``). The rest is refused with one
message: a job with other code, inputs or dependencies is a new job (``braketkit run``).

Pure: the job's description (GetJob's answer, structured into the request's classes) comes in, a
validated request and its plan go out; fetching the archive, downloading inputs and submitting are the
pipeline's, the job stage's and the executor's.
"""

from __future__ import annotations

import ast
import difflib
import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .. import catalog
from ..converter import call_digest, converter
from ..errors import InvalidInput, Problem, shown
from ..model import request as api
from ..model.provenance import (
    CALL_TAG,
    OWN_TAGS_PREFIX,
    RECORD_CHANNEL,
    RECORD_NAME,
    RERUN_TAG,
    SWEEP_TAG,
    JobCall,
    PlannedRecord,
    Provenance,
)
from ..model.settings import S3, Checkpoint, Instance, Settings, Stopping
from ..model.steps import CreateJob, EnsureBucket, Step, Upload, WriteRecord
from ..package import SourceArchive
from ..package.git import GitFacts
from ..resolve import Resolved, leaves
from ..resolve.keys import maps
from ..resolve.planned import planned_settings
from ..s3uri import split_s3_uri
from . import Plan, _validate, service_model
from .arguments import shown_text
from .jobname import default_job_name
from .legacy import LEGACY_HYPERPARAMETERS, legacy_hyperparameters

__all__ = ["CHANGEABLE", "HOW", "OVERRIDE_ORIGINS", "Changes", "Declared", "Rerun", "changes_asked",
           "declared_parameters", "module_member", "original_request", "own_hyperparameters", "rerun_plan",
           "rerun_record", "rerun_request", "text_arguments", "tree_note"]

CHANGEABLE = ("device", "instance.*", "stopping.max_runtime", "role", "reservation", "image", "tags.*",
              "hyperparameters.*", "job_name", "s3.kms_key", "checkpoint.local_path")
"""The settings of a job a rerun may change (``--set``, ``.options``); ``*``: any field of a table or entry of a map."""

HOW = ("devices.*", "wait", "local")
"""Settings a rerun takes too, which change no setting of the job: ``devices.*`` only name devices for ``device``;
``wait`` and ``local`` say how the rerun is carried out."""

OVERRIDE_ORIGINS = ("--set", "options() in ")
"""How the origin of a setting a rerun was asked to change begins: the command line's, or ``.options(...)``'s."""

_TIMESTAMPED = re.compile(r"-\d{8}-\d{6}-\d{3}-[0-9a-z]{3}\Z")
"""The tail ``default_job_name`` gives a name: taken off the original's name before a fresh one is added."""



@attrs.frozen(kw_only=True)
class Changes:
    """The settings a rerun was asked to change, by flat key (``instance.count``, ``tags.team``).

    Attributes:
        values: Each one's value, read as ``run --set`` reads it (durations in seconds, ``device`` expanded
            through the aliases).
        origins: Where each was asked for (``--set device``, ``options() in train.py:12``).
    """

    values: dict[str, Any] = attrs.field(factory=dict)
    origins: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Rerun:
    """A rerun, planned: what will run, and what the user should know before it does.

    Attributes:
        plan: The plan: its request is the new job's; its steps create it in AWS (none for a local rerun).
        reran: The job it reruns: its ARN, or a local job's name.
        reran_name: That job's name.
        notes: What to tell the user first (no provenance recorded, the working tree changed since).
        verified: Whether the archive's bytes are the ones the job records (a digest); False only for a job not
            made by braketkit.
    """

    plan: Plan
    reran: str
    reran_name: str
    notes: list[str]
    verified: bool


def _changeable(key: str) -> bool:
    head, dot, _ = key.partition(".")
    return any(key in group or (bool(dot) and f"{head}.*" in group) for group in (CHANGEABLE, HOW))


def _refused(key: str, origin: str) -> Problem:
    return Problem(f"a rerun runs the job's own archive and inputs as they were, so it cannot change {key}; "
                   f"`braketkit run` (or calling the function) makes a new job with it changed. A rerun may change "
                   f"{', '.join(CHANGEABLE)}", key, origin)


def changes_asked(resolved: Resolved) -> Changes:
    """The settings ``resolved`` was given by ``--set`` or ``.options`` (``OVERRIDE_ORIGINS``), as a rerun's changes.

    Problems resolve found in them, and any key a rerun cannot change, raise ``InvalidInput``, all at once;
    the project's own settings (pyproject.toml) are not looked at, only its device aliases used.
    """
    given = {key: origin for key, origin in resolved.origins.items()
             if origin.startswith(OVERRIDE_ORIGINS) and key not in maps()}
    refused = {key for key in given if not _changeable(key)}
    problems = [problem for problem in resolved.problems if problem.origin is not None
                and problem.origin.startswith(OVERRIDE_ORIGINS) and problem.key not in refused]
    problems += [_refused(key, given[key]) for key in sorted(refused)]
    if problems:
        raise InvalidInput(problems)
    flat = leaves(resolved.settings)
    values = {key: resolved.device if key == "device" else flat.get(key) for key in given
              if not key.startswith("devices.")}
    return Changes(values=values, origins={key: given[key] for key in values})


def original_request(metadata: Mapping[str, Any]) -> api.CreateJobRequest:
    """The request a job was created with, from GetJob's answer (whose members are CreateJob's, but the token)."""
    members = service_model.shapes()[service_model.input_shape("CreateJob")]["members"]
    data = {name: metadata[name] for name in members if name in metadata and name != "clientToken"}
    name = str(metadata.get("jobName", "?"))
    if not ((data.get("algorithmSpecification") or {}).get("scriptModeConfig") or {}).get("s3Uri"):
        raise InvalidInput([Problem(f"job {name} has no script (its container image runs its own code), so it has no "
                                    "archive to rerun; braketkit reruns jobs that run a script", "JOB")])
    try:
        request: api.CreateJobRequest = converter.structure({**data, "clientToken": "reran"}, api.CreateJobRequest)
    except Exception as error:  # cattrs raises many kinds: each means GetJob described it in a way not foreseen
        raise InvalidInput([Problem(f"braketkit cannot read GetJob's description of job {name}: {error}",
                                    "JOB")]) from error
    script = data.get("algorithmSpecification", {}).get("scriptModeConfig", {})
    if "compressionType" not in script:  # the service's default, not the request class's
        request = attrs.evolve(request, algorithm_specification=attrs.evolve(
            request.algorithm_specification, script_mode_config=attrs.evolve(
                request.algorithm_specification.script_mode_config, compression_type=None)))
    return request


def own_hyperparameters(request: api.CreateJobRequest, call: JobCall | None, record: PlannedRecord | None,
                        legacy: bool) -> set[str]:
    """The job's hyperparameters that are not its call's: the settings' own (and ``data_parallel``'s). A script's
    are all its own; a function's show its parameters too (a braketkit 0.1 job's: its arguments and its own
    ``braketkit_*``), told apart by the record's settings."""
    before = request.hyper_parameters or {}
    if call is None:
        return set(before)
    if legacy:
        return set(before) - set(call.arguments) - set(LEGACY_HYPERPARAMETERS.values())
    settings = record.settings if record is not None else {}
    return {name for name in before if f"hyperparameters.{name}" in settings or name.startswith("sagemaker_")}


@attrs.frozen(kw_only=True)
class Declared:
    """A function's parameters as its source declares them, read with ``ast`` (the module is never imported).

    Attributes:
        function: Its qualified name, as messages name it.
        names: The parameters a keyword can give, in order.
        types: Those annotated ``int``, ``float``, ``bool`` or ``str`` (or one of them or None), by name.
        any_keyword: Whether it takes ``**kwargs``: then any name is an argument.
    """

    function: str
    names: list[str]
    types: dict[str, str]
    any_keyword: bool


_PLAIN = ("int", "float", "bool", "str")
"""The annotations whose values ``rerun``'s text is checked against and encoded as; the rest keep JSON-else-text."""


def module_member(call: JobCall | None) -> list[str]:
    """Where a function job's module may be in its archive (its import folders first, then the archive's root, as
    the job's imports look), a module file before a package's ``__init__.py``; none for other jobs."""
    if call is None:
        return []
    module = call.entry.partition(":")[0].replace(".", "/")
    folders = [*(path.strip("/") for path in call.paths if path.strip("/") not in ("", ".")), ""]
    return [f"{folder}/{name}".lstrip("/") for folder in folders for name in (f"{module}.py", f"{module}/__init__.py")]


def _plain(annotation: ast.expr | None) -> str | None:
    """``int`` for ``int``, ``Optional[int]``, ``int | None``, ``"int"`` and the like; None for any other."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(annotation, ast.Name):
        return annotation.id if annotation.id in _PLAIN else None
    members: list[ast.expr] = []
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        members = [annotation.left, annotation.right]
    elif isinstance(annotation, ast.Subscript):
        head = annotation.value
        name = head.id if isinstance(head, ast.Name) else head.attr if isinstance(head, ast.Attribute) else ""
        inner = annotation.slice
        if name == "Optional":
            members = [inner, ast.Constant(value=None)]
        elif name == "Union" and isinstance(inner, ast.Tuple):
            members = list(inner.elts)
    rest = [member for member in members if not (isinstance(member, ast.Constant) and member.value is None)]
    return _plain(rest[0]) if len(members) == 2 and len(rest) == 1 else None


def declared_parameters(source: str, qualname: str) -> Declared | None:
    """The parameters of ``qualname`` (``train``, ``Model.fit``) in a module's ``source``, or None when the source
    does not parse or does not define it at its top level (or in a class there)."""
    try:
        body: list[ast.stmt] = ast.parse(source).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found: ast.stmt | None = None
    for part in qualname.split("."):
        found = None
        for statement in body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and statement.name == part:
                found = statement  # the last definition: the one the module is left with
        if found is None:
            return None
        body = found.body
    if not isinstance(found, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    given = [*found.args.args, *found.args.kwonlyargs]
    types = {argument.arg: kind for argument in given if (kind := _plain(argument.annotation))}
    return Declared(function=qualname, names=[argument.arg for argument in given], types=types,
                    any_keyword=found.args.kwarg is not None)


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON a job's argument can hold")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise OverflowError(text)
    return value


def _not_finite(text: str) -> bool:
    """Whether ``text`` reads as a number JSON cannot hold (``1e999``, ``nan``, ``-inf``)."""
    try:
        return not math.isfinite(float(text))
    except ValueError:
        return False


_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


def _typed(text: str, kind: str) -> Any:
    """``text`` as a value of the plain type ``kind``; ValueError saying what it is not."""
    if kind == "str":
        return text
    if kind == "bool":
        if text.strip().lower() in (*_TRUE, *_FALSE):
            return text.strip().lower() in _TRUE
        raise ValueError("is not true or false")
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise ValueError("is not an integer") from None
    try:
        return _finite(text)
    except OverflowError:
        raise ValueError("is not a finite number (JSON, which a job's arguments are, holds no infinity or NaN)") \
            from None
    except ValueError:
        raise ValueError("is not a number") from None


def _infinite(text: str, name: str) -> Problem:
    return Problem(f"{shown(text)} holds a number a job's argument cannot: it is JSON, which holds no infinity or NaN",
                   f"argument {name}")


def _declared_problems(names: Sequence[str], declared: Declared) -> list[Problem]:
    if declared.any_keyword:
        return []
    takes = ", ".join(f"--{name}" for name in declared.names) or "no arguments"
    problems = []
    for name in names:
        if name in declared.names:
            continue
        close = difflib.get_close_matches(name, declared.names, n=1, cutoff=0.6)
        hint = f"did you mean --{close[0]}? " if close else ""
        problems.append(Problem(f"{declared.function} has no parameter {name}; {hint}it takes {takes}",
                                f"argument {name}"))
    return problems


def text_arguments(texts: Mapping[str, str], call: JobCall | None, declared: Declared | None = None, *,
                   provisional: bool = False) -> dict[str, str]:
    """``--NAME VALUE`` of ``braketkit rerun`` as the hyperparameters the job reads.

    A function's argument (``--learning-rate`` for ``learning_rate``) is JSON. With the function's ``declared``
    parameters (read from the job's archive), a name it does not take is refused, and a parameter annotated
    ``int``, ``float``, ``bool`` or ``str`` (or one of those or None) gets its text checked and encoded as that
    type. Otherwise the value is typed as the job's own value was: where that was a JSON string the new value is
    the text as a string; else the text read as JSON, failing that as a string. A number JSON cannot hold
    (``1e999``, ``nan``, ``inf``) is refused but for a ``str`` parameter. A script's (or another tool's job's)
    hyperparameter is the text itself, as ``run`` gives scripts. Problems raise ``InvalidInput``, all at once;
    ``provisional``: a first reading, before the archive is at hand, that refuses nothing a declaration may allow.
    """
    if call is None:
        return dict(texts)
    before = call.arguments
    named = {option: option.replace("-", "_") for option in texts}  # --learning-rate: as run's options spell them
    problems = _declared_problems(list(named.values()), declared) if declared is not None else []
    encoded: dict[str, str] = {}
    for option, text in texts.items():
        name = named[option]
        kind = declared.types.get(name) if declared is not None else None
        value: Any = text
        if kind is not None:
            try:
                value = _typed(text, kind)
            except ValueError as error:
                assert declared is not None
                problems.append(Problem(f"{shown(text)} {error}, which {declared.function}'s {name} ({kind}) takes",
                                        f"argument {name}"))
                continue
        else:
            try:
                was_text = isinstance(json.loads(before[name]), str) if name in before else False
            except ValueError:
                was_text = False
            if not was_text and _not_finite(text):
                if not provisional:
                    problems.append(_infinite(text, name))
                continue
            if not was_text:
                try:
                    value = json.loads(text, parse_constant=_no_constant)
                except ValueError:
                    value = text
        try:
            encoded[name] = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except ValueError:  # inside JSON: [1e999]
            problems.append(_infinite(text, name))
    if problems:
        raise InvalidInput(problems)
    return encoded


def _argument_problems(arguments: Mapping[str, str], request: api.CreateJobRequest, call: JobCall | None,
                       record: PlannedRecord | None, legacy: bool) -> list[Problem]:
    if call is None:
        return []
    problems = [Problem("is a name braketkit's own hyperparameters use; pass it under another name",
                        f"argument {name}") for name in sorted(set(arguments) & set(LEGACY_HYPERPARAMETERS.values()))
                if legacy]
    problems += [Problem(f"is one of the job's hyperparameters, not an argument of its function; change it with "
                         f"--set hyperparameters.{name}=VALUE", f"argument {name}")
                 for name in sorted(set(arguments) & own_hyperparameters(request, call, record, legacy))]
    return problems


def _renamed(uri: str, old: str, new: str) -> str:
    """``uri`` with its last path segment naming ``old`` renamed ``new``; without one, ``new`` added below it."""
    bucket, key = split_s3_uri(uri)
    parts = key.rstrip("/").split("/") if key.strip("/") else []
    for index in reversed(range(len(parts))):
        if parts[index] == old:
            parts[index] = new
            return "s3://" + "/".join([bucket, *parts])
    return "s3://" + "/".join([bucket, *parts, new])


def _fresh_name(request: api.CreateJobRequest, entry: str | None) -> str:
    """The name a rerun gets unless given one: as ``run`` names a job of the same function (or script)."""
    if entry:
        module, _, qualname = entry.partition(":")
        return default_job_name(qualname or module)
    return default_job_name(_TIMESTAMPED.sub("", request.job_name))


def _setting_problems(changes: Changes, request: api.CreateJobRequest, region: str | None, local: bool,
                      call: JobCall | None, record: PlannedRecord | None, legacy: bool) -> list[Problem]:
    values, origins = changes.values, changes.origins
    before = request.hyper_parameters or {}
    parameters = set(before) - own_hyperparameters(request, call, record, legacy) if not legacy else set(
        call.arguments if call is not None else ())
    problems = []
    for key in sorted(values):
        head, _, name = key.partition(".")
        if head == "tags" and name.startswith(OWN_TAGS_PREFIX):
            problems.append(Problem("is a tag braketkit gives jobs itself (provenance, sweeps, reruns); name "
                                    "yours otherwise", key, origins[key]))
        if head == "hyperparameters" and legacy and name in LEGACY_HYPERPARAMETERS.values():
            problems.append(Problem("is one of braketkit's own hyperparameters, which a rerun keeps", key,
                                    origins[key]))
        elif head == "hyperparameters" and call is not None and name in parameters:
            function = call.entry.partition(":")[2].rpartition(".")[2]
            problems.append(Problem(f"is an argument of the job's function; give it as --{name} VALUE "
                                    f"({function}.rerun(job, {name}=...))", key, origins[key]))
    device = values.get("device")
    if isinstance(device, str) and not local:
        if device.startswith("local:"):
            problems.append(Problem(f"{device} is a simulator inside the job; a cloud job's device is a Braket "
                                    "device (or rerun it here with --local)", "device", origins["device"]))
        elif region and (where := catalog.device_region(device)) and where != region:
            problems.append(Problem(f"the device {device} is in {where}, but the job ran in {region}, where its "
                                    "archive and outputs are; a rerun runs in the job's region", "device",
                                    origins["device"]))
    image = values.get("image")
    if isinstance(image, str) and not local and not catalog.is_image_uri(image) and (
            region not in catalog.IMAGE_REGIONS):
        problems.append(Problem(f"Braket's {image} image is not offered in {region}; it is in "
                                f"{', '.join(catalog.IMAGE_REGIONS)} (or give a full ECR image URI)", "image",
                                origins["image"]))
    return problems


def _hyperparameters(request: api.CreateJobRequest, changes: Changes, arguments: Mapping[str, str],
                     call: JobCall | None, legacy: bool) -> dict[str, str]:
    """The rerun's hyperparameters: the job's, with the settings' changed and the arguments' (a script's as text; a
    function's shown as the Braket SDK's decorator shows them; a braketkit 0.1 job's as its runtime reads them)."""
    values = dict(request.hyper_parameters or {})
    values |= {key.partition(".")[2]: str(value) for key, value in changes.values.items()
               if key.startswith("hyperparameters.")}
    if "instance.type" in changes.values and "sagemaker_instance_type" in values:  # data_parallel names it
        values["sagemaker_instance_type"] = str(changes.values["instance.type"])
    if call is None:
        return values | dict(arguments)
    if legacy:
        return legacy_hyperparameters(attrs.evolve(call, arguments=call.arguments | dict(arguments)), values)
    longest = service_model.hyperparameter_limit()
    return values | {name: text for name, value in arguments.items() if (text := shown_text(json.loads(value),
                                                                                            longest))}


def _tags(request: api.CreateJobRequest, changes: Changes, reran: str, call: JobCall | None) -> dict[str, str]:
    """The job's tags (its provenance among them: the same archive) but a sweep's, the changes, ``rerun-of``, and
    the new call's digest (a function's job)."""
    tags = {key: value for key, value in (request.tags or {}).items() if key not in (SWEEP_TAG, RERUN_TAG, CALL_TAG)}
    tags |= {key.partition(".")[2]: str(value) for key, value in changes.values.items() if key.startswith("tags.")}
    return tags | {RERUN_TAG: reran} | ({CALL_TAG: call_digest(call)} if call is not None else {})


def _changed(request: api.CreateJobRequest, changes: Changes, *, reran: str, job_name: str, region: str | None,
             arguments: Mapping[str, str], call: JobCall | None, new_call: JobCall | None,
             legacy: bool) -> api.CreateJobRequest:
    values = changes.values
    instance = request.instance_config
    algorithm = request.algorithm_specification
    image = values.get("image")
    if isinstance(image, str):
        uri = image if catalog.is_image_uri(image) or region is None else catalog.image_uri(image, region)
        algorithm = attrs.evolve(algorithm, container_image=api.ContainerImage(uri=uri))
    associations = request.associations
    if "reservation" in values:
        reservation = values["reservation"]
        associations = [api.Association(arn=reservation)] if reservation else None  # "": none
    checkpoint = request.checkpoint_config
    if checkpoint is not None:
        checkpoint = api.JobCheckpointConfig(s3_uri=_renamed(checkpoint.s3_uri, request.job_name, job_name),
                                             local_path=values.get("checkpoint.local_path", checkpoint.local_path))
    stopping = request.stopping_condition
    if "stopping.max_runtime" in values:
        stopping = api.JobStoppingCondition(max_runtime_in_seconds=int(values["stopping.max_runtime"]))
    output = request.output_data_config
    channels = request.input_data_config
    if channels is not None:  # the record's channel names the rerun's own record
        channels = [attrs.evolve(channel, data_source=api.DataSource(s3_data_source=api.S3DataSource(
            s3_uri=_renamed(channel.data_source.s3_data_source.s3_uri, request.job_name, job_name))))
            if channel.channel_name == RECORD_CHANNEL and new_call is not None else channel for channel in channels]
    return attrs.evolve(
        request,
        client_token=str(uuid.uuid4()),
        job_name=job_name,
        role_arn=values.get("role", request.role_arn),
        algorithm_specification=algorithm,
        device_config=api.DeviceConfig(device=values.get("device", request.device_config.device)),
        instance_config=api.InstanceConfig(
            instance_type=values.get("instance.type", instance.instance_type),
            volume_size_in_gb=values.get("instance.volume_gb", instance.volume_size_in_gb),
            instance_count=values.get("instance.count", instance.instance_count)),
        output_data_config=api.JobOutputDataConfig(s3_path=_renamed(output.s3_path, request.job_name, job_name),
                                                   kms_key_id=values.get("s3.kms_key", output.kms_key_id)),
        checkpoint_config=checkpoint,
        stopping_condition=stopping,
        hyper_parameters=_hyperparameters(request, changes, arguments, call, legacy) or None,
        input_data_config=channels,
        tags=_tags(request, changes, reran, new_call),
        associations=associations,
    )


def _resolved(request: api.CreateJobRequest, changes: Changes, *, reran_name: str, region: str | None,
              local: bool, named: bool, local_origin: str, own: set[str]) -> Resolved:
    """The rerun's settings as a plan shows them: each as the new request has it, from the job unless changed
    (``own``: the hyperparameters that are settings, not the call's)."""
    hyperparameters = request.hyper_parameters or {}
    hidden = set(hyperparameters) - own - {key.partition(".")[2] for key in changes.values
                                           if key.startswith("hyperparameters.")}
    bucket, key = split_s3_uri(request.output_data_config.s3_path)
    image = request.algorithm_specification.container_image
    checkpoint = request.checkpoint_config
    stopping = request.stopping_condition
    settings = Settings(
        device=request.device_config.device, region=region, role=request.role_arn,
        image=image.uri if image is not None else Settings().image, job_name=request.job_name,
        hyperparameters={name: value for name, value in hyperparameters.items() if name not in hidden},
        tags={name: value for name, value in (request.tags or {}).items() if not name.startswith(OWN_TAGS_PREFIX)},
        reservation=request.associations[0].arn if request.associations else None,
        local=local, wait=bool(changes.values.get("wait", False)),
        instance=Instance(type=request.instance_config.instance_type,
                          count=request.instance_config.instance_count or 1,
                          volume_gb=request.instance_config.volume_size_in_gb),
        stopping=Stopping(max_runtime=stopping.max_runtime_in_seconds) if stopping and
        stopping.max_runtime_in_seconds is not None else Stopping(),
        s3=S3(bucket=bucket, prefix=key.rpartition("/")[0] or "/", kms_key=request.output_data_config.kms_key_id),
        checkpoint=Checkpoint(local_path=checkpoint.local_path) if checkpoint and checkpoint.local_path else
        Checkpoint())
    from_job = f"job {reran_name}"
    derived = {"device", "region", "role", "image", "reservation", "instance.type", "instance.count",
               "instance.volume_gb", "stopping.max_runtime", "s3.bucket", "s3.prefix", "s3.kms_key",
               "checkpoint.local_path", *(f"hyperparameters.{name}" for name in settings.hyperparameters),
               *(f"tags.{name}" for name in settings.tags)}
    origins = {key: from_job for key in derived}
    origins["job_name"] = "default" if not named else changes.origins.get("job_name", "default")
    if local:
        origins["local"] = local_origin
    origins |= changes.origins
    return Resolved(settings=settings, origins=origins, profile=None, pyproject=None, device=settings.device)


def rerun_request(original: api.CreateJobRequest, *, reran: str, changes: Changes,
                  arguments: Mapping[str, str], region: str | None, local: bool = False,
                  local_origin: str = "--local", call: JobCall | None = None, record: PlannedRecord | None = None,
                  entry: str | None = None, legacy: bool = False,
                  ) -> tuple[api.CreateJobRequest, Resolved, JobCall | None]:
    """The rerun's request, validated against the service model, its settings as a plan shows them, and its call.

    ``reran`` is the original's ARN (a local job's name): the new job's ``braketkit:rerun-of`` tag.
    ``arguments`` are the changed arguments' text already (``text_arguments``, or the function's
    ``encode_arguments``); ``call`` the job's (None for a script's, whose arguments are its hyperparameters), and
    ``record`` its planned record; ``legacy``: a braketkit 0.1 job, whose call is in its hyperparameters.
    ``local_origin`` says why a local rerun runs here (``--local``, ``a local job``).
    Refused, all at once: an argument that is a setting's hyperparameter (or a braketkit 0.1 job's own name), a tag
    or hyperparameter braketkit keeps, a device in another region or a local device for the cloud, and whatever the
    service model refuses.
    """
    problems = [*_argument_problems(arguments, original, call, record, legacy),
                *_setting_problems(changes, original, region, local, call, record, legacy)]
    if problems:
        raise InvalidInput(problems)
    named = "job_name" in changes.values and changes.values["job_name"]
    job_name = str(changes.values["job_name"]) if named else _fresh_name(original, entry)
    new_call = attrs.evolve(call, arguments=call.arguments | dict(arguments)) if call is not None else None
    request = _changed(original, changes, reran=reran, job_name=job_name, region=region, arguments=arguments,
                       call=call, new_call=None if legacy else new_call, legacy=legacy)
    own = own_hyperparameters(original, call, record, legacy)
    resolved = _resolved(request, changes, reran_name=original.job_name, region=region, local=local,
                         named=bool(named), local_origin=local_origin, own=own)
    _validate(request, resolved, arguments)
    return request, resolved, new_call


def rerun_record(request: api.CreateJobRequest, resolved: Resolved, changes: Changes, *, provenance: Provenance,
                 reran: str, earlier: PlannedRecord | None, planned_at: str, call: JobCall | None,
                 entry: str | None) -> PlannedRecord:
    """The rerun's planned record: its provenance is the job's (the same archive), and its settings the job's
    record's as they were planned, with their origins, but for those the rerun changed and ``local`` when it runs
    here; its name is kept as planned unless changed, so that a job and its unchanged rerun record the same
    settings. A job without a record gets the settings of its request."""
    fresh = planned_settings(resolved)
    settings = dict(fresh)
    if earlier is not None:  # job_name as the job planned it unless changed: the new name is the job's own
        settings = dict(earlier.settings)
        settings |= {key: fresh[key] for key in changes.origins if key in fresh}
    if resolved.settings.local:  # a local rerun, as said and why (--local, a local job)
        settings["local"] = fresh["local"]
    return PlannedRecord(job_name=request.job_name, planned_at=planned_at, entry=entry or "",
                         provenance=provenance, settings=dict(sorted(settings.items())), rerun_of=reran, call=call)


def rerun_plan(request: api.CreateJobRequest, resolved: Resolved, *, archive: SourceArchive, region: str | None,
               project_root: Path, provenance: Provenance, record: PlannedRecord, local: bool = False,
               channels: Sequence[Upload] = (), warnings: Iterable[str] = ()) -> Plan:
    """The plan of a rerun. For the cloud: the output bucket made sure of (the job's own: it exists, and must be
    the caller's), the record written beside the new job's outputs, and CreateJob; S3 holds the archive and the
    inputs already, so no upload. For this machine: no step, with the archive and the input files at hand
    (``channels``: a local file for each object of a channel, at its S3 URI)."""
    uploads: list[Upload] = []
    steps: list[Step] = []
    output = request.output_data_config.s3_path
    if local:
        script = request.algorithm_specification.script_mode_config.s3_uri
        uploads = [Upload(path=archive.path, s3_uri=script, size=archive.size, sha256=archive.sha256), *channels]
    elif region is not None:
        steps = [EnsureBucket(bucket=split_s3_uri(output)[0], region=region, owner=None),
                 WriteRecord(s3_uri=f"{output}/{RECORD_NAME}", record=record, client_token=request.client_token),
                 CreateJob(request=request)]
    return Plan(steps=steps, request=request, uploads=uploads, resolved=resolved, archive=archive, region=region,
                project_root=project_root, unresolved=[], warnings=list(warnings), copy_checkpoints_from=None,
                provenance=provenance, record=record)


def tree_note(job: str, planned: Provenance, now: GitFacts, commit_here: bool = True) -> str | None:
    """What changed in the working tree since ``job`` was planned, as git tells (``planned``'s git facts against
    ``now``'s), or None: nothing did, or git cannot tell on one side.

    ``commit_here``: whether the repository here holds the job's commit. When it does not (another repository, or a
    commit never fetched here), comparing the trees would compare unrelated code: the note says only that.
    """
    if planned.git_commit is None or now.commit is None:
        return None
    if now.commit != planned.git_commit and not commit_here:
        return (f"job {job} was planned at commit {planned.git_commit[:7]}, which the repository here does not "
                f"hold (another repository, or a commit not fetched here): its tree is not compared with this "
                f"one; the rerun runs the job's own archive (sha256 {planned.archive_sha256})")
    changed = []
    if now.commit != planned.git_commit:
        changed.append(f"commit {planned.git_commit[:7]} → {now.commit[:7]}")
    if now.dirty and (not planned.git_dirty or now.diff_sha256 != planned.git_diff_sha256):
        changed.append("other uncommitted changes than it had" if planned.git_dirty else "uncommitted changes")
    elif now.dirty is False and planned.git_dirty:
        changed.append("the uncommitted changes it had are gone")
    if not changed:
        return None
    return (f"the working tree has changed since job {job} was planned ({'; '.join(changed)}); the rerun runs the "
            f"job's own archive (sha256 {planned.archive_sha256})")
