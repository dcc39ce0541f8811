"""``braketkit rerun`` and ``train.rerun``: a job again from its own archive, against the loopback services."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from braketkit.model.provenance import RERUN_TAG
from braketkit.runtime import contract
from braketkit.s3uri import split_s3_uri

from .conftest import Cloud, Project, run_cli

REPLACED = '''
from __future__ import annotations

import dataclasses

from braketkit import hybrid_job


@dataclasses.dataclass
class Energy:
    value: float
    steps: int


@hybrid_job()
def train(steps: int = 3) -> Energy:
    return Energy(-9.0, steps)
'''


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """``braketkit run ARGV --quiet``: the new job's ARN."""
    code, out, err = run_cli(capsys, "run", *argv, "--quiet")
    assert code == 0, err
    return out.splitlines()[1].split()[-1]


def _rerun(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    """``braketkit rerun ARGV --quiet``: the new job's ARN, and what was said on stderr."""
    code, out, err = run_cli(capsys, "rerun", *argv, "--quiet")
    assert code == 0, err
    return out.splitlines()[1].split()[-1], err


def _source_puts(cloud: Cloud, since: int) -> list[str]:
    return [seen.path for seen in cloud.gate.seen[since:] if seen.method == "PUT" and "/sources/" in seen.path]


def _finished(cloud: Cloud, arn: str) -> dict[str, Any]:
    for _ in range(4):  # the loopback service moves a job on as it is polled
        cloud.braket.get_job(arn, {})
    return cloud.braket.jobs[arn]


def test_a_rerun_runs_the_jobs_own_archive_after_the_tree_changed(cloud_project: Project, cloud: Cloud,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    first = _run(capsys, "jobs.py:train", "--steps", "2")
    cloud_project.write("jobs.py", REPLACED)
    seen = len(cloud.gate.seen)
    second, _ = _rerun(capsys, first)
    assert _source_puts(cloud, seen) == []  # 0 bytes uploaded: S3 holds the archive
    old, new = cloud.braket.jobs[first], cloud.braket.jobs[second]
    script = old["algorithmSpecification"]["scriptModeConfig"]["s3Uri"]
    assert new["algorithmSpecification"] == old["algorithmSpecification"]
    assert new["hyperParameters"] == old["hyperParameters"]
    assert new["tags"][RERUN_TAG] == first and new["jobName"] != old["jobName"]
    assert new["jobName"].startswith("train-")
    assert new["outputDataConfig"]["s3Path"] == old["outputDataConfig"]["s3Path"].replace(old["jobName"],
                                                                                         new["jobName"])
    assert new["checkpointConfig"]["s3Uri"] != old["checkpointConfig"]["s3Uri"]
    assert split_s3_uri(script)[1].endswith("/source.tar.gz")
    code, out, err = run_cli(capsys, "result", second, "--json", "--poll", "0.01")
    assert (code, json.loads(out)) == (0, {"value": -1.5, "steps": 2}), err  # the old code, not the tree's
