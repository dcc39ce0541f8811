"""The ``braketkit`` that job code imports: the decorator and settings classes, inert.

Braket's container has no braketkit, yet the user's module says
``from braketkit import hybrid_job``. Inside a job, that import gets this
module instead, in local runs too, so a module that needs more of braketkit
than this fails on the laptop exactly as it would in the cloud.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__all__ = ["SDK_MODULES", "install", "sdk_attribute"]

SDK_MODULES = ("braket.jobs", "braket.aws")
"""Where ``braketkit.sdk`` finds the Braket SDK's names it does not make itself, so that an SDK import line that also
names them (``from braket.jobs import hybrid_job, save_job_checkpoint``) changes its module and nothing else."""


def hybrid_job(*settings: Any, **_keywords: Any) -> Any:
    """Inside the job, the decorated function is just the function: ``@hybrid_job`` bare or with settings."""
    if len(settings) == 1 and callable(settings[0]) and not isinstance(settings[0], _Settings):
        return _inert(settings[0])
    return _inert


def _inert(function: Any) -> Any:
    """The function, whose ``.options(...)`` is the function again: a module may say ``on_qpu = train.options(...)``
    at its top level, which the job runs when it imports the module."""
    function.options = lambda *_settings, **_keywords: function
    return function


class _Settings:
    """Accepts what the real settings classes accept; carries no behaviour in a job."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.__dict__.update(kwargs)


class BraketkitError(Exception):
    pass


class InvalidInput(BraketkitError):
    pass


def _missing(name: str) -> Any:
    raise AttributeError(
        f"braketkit.{name} is not available inside a job: jobs get only hybrid_job, the settings "
        "classes and the exceptions (Braket's container does not have braketkit installed)"
    )


def sdk_attribute(name: str) -> Any:
    """The Braket SDK's ``name``, from the first of ``SDK_MODULES`` that has it: ``braketkit.sdk``'s module
    ``__getattr__``, on the user's machine and in the job alike."""
    if name.startswith("_"):  # never the SDK's: import machinery and tools asking (__path__, __wrapped__)
        raise AttributeError(f"module 'braketkit.sdk' has no attribute {name!r}")
    missing = []
    for module_name in SDK_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing.append(module_name)
            continue
        if hasattr(module, name):
            return getattr(module, name)
    unavailable = f" ({', '.join(missing)} cannot be imported: is amazon-braket-sdk installed?)" if missing else ""
    raise AttributeError(f"module 'braketkit.sdk' has no attribute {name!r}: it has hybrid_job, AwsQuantumJob, "
                         f"LocalQuantumJob and the names of {' and '.join(SDK_MODULES)}{unavailable}")


def sdk_hybrid_job(**_keywords: Any) -> Any:
    """``braketkit.sdk.hybrid_job(device=..., ...)`` inside the job: the decorated function is just the function."""
    return _inert


def install() -> None:
    """Make ``import braketkit`` (and ``braketkit.sdk``) inside the job resolve to this stand-in."""
    module = types.ModuleType("braketkit", __doc__)
    module.__dict__.update(
        hybrid_job=hybrid_job, BraketkitError=BraketkitError, InvalidInput=InvalidInput,
        **{name: type(name, (_Settings,), {})
           for name in ("Settings", "Instance", "Stopping", "S3", "Checkpoint", "SweepLimits")},
    )
    module.__getattr__ = _missing  # type: ignore[method-assign]
    sdk = types.ModuleType("braketkit.sdk", "The Braket SDK's decorator, inert inside a job; its other names.")
    sdk.__dict__.update(hybrid_job=sdk_hybrid_job)
    sdk.__getattr__ = sdk_attribute  # type: ignore[method-assign]
    module.__dict__["sdk"] = sdk
    module.__path__ = []  # a package, so that `import braketkit.sdk` finds its submodule in sys.modules
    for name in [name for name in sys.modules if name == "braketkit" or name.startswith("braketkit.")]:
        del sys.modules[name]
    sys.modules["braketkit"] = module
    sys.modules["braketkit.sdk"] = sdk
