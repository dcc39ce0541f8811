"""``braketkit config schema`` agrees with the real parser, example by example."""

from __future__ import annotations

import sys

import jsonschema
import pytest

from braketkit import InvalidInput
from braketkit.resolve import resolve
from braketkit.resolve.schema import settings_schema

from .conftest import Project

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

VALID = [
    'device = "sv1"',
    'device = "forte"\n[tool.braketkit.devices]\nforte = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"',
    'instance = "ml.c5.xlarge"',
    '[tool.braketkit.instance]\ntype = "ml.g4dn.xlarge"\ncount = 2\nvolume_gb = 100',
    '[tool.braketkit.stopping]\nmax_runtime = "1h30m"',
    '[tool.braketkit.stopping]\nmax_runtime = 3600',
    'hyperparameters = { optimizer = "adam", layers = 3, lr = 0.1, warm = true }',
    'dependencies = "requirements.txt"',
    'dependencies = ["numpy>=1.26", "scipy"]',
    'include = ["data/*.csv"]\nexclude = ["notebooks/"]',
    'distribution = "data_parallel"\nresult_format = "pickled_v4"\nwait = true\nlocal = false',
    '[tool.braketkit.s3]\nbucket = "my-bucket.data"\nprefix = "p"\nkms_key = "alias/braket"',
    '[tool.braketkit.s3]\nkms_key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"',
    '[tool.braketkit.s3]\nkms_key = "mrk-1234abcd12ab34cd56ef1234567890ab"',
    '[tool.braketkit.checkpoint]\ncopy_from_job = "arn:aws:braket:us-east-1:111122223333:job/x"\nlocal_path = "/c"',
    '[tool.braketkit.input]\ntrain = "data/train"\nshared = "s3://shared-data/k/"',
    '[tool.braketkit.profiles.qpu]\ndevice = "dm1"\ninstance = { type = "ml.m5.xlarge" }',
    'tags = { team = "qml" }\nreservation = "arn:aws:braket:us-east-1:111122223333:reservation/r"',
    '[tool.braketkit.sweep]\nrate = 2.5\nburst = 10\npoll = 30',
    '[tool.braketkit.sweep]\nrate = 1\nburst = 1\npoll = 0.5',
]

INVALID = [
    'devcie = "sv1"',
    'wait = "yes"',
    'include = "data/*.csv"',
    'instance = 4',
    'instance = "ml.m5.larg"',
    '[tool.braketkit.instance]\ncount = "2"',
    '[tool.braketkit.instance]\ncont = 2',
    '[tool.braketkit.stopping]\nmax_runtime = "2 hours"',
    'hyperparameters = { opt = { name = "adam" } }',
    'tags = { team = 3 }',
    'distribution = "model_parallel"',
    'result_format = "pickle"',
    '[tool.braketkit.profiles.qpu]\ndevcie = "dm1"',
    'dependencies = 3',
    '[tool.braketkit.s3]\nbucket = "My_Bucket"',
    '[tool.braketkit.s3]\nbucket = "192.168.5.4"',
    '[tool.braketkit.s3]\nbucket = "data-s3alias"',
    '[tool.braketkit.s3]\nkms_key = "my-key"',
    '[tool.braketkit.s3]\nkms_key = "arn:aws:kms:us-east-1:111122223333:key/my-key"',
    '[tool.braketkit.sweep]\nrate = 0',
    '[tool.braketkit.sweep]\nburst = 0',
    '[tool.braketkit.sweep]\nburst = 2.5',
    '[tool.braketkit.sweep]\npoll = -1',
    '[tool.braketkit.sweep]\nrate = "fast"',
]


def _parse(body: str) -> dict[str, object]:
    return tomllib.loads("[tool.braketkit]\n" + body)["tool"]["braketkit"]  # type: ignore[no-any-return]


def _parser_accepts(project: Project, body: str) -> bool:
    project.pyproject("[tool.braketkit]\n" + body + "\n")
    profiles = _parse(body).get("profiles", {})
    try:
        resolve(start=project.root, environ={})
        for name in profiles:  # type: ignore[union-attr]
            resolve(start=project.root, environ={}, profile=name)
    except InvalidInput:
        return False
    return True


@pytest.mark.parametrize("body", VALID)
def test_valid_examples_pass_both(project: Project, body: str) -> None:
    jsonschema.validate(_parse(body), settings_schema())
    assert _parser_accepts(project, body)


@pytest.mark.parametrize("body", INVALID)
def test_invalid_examples_fail_both(project: Project, body: str) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_parse(body), settings_schema())
    if body != 'instance = "ml.m5.larg"':  # the service model's enum: the plan stage refuses it
        assert not _parser_accepts(project, body)


def test_the_schema_is_itself_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(settings_schema())
