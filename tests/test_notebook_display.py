"""Notebook manners: job handles render a short summary, waiting and uploads redraw one line in place.

Everything goes through IPython's real machinery: an ``InteractiveShell``, its display formatter,
``IPython.lib.pretty`` and its display publisher (captured with ``IPython.utils.capture``).
"""

from __future__ import annotations

import atexit
import builtins
import io
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.lib.pretty import pretty
from IPython.utils.capture import capture_output
from traitlets.config import Config

from braketkit.execute.cloud import RetryPolicy, submit
from braketkit.execute.progress import Progress
from braketkit.job import AwsJob, LocalJob
from braketkit.pipeline import plan_target, run_target
from braketkit.target import load_reference

from .conftest import Cloud, Project

HOSTILE = "<script>alert('owned')</script>"
LOCAL_SETTINGS = '''
[tool.braketkit]
device = "local"
'''
LOCAL_JOBS = f'''
from braketkit import hybrid_job


@hybrid_job()
def fine(steps: int = 2) -> dict:
    return {{"steps": steps}}


@hybrid_job()
def hostile() -> None:
    raise ValueError({HOSTILE!r})
'''
SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
MISSING = "arn:aws:braket:us-east-1:123456789012:job/no-such-job"


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    """A real IPython shell, as a notebook's kernel has one; gone again after the test.

    Its history is kept in memory, its profile in tmp_path, and what it changes in the process
    (``__main__``, builtins) is put back. Tests that need a kernel's stderr, never a terminal, take
    ``capsys`` (a fixture cannot swap sys.stderr: pytest's own capturing sets it again for the test).
    """
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    names = set(vars(builtins))
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    assert not InteractiveShell.initialized()
    instance = InteractiveShell.instance(config=config)
    yield instance
    atexit.unregister(instance.atexit_operations)
    InteractiveShell.clear_instance()
    for name in set(vars(builtins)) - names:
        delattr(builtins, name)


def html_of(obj: Any) -> str:
    """What a notebook puts on the page for ``obj``: the shell's own formatter, both forms."""
    shell = InteractiveShell.instance()
    data, _ = shell.display_formatter.format(obj)
    assert data["text/plain"].startswith(type(obj).__name__)  # our text form, not a bare repr, and it did not fail
    assert "text/html" in data  # the formatter drops (and prints) a _repr_html_ that raised
    return str(data["text/html"])


