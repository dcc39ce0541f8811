"""``braketkit config schema`` against braketkit itself: the same verdict on every example but the listed ones.

braketkit's verdict is that of ``braketkit plan --offline`` (resolve, then the plan's checks against the service
model), for the base table and for each profile; the schema's is jsonschema's on the ``[tool.braketkit]`` table.
The examples: the pyproject cases of the bad-input corpus (tests/bad_inputs.py), and good and bad tables below.
Where the two cannot agree (JSON Schema cannot see files, other sources, or say everything), the case is listed
with the reason, and the test checks it still parts the listed way, so the lists stay true.
"""

from __future__ import annotations

import sys
from typing import Any

import jsonschema
import pytest

from braketkit.resolve.schema import INEXACT, settings_schema

from .bad_inputs import CASES, PLAN, ROLE, TRAIN, Case
from .conftest import Project, run_cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BASE = f'region = "us-east-1"\nrole = "{ROLE}"\n'
"""What every example needs besides its own lines to make a plan: a region and a role (the device is the example's)."""

GOOD = [
    'device = "sv1"',
    'device = "local"',
    'device = "local:braket/braket_dm"',
    'device = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"',
    'device = "forte"\n[tool.braketkit.devices]\nforte = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"',
    'device = "sv1"\ninstance = "ml.c5.xlarge"',
    'device = "sv1"\n[tool.braketkit.instance]\ntype = "ml.g4dn.xlarge"\ncount = 2\nvolume_gb = 100',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = "1h30m"',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = 3600',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = 432000',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = "5d"',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = "120h"',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = "7200m"',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = "0432000s"',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = "1"',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = "4d23h59m60s"',
    'device = "sv1"\nhyperparameters = { optimizer = "adam", depth = 3, momentum = 0.1, warm = true }',
    'device = "sv1"\ndependencies = ["numpy>=1.26", "scipy"]',
    'device = "sv1"\ndependencies = ["qiskit[visualization]==1.2.4; python_version >= \'3.10\'", " Scipy ~= 1.13",'
    ' "mine @ https://example.org/mine-1.0-py3-none-any.whl"]',
    'device = "sv1"\ninclude = ["data/*.csv", "!keep.txt", "\\\\#notes", "[!.]*.py", "[]]x"]\nexclude = ["notebooks/"]',
    'device = "sv1"\ndistribution = "data_parallel"\nresult_format = "pickled_v4"\nwait = true\nlocal = false',
    'device = "sv1"\nimage = "pytorch"',
    'device = "sv1"\nimage = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-image:latest"',
    'device = "sv1"\njob_name = "vqe-h2"\nreservation = "arn:aws:braket:us-east-1:111122223333:reservation/r"',
    'device = "sv1"\nmax_source_mb = 1',
    'device = "sv1"\nmax_source_mb = 53687091',
    'device = "sv1"\ninclude = ["/data/", "!/.keep", "..data", "a/.../b", "data/ /x", "//top.txt"]\n'
    'exclude = ["logs//"]',
    'device = "sv1"\n[tool.braketkit.s3]\nbucket = "my-bucket.data"\nprefix = "jobs/vqe"\nkms_key = "alias/braket"',
    'device = "sv1"\n[tool.braketkit.s3]\nprefix = "/jobs/"',
    'device = "sv1"\n[tool.braketkit.s3]\nkms_key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-'
    '1234567890ab"',
    'device = "sv1"\n[tool.braketkit.s3]\nkms_key = "mrk-1234abcd12ab34cd56ef1234567890ab"',
    'device = "sv1"\n[tool.braketkit.checkpoint]\ncopy_from_job = "arn:aws:braket:us-east-1:111122223333:job/x"\n'
    'local_path = "/c"',
    'device = "sv1"\n[tool.braketkit.checkpoint]\ncopy_from_job = "earlier-run"',
    'device = "sv1"\nlocal = true\n[tool.braketkit.checkpoint]\ncopy_from_job = "local:job/earlier-run"',
    'device = "sv1"\n[tool.braketkit.input]\ntrain = "data"\nshared = "s3://shared-data/k/"\nviaalias = "s3://d-s3alias"',
    'device = "sv1"\n[tool.braketkit.profiles.qpu]\ndevice = "dm1"\ninstance = { type = "ml.m5.xlarge" }',
    'device = "sv1"\n[tool.braketkit.profiles.qpu]\ndevice = "mine"\n[tool.braketkit.profiles.qpu.devices]\n'
    'mine = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"',
    'device = "sv1"\ntags = { team = "qml", "AWSome" = "x" }',
    'device = "sv1"\ntags = { ' + ", ".join(f"t{n} = 'x'" for n in range(40)) + " }",  # braketkit keeps 10
    'device = "sv1"\n[tool.braketkit.sweep]\nrate = 2.5\nburst = 10\npoll = 30',
    'device = "sv1"\n[tool.braketkit.sweep]\nrate = 1\nburst = 1\npoll = 0.5',
    'device = "sv1"\n[tool.braketkit.sweep]\nrate = 1000000\nburst = 10000\npoll = 86400',
    'device = "sv1"\n[tool.braketkit.sweep]\nrate = 0.001\npoll = 0.01',
    'device = "x"\n[tool.braketkit.devices]\nx = "dm1"',
    'device = "forte"\n[tool.braketkit.devices]\nforte = "sv1"',
    'device = "sv1"\n[tool.braketkit.devices]\nsv1 = "sv1"',
    'device = "sv1"\n[tool.braketkit.instance]\ncount = 2147483647',
    'device = "sv1"\n[tool.braketkit.input]\ntrain = "s3://shared-data/my data/x.csv"\nlocal = "data/x.csv"',
    'device = "sv1"\n[tool.braketkit.checkpoint]\nlocal_path = "opt/s3/checkpoints"',
]

