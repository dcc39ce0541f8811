"""The one cattrs converter: the only place where dicts become classes and back.

It is strict where Python would be lenient (``"5"`` is not an integer, ``1`` is
not a string), reads durations (braketkit.duration) and hyperparameter text the way the settings
vocabulary allows, spells request shapes in the API's camelCase, and writes a
job's information without the fields it has no value for, its times in ISO 8601 UTC.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs
import cattrs
import cattrs.errors
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .duration import parse_duration
from .errors import BraketkitError, shown
from .model import request
from .model.provenance import READABLE_FORMATS, RECORD_FORMAT, TAGS, JobCall, PlannedRecord, PlannedSetting, Provenance
from .model.settings import (
    S3,
    Checkpoint,
    Instance,
    ParameterText,
    Seconds,
    Settings,
    Stopping,
    SweepLimits,
    parameter_text,
)
from .model.types import shape

__all__ = [
    "MOMENT_FORMS",
    "RECORD_MAX_BYTES",
    "call_digest",
    "converter",
    "parse_moment",
    "provenance_of_tags",
    "provenance_tags",
    "read_record",
    "record_text",
    "tag_value",
]

converter = cattrs.Converter(forbid_extra_keys=True)

_DAY = r"\d{4}-\d{2}-\d{2}"
_DAY_AND_TIME = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{3}|\.\d{6})?)?([Zz]|[+-]\d{2}:\d{2})?"
"""What ``parse_moment`` reads, compiled (by ``re``, once) when a moment is first read: a plan reads none."""
MOMENT_FORMS = "a date or time such as 2026-06-01 or 2026-06-01T09:30 (this machine's local time unless it ends in Z " \
               "or an offset such as +02:00)"
"""What ``parse_moment`` reads, for messages."""


def parse_moment(text: str, *, end_of_day: bool = False) -> datetime:
    """An ISO 8601 date, or date and time, as a datetime in UTC; without a zone, this machine's local time.

    Only the forms every supported Python reads alike (3.10's ``fromisoformat`` knows
    no ``Z`` and few fractions). A date alone is the start of that day, or with
    ``end_of_day`` its end, so that ``--until 2026-06-30`` includes June 30.
    Raises ValueError for what is not such a form, OverflowError for a moment beyond the years 1 to 9999.
    """
    value = text.strip()
    if not (re.fullmatch(_DAY, value, re.ASCII) or re.fullmatch(_DAY_AND_TIME, value, re.ASCII)):
        raise ValueError(f"{text!r} is not {MOMENT_FORMS}")
    try:
        if re.fullmatch(_DAY, value, re.ASCII):
            day = datetime.combine(date.fromisoformat(value), datetime.min.time())
            moment = day + timedelta(days=1) if end_of_day else day
        else:
            moment = datetime.fromisoformat(value[:-1] + "+00:00" if value[-1] in "Zz" else value)
    except ValueError:  # a month 13, February 30, 24:00
        raise ValueError(f"{text!r} is not {MOMENT_FORMS}") from None
    except OverflowError:
        raise OverflowError(f"{text!r} reaches beyond the year 9999") from None
    try:
        return (moment if moment.tzinfo else moment.astimezone()).astimezone(timezone.utc)  # naive: local time
    except (OverflowError, OSError, ValueError):
        raise OverflowError(f"{text!r} is beyond the years 1 to 9999 once put in UTC") from None


def _strict(kind: type, *also: type) -> Any:
    accepted = (kind, *also)

    def structure(value: Any, _: Any) -> Any:
        if isinstance(value, bool) and kind is not bool:
            raise TypeError(f"expected {kind.__name__}, got a boolean")
        if not isinstance(value, accepted):
            raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
        try:
            return kind(value)
        except OverflowError:  # float() of an integer of hundreds of digits
            raise ValueError(f"{shown(str(value))} is too large for a number") from None

    return structure


def _seconds(value: Any, _: Any) -> Seconds:
    if isinstance(value, int) and not isinstance(value, bool):
        return Seconds(value)
    if isinstance(value, str):
        return Seconds(parse_duration(value))
    raise TypeError(f"expected a duration, got {type(value).__name__}")


def _parameter_text(value: Any, _: Any) -> ParameterText:
    return parameter_text(value)


def _instance(value: Any, _: Any) -> Instance:
    if isinstance(value, str):
        return Instance(type=value)
    if isinstance(value, Instance):
        return value
    return typing.cast(Instance, _instance_from_dict(value, Instance))


def _is_list(kind: Any) -> bool:
    return shape(kind).form == "list"


def _list(value: Any, kind: Any) -> list[Any]:
    """Only a list is a list: cattrs would happily iterate a string into characters."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    (item,) = shape(kind).args
    return [converter.structure(element, item) for element in value]


def _is_union(kind: Any) -> bool:
    return shape(kind).form == "union"


