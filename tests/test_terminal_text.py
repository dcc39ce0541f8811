"""What a job wrote reaches the terminal escaped, through every command that prints it.

A job's log, failure reason and metric lines are written by the job's code and every package it
installed: escape sequences in them would clear the screen, retitle the window, hide lines or forge
braketkit's own. Each command below runs on a job whose output holds such characters, and what it
prints must hold none (``\\x1b`` shown for ESC, as ``braketkit show`` shows it).
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from braketkit.errors import JobFailed
from braketkit.terminal import on_terminal, printable

from .conftest import Cloud, Project, run_cli

HOSTILE = "\x1b]0;owned\x07\x1b[2J\x1b[31mred\x1b[0m\rover\x08\x9b1m\u202eevil\x00\x7f"
"""A window title (OSC ... BEL), a clear screen, colours, a carriage return over the line, a backspace, C1's
CSI, a right-to-left override, NUL and DEL."""
TAG = "\x1b[2J\x1b[31mtag\x07"
"""A node's tag (``[TAG] Metrics - ...``): no ``]``, which ends it, nor CR, which a local run's log reads as a line's
end."""

HOSTILE_JOBS = f'''
from braketkit import hybrid_job

HOSTILE = {HOSTILE!r}
TAG = {TAG!r}


@hybrid_job()
def noisy() -> None:
    print("before " + HOSTILE + " after", flush=True)
    print("[" + TAG + "] Metrics - cost=0.5; iteration_number=0;", flush=True)
    print("Metrics - cost=0.25; iteration_number=1;", flush=True)
    raise RuntimeError("broke: " + HOSTILE)
'''


def plain(text: str) -> bool:
    """Whether ``text`` holds nothing a terminal acts on: every character printable, but the line ends."""
    return all(character.isprintable() or character == "\n" for character in text)


def test_the_one_escaping() -> None:
    assert printable(HOSTILE) == ("\\x1b]0;owned\\x07\\x1b[2J\\x1b[31mred\\x1b[0m\\rover\\x08\\x9b1m\\u202eevil"
                                  "\\x00\\x7f")
    assert on_terminal("a\x1b\nb\r\n") == "a\\x1b\nb\\r\n"
    assert plain(on_terminal(HOSTILE + "\n" + HOSTILE))


@pytest.fixture
def hostile(project: Project) -> Project:
    project.pyproject('[tool.braketkit]\ndevice = "local"\n')
    project.write("hostile.py", HOSTILE_JOBS)
    return project


def _local_run(capsys: pytest.CaptureFixture[str], *options: str) -> tuple[str, str]:
    code, out, err = run_cli(capsys, "run", "hostile.py:noisy", "--local", *options)
    assert code == 1, (out, err)
    return out, err


@pytest.mark.parametrize("options", [(), ("--follow",), ("--follow", "--raw")], ids=["echo", "follow", "raw"])
def test_a_local_run_shows_what_its_job_printed_escaped(hostile: Project, capsys: pytest.CaptureFixture[str],
                                                        options: tuple[str, ...]) -> None:
    out, err = _local_run(capsys, *options)
    assert plain(out) and plain(err), (out, err)
    assert "before \\x1b]0;owned\\x07" in out + err
    assert "broke: \\x1b]0;owned" in err  # the failure, as the error names it


def test_logs_status_metrics_and_list_of_a_local_job(hostile: Project, capsys: pytest.CaptureFixture[str]) -> None:
    _local_run(capsys, "--quiet")
    [folder] = (hostile.root / ".braketkit" / "jobs").iterdir()
    printed = {}
    for command in (["logs", folder.name], ["status", folder.name], ["metrics", folder.name],
                    ["metrics", folder.name, "--csv"], ["list"], ["result", folder.name],
                    ["diff", folder.name, folder.name]):
        _, out, err = run_cli(capsys, *command)
        assert plain(out) and plain(err), (command, out, err)
        printed[" ".join(command[:2])] = out + err
    assert "before \\x1b]0;owned\\x07\\x1b[2J\\x1b[31mred\\x1b[0m" in printed[f"logs {folder.name}"]
    assert "broke: \\x1b]0;owned" in printed[f"status {folder.name}"]
    assert "\\x1b[2J\\x1b[31mtag\\x07" in printed[f"metrics {folder.name}"]  # the node's tag, in the CSV too


def test_the_python_api_escapes_what_it_prints(hostile: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """The SDK's ``logs()`` prints; ``JobFailed`` is printed by whoever catches it, a traceback or a notebook."""
    from braketkit.sdk import LocalQuantumJob

    _local_run(capsys, "--quiet")
    [folder] = (hostile.root / ".braketkit" / "jobs").iterdir()
    job = LocalQuantumJob(f"local:job/{folder.name}")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        job.logs()
    assert plain(printed.getvalue()) and "before \\x1b]0;owned" in printed.getvalue()
    with pytest.raises(JobFailed) as failed:
        job.job.result()
    assert plain(str(failed.value)) and "broke: \\x1b]0;owned" in str(failed.value)
    assert failed.value.reason is not None and TAG in job.job.metrics()["node_id"]  # the data stays as written
    assert HOSTILE.partition("\r")[0] in failed.value.reason
    from braketkit.job.local import summary_text

    assert plain(summary_text(job.job)) and "\\x1b]0;owned" in summary_text(job.job)  # IPython's view of it


def test_a_cloud_jobs_log_and_failure(cloud_project: Project, cloud: Cloud,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    cloud_project.write("hostile.py", HOSTILE_JOBS.replace("@hybrid_job()", '@hybrid_job(device="sv1")'))
    code, out, err = run_cli(capsys, "run", "hostile.py:noisy", "--follow", "--poll", "0.1", "--raw")
    assert code == 1 and plain(out) and plain(err), (out, err)
    assert "before \\x1b]0;owned" in out
    arn = next(line.split()[-1] for line in out.splitlines() if line.strip().startswith("arn:"))
    for command in (["logs", arn], ["status", arn], ["metrics", arn], ["show", arn]):
        code, out, err = run_cli(capsys, *command)
        assert plain(out) and plain(err), (command, out, err)
    code, out, err = run_cli(capsys, "run", "hostile.py:noisy", "--follow", "--poll", "0.1")
    assert code == 1 and plain(out) and plain(err), (out, err)
    from braketkit.sdk import AwsQuantumJob

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        AwsQuantumJob(arn).logs()
    assert plain(printed.getvalue()) and "before \\x1b]0;owned" in printed.getvalue()


def test_json_keeps_what_the_job_wrote(hostile: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """JSON is data, not text for a terminal: its own escaping (``\\u001b``) keeps every character."""
    _local_run(capsys, "--quiet")
    [folder] = (hostile.root / ".braketkit" / "jobs").iterdir()
    _, out, _ = run_cli(capsys, "status", folder.name, "--json")
    assert plain(out) and HOSTILE.partition("\r")[0] in json.loads(out)["failure_reason"]
