"""Functions defined in ``__main__`` (scripts, ``python -m``, stdin) travel as captured source.

Each case runs a real ``python`` process on a real script, as a researcher would:
the job must import the generated module, never the script, so top-level code
runs exactly once, and the captured module must run under another Python than
the one that captured it.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from braketkit import LocalJob
from braketkit.converter import read_record

from .conftest import Cloud, Project, interruptible, run_cli
from .container import record_inputs, run_in_container
from .test_runtime import _interpreters

LOCAL = '''
[tool.braketkit]
device = "local"
region = "us-east-1"
role = "arn:aws:iam::111122223333:role/r"
'''

COUNTED = '''
import os
from braketkit import hybrid_job
from helpers import double

SCALE = 3

def scaled(x):
    return double(x) * SCALE

@hybrid_job
def train(steps=2):
    with open(os.environ["CALLS"], "a") as calls:
        calls.write("called\\n")
    return {"value": scaled(steps)}
'''

ENDINGS = {
    "unguarded": 'print("RESULT", train.local(steps=4).result())\n',
    "guarded": 'if __name__ == "__main__":\n    print("RESULT", train.local(steps=4).result())\n',
    "bare-call": 'job = train(steps=4)\nprint("RESULT", job.result())\n',
}


def _python(project: Project, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=project.root, capture_output=True, text=True, check=False,
                          input=stdin, env=os.environ | env, timeout=120)


@pytest.fixture
def scripts(project: Project) -> Project:
    project.pyproject(LOCAL)
    project.write("helpers.py", "def double(x):\n    return 2 * x\n")
    return project


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_a_script_s_function_runs_exactly_once_per_job(scripts: Project, tmp_path: Path, ending: str) -> None:
    """The shape of Braket's own examples: the call at the bottom must not run again inside the job."""
    if ending == "bare-call":
        scripts.pyproject(LOCAL + "local = true\n")
    scripts.write("train.py", COUNTED + ENDINGS[ending])
    calls = tmp_path / "calls.txt"
    done = _python(scripts, "train.py", CALLS=str(calls))
    assert done.returncode == 0, done.stderr
    assert "RESULT {'value': 24}" in done.stdout
    assert calls.read_text() == "called\n"
    (folder,) = (scripts.root / ".braketkit" / "jobs").iterdir()
    generated = (folder / "code" / "braketkit_main.py").read_text()
    assert "from helpers import double\n" in generated and "SCALE = 3\n" in generated
    assert "print(" not in generated and "hybrid_job" not in generated


def test_python_dash_m_captures_relative_imports_by_their_package(scripts: Project, tmp_path: Path) -> None:
    scripts.write("pkg/__init__.py", "")
    scripts.write("pkg/helpers.py", "def double(x):\n    return 2 * x\n")
    scripts.write("pkg/train.py", COUNTED.replace("from helpers import", "from .helpers import") + ENDINGS["unguarded"])
    calls = tmp_path / "calls.txt"
    done = _python(scripts, "-m", "pkg.train", CALLS=str(calls))
    assert done.returncode == 0, done.stderr
    assert "RESULT {'value': 24}" in done.stdout and calls.read_text() == "called\n"
    (folder,) = (scripts.root / ".braketkit" / "jobs").iterdir()
    # beside the script, in its package: __file__ and the files next to it are where they are here
    assert "from pkg.helpers import double\n" in (folder / "code" / "pkg" / "braketkit_main.py").read_text()
    record = json.loads((folder / "input" / "data" / "braketkit" / "planned.json").read_text())
    assert record["call"]["entry"] == "pkg.braketkit_main:train"


