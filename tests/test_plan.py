"""Stage 3 alone: the request, its validation against the service model, names and arguments."""

from __future__ import annotations

import dataclasses
import json
import math
import platform
import re
from pathlib import Path
from typing import Any

import attrs
import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from braketkit import InvalidInput, Plan, __version__
from braketkit.converter import call_digest, converter
from braketkit.model.provenance import JobCall
from braketkit.package import is_runtime_member
from braketkit.pipeline import plan_target
from braketkit.plan import service_model
from braketkit.plan.arguments import encode_arguments
from braketkit.plan.jobname import default_job_name
from braketkit.runtime.rebuild import rebuild
from braketkit.target import load_reference

from .conftest import BASIC, TRAIN, Project, run_cli


def plan_of(ref: str = "train.py:train", *args: Any, **kwargs: Any) -> Plan:
    options = {k: kwargs.pop(k) for k in ("profile", "assignments", "offline") if k in kwargs}
    return plan_target(load_reference(ref), args, kwargs, **options)


def request_of(**kwargs: Any) -> dict[str, Any]:
    return converter.unstructure(plan_of(**kwargs).request)  # type: ignore[no-any-return]


def _call(plan: Plan) -> JobCall:
    assert plan.record.call is not None, "a function's plan has a call"
    return plan.record.call


def provenance_tags(plan: Plan) -> dict[str, str]:
    """The tags every job of a project outside any git repository carries: its archive, braketkit, Python."""
    return {"braketkit:archive-sha256": plan.archive.sha256, "braketkit:version": __version__,
            "braketkit:python": platform.python_version()}


def test_the_request_is_exactly_what_create_job_takes(basic_project: Project) -> None:
    plan = plan_of("train.py:train", 5, lr=0.25)
    request = converter.unstructure(plan.request)
    name = request["jobName"]
    sha = plan.archive.sha256
    assert re.fullmatch(r"train-\d{8}-\d{6}-\d{3}-[0-9a-z]{3}", name)
    assert re.fullmatch(r"[0-9a-f-]{36}", request.pop("clientToken"))
    bucket = "s3://amazon-braket-us-east-1-111122223333/jobs"
    assert request == {
        "jobName": name,
        "roleArn": "arn:aws:iam::111122223333:role/service-role/AmazonBraketJobsExecutionRole",
        "algorithmSpecification": {
            "scriptModeConfig": {"entryPoint": "braketkit_job:train",
                                 "s3Uri": f"{bucket}/sources/{sha}/source.tar.gz", "compressionType": "GZIP"},
            "containerImage": {"uri": "292282985366.dkr.ecr.us-east-1.amazonaws.com/amazon-braket-base-jobs:latest"},
        },
        "deviceConfig": {"device": "arn:aws:braket:::device/quantum-simulator/amazon/sv1"},
        "instanceConfig": {"instanceType": "ml.m5.large", "volumeSizeInGb": 30, "instanceCount": 1},
        "outputDataConfig": {"s3Path": f"{bucket}/{name}"},
        "checkpointConfig": {"s3Uri": f"{bucket}/{name}/checkpoints", "localPath": "/opt/jobs/checkpoints"},
        "stoppingCondition": {"maxRuntimeInSeconds": 432000},
        "hyperParameters": {"steps": "5", "lr": "0.25"},  # as the Braket SDK's decorator writes them
        "inputDataConfig": [{"channelName": "braketkit",
                             "dataSource": {"s3DataSource": {"s3Uri": f"{bucket}/{name}/braketkit/planned.json"}}}],
        "tags": {**provenance_tags(plan), "braketkit:call-sha256": call_digest(_call(plan))},
    }
    assert plan.record.call == JobCall(entry="train:train", arguments={"steps": "5", "lr": "0.25"})
    assert [(u.s3_uri, u.sha256, u.size) for u in plan.uploads] == [
        (f"{bucket}/sources/{sha}/source.tar.gz", sha, plan.archive.path.stat().st_size)]


def test_botocore_accepts_the_request(basic_project: Project) -> None:
    from botocore.validate import ParamValidator

    request = request_of(offline=True)
    model = boto3.Session(region_name="us-east-1").client("braket").meta.service_model
    shape = model.operation_model("CreateJob").input_shape
    assert shape is not None
    report = ParamValidator().validate(request, shape)
    assert not report.has_errors(), report.generate_report()


