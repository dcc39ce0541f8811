"""The typed front door: the decorator's keywords stay the settings, typed as the docs say; objects say what
they set; decoration checks names and types (tests/typing/promises.py holds what mypy must see)."""

from __future__ import annotations

import copy
import functools
import inspect
import pickle
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import attrs
import cattrs.errors
import pytest

import braketkit.model.settings as model
from braketkit import HybridJob, InvalidInput, Settings, Stopping, hybrid_job
from braketkit.converter import converter
from braketkit.errors import Problem
from braketkit.places import display_path
from braketkit.resolve import resolve
from braketkit.resolve.keys import fits, leaf_type, maps, scalars, tables

from .conftest import Project

FIELDS = [field.name for field in attrs.fields(Settings)]
KEYWORDS = typing.get_type_hints(model.SettingsKeywords)


def test_the_keywords_are_the_settings_and_the_profile() -> None:
    assert list(KEYWORDS) == [*FIELDS, "profile"]  # a new setting needs its keyword


@pytest.mark.parametrize("function", [hybrid_job, HybridJob.options])
def test_help_and_jupyter_see_every_setting_as_a_keyword(function: Any) -> None:
    keywords = [parameter.name for parameter in inspect.signature(function).parameters.values()
                if parameter.kind is parameter.KEYWORD_ONLY]
    assert keywords == list(KEYWORDS)
    device = inspect.signature(function).parameters["device"]
    assert repr(device.default) == "unset" and device.annotation == "str | None"  # as help() shows it


def _arms(kind: Any) -> list[Any]:
    return list(typing.get_args(kind)) if typing.get_origin(kind) in (typing.Union, type(int | str)) else [kind]


_ACCEPTS = {model.Seconds: [int, str], model.ParameterText: [str, int, float, bool]}
"""What a field of these types is given as: what the converter reads."""


def _covers(accepted: Any, field: Any) -> bool:
    """Whether a keyword annotated ``accepted`` takes every value the settings field of type ``field`` holds."""
    offered = _arms(accepted)
    for arm in [kind for each in _arms(field) for kind in _ACCEPTS.get(each, [each])]:
        origin, args = typing.get_origin(arm), typing.get_args(arm)
        if attrs.has(arm):
            table = next((kind for kind in offered if typing.is_typeddict(kind)), None)
            hints = typing.get_type_hints(table) if table else {}
            fields = typing.get_type_hints(arm)
            if arm not in offered or list(hints) != list(fields) or not all(
                    _covers(hints[name], fields[name]) for name in fields):
                return False
        elif origin is dict:
            maps_ = [kind for kind in offered if typing.get_origin(kind) in (dict, Mapping)]
            if not any(_covers(typing.get_args(kind)[1], args[1]) for kind in maps_):
                return False
        elif origin is list:
            if not any(typing.get_origin(kind) is list and _covers(typing.get_args(kind)[0], args[0])
                       for kind in offered):
                return False
        elif arm not in offered and not (arm is int and float in offered):
            return False
    return True


def test_each_keyword_accepts_what_its_field_holds() -> None:
    fields = typing.get_type_hints(Settings)
    wrong = [name for name, accepted in KEYWORDS.items() if name != "profile" and not _covers(accepted, fields[name])]
    assert wrong == []
    assert not _covers(str, int) and not _covers(model.InstanceTable, model.Instance)  # the check can fail


def test_the_tables_as_dicts_have_their_classes_fields() -> None:
    for cls, table in [(model.Instance, model.InstanceTable), (model.Stopping, model.StoppingTable),
                       (model.S3, model.S3Table), (model.Checkpoint, model.CheckpointTable),
                       (model.SweepLimits, model.SweepTable)]:
        assert list(typing.get_type_hints(table)) == [field.name for field in attrs.fields(cls)]


SAMPLES = [None, "x", "2h", "", 0, 7, 1.5, True, False, ["a"], ("a", "b"), [1], {"a": "b"}, "data_parallel",
           "plaintext", "pickled_v4"]


@pytest.mark.parametrize("key", [*scalars(), *(f"{name}.x" for name in maps()),
                                 *(f"{name}.{field.name}" for name, cls in tables().items()
                                   for field in attrs.fields(cls))])
def test_decoration_judges_types_as_the_converter_does(key: str) -> None:
    kind = leaf_type(key)
    for value in SAMPLES:
        try:
            converter.structure(value, kind)
            read = True
        except (TypeError, ValueError, cattrs.errors.CattrsError):
            read = False
        if kind is model.Seconds and isinstance(value, str):
            continue  # the text of a duration is read at plan time; its type is all decorating judges
        assert fits(value, kind) == read, (key, value)