def _union(value: Any, kind: Any) -> Any:
    """Try the arms in order; cattrs only handles unions of attrs classes itself."""
    found = shape(kind)
    if value is None and found.optional:
        return None
    errors: list[Exception] = []
    for arm in found.args:
        try:
            return converter.structure(value, arm)
        except (TypeError, ValueError, cattrs.errors.CattrsError) as error:
            errors.append(error)
    raise TypeError(f"{value!r} fits none of {kind}") from errors[0]


converter.register_structure_hook(str, _strict(str))
converter.register_structure_hook(int, _strict(int))
converter.register_structure_hook(float, _strict(float, int))
converter.register_structure_hook(bool, _strict(bool))
converter.register_structure_hook(Seconds, _seconds)
converter.register_unstructure_hook(Seconds, int)
converter.register_structure_hook(ParameterText, _parameter_text)
converter.register_unstructure_hook(ParameterText, str)
converter.register_structure_hook_func(_is_union, _union)
converter.register_structure_hook_func(_is_list, _list)
_instance_from_dict: Any = make_dict_structure_fn(Instance, converter, _cattrs_forbid_extra_keys=True)
converter.register_structure_hook(Instance, _instance)
# The settings are assembled from leaves that resolve has already read one by one, through the hooks above, and
# only once a process: cattrs' field-by-field structuring spares generating and compiling a function for a class of
# 24 fields, a twentieth of a plan's start. (Unknown keys never get this far: flattening refuses them first.)
for _table in (Settings, Stopping, S3, Checkpoint, SweepLimits):
    converter.register_structure_hook(_table, converter.structure_attrs_fromdict)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


_SPENDING = "braketkit.model.spending"
"""The spending-limit shapes' module, named, not imported: a plan, which reads no spending limit, never loads it."""


def _is_request_shape(kind: Any) -> bool:
    return attrs.has(kind) and getattr(kind, "__module__", None) in (request.__name__, _SPENDING)


def _is_request_only(kind: Any) -> bool:
    """A CreateJob request shape: structured from a GetJob answer (``rerun``), whose members are CreateJob's."""
    return attrs.has(kind) and getattr(kind, "__module__", None) == request.__name__


def _is_spending_shape(kind: Any) -> bool:
    return attrs.has(kind) and getattr(kind, "__module__", None) == _SPENDING


def _renames(kind: Any) -> dict[str, Any]:
    return {field.name: override(rename=_camel(field.name)) for field in attrs.fields(kind)}


def _request_unstructure(kind: Any) -> Any:
    """camelCase members; members left at ``None`` are not sent at all.

    Each member is unstructured by what it holds (strings, numbers, shapes, lists and maps of them), field by field:
    generating a function per shape would cost a plan's start more than all its requests take to write.
    """
    members = [(field.name, _camel(field.name)) for field in attrs.fields(kind)]

    def without_none(instance: Any) -> dict[str, Any]:
        return {key: converter.unstructure(value) for name, key in members
                if (value := getattr(instance, name)) is not None}

    return without_none


def _response_structure(kind: Any) -> Any:
    """From the API's camelCase; members newer than this model are ignored, as boto3 itself would pass them on."""
    return make_dict_structure_fn(kind, converter, _cattrs_forbid_extra_keys=False, **_renames(kind))


def _decimal(value: Any, _: Any) -> Decimal:
    """An amount as the service writes it, a decimal string; a float would already have lost cents."""
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected a decimal string, got {type(value).__name__}")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number") from None


def _datetime(value: Any, _: Any) -> datetime:
    """A time as boto3 hands it over: already a ``datetime`` (it parses the wire format itself)."""
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    return value


converter.register_unstructure_hook_factory(_is_request_shape, _request_unstructure)


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _is_shown(kind: Any) -> bool:
    """What braketkit prints of jobs as JSON (model/job.py, model/details.py): its hooks are made when first used, so
    that a plan, which shows no job, never imports those modules."""
    module = getattr(kind, "__module__", None)
    if module == "braketkit.model.details":
        return attrs.has(kind)
    if module != "braketkit.model.job":
        return False
    from .model.job import JobInfo, Removal, UtcTime  # loaded already: the kind asked about comes from it

    return kind in (JobInfo, Removal, UtcTime)


def _shown_unstructure(kind: Any) -> Any:
    """Times in ISO 8601 UTC; a job's fields without a value left out."""
    from .model.job import UtcTime

    if kind is UtcTime:
        return _utc_text
    return make_dict_unstructure_fn(kind, converter, _cattrs_omit_if_default=True)


converter.register_unstructure_hook_factory(_is_shown, _shown_unstructure)
converter.register_structure_hook_factory(_is_spending_shape, _response_structure)
converter.register_structure_hook_factory(_is_request_only, _response_structure)
converter.register_structure_hook(Decimal, _decimal)
converter.register_unstructure_hook(Decimal, str)
converter.register_structure_hook(datetime, _datetime)


# -- provenance: tags and the planned record (model/provenance.py) --------------------------------------------------

