"""The Braket SDK's keywords and objects as braketkit's settings, each with the keyword it came from.

``instance_config=InstanceConfig(instanceType="ml.m5.xlarge")`` becomes ``instance.type``, whose origin reads
``instance_config (SDK keyword) in train.py:12``: ``plan`` and ``config show`` say where every value came from, as
for braketkit's own keywords. The SDK's objects are read by their fields (``instanceType``, ``maxRuntimeInSeconds``,
...), never by importing the SDK: a notebook that does not use them does not load it.
"""

from __future__ import annotations

import difflib
import enum
import functools
import inspect
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from ..decorator import called_from, refused
from ..errors import InvalidInput, Problem
from ..s3uri import split_s3_uri

if TYPE_CHECKING:
    from ..aws import Aws

__all__ = ["DEFAULT_CHANNEL", "NONE_DEVICE", "SDK_KEYWORD", "checked_call", "gateway", "origin_of", "result_format",
           "sdk_settings", "session_settings", "text_of"]

SDK_KEYWORD = "(SDK keyword)"
"""What the origin of a setting says after the SDK keyword it came from."""
NONE_DEVICE = "local:none/none"
"""``device=None``, as the Braket SDK reads it: an embedded simulator of no name, for a job that needs no device."""
DEFAULT_CHANNEL = "input"
"""The channel ``input_data`` given as one path or URI gets, as in the Braket SDK."""

_UNSET = object()
P = ParamSpec("P")
T = TypeVar("T")