def test_the_decorator_bare_or_with_settings() -> None:
    @hybrid_job
    def bare(steps: int = 1) -> int:
        return steps

    @hybrid_job(device="sv1", stopping={"max_runtime": "2h"})
    def configured(steps: int = 1) -> int:
        return steps

    assert bare.function.__name__ == "bare" and bare.keywords == ({},)
    assert configured.keywords == ({"device": "sv1", "stopping": {"max_runtime": "2h"}},)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: hybrid_job(device=42, wait="yes"),  # type: ignore[call-overload]
     "2 problems:\n  - @hybrid_job: device: expected a string, got an integer (42)\n"
     "  - @hybrid_job: wait: expected true or false, got a string ('yes')"),
    (lambda: hybrid_job(devcie="sv1"),  # type: ignore[call-overload]
     "@hybrid_job: devcie: unknown setting; did you mean 'device'?"),
    (lambda: hybrid_job("sv1"),  # type: ignore[call-overload]
     "@hybrid_job: expected a Settings object or the function to decorate, got str; give settings by name "
     "(device=...)"),
    (lambda: hybrid_job(Settings(), profile=3),  # type: ignore[call-overload]
     "@hybrid_job: profile: expected a profile's name, got int"),
    (lambda: hybrid_job(stopping={"max_runtime": 1.5}),  # type: ignore[call-overload]
     '@hybrid_job: stopping.max_runtime: expected a duration (whole seconds, or a string such as "2h" or '
     '"1h30m"), got a number (1.5)'),
])
def test_decorating_refuses_wrong_names_and_types(call: Any, message: str) -> None:
    """Each problem names the line of the decorator (a script shows the message alone, without a traceback)."""
    with pytest.raises(InvalidInput) as caught:
        call()
    where = f"@hybrid_job in {display_path(Path(__file__))}:{call.__code__.co_firstlineno}:"
    assert str(caught.value) == message.replace("@hybrid_job:", where)


def test_a_settings_object_sets_what_it_was_given_even_a_default(project: Project) -> None:
    project.pyproject('[tool.braketkit]\nwait = true\nimage = "pytorch"\n[tool.braketkit.instance]\ncount = 4\n')

    def resolved(*keywords: Any) -> Settings:
        return resolve(start=project.root, keywords=keywords, environ={}).settings

    assert resolved(Settings(wait=False)).wait is False  # the default, given: it overrides pyproject.toml
    assert resolved(Settings(wait=False)).image == "pytorch"  # what it was not given: pyproject.toml's
    assert resolved(Settings()).wait is True
    assert resolved(Settings(instance=model.Instance(count=1))).instance.count == 1
    assert resolved(Settings(instance=model.Instance(type="ml.c5.xlarge"))).instance.count == 4
    origins = resolve(start=project.root, keywords=(Settings(wait=False),), environ={},
                      keywords_origin="@hybrid_job in t.py").origins
    assert origins["wait"] == "@hybrid_job in t.py"


def test_settings_objects_take_the_documented_forms() -> None:
    assert Stopping(max_runtime="2h").max_runtime == 7200
    assert Stopping(max_runtime=60).max_runtime == 60
    assert Settings(hyperparameters={"lr": 0.1, "on": True, "name": "x"}).hyperparameters == {
        "lr": "0.1", "on": "true", "name": "x"}
    kept: Literal["6x"] = Stopping(max_runtime="6x").max_runtime  # type: ignore[assignment]
    assert kept == "6x"  # what cannot be read stays, for resolve to report with its key and origin


SETTINGS_CLASSES = [model.Instance, model.Stopping, model.S3, model.Checkpoint, model.SweepLimits, Settings]


@pytest.mark.parametrize("cls", SETTINGS_CLASSES)
def test_help_and_ipython_show_the_real_defaults(cls: Any) -> None:
    """Not ``= NOTHING`` (attrs' word for a factory, which the record of given fields makes of every default)."""
    signature = inspect.signature(cls)
    assert "NOTHING" not in str(signature)
    made = cls()
    for field in attrs.fields(cls):
        assert signature.parameters[field.alias].default == getattr(made, field.name), field.name
    assert "= 'ml.m5.large'" in str(inspect.signature(model.Instance))
    assert inspect.signature(Settings).parameters["include"].default == []


def _resolved(project: Project, *keywords: Any) -> Settings:
    return resolve(start=project.root, keywords=keywords, environ={}).settings