BAD = [
    'devcie = "sv1"',
    'device = "sv2"',
    'device = "arn:aws:braket:us-east-1::qpu/ionq/Forte-1"',
    'device = "local:braket"',
    'device = "sv1"\nwait = "yes"',
    'device = "sv1"\ninclude = "data/*.csv"',
    'device = "sv1"\ninclude = ["#scratch"]',
    'device = "sv1"\ninclude = ["  "]',
    'device = "sv1"\nexclude = ["data\\\\train.csv"]',
    'device = "sv1"\ninstance = 4',
    'device = "sv1"\ninstance = "ml.m5.larg"',
    'device = "sv1"\nimage = "jax"',
    'device = "sv1"\nimage = "123456789012.dkr.ecr.us-east-1.amazonaws.com/no-tag"',
    'device = "sv1"\njob_name = "-vqe"',
    'device = "sv1"\nmax_source_mb = 0',
    'device = "sv1"\nmax_source_mb = 53687092',
    'device = "sv1"\nmax_source_mb = 99999999999999999999',
    'device = "sv1"\ninclude = ["/../secret.txt"]',
    'device = "sv1"\ninclude = ["../outside/*.csv"]',
    'device = "sv1"\nexclude = ["a/../b"]',
    'device = "sv1"\nexclude = ["!.."]',
    'device = "sv1"\ninclude = ["./data/*.csv"]',
    'device = "sv1"\nexclude = ["data/. "]',
    'device = "sv1"\nexclude = ["data//x.csv"]',
    'device = "sv1"\n[tool.braketkit.instance]\ncount = "2"',
    'device = "sv1"\n[tool.braketkit.instance]\ncont = 2',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = "2 hours"',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = " 2h"',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = "0s"',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = 0',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = 432001',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = "432001"',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = "121h"',
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = "7201m"',
    'device = "sv1"\nhyperparameters = { opt = { name = "adam" } }',
    'device = "sv1"\nhyperparameters = { opt = "" }',
    'device = "sv1"\ntags = { team = 3 }',
    'device = "sv1"\ntags = { "AWS:team" = "qml" }',
    'device = "sv1"\ntags = { ' + ", ".join(f"t{n} = 'x'" for n in range(42)) + " }",
    'device = "sv1"\ntags = { "braketkit:sweep" = "mine" }',
    'device = "sv1"\ndistribution = "model_parallel"',
    'device = "sv1"\nresult_format = "pickle"',
    'device = "sv1"\n[tool.braketkit.profiles.qpu]\ndevcie = "dm1"',
    'device = "sv1"\n[tool.braketkit.profiles.qpu]\ndevice = "sv2"',
    'device = "sv1"\ndependencies = 3',
    'device = "sv1"\ndependencies = ["numpy\\n--index-url https://evil.example/simple"]',
    'device = "sv1"\ndependencies = ["scipy\\u0000x"]',
    'device = "sv1"\ndependencies = ["numpy\\u2028-i https://evil.example/simple"]',
    'device = "sv1"\ndependencies = ["numpy\\u200b"]',
    'device = "sv1"\ndependencies = [" --extra-index-url=https://evil.example/simple"]',
    'device = "sv1"\ndependencies = ["./wheels/mine.whl"]',
    'device = "sv1"\ndependencies = [""]',
    'device = "sv1"\n[tool.braketkit.s3]\nbucket = "data-s3alias"',
    'device = "sv1"\n[tool.braketkit.s3]\nprefix = "a//b"',
    'device = "sv1"\n[tool.braketkit.s3]\nprefix = "jobs/ vqe"',
    'device = "sv1"\n[tool.braketkit.input]\n"bad name" = "s3://bucket/k"',
    'device = "sv1"\n[tool.braketkit.input]\ntrain = ""',
    'device = "sv1"\n[tool.braketkit.input]\ntrain = "s3://bad_bucket/k"',
    'device = "sv1"\n[tool.braketkit.checkpoint]\ncopy_from_job = "arn:aws:braket:us-east-1:111122223333:task/x"',
    'device = "sv1"\n[tool.braketkit.checkpoint]\nlocal_path = ""',
    'device = "sv1"\n[tool.braketkit.sweep]\nrate = 0',
    'device = "sv1"\n[tool.braketkit.sweep]\nburst = 0',
    'device = "sv1"\n[tool.braketkit.sweep]\npoll = -1',
    'device = "sv1"\n[tool.braketkit.sweep]\nburst = 2.5',
    'device = "sv1"\n[tool.braketkit.sweep]\nrate = "fast"',
    'device = "sv1"\n[tool.braketkit.sweep]\nrate = nan',
    'device = "sv1"\n[tool.braketkit.sweep]\nrate = -nan',
    'device = "sv1"\n[tool.braketkit.sweep]\nrate = -inf',
    'device = "sv1"\n[tool.braketkit.sweep]\npoll = inf',
    'device = "sv1"\n[tool.braketkit.sweep]\npoll = 86401',
    'device = "sv1"\n[tool.braketkit.sweep]\nrate = 1e-4',
    'device = "sv1"\n[tool.braketkit.sweep]\nburst = 10001',
    'device = "x"\n[tool.braketkit.devices]\nx = "Forte-1"',
    'device = "sv1"\n[tool.braketkit.instance]\ncount = 2147483648',
    'device = "sv1"\n[tool.braketkit.instance]\nvolume_gb = 2147483648',
    'device = "sv1"\n[tool.braketkit.input]\ntrain = "S3://shared-data/k"',
    'device = "sv1"\n[tool.braketkit.input]\ntrain = "s3:/shared-data/k"',
    'device = "sv1"\n[tool.braketkit.input]\ntrain = "s3://shared-data/k\t"',
    'device = "sv1"\n[tool.braketkit.input]\ntrain = "s3://shared-data/k?versionId=3"',
    'device = "sv1"\n[tool.braketkit.checkpoint]\nlocal_path = "S3://x/y"',
    'device = "sv1"\n[tool.braketkit.checkpoint]\nlocal_path = "file:///opt/checkpoints"',
    'device = "sv1"\n[tool.braketkit.s3]\nbucket = "S3://shared-data"',
]