def test_stdin_from_a_file_is_captured(scripts: Project, tmp_path: Path) -> None:
    """``python - < train.py`` leaves a file on standard input, which can be read again."""
    script = scripts.write("train.py", COUNTED + ENDINGS["unguarded"])
    calls = tmp_path / "calls.txt"
    with script.open() as stdin:
        done = subprocess.run([sys.executable, "-"], cwd=scripts.root, stdin=stdin, capture_output=True, text=True,
                              env=os.environ | {"CALLS": str(calls)}, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "RESULT {'value': 24}" in done.stdout and calls.read_text() == "called\n"


def test_stdin_from_a_pipe_is_refused_before_anything_runs(scripts: Project, tmp_path: Path) -> None:
    done = _python(scripts, "-", stdin=COUNTED + ENDINGS["unguarded"], CALLS=str(tmp_path / "calls.txt"))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "error: <stdin>:11: braketkit cannot find the source of train (Python keeps none for code read from a pipe, "
        "built with exec or type(), or run through a magic such as %time); define it in a file or a plain notebook "
        "cell\n")
    assert not (scripts.root / ".braketkit" / "jobs").exists()


PLANNED = '''
import json, sys
from braketkit import hybrid_job
from braketkit.cli.render import plan_document, plan_text
from braketkit.converter import record_text

MODES = {"fast", "slow", "exact", "tight"}
NAMES = ("a", "b")
LIMITS = {"steps": [1, 2.5, float("inf")], "flags": (True, None), "raw": b"\\x00"}

class Options:
    pass

def pick(mode):
    return mode in MODES

@hybrid_job()
def train(steps: int = 2, mode: str = "fast") -> dict:
    return {"ok": pick(mode), "names": list(NAMES), "limit": LIMITS["steps"][steps], "kind": type(Options()).__name__}

plan = train.plan(steps=1)
if sys.argv[1:] == ["text"]:
    print(plan_text(plan))
else:
    print(json.dumps({"document": plan_document(plan), "archive": str(plan.archive.path),
                      "record": record_text(plan.record)}))
'''


def _planned(project: Project, seed: str) -> dict[str, object]:
    done = _python(project, "plan.py", PYTHONHASHSEED=seed)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_the_generated_module_is_deterministic_and_shown_by_plan(scripts: Project) -> None:
    """Same cells, same bytes: a set's order (which varies with the hash seed) must not reach the module."""
    scripts.write("plan.py", PLANNED)
    first, second = _planned(scripts, "1"), _planned(scripts, "2")
    captured = first["document"]["captured"]  # type: ignore[index]
    assert captured == second["document"]["captured"]  # type: ignore[index]
    assert first["document"]["uploads"][0]["sha256"] == second["document"]["uploads"][0]["sha256"]  # type: ignore[index]
    assert captured["module"] == "braketkit_main.py" and captured["entry"] == "train"
    assert captured["names"] == ["LIMITS", "MODES", "NAMES", "Options", "pick", "train"]
    assert "MODES = {'exact', 'fast', 'slow', 'tight'}\n" in captured["text"]
    assert "LIMITS = {'steps': [1, 2.5, float(\"inf\")], 'flags': (True, None), 'raw': b'\\x00'}\n" in captured["text"]
    assert first["document"]["call"]["entry"] == "braketkit_main:train"  # type: ignore[index]
    text = _python(scripts, "plan.py", "text").stdout
    assert "in it: braketkit_main.py, generated from __main__ with LIMITS, MODES, NAMES, Options, pick, train" in text


@pytest.mark.parametrize("python", _interpreters(), ids=lambda p: Path(p).name)
def test_the_captured_module_runs_under_another_python(scripts: Project, tmp_path: Path, python: str) -> None:
    """Captured under this interpreter, run by the container's under another, with the standard library only."""
    scripts.write("plan.py", PLANNED)
    planned = _planned(scripts, "0")
    request = planned["document"]["request"]  # type: ignore[index]
    inputs = record_inputs(read_record(str(planned["record"]), "of the plan"), tmp_path / "inputs")
    run = run_in_container([python, "-I", "-S"], request, Path(planned["archive"]), tmp_path / "container",  # type: ignore[arg-type]
                           inputs=inputs)
    assert run.returncode == 0, run.output
    data = json.loads(run.results.read_text())["dataDictionary"]
    assert data == {"ok": True, "names": ["a", "b"], "limit": 2.5, "kind": "Options"}