@pytest.mark.parametrize("copied", [copy.copy, copy.deepcopy, lambda value: pickle.loads(pickle.dumps(value))],
                         ids=["copy", "deepcopy", "pickle"])
def test_copies_and_pickles_remember_what_was_given(project: Project, copied: Any) -> None:
    project.pyproject('[tool.braketkit]\nwait = true\nimage = "pytorch"\n[tool.braketkit.instance]\ncount = 4\n')
    original = Settings(wait=False, instance=model.Instance(type="ml.c5.xlarge"))
    twin = copied(original)
    assert twin == original and model.given_fields(twin) == frozenset({"wait", "instance"})
    assert model.given_fields(twin.instance) == frozenset({"type"})
    settings = _resolved(project, twin)
    assert (settings.wait, settings.image, settings.instance.type, settings.instance.count) == (
        False, "pytorch", "ml.c5.xlarge", 4)


def test_evolve_gives_every_field_as_the_docs_say(project: Project) -> None:
    project.pyproject('[tool.braketkit]\nwait = true\nimage = "pytorch"\n')
    evolved = attrs.evolve(Settings(job_name="a"), job_name="b")
    assert model.given_fields(evolved) == frozenset(FIELDS)
    assert _resolved(project, evolved).image == "base"


def test_settings_copy_the_lists_and_dicts_they_are_given() -> None:
    """A frozen object does not change when the caller's list or dict does afterwards."""
    given: dict[str, Any] = {"include": ["a"], "exclude": ["b"], "dependencies": ["numpy"], "tags": {"t": "1"},
                             "hyperparameters": {"lr": "0.1"}, "input": {"i": "data"}, "devices": {"d": "arn"}}
    settings = Settings(**given)
    for value in given.values():
        value.clear()
    assert attrs.asdict(settings, recurse=False, filter=lambda field, _: field.name in given) == {
        "include": ["a"], "exclude": ["b"], "dependencies": ["numpy"], "tags": {"t": "1"},
        "hyperparameters": {"lr": "0.1"}, "input": {"i": "data"}, "devices": {"d": "arn"}}


def test_a_settings_object_is_recorded_as_it_is_when_given(project: Project) -> None:
    """Changing the object's dicts (or a table given as a dict) after decorating changes nothing recorded."""
    project.pyproject('[tool.braketkit]\n')
    instance: dict[str, Any] = {"count": 2}
    shared = Settings(instance=instance, tags={"a": "1"})  # type: ignore[arg-type]  # a dict: accepted at run time

    @hybrid_job(shared)
    def train() -> None: ...

    options = train.options(shared)
    instance["count"] = 5
    shared.tags["a"] = "X"
    for recorded in (train, options):
        settings = resolve(start=project.root, keywords=recorded.keywords, environ={}).settings
        assert (settings.instance.count, settings.tags) == (2, {"a": "1"})


def test_an_integer_too_large_for_a_number_is_refused(project: Project) -> None:
    project.pyproject('[tool.braketkit]\n')
    with pytest.raises(InvalidInput) as caught:
        resolve(start=project.root, keywords=({"sweep": {"poll": 10**400}},), environ={})
    assert "sweep.poll: expected a number" in str(caught.value) and "401 characters" in str(caught.value)


@pytest.mark.parametrize(("field", "value", "got"), [
    ("hyperparameters", "abc", "a string ('abc')"), ("hyperparameters", 5, "an integer (5)"),
    ("hyperparameters", None, "NoneType"), ("hyperparameters", [("a", "b")], "a list"),
    ("tags", "abc", "a string ('abc')"), ("include", "a*", "a string ('a*')"), ("dependencies", 3, "an integer (3)"),
])
def test_what_a_settings_object_cannot_read_is_reported_with_its_key(project: Project, field: str, value: Any,
                                                                    got: str) -> None:
    settings = Settings(**{field: value})
    with pytest.raises(InvalidInput) as caught:
        resolve(start=project.root, keywords=(settings,), environ={}, keywords_origin="@hybrid_job in t.py")
    [problem] = caught.value.problems
    assert (problem.origin, problem.key) == ("@hybrid_job in t.py", field)
    assert problem.message.endswith(f", got {got}")
    if field == "hyperparameters":
        assert problem.message == f"expected a table of strings, numbers or booleans, got {got}"


LOCAL = "local:braket/braket_sv"
ALLOWED = "braketkit runs a function defined with def at the top level of a module, script or notebook cell"


def _refusal(make: Any) -> Problem:
    with pytest.raises(InvalidInput) as caught:
        make()
    [problem] = caught.value.problems
    return problem


