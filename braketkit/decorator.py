"""``@hybrid_job``: a thin layer over the pipeline (resolve → package → plan → execute, pipeline.py).

Decorating only records the keywords (and checks their names and types, which
needs no file and no AWS); everything else happens when the job is planned.
"""

from __future__ import annotations

import copy
import functools
import inspect
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import CodeType, FrameType
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, cast, overload

from .errors import InvalidInput, Problem, show_plainly_when_uncaught
from .model.settings import Settings, SettingsKeywords
from .pipeline import plan_target, rerun_job, run_many, run_target
from .places import MAIN_MODULES, is_main, where_defined
from .resolve import Keywords, KeywordSource
from .resolve.sources import keyword_problems
from .target import Target, target_of

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .job import Job, LocalJob
    from .plan import Plan
    from .sweep import Sweep

__all__ = ["HybridJob", "called_from", "hybrid_job", "job_of", "refused"]

P = ParamSpec("P")
R = TypeVar("R")


def refused(problems: list[Problem], caller: FrameType) -> InvalidInput:
    """The error for a mistake in decorating or ``.options``. Called from a script (``__main__``), it will show as
    the CLI shows it (``error: ...``, exit 2), as any braketkit error does once a job is planned there."""
    if caller.f_globals.get("__name__") in MAIN_MODULES:
        show_plainly_when_uncaught()
    return InvalidInput(problems)


def called_from(caller: FrameType) -> str:
    """Where the call a frame is making is, as a user finds it: ``train.py:12``, ``cell [3], line 2``."""
    return where_defined(caller.f_code.co_filename, caller.f_lineno)


def _snapshot(value: Any) -> Any:
    """Dicts and lists as given, copied all the way down, so that the keywords recorded do not change when the
    caller's dict or list does later (settings objects copy theirs when made)."""
    if isinstance(value, Mapping):
        return {key: _snapshot(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_snapshot(item) for item in value]
    return value


def _given(settings: object, keywords: dict[str, Any], label: str, caller: FrameType) -> tuple[KeywordSource, ...]:
    """The settings object and the keywords given (in that order, keywords winning), checked: names and types.

    A problem's origin is ``label`` (``@hybrid_job``) and the caller's line, found only when there is one.
    """
    problems = [] if settings is None or isinstance(settings, Settings) else [Problem(
        f"expected a Settings object or the function to decorate, got {type(settings).__name__}; give settings "
        "by name (device=...)")]
    if "profile" in keywords and not isinstance(keywords["profile"], str):
        problems.append(Problem(f"expected a profile's name, got {type(keywords['profile']).__name__}", "profile"))
    keywords = _snapshot(keywords)
    if isinstance(settings, Settings):  # its lists, dicts and tables given as dicts, as they are now
        settings = copy.deepcopy(settings)
    added: tuple[KeywordSource, ...] = (settings, keywords) if isinstance(settings, Settings) else (keywords,)
    for source in added:
        problems += keyword_problems(source, label)
    if problems:
        origin = f"{label} in {called_from(caller)}"
        raise refused([Problem(problem.message, problem.key, origin) for problem in problems], caller)
    return added


_ALLOWED = "braketkit runs a function defined with def at the top level of a module, script or notebook cell"


def _layers(function: object) -> Iterator[object]:
    """``function`` and what it wraps (``__wrapped__``, as ``functools.wraps`` records it), outermost first."""
    seen: set[int] = set()
    while function is not None and id(function) not in seen:
        seen.add(id(function))
        yield function
        function = getattr(function, "__wrapped__", None) if not isinstance(function, HybridJob) else None


def _function_problem(function: object) -> str | None:
    """Why ``function`` cannot be a job, or None: what the job side (runtime/entry.py) finds by its module and
    name and calls alone, and stores what the call returns."""
    inner_job = next((layer for layer in _layers(function) if isinstance(layer, HybridJob)), None)
    if inner_job is not None:  # itself, or under another decorator (functools.wraps)
        inner = inner_job.function
        return (f"{inner.__qualname__} is a hybrid job already; decorate a function once, and change its settings "
                f"with {inner.__name__}.options(...), which makes the same job with other settings")
    if isinstance(function, (staticmethod, classmethod)):
        function = function.__func__
    if inspect.isclass(function):
        if issubclass(function, Settings):
            return (f"{function.__name__} is the class; give a Settings object ({function.__name__}(device=...)) "
                    "or the settings by name (device=...)")
        return f"{function.__qualname__} is a class; {_ALLOWED}"
    if not inspect.isfunction(function):
        kind = "a built-in function" if inspect.isbuiltin(function) else f"a {_type_name(function)}"
        name = getattr(function, "__qualname__", None)
        return f"{name} is {kind}, not a function; {_ALLOWED}" if isinstance(name, str) else (
            f"got {kind}, not a function; {_ALLOWED}")
    name = function.__qualname__
    if function.__name__ == "<lambda>":
        return f"a lambda has no name the job can find it by; {_ALLOWED}"
    if "." in name.rpartition("<locals>.")[2]:
        return (f"{name} is defined in a class body, and a job runs its function alone, with no instance (self) or "
                f"class; {_ALLOWED}: pass what it needs as arguments")
    if inspect.isgeneratorfunction(function) or inspect.isasyncgenfunction(function):
        return (f"{name} is a generator function: the job calls it and keeps what the call returns, and a "
                "generator's body runs only as it is iterated; return the values (a list, say) instead")
    return None  # async def is fine: the job runs a coroutine to its end


def _type_name(value: object) -> str:
    kind = type(value)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def job_of(function: Callable[P, R], keywords: Keywords, caller: FrameType,
           make: Callable[[Callable[P, R], Keywords], HybridJob[P, R]] | None = None) -> HybridJob[P, R]:
    """The job for ``function`` (``make``: a kind of ``HybridJob`` of its own), refused here (no later) when it
    cannot be one (``_function_problem``)."""
    problem = _function_problem(function)
    if problem is not None:
        code = getattr(getattr(function, "__func__", function), "__code__", None)  # a static or class method's too
        where = where_defined(code.co_filename, code.co_firstlineno) if isinstance(code, CodeType) \
            else called_from(caller)
        raise refused([Problem(problem, origin=f"@hybrid_job in {where}")], caller)
    return (make or HybridJob)(function, keywords)


F = TypeVar("F", bound=Callable[..., Any])


class _Unset:
    """The default a settings keyword shows: one not given contributes nothing, not a default."""

    def __repr__(self) -> str:
        return "unset"


def _settings_as_keywords(function: F) -> F:
    """Show every setting as a keyword of ``function`` to ``help()``, IPython and Jupyter, which read the run-time
    signature; type checkers and editors read ``SettingsKeywords`` through ``Unpack``."""
    signature = inspect.signature(function)
    kept = [parameter for parameter in signature.parameters.values() if parameter.kind is not parameter.VAR_KEYWORD]
    keywords = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=_Unset(),
                                  annotation=getattr(kind, "__forward_arg__", kind))  # as written: 'str | None'
                for name, kind in SettingsKeywords.__annotations__.items()]
    function.__signature__ = signature.replace(parameters=[*kept, *keywords])  # type: ignore[attr-defined]
    return function


