"""The CLI over the stages: typed function options, JSON output, config show and schema."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys

import boto3
import pytest

from .conftest import BASIC, Project, run_cli

TYPED = '''
from __future__ import annotations

import dataclasses
from typing import Literal

import attrs

from braketkit import hybrid_job


@attrs.define
class Ansatz:
    layers: int
    entangler: str = "cnot"


@dataclasses.dataclass
class Budget:
    shots: int


@hybrid_job(instance="ml.c5.xlarge")
def solve(
    graph: list[list[int]],
    depth: int = 1,
    gamma: float = 0.5,
    name: str = "maxcut",
    warm_start: bool = False,
    optimizer: Literal["cobyla", "adam"] = "cobyla",
    ansatz: Ansatz | None = None,
    budget: Budget = Budget(100),
    json: int = 0,
) -> dict:
    return {}
'''


@pytest.fixture
def typed(project: Project) -> Project:
    project.pyproject(BASIC)
    project.write("jobs/solve.py", TYPED)
    return project


def test_function_parameters_become_typed_options(typed: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        capsys, "plan", "--offline", "jobs/solve.py:solve", "--json", "--graph", "[[0, 1], [1, 2]]", "--depth", "3",
        "--gamma", "0.25", "--warm-start", "--optimizer", "adam", "--ansatz", '{"layers": 2}',
        "--budget", '{"shots": 5}', "--arg-json", "7", "--set", "instance.count=2",
    )
    assert (code, err) == (0, "")
    document = json.loads(out)
    call = document["call"]
    assert call["entry"] == "jobs.solve:solve"  # named from here, as `python -m jobs.solve` names it
    assert call["paths"] == ["jobs"]  # imported from the code folder, then jobs/ (a script's sibling imports)
    assert call["arguments"] == {
        "graph": "[[0,1],[1,2]]", "depth": "3", "gamma": "0.25", "warm_start": "true", "optimizer": '"adam"',
        "ansatz": '{"layers":2,"entangler":"cnot"}', "budget": '{"shots":5}', "json": "7"}
    assert document["request"]["instanceConfig"] == {"instanceType": "ml.c5.xlarge", "volumeSizeInGb": 30,
                                                     "instanceCount": 2}
    assert document["settings"]["instance.count"] == {"value": 2, "origin": "--set instance.count"}
    assert document["settings"]["instance.type"] == {"value": "ml.c5.xlarge", "origin": "@hybrid_job in solve.py"}
    [upload] = document["uploads"]
    assert upload["s3_uri"] == document["request"]["algorithmSpecification"]["scriptModeConfig"]["s3Uri"]
    assert os.path.getsize(upload["path"]) == upload["bytes"]


def test_the_json_request_is_what_boto3_create_job_accepts(typed: Project, capsys: pytest.CaptureFixture[str]) -> None:
    from botocore.validate import ParamValidator

    _, out, _ = run_cli(capsys, "plan", "jobs/solve.py:solve", "--offline", "--json", "--graph", "[[0,1]]",
                        "--set", "role=arn:aws:iam::111122223333:role/r")
    request = json.loads(out)["request"]
    client = boto3.Session(region_name="us-east-1").client("braket")
    assert set(request) <= set(inspect.signature(client.create_job).parameters) | set(
        client.meta.service_model.operation_model("CreateJob").input_shape.members)
    shape = client.meta.service_model.operation_model("CreateJob").input_shape
    assert shape is not None
    report = ParamValidator().validate(request, shape)
    assert not report.has_errors()


def test_help_lists_the_function_options(typed: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "plan", "jobs/solve.py:solve", "--help")
    assert code == 0
    assert "--warm-start / --no-warm-start" in out
    assert "[cobyla|adam]" in out
    assert "--graph JSON" in out and "[required]" in out
    assert "--arg-json INTEGER" in out


def test_missing_required_option(typed: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "plan", "jobs/solve.py:solve", "--offline")
    assert code == 2
    assert "Error: Missing option '--graph'." in err


def test_human_plan_output(typed: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "plan", "jobs/solve.py:solve", "--graph", "[[0,1]]", "--offline")
    assert code == 0
    lines = out.splitlines()
    assert lines[1:6] == [
        "           entry  jobs.solve:solve",
        "     entry point  braketkit_job:solve",
        f"         project  {typed.root}  (pyproject.toml)",
        "         shipped  ./  (the project)",
        "   imported from  ., jobs  (folders of the job's code, first wins)"]
    assert "arguments  graph=[[0,1]]" in out
    assert "instance  ml.c5.xlarge x1, 30 GB  (type: @hybrid_job in solve.py)" in out
    assert out.rstrip().endswith("Nothing was sent. `--json` prints the exact create_job request.")


def test_the_instance_line_names_where_each_part_came_from(typed: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "plan", "jobs/solve.py:solve", "--graph", "[[0,1]]", "--offline",
                           "--set", "instance.count=2")
    assert code == 0
    assert "instance  ml.c5.xlarge x2, 30 GB  (type: @hybrid_job in solve.py; count: --set instance.count)" in out
    code, out, _ = run_cli(capsys, "plan", "jobs/solve.py:solve", "--graph", "[[0,1]]", "--offline",
                           "--set", "instance.count=2", "--set", "instance.type=ml.m5.large",
                           "--set", "instance.volume_gb=40")
    assert "instance  ml.m5.large x2, 40 GB  (type: --set instance.type; count: --set instance.count; volume_gb: " \
           "--set instance.volume_gb)" in out


PROFILED = BASIC.replace("[tool.braketkit.s3]", '''hyperparameters = { api_token = "s3cr3t", optimizer = "adam" }

[tool.braketkit.s3]''') + '''
[tool.braketkit.profiles.big]
instance = { type = "ml.c5.4xlarge", count = 2 }
'''


def test_config_show_prints_origins_and_redacts_secrets(project: Project, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    project.pyproject(PROFILED)
    monkeypatch.setenv("BRAKETKIT_WAIT", "true")
    code, out, _ = run_cli(capsys, "config", "show", "--profile", "big", "--set", "job_name=x")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "profile: big"
    table = {line.split()[-3]: line for line in lines[1:]}
    assert table["hyperparameters.api_token"].split() == ["pyproject.toml:9", "hyperparameters.api_token", "=",
                                                          '"<redacted>"']
    assert table["instance.count"].split() == ["pyproject.toml:15", "(profile", "big)", "instance.count", "=", "2"]
    assert table["wait"].split() == ["env", "BRAKETKIT_WAIT", "wait", "=", "true"]
    assert table["job_name"].split() == ["--set", "job_name", "job_name", "=", '"x"']
    assert table["image"].split() == ["default", "image", "=", '"base"']
    assert "s3cr3t" not in out
    code, out, _ = run_cli(capsys, "config", "show", "--json")
    assert json.loads(out)["hyperparameters.api_token"] == {"value": "<redacted>", "origin": "pyproject.toml:9"}


def test_config_show_for_a_reference_includes_decorator_keywords(typed: Project,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(capsys, "config", "show", "jobs/solve.py:solve", "--json")
    assert json.loads(out)["instance.type"] == {"value": "ml.c5.xlarge", "origin": "@hybrid_job in solve.py"}


def test_config_show_toml_resolves_to_the_same_settings(project: Project, tmp_path: os.PathLike[str],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    project.pyproject(PROFILED)
    _, shown, _ = run_cli(capsys, "config", "show", "--profile", "big", "--toml")
    _, before, _ = run_cli(capsys, "config", "show", "--profile", "big", "--json")
    project.write("pyproject.toml", shown)
    _, after, _ = run_cli(capsys, "config", "show", "--json")
    values = lambda document: {k: v["value"] for k, v in json.loads(document).items()}  # noqa: E731
    assert values(before) == values(after)


def test_plan_in_a_real_process(typed: Project) -> None:
    done = subprocess.run([sys.executable, "-m", "braketkit", "plan", "jobs/solve.py:solve", "--graph", "[[0,1]]",
                           "--offline", "--json"], capture_output=True, text=True, check=False, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["request"]["deviceConfig"]["device"].endswith("/sv1")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and "0.2.0" in out


def test_through_clicks_runner(typed: Project) -> None:
    from click.testing import CliRunner

    from braketkit.cli import cli

    result = CliRunner().invoke(cli, ["plan", "jobs/solve.py:solve", "--graph", "[[0,1]]", "--offline", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["call"]["arguments"]["graph"] == "[[0,1]]"  # exact, as JSON
    assert document["request"]["hyperParameters"]["graph"] == "[[0, 1]]"  # as the Braket SDK's decorator shows it


def test_options_that_take_a_value_may_come_before_the_ref(typed: Project,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "plan", "--set", "job_name=early", "--profile", "", "--offline",
                             "jobs/solve.py:solve", "--graph", "[[0,1]]", "--json")
    assert (code, err) == (2, "error: --profile: profile: no profile '' in pyproject.toml; profiles defined: none\n")
    code, out, err = run_cli(capsys, "plan", "--set", "job_name=early", "--offline", "jobs/solve.py:solve",
                             "--graph", "[[0,1]]", "--json")
    assert code == 0 and json.loads(out)["request"]["jobName"] == "early"
