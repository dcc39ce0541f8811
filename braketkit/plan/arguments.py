"""A call's arguments, twice: exactly, as JSON for the job's runtime, and as text in the hyperparameters.

The exact form travels in the job's call (``model.provenance.JobCall``, in its planned record): attrs classes and
dataclasses are unstructured by the converter, and the job's runtime rebuilds them from the function's annotations.
A value whose JSON would not give back the same value (a set, a non-string dict key, NaN, an object) is refused here
rather than changed silently. The hyperparameters show the call as the Braket SDK's decorator writes it (every
parameter bound, defaults included, each as its ``str``), for the console and for code that reads them.
"""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..converter import converter
from ..errors import InvalidInput, Problem

__all__ = ["HINT", "encode_arguments", "shown_arguments", "shown_text"]

HINT = "pass it as input data instead ([tool.braketkit.input] name = \"path\") and read it in the job"


def _json_problem(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, (bool, int, str)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where} is {value}, which JSON cannot hold"
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            if (problem := _json_problem(item, f"{where}[{index}]")) is not None:
                return problem
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{where} has a key of type {type(key).__name__}; JSON keys are strings"
            if (problem := _json_problem(item, f"{where}[{key!r}]")) is not None:
                return problem
        return None
    return f"{where} is a {type(value).__name__}, which has no JSON form"


_SHOWN_AS = str.maketrans({"\n": " ", "$": "?", "(": "{", ")": "}", "&": "+", "`": "'"})
"""The Braket SDK's decorator writes a hyperparameter without the characters the service may refuse, so: the same."""


def shown_text(value: Any, longest: int) -> str:
    """``value`` as the Braket SDK's decorator writes a hyperparameter: its ``str``, those characters replaced, and,
    when longer than ``longest``, its start and its last 20 characters."""
    text = str(value).translate(_SHOWN_AS)
    return text if len(text) <= longest else f"{text[: longest - 23]}...{text[-20:]}"


def shown_arguments(function: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any],
                    longest: int) -> dict[str, str]:
    """The hyperparameters of a call as the Braket SDK's decorator writes them: each parameter a keyword can give,
    bound, defaults included (``**kwargs``' entries by their own names), as ``shown_text``. Positional-only and
    ``*args`` parameters are left out, as there; so is a value whose text is empty, which the service refuses."""
    signature = inspect.signature(function)
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    shown: dict[str, Any] = {}
    for name, value in bound.arguments.items():
        kind = signature.parameters[name].kind
        if kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY):
            shown[name] = value
        elif kind is inspect.Parameter.VAR_KEYWORD:
            shown |= value
    texts = {name: shown_text(value, longest) for name, value in shown.items()}
    return {name: text for name, text in texts.items() if text}


def encode_arguments(
    function: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any], max_length: int,
    partial: bool = False,
) -> dict[str, str]:
    """Each argument given as JSON text, by parameter name, at most ``max_length`` characters; ``partial``: some of
    a call's arguments (a rerun's changes), the others being the job's own."""
    signature = inspect.signature(function)
    label = f"{function.__qualname__}{signature}"
    if inspect.isgeneratorfunction(function) or inspect.isasyncgenfunction(function):
        raise InvalidInput([Problem(f"{function.__qualname__} is a generator: what it yields is not a result the "
                                    "job can store; return a list instead", "entry")])
    try:
        bound = signature.bind_partial(*args, **kwargs) if partial else signature.bind(*args, **kwargs)
    except TypeError as error:
        raise InvalidInput([Problem(f"{error} (signature: {label})", "arguments")]) from None
    named: list[tuple[str, Any]] = []
    for name, value in bound.arguments.items():
        kind = signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            if value:
                raise InvalidInput([Problem(f"*{name} cannot travel to the job; give the function named parameters",
                                            "arguments")])
        elif kind is inspect.Parameter.VAR_KEYWORD:
            named += value.items()
        else:
            named.append((name, value))
    encoded: dict[str, str] = {}
    problems: list[Problem] = []
    for name, value in named:
        plain = converter.unstructure(value)
        problem = _json_problem(plain, name)
        if problem is not None:
            problems.append(Problem(f"{problem}; {HINT}", f"argument {name}"))
            continue
        text = json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
        if len(text) > max_length:
            problems.append(Problem(f"is {len(text)} characters as JSON, over the {max_length} the job's call may "
                                    f"hold; {HINT}", f"argument {name}"))
            continue
        encoded[name] = text
    if problems:
        raise InvalidInput(problems)
    return encoded