class HybridJob(Generic[P, R]):
    """A function that runs as an Amazon Braket hybrid job: what ``@hybrid_job`` makes of it.

    Calling it submits the job; ``.local``, ``.plan``, ``.map`` and ``.options`` run, plan, sweep or
    re-configure the same job, ``.rerun`` runs an earlier job of it again from its own archive, and
    ``.function`` is the function itself, undecorated.

    Args:
        function: The function the job runs, found in the job by its module and name (or captured as source
            when it lives in a notebook or script).
        keywords: The decorator's settings, each with where it came from; kept as given, so that decorating
            reads no file and makes no AWS call.
    """

    def __init__(self, function: Callable[P, R], keywords: Keywords) -> None:
        self.function = function
        self.keywords = keywords
        # Name, docstring and __wrapped__ only: the function's __dict__ copied over ours could replace function
        # and keywords (a function of the user's with attributes of those names).
        functools.update_wrapper(self, function, updated=())

    def __repr__(self) -> str:
        return f"<hybrid job {self.function.__module__}.{self.function.__qualname__}>"

    @_settings_as_keywords
    def options(self, settings: Settings | None = None, /, **keywords: Unpack[SettingsKeywords]) -> HybridJob[P, R]:
        """The same job with settings changed for the calls made through it, above the decorator's.

        ``train.options(device="forte", checkpoint={"copy_from_job": name})(steps=3)``; also
        ``.options(...).local``, ``.plan`` and ``.map``. The decorated function is unchanged. As for the
        decorator, the keywords are those of ``SettingsKeywords``.

        Args:
            settings: A ``Settings`` object; like the decorator's, it contributes the fields it was given.
            **keywords: Settings by name (``SettingsKeywords``); they win over ``settings``. A name that is no
                setting is refused with "did you mean" (a type checker refuses it first).
        """
        caller = sys._getframe(1)
        origin = f"options() in {called_from(caller)}"
        given = _given(settings, dict(keywords), "options()", caller)
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

    def local(self, *args: P.args, **kwargs: P.kwargs) -> LocalJob[R]:
        """Run the job on this machine, as the cloud would run it; returns once it has ended.

        Args:
            *args: The call's positional arguments, as for the function itself.
            **kwargs: The call's keyword arguments, passed through the hyperparameters as in the cloud.
        """
        return cast("LocalJob[R]", run_target(self._runnable_target(), args, kwargs, local=True))

    def map(self, *iterables: Iterable[Any], max_workers: int = 8, **fixed: Any) -> Sweep[R]:
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
        return cast("Sweep[R]", run_many(self._runnable_target(), calls, max_workers=max_workers))

    def rerun(self, job: Job[Any] | str, /, **arguments: Any) -> Job[R]:
        """Run an earlier job of this function again, from the very archive it ran (fetched by its digest and
        verified, never rebuilt from the files here), with its inputs and arguments unless changed.

        ``train.rerun(job, steps=50)`` changes one argument; settings a rerun may change (device, instance,
        runtime, role, reservation, image, tags, hyperparameters, job name, KMS key, checkpoint folder) come from
        ``.options``: ``train.options(device="dm1").rerun(job)``; the decorator's own settings and
        pyproject.toml's are the job's already, so they change nothing. A local job, or
        ``.options(local=True)``, reruns on this machine. Says on stderr when the working tree has changed since
        the job was planned.

        Args:
            job: The job: a handle (``train(...)``'s, a ``LocalJob``, ``AwsJob.attach(...)``), a cloud job's ARN
                or name, or a local job's name; it must be a run of this function.
            **arguments: Arguments to change, by parameter name, encoded through the function's signature as a
                call's are; the others are the job's own.
        """
        options = tuple(item for item in self.keywords if isinstance(item, tuple))
        if any(isinstance(source, Mapping) and "profile" in source for source, _ in options):
            raise InvalidInput([Problem("a rerun changes only the settings given to .options by name; a profile "
                                        "would change many at once", "profile")])
        return cast("Job[R]", rerun_job(job, arguments, target=self._runnable_target(), keywords=options))

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Job[R]:
        """Submit the job to Amazon Braket (or run it here when the settings say ``local = true``).

        Returns a handle at once, unless the settings say ``wait = true``.

        Args:
            *args: The call's positional arguments, as for the function itself.
            **kwargs: The call's keyword arguments; defaults left out are the function's own in the job.
        """
        return cast("Job[R]", run_target(self._runnable_target(), args, kwargs))