SCHEMA_ONLY = {
    'device = "sv1"\n[tool.braketkit.stopping]\nmax_runtime = "4d24h1s"':
        "several units over the limit together, each within it alone",
    'device = "sv1"\n[tool.braketkit.instance]\ncount = 2.0': "JSON Schema's integer admits 2.0",
    'device = "sv2"\n[tool.braketkit.devices]\nforte = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"':
        "with devices defined, the schema cannot check that device names one of them",
    'device = "sv1"\nexclude = ["run-[9-0].txt"]': "a set's contents are Python's re's to judge",
    'device = "sv1"\ndependencies = ["numpy scipy"]': "PEP 508's grammar past a requirement's first character",
    'device = "sv1"\ndependencies = ["numpy==1.26.4 --hash=sha256:abc"]':
        "PEP 508's grammar past a requirement's first character",
    'device = "sv1"\ndependencies = ["numpy\\u00ad"]': "an invisible character other than the common ones",
}
"""Tables the schema accepts and braketkit refuses (INEXACT says so in the schema)."""

BRAKETKIT_ONLY = {
    'device = "a"\n[tool.braketkit.devices]\na = "b"\nb = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"':
        "an entry of devices naming another entry",
}
"""Tables braketkit accepts and the schema refuses."""

CORPUS_SCHEMA_ACCEPTS = {
    "near-miss-table": "[tool.braketkt] is not the table the schema describes",
    "near-miss-subtable": "[tool.brakekit.instance] is not the table the schema describes",
    "no-device": "the device may come from the decorator, the environment or --set",
    "no-region": "the region may come from the AWS configuration",
    "hyperparameter-parameter": "the function's parameters, which the job's hyperparameters show too",
    "region-mismatch": "the device ARN's region against region: across keys, and the region may come from elsewhere",
    "image-not-in-region": "the image against the region, which may come from elsewhere",
    "source-missing": "a folder on disk",
    "dependencies-missing": "a file on disk",
    "dependencies-not-text": "a file's contents",
    "dependencies-too-big": "a file's size",
    "dependencies-outside-project": "where the file is, links followed",
    "dependencies-absolute": "where the file is: an absolute path may be inside the project",
    "input-missing": "a folder on disk",
    "source-too-large": "the size of the source tree",
    "exclude-reversed-range": "a set's contents are Python's re's to judge",
    "prefix-too-long-default-bucket": "the longest S3 location depends on the bucket and the job's name",
}
"""Corpus cases the schema accepts though braketkit refuses them, and why (all are in INEXACT)."""

