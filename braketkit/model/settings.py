"""The settings vocabulary, one attrs class per ``[tool.braketkit]`` table.

The same names are used in TOML, decorator keywords, ``BRAKETKIT_*`` variables
and ``--set``. Defaults here are the lowest layer of the precedence order.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, Literal, NewType, SupportsIndex, TypedDict, TypeVar, cast

import attrs

__all__ = [
    "S3",
    "Checkpoint",
    "CheckpointTable",
    "Instance",
    "InstanceTable",
    "ParameterText",
    "ParameterValue",
    "S3Table",
    "Seconds",
    "Settings",
    "Stopping",
    "StoppingTable",
    "SweepLimits",
    "SweepTable",
    "given_fields",
    "parameter_text",
]

Seconds = NewType("Seconds", int)
"""A duration: an integer number of seconds, or a string such as ``"2h"`` or ``"1h30m"``."""

ParameterText = NewType("ParameterText", str)
"""A hyperparameter value: written as a string, number or boolean, sent as a string."""

ParameterValue = str | int | float | bool
"""What a hyperparameter may be written as (``ParameterText`` is what it becomes)."""

_T = TypeVar("_T")


def _same(value: _T) -> _T:
    return value


def _track_given(cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """Every default becomes a factory, so that ``__attrs_pre_init__`` sees ``NOTHING`` for a field not given."""
    return [field if isinstance(field.default, attrs.Factory) or field.default is attrs.NOTHING  # type: ignore[arg-type,unused-ignore]
            else field.evolve(default=attrs.Factory(functools.partial(_same, field.default)))
            for field in fields]


_G = TypeVar("_G", bound="_Given")


def _rebuilt(cls: type[_G], values: dict[str, Any], given: frozenset[str] | None) -> _G:
    """A settings object as ``_Given.__reduce_ex__`` saw it, built without its constructor (it is already read)."""
    made = cls.__new__(cls)
    for name, value in values.items():
        object.__setattr__(made, name, value)
    object.__setattr__(made, "_given", given)
    return made


class _ClassProperty:
    """A read-only attribute computed from the class it is read on."""

    def __init__(self, compute: Callable[[Any], Any]) -> None:
        self.compute = compute

    def __get__(self, instance: object, owner: type) -> Any:
        return self.compute(owner)


@functools.cache
def _signature_of_defaults(cls: type) -> inspect.Signature | None:
    """The constructor's signature with each field's real default, for ``help()`` and IPython: attrs shows
    ``NOTHING`` for a factory, and ``_track_given`` makes every default one. None for a class attrs did not make."""
    if not attrs.has(cls):
        return None
    defaults = {}
    for field in attrs.fields(cls):
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type,unused-ignore]
            default = default.factory()  # _same(value) for a plain default, or a fresh list, dict or table
        defaults[field.alias] = default
    signature = inspect.signature(vars(cls)["__init__"])
    parameters = [parameter.replace(default=defaults.get(name, parameter.default))
                  for name, parameter in list(signature.parameters.items())[1:]]  # without self
    return signature.replace(parameters=parameters)


class _Given:
    """Remembers which fields the constructor was given, so that ``Settings(wait=False)`` overrides
    ``wait = true`` from pyproject.toml while ``Settings()`` overrides nothing (``given_fields``).

    Equality ignores it (``Settings(wait=False) == Settings()``); copies and pickles keep it;
    ``attrs.evolve`` gives every field. ``help()`` and IPython see the fields' real defaults.
    """

    __slots__ = ("_given",)

    def __attrs_pre_init__(self, **values: Any) -> None:
        object.__setattr__(self, "_given", frozenset(name for name, value in values.items()
                                                     if value is not attrs.NOTHING))

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        """copy, deepcopy and pickle: the fields and the record of those given (attrs' own state has the fields
        alone)."""
        values = {field.name: getattr(self, field.name) for field in attrs.fields(cast(Any, type(self)))}
        return _rebuilt, (type(self), values, given_fields(self))

    __signature__ = _ClassProperty(_signature_of_defaults)  # what inspect.signature(cls) reads first


def given_fields(value: Any) -> frozenset[str] | None:
    """The fields a settings object was constructed with; None for an object that does not know."""
    return getattr(value, "_given", None)


def parameter_text(value: object) -> ParameterText:
    """A hyperparameter as it is sent: text, ``true``/``false`` for a boolean. The rule the converter reads
    ``ParameterText`` by; TypeError for what is none of a string, number or boolean."""
    if isinstance(value, bool):
        return ParameterText("true" if value else "false")
    if isinstance(value, (str, int, float)):
        return ParameterText(str(value))
    raise TypeError(f"expected a string, number or boolean, got {type(value).__name__}")


def _seconds(value: int | str) -> Seconds:
    """A duration as ``Stopping`` is given it, read by the one duration grammar (the converter's too).

    What it cannot read stays as given, for resolve to report with the key and where it came from.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return Seconds(value)
    if isinstance(value, str):
        from ..duration import parse_duration  # the grammar alone: the model stays below the converter

        try:
            return Seconds(parse_duration(value))
        except ValueError:
            pass
    return cast(Seconds, value)


def _copied(value: _T) -> _T:
    """A list or map as given, copied, so that a settings object does not change when the caller's list or dict
    does later; anything else stays as given, for resolve to report."""
    if isinstance(value, list):
        return cast(_T, list(value))
    if isinstance(value, Mapping):
        return cast(_T, dict(value))
    return value


def _strings(value: list[str]) -> list[str]:
    """A list of strings as given, copied (``_copied``)."""
    return _copied(value)


def _text_map(value: Mapping[str, str]) -> dict[str, str]:
    """A map of strings as given, copied into a dict (``_copied``)."""
    return cast("dict[str, str]", _copied(value))


def _requirements(value: str | list[str] | None) -> str | list[str] | None:
    """A requirements file's name, or a list of requirements copied (``_copied``)."""
    return _copied(value)


def _parameter_texts(value: Mapping[str, ParameterValue]) -> dict[str, ParameterText]:
    """Hyperparameters as ``Settings`` is given them (numbers, booleans, text), read by ``parameter_text``; a map
    it cannot read stays as given (a copy), for resolve to report."""
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        return cast("dict[str, ParameterText]", _copied(value))
    try:
        return {key: parameter_text(item) for key, item in value.items()}
    except (TypeError, ValueError):  # ValueError: an int with more digits than Python writes as text
        return cast("dict[str, ParameterText]", _copied(value))


@attrs.frozen(kw_only=True, field_transformer=_track_given)
class Instance(_Given):
    """Where the job's classical code runs (``instanceConfig``).

    Attributes:
        type: The instance type, one of the service model's (``ml.m5.large``, ``ml.c5.xlarge``...); a
            bigger one for heavy classical work, a GPU type for simulators that use one.
        count: How many instances; more than one for distributed (``data_parallel``) jobs.
        volume_gb: Storage attached to each instance, in GB: room for input data, checkpoints and results.
    """

    type: str = "ml.m5.large"
    count: int = 1
    volume_gb: int = 30


@attrs.frozen(kw_only=True, field_transformer=_track_given)
class Stopping(_Given):
    """When the service stops the job (``stoppingCondition``).

    Attributes:
        max_runtime: The longest the job may run, in seconds or as a duration (``"45s"``, ``"90m"``,
            ``"2h"``, ``"1h30m"``, ``"2d"``); the instances bill until then at most, so a QPU job that may
            hang deserves less than the default five days.
    """

    max_runtime: Seconds = attrs.field(default=Seconds(432000), converter=_seconds)


@attrs.frozen(kw_only=True, field_transformer=_track_given)
class S3(_Given):
    """Where job artefacts go (``outputDataConfig`` and braketkit's uploads).

    Attributes:
        bucket: The bucket for sources, inputs, outputs and checkpoints; default
            ``amazon-braket-<region>-<account>``, created (public access blocked) when missing. Every S3
            call names the caller's account as its owner, so a bucket of another account is refused.
        prefix: The key prefix under which braketkit puts everything it writes.
        kms_key: A KMS key (ID, ARN, alias name or alias ARN) the service encrypts the job's output with.
    """

    bucket: str | None = None
    prefix: str = "jobs"
    kms_key: str | None = None


@attrs.frozen(kw_only=True, field_transformer=_track_given)
class Checkpoint(_Given):
    """Checkpoint settings (``checkpointConfig``).

    Attributes:
        local_path: Where the job finds and writes its checkpoints (``AMZN_BRAKET_CHECKPOINT_DIR``);
            synchronised with S3 by the service.
        copy_from_job: A job (ARN or name) whose checkpoints are copied in before this one starts, to
            resume where it stopped.
    """

    local_path: str = "/opt/jobs/checkpoints"
    copy_from_job: str | None = None


@attrs.frozen(kw_only=True, field_transformer=_track_given)
class SweepLimits(_Given):
    """The service's CreateJob limits that submissions keep to, and how a sweep waits for the job quota.

    Every CreateJob braketkit sends from one process, in a sweep or not, is paced by ``rate`` and
    ``burst``. Each field's ``metadata`` bounds it: the parser and the JSON Schema read them. The bounds keep
    out what no one means (a rate of 1e-320 a second overflows the wait between calls, a poll of a year
    never looks again); nan and the infinities are refused too.

    Attributes:
        rate: Amazon Braket's CreateJob rate, in calls a second (1 by default; 0.001 to 1000000).
        burst: How many CreateJob calls the service takes at once before the rate applies (5; 1 to 10000).
        poll: Seconds between checks of a sweep's unfinished jobs while it waits for the quota of
            concurrent jobs to free up (10; 0.01 to 86400, a day).
    """

    rate: float = attrs.field(default=1.0, metadata={"minimum": 0.001, "maximum": 1_000_000})
    burst: int = attrs.field(default=5, metadata={"minimum": 1, "maximum": 10_000})
    poll: float = attrs.field(default=10.0, metadata={"minimum": 0.01, "maximum": 86_400})


@attrs.frozen(kw_only=True, field_transformer=_track_given)
class Settings(_Given):
    """Everything ``[tool.braketkit]`` can say, with braketkit's built-in defaults.

    Pass one to ``@hybrid_job`` or ``.options`` to share settings between functions; each field is
    described with its rules in docs/settings.md. An object sets the fields its constructor was given,
    a default too (``Settings(wait=False)`` overrides ``wait = true`` in pyproject.toml), and no other.

    Attributes:
        device: Where the job's quantum tasks go: an alias (``sv1``, ``dm1``, ``tn1``, ``local``, or one of
            ``devices``), a device ARN, or ``local:<provider>/<name>`` for a simulator inside the job.
        region: The AWS region; default: the device ARN's, else the AWS configuration's. A QPU's region
            must agree with its ARN.
        role: The IAM role the job runs as; default: the account's ``AmazonBraketJobsExecutionRole*``.
        image: The container: ``base``, ``pytorch``, ``tensorflow``, ``cudaq``, or a full ECR image URI.
        job_name: The job's name; default: the function's name, the UTC time and a short sequence, so
            that names never collide.
        source: The folder to package, relative to ``pyproject.toml``; default: its folder.
        include: gitignore patterns that re-include files otherwise left out.
        exclude: gitignore patterns of files not to ship.
        dependencies: A requirements file, or a list of requirement strings, installed in the container.
        hyperparameters: Extra hyperparameters for the job (strings, numbers or booleans, sent as text),
            beside the call's arguments.
        tags: AWS tags on the job.
        reservation: A Braket reservation's ARN, to run in reserved QPU time.
        distribution: ``"data_parallel"`` for the distributed-training hyperparameters Braket reads.
        wait: Whether a call waits for the job to end before returning its handle.
        local: Whether calls run on this machine instead of Amazon Braket (a profile is its natural home).
        result_format: ``"plaintext"`` (JSON) or ``"pickled_v4"`` for values JSON cannot hold; reading
            pickles back runs code, so it needs ``allow_pickle=True``.
        max_source_mb: The largest source tree packaged before the plan stops (a warning from 50 MB):
            data belongs in ``input``. From 1 to 53687091, the largest object S3 holds.
        instance: The instances the job's classical code runs on.
        stopping: When the service stops the job.
        s3: Where the job's files go in S3.
        checkpoint: Where checkpoints live, and a job to resume from.
        sweep: The service's CreateJob rate and burst that submissions keep to, and how often a sweep
            checks its jobs while it waits for the quota of concurrent jobs.
        input: Input channels: name to a local path (uploaded) or an ``s3://`` URI (passed through);
            the job finds each under ``$AMZN_BRAKET_INPUT_DIR/<name>/``.
        devices: The project's own device aliases: name to device ARN.
    """

    device: str | None = None
    region: str | None = None
    role: str | None = None
    image: str = "base"
    job_name: str | None = None
    source: str | None = None
    include: list[str] = attrs.field(factory=list, converter=_strings)
    exclude: list[str] = attrs.field(factory=list, converter=_strings)
    dependencies: str | list[str] | None = attrs.field(default=None, converter=_requirements)
    hyperparameters: dict[str, ParameterText] = attrs.field(factory=dict, converter=_parameter_texts)
    tags: dict[str, str] = attrs.field(factory=dict, converter=_text_map)
    reservation: str | None = None
    distribution: Literal["data_parallel"] | None = None
    wait: bool = False
    local: bool = False
    result_format: Literal["plaintext", "pickled_v4"] = "plaintext"
    max_source_mb: int = attrs.field(default=500, metadata={  # in MB of 10**6 bytes: S3's largest object, 10000
        "minimum": 1, "maximum": 53_687_091,                    # parts of 5 GiB (tests hold it to s3transfer's)
        "reason": "the source archive is one S3 object, at most 10000 parts of 5 GiB"})
    instance: Instance = attrs.field(factory=Instance)
    stopping: Stopping = attrs.field(factory=Stopping)
    s3: S3 = attrs.field(factory=S3)
    checkpoint: Checkpoint = attrs.field(factory=Checkpoint)
    sweep: SweepLimits = attrs.field(factory=SweepLimits)
    input: dict[str, str] = attrs.field(factory=dict, converter=_text_map)
    devices: dict[str, str] = attrs.field(factory=dict, converter=_text_map)


# The tables written as dicts, as the decorator takes them (``stopping={"max_runtime": "2h"}``): the same fields,
# each as its class's constructor accepts it (tests/test_typing.py keeps them equal).


class InstanceTable(TypedDict, total=False):
    """``Instance`` as a dict."""

    type: str
    count: int
    volume_gb: int


class StoppingTable(TypedDict, total=False):
    """``Stopping`` as a dict."""

    max_runtime: int | str


class S3Table(TypedDict, total=False):
    """``S3`` as a dict."""

    bucket: str | None
    prefix: str
    kms_key: str | None


class CheckpointTable(TypedDict, total=False):
    """``Checkpoint`` as a dict."""

    local_path: str
    copy_from_job: str | None


class SweepTable(TypedDict, total=False):
    """``SweepLimits`` as a dict."""

    rate: float
    burst: int
    poll: float


class SettingsKeywords(TypedDict, total=False):
    """Every setting as a keyword of ``@hybrid_job`` and ``.options``: each ``Settings`` field, taking what the
    field takes (tables also as dicts, ``instance`` also as its type's name), and the profile to use.
    tests/test_typing.py keeps it equal to ``Settings``."""

    device: str | None
    region: str | None
    role: str | None
    image: str
    job_name: str | None
    source: str | None
    include: list[str]
    exclude: list[str]
    dependencies: str | list[str] | None
    hyperparameters: Mapping[str, ParameterValue]
    tags: Mapping[str, str]
    reservation: str | None
    distribution: Literal["data_parallel"] | None
    wait: bool
    local: bool
    result_format: Literal["plaintext", "pickled_v4"]
    max_source_mb: int
    instance: Instance | InstanceTable | str
    stopping: Stopping | StoppingTable
    s3: S3 | S3Table
    checkpoint: Checkpoint | CheckpointTable
    sweep: SweepLimits | SweepTable
    input: Mapping[str, str]
    devices: Mapping[str, str]
    profile: str
