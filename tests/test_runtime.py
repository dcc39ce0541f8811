"""The job-side runtime in an emulated container: standard library only, any Python from 3.10."""

from __future__ import annotations

import glob
import json
import subprocess
import sys
from pathlib import Path

import pytest

from braketkit.converter import converter
from braketkit.pipeline import plan_target
from braketkit.runtime.entry import FAILURE_LIMIT
from braketkit.target import load_reference

from .conftest import Project
from .container import extract_built_archive, record_inputs, run_in_container

PROJECT = '''
[tool.braketkit]
device = "local"
region = "us-east-1"
role = "arn:aws:iam::111122223333:role/r"
dependencies = ["numpy"]
'''

JOBS = '''
from __future__ import annotations

import dataclasses
import os
import sys

from braketkit import hybrid_job


@dataclasses.dataclass
class Schedule:
    steps: int
    rates: tuple[float, ...] = (0.1,)


@hybrid_job()
def train(schedule: Schedule, names: list[str], scale: float = 1.0, pair: tuple[int, int] = (0, 0)) -> dict:
    import helpers.maths as maths
    return {"steps": schedule.steps, "rates": list(schedule.rates), "names": names, "scale": scale,
            "pair": list(pair), "double": maths.double(schedule.steps), "python": sys.version_info[:2],
            "cwd_is_code": os.getcwd() == os.path.dirname(os.path.dirname(maths.__file__)),
            "utils": __import__("utils").WHO}


@hybrid_job()
def explode(depth: int = 3) -> None:
    if depth:
        explode(depth - 1)
    raise ValueError("the optimiser diverged: " + "x" * 3000)


@hybrid_job()
def scalar() -> float:
    return 0.25
'''


@pytest.fixture
def job_project(project: Project) -> Project:
    project.pyproject(PROJECT)
    project.write("jobs.py", JOBS)
    project.write("helpers/__init__.py", "")
    project.write("helpers/maths.py", "def double(x):\n    return 2 * x\n")
    project.write("utils.py", "WHO = 'the project'\n")  # shadows any installed "utils"
    project.write("tools/requirements.txt", "pandas\n")
    return project


def _interpreters() -> list[str]:
    found = [sys.executable]
    for version in ("3.10", "3.12", "3.13"):
        found += sorted(glob.glob(f"/root/.pyenv/versions/{version}.*/bin/python{version}"))[:1]
    return found


def _plan(ref: str, *args: object, **kwargs: object) -> tuple[dict[str, object], Path, Path]:
    """The request, the archive, and an input folder with the job's record channel."""
    plan = plan_target(load_reference(ref), args, kwargs, offline=True)
    inputs = record_inputs(plan.record, Path.cwd().parent / f"inputs-{plan.request.job_name}")
    return converter.unstructure(plan.request), plan.archive.path, inputs


@pytest.mark.parametrize("python", _interpreters(), ids=lambda p: Path(p).name)
@pytest.mark.parametrize("bind", [True, False], ids=["bound", "bare"])
def test_runtime_runs_with_the_standard_library_only(job_project: Project, tmp_path: Path, python: str,
                                                     bind: bool) -> None:
    """-I -S: no site-packages, so no braketkit, attrs, cattrs or numpy, in the job's interpreter."""
    request, archive, inputs = _plan("jobs.py:train", {"steps": 4, "rates": [0.5, 0.25]}, ["a", "b"], pair=(1, 2))
    run = run_in_container([python, "-I", "-S"], request, archive, tmp_path / "container", bind=bind,
                           inputs=inputs)
    assert run.returncode == 0, run.output
    assert run.requirements == ["requirements.txt", "tools/requirements.txt"]
    document = json.loads(run.results.read_text())
    assert document["dataFormat"] == "plaintext"
    data = document["dataDictionary"]
    assert {k: data[k] for k in ("steps", "rates", "names", "scale", "pair", "double", "cwd_is_code", "utils")} == {
        "steps": 4, "rates": [0.5, 0.25], "names": ["a", "b"], "scale": 1.0, "pair": [1, 2], "double": 8,
        "cwd_is_code": True, "utils": "the project"}
    version = subprocess.run([python, "-c", "import sys; print(list(sys.version_info[:2]))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert data["python"] == json.loads(version)


def test_an_exception_becomes_the_failure_reason(job_project: Project, tmp_path: Path) -> None:
    request, archive, inputs = _plan("jobs.py:explode")
    run = run_in_container([sys.executable, "-I", "-S"], request, archive, tmp_path / "container", inputs=inputs)
    assert run.returncode == 1
    failure = run.failure.read_text()
    assert len(failure) <= FAILURE_LIMIT
    assert failure.startswith("ValueError: the optimiser diverged: xxx")
    assert failure.splitlines()[0].endswith("x...")
    assert 'jobs.py", line' in failure and "in explode" in failure
    assert "Traceback" in run.output
    assert not run.results.exists()


def test_the_failure_limit_is_the_service_models() -> None:
    from braketkit.plan import service_model

    member = service_model.shapes()["GetJobResponse"]["members"]["failureReason"]["shape"]
    assert service_model.limit(member, "max") == FAILURE_LIMIT


def test_a_non_dict_return_is_marked_for_braketkit_and_readable_by_the_sdk(job_project: Project,
                                                                         tmp_path: Path) -> None:
    from braket.jobs.data_persistence import load_job_result

    request, archive, inputs = _plan("jobs.py:scalar")
    run = run_in_container([sys.executable, "-I", "-S"], request, archive, tmp_path / "container", inputs=inputs)
    assert run.returncode == 0, run.output
    assert load_job_result(run.results) == {"result": 0.25}
    from braketkit.job import read_results

    assert read_results(run.results.read_text()) == 0.25


def test_a_full_disk_leaves_no_results_and_says_why(job_project: Project, tmp_path: Path) -> None:
    """/dev/full answers every write with ENOSPC: the results file is never half-written."""
    request, archive, inputs = _plan("jobs.py:scalar")
    model = tmp_path / "model"
    model.mkdir()
    (model / ".results.json.partial").symlink_to("/dev/full")
    environment = {"AMZN_BRAKET_JOB_RESULTS_DIR": str(model), "BRAKETKIT_FAILURE_FILE": str(tmp_path / "failure"),
                   "AMZN_BRAKET_INPUT_DIR": str(inputs)}
    hp_file = tmp_path / "hyperparameters.json"
    hp_file.write_text(json.dumps(request.get("hyperParameters", {})))
    code = tmp_path / "code"
    extract_built_archive(archive, code)
    done = subprocess.run([sys.executable, "-I", "-S", "-c",
                           "import sys; sys.path.append('.'); import braketkit_job; braketkit_job.scalar()"],
                          cwd=code, env={**environment, "AMZN_BRAKET_HP_FILE": str(hp_file)},
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert sorted(p.name for p in model.iterdir()) == [], done.stderr
    assert (tmp_path / "failure").read_text().startswith("OSError: [Errno 28] No space left on device")