def checked_call(label: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """The SDK's entry point ``label`` (``@hybrid_job``), refusing a call that does not fit its signature as braketkit
    refuses bad input (one message, where the call is, a "did you mean"; ``error: ...`` and exit 2 from a script)
    rather than with Python's ``TypeError``. The signature ``inspect`` and type checkers see stays the SDK's.

    The function it wraps is one frame further from its caller: ``sys._getframe(2)`` there is the caller's."""

    def check(function: Callable[P, T]) -> Callable[P, T]:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def checked(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                signature.bind(*args, **kwargs)
            except TypeError as error:
                caller = sys._getframe(1)
                raise refused(_misfit(signature, kwargs, str(error), label, called_from(caller)), caller) from None
            return function(*args, **kwargs)

        return checked

    return check


def _misfit(signature: inspect.Signature, kwargs: Mapping[str, Any], reason: str, label: str,
            place: str) -> list[Problem]:
    """What is wrong with a call of the SDK's ``signature``: each keyword it does not take (with the one meant),
    else Python's reason (a missing ``device``)."""
    where = f"{label} in {place}"
    names = [name for name in signature.parameters if name not in ("cls", "self")]
    unknown = [name for name in kwargs if name not in signature.parameters]
    if not unknown:
        return [Problem(f"the call does not fit the Braket SDK's {label}: {reason}", None, where)]
    problems = []
    for name in unknown:
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"it takes {', '.join(names)}"
        problems.append(Problem(f"not a keyword of the Braket SDK's {label}; {hint}", name, where))
    return problems


def origin_of(keyword: str, where: str) -> str:
    """Where a setting from an SDK keyword came from: ``instance_config (SDK keyword) of @hybrid_job in x.py:12``."""
    return f"{keyword} {SDK_KEYWORD} of {where}"


def text_of(value: Any) -> Any:
    """A ``str`` enum member (``Devices.Amazon.SV1``) as its value; anything else as it is."""
    return value.value if isinstance(value, enum.Enum) and isinstance(value.value, str) else value


def _fields(value: Any, keyword: str, names: Iterable[str], what: str) -> dict[str, Any]:
    """The fields of an SDK configuration object (or a dict with its field names) that are set."""
    found = {}
    for name in names:
        field = value.get(name, _UNSET) if isinstance(value, Mapping) else getattr(value, name, _UNSET)
        if field is not _UNSET and field is not None:
            found[name] = field
    if not found and not isinstance(value, Mapping) and not any(hasattr(value, name) for name in names):
        raise InvalidInput([Problem(f"expected {what}, got {type(value).__name__}", keyword)])
    return found


def _device(value: Any) -> dict[str, Any]:
    return {"device": NONE_DEVICE if value is None else text_of(value)}


def _instance(value: Any) -> dict[str, Any]:
    fields = _fields(value, "instance_config", ("instanceType", "instanceCount", "volumeSizeInGb"),
                     "an InstanceConfig (instanceType, instanceCount, volumeSizeInGb)")
    names = {"instanceType": "type", "instanceCount": "count", "volumeSizeInGb": "volume_gb"}
    return {"instance": {names[name]: field for name, field in fields.items()}}


def _stopping(value: Any) -> dict[str, Any]:
    fields = _fields(value, "stopping_condition", ("maxRuntimeInSeconds",),
                     "a StoppingCondition (maxRuntimeInSeconds)")
    return {"stopping": {"max_runtime": fields["maxRuntimeInSeconds"]}} if fields else {}


def _checkpoint(value: Any) -> dict[str, Any]:
    fields = _fields(value, "checkpoint_config", ("localPath", "s3Uri"), "a CheckpointConfig (localPath, s3Uri)")
    if "s3Uri" in fields:
        raise InvalidInput([Problem(
            f"s3Uri {fields['s3Uri']!r}: braketkit keeps a job's checkpoints beside its output, "
            "s3://<bucket>/<prefix>/<job name>/checkpoints; give the bucket and prefix as output_data_config's "
            "s3Path, or leave s3Uri out", "checkpoint_config")])
    return {"checkpoint": {"local_path": fields["localPath"]}} if "localPath" in fields else {}


def _output(value: Any) -> dict[str, Any]:
    fields = _fields(value, "output_data_config", ("s3Path", "kmsKeyId"), "an OutputDataConfig (s3Path, kmsKeyId)")
    s3: dict[str, Any] = {}
    if "s3Path" in fields:
        path = str(fields["s3Path"])
        if not path.startswith("s3://"):
            raise InvalidInput([Problem(f"s3Path {path!r} is no s3:// URI", "output_data_config")])
        bucket, prefix = split_s3_uri(path)
        s3 |= {"bucket": bucket, "prefix": prefix.strip("/") or "/"}
    if "kmsKeyId" in fields:
        s3["kms_key"] = fields["kmsKeyId"]
    return {"s3": s3} if s3 else {}


def _location(value: Any, keyword: str) -> str:
    """A channel's place: a local path or an s3:// URI as given, or an ``S3DataSourceConfig``'s URI."""
    config = getattr(value, "config", None)
    if isinstance(config, Mapping):
        try:
            return str(config["dataSource"]["s3DataSource"]["s3Uri"])
        except (KeyError, TypeError):
            pass
    if isinstance(value, str) or hasattr(value, "__fspath__"):
        return str(value)
    raise InvalidInput([Problem(f"expected a path, an s3:// URI or an S3DataSourceConfig, got "
                                f"{type(value).__name__}", keyword)])


def _input(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return {"input": {str(name): _location(place, f"input_data[{name!r}]") for name, place in value.items()}}
    return {"input": {DEFAULT_CHANNEL: _location(value, "input_data")}}


def result_format(value: Any) -> str:
    """``data_format`` as braketkit's ``result_format``: a ``PersistedJobDataFormat`` member, or its name or alias
    (``"pickle"``, ``"plaintext"``), as the Braket SDK reads it."""
    text = str(text_of(value)).lower()
    found = {"pickle": "pickled_v4", "pickled_v4": "pickled_v4", "plaintext": "plaintext"}.get(text)
    if found is None:
        raise InvalidInput([Problem(f"unknown data format {text!r}; expected 'pickle' or 'plaintext' (or a "
                                    "PersistedJobDataFormat)", "data_format")])
    return found


def _dependencies(value: Any) -> dict[str, Any]:
    if isinstance(value, (list, tuple)):
        return {"dependencies": [str(item) for item in value]}
    return {"dependencies": str(value)}


def _renamed(setting: str, read: Callable[[Any], Any] = lambda value: value) -> Callable[[Any], dict[str, Any]]:
    def translate(value: Any) -> dict[str, Any]:
        return {setting: read(value)}

    return translate


_SETTINGS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "device": _device,
    "dependencies": _dependencies,
    "local": _renamed("local"),
    "job_name": _renamed("job_name"),
    "image_uri": _renamed("image"),
    "input_data": _input,
    "wait_until_complete": _renamed("wait"),
    "instance_config": _instance,
    "distribution": _renamed("distribution"),
    "copy_checkpoints_from_job": lambda value: {"checkpoint": {"copy_from_job": text_of(value)}},
    "checkpoint_config": _checkpoint,
    "role_arn": _renamed("role"),
    "stopping_condition": _stopping,
    "output_data_config": _output,
    "tags": _renamed("tags"),
    "reservation_arn": _renamed("reservation"),
    "data_format": _renamed("result_format", result_format),
}
"""Each SDK keyword that is a setting, and how: the others (``include_modules``, ``aws_session``, ``logger``,
``quiet``) say how a call is carried out, not what the job is."""


def sdk_settings(given: Mapping[str, Any], where: str) -> tuple[tuple[dict[str, Any], str], ...]:
    """Each SDK keyword given, as braketkit's settings with its origin (``instance_config (SDK keyword) in
    train.py:12``), in the order given; what cannot be read is ``InvalidInput``, every problem at once."""
    sources: list[tuple[dict[str, Any], str]] = []
    problems: list[Problem] = []
    for keyword, value in given.items():
        translate = _SETTINGS.get(keyword)
        if translate is None:
            continue
        origin = origin_of(keyword, where)
        try:
            settings = translate(value)
        except InvalidInput as error:
            problems += [Problem(problem.message, problem.key, origin) for problem in error.problems]
            continue
        if settings:
            sources.append((settings, origin))
    if problems:
        raise InvalidInput(problems)
    return tuple(sources)


def gateway(aws_session: Any) -> Aws | None:
    """braketkit's AWS gateway over an SDK ``AwsSession`` (its boto3 session), or None for the process's own."""
    if aws_session is None:
        return None
    from ..aws import Aws

    session = getattr(aws_session, "boto_session", None)
    if session is None:
        raise InvalidInput([Problem(f"expected an AwsSession, got {type(aws_session).__name__}", "aws_session")])
    return Aws(session=session)


def session_settings(aws_session: Any) -> dict[str, Any]:
    """What an ``AwsSession`` says of where jobs go: the bucket it was given (``AwsSession(default_bucket=...)``),
    read without calling AWS (the SDK's ``default_bucket()`` would create it)."""
    bucket = getattr(aws_session, "_default_bucket", None)
    given = getattr(aws_session, "_custom_default_bucket", True)  # not one read from a job's variables
    return {"s3": {"bucket": bucket}} if given and isinstance(bucket, str) and bucket else {}