@overload
def hybrid_job(function: Callable[P, R], /) -> HybridJob[P, R]: ...


@overload
def hybrid_job(
    settings: Settings | None = None, /, **keywords: Unpack[SettingsKeywords]
) -> Callable[[Callable[P, R]], HybridJob[P, R]]: ...


@_settings_as_keywords
def hybrid_job(
    function: Callable[P, R] | Settings | None = None, /, **keywords: Any
) -> HybridJob[P, R] | Callable[[Callable[P, R]], HybridJob[P, R]]:
    """Mark a function as a hybrid job: ``@hybrid_job``, or ``@hybrid_job(device="sv1", ...)`` with settings.

    Decorating only records the settings (and checks their names and types): nothing is read or sent
    until a call is planned, so a module of decorated functions imports quickly and anywhere.

    The keywords are those of ``SettingsKeywords``: every field of ``Settings`` by its name, taking what
    the field takes; tables also take a dict (``stopping={"max_runtime": "2h"}``) and ``instance`` its
    type's name (``instance="ml.c5.xlarge"``); and ``profile``. A keyword not given contributes nothing.
    Keywords win over ``settings`` and ``pyproject.toml``, and lose to ``BRAKETKIT_*`` variables and the
    command line (docs/settings.md).

    Args:
        function: The function, when the decorator is used bare (``@hybrid_job``): one defined with ``def``
            (or ``async def``) at the top level of a module, script or notebook cell, which the job finds by
            name and calls alone; a method, lambda, generator, class or other callable is refused here. Or a
            ``Settings`` object, for settings shared by several functions: it contributes the fields it was
            given.
        **keywords: Settings by name (``SettingsKeywords``). A name that is no setting is refused here with
            "did you mean" (a type checker refuses it before the code runs).
    """
    caller = sys._getframe(1)
    if callable(function) and not isinstance(function, Settings):
        return job_of(function, _given(None, keywords, "@hybrid_job", caller), caller)
    sources = _given(function, keywords, "@hybrid_job", caller)

    def decorate(function: Callable[P, R]) -> HybridJob[P, R]:
        return job_of(function, sources, sys._getframe(1))

    return decorate
