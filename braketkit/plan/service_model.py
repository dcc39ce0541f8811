"""botocore's own ``braket`` service model, read straight from its data folder.

Reading the JSON file (rather than importing botocore) keeps ``plan --offline``
fast; it is the same file boto3's client is built from.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import zlib
from pathlib import Path
from typing import Any

__all__ = ["hyperparameter_limit", "limit", "matches", "model_path", "shapes"]


def model_path() -> Path:
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - boto3 depends on it
        raise RuntimeError("botocore is not installed")
    service = Path(next(iter(spec.submodule_search_locations))) / "data" / "braket"
    version = max(folder for folder in service.iterdir() if folder.is_dir())
    for name in ("service-2.json.gz", "service-2.json"):
        if (version / name).is_file():
            return version / name
    raise RuntimeError(f"no braket service model in {version}")  # pragma: no cover


@functools.cache
def _model() -> dict[str, Any]:
    path = model_path()
    raw = zlib.decompress(path.read_bytes(), wbits=16 + zlib.MAX_WBITS) if path.suffix == ".gz" else path.read_bytes()
    return json.loads(raw)  # type: ignore[no-any-return]


def shapes() -> dict[str, Any]:
    return _model()["shapes"]  # type: ignore[no-any-return]


def input_shape(operation: str) -> str:
    return _model()["operations"][operation]["input"]["shape"]  # type: ignore[no-any-return]


def limit(shape: str, name: str) -> Any:
    """A limit (``min``, ``max``, ``enum``, ``pattern``) of a named shape."""
    return shapes()[shape].get(name)


def hyperparameter_limit() -> int:
    """The most characters CreateJob takes in a hyperparameter's value."""
    shape = shapes()[input_shape("CreateJob")]["members"]["hyperParameters"]["shape"]
    return int(limit(shapes()[shape]["value"]["shape"], "max"))


def matches(pattern: str, value: str) -> bool:
    """``value`` is whole by the model's ``pattern``: a Java regular expression, whose ``\\d`` and ``\\w`` are ASCII."""
    return re.fullmatch(pattern, value, re.ASCII) is not None
