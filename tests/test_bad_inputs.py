"""Every bad input: one exact message, exit status 2, no traceback, and not one request to AWS.

Each case runs with credentials and every AWS endpoint pointed at a loopback
tripwire, and without --offline, so any AWS call the command made would be seen.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .bad_inputs import CASES, GOOD, SCRIPT_CASES, SCRIPT_HEAD, SCRIPT_TAIL, TRAIN, Case, ScriptCase
from .conftest import Project, Tripwire, run_cli


def _lay_out(project: Project, case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    if case.pyproject is not None:
        project.pyproject(case.pyproject)
    project.write("train.py", TRAIN)
    for name, text in case.files.items():
        project.write(name, text)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)


def test_the_corpus_is_large_and_distinct() -> None:
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)
    assert len({(case.pyproject, case.argv, case.message) for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(
    case: Case,
    project: Project,
    tripwire: Tripwire,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _lay_out(project, case, monkeypatch)
    code, out, err = run_cli(capsys, *case.argv)
    assert (code, err) == (2, case.message.replace("{root}", str(project.root)))
    assert out == ""
    assert "Traceback" not in err
    assert tripwire.requests == []


IN_A_PROCESS = [case for case in CASES if case.id in ("unknown-key", "ref-module-raises", "option-wrong-type")]


@pytest.mark.parametrize("case", IN_A_PROCESS, ids=lambda case: case.id)
def test_bad_input_in_a_real_process(
    case: Case, project: Project, tripwire: Tripwire, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lay_out(project, case, monkeypatch)
    done = subprocess.run([sys.executable, "-m", "braketkit", *case.argv], capture_output=True, text=True,
                          env=dict(os.environ), check=False)
    assert (done.returncode, done.stderr, done.stdout) == (2, case.message.replace("{root}", str(project.root)), "")
    assert tripwire.requests == []


def test_debug_shows_the_traceback(project: Project, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    case = next(c for c in CASES if c.id == "ref-module-raises")
    _lay_out(project, case, monkeypatch)
    code, _, err = run_cli(capsys, "--debug", *case.argv)
    assert code == 2
    assert "Traceback" in err and "RuntimeError: no GPU" in err


def test_the_script_corpus_is_distinct() -> None:
    assert len({case.id for case in SCRIPT_CASES}) == len({case.message for case in SCRIPT_CASES}) == len(SCRIPT_CASES)


@pytest.mark.parametrize("case", SCRIPT_CASES, ids=[case.id for case in SCRIPT_CASES])
def test_bad_global_in_a_script(case: ScriptCase, project: Project, tripwire: Tripwire) -> None:
    """``python train.py``: refused by name and line, exit 2, no traceback, nothing sent, the script goes no further."""
    project.pyproject(GOOD)
    project.write("train.py", SCRIPT_HEAD + case.body + SCRIPT_TAIL)
    done = subprocess.run([sys.executable, "train.py"], capture_output=True, text=True, env=dict(os.environ),
                          check=False, timeout=60)
    assert (done.returncode, done.stderr, done.stdout) == (2, case.message, "")
    assert tripwire.requests == []


def test_errors_md_counts_the_corpus() -> None:
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "errors.md").read_text(encoding="utf-8")
    assert f"corpus of {len(CASES)} bad command lines and {len(SCRIPT_CASES)} bad scripts" in text
