"""The Braket SDK's hybrid-job interface on braketkit's engine: change the import line, keep the code.

``from braketkit.sdk import hybrid_job`` is ``braket.jobs.hybrid_job``, keyword for keyword, and
``AwsQuantumJob.create(...)`` / ``LocalQuantumJob.create(...)`` are the SDK's script jobs; the job objects they give
answer what SDK code asks of them (``state()``, ``result()``, ``download_result()``, ``logs()``, ``metrics()``,
``cancel()``, ``arn``, ``name``). Underneath, every SDK keyword is a braketkit setting whose origin names it, so
``plan``, ``show``, ``rerun`` and braketkit's guarantees hold: source shipped (no pickle, no Python-version lock),
nothing sent when a function is decorated, an unchanged tree uploaded zero times, one client token for every retry,
results extracted safely. docs/migration.md maps each SDK keyword to braketkit's own.

Other names are the SDK's own, from ``braket.jobs`` or ``braket.aws``, so an import line naming them with the
decorator (``from braketkit.sdk import hybrid_job, save_job_checkpoint``) needs no second line.
"""

from __future__ import annotations

from ..runtime.stand_in import sdk_attribute as __getattr__  # noqa: F401  (the SDK's other names, looked up lazily)
from .decorator import SdkHybridJob, hybrid_job
from .jobs import AwsQuantumJob, LocalQuantumJob

__all__ = ["AwsQuantumJob", "LocalQuantumJob", "SdkHybridJob", "hybrid_job"]