class Page(HTMLParser):
    """The tags an HTML fragment makes and the text a reader sees."""

    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [value or "" for name, value in attrs if tag == "a" and name == "href"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def rows(self) -> dict[str, str]:
        """``{label: value}`` of the summary table (each th followed by its td)."""
        words = [word for word in self.text if word.strip()]
        return dict(zip(words[1::2], words[2::2], strict=True))


SUMMARY_TAGS = {"div", "strong", "table", "tr", "th", "td", "code", "a"}


@pytest.fixture
def local_jobs(project: Project) -> Project:
    project.pyproject(LOCAL_SETTINGS)
    project.write("jobs.py", LOCAL_JOBS)
    sys.path.insert(0, str(project.root))  # restored after each test
    return project


def run_local(ref: str) -> LocalJob:
    job = run_target(load_reference(ref), (), {}, local=True, echo=False)
    assert isinstance(job, LocalJob)
    return job


# -- local jobs --------------------------------------------------------------------------------------------


def test_a_local_job_shows_its_name_state_device_and_folder(local_jobs: Project, shell: InteractiveShell) -> None:
    job = run_local("jobs.py:fine")
    assert pretty(job) == "\n".join([
        "LocalJob",
        f"  name:   {job.name}",
        "  state:  COMPLETED",
        "  device: local:braket/braket_sv",
        f"  folder: {job.folder}",
    ])
    page = Page(html_of(job))
    assert set(page.tags) <= SUMMARY_TAGS and page.links == []
    assert page.rows() == {"name": job.name, "state": "COMPLETED", "device": "local:braket/braket_sv",
                           "folder": str(job.folder)}


def test_a_hostile_name_or_failure_reason_is_text_not_markup(local_jobs: Project, shell: InteractiveShell) -> None:
    failed = run_local("jobs.py:hostile")
    assert failed.state() == "FAILED"
    name = "<img src=x onerror=\"alert('name')\">&amp;"  # a folder name may hold all of it but "/"
    job = LocalJob(Path(shutil.copytree(failed.folder, failed.folder.parent / name)))
    fragment = html_of(job)
    page = Page(fragment)
    assert set(page.tags) <= SUMMARY_TAGS  # no script, no img: nothing of the name or reason became a tag
    assert "<script" not in fragment and "<img" not in fragment
    rows = page.rows()
    assert rows["name"] == name  # shown exactly as it is, as text
    assert rows["state"] == "FAILED"
    assert rows["reason"] == f"ValueError: {HOSTILE} …"  # the first line; the traceback follows in failure_reason()
    assert f"  reason: ValueError: {HOSTILE} …" in pretty(job).splitlines()


def test_a_job_whose_folder_cannot_be_read_shows_state_unknown(tmp_path: Path, shell: InteractiveShell) -> None:
    job = LocalJob(tmp_path / "gone")
    rows = Page(html_of(job)).rows()
    assert rows["state"] == "unknown"
    assert rows["reason"].startswith("FileNotFoundError: ") and "job.json" in rows["reason"]
    assert "  state:  unknown" in pretty(job).splitlines()


# -- cloud jobs --------------------------------------------------------------------------------------------


def submitted(ref: str) -> AwsJob:
    submission = submit(plan_target(load_reference(ref)), policy=RetryPolicy(deadline=30.0, base=0.001, cap=0.01),
                        quiet=True)
    return AwsJob(submission.job_arn, poll=0.01)


def test_a_cloud_job_shows_its_state_device_region_and_console_link(cloud_project: Project, cloud: Cloud,
                                                                    shell: InteractiveShell) -> None:
    job = submitted("jobs.py:train")
    console = f"https://us-east-1.console.aws.amazon.com/braket/home?region=us-east-1#/jobs/{job.arn}"
    assert job.console_url() == console
    assert pretty(job) == "\n".join([  # the first GetJob: queued
        "AwsJob",
        f"  name:    {job.name}",
        "  state:   QUEUED",
        "  queue:   position 2 in the JOBS_QUEUE queue",
        f"  device:  {SV1}",
        "  region:  us-east-1",
        f"  console: {console}",
    ])
    fragment = shell.display_formatter.formatters["text/html"](job)  # the second: running
    page = Page(fragment)
    assert set(page.tags) <= SUMMARY_TAGS and page.links == [console]
    assert page.rows() == {"name": job.name, "state": "RUNNING", "device": SV1, "region": "us-east-1",
                           "console": console}
    assert f'href="{console}"' in fragment and 'rel="noopener noreferrer"' in fragment


def test_an_error_from_the_service_shows_state_unknown_not_a_traceback(cloud: Cloud, shell: InteractiveShell,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    unnamed = AwsJob(MISSING)
    rows = Page(html_of(unnamed)).rows()
    assert rows["name"] == MISSING  # GetJob failed, so the ARN stands for the name
    assert rows["state"] == "unknown"
    assert rows["reason"].startswith("An error occurred (ResourceNotFoundException) when calling the GetJob")
    assert rows["region"] == "us-east-1" and rows["console"].endswith(f"#/jobs/{MISSING}")
    named = AwsJob(MISSING, name=HOSTILE)
    text = pretty(named)
    assert text.splitlines()[1:3] == [f"  name:    {HOSTILE}", "  state:   unknown"]
    fragment = html_of(named)
    assert set(Page(fragment).tags) <= SUMMARY_TAGS and Page(fragment).rows()["name"] == HOSTILE
    assert cloud.braket.calls.count("GetJob") == 5  # one per form rendered: no retry storm, no hidden second call
    assert "Traceback" not in "".join(capsys.readouterr())


# -- waiting and uploading: one line, redrawn in place --------------------------------------------------------


def published(outputs: list[Any]) -> list[tuple[str, bool, str]]:
    """Each display message as (display id, is an update, text)."""
    return [(output.transient["display_id"], output.update, output.data["text/plain"]) for output in outputs]


def test_waiting_in_a_notebook_redraws_one_line(cloud_project: Project, cloud: Cloud, shell: InteractiveShell,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    job = submitted("jobs.py:train")
    with capture_output(stdout=False, stderr=False) as captured:
        assert job.wait() == "COMPLETED"
    messages = published(captured.outputs)
    assert [(update, text) for _, update, text in messages] == [
        (False, f"{job.name}: QUEUED, position 2 in the JOBS_QUEUE queue"),
        (True, f"{job.name}: RUNNING"),
        (True, f"{job.name}: COMPLETED"),
    ]
    assert len({display_id for display_id, _, _ in messages}) == 1
    # The decorator and the CLI pass sys.stderr: in a kernel that is the notebook too.
    with capture_output(stdout=False, stderr=False) as captured:
        assert job.wait(display=sys.stderr) == "COMPLETED"
    assert [(update, text) for _, update, text in published(captured.outputs)] == [(False, f"{job.name}: COMPLETED")]
    assert capsys.readouterr() == ("", "")
    # A stream of the caller's own still gets its lines; None shows nothing.
    stream = io.StringIO()
    with capture_output(stdout=False, stderr=False) as captured:
        job.wait(display=stream)
        job.wait(display=None)
        job.result()
    assert (stream.getvalue(), captured.outputs) == (f"{job.name}: COMPLETED\n", [])


def test_waiting_outside_ipython_is_as_before(cloud_project: Project, cloud: Cloud,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert "IPython" in sys.modules and not InteractiveShell.initialized()  # imported, but no shell: no notebook
    job = submitted("jobs.py:train")
    assert job.wait() == "COMPLETED"
    assert capsys.readouterr() == ("", "")
    stream = io.StringIO()
    job = submitted("jobs.py:train")
    job.wait(display=stream)
    assert stream.getvalue().splitlines() == [f"{job.name}: QUEUED, position 2 in the JOBS_QUEUE queue",
                                              f"{job.name}: RUNNING", f"{job.name}: COMPLETED"]


def test_upload_progress_in_a_notebook_is_one_updating_line(shell: InteractiveShell,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    with capture_output(stdout=False, stderr=False) as captured:
        progress = Progress("uploading source.tar.gz", 2_000_000)
        for _ in range(2_000):
            progress(1_000)
        progress.close()
    messages = published(captured.outputs)
    assert len({display_id for display_id, _, _ in messages}) == 1
    assert [update for _, update, _ in messages] == [False] + [True] * (len(messages) - 1)
    texts = [text for _, _, text in messages]
    assert len(texts) == len(set(texts)) <= 101 + 30  # sent only when the text changes (percent or bar), not per call
    assert texts[0] == "uploading source.tar.gz [                              ]   0% of 2.0 MB"
    assert texts[-1] == "uploading source.tar.gz [##############################] 100% of 2.0 MB"
    assert capsys.readouterr() == ("", "")


def test_upload_progress_on_a_given_stream_ignores_the_notebook(shell: InteractiveShell,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    log = io.StringIO()
    with capture_output(stdout=False, stderr=False) as captured:
        progress = Progress("uploading x", 10, stream=log)
        progress(10)
        progress.close()
    assert (log.getvalue(), captured.outputs) == ("", [])


def test_importing_braketkit_does_not_import_ipython() -> None:
    code = ("import sys, braketkit, braketkit.job, braketkit.job.cloud, braketkit.execute.progress as progress\n"
            "assert not progress.in_notebook()\n"
            "assert 'IPython' not in sys.modules, 'IPython was imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)
