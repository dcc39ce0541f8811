"""``@hybrid_job``: a thin layer over resolve → package → plan.

Decorating only records the keywords (and checks their names and types, which
needs no file and no AWS); everything else happens when the job is planned.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from typing import Any, Generic, ParamSpec, TypeVar

from .errors import BraketkitError, InvalidInput
from .model.settings import Settings
from .plan import Plan, make_plan
from .resolve import resolve
from .resolve.sources import keyword_layer
from .target import Target, target_of

__all__ = ["HybridJob", "hybrid_job"]

P = ParamSpec("P")
R = TypeVar("R")


class HybridJob(Generic[P, R]):
    """A function that runs as an Amazon Braket hybrid job."""

    def __init__(self, function: Callable[P, R], keywords: tuple[Settings | Mapping[str, Any], ...]) -> None:
        self.function = function
        self.keywords = keywords
        functools.update_wrapper(self, function)
        problems = [problem for source in keywords for problem in keyword_layer(source, "@hybrid_job")[1]]
        if problems:
            raise InvalidInput(problems)

    @functools.cached_property
    def target(self) -> Target:
        return target_of(self.function, self.keywords)

    def plan(self, *args: P.args, **kwargs: P.kwargs) -> Plan:
        """The CreateJob request and uploads that calling the job would make; nothing is sent."""
        return plan_target(self.target, args, kwargs)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Any:
        raise BraketkitError(
            "submitting to Amazon Braket is not available in this version of braketkit; "
            f"use {self.function.__name__}.plan(...) to see the request it would send"
        )


def plan_target(
    target: Target,
    args: tuple[Any, ...] | list[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    profile: str | None = None,
    assignments: tuple[str, ...] | list[str] = (),
    offline: bool = False,
) -> Plan:
    """Resolve the target's settings and plan one call of it (shared by decorator and CLI)."""
    resolved = resolve(start=target.file.parent, keywords=target.keywords, keywords_origin=target.keywords_origin,
                       profile=profile, assignments=assignments, environ=os.environ)
    return make_plan(target, resolved, args, kwargs, offline=offline, environ=os.environ)


def hybrid_job(settings: Settings | None = None, /, **keywords: Any) -> Callable[[Callable[P, R]], HybridJob[P, R]]:
    """Mark ``function`` as a hybrid job; keywords are settings (``device``, ``instance``...)."""

    sources = (settings, keywords) if settings is not None else (keywords,)

    def decorate(function: Callable[P, R]) -> HybridJob[P, R]:
        return HybridJob(function, sources)

    return decorate