# Unstructured field by field, as the request shapes are: every plan writes a record, and generating functions for
# these classes would cost its start more than writing the record takes.
def _by_field(instance: Any) -> dict[str, Any]:
    return {field.name: converter.unstructure(getattr(instance, field.name)) for field in attrs.fields(type(instance))}


for _provenance_class in (Provenance, PlannedSetting, PlannedRecord, JobCall):
    converter.register_unstructure_hook(_provenance_class, _by_field)

_TAG_SAFE = re.compile(r"[A-Za-z0-9 _.:/=+\-@]*")


def tag_value(text: str, longest: int) -> str:
    """``text`` as a tag value AWS accepts: each character its tags do not allow (letters, digits, whitespace and
    ``_ . : / = + - @`` are allowed, in any script) replaced by ``_``, and cut to ``longest`` characters."""
    if not _TAG_SAFE.fullmatch(text):
        import unicodedata

        text = "".join(char if unicodedata.category(char)[0] in "LNZ" or char in "_.:/=+-@" else "_" for char in text)
    return text[:longest]


def provenance_tags(provenance: Provenance, *, longest: int) -> dict[str, str]:
    """The job's tags for its provenance (``TAGS``): a field that is None has none; ``git_dirty`` is ``true`` or
    ``false``; the branch is made a valid tag value of at most ``longest`` characters (``tag_value``), the others
    are valid as they are."""
    tags = {}
    for field, tag in TAGS.items():
        value = getattr(provenance, field)
        if value is None:
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        tags[tag] = tag_value(text, longest) if field == "git_branch" else text
    return tags


def provenance_of_tags(tags: Mapping[str, str]) -> Provenance | None:
    """A job's provenance from its tags; None for a job braketkit did not make (no archive tag), or whose provenance
    tags were changed so that they no longer read (a required one removed, ``git-dirty`` neither true nor false).
    The branch is as its tag holds it: the planned record has it exact."""
    if TAGS["archive_sha256"] not in tags:
        return None
    fields: dict[str, str | bool] = {field: tags[tag] for field, tag in TAGS.items() if tag in tags}
    dirty = fields.get("git_dirty")
    if dirty is not None:
        if dirty not in ("true", "false"):
            return None
        fields["git_dirty"] = dirty == "true"
    try:
        return Provenance(**fields)  # type: ignore[arg-type]  # each field's type as its tag reads
    except TypeError:  # a required field's tag is missing
        return None


def record_text(record: PlannedRecord) -> str:
    """The planned record as the JSON it is stored as."""
    return json.dumps(converter.unstructure(record), indent=2, ensure_ascii=False) + "\n"


def call_digest(call: JobCall) -> str:
    """The SHA-256 of a call's JSON, written one way only (keys sorted, no spaces): its ``braketkit:call-sha256``
    tag, which a reader compares with the call a record holds."""
    import hashlib

    text = json.dumps(converter.unstructure(call), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


RECORD_MAX_BYTES = 1_000_000
"""The largest planned record read: a real one is a few kB; a bigger one is damaged, or made to exhaust memory."""


def read_record(data: bytes | str, where: str) -> PlannedRecord:
    """A planned record from its JSON; a record of another format, or damaged, is a ``BraketkitError`` naming
    ``where`` it was read from."""
    if len(data) > RECORD_MAX_BYTES:
        raise BraketkitError(f"the planned record {where} is damaged: it is over {RECORD_MAX_BYTES // 1000} kB, "
                             "and braketkit writes records of a few kB")
    try:
        document = json.loads(data)
    except ValueError as error:  # UnicodeDecodeError included
        raise BraketkitError(f"the planned record {where} is damaged: it is no JSON ({error})") from None
    except RecursionError:
        raise BraketkitError(f"the planned record {where} is damaged: it nests deeper than JSON braketkit "
                             "writes") from None
    found = document.get("format") if isinstance(document, dict) else None
    if found not in READABLE_FORMATS:
        what = f"of format {shown(found)}" if isinstance(found, str) else "of no format braketkit knows"
        raise BraketkitError(f"the planned record {where} is {what}; this braketkit reads "
                             f"{' and '.join(READABLE_FORMATS)} (a newer braketkit may read it)")
    if found != RECORD_FORMAT and "call" in document:
        raise BraketkitError(f"the planned record {where} is damaged: {found} records hold no call")
    try:
        return converter.structure(document, PlannedRecord)
    except (cattrs.errors.BaseValidationError, TypeError, ValueError, KeyError) as error:
        raise BraketkitError(f"the planned record {where} is damaged: it does not read as {found} "
                             f"({_first_cause(error)})") from None


def _first_cause(error: Exception) -> str:
    """What cattrs found wrong, in a line: the first of the errors it groups."""
    while isinstance(error, cattrs.errors.BaseValidationError) and error.exceptions:
        error = error.exceptions[0]
    return f"{type(error).__name__}: {error}"
