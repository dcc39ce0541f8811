"""The ``braketkit`` that job code imports: the decorator and settings classes, inert.

Braket's container has no braketkit, yet the user's module says
``from braketkit import hybrid_job``. Inside a job, that import gets this
module instead, in local runs too, so a module that needs more of braketkit
than this fails on the laptop exactly as it would in the cloud.
"""

from __future__ import annotations

import sys
import types
from typing import Any

__all__ = ["install"]


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
    sdk = types.ModuleType("braketkit.sdk", "The Braket SDK's decorator, inert inside a job.")
    sdk.__dict__.update(hybrid_job=sdk_hybrid_job)
    sdk.__getattr__ = lambda name: _missing(f"sdk.{name}")  # type: ignore[method-assign]
    module.__dict__["sdk"] = sdk
    module.__path__ = []  # a package, so that `import braketkit.sdk` finds its submodule in sys.modules
    for name in [name for name in sys.modules if name == "braketkit" or name.startswith("braketkit.")]:
        del sys.modules[name]
    sys.modules["braketkit"] = module
    sys.modules["braketkit.sdk"] = sdk
