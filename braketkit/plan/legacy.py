"""The job-side contract of braketkit 0.1, read and written again for its jobs.

braketkit 0.1 named its runtime as every job's entry point and kept the call in hyperparameters of its own
(``braketkit_entry``, ``braketkit_args``, ...), which the service keeps. A rerun of such a job runs its archive, whose
runtime reads them: so ``rerun`` writes them as that runtime expects, and ``show`` and ``result`` read them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from ..model.provenance import JobCall

__all__ = ["LEGACY_ENTRY_POINT", "LEGACY_HYPERPARAMETERS", "is_legacy", "legacy_call", "legacy_hyperparameters"]

LEGACY_ENTRY_POINT = "braketkit_runtime.entry:main"
"""The entry point of every job braketkit 0.1 made: its runtime, which read the call from the hyperparameters."""
LEGACY_HYPERPARAMETERS = {"entry": "braketkit_entry", "path": "braketkit_path", "arguments": "braketkit_args",
                          "result_format": "braketkit_result_format", "inputs": "braketkit_inputs",
                          "cwd": "braketkit_cwd"}
"""The hyperparameters braketkit 0.1 gave its jobs, by the ``JobCall`` field each held."""


def is_legacy(entry_point: str | None) -> bool:
    """Whether a job with this entry point was made by braketkit 0.1 (its archive's runtime reads hyperparameters)."""
    return entry_point == LEGACY_ENTRY_POINT


def legacy_call(hyperparameters: Mapping[str, str]) -> JobCall | None:
    """The call a braketkit 0.1 job's hyperparameters hold; None for its script jobs (an entry without ``:``)."""
    names = LEGACY_HYPERPARAMETERS
    entry = hyperparameters.get(names["entry"], "")
    if ":" not in entry:
        return None
    arguments = [name for name in hyperparameters.get(names["arguments"], "").split(",") if name in hyperparameters]
    try:
        inputs = json.loads(hyperparameters.get(names["inputs"], "{}"))
    except ValueError:
        inputs = {}
    path = hyperparameters.get(names["path"])
    return JobCall(entry=entry, paths=[path] if path else [], arguments={name: hyperparameters[name] for name in
                                                                         arguments},
                   result_format=hyperparameters.get(names["result_format"], "plaintext"),
                   inputs={str(key): str(value) for key, value in inputs.items()} if isinstance(inputs, dict) else {},
                   cwd=hyperparameters.get(names["cwd"]))


def legacy_hyperparameters(call: JobCall, others: Mapping[str, str]) -> dict[str, str]:
    """A braketkit 0.1 job's hyperparameters for ``call`` (a rerun of such a job runs its archive, whose runtime
    reads them), beside ``others``: the hyperparameters that are not the call's."""
    names = LEGACY_HYPERPARAMETERS
    values = {key: value for key, value in others.items() if key not in names.values()}
    values[names["entry"]] = call.entry
    if call.paths:
        values[names["path"]] = call.paths[0]
    if call.arguments:
        values[names["arguments"]] = ",".join(call.arguments)
    if call.result_format != "plaintext":
        values[names["result_format"]] = call.result_format
    if call.inputs:
        values[names["inputs"]] = json.dumps(call.inputs, separators=(",", ":"))
    if call.cwd:
        values[names["cwd"]] = call.cwd
    return values | call.arguments
