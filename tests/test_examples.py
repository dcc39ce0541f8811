"""Every example runs locally, exactly as a user would run it from its folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def braketkit(folder: Path, *argv: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "braketkit", *argv, "--json"], cwd=folder, capture_output=True,
                          text=True, check=False, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


CopyOf = Callable[[str], Path]


@pytest.fixture
def copy_of(tmp_path: Path) -> CopyOf:
    def copy(name: str) -> Path:
        return Path(shutil.copytree(EXAMPLES / name, tmp_path / name, ignore=shutil.ignore_patterns(".braketkit")))

    return copy


def test_every_example_has_a_test() -> None:
    assert sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()) == ["bell", "notebook", "qaoa", "scripts", "sdk"]
    # notebook/ runs in a real Jupyter kernel in test_notebook.py


def test_bell(copy_of: CopyOf) -> None:
    document = braketkit(copy_of("bell"), "run", "bell.py:bell", "--local", "--shots", "400")
    counts: dict[str, int] = document["result"]  # type: ignore[assignment]
    assert document["state"] == "COMPLETED"
    assert set(counts) <= {"00", "11"} and sum(counts.values()) == 400
    assert min(counts.values()) > 100


def test_bell_plans_for_the_cloud_with_its_profile(copy_of: CopyOf) -> None:
    document = braketkit(copy_of("bell"), "plan", "bell.py:bell", "--profile", "cloud", "--offline")
    assert document["request"]["deviceConfig"]["device"] == "arn:aws:braket:::device/quantum-simulator/amazon/sv1"  # type: ignore[index]


def test_qaoa_resumes_from_the_previous_jobs_checkpoint(copy_of: CopyOf) -> None:
    folder = copy_of("qaoa")
    square = "[[0,1],[1,2],[2,3],[3,0]]"
    first = braketkit(folder, "run", "qaoa.py:maxcut", "--local", "--edges", square,
                      "--optimizer", '{"steps": 5, "checkpoint_every": 5}')
    second = braketkit(folder, "run", "qaoa.py:maxcut", "--local", "--edges", square,
                       "--optimizer", '{"steps": 15, "checkpoint_every": 5}', "--resume-from", str(first["name"]),
                       "--set", f"checkpoint.copy_from_job={first['name']}")
    log = (Path(str(second["folder"])) / "log.txt").read_text()
    assert f"resuming {first['name']} at step 5" in log
    assert "iteration_number=4;" not in log and "iteration_number=5;" in log
    before: dict[str, float] = first["result"]  # type: ignore[assignment]
    after: dict[str, float] = second["result"]  # type: ignore[assignment]
    assert after["expected_cut"] > before["expected_cut"]
    assert after["expected_cut"] > 2.99  # the depth-1 optimum for a 4-cycle is 3
    assert after["best_cut"] == 4


def test_qaoa_laptop_profile_runs_locally_without_the_flag(copy_of: CopyOf) -> None:
    document = braketkit(copy_of("qaoa"), "run", "qaoa.py:maxcut", "--profile", "laptop", "--edges", "[[0,1]]",
                         "--optimizer", '{"steps": 3}')
    assert document["state"] == "COMPLETED"


def test_a_script_without_a_main_guard_runs_its_job_once(copy_of: CopyOf) -> None:
    folder = copy_of("scripts")
    done = subprocess.run([sys.executable, "train.py"], cwd=folder, capture_output=True, text=True, check=False,
                          env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    (job,) = (folder / ".braketkit" / "jobs").iterdir()
    result = json.loads((job / "model" / "results.json").read_text())["dataDictionary"]
    assert 0.1 < result["p11"] < 0.45 and done.stdout.strip().endswith(f"{{'p11': {result['p11']}}}")
    assert (job / "log.txt").read_text().count("Traceback") == 0


def test_script_mode_reads_its_hyperparameters(copy_of: CopyOf) -> None:
    folder = copy_of("scripts")
    done = subprocess.run([sys.executable, "-m", "braketkit", "run", "algorithm_script.py", "--json", "--",
                           "--shots", "300"], cwd=folder, capture_output=True, text=True, check=False,
                          env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"] == {"shots": 300, "agree": 1.0}


def _python(folder: Path, script: str) -> str:
    done = subprocess.run([sys.executable, script], cwd=folder, capture_output=True, text=True, check=False,
                          env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_sdk_script_job(copy_of: CopyOf) -> None:
    """A folder of scripts reading their own hyperparameters, as Amazon's embedded-simulator example has it."""
    out = _python(copy_of("sdk"), "run_script_job.py")
    assert "LocalQuantumJob('arn':'local:job/qaoa-algorithm-" in out  # after the job's own lines, echoed
    assert "'device': 'local:braket/braket_sv'" in out and "'best_cut': " in out


def test_sdk_decorated_function(copy_of: CopyOf) -> None:
    """Amazon's first example's shape: the SDK's keywords, a device made in the script and replayed in the job."""
    folder = copy_of("sdk")
    out = _python(folder, "qubit_rotation.py")
    assert "LocalQuantumJob('arn':'local:job/qubit-rotation-" in out and "state: COMPLETED" in out
    last = float(out.split("last expval: ")[1].split()[0])
    assert last < -0.99  # |0> turned to |1>: <Z> near -1
    (job,) = (folder / ".braketkit" / "jobs").iterdir()
    assert "device = LocalSimulator()" in next(job.glob("code/**/braketkit_main.py")).read_text()
