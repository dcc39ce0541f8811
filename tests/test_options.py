"""``train.options(...)``: settings for the calls made through it, with an origin of their own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from braketkit import InvalidInput, Settings
from braketkit.converter import call_digest, provenance_tags
from braketkit.model.provenance import CALL_TAG
from braketkit.resolve.pyproject import display_path

from .conftest import Project, Tripwire

JOBS = '''
from braketkit import hybrid_job

@hybrid_job(job_name="from-the-decorator", tags={"team": "qml"})
def train(steps=2):
    return {"steps": steps}
'''

PROJECT = '''
[tool.braketkit]
device = "local"
region = "us-east-1"
role = "arn:aws:iam::111122223333:role/r"
'''


@pytest.fixture
def jobs(project: Project) -> object:
    project.pyproject(PROJECT)
    project.write("jobs.py", JOBS)
    sys.path.insert(0, str(project.root))
    import jobs

    return jobs


def test_options_override_the_decorator_for_one_call_only(jobs: object, monkeypatch: pytest.MonkeyPatch) -> None:
    train = jobs.train  # type: ignore[attr-defined]
    line = sys._getframe().f_lineno + 1
    plan = train.options(job_name="one-off", instance={"count": 2}).plan(steps=3)
    where = f"options() in {display_path(Path(__file__))}:{line}"
    assert plan.request.job_name == "one-off" and plan.request.instance_config.instance_count == 2
    assert plan.resolved.origin("job_name") == where and plan.resolved.origin("instance.count") == where
    assert plan.resolved.origin("tags.team") == "@hybrid_job in jobs.py"  # what options() leaves alone stays
    assert train.plan().request.job_name == "from-the-decorator"  # the decorated function is unchanged
    monkeypatch.setenv("BRAKETKIT_JOB_NAME", "from-the-environment")  # the environment still wins, as over @hybrid_job
    assert train.options(job_name="one-off").plan().request.job_name == "from-the-environment"


def test_options_take_a_settings_object_and_chain(jobs: object) -> None:
    train = jobs.train  # type: ignore[attr-defined]
    plan = train.options(Settings(job_name="from-settings")).options(tags={"run": "7"}).plan()
    assert plan.request.job_name == "from-settings"
    assert plan.request.tags == {"team": "qml", "run": "7", **provenance_tags(plan.provenance, longest=256),
                                 CALL_TAG: call_digest(plan.record.call)}


def test_options_local_and_map(jobs: object) -> None:
    quick = jobs.train.options(job_name="quick")  # type: ignore[attr-defined]
    job = quick.local(steps=4)
    assert job.name.startswith("quick") and job.result() == {"steps": 4}
    assert [job.result() for job in quick.options(local=True).map([5, 6])] == [{"steps": 5}, {"steps": 6}]


def test_a_bad_option_is_refused_where_it_was_given(jobs: object) -> None:
    line = sys._getframe().f_lineno + 2
    with pytest.raises(InvalidInput) as caught:
        jobs.train.options(devcie="sv1")  # type: ignore[attr-defined]
    assert str(caught.value) == (f"options() in {display_path(Path(__file__))}:{line}: devcie: unknown setting; "
                                 "did you mean 'device'?")


def test_plan_of_a_local_job_needs_no_region_and_no_aws(project: Project, tripwire: Tripwire) -> None:
    """``local = true``: ``train()`` runs here, so ``train.plan()`` plans a local run, as ``.local()`` does."""
    project.pyproject('[tool.braketkit]\ndevice = "local"\nlocal = true\n')
    project.write("jobs.py", JOBS)
    sys.path.insert(0, str(project.root))
    import jobs

    assert jobs.train.plan().region is None
    assert tripwire.requests == []


def test_the_caller_changing_its_dicts_and_lists_afterwards_changes_no_job(jobs: object) -> None:
    """Keywords, ``.options`` and settings objects record the containers as they were when given."""
    from braketkit import hybrid_job
    from braketkit.model.settings import InstanceTable

    train = jobs.train  # type: ignore[attr-defined]
    cfg = {"lr": "0.1"}
    first = train.options(hyperparameters=cfg)
    cfg["lr"] = "0.2"
    second = train.options(hyperparameters=cfg)
    tags = {"run": "1"}
    shared = Settings(tags=tags, include=["*.csv"], dependencies=["numpy"])
    tags["run"] = "2"
    instance: InstanceTable = {"count": 2}
    decorated = hybrid_job(instance=instance, tags={"a": "b"})(train.function)
    instance["count"] = 3
    assert first.plan().request.hyper_parameters["lr"] == "0.1"
    assert second.plan().request.hyper_parameters["lr"] == "0.2"
    assert (shared.tags, shared.dependencies) == ({"run": "1"}, ["numpy"])
    assert decorated.keywords == ({"instance": {"count": 2}, "tags": {"a": "b"}},)