NOT_TOML = {"invalid-toml"}


def _table(pyproject: str) -> dict[str, Any]:
    return tomllib.loads(pyproject).get("tool", {}).get("braketkit", {})  # type: ignore[no-any-return]


def _schema_accepts(table: dict[str, Any]) -> bool:
    return jsonschema.Draft202012Validator(settings_schema()).is_valid(table)


def _braketkit_accepts(project: Project, capsys: pytest.CaptureFixture[str], pyproject: str,
                       files: dict[str, str] | None = None) -> bool:
    project.pyproject(pyproject)
    project.write("train.py", TRAIN)
    for name, text in (files or {}).items():
        project.write(name, text)
    try:
        profiles = list(_table(pyproject).get("profiles", {}))
    except tomllib.TOMLDecodeError:
        profiles = []
    for profile in [None, *profiles]:
        code, _, err = run_cli(capsys, "plan", "--offline", *(["--profile", profile] if profile else []), *PLAN[1:])
        assert code in (0, 2), err
        if code:
            return False
    return True


def _whole(body: str) -> str:
    """An example as a pyproject: the table's own lines first, then the base, then its subtables."""
    head, sep, tail = body.partition("\n[")
    return f"[tool.braketkit]\n{head}\n{BASE}" + (f"[{tail}\n" if sep else "")


DATA = {"data/x.csv": "1\n"}


@pytest.mark.parametrize("body", GOOD)
def test_good_tables_pass_both(project: Project, capsys: pytest.CaptureFixture[str], body: str) -> None:
    whole = _whole(body)
    assert _braketkit_accepts(project, capsys, whole, DATA)
    jsonschema.validate(_table(whole), settings_schema())


@pytest.mark.parametrize("body", BAD)
def test_bad_tables_fail_both(project: Project, capsys: pytest.CaptureFixture[str], body: str) -> None:
    whole = _whole(body)
    assert not _braketkit_accepts(project, capsys, whole, DATA)
    assert not _schema_accepts(_table(whole))


@pytest.mark.parametrize("body", list(SCHEMA_ONLY) + list(BRAKETKIT_ONLY))
def test_where_they_part_is_listed(project: Project, capsys: pytest.CaptureFixture[str], body: str) -> None:
    whole = _whole(body)
    assert _schema_accepts(_table(whole)) is (body in SCHEMA_ONLY)
    assert _braketkit_accepts(project, capsys, whole, DATA) is (body in BRAKETKIT_ONLY)


SETTINGS_CASES = [case for case in CASES if case.pyproject is not None and case.argv == PLAN and not case.env]


def test_every_listed_corpus_case_is_one() -> None:
    assert set(CORPUS_SCHEMA_ACCEPTS) | NOT_TOML <= {case.id for case in SETTINGS_CASES}
    assert len(SETTINGS_CASES) - len(CORPUS_SCHEMA_ACCEPTS) - len(NOT_TOML) >= 50


@pytest.mark.parametrize("case", SETTINGS_CASES, ids=[case.id for case in SETTINGS_CASES])
def test_the_corpus(project: Project, capsys: pytest.CaptureFixture[str], case: Case) -> None:
    """Every pyproject case of the corpus: braketkit refuses it, and so does the schema unless listed."""
    assert case.pyproject is not None
    assert not _braketkit_accepts(project, capsys, case.pyproject, case.files)
    try:
        table = _table(case.pyproject)
    except tomllib.TOMLDecodeError:
        assert case.id in NOT_TOML
        return
    assert _schema_accepts(table) is (case.id in CORPUS_SCHEMA_ACCEPTS), CORPUS_SCHEMA_ACCEPTS.get(case.id)


def test_the_schema_says_where_it_is_not_exact() -> None:
    schema = settings_schema()
    assert INEXACT in schema["description"]
    for words in ("several units", "2.0", "[9-0]", "1024", "defines devices", "another entry", "region", "PEP 508"):
        assert words in INEXACT


def test_the_schema_is_itself_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(settings_schema())