def test_optional_members_follow_the_settings(project: Project) -> None:
    project.write("train.py", TRAIN)
    project.write("data/train.csv", "1,2\n")
    project.pyproject(BASIC.replace('region = "us-east-1"', '''region = "us-east-1"
reservation = "arn:aws:braket:us-east-1:111122223333:reservation/abc"
distribution = "data_parallel"
tags = { team = "qml" }
hyperparameters = { optimizer = "adam", layers = 3 }
input = { train = "data", shared = "s3://other-bucket/shared/" }'''))
    plan = plan_of()
    request = converter.unstructure(plan.request)
    assert request["associations"] == [{"arn": "arn:aws:braket:us-east-1:111122223333:reservation/abc",
                                        "type": "RESERVATION_TIME_WINDOW_ARN"}]
    assert request["tags"] == {"team": "qml", **provenance_tags(plan),
                               "braketkit:call-sha256": call_digest(_call(plan))}
    parameters = request["hyperParameters"]
    assert parameters["optimizer"] == "adam" and parameters["layers"] == "3"
    assert parameters["sagemaker_distributed_dataparallel_enabled"] == "true"
    assert parameters["sagemaker_instance_type"] == "ml.m5.large"
    channels = {c["channelName"]: c["dataSource"]["s3DataSource"]["s3Uri"] for c in request["inputDataConfig"]}
    assert channels["shared"] == "s3://other-bucket/shared/"
    assert re.fullmatch(r"s3://amazon-braket-us-east-1-111122223333/jobs/inputs/[0-9a-f]{64}/", channels["train"])
    assert plan.uploads[1].s3_uri == channels["train"] + "train.csv"


VIOLATIONS = [
    ('[tool.braketkit.instance]\ncount = 0', "pyproject.toml:10: instance.count: must be at least 1 (is 0) "
     "(request member instanceConfig.instanceCount)"),
    ('[tool.braketkit.instance]\nvolume_gb = 0', "pyproject.toml:10: instance.volume_gb: must be at least 1 (is 0) "
     "(request member instanceConfig.volumeSizeInGb)"),
    ('[tool.braketkit.instance]\ntype = "ml.m5.larg"', "pyproject.toml:10: instance.type: 'ml.m5.larg' is not one of "
     f"the {len(service_model.limit('InstanceType', 'enum'))} values the service accepts; did you mean ml.m5.large "
     "or ml.m5.xlarge or ml.m5.4xlarge? (`braketkit config schema` lists them) "
     "(request member instanceConfig.instanceType)"),
    ('[tool.braketkit.stopping]\nmax_runtime = "6d"', "pyproject.toml:10: stopping.max_runtime: must be at most "
     "432000 (is 518400) (request member stoppingCondition.maxRuntimeInSeconds)"),
    ('[tool.braketkit.checkpoint]\nlocal_path = ""', "pyproject.toml:10: checkpoint.local_path: must be 1 to 4096 "
     "characters long (is 0) (request member checkpointConfig.localPath)"),
    ('[tool.braketkit.s3]\nkms_key = ""', "pyproject.toml:10: s3.kms_key: must be 1 to 2048 characters long (is 0) "
     "(request member outputDataConfig.kmsKeyId)"),
]


ROLE = "arn:aws:iam::111122223333:role/service-role/AmazonBraketJobsExecutionRole"


@pytest.mark.parametrize(("extra", "message"), VIOLATIONS)
def test_service_model_limits_are_reported_against_the_setting(project: Project, extra: str, message: str) -> None:
    project.pyproject(f'[tool.braketkit]\ndevice = "sv1"\nregion = "us-east-1"\nrole = "{ROLE}"\n\n{extra}\n')
    project.write("train.py", TRAIN)
    with pytest.raises(InvalidInput) as caught:
        plan_of(offline=True)
    assert [str(p) for p in caught.value.problems] == [message]


