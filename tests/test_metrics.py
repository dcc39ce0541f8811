"""Metrics read back from a job's log, line for line as the Braket SDK reads them.

The Braket SDK's own ``LogMetricsParser`` is the reference: on the same lines,
``braketkit.job.metrics.table`` gives the same columns and values for either
row key and statistic. Then real jobs: a local run's log.txt, and a cloud job's
CloudWatch events over two instances (moto and the loopback Braket service).
"""

from __future__ import annotations

import contextlib
import io
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from braketkit import InvalidInput
from braketkit.execute.cloud import submit
from braketkit.job import AwsJob
from braketkit.job.metrics import parse_line, table

from .conftest import Cloud, Project
from .test_cloud import FAST, plan_of


def sdk_table(lines: list[tuple[str, float]], metric_type: str, statistic: str) -> dict[str, list[Any]]:
    from braket.jobs.metrics_data.definitions import MetricStatistic, MetricType
    from braket.jobs.metrics_data.log_metrics_parser import LogMetricsParser

    parser = LogMetricsParser()
    for message, timestamp in lines:
        if "Metrics -" in message:  # what the SDK's CloudWatch fetchers hand it
            parser.parse_log_message(timestamp, message)  # type: ignore[arg-type]
    return parser.get_parsed_metrics(  # type: ignore[no-any-return]
        MetricType.TIMESTAMP if metric_type == "timestamp" else MetricType.ITERATION_NUMBER,
        MetricStatistic.MAX if statistic == "max" else MetricStatistic.MIN)


def ours(lines: list[tuple[str, float]], metric_type: str, statistic: str) -> dict[str, list[Any]]:
    records = (parse_line(message, timestamp) for message, timestamp in lines)
    return table((record for record in records if record is not None), metric_type, statistic)


def comparable(columns: dict[str, list[Any]]) -> list[tuple[str, list[str]]]:
    """Columns in order, NaN made equal to itself."""
    return [(name, [repr(value) for value in values]) for name, values in columns.items()]


def logged(*calls: dict[str, Any]) -> list[str]:
    """The lines the Braket SDK's own log_metric prints."""
    from braket.jobs.metrics import log_metric

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for call in calls:
            log_metric(**call)
    return out.getvalue().splitlines()


SAMPLE = [
    *logged({"metric_name": "cost", "value": 0.5, "iteration_number": 0, "timestamp": 100.0},
            {"metric_name": "cost", "value": 0.25, "iteration_number": 1, "timestamp": 101.0},
            {"metric_name": "energy", "value": -1.5, "iteration_number": 1, "timestamp": 101.0},
            {"metric_name": "cost", "value": 0.75, "iteration_number": 1, "timestamp": 102.0},
            {"metric_name": "energy", "value": -2.0, "timestamp": 103.0}),
    "Metrics - cost=0.1; iteration_number=2;",  # no timestamp: the event's stands in
    "[algo-2] Metrics - timestamp=101.0; cost=9; iteration_number=1;",  # another node: a row of its own
    "Metrics - timestamp=104; cost=not-a-number; depth=3;",
    "Metrics - nothing to see",
    "step 3: cost=0.2; (not a metric line)",
    "Metrics - timestamp=105; cost=nan; iteration_number=3;",
]


@pytest.mark.parametrize("metric_type", ["timestamp", "iteration_number"])
@pytest.mark.parametrize("statistic", ["max", "min"])
def test_the_same_table_as_the_braket_sdk(metric_type: str, statistic: str) -> None:
    lines = [(line, 200.0 + index) for index, line in enumerate(SAMPLE)]
    expected = sdk_table(lines, metric_type, statistic)
    assert comparable(ours(lines, metric_type, statistic)) == comparable(expected)
    assert len({len(column) for column in expected.values()}) == 1  # equal-length columns


def test_the_braket_sdks_own_enums_are_accepted() -> None:
    from braket.jobs.metrics_data.definitions import MetricStatistic, MetricType

    lines = [(line, 1.0) for line in SAMPLE]
    records = [record for message, at in lines if (record := parse_line(message, at)) is not None]
    assert table(records, MetricType.ITERATION_NUMBER, MetricStatistic.MIN) == table(records, "iteration_number", "min")
    assert comparable(table(records)) == comparable(sdk_table(lines, "timestamp", "max"))


@pytest.mark.parametrize(("keyword", "value"), [("metric_type", "iterations"), ("statistic", "mean")])
def test_an_unknown_row_key_or_statistic_is_refused(keyword: str, value: str) -> None:
    with pytest.raises(InvalidInput, match=keyword):
        table([], **{keyword: value})


