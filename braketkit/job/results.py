"""Reading a job's results.json back into what the function returned.

Shared by local and cloud jobs. A dict return is the data dictionary itself;
anything else sits under one key named by braketkit's marker. The function's
return annotation, when known, rebuilds tuples, dataclasses and attrs classes
with the same code that rebuilds call arguments in the job.

results.json is untrusted input: whatever ran in the job wrote it. Its shape is
checked, and a wrong one is reported by what is wrong; pickled values
(``pickled_v4``) are unpickled only on explicit request (``allow_pickle``), and
only for a job that was planned with ``result_format = "pickled_v4"``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import pickle
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import DamagedResults, PickledResults, UnsafeArchive
from ..runtime import contract
from ..runtime.rebuild import value_as
from ..terminal import printable
from .extract import size_text

__all__ = ["MAX_RESULTS_BYTES", "read_results", "read_results_file"]

MAX_RESULTS_BYTES = 512 * 1024**2
"""Cap on results.json (read whole into memory, then parsed)."""

FORMATS = ("plaintext", "pickled_v4")


def _name(job: str | None) -> str:
    return f"the results of job {job}" if job else "the results"


def _damaged(job: str | None, what: str) -> DamagedResults:
    """What is wrong, every character of it printable: error texts may quote what the job wrote."""
    return DamagedResults(f"cannot read {_name(job)}: {printable(what)}")


def _refuse_pickle(job: str | None, allow_pickle: bool, planned_format: Callable[[], str | None] | None) -> None:
    name = _name(job)
    if not allow_pickle:
        command = f"braketkit result {job} --allow-pickle" if job else "braketkit result JOB --allow-pickle"
        raise PickledResults(
            f"{name} are pickled (dataFormat pickled_v4), and unpickling runs whatever code they hold; if you "
            f"trust the job's code, every package it installed, and everyone who can write its output, read them "
            f"with result(allow_pickle=True) or {command}")
    if planned_format is None or planned_format() != "pickled_v4":
        raise PickledResults(
            f"{name} are pickled, but the job was not planned with result_format = \"pickled_v4\", so braketkit "
            "will not unpickle them, even with allow_pickle: something other than braketkit's runtime wrote them "
            "(the job's code, a package it installed, or someone who can write its output); plan the job with "
            "result_format = \"pickled_v4\" to get pickled results")


def read_results(text: str | bytes, annotation: Any = Any, *, job: str | None = None, allow_pickle: bool = False,
                 planned_format: Callable[[], str | None] | None = None) -> Any:
    """What the function returned, from results.json's text.

    ``job`` names the job in messages; ``planned_format`` tells the ``result_format`` the job was planned with (its
    call's), asked only when pickled results are to be read (for a cloud job it reads the planned record).
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise _damaged(job, "results.json is not UTF-8 text") from None
    try:
        document = json.loads(text)
    except ValueError as error:
        raise _damaged(job, f"results.json is not JSON ({error})") from None
    except RecursionError:
        raise _damaged(job, "results.json is nested too deeply to read") from None
    if not isinstance(document, dict):
        raise _damaged(job, f"results.json holds {_json_kind(document)}, not a JSON object")
    data = document.get("dataDictionary")
    if not isinstance(data, dict):
        what = "has no dataDictionary" if data is None else f"has {_json_kind(data)} as its dataDictionary"
        raise _damaged(job, f"results.json {what}, not a JSON object")
    data_format = document.get("dataFormat", "plaintext")
    if data_format not in FORMATS:
        raise _damaged(job, f"results.json has dataFormat {json.dumps(data_format)[:80]}; expected one of "
                            + ", ".join(FORMATS))
    if data_format == "pickled_v4":
        _refuse_pickle(job, allow_pickle, planned_format)
        data = {key: _unpickle(job, key, value) for key, value in data.items()}
    marker = document.get(contract.MARKER)
    if marker is None:
        value = data
    else:
        key = marker.get("return") if isinstance(marker, dict) else None
        if not isinstance(key, str) or key not in data:
            raise _damaged(job, f"results.json's {contract.MARKER!r} member names no value of its dataDictionary")
        value = data[key]
    try:
        return value_as(value, annotation)
    except Exception as error:  # the annotation's classes raise what they raise
        shown = getattr(annotation, "__name__", None) or repr(annotation)
        raise _damaged(job, f"its value does not fit the function's return annotation {shown} "
                            f"({type(error).__name__}: {error})") from error


def _unpickle(job: str | None, key: str, value: Any) -> Any:
    if not isinstance(value, str):
        raise _damaged(job, f"the pickled value {key!r} in results.json is {_json_kind(value)}, not base64 text")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _damaged(job, f"the pickled value {key!r} in results.json is not base64") from None
    try:
        return pickle.loads(raw)  # asked for, for a job planned to pickle
    except Exception as error:
        raise _damaged(job, f"the pickled value {key!r} cannot be unpickled ({type(error).__name__}: "
                            f"{error})") from error


def _json_kind(value: Any) -> str:
    kinds = ((bool, "a boolean"), (dict, "an object"), (list, "a list"), (str, "a string"), (int, "a number"),
             (float, "a number"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "null")


def read_results_file(path: Path, *, job: str | None = None, max_size: int | None = None) -> bytes | None:
    """results.json's bytes from a folder (a local job's, or one extracted); None if there is none.

    A link is not followed, and the size is capped (``MAX_RESULTS_BYTES``, read at each call).
    """
    cap = MAX_RESULTS_BYTES if max_size is None else max_size
    # O_NONBLOCK: a FIFO named results.json must not block the reader (it has no effect on a file)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _damaged(job, f"{path.name} cannot be opened ({error.strerror or error}; a link is not followed)") \
            from error
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):  # a folder, a FIFO, a device: checked before any read
        os.close(descriptor)
        raise _damaged(job, f"{path.name} is not a file")
    with open(descriptor, "rb") as opened:
        if status.st_size > cap:
            raise UnsafeArchive(f"refusing to read {_name(job)}: {path.name} is larger than {size_text(cap)} "
                                "(the cap)")
        return opened.read(cap + 1)
