"""Sweeps at the service's real limits: CreateJob paced to its rate and burst, a quota of concurrent jobs waited
out, and every job created handed back, whatever stops the sweep (an error, Ctrl-C in a real process).

The loopback Braket enforces the limits as the service does (ThrottlingException, ServiceQuotaExceededException);
its jobs end after three GetJob polls, and are not run (``execute`` off), so a sweep of 12 takes about a second.
"""

from __future__ import annotations

import collections
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from braketkit import AwsJob, InvalidInput, LocalJob, Sweep, SweepFailed
from braketkit.converter import provenance_tags
from braketkit.execute.pacing import PacingStopped, TokenBucket
from braketkit.model.provenance import CALL_TAG

from .conftest import Cloud, Project, Tripwire, interruptible, run_cli

RATE, BURST, QUOTA = 10.0, 5, 3

SETTINGS = f'''
[tool.braketkit]
device = "sv1"
region = "us-east-1"

[tool.braketkit.sweep]
rate = {RATE}
burst = {BURST}
poll = 0.02
'''

JOBS = '''
from braketkit import hybrid_job


@hybrid_job()
def train(steps: int = 3, lr: float = 0.1) -> dict:
    return {"steps": steps, "lr": lr}
'''


@pytest.fixture
def sweep_project(project: Project, cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    monkeypatch.delenv("BRAKETKIT_SWEEP__RATE")  # the cloud fixture's: here the settings below count
    project.pyproject(SETTINGS)
    project.write("jobs.py", JOBS)
    sys.path.insert(0, str(project.root))
    cloud.braket.execute = False  # jobs end as polled, without running: the limits are what is tested
    yield project


def _outcomes(cloud: Cloud) -> collections.Counter[str]:
    return collections.Counter(outcome for _, _, outcome in cloud.braket.create_log)


def _within_rate_and_burst(arrivals: list[float], rate: float, burst: int) -> bool:
    """Every stretch of arrivals fits a token bucket of ``burst`` refilled at ``rate``."""
    return all(end - start + 1 <= burst + rate * (arrivals[end] - arrivals[start]) + 1e-9
               for start in range(len(arrivals)) for end in range(start, len(arrivals)))


def test_twelve_calls_make_twelve_jobs_each_once_at_the_service_s_limits(
        sweep_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    import jobs  # type: ignore[import-not-found]

    cloud.braket.limit_creates(RATE, BURST)
    cloud.braket.max_concurrent_jobs = QUOTA
    sweep = jobs.train.map(range(12), lr=0.5)

    assert isinstance(sweep, Sweep) and len(sweep) == 12 and sweep.pending == [] and sweep.errors == {}
    assert [cloud.braket.jobs[job.arn]["hyperParameters"]["steps"] for job in sweep] == [str(n) for n in range(12)]
    assert len(cloud.braket.jobs) == 12 and len({job.arn for job in sweep}) == 12
    tokens = [token for _, token, outcome in cloud.braket.create_log if outcome == "created"]
    assert len(tokens) == len(set(tokens)) == 12  # each call made its job once, under its own token
    assert {call.plan.request.client_token for call in sweep.calls} == set(tokens)
    outcomes = _outcomes(cloud)
    assert outcomes["quota"] >= 1 and outcomes["throttled"] == 0, outcomes  # it waited; it never went too fast
    assert set(outcomes) <= {"created", "quota"}
    arrivals = [arrived for arrived, _, _ in cloud.braket.create_log]
    assert _within_rate_and_burst(arrivals, RATE, BURST)
    own = provenance_tags(sweep.calls[0].plan.provenance, longest=256)  # the same for every job of the sweep
    assert all(job["tags"] == {"braketkit:sweep": sweep.id, **own, CALL_TAG: job["tags"][CALL_TAG]}
               for job in cloud.braket.jobs.values())
    assert len({job["tags"][CALL_TAG] for job in cloud.braket.jobs.values()}) == 12  # each its own call
    assert re.fullmatch(r"train-sweep-\d{8}-\d{6}-[0-9a-z]{3}", sweep.id)
    err = capsys.readouterr().err
    assert re.search(rf"^sweep {sweep.id}: 3 of 12 jobs created; the service's quota of concurrent jobs is used up, "
                     r"so call \d+ waits for one of its 3 unfinished jobs to end \(checking every 0.02 s\)$", err,
                     re.MULTILINE), err


def test_a_sweep_reads_like_the_list_it_used_to_be(sweep_project: Project, cloud: Cloud) -> None:
    import jobs

    cloud.braket.execute = True  # these jobs run, for their results
    sweep = jobs.train.map([1, 2, 3])
    assert [job.name for job in sweep[1:]] == [sweep[1].name, sweep[2].name] and sweep[-1] is sweep[2]
    assert list(sweep) == [sweep.job(0), sweep.job(1), sweep.job(2)] and sweep.job(3) is None
    assert all(isinstance(job, AwsJob) for job in sweep) and sweep[0] in sweep
    assert repr(sweep) == f"<Sweep {sweep.id}: 3 jobs>"
    assert [job.result() for job in _polled_fast(sweep)] == [{"steps": n, "lr": 0.1} for n in (1, 2, 3)]


def _polled_fast(sweep: Sweep) -> Sweep:
    for job in sweep:
        job.poll = 0.01  # type: ignore[union-attr]
    return sweep


def test_throttling_is_retried_under_the_same_token(sweep_project: Project, cloud: Cloud) -> None:
    """A bucket emptied elsewhere (another process): the service throttles, the sweep retries, one job per call."""
    import jobs

    cloud.braket.limit_creates(1.0, 1)  # no burst, a token a second: slower than any machine submits three jobs
    sweep = jobs.train.map(range(3))
    outcomes = _outcomes(cloud)
    assert len(sweep) == len(cloud.braket.jobs) == outcomes["created"] == 3
    assert outcomes["throttled"] >= 1
    throttled = {token for _, token, outcome in cloud.braket.create_log if outcome == "throttled"}
    assert throttled <= {call.plan.request.client_token for call in sweep.calls}


def test_an_error_mid_sweep_hands_back_every_job_created(sweep_project: Project, cloud: Cloud) -> None:
    import jobs

    cloud.braket.faults["CreateJob"].extend(["none"] * 4 + ["denied"])  # the fifth CreateJob is refused
    with pytest.raises(SweepFailed) as caught:
        jobs.train.map(range(12))
    sweep, message = caught.value.sweep, str(caught.value)
    assert caught.value.exit_status == 1
    assert {job.arn for job in sweep} == set(cloud.braket.jobs)  # not one job created is missing
    assert 4 <= len(sweep) < 12 and len(sweep) + len(sweep.pending) == 12
    [(failed, error)] = sweep.errors.items()
    assert "not allowed to create the job" in str(error)
    assert message.startswith(f"sweep {sweep.id} stopped: {len(sweep)} of 12 calls have a job.\njobs created "
                              "(call: name):\n")
    shown = dict(re.findall(r"^  (\d+): (\S+)$", message, re.MULTILINE))
    assert shown == {str(index): job.name for index in range(12) if (job := sweep.job(index)) is not None}
    assert f"call {failed}: not allowed to create the job" in message
    assert f"Find its jobs with: braketkit list --sweep {sweep.id} --region us-east-1\n" in message
    assert message.endswith(f".sweep.resume() submits the {12 - len(sweep)} calls without a job, each under its own "
                            "client token (so never a second job).")

    again = sweep.resume()  # the refusal is over: the rest go out, and nothing twice
    assert again is sweep and len(sweep) == len(cloud.braket.jobs) == 12 and sweep.errors == {}
    assert [cloud.braket.jobs[job.arn]["hyperParameters"]["steps"] for job in sweep] == [str(n) for n in range(12)]


def test_a_call_that_may_have_made_its_job_gets_that_job_on_resume(sweep_project: Project, cloud: Cloud) -> None:
    """CreateJob went out but no answer came (the connection dropped after the job was made, then the service
    refused): the sweep cannot know; resume() sends the same token again and gets that job, not a second one."""
    import jobs

    cloud.braket.faults["CreateJob"].extend(["drop_after_create", "denied"])
    with pytest.raises(SweepFailed) as caught:
        jobs.train.map([1, 2])
    sweep = caught.value.sweep
    assert len(cloud.braket.jobs) == 1 and len(sweep) == 0  # made, but its answer never came
    sweep.resume()
    assert len(sweep) == 2 and len(cloud.braket.jobs) == 2
    assert "same job" in _outcomes(cloud)


def test_a_quota_held_by_other_jobs_is_waited_out_too(sweep_project: Project, cloud: Cloud,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The account's other jobs fill the quota: the sweep has none of its own to watch, so it tries again at each
    check, until the service has room."""
    import threading

    import jobs

    other = jobs.train(steps=99)  # made before the quota: it holds it
    cloud.braket.max_concurrent_jobs = 1

    def end_other() -> None:  # it ends on its own once the sweep was refused twice (three polls here)
        deadline = time.monotonic() + 60
        while _outcomes(cloud)["quota"] < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        for _ in range(3):
            other.state()

    ending = threading.Thread(target=end_other)
    ending.start()
    sweep = jobs.train.map([1, 2])
    ending.join()
    assert len(sweep) == 2 and len(cloud.braket.jobs) == 3
    assert _outcomes(cloud)["quota"] >= 3  # tried again and again while the other job ran; then its own
    err = capsys.readouterr().err
    assert err.count("so call 0 waits for jobs of this account to end") == 1  # said once, however often it tried
    assert "so call 1 waits for one of its 1 unfinished jobs to end" in err


def test_bad_settings_and_a_clashing_tag_stop_before_any_aws_call(project: Project, tripwire: Tripwire) -> None:
    project.pyproject(SETTINGS.replace(f"burst = {BURST}", "burst = 0").replace("poll = 0.02", "poll = -1"))
    project.write("jobs.py", JOBS)
    sys.path.insert(0, str(project.root))
    import jobs

    with pytest.raises(InvalidInput) as caught:
        jobs.train.map([1, 2])
    assert str(caught.value) == ("2 problems:\n  - pyproject.toml:10: sweep.burst: must be at least 1 (is 0)\n"
                                 "  - pyproject.toml:11: sweep.poll: must be at least 0.01 (is -1.0)")
    project.pyproject(SETTINGS)
    with pytest.raises(InvalidInput) as caught:
        jobs.train.options(tags={"braketkit:sweep": "mine"}).map([1, 2])
    assert re.fullmatch(r"options\(\) in .*test_sweeps\.py:\d+: tags\.braketkit:sweep: is a tag braketkit gives "
                        r"each job of a sweep \(braketkit:sweep = <sweep id>\); name yours otherwise",
                        str(caught.value)), str(caught.value)
    with pytest.raises(InvalidInput, match=r"^options\(\) in .*test_sweeps\.py:\d+: tags: has 42 tags; a job carries "
                                           r"at most 50, and braketkit keeps 10 of them for its own \(provenance, "
                                           r"sweep, rerun, call: docs/reproducibility\.md\), so give at most 40$"):
        jobs.train.options(tags={f"t{n}": "x" for n in range(42)}).map([1])
    with pytest.raises(InvalidInput, match=r"^max_workers: must be at least 1 \(is 0\)$"):
        jobs.train.map([1, 2], max_workers=0)
    assert len(jobs.train.map([])) == 0
    assert tripwire.requests == []
    with pytest.raises(InvalidInput, match=r"tags: has 41 tags; .* so give at most 40$"):  # a single job: the same
        jobs.train.options(tags={f"t{n}": "x" for n in range(41)}).plan()
    tags = jobs.train.options(tags={f"t{n}": "x" for n in range(40)}).plan().request.tags
    assert len(tags) == 40 + 4  # the archive, braketkit, Python and the call: the project is in no git repository


def test_list_sweep_shows_a_sweep_s_jobs_together(sweep_project: Project, cloud: Cloud,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import jobs

    first, second = jobs.train.map([1, 2]), jobs.train.map([3])
    alone = jobs.train(steps=4)
    code, out, err = run_cli(capsys, "list", "--sweep", first.id, "--json")
    assert (code, err) == (0, "")
    listed = json.loads(out)
    assert sorted(job["arn"] for job in listed) == sorted(job.arn for job in first)
    assert {job["sweep"] for job in listed} == {first.id}
    code, out, _ = run_cli(capsys, "list", "--sweep", second.id)
    assert code == 0 and [line.split()[-1] for line in out.splitlines()[1:]] == [second[0].arn]
    code, out, err = run_cli(capsys, "list", "--sweep", "train-sweep-20000101-000000-abc")
    assert (code, out, err) == (0, "", "no jobs match\n")
    code, out, err = run_cli(capsys, "metrics", "--sweep", "train-sweep-20000101-000000-abc")
    assert (code, out, err) == (2, "", "error: --sweep: no jobs of sweep 'train-sweep-20000101-000000-abc' in this "
                                       "project's .braketkit/jobs/ or in us-east-1\n")
    code, out, _ = run_cli(capsys, "status", alone.arn, "--json")
    assert "sweep" not in json.loads(out)
    code, out, _ = run_cli(capsys, "status", first[0].arn, "--json")
    assert json.loads(out)["sweep"] == first.id


def test_a_local_sweep_records_its_id_and_lists_together(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.pyproject('[tool.braketkit]\ndevice = "local"\nlocal = true\n')
    project.write("jobs.py", JOBS)
    sys.path.insert(0, str(project.root))
    import jobs

    sweep = jobs.train.map([1, 2])
    jobs.train.local(steps=3)
    assert all(isinstance(job, LocalJob) for job in sweep) and [job.result() for job in sweep] == [
        {"steps": 1, "lr": 0.1}, {"steps": 2, "lr": 0.1}]
    assert [job.info().sweep for job in sweep] == [sweep.id, sweep.id]  # type: ignore[union-attr]
    code, out, err = run_cli(capsys, "list", "--local", "--sweep", sweep.id)
    assert (code, err) == (0, "")
    assert sorted(line.split()[3] for line in out.splitlines()[1:]) == sorted(job.name for job in sweep)


def test_plot_metrics_and_metrics_sweep_take_a_sweep(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    from braketkit import plot_metrics

    project.pyproject('[tool.braketkit]\ndevice = "local"\nlocal = true\n')
    project.write("jobs.py", 'from braketkit import hybrid_job\n\n\n@hybrid_job()\ndef fit(steps: int = 2) -> None:\n'
                             '    for step in range(steps):  # the lines log_metric prints\n'
                             '        print(f"Metrics - loss={1 / (step + 1)}; iteration_number={step};")\n')
    sys.path.insert(0, str(project.root))
    import jobs

    sweep = jobs.fit.map([2, 3])
    figure = plot_metrics(sweep)
    [axes] = figure.axes
    assert len(axes.get_lines()) == 2
    code, out, err = run_cli(capsys, "metrics", "--sweep", sweep.id, "--csv")
    assert (code, err) == (0, "")
    rows = out.splitlines()[1:]
    assert sorted({row.split(",")[0] for row in rows}) == sorted(job.name for job in sweep) and len(rows) == 5


# -- the token bucket alone, on a clock of its own ------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_bucket_lets_a_burst_through_then_keeps_to_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(2.0, 4, clock=clock)  # one of the burst of 4 kept back
    sent = []
    for _ in range(7):
        bucket.take(sleep=clock.sleep)
        sent.append(clock.now - 100.0)
    assert sent == pytest.approx([0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 2.0])
    clock.now += 60  # idle: full again, never more than the burst less the one kept back
    assert [due - clock.now for due in (bucket.reserve() for _ in range(4))] == pytest.approx([0, 0, 0, 0.5])
    assert TokenBucket(1.0, 1, clock=clock).reserve() == clock.now  # a burst of one keeps nothing back


def test_a_stopped_sweep_sends_nothing_more_and_gives_the_token_back() -> None:
    import threading

    clock = Clock()
    bucket = TokenBucket(1.0, 2, clock=clock)
    stop = threading.Event()
    bucket.take(stop)  # the one token: due at once
    stop.set()
    with pytest.raises(PacingStopped):
        bucket.take(stop)  # would wait a second; stopped instead
    with pytest.raises(PacingStopped):
        TokenBucket(1.0, 2, clock=clock).take(stop)  # due now, but the sweep has stopped: not sent
    assert bucket.reserve() == pytest.approx(clock.now + 1.0)  # the stopped taker's token is back


# -- Ctrl-C in a real process ------------------------------------------------------------------------------------

SCRIPT = '''
from jobs import train

sweep = train.map(range(6))
print("done", len(sweep))
'''


def test_ctrl_c_in_a_real_process_names_the_jobs_created_and_how_to_find_them(
        sweep_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    sweep_project.write("sweep.py", SCRIPT)
    sweep_project.pyproject(SETTINGS.replace("poll = 0.02", "poll = 30"))  # waits for the quota until Ctrl-C
    cloud.braket.max_concurrent_jobs = 2
    process = subprocess.Popen([sys.executable, "sweep.py"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=dict(os.environ), preexec_fn=interruptible)
    deadline = time.monotonic() + 30
    while _outcomes(cloud)["quota"] == 0:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode != 0 and out == ""
    created = {int(job["hyperParameters"]["steps"]): job["jobName"] for job in cloud.braket.jobs.values()}
    assert len(created) == 2  # the quota's worth; which calls went first is the threads' choice
    [sweep_id] = {job["tags"]["braketkit:sweep"] for job in cloud.braket.jobs.values()}
    assert f"sweep {sweep_id} interrupted: 2 of 6 calls have a job.\njobs created (call: name):\n" in err
    assert {int(index): name for index, name in re.findall(r"^  (\d): (\S+)$", err, re.MULTILINE)} == created
    [unsent] = re.findall(r"^not sent: calls ([\d, -]+)\.$", err, re.MULTILINE)
    spans = [[int(end) for end in span.split("-")] for span in unsent.split(", ")]
    assert {index for span in spans for index in range(span[0], span[-1] + 1)} == set(range(6)) - set(created)
    assert f"Find its jobs with: braketkit list --sweep {sweep_id} --region us-east-1" in err
    assert "SweepInterrupted" in err  # Python's report of the interruption, the message above its last line
    code, listed, _ = run_cli(capsys, "list", "--sweep", sweep_id, "--json")  # the command it names finds them
    assert code == 0 and sorted(job["name"] for job in json.loads(listed)) == sorted(created.values())