_names = st.sampled_from(["cost", "energy", "timestamp", "iteration_number", "a_b", "x1"])
_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-3, 3).map(str),
    st.sampled_from(["nan", "-inf", "1e3", " 2.5 ", "abc", "", "1,5", "0x10"]),
)
_pair = st.tuples(_names, st.sampled_from(["=", " = ", "="]), _values).map(lambda p: f"{p[0]}{p[1]}{p[2]};")
_line = st.tuples(st.sampled_from(["", "[algo-1] ", "[algo-2] ", "[] ", "note ", "step3"]),
                  st.sampled_from(["Metrics - ", "Metrics -", "metrics - ", ""]),
                  st.lists(_pair, max_size=5), st.sampled_from([" ", "", ";", "x"]),
                  st.sampled_from(["", " trailing", ";", "=", "abc"])
                  ).map(lambda p: p[0] + p[1] + p[3].join(p[2]) + p[4])


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.tuples(_line, st.sampled_from([0.0, 5.0, 7.5])), max_size=12),
       metric_type=st.sampled_from(["timestamp", "iteration_number"]), statistic=st.sampled_from(["max", "min"]))
def test_any_lines_read_as_the_braket_sdk_reads_them(lines: list[tuple[str, float]], metric_type: str,
                                                     statistic: str) -> None:
    assert comparable(ours(lines, metric_type, statistic)) == comparable(sdk_table(lines, metric_type, statistic))


def test_a_pair_never_starts_inside_a_word() -> None:
    """How the pattern skips a long word (a hash printed before log_metric) without a quadratic search."""
    line = "Metrics - " + "f" * 20_000 + " cost=0.5; iteration_number=1; ab_c=2;x=3;"
    assert parse_line(line, 1.0) == {"cost": 0.5, "iteration_number": 1.0, "ab_c": 2.0, "x": 3.0, "timestamp": 1.0}
    assert comparable(ours([(line, 1.0)], "timestamp", "max")) == comparable(
        sdk_table([(line, 1.0)], "timestamp", "max"))


class Examined(str):
    """A log line that counts the characters a parser reads from it: one per index, the length of a slice, and
    every character a search passes (``find``, ``in``, ``startswith``). Any other way of reading it fails the
    test, so a parser cannot read the line where the count does not see it (a regular expression, whose
    engine reads the characters itself, reads none by this count)."""

    _COUNTED = frozenset({"find", "startswith", "examined", "_passed"})

    examined: int

    def __new__(cls, text: str) -> Examined:
        line = super().__new__(cls, text)
        line.examined = 0
        return line

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("__") or name in Examined._COUNTED:
            return super().__getattribute__(name)
        raise AssertionError(f"the parser read the line with {name!r}, which the count does not see")

    def _passed(self, characters: int) -> None:
        object.__setattr__(self, "examined", super().__getattribute__("examined") + characters)

    def __getitem__(self, key: Any) -> str:
        part = str.__getitem__(self, key)
        self._passed(max(len(part), 1))
        return part

    def find(self, sub: str, start: Any = None, end: Any = None) -> int:  # type: ignore[override]
        first, last, _ = slice(start, end).indices(len(self))
        found = str.find(self, sub, first, last)
        self._passed((found + len(sub) if found != -1 else last) - first)
        return found

    def __contains__(self, sub: object) -> bool:
        return self.find(str(sub)) != -1

    def startswith(self, prefix: Any, *where: Any) -> bool:  # type: ignore[override]
        self._passed(len(prefix))
        return str.startswith(self, prefix, *where)


