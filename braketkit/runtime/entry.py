"""The runtime's side of a function's job: find the user's function, rebuild its arguments, call it, keep its result.

Braket's container imports ``braketkit_job`` (the entry point the request names, ``braketkit_job:<function>``) and
calls ``<function>``: that is ``job_function``'s runner, which reads the call from the job's planned record (the input
channel ``braketkit``) and does the rest here. The hyperparameters the container passes are the user's arguments as
text, for people and for scripts that read them; the call in the record has them exact.
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
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import contract, stand_in
from .rebuild import rebuild
from .requirements import requirement_hint

FAILURE_LIMIT = 1024
"""The service's ``failureReason`` is a String1024; the tail (the exception itself) is kept."""

CODE_ROOT = Path(__file__).resolve().parent.parent


def _call() -> dict[str, Any]:
    """The ``call`` member of the job's planned record: what ``model.provenance.JobCall`` holds, as JSON."""
    inputs = Path(os.environ.get("AMZN_BRAKET_INPUT_DIR", "/opt/braket/input/data"))
    path = inputs / contract.RECORD_CHANNEL / contract.RECORD_FILE
    try:
        with open(path, encoding="utf-8") as handle:
            call = json.load(handle).get("call")
    except FileNotFoundError:
        raise RuntimeError(f"the job has no planned record at {path} (its input channel "
                           f"{contract.RECORD_CHANNEL!r}), which says which function to call and how") from None
    if not isinstance(call, dict) or not isinstance(call.get("entry"), str):
        raise RuntimeError(f"the planned record at {path} holds no call of a function")
    return call


def _prepare_imports(call: dict[str, Any]) -> None:
    # The container appends the code folder to sys.path; put the import folders first so a user module named like
    # an installed package (utils, qaoa) is the one imported. The code folder itself holds braketkit_runtime, and the
    # module a __main__ function was captured into when it sits at the root.
    for folder in [str(CODE_ROOT), *(str(CODE_ROOT / path) for path in reversed(call.get("paths") or []))]:
        while folder in sys.path:
            sys.path.remove(folder)
        sys.path.insert(0, folder)
    stand_in.install()


def _link_inputs(links: dict[str, str]) -> None:
    """Input channels declared by a relative path: reachable at that path from the working directory too."""
    inputs = Path(os.environ.get("AMZN_BRAKET_INPUT_DIR", "/opt/braket/input/data"))
    code = CODE_ROOT.resolve()
    for relative, channel_path in links.items():
        link = code / relative
        if os.path.lexists(link) or not link.resolve().is_relative_to(code):
            continue  # never replace a file of the job's, never reach outside the code folder
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(inputs / channel_path, target_is_directory=(inputs / channel_path).is_dir())


def _function(entry: str) -> Callable[..., Any]:
    module_name, _, qualname = entry.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target  # type: ignore[no-any-return]


def _arguments(function: Callable[..., Any], arguments: dict[str, str]) -> dict[str, Any]:
    return rebuild(function, {name: json.loads(text) for name, text in arguments.items()})


def _invoke(function: Callable[..., Any], arguments: dict[str, Any]) -> Any:
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


def main() -> None:
    """Run the user's function as the job, as its call says; exit non-zero if it raises.

    The failure is recorded here, with the innermost frames, and the process ends with ``SystemExit``, which the
    container's own handler (``except Exception``) lets through: its shorter line is not added.
    """
    try:
        call = _call()
        _prepare_imports(call)
        _link_inputs(dict(call.get("inputs") or {}))
        if call.get("cwd"):  # a notebook's function runs in the notebook's folder
            os.chdir(CODE_ROOT / call["cwd"])
        function = _function(call["entry"])
        value = _invoke(function, _arguments(function, dict(call.get("arguments") or {})))
        _persist(value, call.get("result_format") or "plaintext")
    except BaseException as error:
        if isinstance(error, SystemExit) and not error.code:
            return
        if isinstance(error, ModuleNotFoundError) and (hint := requirement_hint(error, CODE_ROOT)):
            error.msg = f"{error.msg}{hint}"
            error.args = (error.msg,)
        traceback.print_exc()
        sys.stderr.flush()
        if os.environ.get(contract.DEBUG) and not isinstance(error, (SystemExit, KeyboardInterrupt)):
            _post_mortem(error)
        _record_failure(error)
        sys.exit(1)


def job_function(name: str) -> Callable[..., None]:
    """``braketkit_job.<name>``: what Braket's container calls for the job of the function ``name``.

    It takes any keyword (the container passes the hyperparameters when they bind, each as text) and ignores them:
    the call in the record has the arguments exact. Made once per name and kept in ``braketkit_job``, so that it is
    found again by its module and name (``multiprocessing``, which the container runs it in, may pickle it so).
    """
    if name.startswith("__"):
        raise AttributeError(f"module {contract.JOB_MODULE!r} has no attribute {name!r}")

    def run(**_hyperparameters):  # type: ignore[no-untyped-def]  # unannotated: the container casts by annotation
        main()

    run.__name__ = run.__qualname__ = name
    run.__module__ = contract.JOB_MODULE
    module = sys.modules.get(contract.JOB_MODULE)
    if module is not None:
        setattr(module, name, run)
    return run


def _post_mortem(error: BaseException) -> None:
    """``pdb`` at the frame that raised, at the terminal (a local run with ``--pdb``); the job ends as it quits."""
    import pdb

    print(f"\n[braketkit] --pdb: the job raised {type(error).__name__}; pdb opens where it was raised "
          "(q quits, and the failure is recorded)", file=sys.stderr, flush=True)
    with contextlib.suppress(BaseException):  # the debugger stopped (a closed terminal): the failure is recorded
        pdb.post_mortem(error.__traceback__)
