"""braketkit: run a decorated Python function as an Amazon Braket hybrid job.

Importing braketkit imports neither boto3 nor botocore; names resolve lazily.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "S3",
    "AwsError",
    "AwsJob",
    "BraketkitError",
    "Checkpoint",
    "HybridJob",
    "Instance",
    "InvalidInput",
    "JobFailed",
    "LocalJob",
    "Plan",
    "Settings",
    "SpendingLimitReached",
    "Stopping",
    "Sweep",
    "SweepFailed",
    "SweepInterrupted",
    "SweepLimits",
    "hybrid_job",
    "plot_metrics",
]

__version__ = "0.2.0"

_HOMES = {
    "hybrid_job": "braketkit.decorator",
    "HybridJob": "braketkit.decorator",
    "Plan": "braketkit.plan",
    "BraketkitError": "braketkit.errors",
    "AwsError": "braketkit.errors",
    "AwsJob": "braketkit.job",
    "LocalJob": "braketkit.job",
    "JobFailed": "braketkit.errors",
    "InvalidInput": "braketkit.errors",
    "SpendingLimitReached": "braketkit.errors",
    "Settings": "braketkit.model.settings",
    "Instance": "braketkit.model.settings",
    "Stopping": "braketkit.model.settings",
    "S3": "braketkit.model.settings",
    "Checkpoint": "braketkit.model.settings",
    "SweepLimits": "braketkit.model.settings",
    "Sweep": "braketkit.sweep",
    "SweepFailed": "braketkit.errors",
    "SweepInterrupted": "braketkit.errors",
    "plot_metrics": "braketkit.job.plot",
}

if TYPE_CHECKING:
    from .decorator import HybridJob, hybrid_job
    from .errors import (
        AwsError,
        BraketkitError,
        InvalidInput,
        JobFailed,
        SpendingLimitReached,
        SweepFailed,
        SweepInterrupted,
    )
    from .job import AwsJob, LocalJob
    from .job.plot import plot_metrics
    from .model.settings import S3, Checkpoint, Instance, Settings, Stopping, SweepLimits
    from .plan import Plan
    from .sweep import Sweep


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'braketkit' has no attribute {name!r}")
