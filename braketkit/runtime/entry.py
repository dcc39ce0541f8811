"""The job's entry point: find the user's function, rebuild its arguments, call it.

Braket's container imports this module and calls ``main``, with the
hyperparameters bound as keyword arguments or with none; either way the
hyperparameter file is the source of truth.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import importlib
import inspect
import json
import os
import pickle
import re
import runpy
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import contract, stand_in
from .rebuild import rebuild

FAILURE_LIMIT = 1024
"""The service's ``failureReason`` is a String1024; the tail (the exception itself) is kept."""

CODE_ROOT = Path(__file__).resolve().parent.parent


def _hyperparameters() -> dict[str, str]:
    path = os.environ.get("AMZN_BRAKET_HP_FILE", "/opt/braket/input/config/hyperparameters.json")
    try:
        with open(path, encoding="utf-8") as handle:
            return dict(json.load(handle))
    except FileNotFoundError:
        return {}


def _prepare_imports(hyperparameters: dict[str, str]) -> None:
    # The container appends the code folder to sys.path; put the import folder first so a
    # user module named like an installed package (utils, qaoa) is the one imported. The
    # code folder itself holds the module a __main__ function was captured into.
    for folder in (str(CODE_ROOT), str(CODE_ROOT / hyperparameters.get(contract.PATH, ""))):
        while folder in sys.path:
            sys.path.remove(folder)
        sys.path.insert(0, folder)
    stand_in.install()


def _link_inputs(hyperparameters: dict[str, str]) -> None:
    """Input channels declared by a relative path: reachable at that path from the working directory too."""
    inputs = Path(os.environ.get("AMZN_BRAKET_INPUT_DIR", "/opt/braket/input/data"))
    code = CODE_ROOT.resolve()
    for relative, channel_path in json.loads(hyperparameters.get(contract.INPUT_LINKS, "{}")).items():
        link = code / relative
        if os.path.lexists(link) or not link.resolve().is_relative_to(code):
            continue  # never replace a file of the job's, never reach outside the code folder
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(inputs / channel_path, target_is_directory=(inputs / channel_path).is_dir())


def _function(hyperparameters: dict[str, str]) -> Callable[..., Any]:
    module_name, _, qualname = hyperparameters[contract.ENTRY].partition(":")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target  # type: ignore[no-any-return]


def _arguments(function: Callable[..., Any], hyperparameters: dict[str, str]) -> dict[str, Any]:
    names = [name for name in hyperparameters.get(contract.ARGUMENTS, "").split(",") if name]
    return rebuild(function, {name: json.loads(hyperparameters[name]) for name in names})


def _call(function: Callable[..., Any], arguments: dict[str, Any]) -> Any:
    """Call with keyword arguments, but positional-only parameters (``def f(a, /)``) by position."""
    positional = []
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.kind is not parameter.POSITIONAL_ONLY or name not in arguments:
            break
        positional.append(arguments.pop(name))
    if inspect.iscoroutinefunction(function):  # an async entry: run it to its end, as a script's asyncio.run would
        import asyncio

        return asyncio.run(function(*positional, **arguments))
    return function(*positional, **arguments)