SCRIPT_MODE = '''
from braket.jobs import get_hyperparameters, save_job_result

steps = int(get_hyperparameters()["steps"])
print(f"script mode with {steps} steps")
save_job_result({"steps": steps, "twice": 2 * steps})
'''


def test_script_mode_runs_a_script_as_braket_does_locally(scripts: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """A Braket SDK script with no entry function: ``--`` arguments become its hyperparameters."""
    scripts.write("algorithm_script.py", SCRIPT_MODE)
    code, out, err = run_cli(capsys, "run", "algorithm_script.py", "--local", "--json", "--", "--steps", "5")
    assert code == 0, err
    document = json.loads(out)
    assert document["state"] == "COMPLETED" and document["result"] == {"steps": 5, "twice": 10}
    folder = Path(document["folder"])
    assert folder.name.startswith("algorithm-script-")
    assert json.loads((folder / "input" / "config" / "hyperparameters.json").read_text()) == {"steps": "5"}
    assert "script mode with 5 steps" in (folder / "log.txt").read_text()


def test_script_mode_in_the_cloud(cloud_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    cloud_project.write("algorithm_script.py", SCRIPT_MODE)
    code, out, err = run_cli(capsys, "run", "algorithm_script.py", "--wait", "--poll", "0.01", "--json",
                             "--", "--steps=6")
    assert code == 0, err
    document = json.loads(out)
    assert document["result"] == {"steps": 6, "twice": 12}
    created = cloud.braket.jobs[document["arn"]]
    assert created["hyperParameters"] == {"steps": "6"}  # the script's own, as Braket's script mode gives them
    assert created["algorithmSpecification"]["scriptModeConfig"]["entryPoint"] == "algorithm_script"


def test_a_script_s_function_runs_once_in_the_cloud(cloud_project: Project, cloud: Cloud) -> None:
    """The container has none of this machine's environment: the job says it ran in its log."""
    cloud_project.write("helpers.py", "def double(x):\n    return 2 * x\n")
    script = COUNTED.replace('with open(os.environ["CALLS"], "a") as calls:\n        calls.write("called\\n")',
                             'print("called")')
    cloud_project.write("train.py", script + "job = train(steps=5)\njob.poll = 0.01\n"
                        "print('RESULT', job.result(), [line for line in job.logs() if line == 'called'])\n")
    done = _python(cloud_project, "train.py")
    assert done.returncode == 0, done.stderr
    assert "RESULT {'value': 30} ['called']" in done.stdout
    (created,) = cloud.braket.jobs.values()
    assert created["hyperParameters"] == {"steps": "5"}
    assert created["algorithmSpecification"]["scriptModeConfig"]["entryPoint"] == "braketkit_job:train"


INPUTS = '''
import os
from pathlib import Path
from braketkit import hybrid_job

@hybrid_job(input={"weights": "data.npy", "train": "sets/train", "elsewhere": "ABSOLUTE"})
def train():
    return {"weights": Path("data.npy").read_text(), "train": sorted(os.listdir("sets/train")),
            "nested": Path("sets/train/b/c.txt").read_text(), "absolute_not_linked": not Path("abs.txt").exists(),
            "channel": Path(os.environ["AMZN_BRAKET_INPUT_DIR"], "weights", "data.npy").read_text()}
'''


def _input_project(project: Project, tmp_path: Path) -> None:
    project.write("data.npy", "w1")
    project.write("sets/train/a.txt", "a")
    project.write("sets/train/b/c.txt", "c")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "abs.txt").write_text("x")
    project.write("jobs.py", INPUTS.replace("ABSOLUTE", str(outside)))


EXPECTED_INPUTS = {"weights": "w1", "train": ["a.txt", "b"], "nested": "c", "absolute_not_linked": True,
                   "channel": "w1"}


def test_input_data_is_also_at_its_relative_path_locally(scripts: Project, tmp_path: Path) -> None:
    """``np.load("data.npy")`` works unchanged, as with the Braket SDK's decorator."""
    _input_project(scripts, tmp_path)
    sys.path.insert(0, str(scripts.root))
    import jobs  # type: ignore[import-not-found]

    plan = jobs.train.plan()
    assert plan.record.call is not None
    assert plan.record.call.inputs == {"data.npy": "weights/data.npy", "sets/train": "train"}
    assert jobs.train.local().result() == EXPECTED_INPUTS


def test_input_data_is_also_at_its_relative_path_in_the_cloud(cloud_project: Project, cloud: Cloud,
                                                             tmp_path: Path) -> None:
    _input_project(cloud_project, tmp_path)
    import jobs

    job = jobs.train()
    job.poll = 0.01
    assert job.result() == EXPECTED_INPUTS


EQUIVALENT = '''
import functools, json, math
import numpy.linalg as la
from dataclasses import dataclass
from enum import Enum
from http import HTTPStatus
from braketkit import hybrid_job

class Color(Enum):
    RED = 1
    BLUE = 2

FAVOURITE = Color.BLUE
OK = HTTPStatus.OK
SCALE = 2
STEPS = 2
TABLE = {(1, 2): "pair", "nan": float("nan"), "raw": b"x", "mixed": frozenset({3, 1})}

@dataclass
class Point:
    x: float = SCALE
    def norm(self):
        return float(la.norm([self.x, SCALE]))

def even(n):
    return n == 0 or odd(n - 1)

def odd(n):
    return n != 0 and even(n - 1)

@functools.cache
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

square = lambda v: v * v
OPTIMIZERS = ["even", "odd"]
twice = square

def uses_module_names():
    global calls
    calls = 1
    return __name__ != "__main__"

@hybrid_job()
def train(steps=STEPS, *, point=Point(), label="x" + "y"):
    return {"steps": steps, "later": STEPS, "even": even(steps), "fib": fib(10), "square": twice(3),
            "norm": point.norm(),
            "favourite": FAVOURITE.name, "ok": int(OK), "table": sorted(map(str, TABLE)), "label": label,
            "optimizers": [globals()[name](4) for name in OPTIMIZERS], "named": uses_module_names(),
            "walrus": (y := SCALE * 3), "pi": math.pi}

STEPS = 5  # after the def: the default keeps 2, the body sees 5
direct = train.function()
direct["named"] = True  # here the function runs in __main__
print(json.dumps({"direct": direct, "job": train.local().result(), "warnings": train.plan().warnings}))
'''


def test_the_job_computes_what_calling_the_function_here_computes(scripts: Project) -> None:
    """Enums (importable and the script's own), mutual recursion, a cached helper, aliases, defaults, data."""
    scripts.write("equivalent.py", EQUIVALENT)
    done = _python(scripts, "equivalent.py")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout.strip().splitlines()[-1])
    assert document["job"] == document["direct"]
    assert (document["job"]["steps"], document["job"]["later"]) == (2, 5)
    assert document["job"]["norm"] == math.hypot(2, 2)
    assert document["warnings"] == []


