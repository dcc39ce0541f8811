"""Unannotated parameters (issue 7): typed by their defaults, alike on the command line and in the job."""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Any

import pytest

from braketkit.pipeline import run_target
from braketkit.runtime.rebuild import ParameterType, parameter_types, rebuild
from braketkit.target import load_reference

from .conftest import BASIC, Project, run_cli

# Written as in the notebook examples: no annotations at all.
NOTEBOOK_STYLE = '''
from braketkit import hybrid_job


@hybrid_job()
def train(x, num_steps=1, lr=0.1, verbose=False, name="ansatz", layers=[1, 2], options={"shots": 100},
          shape=(2, 3), seed=None):
    return {"steps": [step for step in range(num_steps)], "lr": lr, "lr_type": type(lr).__name__,
            "x": x, "verbose": verbose, "name": name, "layers": layers, "options": options,
            "shape_type": type(shape).__name__, "seed": seed}
'''

LOCAL = '''
[tool.braketkit]
device = "local"
'''


@pytest.fixture
def notebook(project: Project) -> Project:
    project.pyproject(BASIC)
    project.write("train.py", NOTEBOOK_STYLE)
    return project


@pytest.fixture
def local(project: Project) -> Project:
    project.pyproject(LOCAL)
    project.write("train.py", NOTEBOOK_STYLE)
    sys.path.insert(0, str(project.root))  # restored after each test
    return project


def planned(capsys: pytest.CaptureFixture[str], *options: str) -> dict[str, str]:
    """The call arguments' hyperparameters of ``braketkit plan train.py:train --offline --json OPTIONS``."""
    code, out, err = run_cli(capsys, "plan", "train.py:train", "--offline", "--json", *options)
    assert (code, err) == (0, "")
    return json.loads(out)["call"]["arguments"]  # type: ignore[no-any-return]


def test_options_are_typed_by_their_defaults(notebook: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert planned(capsys, "--x", "5", "--num-steps", "3", "--lr", "1", "--verbose", "--name", "7",
                   "--layers", "[3, 4]", "--options", '{"shots": 10}', "--shape", "[1, 2]") == {
        "x": '"5"', "num_steps": "3", "lr": "1.0", "verbose": "true", "name": '"7"', "layers": "[3,4]",
        "options": '{"shots":10}', "shape": "[1,2]"}
    assert planned(capsys, "--x", "5", "--no-verbose") == {"x": '"5"', "verbose": "false"}


def test_a_none_default_takes_json_or_else_text(notebook: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert planned(capsys, "--x", "a", "--seed", "7")["seed"] == "7"
    assert planned(capsys, "--x", "a", "--seed", "[1, 2]")["seed"] == "[1,2]"
    assert "seed" not in planned(capsys, "--x", "a", "--seed", "null")  # None: the default applies in the job
    assert planned(capsys, "--x", "a", "--seed", "sv1")["seed"] == '"sv1"'
    assert planned(capsys, "--x", "a", "--seed", '"7"')["seed"] == '"7"'


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--num-steps", "1.5", "'1.5' is not a valid integer"),
    ("--lr", "fast", "'fast' is not a valid float"),
    ("--layers", '{"a": 1}', """'{"a": 1}' is not a JSON array"""),
    ("--shape", '"ab"', """'"ab"' is not a JSON array"""),
    ("--options", "[1]", "'[1]' is not a JSON object"),
    ("--layers", "[1,", "'[1,' is not JSON"),
])
def test_a_value_of_the_wrong_type_stops_at_the_command_line(
        notebook: Project, capsys: pytest.CaptureFixture[str], option: str, value: str, message: str) -> None:
    code, out, err = run_cli(capsys, "plan", "train.py:train", "--offline", "--x", "a", option, value)
    assert code == 2 and out == ""
    assert f"Invalid value for '{option}': {message}" in err


def test_help_says_where_each_type_came_from(notebook: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "plan", "train.py:train", "--help")
    assert (code, err) == (0, "")
    text = " ".join(out.split())
    assert "--x TEXT argument x: str (no annotation or default: given as text) [required]" in text
    assert "--num-steps INTEGER argument num_steps: int (from its default) [default: 1]" in text
    assert "--lr FLOAT argument lr: float (from its default) [default: 0.1]" in text
    assert "--verbose / --no-verbose argument verbose: bool (from its default) [default: False]" in text
    assert "--layers JSON argument layers: list (from its default)" in text
    assert "--options JSON argument options: dict (from its default)" in text
    assert ("--seed JSON|TEXT argument seed: JSON, or text if not JSON (no annotation, and the default gives no "
            "type) [default: None]") in text


def test_one_decision_for_both_sides() -> None:
    def f(a, b=2, c=0.5, d=True, e="s", f=[1], g={"k": 1}, h=(1, 2), i=None,  # type: ignore[no-untyped-def]  # noqa: B006
          j: int = 0.5, *args, **kwargs):  # type: ignore[assignment]  # the annotation wins over the default
        return None

    kinds = parameter_types(f)
    assert kinds == {
        "a": ParameterType(str, "neither"), "b": ParameterType(int, "default"), "c": ParameterType(float, "default"),
        "d": ParameterType(bool, "default"), "e": ParameterType(str, "default"),
        "f": ParameterType(list[Any], "default"), "g": ParameterType(dict[str, Any], "default"),
        "h": ParameterType(tuple[Any, ...], "default"), "i": ParameterType(Any, "default"),
        "j": ParameterType(int, "annotation")}


def test_the_job_rebuilds_unannotated_arguments_as_their_defaults_type() -> None:
    def f(x, lr=0.1, shape=(2, 3), steps=1, seed=None, **extra):  # type: ignore[no-untyped-def]
        return None

    rebuilt = rebuild(f, {"x": 5, "lr": 1, "shape": [1, 2], "steps": 3, "seed": [7], "other": [1]})
    assert rebuilt == {"x": 5, "lr": 1.0, "shape": (1, 2), "steps": 3, "seed": [7], "other": [1]}
    assert type(rebuilt["lr"]) is float and type(rebuilt["shape"]) is tuple
    assert type(rebuild(f, {"lr": True})["lr"]) is bool  # a bool is not cast to a number


@dataclasses.dataclass
class Budget:
    shots: int
    rate: float = 0.5


def test_a_dataclass_default_rebuilds_its_class() -> None:
    def f(budget=Budget(100)):  # type: ignore[no-untyped-def]  # noqa: B008
        return None

    assert parameter_types(f) == {"budget": ParameterType(Budget, "default")}
    assert rebuild(f, {"budget": {"shots": 5, "rate": 1}}) == {"budget": Budget(5, 1.0)}


def test_a_local_run_gets_numbers_not_text(local: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", "train.py:train", "--local", "--json", "--x", "hello",
                             "--num-steps", "3", "--lr", "1", "--no-verbose", "--seed", "sv1", "--shape", "[4, 5]")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["state"] == "COMPLETED"
    assert document["result"] == {
        "steps": [0, 1, 2], "lr": 1.0, "lr_type": "float", "x": "hello", "verbose": False, "name": "ansatz",
        "layers": [1, 2], "options": {"shots": 100}, "shape_type": "tuple", "seed": "sv1"}


def test_a_python_call_gets_the_defaults_type_in_the_job(local: Project) -> None:
    job = run_target(load_reference("train.py:train"), (), {"x": 5, "lr": 1}, local=True, echo=False)
    result = job.result()
    assert (result["x"], result["lr"], result["lr_type"]) == (5, 1.0, "float")