def _plain(value: Any) -> Any:
    """JSON for dataclass and attrs instances: their fields, recursively."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    fields = getattr(type(value), "__attrs_attrs__", None)
    if fields is not None:
        return {field.name: getattr(value, field.name) for field in fields}
    raise TypeError(f"{type(value).__name__} has no JSON form")


def results_document(value: Any, result_format: str) -> str:
    """results.json text: a dict of strings is the data dictionary; anything else sits under "result"."""
    is_dict = isinstance(value, dict) and all(isinstance(key, str) for key in value)
    data = value if is_dict else {contract.RETURN_KEY: value}
    if result_format == "pickled_v4":
        data = {key: base64.b64encode(pickle.dumps(item, protocol=4)).decode() for key, item in data.items()}
    document: dict[str, Any] = {
        "braketSchemaHeader": {"name": "braket.jobs_data.persisted_job_data", "version": "1"},
        "dataDictionary": data,
        "dataFormat": result_format,
    }
    if not is_dict:
        document[contract.MARKER] = {"return": contract.RETURN_KEY}
    try:
        return json.dumps(document, default=_plain)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"the return value cannot be stored as JSON ({error}); return JSON values "
            '(lists, dicts, numbers, strings), or set result_format = "pickled_v4"'
        ) from None


def _persist(value: Any, result_format: str) -> None:
    if value is None:
        return  # nothing returned: a results.json from save_job_result, if any, stays as it is
    text = results_document(value, result_format)
    results = Path(os.environ.get("AMZN_BRAKET_JOB_RESULTS_DIR", "/opt/braket/model"))
    results.mkdir(parents=True, exist_ok=True)
    partial = results / f".{contract.RESULTS_FILE}.partial"
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, results / contract.RESULTS_FILE)
    finally:
        partial.unlink(missing_ok=True)


def _requirement_hint(error: ModuleNotFoundError) -> str:
    """For local runs, where requirements.txt is not installed: which requirement to install."""
    name = (error.name or "").partition(".")[0]
    if not name or not os.environ.get(contract.LOCAL_RUN):
        return ""
    try:
        lines = (CODE_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    wanted = re.sub(r"[-_.]+", "-", name).lower()
    for line in lines:
        project = re.split(r"[\s\[<>=!~;@]", line.strip(), maxsplit=1)[0]
        if project and re.sub(r"[-_.]+", "-", project).lower() == wanted:
            return (f"; the job's requirements.txt asks for {line.strip()!r}, which local runs do not install: "
                    f"pip install {line.strip()!r}")
    return f"; local runs use your environment: install {name}, and add it to dependencies for the cloud"


def failure_text(error: BaseException) -> str:
    """The exception line first, then the innermost frames that fit the service's limit."""
    summary = "".join(traceback.format_exception_only(type(error), error)).strip()
    if len(summary) > FAILURE_LIMIT // 2:
        summary = summary[: FAILURE_LIMIT // 2 - 3] + "..."
    header = "\nTraceback, innermost frames last:\n"
    frames = "".join(traceback.format_tb(error.__traceback__, limit=-5))
    room = FAILURE_LIMIT - len(summary) - len(header)
    if len(frames) > room:
        frames = "..." + frames[-(room - 3):]
    return summary + header + frames


def _record_failure(error: BaseException) -> None:
    path = Path(os.environ.get(contract.FAILURE_FILE, contract.DEFAULT_FAILURE_FILE))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(failure_text(error))
    except OSError:
        pass  # the traceback on stderr still reaches the log


def _foreign(entry: str, hyperparameters: dict[str, str]) -> None:
    """A job braketkit did not make, run here (``braketkit rerun --local``) as Braket's container runs it: its
    entry point by import (a bare module as ``python -m``), called with the hyperparameters when they bind to its
    signature, each cast by its annotation (default ``str``), its return value ignored."""
    if not entry or entry == contract.ENTRY_POINT:
        raise KeyError(f"no {contract.ENTRY} hyperparameter names the function to run")
    module_name, _, name = entry.partition(":")
    if not name:
        runpy.run_module(module_name, run_name="__main__", alter_sys=True)
        return
    function = _function({contract.ENTRY: entry})
    parameters = inspect.signature(function).parameters
    try:
        inspect.signature(function).bind(**hyperparameters)
    except TypeError:
        function()
        return
    casts = {key: parameter.annotation if callable(parameter.annotation) and parameter.annotation is not
             parameter.empty else str for key, parameter in parameters.items()}
    function(**{key: casts.get(key, str)(value) for key, value in hyperparameters.items()})


def main(**_bound: Any) -> None:
    """Run the user's function as the job; exit non-zero if it raises."""
    try:
        hyperparameters = _hyperparameters()
        _prepare_imports(hyperparameters)
        _link_inputs(hyperparameters)
        if contract.WORKING_DIR in hyperparameters:  # a notebook's function runs in the notebook's folder
            os.chdir(CODE_ROOT / hyperparameters[contract.WORKING_DIR])
        if contract.ENTRY not in hyperparameters:  # a job another tool made, rerun here: its own entry point
            _foreign(os.environ.get("AMZN_BRAKET_SCRIPT_ENTRY_POINT", ""), hyperparameters)
            return
        if ":" not in hyperparameters[contract.ENTRY]:  # script mode: the module runs as `python -m` runs it
            runpy.run_module(hyperparameters[contract.ENTRY], run_name="__main__", alter_sys=True)
            return
        function = _function(hyperparameters)
        value = _call(function, _arguments(function, hyperparameters))
        _persist(value, hyperparameters.get(contract.RESULT_FORMAT, "plaintext"))
    except BaseException as error:
        if isinstance(error, SystemExit) and not error.code:
            return
        if isinstance(error, ModuleNotFoundError) and (hint := _requirement_hint(error)):
            error.msg = f"{error.msg}{hint}"
            error.args = (error.msg,)
        if os.environ.get(contract.DEBUG) and not isinstance(error, (SystemExit, KeyboardInterrupt)):
            traceback.print_exc()
            sys.stderr.flush()
            _post_mortem(error)
            _record_failure(error)
            sys.exit(1)
        _record_failure(error)
        traceback.print_exc()
        sys.stderr.flush()
        sys.exit(1)


def _post_mortem(error: BaseException) -> None:
    """``pdb`` at the frame that raised, at the terminal (a local run with ``--pdb``); the job ends as it quits."""
    import pdb

    print(f"\n[braketkit] --pdb: the job raised {type(error).__name__}; pdb opens where it was raised "
          "(q quits, and the failure is recorded)", file=sys.stderr, flush=True)
    with contextlib.suppress(BaseException):  # the debugger stopped (a closed terminal): the failure is recorded
        pdb.post_mortem(error.__traceback__)


if __name__ == "__main__":
    main()