def _shapes(size: int) -> dict[str, str]:
    """Lines of about ``size`` characters that make a backtracking pattern rescan them, and some that do not."""
    head, half = "Metrics - ", size // 2
    return {
        "a= (the report's)": head + "a=" * half,
        "a = ": head + "a = " * (size // 4),
        "é=": head + "é=" * half,
        "one word": head + "a" * size,
        "words": head + "ab " * (size // 3),
        "equals signs": head + "=" * size,
        "spaces then =": head + " " * size + "=1;",
        "a word, spaces, =": head + "a" + " " * size + "=1;",
        "a long name": head + "n" * size + "=1;",
        "one long value": head + "a=" * half + ";",
        "pairs": head + "a=1;" * (size // 4),
        "empty values": head + "a=;" * (size // 3),
        "semicolons": head + ";" * size,
        "an open node tag": "[" * size + head + "a=1",
        "a node tag": "[" + "x" * size + "] " + head + "a=1;",
        "no mark": "a=" * half,
    }


@pytest.mark.parametrize("shape", list(_shapes(1)))
def test_reading_a_line_takes_work_linear_in_its_length(shape: str) -> None:
    """A line up to CloudWatch's 256 KB event (any package the job installs may print one) is read in one pass:
    counted, the characters read stay within a fixed multiple of the line's length at every size, from 1 KB
    to 256 KB, and never below it (every character must be seen once: the count sees everything)."""
    for size in [1024 * 4 ** power for power in range(5)]:  # 1 KB .. 256 KB
        line = Examined(_shapes(size)[shape])
        parse_line(line, 1.0)
        read = line.examined / len(line)
        assert read >= 1, f"{shape}, {size} B: read {read:.3f} of the line: the count misses how it was read"
        assert read <= 8, f"{shape}, {size} B: {read:.1f} characters read per character of the line"


def test_adversarial_lines_are_read_as_the_braket_sdk_reads_them() -> None:
    for shape, line in _shapes(64).items():
        assert comparable(ours([(line, 1.0)], "timestamp", "max")) == comparable(
            sdk_table([(line, 1.0)], "timestamp", "max")), shape


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet="ab_é1.=; \t\n[]-x", max_size=40))
def test_any_text_is_read_as_the_braket_sdk_reads_it(text: str) -> None:
    line = "Metrics - " + text
    assert comparable(ours([(line, 1.0)], "timestamp", "max")) == comparable(
        sdk_table([(line, 1.0)], "timestamp", "max"))
    assert comparable(ours([(text, 1.0)], "timestamp", "max")) == comparable(
        sdk_table([(text, 1.0)], "timestamp", "max"))


LOCAL_SETTINGS = '''
[tool.braketkit]
device = "local"
'''

METRIC_JOBS = '''
from braketkit import hybrid_job


@hybrid_job()
def descend(steps: int = 4) -> float:
    from braket.jobs.metrics import log_metric

    cost = 1.0
    for step in range(steps):
        print(f"step {step}")
        cost /= 2
        log_metric(metric_name="cost", value=cost, iteration_number=step)
        log_metric(metric_name="energy", value=-cost, iteration_number=step)
    return cost
'''


def test_a_local_jobs_metrics_come_from_its_log(project: Project) -> None:
    project.pyproject(LOCAL_SETTINGS)
    project.write("jobs.py", METRIC_JOBS)
    from braketkit.pipeline import run_target
    from braketkit.target import load_reference

    job = run_target(load_reference("jobs.py:descend"), (4,), {}, local=True, quiet=True)
    by_iteration = job.metrics("iteration_number")
    assert by_iteration["iteration_number"] == [0.0, 1.0, 2.0, 3.0]
    assert by_iteration["cost"] == [0.5, 0.25, 0.125, 0.0625]
    assert by_iteration["energy"] == [-0.5, -0.25, -0.125, -0.0625]
    log = (job.folder / "log.txt").read_text().splitlines()
    expected = sdk_table([(line, 0.0) for line in log], "timestamp", "max")
    assert comparable(job.metrics()) == comparable(expected)  # log_metric's own timestamps key the rows


def test_a_cloud_jobs_metrics_merge_every_instance(cloud_project: Project, cloud: Cloud) -> None:
    cloud_project.write("metric_jobs.py", METRIC_JOBS.replace("@hybrid_job()", "@hybrid_job(instance={'count': 2})"))
    job = AwsJob(submit(plan_of("metric_jobs.py:descend", 6), policy=FAST, quiet=True).job_arn, poll=0.01)
    job.wait(poll=0.01, display=None)
    events = list(job.log_events())
    assert len({event["logStreamName"] for event in events if "Metrics -" in event["message"]}) == 2
    by_iteration = job.metrics("iteration_number", "min")
    assert by_iteration["cost"] == [0.5 ** (step + 1) for step in range(6)]
    lines = [(event["message"], event["timestamp"] / 1000) for event in events]
    for metric_type in ("timestamp", "iteration_number"):
        assert comparable(job.metrics(metric_type)) == comparable(sdk_table(lines, metric_type, "max"))


def test_metrics_while_the_job_runs_and_before_it_logged_anything(cloud_project: Project, cloud: Cloud) -> None:
    cloud_project.write("metric_jobs.py", METRIC_JOBS)
    job = AwsJob(submit(plan_of("metric_jobs.py:descend", 3), policy=FAST, quiet=True).job_arn, poll=0.01)
    assert job.metrics() == {}  # queued: no log group or stream yet, and no error
    job.wait(poll=0.01, display=None)
    by_time = job.metrics()  # log_metric stamps each call: a row per call, None where another metric was logged
    assert [value for value in by_time["cost"] if value is not None] == [0.5, 0.25, 0.125]
    assert by_time["timestamp"] == sorted(by_time["timestamp"]) and not math.isnan(by_time["timestamp"][0])


def test_the_metrics_of_two_jobs_never_mix(cloud_project: Project, cloud: Cloud) -> None:
    """Each job reads its own streams only: moto's FilterLogEvents ignores the stream prefix, so braketkit checks it."""
    cloud_project.write("metric_jobs.py", METRIC_JOBS)
    first = AwsJob(submit(plan_of("metric_jobs.py:descend", 2), policy=FAST, quiet=True).job_arn, poll=0.01)
    second = AwsJob(submit(plan_of("metric_jobs.py:descend", 5), policy=FAST, quiet=True).job_arn, poll=0.01)
    for job in (first, second):
        job.wait(poll=0.01, display=None)
    assert len(first.metrics("iteration_number")["cost"]) == 2
    assert len(second.metrics("iteration_number")["cost"]) == 5
    assert all(event["logStreamName"].startswith(f"{first.name}/") for event in first.log_events())