def test_a_method_is_refused_at_decoration() -> None:
    """A job cannot carry ``self``: ``K().meth.local(3)`` would have passed 3 as ``self``."""
    def method() -> None:
        class K:
            @hybrid_job(device=LOCAL)
            def meth(self, x: int = 1) -> int:
                return x

    problem = _refusal(method)
    where = f"{display_path(Path(__file__))}:{method.__code__.co_firstlineno + 2}"
    assert str(problem) == (
        f"@hybrid_job in {where}: test_a_method_is_refused_at_decoration.<locals>.method.<locals>.K.meth is defined "
        f"in a class body, and a job runs its function alone, with no instance (self) or class; {ALLOWED}: pass "
        "what it needs as arguments")
    module = "class K:\n    @hybrid_job\n    def meth(self):\n        return 1\n"  # a class of a module, and a static
    static = "class K:\n    @hybrid_job\n    @staticmethod\n    def meth():\n        return 1\n"  # method
    for source in (module, static):
        namespace = {"__name__": "jobs", "hybrid_job": hybrid_job}
        problem = _refusal(lambda source=source, namespace=namespace: exec(compile(source, "jobs.py", "exec"),
                                                                              namespace))
        assert str(problem).startswith("@hybrid_job in jobs.py:2: K.meth is defined in a class body")


def test_decorating_a_job_again_is_refused_and_points_at_options() -> None:
    def base(x: int = 1) -> int:
        return x

    inner = hybrid_job(device=LOCAL)(base)

    @functools.wraps(inner)
    def wrapper(*args: Any, **kwargs: Any) -> Any:  # another decorator, between the two
        return inner(*args, **kwargs)

    for again in (lambda: hybrid_job(device="sv1")(inner), lambda: hybrid_job(inner),
                  lambda: hybrid_job(device="sv1")(wrapper)):
        assert _refusal(again).message == (
            "test_decorating_a_job_again_is_refused_and_points_at_options.<locals>.base is a hybrid job already; "
            "decorate a function once, and change its settings with base.options(...), which makes the same job "
            "with other settings")


def test_a_function_with_attributes_named_like_the_jobs_keeps_its_settings() -> None:
    """The function's ``__dict__`` is not copied over the job's: ``.keywords`` and ``.function`` stay the job's."""
    def base(x: int = 1) -> int:
        return x

    base.keywords = ({"device": LOCAL},)  # type: ignore[attr-defined]
    base.function = len  # type: ignore[attr-defined]
    job = hybrid_job(device="sv1")(base)
    assert job.keywords == ({"device": "sv1"},) and job.function is base
    assert job.__name__ == "base" and job.__wrapped__ is base  # type: ignore[attr-defined]


class _Callable:
    def __call__(self) -> int:
        return 1


def _generator() -> Any:
    yield 1


async def _async_generator() -> Any:
    yield 1


def _base(x: int = 1) -> int:
    return x


@pytest.mark.parametrize(("thing", "message"), [
    (len, f"len is a built-in function, not a function; {ALLOWED}"),
    (functools.partial(_base, 5), f"got a functools.partial, not a function; {ALLOWED}"),
    (_Callable(), f"got a tests.test_typing._Callable, not a function; {ALLOWED}"),
    (_Callable, f"_Callable is a class; {ALLOWED}"),
    (Settings, "Settings is the class; give a Settings object (Settings(device=...)) or the settings by name "
               "(device=...)"),
    (lambda x=1: x, f"a lambda has no name the job can find it by; {ALLOWED}"),
    (_generator, "_generator is a generator function: the job calls it and keeps what the call returns, and a "
                 "generator's body runs only as it is iterated; return the values (a list, say) instead"),
    (_async_generator, "_async_generator is a generator function: the job calls it and keeps what the call returns, "
                       "and a generator's body runs only as it is iterated; return the values (a list, say) instead"),
], ids=["builtin", "partial", "callable-object", "class", "settings-class", "lambda", "generator", "async-generator"])
def test_what_is_no_function_defined_with_def_is_refused_at_decoration(thing: Any, message: str) -> None:
    for decorate in (hybrid_job, hybrid_job(device=LOCAL)):
        problem = _refusal(lambda decorate=decorate: decorate(thing))
        assert problem.message == message
        assert problem.origin is not None and problem.origin.startswith("@hybrid_job in ")


def test_an_async_function_is_a_job() -> None:
    """The job runs a coroutine function to its end (runtime/entry.py; tests/test_capture.py runs one)."""
    async def train(steps: int = 2) -> int:
        return steps

    assert hybrid_job(train).function is train
