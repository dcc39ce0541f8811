"""The job's entry point: find the user's function, rebuild its arguments, call it.

Braket's container imports this module and calls ``main``, with the
hyperparameters bound as keyword arguments or with none; either way the
hyperparameter file is the source of truth.
"""

from __future__ import annotations

import base64
import importlib
import json
import os
import pickle
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import contract
from .rebuild import rebuild

FAILURE_LIMIT = 1000
"""The service keeps about this much of ``failureReason``; the tail is what matters."""


def _hyperparameters() -> dict[str, str]:
    path = os.environ.get("AMZN_BRAKET_HP_FILE", "/opt/braket/input/config/hyperparameters.json")
    try:
        with open(path, encoding="utf-8") as handle:
            return dict(json.load(handle))
    except FileNotFoundError:
        return {}


def _function(hyperparameters: dict[str, str]) -> Callable[..., Any]:
    code_root = Path(__file__).resolve().parent.parent
    import_root = str(code_root / hyperparameters.get(contract.PATH, ""))
    # The container appends the code folder to sys.path; put it first so a user
    # module named like an installed package (utils, qaoa) is the one imported.
    while import_root in sys.path:
        sys.path.remove(import_root)
    sys.path.insert(0, import_root)
    module_name, _, qualname = hyperparameters[contract.ENTRY].partition(":")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return getattr(target, "__wrapped__", target)  # type: ignore[no-any-return]


def _arguments(function: Callable[..., Any], hyperparameters: dict[str, str]) -> dict[str, Any]:
    names = [name for name in hyperparameters.get(contract.ARGUMENTS, "").split(",") if name]
    return rebuild(function, {name: json.loads(hyperparameters[name]) for name in names})


def _persist(value: Any, result_format: str) -> None:
    if value is None:
        return
    is_dict = isinstance(value, dict) and all(isinstance(key, str) for key in value)
    data = value if is_dict else {contract.RETURN_KEY: value}
    if result_format == "pickled_v4":
        data = {key: base64.b64encode(pickle.dumps(item, protocol=4)).decode() for key, item in data.items()}
    document = {
        "braketSchemaHeader": {"name": "braket.jobs_data.persisted_job_data", "version": "1"},
        "dataDictionary": data,
        "dataFormat": result_format,
    }
    try:
        text = json.dumps(document, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"the return value cannot be stored as JSON ({error}); return JSON values "
            'or set result_format = "pickled_v4"'
        ) from None
    results = Path(os.environ.get("AMZN_BRAKET_JOB_RESULTS_DIR", "/opt/braket/model"))
    results.mkdir(parents=True, exist_ok=True)
    partial = results / ".results.json.partial"
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, results / "results.json")


def _record_failure(error: BaseException) -> None:
    frames = traceback.format_exception(type(error), error, error.__traceback__, limit=-5)
    text = "".join(frames)
    if len(text) > FAILURE_LIMIT:
        text = "..." + text[-(FAILURE_LIMIT - 3):]
    path = Path(os.environ.get(contract.FAILURE_FILE, contract.DEFAULT_FAILURE_FILE))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError:
        pass  # the traceback on stderr below still reaches the log


def main(**_bound: Any) -> None:
    """Run the user's function as the job; exit non-zero if it raises."""
    try:
        hyperparameters = _hyperparameters()
        function = _function(hyperparameters)
        value = function(**_arguments(function, hyperparameters))
        _persist(value, hyperparameters.get(contract.RESULT_FORMAT, "plaintext"))
    except BaseException as error:
        if isinstance(error, SystemExit) and not error.code:
            return
        _record_failure(error)
        traceback.print_exc()
        sys.exit(1)


if __name__ == "__main__":
    main()
