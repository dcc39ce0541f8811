"""Seeing metrics: ``braketkit metrics`` (text, JSON, CSV, --follow, --plot), ``job.plot()`` and ``run --follow``.

Local jobs here are job folders as a local run leaves them (job.json written by braketkit's own
record writer, log.txt holding the lines ``log_metric`` prints), so every table is known exactly;
cloud jobs run in the loopback Braket service with their logs in moto's CloudWatch Logs. Plots are
drawn for real with matplotlib (no pyplot, so no GUI backend) and read back.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from braketkit import InvalidInput, LocalJob, plot_metrics
from braketkit.cli.live import SummarisedLog
from braketkit.cli.sparkline import sparkline
from braketkit.errors import MissingExtra
from braketkit.execute.cloud import submit
from braketkit.execute.record import with_this_runner, write_record
from braketkit.job import AwsJob
from braketkit.model.job import LocalJobRecord

from .conftest import Cloud, Project, Tripwire, interruptible, run_cli
from .test_cloud import FAST, plan_of
from .test_metrics import LOCAL_SETTINGS, METRIC_JOBS
from .test_notebook_display import shell  # noqa: F401 - a real IPython shell, as a notebook's kernel has

DEMO_LOG = """starting
Metrics - timestamp=100.0; cost=0.5; iteration_number=0;
Metrics - timestamp=100.5; energy=-1.5; iteration_number=0;
step 1
Metrics - timestamp=101.0; cost=0.25; iteration_number=1;
Metrics - timestamp=101.5; energy=nan; iteration_number=1;
Metrics - timestamp=102.0; cost=0.125; iteration_number=2;
Metrics - timestamp=102.5; energy=inf; iteration_number=2;
Metrics - timestamp=103.0; cost=0.0625; iteration_number=3;
Metrics - timestamp=103.5; energy=-2.0; iteration_number=3;
done
"""
OTHER_LOG = """Metrics - timestamp=200.0; cost=0.75; iteration_number=0;
Metrics - timestamp=201.0; cost=0.5; iteration_number=1;
"""


def local_job(project: Project, name: str, log: str, state: str = "COMPLETED") -> LocalJob:
    """A job folder as a local run leaves it."""
    folder = project.root / ".braketkit" / "jobs" / name
    folder.mkdir(parents=True)
    (folder / "log.txt").write_text(log, encoding="utf-8")
    record = LocalJobRecord(name=name, state=state, device="local:braket/braket_sv", entry="jobs:train",
                            started_at=datetime.now(timezone.utc).isoformat())
    write_record(folder, with_this_runner(record) if state == "RUNNING" else record)
    return LocalJob(folder)


@pytest.fixture
def columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """An 80-column terminal width, whatever runs the tests."""
    monkeypatch.setenv("COLUMNS", "80")


# -- sparklines ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("values", "width", "line"), [
    ([0.5, 0.25, 0.125, 0.0625], 10, "█▄▂▁"),
    ([0, 1, 2, 3, 4, 5, 6, 7], 8, "▁▂▃▄▅▆▇█"),
    ([3, 3, 3], 5, "▄▄▄"),  # flat: a flat line in the middle
    ([-1.5, math.nan, math.inf, -2.0], 10, "█·↑▁"),  # non-finite values apart from the scale
    ([math.nan, -math.inf], 4, "·↓"),
    ([0, 0, 7, 7, 0, 0, 7, 7], 4, "▁█▁█"),  # downsampled: runs of two, each by its mean
    ([0, 2, math.nan, math.nan, 4, 6], 3, "▁·█"),  # a run of only NaN shows NaN; the rest by their finite mean
    ([], 5, ""),
])
def test_a_sparkline(values: list[float], width: int, line: str) -> None:
    assert sparkline(values, width) == line


def test_a_long_history_fits_the_room_it_gets() -> None:
    line = sparkline([float(value) for value in range(1000)], 30)
    assert len(line) == 30 and line[0] == "▁" and line[-1] == "█" and list(line) == sorted(line)


# -- the table, JSON and CSV of local jobs ---------------------------------------------------------------------


DEMO_TEXT = """demo  COMPLETED
  metric  latest     min  max  count  history
  cost    0.0625  0.0625  0.5      4  █▄▂▁
  energy      -2      -2  inf      4  █·↑▁
