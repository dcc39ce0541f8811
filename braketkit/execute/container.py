"""Braket's job container, for a local run: run the request's entry point as the container does.

Run by the local runner as a script (``python container.py``), in the job's process, with the working directory the
job's code folder and the container's ``AMZN_BRAKET_*`` variables set. Standard library only, and nothing of
braketkit imported: it is the container, not the job's code. What it does is what the container's
``braket_container.py`` does once the code is unpacked:

- the code folder is *appended* to ``sys.path`` (an installed module of the same name wins, as in the container);
- ``AMZN_BRAKET_SCRIPT_ENTRY_POINT`` ``module:function`` is imported and called, with the hyperparameters as keyword
  arguments when they bind to its signature, each cast by its annotation (``str`` when none); a bare ``module``
  runs as ``python -m module`` would; the function's return value is ignored;
- an exception is written to the failure file as ``Type: message`` and the job fails; a missing module's message
  says which requirements.txt line asks for it, which a local run does not install.

A function's job names ``braketkit_job:<function>``: braketkit's runtime, from the job's own archive, which records a
fuller failure itself and ends the process with ``SystemExit``, which passes through here as it does there.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import json
import os
import runpy
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

FAILURE_FILE = "BRAKETKIT_FAILURE_FILE"
"""Where a local run's failure file is (the container's is ``/opt/ml/output/failure``)."""
DEBUG = "BRAKETKIT_PDB"
"""Set by ``--pdb``: an exception opens ``pdb.post_mortem`` at the terminal before the failure is recorded."""


def _customer_code(entry_point: str) -> Callable[..., Any]:
    if ":" in entry_point:
        module_name, _, function_name = entry_point.partition(":")
        return getattr(importlib.import_module(module_name), function_name)  # type: ignore[no-any-return]

    def run_module() -> Any:
        return runpy.run_module(entry_point, run_name="__main__")

    return run_module


def _bound_hyperparameters(function: Callable[..., Any]) -> dict[str, Any]:
    """The hyperparameters as keyword arguments when they bind to ``function``'s signature, else none."""
    path = os.environ.get("AMZN_BRAKET_HP_FILE")
    if path is None:
        return {}
    with open(path, encoding="utf-8") as handle:
        hyperparameters = json.load(handle)
    try:
        inspect.signature(function).bind(**hyperparameters)
    except TypeError:
        return {}
    annotations = inspect.getfullargspec(function).annotations
    return {name: annotations.get(name, str)(value) for name, value in hyperparameters.items()}


def _record_failure(error: BaseException) -> None:
    kind = type(error).__name__
    text = f"{kind}: {error}" if str(error) else kind
    path = os.environ.get(FAILURE_FILE, "/opt/ml/output/failure")
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a", encoding="utf-8") as failure:
            failure.write(text)
    except OSError:
        pass


def _add_requirement_hint(error: ModuleNotFoundError) -> None:
    """A local run installs no requirements.txt: say which line asks for the missing module, as the function
    runtime does, with its code from the job's own archive (every archive carries braketkit_runtime)."""
    try:
        from braketkit_runtime.requirements import requirement_hint  # type: ignore[import-not-found]
    except ImportError:
        return
    hint = requirement_hint(error, Path.cwd())
    if hint:
        error.msg = f"{error.msg}{hint}"
        error.args = (error.msg,)


def main() -> None:
    del sys.path[0]  # this file's folder: the job's process must not import braketkit's modules by accident
    code = os.getcwd()
    if code not in sys.path:
        sys.path.append(code)
    try:
        function = _customer_code(os.environ["AMZN_BRAKET_SCRIPT_ENTRY_POINT"])
        function(**_bound_hyperparameters(function))
    except Exception as error:
        if isinstance(error, ModuleNotFoundError):
            _add_requirement_hint(error)
        traceback.print_exc()
        sys.stderr.flush()
        if os.environ.get(DEBUG):
            import pdb

            print(f"\n[braketkit] --pdb: the job raised {type(error).__name__}; pdb opens where it was raised "
                  "(q quits, and the failure is recorded)", file=sys.stderr, flush=True)
            with contextlib.suppress(BaseException):  # the debugger stopped (a closed terminal): it is recorded
                pdb.post_mortem(error.__traceback__)
        _record_failure(error)
        sys.exit(1)


if __name__ == "__main__":
    main()