def test_the_service_model_is_the_one_boto3_uses() -> None:
    model = boto3.Session(region_name="us-east-1").client("braket").meta.service_model
    assert service_model.limit("InstanceType", "enum") == model.shape_for("InstanceType").enum


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("job_name=_bad", "--set job_name: job_name: '_bad' does not match the pattern "
         "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,50} (request member jobName)"),
        ("job_name=" + "a" * 51, "--set job_name: job_name: must be 1 to 50 characters long (is 51) "
         "(request member jobName)"),
        ("role=not-an-arn", "--set role: role: 'not-an-arn' does not match the pattern "
         "arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+ (request member roleArn)"),
        ("reservation=arn:aws:braket:us-east-1:1234:reservation/x", "--set reservation: reservation: "
         "'arn:aws:braket:us-east-1:1234:reservation/x' does not match the pattern "
         "arn:aws[a-z\\-]*:braket:[a-z0-9\\-]*:[0-9]{12}:.* (request member associations[0].arn)"),
        ("hyperparameters.empty=", "--set hyperparameters.empty: hyperparameters.empty: must be 1 to 2500 characters "
         "long (is 0)"),
        ("input.bad name=s3://shared-data/k", "--set input.bad name: input.bad name: 'bad name' does not match the "
         "pattern "
         "[A-Za-z0-9\\.\\-_]+ (request member inputDataConfig[0].channelName)"),
    ],
)
def test_service_model_patterns(basic_project: Project, assignment: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        plan_of(offline=True, assignments=[assignment])
    assert [str(p) for p in caught.value.problems] == [message]


def test_too_many_hyperparameters(basic_project: Project) -> None:
    assignments = [f"hyperparameters.h{i}=1" for i in range(100)]
    with pytest.raises(InvalidInput) as caught:
        plan_of(offline=True, assignments=assignments)
    assert [str(p) for p in caught.value.problems] == [
        "--set hyperparameters.h0, --set hyperparameters.h1 and 98 more: hyperparameters: must have at most 100 "
        "entries (has 102) (request member hyperParameters)"]  # and train's steps and lr, defaults shown


def test_every_violation_is_reported_at_once(basic_project: Project) -> None:
    with pytest.raises(InvalidInput) as caught:
        plan_of(offline=True, assignments=["instance.count=0", "job_name=-x", "instance.volume_gb=0"])
    assert [p.key for p in caught.value.problems] == ["job_name", "instance.volume_gb", "instance.count"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_default_job_names_are_always_valid(function_name: str) -> None:
    name = default_job_name(function_name)
    shape = service_model.shapes()["CreateJobRequestJobNameString"]
    assert len(name) <= shape["max"]
    assert re.fullmatch(shape["pattern"], name), name


def test_default_job_names_in_the_same_millisecond_are_distinct() -> None:
    from datetime import datetime, timezone

    now = datetime(2026, 11, 26, 18, 0, 0, 123000, tzinfo=timezone.utc)
    names = {default_job_name("train", now) for _ in range(5000)}
    assert len(names) == 5000
    assert default_job_name("_helper", now).startswith("helper-20261126-180000-123-")
    assert default_job_name("überträgt", now).startswith("ubertragt-")
    assert default_job_name("日本", now).startswith("job-")


@attrs.define
class Ansatz:
    layers: int
    angles: list[float]


@dataclasses.dataclass
class Options:
    shots: int
    label: str = "x"


def target(ansatz: Ansatz, options: Options, pair: tuple[int, str], values: dict[str, Any], maybe: int | None = None,
           **extra: Any) -> None:
    """Stands for a user's function; never called."""


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(_json, _json)
def test_json_arguments_round_trip_exactly(values: Any, extra: Any) -> None:
    call = {"ansatz": Ansatz(2, [0.1]), "options": Options(5), "pair": (1, "a"), "values": {"v": values},
            "surplus": extra}
    encoded = encode_arguments(target, (), call, max_length=10**9)
    decoded = rebuild(target, {name: json.loads(text) for name, text in encoded.items()})
    assert decoded == call


def test_argument_values_that_json_would_change_are_refused() -> None:
    def job(a: Any = None, b: Any = None, c: Any = None, d: Any = None) -> None: ...

    with pytest.raises(InvalidInput) as caught:
        encode_arguments(job, (), {"a": {1, 2}, "b": math.nan, "c": {1: "x"}, "d": object()}, max_length=2500)
    hint = 'pass it as input data instead ([tool.braketkit.input] name = "path") and read it in the job'
    assert [str(p) for p in caught.value.problems] == [
        f"argument a: a is a set, which has no JSON form; {hint}",
        f"argument b: b is nan, which JSON cannot hold; {hint}",
        f"argument c: c has a key of type int; JSON keys are strings; {hint}",
        f"argument d: d is a object, which has no JSON form; {hint}",
    ]


def test_long_arguments_and_bad_calls_are_refused() -> None:
    def job(values: list[int], *rest: int) -> None: ...

    with pytest.raises(InvalidInput, match=r"argument values: is 2691 characters as JSON, over the 2500"):
        encode_arguments(job, (list(range(700)),), {}, max_length=2500)
    missing = r"arguments: missing a required argument: 'values' \(signature: .*job\(values"
    with pytest.raises(InvalidInput, match=missing):
        encode_arguments(job, (), {}, max_length=2500)
    with pytest.raises(InvalidInput, match=r"\*rest cannot travel to the job"):
        encode_arguments(job, ([1], 2), {}, max_length=2500)


def test_arguments_may_not_shadow_hyperparameters(project: Project) -> None:
    project.pyproject(BASIC.replace('region = "us-east-1"', 'region = "us-east-1"\nhyperparameters = { steps = 3 }'))
    project.write("train.py", TRAIN)
    with pytest.raises(InvalidInput, match=r"hyperparameters\.steps: is also the name of a parameter of the function"):
        plan_of("train.py:train", steps=4, offline=True)


def test_region_must_agree_with_the_device(basic_project: Project) -> None:
    arn = "arn:aws:braket:eu-west-2::device/qpu/oqc/Lucy"
    with pytest.raises(InvalidInput) as caught:
        plan_of(offline=True, assignments=[f"device={arn}"])
    assert str(caught.value) == (
        f"pyproject.toml:6: region: the device {arn} is in eu-west-2, but region is us-east-1; jobs run in their "
        "device's region, so drop region or make them agree")


def test_the_device_names_the_region(project: Project) -> None:
    project.pyproject('[tool.braketkit]\ndevice = "arn:aws:braket:eu-west-2::device/qpu/oqc/Lucy"\n')
    project.write("train.py", TRAIN)
    plan = plan_of(offline=True)
    assert plan.region == "eu-west-2"
    assert plan.request.role_arn == "<role>"
    assert plan.request.output_data_config.s3_path.startswith("s3://amazon-braket-eu-west-2-<account>/jobs/")


def test_images_exist_only_in_some_regions(project: Project) -> None:
    project.pyproject('[tool.braketkit]\ndevice = "sv1"\nregion = "ap-southeast-2"\nimage = "pytorch"\n')
    project.write("train.py", TRAIN)
    with pytest.raises(InvalidInput) as caught:
        plan_of(offline=True)
    assert str(caught.value) == (
        "pyproject.toml:7: image: Braket's pytorch image is not offered in ap-southeast-2; it is in us-east-1, "
        "us-west-1, us-west-2, eu-west-2, eu-north-1 (or set image to a full ECR image URI)")


def test_no_region_anywhere(project: Project) -> None:
    project.pyproject('[tool.braketkit]\ndevice = "sv1"\n')
    project.write("train.py", TRAIN)
    with pytest.raises(InvalidInput, match=r"^region: no region: set region in"):
        plan_of(offline=True)


def test_package_entries_get_their_import_folder(project: Project) -> None:
    project.pyproject('[tool.braketkit]\ndevice = "sv1"\nregion = "us-east-1"\n')
    project.write("src/lab/__init__.py", "")
    project.write("src/lab/jobs.py", TRAIN)
    plan = plan_of("src/lab/jobs.py:train", offline=True)
    assert plan.record.call is not None
    assert (plan.record.call.entry, plan.record.call.paths) == ("lab.jobs:train", ["src"])
    assert plan.request.algorithm_specification.script_mode_config.entry_point == "braketkit_job:train"


def test_account_values_are_looked_up_read_only(basic_project: Project, aws: str) -> None:
    basic_project.pyproject('[tool.braketkit]\ndevice = "sv1"\n')
    iam = boto3.Session(region_name="us-east-1").client("iam")
    policy = json.dumps({"Version": "2012-10-17", "Statement": []})
    role = iam.create_role(RoleName="AmazonBraketJobsExecutionRole", Path="/service-role/",
                           AssumeRolePolicyDocument=policy)["Role"]["Arn"]
    try:
        plan = plan_of()
        assert plan.request.role_arn == role
        assert plan.request.output_data_config.s3_path.startswith("s3://amazon-braket-us-east-1-123456789012/jobs/")
        assert plan.unresolved == []
        s3 = boto3.Session(region_name="us-east-1").client("s3")
        assert s3.list_buckets()["Buckets"] == []  # read-only: nothing was created
    finally:
        iam.delete_role(RoleName="AmazonBraketJobsExecutionRole")


def test_a_missing_role_is_explained(basic_project: Project, aws: str) -> None:
    basic_project.pyproject('[tool.braketkit]\ndevice = "sv1"\n')
    plan = plan_of()
    assert plan.request.role_arn == "<role>"
    assert plan.unresolved == ['no role named AmazonBraketJobsExecutionRole* in the account; set role = '
                               '"arn:aws:iam::..." or create it from the Amazon Braket console (Permissions and '
                               'settings)']


def test_without_credentials_the_plan_says_so(basic_project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    basic_project.pyproject('[tool.braketkit]\ndevice = "sv1"\nregion = "us-east-1"\n')
    plan = plan_of()
    assert plan.unresolved == ["no AWS credentials found; account-dependent values are unresolved"]


def test_planning_twice_reuses_the_archive(basic_project: Project) -> None:
    first, second = plan_of(offline=True), plan_of(offline=True)
    assert first.archive.sha256 == second.archive.sha256
    assert first.request.job_name != second.request.job_name
    assert first.request.client_token != second.request.client_token
    assert sorted(p.name for p in (basic_project.root / ".braketkit" / "archives").iterdir()) == [
        f"{first.archive.sha256}.tar.gz"]


def test_the_source_setting_must_contain_the_entry(basic_project: Project, tmp_path: Path) -> None:
    (basic_project.root / "lib").mkdir()
    with pytest.raises(InvalidInput) as caught:
        plan_of(offline=True, assignments=["source=lib"])
    assert str(caught.value) == (
        "--set source: source: the entry train (train.py, imported from the working directory) is outside the source "
        "folder lib, which is all the job gets; set source to a folder holding both")


def test_the_decorated_function_plans_itself(basic_project: Project) -> None:
    import importlib
    import sys

    sys.path.insert(0, str(basic_project.root))
    train = importlib.import_module("train").train
    plan = train.plan(7, lr=0.5)
    assert isinstance(plan, Plan)
    assert plan.request.hyper_parameters == {"steps": "7", "lr": "0.5"}
    assert plan.record.call is not None and plan.record.call.entry == "train:train"
    with pytest.raises(InvalidInput, match="unexpected keyword argument 'lrr'"):
        train.plan(lrr=1)


def test_local_input_channels_stay_out_of_the_source_archive(project: Project) -> None:
    import tarfile

    project.pyproject(BASIC.replace('region = "us-east-1"', 'region = "us-east-1"\n'
                                    'input = { train = "data", labels = "extra/labels [v2].csv" }'))
    project.write("train.py", TRAIN)
    project.write("data/a.csv", "1\n")
    project.write("extra/labels [v2].csv", "2\n")
    project.write("extra/keep.py", "")
    plan = plan_of(offline=True)
    with tarfile.open(plan.archive.path) as archive:
        names = [name for name in archive.getnames() if not is_runtime_member(name)]
    assert names == ["extra/keep.py", "pyproject.toml", "train.py"]
    assert sorted(upload.path.name for upload in plan.uploads[1:]) == ["a.csv", "labels [v2].csv"]


def test_a_channel_named_dot_or_dot_dot_is_refused(project: Project) -> None:
    """The service's pattern lets ``.`` and ``..`` through; no job can have a data folder of that name."""
    project.pyproject(BASIC.replace('region = "us-east-1"', 'region = "us-east-1"\ninput = { ".." = "data" }'))
    project.write("train.py", TRAIN)
    project.write("data/a.csv", "1\n")
    with pytest.raises(InvalidInput, match=r"input: the channel '\.\.' names no folder a job can have its data in"):
        plan_of(offline=True)


def test_the_hyperparameters_are_the_users_alone(basic_project: Project) -> None:
    """Any name is the user's: braketkit keeps its own data in the job's record, not beside the arguments."""
    basic_project.write("loose.py", "def job(**options):\n    return options\n")
    plan = plan_of("loose.py:job", braketkit_entry="x:y", note="a (b) & c", offline=True)
    assert plan.request.hyper_parameters == {"braketkit_entry": "x:y", "note": "a {b} + c"}  # as the SDK writes it
    assert plan.record.call is not None and plan.record.call.arguments == {"braketkit_entry": '"x:y"',
                                                                          "note": '"a (b) & c"'}


def test_braketkits_own_channel_name_is_refused(project: Project) -> None:
    project.pyproject(BASIC.replace('region = "us-east-1"', 'region = "us-east-1"\ninput = { braketkit = "data" }'))
    project.write("train.py", TRAIN)
    project.write("data/a.csv", "1\n")
    with pytest.raises(InvalidInput) as caught:
        plan_of(offline=True)
    assert [str(p) for p in caught.value.problems] == [
        "pyproject.toml:7: input.braketkit: the channel 'braketkit' is braketkit's own: a function's job reads its "
        "planned record from it; name the channel otherwise"]


def test_the_region_can_come_from_the_aws_profile(project: Project, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "aws-config").write_text("[default]\nregion = eu-west-2\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    project.pyproject('[tool.braketkit]\ndevice = "sv1"\n')
    project.write("train.py", TRAIN)
    plan = plan_of(offline=True)
    assert plan.region == "eu-west-2"
    assert plan.request.algorithm_specification.container_image is not None
    assert ".eu-west-2." in plan.request.algorithm_specification.container_image.uri


@pytest.mark.parametrize(
    ("assignments", "message"),
    [
        (['tags={"aws:team" = "qml"}'], "--set tags: tags.aws:team: name must not start with 'aws:' (in any case): AWS "
         "keeps such names for its own"),
        (['tags={"AWS:Team" = "qml"}'], "--set tags: tags.AWS:Team: name must not start with 'aws:' (in any case): AWS "
         "keeps such names for its own"),
        ([f"tags.{'k' * 129}=v"], f"--set tags.{'k' * 129}: tags.{'k' * 129}: name must be 1 to 128 characters long "
         "(is 129)"),
        ([f"tags.team={'v' * 257}"], "--set tags.team: tags.team: must be at most 256 characters long (is 257)"),
        ([f"tags.t{i}=x" for i in range(51)], "--set tags.t0, --set tags.t1 and 49 more: tags: has 51 tags; a job "
         "carries at most 50, and braketkit keeps 10 of them for its own (provenance, sweep, rerun, call: "
         "docs/reproducibility.md), so give at most 40"),
        ([f"tags.t{i}=x" for i in range(42)], "--set tags.t0, --set tags.t1 and 40 more: tags: has 42 tags; a job "
         "carries at most 50, and braketkit keeps 10 of them for its own (provenance, sweep, rerun, call: "
         "docs/reproducibility.md), so give at most 40"),
        (["tags.braketkit:sweep=mine"], "--set tags.braketkit:sweep: tags.braketkit:sweep: is a tag braketkit gives "
         "each job of a sweep (braketkit:sweep = <sweep id>); name yours otherwise"),
        (["tags.braketkit:git-commit=abc"], "--set tags.braketkit:git-commit: tags.braketkit:git-commit: is a tag "
         "braketkit gives every job (its provenance); name yours otherwise"),
        (["tags.braketkit:mine=x"], "--set tags.braketkit:mine: tags.braketkit:mine: starts with 'braketkit:', which "
         "braketkit keeps for the tags it gives jobs; name yours otherwise"),
    ],
)
def test_tags_follow_aws_tagging_rules(basic_project: Project, assignments: list[str], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        plan_of(offline=True, assignments=assignments)
    assert [str(p) for p in caught.value.problems] == [message]


def test_tags_at_the_limits_are_accepted(basic_project: Project) -> None:
    """40 of the user's, braketkit keeping 10 of the service's 50 for its own (here: 4, outside any git
    repository); "Braketkit:" is no name of braketkit's (tags are case sensitive)."""
    assignments = [f"tags.t{i}=x" for i in range(37)] + [f"tags.{'k' * 128}={'v' * 256}", "tags.empty=",
                                                         "tags.Braketkit:x=y"]
    plan = plan_of(offline=True, assignments=assignments)
    assert len(plan.resolved.settings.tags) == 40
    assert plan.request.tags == {**plan.resolved.settings.tags, **provenance_tags(plan),
                                 "braketkit:call-sha256": call_digest(_call(plan))}


def test_supplements_give_way_to_limits_the_model_states() -> None:
    from braketkit.plan.validate import SUPPLEMENTS

    for name, extra in SUPPLEMENTS.items():
        shape = service_model.shapes()[name if isinstance(name, str) else name[0]]
        stated = shape if isinstance(name, str) else service_model.shapes()[shape[name[1]]["shape"]]
        assert not set(extra) & set(stated), f"the service model now states {name}'s limits: drop the supplement"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("arn:aws:braket:us-east-1:111122223333:job/earlier", None),
        ("earlier-run-2", None),
        ("earlier run", "'earlier run' is neither a job ARN (the pattern is arn:aws[a-z\\-]*:braket:[a-z0-9\\-]+:"
         "[0-9]{12}:job/.*) nor a job name (1 to 50 characters, the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,50})"),
        ("arn:aws:braket:us-east-1:1234:job/x", "'arn:aws:braket:us-east-1:1234:job/x' is not a job ARN (the pattern "
         "is arn:aws[a-z\\-]*:braket:[a-z0-9\\-]+:[0-9]{12}:job/.*)"),
        ("a" * 51, f"'{'a' * 51}' is neither a job ARN (the pattern is arn:aws[a-z\\-]*:braket:[a-z0-9\\-]+:"
         "[0-9]{12}:job/.*) nor a job name (1 to 50 characters, the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,50})"),
        ("local:job/earlier-run", "local:job/earlier-run is a job run on this machine: its checkpoints are here, not "
         "in S3 where a job in the cloud starts from; name a cloud job (its ARN or name), or run this job here too"),
        ("local:job/earlier run", "'local:job/earlier run' names no local job (local:job/ and a job name: 1 to 50 "
         "characters, the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,50})"),
    ],
)
def test_copy_from_job_names_a_job(basic_project: Project, value: str, problem: str | None) -> None:
    assignment = f"checkpoint.copy_from_job={value}"
    if problem is None:
        assert plan_of(offline=True, assignments=[assignment]).copy_checkpoints_from == value
        return
    with pytest.raises(InvalidInput) as caught:
        plan_of(offline=True, assignments=[assignment])
    assert [str(p) for p in caught.value.problems] == [
        f"--set checkpoint.copy_from_job: checkpoint.copy_from_job: {problem}"]


def test_a_prefix_too_long_for_the_default_bucket_is_found_offline(project: Project) -> None:
    """Offline, the account is unknown: the default bucket's paths are checked with a 12-digit account ID."""
    project.pyproject('[tool.braketkit]\ndevice = "sv1"\nregion = "us-east-1"\n')
    project.write("train.py", TRAIN)
    # s3://amazon-braket-us-east-1-123456789012/<prefix>/sources/<64 hex>/source.tar.gz: the prefix and 129 more
    longest = 1024 - 129
    assert plan_of(offline=True, assignments=[f"s3.prefix={'p' * longest}"])
    with pytest.raises(InvalidInput) as caught:
        plan_of(offline=True, assignments=[f"s3.prefix={'p' * (longest + 1)}"])
    assert [str(p) for p in caught.value.problems] == [
        "--set s3.prefix: s3.prefix: makes request member algorithmSpecification.scriptModeConfig.s3Uri 1025 "
        "characters long with the default bucket of a 12-digit account, over the 1024 the service accepts; shorten it "
        f"to at most {longest} characters"]


def test_a_prefix_too_long_for_a_named_bucket(basic_project: Project) -> None:
    with pytest.raises(InvalidInput) as caught:
        plan_of(offline=True, assignments=["s3.prefix=" + "p" * 1000, "input.data=s3://shared-data/k/"])
    assert [p.key for p in caught.value.problems] == ["s3.prefix"]
    assert "with the bucket amazon-braket-us-east-1-111122223333," in str(caught.value)


def test_planning_problems_come_in_one_report(project: Project) -> None:
    project.pyproject('[tool.braketkit]\ndevice = "arn:aws:braket:eu-west-2::device/qpu/oqc/Lucy"\n'
                      'region = "us-east-1"\njob_name = "my_job"\nhyperparameters = { steps = 3 }\n'
                      '[tool.braketkit.checkpoint]\ncopy_from_job = "earlier run"\n')
    project.write("train.py", TRAIN)
    with pytest.raises(InvalidInput) as caught:
        plan_of(offline=True, steps=4)
    assert [p.key for p in caught.value.problems] == [
        "region", "hyperparameters.steps", "job_name", "checkpoint.copy_from_job"]


def test_deferred_resolve_problems_join_the_plans(project: Project) -> None:
    """resolve(defer_problems=True): what resolve found and what the request check finds, in one report."""
    from braketkit.plan import make_plan
    from braketkit.resolve import resolve

    project.pyproject('[tool.braketkit]\ndevice = "sv1"\nregion = "us-east-1"\njob_name = "my_job"\n'
                      'exclude = "notebooks/"\n[tool.braketkit.instance]\ncount = "2"\nvolume_gb = 0\n')
    project.write("train.py", TRAIN)
    target = load_reference("train.py:train")
    resolved = resolve(start=project.root, environ={}, defer_problems=True)
    assert [p.key for p in resolved.problems] == ["exclude", "instance.count"]
    with pytest.raises(InvalidInput) as caught:
        make_plan(target, resolved, offline=True, environ={})
    assert [str(p) for p in caught.value.problems] == [
        "pyproject.toml:8: exclude: expected a list of strings, got a string ('notebooks/')",
        "pyproject.toml:10: instance.count: expected an integer, got a string ('2')",
        "pyproject.toml:7: job_name: 'my_job' does not match the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,50} "
        "(request member jobName)",
        "pyproject.toml:11: instance.volume_gb: must be at least 1 (is 0) "
        "(request member instanceConfig.volumeSizeInGb)",
    ]
    assert not (project.root / ".braketkit" / "archives").exists()  # nothing packaged by stand-in settings


def test_deferred_problems_never_make_a_plan(project: Project) -> None:
    from braketkit.plan import make_plan
    from braketkit.resolve import resolve

    project.pyproject('[tool.braketkit]\ndevice = "sv2"\nregion = "us-east-1"\n')
    project.write("train.py", TRAIN)
    resolved = resolve(start=project.root, environ={}, defer_problems=True)
    with pytest.raises(InvalidInput) as caught:
        make_plan(load_reference("train.py:train"), resolved, offline=True, environ={})
    assert [p.key for p in caught.value.problems] == ["device"]  # not also "no device"


def test_the_plan_lists_every_step_a_run_takes_in_aws(basic_project: Project) -> None:
    """The bucket, each upload, the checkpoint copy and CreateJob: in the plan, in its text and its JSON, in order."""
    from braketkit.cli.render import plan_document, plan_text
    from braketkit.converter import record_text
    from braketkit.model.steps import CopyCheckpoints, CreateJob, EnsureBucket, WriteRecord

    basic_project.write("data/points.csv", "x\n1\n")
    earlier = "arn:aws:braket:us-east-1:111122223333:job/earlier"
    plan = plan_of(offline=True, assignments=["input.points=data/points.csv", f"checkpoint.copy_from_job={earlier}"])
    bucket = "amazon-braket-us-east-1-111122223333"
    checkpoints = f"s3://{bucket}/jobs/{plan.request.job_name}/checkpoints"
    record = f"s3://{bucket}/jobs/{plan.request.job_name}/braketkit/planned.json"
    body = record_text(plan.record)
    assert plan.steps == (EnsureBucket(bucket=bucket, region="us-east-1", owner=None), *plan.uploads,
                          CopyCheckpoints(from_job=earlier, to_uri=checkpoints),
                          WriteRecord(s3_uri=record, record=plan.record, client_token=plan.request.client_token),
                          CreateJob(request=plan.request))
    assert len(plan.uploads) == 2
    text = plan_text(plan).splitlines()
    start = text.index("steps (a run does these, in this order, and nothing else in AWS):")
    archive, data = plan.uploads
    assert text[start + 1:start + 13] == [
        f"  1. create bucket {bucket} in us-east-1 with public access blocked (if missing)",
        "     (used only if your account owns it)",
        f"  2. upload source archive, {plan.archive.files} files, {archive.size / 1000:.1f} kB, "
        f"sha256 {archive.sha256[:12]} (skipped when already there)",
        f"     -> {archive.s3_uri}",
        "  3. upload points.csv, 4 B (skipped when already there)",
        f"     -> {data.s3_uri}",
        f"  4. copy checkpoints from job {earlier} (only keys not already there)",
        "     from not looked up (offline): such a plan cannot be submitted",
        f"     -> {checkpoints}",
        "  5. write the planned record (the call the job reads as its input channel braketkit, settings with their "
        f"origins, provenance), {len(body.encode()) / 1000:.1f} kB",
        f"     -> {record}",
        f"  6. CreateJob {plan.request.job_name} (client token {plan.request.client_token}, the same on every retry)"]
    steps = json.loads(json.dumps(plan_document(plan)))["steps"]
    assert [step["step"] for step in steps] == ["EnsureBucket", "Upload", "Upload", "CopyCheckpoints", "WriteRecord",
                                                "CreateJob"]
    assert steps[0] == {"step": "EnsureBucket", "bucket": bucket, "region": "us-east-1", "owner": None,
                        "block_public_access": True}
    assert steps[2] == {"step": "Upload", "path": str(data.path), "s3_uri": data.s3_uri, "bytes": 4,
                        "sha256": data.sha256, "skipped_when_present": True}
    assert steps[4] == {"step": "WriteRecord", "s3_uri": record, "bytes": len(body.encode()),
                        "record": json.loads(body)}
    assert steps[5]["request"]["clientToken"] == plan.request.client_token
    local = plan_target(load_reference("train.py:train"), local=True)
    assert local.steps == () and "steps: none in AWS (a local run)" in plan_text(local)


def test_a_function_its_module_no_longer_names_is_refused(basic_project: Project,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """The job imports the function by module and name: a name deleted or rebound after decorating would fail
    there, after the job is submitted, so the plan refuses it."""
    basic_project.write("renamed.py", '''
        from braketkit import hybrid_job

        def _impl(x: int = 1) -> int:
            return x

        train = hybrid_job(_impl)
        del _impl

        def _kept(x: int = 1) -> int:
            return x

        fine = hybrid_job(_kept)  # the function is still there under its own name: the job finds it
        ''')
    code, _, err = run_cli(capsys, "plan", "renamed.py:train", "--offline")
    assert code == 2 and err.startswith("error: @hybrid_job in renamed.py:3: renamed._impl does not name this "
                                        "function any more, and the job finds the function by that name")
    assert plan_target(load_reference("renamed.py:fine"), offline=True).request.hyper_parameters