"""


def test_the_table_of_a_local_job(project: Project, tripwire: Tripwire, columns: None,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    local_job(project, "demo", DEMO_LOG)
    assert run_cli(capsys, "metrics", "demo") == (0, DEMO_TEXT, "")
    code, out, _ = run_cli(capsys, "metrics", "demo", "--metric", "energy", "--statistic", "min")
    assert (code, out) == (0, "demo  COMPLETED\n  metric  latest  min  max  count  history\n"
                              "  energy      -2   -2  inf      4  █·↑▁\n")
    assert tripwire.requests == []


def test_a_job_folder_names_the_job_too(project: Project, columns: None, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    job = local_job(project, "demo", DEMO_LOG)
    monkeypatch.chdir(project.root.parent)
    assert run_cli(capsys, "metrics", str(job.folder)) == (0, DEMO_TEXT, "")


def test_json_is_the_braket_sdks_columns_with_non_finite_values_spelled_out(
        project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    job = local_job(project, "demo", DEMO_LOG)
    code, out, _ = run_cli(capsys, "metrics", "demo", "--json")
    assert code == 0
    from braketkit.cli.jobs_text import job_document

    fields = job_document(job.info())  # the one vocabulary of every --json: name, state, device, folder, times
    assert {"name": "demo", "state": "COMPLETED", "folder": str(job.folder)}.items() <= fields.items()
    assert json.loads(out) == [{**fields, "metrics": {
        "timestamp": [100.5, 101.5, 102.5, 103.5],
        "cost": [0.5, 0.25, 0.125, 0.0625],
        "iteration_number": [0.0, 1.0, 2.0, 3.0],
        "energy": [-1.5, "NaN", "Infinity", -2.0],
    }}]
    assert list(json.loads(out)[0]["metrics"]) == list(job.metrics("iteration_number"))  # the SDK's column order
    assert "NaN," not in out and "Infinity," not in out.replace('"Infinity",', "")  # strict JSON throughout
    assert [float(value) for value in json.loads(out)[0]["metrics"]["energy"]][2] == math.inf


def test_csv_rows_by_iteration_or_by_time(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    local_job(project, "demo", DEMO_LOG)
    assert run_cli(capsys, "metrics", "demo", "--csv") == (0, (
        "iteration_number,timestamp,cost,energy\n"
        "0.0,100.5,0.5,-1.5\n1.0,101.5,0.25,nan\n2.0,102.5,0.125,inf\n3.0,103.5,0.0625,-2.0\n"), "")
    code, out, _ = run_cli(capsys, "metrics", "demo", "--csv", "--by", "time", "--metric", "energy")
    assert (code, out) == (0, "timestamp,iteration_number,energy\n"
                              "100.5,0.0,-1.5\n101.5,1.0,nan\n102.5,2.0,inf\n103.5,3.0,-2.0\n")


def test_without_iteration_numbers_rows_go_by_time(project: Project, columns: None,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    local_job(project, "timed", "Metrics - timestamp=5.0; loss=2;\nMetrics - timestamp=6.0; loss=1;\n")
    assert run_cli(capsys, "metrics", "timed", "--csv")[1] == "timestamp,loss\n5.0,2.0\n6.0,1.0\n"
    assert run_cli(capsys, "metrics", "timed")[1] == ("timed  COMPLETED\n  metric  latest  min  max  count  history\n"
                                                      "  loss         1    1    2      2  █▁\n")
    code, _, err = run_cli(capsys, "metrics", "timed", "--by", "iteration")
    assert (code, err) == (2, "error: --by: timed logged its metrics without iteration_number, so nothing of it lines "
                              "up by iteration; compare by time instead\n")


def test_beside_a_job_without_iteration_numbers_every_job_goes_by_time(project: Project, columns: None,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    local_job(project, "demo", DEMO_LOG)
    local_job(project, "timed", "Metrics - timestamp=5.0; cost=2;\nMetrics - timestamp=6.0; cost=1;\n")
    out = run_cli(capsys, "metrics", "demo", "timed", "--csv", "--metric", "cost")[1]
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:2] == ["job", "timestamp"] and [row[0] for row in rows[1:]] == ["demo"] * 4 + ["timed"] * 2
    assert "no metrics" not in run_cli(capsys, "metrics", "demo", "timed")[1]


def test_time_is_counted_from_the_first_finite_timestamp() -> None:
    from braketkit.job.metrics import parse_line, points, table

    lines = ["Metrics - timestamp=nan; x=1;", "Metrics - timestamp=50; x=2;", "Metrics - timestamp=52; x=inf;"]
    columns = table([record for line in lines if (record := parse_line(line)) is not None])
    found = points(columns, "x", "timestamp")
    assert math.isnan(found[0][0]) and found[1:] == [(0.0, 2.0, None), (2.0, math.inf, None)]


def test_several_jobs_side_by_side(project: Project, columns: None, capsys: pytest.CaptureFixture[str]) -> None:
    local_job(project, "demo", DEMO_LOG)
    local_job(project, "other", OTHER_LOG)
    code, out, _ = run_cli(capsys, "metrics", "demo", "other", "demo")  # a job given twice is shown once
    assert (code, out) == (0, DEMO_TEXT + "\nother  COMPLETED\n  metric  latest  min   max  count  history\n"
                                          "  cost       0.5  0.5  0.75      2  █▁\n")
    code, out, _ = run_cli(capsys, "metrics", "demo", "other", "--csv", "--metric", "cost")
    assert list(csv.reader(io.StringIO(out))) == [
        ["job", "iteration_number", "timestamp", "cost"],
        ["demo", "0.0", "100.5", "0.5"], ["demo", "1.0", "101.5", "0.25"], ["demo", "2.0", "102.5", "0.125"],
        ["demo", "3.0", "103.5", "0.0625"], ["other", "0.0", "200.0", "0.75"], ["other", "1.0", "201.0", "0.5"]]
    code, out, _ = run_cli(capsys, "metrics", "other", "demo", "--json", "--metric", "energy")
    documents = json.loads(out)
    assert [document["name"] for document in documents] == ["other", "demo"]
    assert documents[0]["metrics"] == {}  # other logged no energy: no row of it is left
    assert documents[1]["metrics"]["energy"] == [-1.5, "NaN", "Infinity", -2.0]
    code, out, _ = run_cli(capsys, "metrics", "other", "demo", "--metric", "energy")
    assert out.startswith("other  COMPLETED\n  none of the chosen metrics logged\n\ndemo  COMPLETED\n")


# -- following ----------------------------------------------------------------------------------------------


def test_following_an_ended_job_shows_it_once(project: Project, columns: None,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    local_job(project, "demo", DEMO_LOG)
    assert run_cli(capsys, "metrics", "demo", "--follow") == (0, DEMO_TEXT, "")


@pytest.fixture
def running(project: Project) -> Iterator[threading.Event]:
    """A local job that this process is running: it logs an iteration each time the event is set, four in all."""
    job = local_job(project, "live", "", state="RUNNING")
    go = threading.Event()

    def log() -> None:
        for step in range(4):
            go.wait(10)
            go.clear()
            with (job.folder / "log.txt").open("a", encoding="utf-8") as out:
                out.write(f"step {step}\nMetrics - timestamp={10 + step}; cost={1 / 2 ** step}; "
                          f"iteration_number={step};\n")
        record = job.metadata()
        write_record(job.folder, LocalJobRecord(name=record.name, state="COMPLETED", device=record.device,
                                                entry=record.entry, started_at=record.started_at))

    writer = threading.Thread(target=log, daemon=True)
    writer.start()
    yield go
    go.set()
    writer.join(10)


def test_following_a_running_job_redraws_until_it_ends(running: threading.Event, columns: None,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    def pace() -> None:  # the job's iterations, slower than the command reads a local log
        time.sleep(1.0)
        for _ in range(4):
            running.set()
            time.sleep(0.6)

    threading.Thread(target=pace, daemon=True).start()
    code, out, _ = run_cli(capsys, "metrics", "live", "--follow")
    blocks = out.split("\n\n")
    assert code == 0
    assert blocks[0] == "live  RUNNING\n  no metrics logged yet"
    assert blocks[-1] == ("live  COMPLETED\n  metric  latest    min  max  count  history\n"
                          "  cost     0.125  0.125    1      4  █▄▂▁\n")
    counts = [int(block.split("\n")[2].split()[-2]) for block in blocks[1:]]  # cost's count in each block
    assert counts == sorted(counts) and len(blocks) >= 3  # appended as the job went on, off a terminal


def test_ctrl_c_stops_watching_and_says_how_to_watch_again(project: Project, tripwire: Tripwire) -> None:
    local_job(project, "live", "Metrics - timestamp=1; cost=1; iteration_number=0;\n", state="RUNNING")
    process = subprocess.Popen([sys.executable, "-m", "braketkit", "metrics", "live", "--follow"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
                               preexec_fn=interruptible)
    assert process.stdout is not None
    assert process.stdout.readline() == "live  RUNNING\n"  # it shows the table, and keeps watching
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert err == "\nstopped watching; the job goes on. Re-attach with: braketkit metrics --follow live\n"
    assert "Traceback" not in out + err and tripwire.requests == []


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_table_is_redrawn_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    from braketkit.cli.metrics import _Screen

    monkeypatch.setenv("COLUMNS", "12")
    monkeypatch.setenv("LINES", "24")
    screen = _Screen(Terminal())
    screen.show("first line is long\nsecond")
    screen.show("third")
    assert screen._stream.getvalue() == "first line i\nsecond\n\x1b[2F\x1b[Jthird\n"  # type: ignore[attr-defined]


# -- plots --------------------------------------------------------------------------------------------------


MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}


@pytest.mark.parametrize("kind", ["png", "svg", "pdf"])
def test_plots_are_drawn_for_real(project: Project, tripwire: Tripwire, kind: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    jobs = [local_job(project, "demo", DEMO_LOG), local_job(project, "other", OTHER_LOG)]
    code, out, err = run_cli(capsys, "metrics", "demo", "other", "--plot", f"metrics.{kind}", "--csv")
    assert (code, err) == (0, f"drew 2 metrics of 2 jobs into metrics.{kind}\n")
    assert out.startswith("job,iteration_number,timestamp,cost,energy\n")  # the output as without --plot
    drawn = (project.root / f"metrics.{kind}").read_bytes()
    if kind == "svg":
        assert drawn.startswith(b"<?xml") and b"<svg" in drawn[:500]
    else:
        assert drawn.startswith(MAGIC[kind])
    figure = plot_metrics(jobs)  # the same drawing, read back
    assert [axis.get_ylabel() for axis in figure.axes] == ["cost", "energy"]  # a panel per metric
    assert [[line.get_label() for line in axis.get_lines()] for axis in figure.axes] == [["demo", "other"], ["demo"]]
    assert [text.get_text() for text in figure.legends[0].get_texts()] == ["demo", "other"]
    cost_demo, cost_other = figure.axes[0].get_lines()
    assert cost_demo.get_color() == figure.axes[1].get_lines()[0].get_color() != cost_other.get_color()
    assert list(cost_demo.get_xdata()) == [0.0, 1.0, 2.0, 3.0] and figure.axes[1].get_xlabel() == "iteration"  # type: ignore[arg-type]
    energy = list(figure.axes[1].get_lines()[0].get_ydata())  # type: ignore[arg-type]
    assert energy[0] == -1.5 and math.isnan(energy[1]) and math.isnan(energy[2])  # type: ignore[arg-type]  # a gap
    assert tripwire.requests == []


def test_job_plot_by_time_and_by_metric(project: Project) -> None:
    job = local_job(project, "demo", DEMO_LOG)
    figure = job.plot("cost", by="time")
    (axis,) = figure.axes
    assert axis.get_ylabel() == "cost" and axis.get_xlabel() == "seconds since the job's first metric"
    xdata = axis.get_lines()[0].get_xdata()
    assert list(xdata) == [0.0, 1.0, 2.0, 3.0]  # type: ignore[arg-type]  # since the first metric at 100.0
    with pytest.raises(InvalidInput, match=r"^metric: no metric 'costs' in job demo; did you mean 'cost'\? "
                                           r"\(it logged: cost, energy\)$"):
        job.plot("costs")


def test_lines_tagged_by_node_get_a_line_each(project: Project) -> None:
    job = local_job(project, "nodes", "[algo-1] Metrics - timestamp=1; cost=3; iteration_number=0;\n"
                                      "[algo-2] Metrics - timestamp=1; cost=5; iteration_number=0;\n"
                                      "[algo-1] Metrics - timestamp=2; cost=2; iteration_number=1;\n"
                                      "[algo-2] Metrics - timestamp=2; cost=4; iteration_number=1;\n")
    (axis,) = job.plot().axes
    assert [(line.get_label(), list(line.get_ydata())) for line in axis.get_lines()] == [  # type: ignore[arg-type]
        ("nodes [algo-1]", [3.0, 2.0]), ("nodes [algo-2]", [5.0, 4.0])]


def test_a_job_without_metrics_has_nothing_to_draw(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    local_job(project, "quiet", "hello\n")
    code, out, err = run_cli(capsys, "metrics", "quiet", "--plot", "quiet.png")
    assert (code, out) == (2, "")
    assert err == ("error: nothing to draw: job quiet logged no metrics (log_metric from braket.jobs.metrics "
                   "logs them)\n")
    assert not Path("quiet.png").exists()


def test_without_matplotlib_one_message_says_what_to_install(project: Project, tripwire: Tripwire,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    job = local_job(project, "demo", DEMO_LOG)
    for name in [name for name in sys.modules if name == "matplotlib" or name.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what a missing package looks like to import
    message = "drawing metrics needs matplotlib, which is not installed here; install it with: " \
              "pip install 'braketkit[plot]'"
    assert run_cli(capsys, "metrics", "arn:aws:braket:us-east-1:111122223333:job/x", "--plot", "m.png") == (
        2, "", f"error: {message}\n")
    assert tripwire.requests == []  # found out before any job was looked up
    with pytest.raises(MissingExtra, match=r"pip install 'braketkit\[plot\]'") as caught:
        job.plot()
    assert isinstance(caught.value, ImportError)
    assert run_cli(capsys, "metrics", "demo")[0] == 0  # the text needs no matplotlib


def test_text_output_never_imports_matplotlib(project: Project) -> None:
    local_job(project, "demo", DEMO_LOG)
    code = ("import sys\nfrom braketkit.cli import main\ntry:\n    main(['metrics', 'demo', '--csv'])\n"
            "except SystemExit as end:\n    assert not end.code, end.code\n"
            "main_only = [name for name in sys.modules if name.split('.')[0] == 'matplotlib']\n"
            "import braketkit\nbraketkit.plot_metrics\n"
            "print(main_only, [name for name in sys.modules if name.split('.')[0] == 'matplotlib'])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[] []"


def test_in_a_notebook_the_figure_shows_itself(project: Project, shell: object) -> None:  # noqa: F811
    from IPython.core.interactiveshell import InteractiveShell

    job = local_job(project, "demo", DEMO_LOG)
    formatter = InteractiveShell.instance().display_formatter
    data, _ = formatter.format(job.plot())
    assert sorted(data) == ["image/png", "text/plain"] and data["image/png"].startswith(MAGIC["png"])


def test_a_figure_display_chosen_in_the_notebook_stays(project: Project, shell: object) -> None:  # noqa: F811
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import select_figure_formats

    job = local_job(project, "demo", DEMO_LOG)
    select_figure_formats(InteractiveShell.instance(), {"svg"})  # what %config InlineBackend.figure_formats does
    data, _ = InteractiveShell.instance().display_formatter.format(job.plot())
    assert sorted(data) == ["image/svg+xml", "text/plain"] and "<svg" in data["image/svg+xml"]


# -- run --follow: metric lines as one summary ------------------------------------------------------------


def test_a_summary_off_a_terminal_each_ten_iterations_and_at_the_end() -> None:
    out = io.StringIO()
    log = SummarisedLog(out)
    for step in range(23):
        log.line(f"step {step}")
        log.line(f"Metrics - timestamp={step}; cost={23 - step}; iteration_number={step};")
    log.close()
    lines = out.getvalue().splitlines()
    summaries = {index: line for index, line in enumerate(lines) if not line.startswith("step")}
    assert summaries == {  # each stretch of ten once it is complete (after the line starting the next), then the rest
        11: "iteration 9  cost 14 █▇▆▆▅▄▃▃▂▁",
        22: "iteration 19  cost 4 █▇▇▆▅▅▄▄▃▂▂▁",  # the latest twelve values
        25: "iteration 22  cost 1 █▇▇▆▅▅▄▄▃▂▂▁",
    }
    assert [line for line in lines if line.startswith("step")] == [f"step {step}" for step in range(23)]


def test_on_a_terminal_the_summary_stays_below_the_other_lines() -> None:
    out = Terminal()
    log = SummarisedLog(out)
    log.write("hello\nMetrics - timestamp=1; cost=2; iteration_number=0;\nst")  # as a local run echoes its output
    log.write("ep 1\n")
    log.line("Metrics - timestamp=2; cost=1; iteration_number=1;")
    log.close()
    assert out.getvalue() == ("hello\n"
                              "\riteration 0  cost 2 ▄\x1b[K"  # drawn
                              "\r\x1b[Kstep 1\n"  # erased for a line of the job's, then drawn again below it
                              "\riteration 0  cost 2 ▄\x1b[K"
                              "\riteration 1  cost 1 █▁\x1b[K"  # redrawn in place
                              "\n")


def test_a_summary_without_iteration_numbers_counts_metric_lines() -> None:
    out = io.StringIO()
    log = SummarisedLog(out)
    for count in range(12):
        log.line(f"Metrics - timestamp={count}; loss={count % 3};")
    log.close()
    assert out.getvalue() == "loss 0 ▁▅█▁▅█▁▅█▁\nloss 2 ▁▅█▁▅█▁▅█▁▅█\n"


SUMMARY_9 = "iteration 9  cost 0.000976562 █▄▃▂▁▁▁▁▁▁  energy -0.000976562 ▁▅▆▇██████"
SUMMARY_11 = "iteration 11  cost 0.000244141 █▄▃▂▁▁▁▁▁▁▁▁  energy -0.000244141 ▁▅▆▇████████"


def test_run_local_follow_summarises_metric_lines_and_raw_keeps_them(project: Project,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    project.pyproject(LOCAL_SETTINGS)
    project.write("jobs.py", METRIC_JOBS)
    code, out, err = run_cli(capsys, "run", "jobs.py:descend", "--local", "--steps", "12", "--follow")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:13] == [f"step {step}" for step in range(11)] + [SUMMARY_9, "step 11"]
    assert lines[13] == SUMMARY_11 and lines[14].startswith("job descend-")
    code, out, err = run_cli(capsys, "run", "jobs.py:descend", "--local", "--steps", "12", "--follow", "--raw")
    lines = out.splitlines()
    assert code == 0 and len([line for line in lines if line.startswith("Metrics - ")]) == 24
    assert not [line for line in lines if line.startswith("iteration")]
    code, out, err = run_cli(capsys, "run", "jobs.py:descend", "--local", "--steps", "2")  # no --follow: as before
    assert len([line for line in out.splitlines() if line.startswith("Metrics - ")]) == 4


# -- a cloud job: CloudWatch Logs in moto, the loopback Braket service --------------------------------------


def test_a_cloud_job_followed_then_its_metrics_every_way(cloud_project: Project, cloud: Cloud, columns: None,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    cloud_project.write("metric_jobs.py", METRIC_JOBS)
    code, out, err = run_cli(capsys, "run", "metric_jobs.py:descend", "--steps", "12", "--follow", "--poll", "0.01")
    assert code == 0, err
    lines = out.splitlines()
    name, arn = lines[0].removeprefix("submitted "), lines[1].split()[-1]
    assert [line for line in lines if line.startswith(("step", "iteration"))] == \
        [f"step {step}" for step in range(11)] + [SUMMARY_9, "step 11", SUMMARY_11]
    assert not [line for line in lines if "Metrics -" in line]

    code, out, _ = run_cli(capsys, "metrics", arn, "--json")
    (document,) = json.loads(out)
    assert (document["name"], document["arn"], document["state"]) == (name, arn, "COMPLETED")
    assert list(document["metrics"]) == ["timestamp", "cost", "iteration_number", "energy"]
    assert document["metrics"]["iteration_number"] == [float(step) for step in range(12)]
    assert document["metrics"]["cost"] == [0.5 ** (step + 1) for step in range(12)]
    assert document["metrics"]["energy"] == [-(0.5 ** (step + 1)) for step in range(12)]
    stamps = document["metrics"]["timestamp"]
    assert stamps == sorted(stamps) and stamps == AwsJob(arn).metrics("iteration_number")["timestamp"]

    code, out, _ = run_cli(capsys, "metrics", name, "--region", "us-east-1", "--csv")  # by name, the newest
    assert out == "iteration_number,timestamp,cost,energy\n" + "".join(
        f"{float(step)!r},{stamps[step]!r},{0.5 ** (step + 1)!r},{-(0.5 ** (step + 1))!r}\n" for step in range(12))

    text = (f"{name}  COMPLETED\n"
            "  metric        latest          min           max  count  history\n"
            "  cost     0.000244141  0.000244141           0.5     12  █▄▃▂▁▁▁▁▁▁▁▁\n"
            "  energy  -0.000244141         -0.5  -0.000244141     12  ▁▅▆▇████████\n")
    assert run_cli(capsys, "metrics", arn) == (0, text, "")
    assert run_cli(capsys, "metrics", arn, "--follow", "--poll", "0.01") == (0, text, "")  # ended: shown once

    local_job(cloud_project, "demo", DEMO_LOG)
    code, _, err = run_cli(capsys, "metrics", arn, "demo", "--plot", "overlay.png")  # a cloud and a local job
    assert (code, err) == (0, "drew 2 metrics of 2 jobs into overlay.png\n")
    assert (cloud_project.root / "overlay.png").read_bytes().startswith(MAGIC["png"])
    figure = plot_metrics([AwsJob(arn), LocalJob(cloud_project.root / ".braketkit" / "jobs" / "demo")])
    assert [[line.get_label() for line in axis.get_lines()] for axis in figure.axes] == [[name, "demo"]] * 2


def test_following_a_cloud_job_from_its_submission(cloud_project: Project, cloud: Cloud, columns: None,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    cloud_project.write("metric_jobs.py", METRIC_JOBS)
    arn = submit(plan_of("metric_jobs.py:descend", 3), policy=FAST, quiet=True).job_arn
    code, out, err = run_cli(capsys, "metrics", arn, "--follow", "--poll", "0.01")
    assert code == 0, err
    blocks = out.split("\n\n")
    name = cloud.braket.jobs[arn]["jobName"]
    assert blocks[0] in (f"{name}  QUEUED\n  no metrics logged yet", f"{name}  RUNNING\n  no metrics logged yet")
    assert blocks[-1] == (f"{name}  COMPLETED\n  metric  latest    min     max  count  history\n"
                          "  cost     0.125  0.125     0.5      3  █▃▁\n"
                          "  energy  -0.125   -0.5  -0.125      3  ▁▆█\n")
    assert "GetJob" in cloud.braket.calls and "CancelJob" not in cloud.braket.calls


def test_the_live_summary_takes_iteration_numbers_that_are_not_finite() -> None:
    from braketkit.cli.live import SummarisedLog

    out = io.StringIO()
    summary = SummarisedLog(out)
    for line in ("start", "Metrics - timestamp=1; cost=1; iteration_number=nan;",
                 "Metrics - timestamp=2; cost=2; iteration_number=inf;", "end"):
        summary.line(line)
    summary.close()
    assert out.getvalue().splitlines()[0] == "start" and "end" in out.getvalue()


def test_words_printed_without_a_newline_before_a_metric_line_are_kept() -> None:
    """print("step 3", end="") then log_metric(...): one log line, and the job's words still show."""
    from braketkit.cli.live import SummarisedLog

    out = io.StringIO()
    summary = SummarisedLog(out)
    summary.line("step 3 done...Metrics - timestamp=1; cost=1; iteration_number=3;")
    summary.line("[algo-1] Metrics - timestamp=2; cost=2; iteration_number=4;")  # a node's tag is no words
    summary.close()
    lines = out.getvalue().splitlines()
    assert lines[0] == "step 3 done..." and not any(line.startswith("[algo-1]") for line in lines)


def test_a_hostile_job_folder_name_reaches_the_terminal_escaped(project: Project, columns: None,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    name = "esc\x1b]0;pwned\x07\nfake"
    local_job(project, name, DEMO_LOG)
    code, out, _ = run_cli(capsys, "metrics", name)
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    assert out.startswith("esc\\x1b]0;pwned\\x07\\nfake  COMPLETED\n")
    code, out, _ = run_cli(capsys, "list", "--local")
    assert code == 0 and "\x1b" not in out and "esc\\x1b" in out