def test_a_script_edited_since_it_started_is_refused(scripts: Project) -> None:
    """The source on disk is no longer the code that runs: sending it would run other code than here."""
    scripts.write("train.py", '''
from pathlib import Path
from braketkit import hybrid_job

@hybrid_job()
def train(steps=1):
    return "original"

Path(__file__).write_text(Path(__file__).read_text().replace('"original"', '"edited"'))
train.local()
''')
    done = _python(scripts, "train.py")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("error: train.py:4: train.py has changed since train was defined; run it again, so that "
                           "the job runs the code that runs here\n")


def test_positional_only_parameters_reach_the_job_by_position(scripts: Project) -> None:
    scripts.write("train.py", '''
from braketkit import hybrid_job

@hybrid_job()
def train(a, b=2, /, c=3, *, d=4):
    return [a, b, c, d]

print(train.local(1, 5, c=6).result(), train.local(7).result())
''')
    done = _python(scripts, "train.py")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[1, 5, 6, 4] [7, 2, 3, 4]"


def test_an_async_entry_runs_to_its_end(scripts: Project) -> None:
    scripts.write("train.py", '''
import asyncio
from braketkit import hybrid_job

@hybrid_job()
async def train(steps=2):
    await asyncio.sleep(0)
    return {"steps": steps}

print(train, train.local(steps=3).result())
''')
    done = _python(scripts, "train.py")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "<hybrid job __main__.train> {'steps': 3}"


