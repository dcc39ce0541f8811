"""``@hybrid_job``: a thin layer over the pipeline (resolve → package → plan → execute, pipeline.py).

Decorating only records the keywords (and checks their names and types, which
needs no file and no AWS); everything else happens when the job is planned.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, cast

from .errors import InvalidInput, Problem, show_plainly_when_uncaught
from .model.settings import Settings
from .pipeline import plan_target, run_many, run_target
from .places import is_main, where_defined
from .resolve import Keywords
from .resolve.sources import keyword_layer
from .target import Target, target_of

if TYPE_CHECKING:
    from .job import Job, LocalJob
    from .plan import Plan
    from .sweep import Sweep

__all__ = ["HybridJob", "hybrid_job"]

P = ParamSpec("P")
R = TypeVar("R")


class HybridJob(Generic[P, R]):
    """A function that runs as an Amazon Braket hybrid job: what ``@hybrid_job`` makes of it.

    Calling it submits the job; ``.local``, ``.plan``, ``.map`` and ``.options`` run, plan, sweep or
    re-configure the same job, and ``.function`` is the function itself, undecorated.

    Args:
        function: The function the job runs, found in the job by its module and name (or captured as source
            when it lives in a notebook or script).
        keywords: The decorator's settings, each with where it came from; kept as given, so that decorating
            reads no file and makes no AWS call.
    """

    def __init__(self, function: Callable[P, R], keywords: Keywords) -> None:
        self.function = function
        self.keywords = keywords
        functools.update_wrapper(self, function)
        problems = [problem for item in keywords
                    for problem in keyword_layer(*(item if isinstance(item, tuple) else (item, "@hybrid_job")))[1]]
        if problems:
            raise InvalidInput(problems)

    def __repr__(self) -> str:
        return f"<hybrid job {self.function.__module__}.{self.function.__qualname__}>"

    def options(self, settings: Settings | None = None, /, **keywords: Any) -> HybridJob[P, R]:
        """The same job with settings changed for the calls made through it, above the decorator's.

        ``train.options(device="forte", checkpoint={"copy_from_job": name})(steps=3)``; also
        ``.options(...).local``, ``.plan`` and ``.map``. The decorated function is unchanged.

        Args:
            settings: A ``Settings`` object; like the decorator's, it contributes only the fields it sets
                away from their defaults.
            **keywords: Settings by name, as the decorator takes them; they win over ``settings``.
        """
        caller = sys._getframe(1)
        origin = f"options() in {where_defined(caller.f_code.co_filename, caller.f_lineno)}"
        given = (settings, keywords) if settings is not None else (keywords,)
        return HybridJob(self.function, (*self.keywords, *((source, origin) for source in given)))

    @functools.cached_property
    def target(self) -> Target:
        if is_main(self.function):  # a script or notebook: braketkit's errors read as the CLI prints them
            show_plainly_when_uncaught()
        return target_of(self.function, self.keywords)

    def plan(self, *args: P.args, **kwargs: P.kwargs) -> Plan:
        """The CreateJob request and uploads that calling the job would make; nothing is sent.

        Args:
            *args: The call's positional arguments, as for the function itself.
            **kwargs: The call's keyword arguments; each argument travels as one hyperparameter.
        """
        return plan_target(self.target, args, kwargs)

    def _runnable_target(self) -> Target:
        """The target, unless the call comes from the top level of the function's own module while it is imported.

        The job imports that module to find the function, so such a call would run
        again inside the job (and ``braketkit run`` importing the file would submit it).
        """
        module = sys.modules.get(self.function.__module__)
        if getattr(getattr(module, "__spec__", None), "_initializing", False):
            caller = sys._getframe(2)
            raise InvalidInput([Problem(
                f"{self.function.__name__} is called while {self.function.__module__} is being imported, so the "
                "job, which imports it to find the function, would call it again; put the call under "
                'if __name__ == "__main__":', origin=where_defined(caller.f_code.co_filename, caller.f_lineno))])
        return self.target

    def local(self, *args: P.args, **kwargs: P.kwargs) -> LocalJob:
        """Run the job on this machine, as the cloud would run it; returns once it has ended.

        Args:
            *args: The call's positional arguments, as for the function itself.
            **kwargs: The call's keyword arguments, passed through the hyperparameters as in the cloud.
        """
        return cast("LocalJob", run_target(self._runnable_target(), args, kwargs, local=True))

    def map(self, *iterables: Iterable[Any], max_workers: int = 8, **fixed: Any) -> Sweep:
        """One job per item, like ``map``: ``train.map([10, 20, 30], lr=0.1)`` submits three jobs.

        Every call is planned first; the archive is uploaded once, and the remaining
        submissions go out ``max_workers`` at a time, paced to the service's CreateJob
        limits (``[tool.braketkit.sweep]``), waiting for running jobs to end when the
        service's quota of concurrent jobs is used up. Returns the ``Sweep``: its jobs
        in call order. An error or Ctrl-C raises ``SweepFailed`` or ``SweepInterrupted``,
        which name every job created and hold the sweep (``.sweep``).

        Args:
            *iterables: One iterable per positional parameter, zipped as ``map`` does; they must be of
                equal length.
            max_workers: How many submissions may be on their way at once.
            **fixed: Keyword arguments given to every call alike.
        """
        calls = [(args, fixed) for args in zip(*iterables, strict=True)]
        return run_many(self._runnable_target(), calls, max_workers=max_workers)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Job:
        """Submit the job to Amazon Braket (or run it here when the settings say ``local = true``).

        Returns a handle at once, unless the settings say ``wait = true``.

        Args:
            *args: The call's positional arguments, as for the function itself.
            **kwargs: The call's keyword arguments; defaults left out are the function's own in the job.
        """
        return run_target(self._runnable_target(), args, kwargs)


def hybrid_job(settings: Settings | None = None, /, **keywords: Any) -> Callable[[Callable[P, R]], HybridJob[P, R]]:
    """Mark a function as a hybrid job; keywords are settings (``device``, ``instance``...).

    Decorating only records the settings (and checks their names and types): nothing is read or sent
    until a call is planned, so a module of decorated functions imports quickly and anywhere.

    Args:
        settings: A ``Settings`` object, for settings shared by several functions; it contributes only the
            fields it sets away from their defaults, so it does not reset what ``pyproject.toml`` says.
        **keywords: Any field of ``Settings`` by name (``device="sv1"``, ``instance="ml.c5.xlarge"``,
            ``stopping={"max_runtime": "2h"}``); tables take their class, a dict, or for ``instance`` a
            type name. They win over ``settings`` and ``pyproject.toml``, and lose to ``BRAKETKIT_*``
            variables and the command line (docs/settings.md).
    """
    sources: Keywords = (settings, keywords) if settings is not None else (keywords,)

    def decorate(function: Callable[P, R]) -> HybridJob[P, R]:
        return HybridJob(function, sources)

    return decorate
