"""Settings that cannot mean anything are refused: ``include``/``exclude`` patterns no path inside the project can
match, and numbers past what their setting can use. One message naming where the value came from, exit status 2,
nothing sent (every AWS endpoint points at a loopback tripwire)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from braketkit.model.types import shape
from braketkit.resolve import rules
from braketkit.resolve.keys import known_keys, leaf_type, maps, tables
from braketkit.resolve.schema import SENT_AS
from braketkit.resolve.sources import env_name

from .bad_inputs import GOOD, TRAIN
from .conftest import Project, Tripwire, run_cli

PLAN = ("plan", "train.py:train")
OUTSIDE = ("is no path inside the source folder, whose files patterns match, so it never matches; ship a file from "
           "outside by copying it in, or give it as input")

# (id, the setting as pyproject.toml writes it, the message)
REFUSED = [
    ("climbs-out-anchored", "include = ['/../secret.txt']",
     f"pyproject.toml:5: include: '/../secret.txt' has a '..' part, which {OUTSIDE}"),
    ("climbs-out", "include = ['../outside/*.csv']",
     f"pyproject.toml:5: include: '../outside/*.csv' has a '..' part, which {OUTSIDE}"),
    ("climbs-in-the-middle", "exclude = ['a/../b']",
     f"pyproject.toml:5: exclude: 'a/../b' has a '..' part, which {OUTSIDE}"),
    ("negated", "include = ['!../keep.txt']",
     f"pyproject.toml:5: include: '!../keep.txt' has a '..' part, which {OUTSIDE}"),
    ("dot-dot-alone", "exclude = ['..']", f"pyproject.toml:5: exclude: '..' has a '..' part, which {OUTSIDE}"),
    ("dot-part", "include = ['./data/*.csv']",
     "pyproject.toml:5: include: './data/*.csv' has a '.' part, which no path a pattern is matched against has, so "
     "it never matches; did you mean 'data/*.csv'?"),
    ("dot-folder", "exclude = ['data/./']",
     "pyproject.toml:5: exclude: 'data/./' has a '.' part, which no path a pattern is matched against has, so it "
     "never matches; did you mean 'data/'?"),
    ("empty-part", "exclude = ['data//x.csv']",
     "pyproject.toml:5: exclude: 'data//x.csv' has an empty part ('//'), which no path a pattern is matched against "
     "has, so it never matches; did you mean 'data/x.csv'?"),
    ("source-mb-huge", "max_source_mb = 99999999999999999999",
     "pyproject.toml:5: max_source_mb: must be at most 53687091 (is 99999999999999999999): the source archive is "
     "one S3 object, at most 10000 parts of 5 GiB"),
    ("source-mb-zero", "max_source_mb = 0", "pyproject.toml:5: max_source_mb: must be at least 1 (is 0)"),
    ("rate-huge", "[tool.braketkit.sweep]\nrate = 1e308",
     "pyproject.toml:6: sweep.rate: must be at most 1000000 (is 1e+308)"),
]


@pytest.mark.parametrize(("line", "message"), [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_a_setting_that_cannot_mean_anything_is_refused(project: Project, tripwire: Tripwire,
                                                        capsys: pytest.CaptureFixture[str], line: str,
                                                        message: str) -> None:
    project.write("train.py", TRAIN)
    project.write("pyproject.toml", GOOD + line + "\n")
    code, out, err = run_cli(capsys, *PLAN)
    assert (code, out, err) == (2, "", f"error: {message}\n")
    assert tripwire.requests == []


def test_every_source_names_itself(project: Project, tripwire: Tripwire, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    project.write("pyproject.toml", GOOD)
    project.write("train.py", "from braketkit import hybrid_job\n\n"
                              "@hybrid_job(exclude=['../logs/'], max_source_mb=10**20)\n"
                              "def train() -> None:\n    pass\n")
    monkeypatch.setenv("BRAKETKIT_MAX_SOURCE_MB", "53687092")
    code, out, err = run_cli(capsys, *PLAN, "--set", "include=['data//a.csv']")
    assert (code, out) == (2, "")
    assert err == (
        "error: 3 problems:\n"
        "  - --set include: include: 'data//a.csv' has an empty part ('//'), which no path a pattern is matched "
        "against has, so it never matches; did you mean 'data/a.csv'?\n"
        f"  - @hybrid_job in train.py: exclude: '../logs/' has a '..' part, which {OUTSIDE}\n"
        "  - env BRAKETKIT_MAX_SOURCE_MB: max_source_mb: must be at most 53687091 (is 53687092): the source archive "
        "is one S3 object, at most 10000 parts of 5 GiB\n")
    assert tripwire.requests == []


def test_the_largest_source_is_the_largest_object_s3_transfer_uploads() -> None:
    """The bound is S3's, as s3transfer (boto3's uploader, and its part-size rule braketkit's) states it."""
    import attrs
    from s3transfer.utils import MAX_PARTS, MAX_SINGLE_UPLOAD_SIZE

    from braketkit.model.settings import Settings

    field = attrs.fields_dict(Settings)["max_source_mb"]
    assert field.metadata["maximum"] == MAX_PARTS * MAX_SINGLE_UPLOAD_SIZE // 1000 // 1000


def _numeric(kind: Any) -> bool:
    found = shape(kind)
    if found.form == "union":
        return any(_numeric(arm) for arm in found.args)
    return kind in (int, float) or getattr(kind, "__name__", "") == "Seconds"


NUMERIC = [key for key in known_keys() if key not in tables() and key not in maps() and _numeric(leaf_type(key))]


def test_every_numeric_setting_is_bounded_above() -> None:
    """Each number lands in a request member (whose service-model limits the plan checks) or states its own bounds."""
    import attrs

    from braketkit.model.settings import Settings

    assert set(NUMERIC) == {"max_source_mb", "instance.count", "instance.volume_gb", "stopping.max_runtime",
                            "sweep.rate", "sweep.burst", "sweep.poll"}
    for key in NUMERIC:
        head, _, rest = key.partition(".")
        cls = tables()[head] if rest else Settings
        if key not in SENT_AS:
            assert "maximum" in attrs.fields_dict(cls)[rest or head].metadata, key


@pytest.mark.parametrize("key", NUMERIC)
def test_no_numeric_setting_takes_twenty_digits(project: Project, tripwire: Tripwire, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str], key: str) -> None:
    project.write("pyproject.toml", GOOD)
    project.write("train.py", TRAIN)
    monkeypatch.setenv(env_name(key), "99999999999999999999")
    code, out, err = run_cli(capsys, *PLAN)
    assert (code, out) == (2, "")
    assert err.startswith(f"error: env {env_name(key)}: {key}: must be at most "), err
    assert tripwire.requests == []


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab./!* ", max_size=12))
def test_the_schemas_pattern_and_the_rule_agree_without_sets_or_escapes(pattern: str) -> None:
    """Without ``[...]`` and backslashes, GIT_PATTERN says exactly what ``pattern_problem`` says."""
    assert (re.search(rules.GIT_PATTERN, pattern) is None) == (rules.pattern_problem(pattern) is not None)