def test_ctrl_c_stops_a_loop_of_local_runs(scripts: Project) -> None:
    """The job is recorded CANCELLED and the interruption goes on: a sweep or loop stops, it does not carry on."""
    scripts.write("train.py", '''
import time
from braketkit import hybrid_job

@hybrid_job()
def slow(seconds=30):
    print("started", flush=True)
    time.sleep(seconds)

for _ in range(3):
    slow.local()
print("loop finished")
''')
    process = subprocess.Popen([sys.executable, "train.py"], cwd=scripts.root, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=dict(os.environ), preexec_fn=interruptible)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "started"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode != 0 and "loop finished" not in out
    assert "LocalRunCancelled: local job slow-" in err
    (folder,) = (scripts.root / ".braketkit" / "jobs").iterdir()
    assert LocalJob(folder).state() == "CANCELLED"


def test_a_run_says_the_plan_s_warnings_first(scripts: Project) -> None:
    scripts.write("train.py", '''
from braketkit import hybrid_job

@hybrid_job()
def train():
    return later_defined_helper() if False else 1

print(train.local().result())
''')
    done = _python(scripts, "train.py")
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("warning: train uses later_defined_helper (train.py:5), which is not defined now")


BUILT = '''
import json
import collections
import networkx as nx
import numpy as np
from braket.circuits import Circuit
from braketkit import hybrid_job

seed = 7
graph = nx.random_regular_graph(3, 6, seed=seed)
graph.add_edge(0, 3)
counts = collections.Counter("abracadabra")
wires = range(6)
angles = np.array([-0.0, 0.5, 1.0], dtype=np.float32)


def layer(circuit):
    for i, j in sorted(graph.edges):
        circuit.cz(i, j)
    return circuit


@hybrid_job()
def train(steps=1):
    built = layer(bell.copy())
    return {"edges": [list(edge) for edge in sorted(graph.edges)], "gates": len(built.instructions),
            "counts": sorted(counts.items()), "wires": list(wires), "angles": angles.tolist(),
            "signs": [str(angle) for angle in angles[:1]], "cells": built.qubit_count}


if __name__ == "__main__":
    bell = Circuit().h(0).cnot(0, 1)
    for qubit in wires:
        bell.rx(qubit, 0.5)
    counts.update("zz")
    direct = train.function()
    plan = train.plan()
    print(json.dumps({"direct": direct, "job": train.local().result(),
                      "replayed": [statement.place for statement in plan.captured.replayed],
                      "values": [value.name for value in plan.captured.values]}))
'''


def test_a_script_s_objects_are_rebuilt_by_its_own_statements(scripts: Project) -> None:
    """``python train.py``: the graph, counter and circuit are made again in the job by the top-level statements
    that made them (the main guard's too, up to the call), with their updates; the rest travels as values."""
    scripts.write("train.py", BUILT)
    done = _python(scripts, "train.py")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout.strip().splitlines()[-1])
    assert document["job"] == json.loads(json.dumps(document["direct"]))
    assert document["direct"]["signs"] == ["-0.0"]
    assert document["replayed"] == ["train.py:9", "train.py:10", "train.py:11", "train.py:31", "train.py:32",
                                    "train.py:34"]
    assert document["values"] == ["angles", "seed", "wires"]
    (folder,) = (scripts.root / ".braketkit" / "jobs").iterdir()
    generated = (folder / "code" / "braketkit_main.py").read_text()
    assert "\n# train.py:32\nfor qubit in wires:\n    bell.rx(qubit, 0.5)\n" in generated
    assert "train.plan()" not in generated and "json.dumps" not in generated
