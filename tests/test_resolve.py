"""Stage 1 alone: precedence, origins, profiles, text sources and typed errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from braketkit import Instance, InvalidInput, Settings, Stopping
from braketkit.converter import converter
from braketkit.duration import parse_duration
from braketkit.package import gitignore
from braketkit.resolve import leaves, resolve, rules

from .conftest import Project

LAYERED = '''
[tool.braketkit]
device = "sv1"
image = "pytorch"
tags = { team = "qml", stage = "dev" }

[tool.braketkit.instance]
type = "ml.m5.large"
count = 2

[tool.braketkit.devices]
forte = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"

[tool.braketkit.profiles.qpu]
device = "forte"
instance = { type = "ml.m5.xlarge" }
tags = { stage = "prod" }
'''


def test_every_layer_wins_over_the_ones_below_and_keeps_its_origin(project: Project) -> None:
    project.pyproject(LAYERED)
    resolved = resolve(
        start=project.root,
        keywords=({"instance": "ml.c5.xlarge", "job_name": "from-keywords", "region": "us-west-2"},),
        keywords_origin="@hybrid_job in train.py",
        profile="qpu",
        environ={"BRAKETKIT_JOB_NAME": "from-env", "BRAKETKIT_STOPPING__MAX_RUNTIME": "2h"},
        assignments=["job_name=from-cli"],
    )
    s = resolved.settings
    assert s.image == "pytorch" and resolved.origin("image") == "pyproject.toml:6"
    assert s.device == "forte" and resolved.origin("device") == "pyproject.toml:17 (profile qpu)"
    assert resolved.device == "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
    assert s.instance == Instance(type="ml.c5.xlarge", count=2, volume_gb=30)
    assert resolved.origin("instance.type") == "@hybrid_job in train.py"
    assert resolved.origin("instance.count") == "pyproject.toml:11"
    assert resolved.origin("instance.volume_gb") == "default"
    assert s.tags == {"team": "qml", "stage": "prod"}
    assert resolved.origin("tags.team") == "pyproject.toml:7"
    assert resolved.origin("tags.stage") == "pyproject.toml:19 (profile qpu)"
    assert s.stopping.max_runtime == 7200
    assert resolved.origin("stopping.max_runtime") == "env BRAKETKIT_STOPPING__MAX_RUNTIME"
    assert s.job_name == "from-cli" and resolved.origin("job_name") == "--set job_name"
    assert s.region == "us-west-2"


def test_defaults_are_those_of_the_design(project: Project) -> None:
    s = resolve(start=project.root, environ={}).settings
    assert (s.instance.type, s.instance.count, s.instance.volume_gb) == ("ml.m5.large", 1, 30)
    assert s.stopping.max_runtime == 432000
    assert s.checkpoint.local_path == "/opt/jobs/checkpoints"
    assert s.image == "base"


def test_pyproject_is_found_by_walking_up_from_the_entry(project: Project) -> None:
    project.pyproject('[tool.braketkit]\ndevice = "dm1"\n')
    nested = project.root / "src" / "deep" / "er"
    nested.mkdir(parents=True)
    resolved = resolve(start=nested, environ={})
    assert resolved.settings.device == "dm1"
    assert resolved.pyproject == project.root / "pyproject.toml"


@pytest.mark.parametrize(
    ("variable", "value", "key", "expected"),
    [
        ("BRAKETKIT_DEVICE", "dm1", "device", "dm1"),
        ("BRAKETKIT_INSTANCE", "ml.c5.xlarge", "instance.type", "ml.c5.xlarge"),
        ("BRAKETKIT_INSTANCE__COUNT", "3", "instance.count", 3),
        ("BRAKETKIT_WAIT", "true", "wait", True),
        ("BRAKETKIT_INCLUDE", '["data/*.csv"]', "include", ["data/*.csv"]),
        ("BRAKETKIT_TAGS", '{Team = "qml"}', "tags.Team", "qml"),
        ("BRAKETKIT_TAGS__TEAM", "qml", "tags.team", "qml"),
        ("BRAKETKIT_JOB_NAME", "123", "job_name", "123"),
        ("BRAKETKIT_DEPENDENCIES", "requirements-job.txt", "dependencies", "requirements-job.txt"),
        ("BRAKETKIT_DEPENDENCIES", '["numpy", "scipy"]', "dependencies", ["numpy", "scipy"]),
        ("BRAKETKIT_STOPPING__MAX_RUNTIME", "1h30m", "stopping.max_runtime", 5400),
        ("BRAKETKIT_S3__PREFIX", "team/jobs", "s3.prefix", "team/jobs"),
        ("BRAKETKIT_HYPERPARAMETERS__LR", "0.1", "hyperparameters.lr", "0.1"),
    ],
)
def test_environment_variables_are_read_by_the_type_of_their_key(
    project: Project, variable: str, value: str, key: str, expected: object
) -> None:
    resolved = resolve(start=project.root, environ={variable: value})
    assert leaves(resolved.settings)[key] == expected
    assert resolved.origin(key) == f"env {variable}"


def test_profile_is_chosen_by_cli_then_env_then_decorator(project: Project) -> None:
    project.pyproject('[tool.braketkit.profiles.a]\njob_name = "a"\n[tool.braketkit.profiles.b]\njob_name = "b"\n'
                      '[tool.braketkit.profiles.c]\njob_name = "c"\n')
    keywords = ({"profile": "c"},)
    assert resolve(start=project.root, keywords=keywords, environ={}).settings.job_name == "c"
    env = {"BRAKETKIT_PROFILE": "b"}
    assert resolve(start=project.root, keywords=keywords, environ=env).settings.job_name == "b"
    assert resolve(start=project.root, keywords=keywords, environ=env, profile="a").settings.job_name == "a"


def test_settings_objects_contribute_the_fields_they_set(project: Project) -> None:
    project.pyproject('[tool.braketkit.instance]\ncount = 4\n')
    chosen = Settings(device="dm1", instance=Instance(type="ml.c5.xlarge"), stopping=Stopping(max_runtime="1h"))
    resolved = resolve(start=project.root, keywords=(chosen, {"job_name": "x"}), environ={})
    assert resolved.settings.instance == Instance(type="ml.c5.xlarge", count=4)
    assert resolved.settings.device == "dm1"
    assert resolved.settings.job_name == "x"


def test_all_problems_of_one_resolve_are_reported_together(project: Project) -> None:
    project.pyproject('[tool.braketkit]\ndevcie = "sv1"\nwait = "yes"\n[tool.braketkit.instance]\ncount = "2"\n')
    with pytest.raises(InvalidInput) as caught:
        resolve(start=project.root, environ={"BRAKETKIT_INSTANCE__VOLUME_GB": "big"}, assignments=["tagz.a=b"])
    assert [str(p) for p in caught.value.problems] == [
        "pyproject.toml:5: devcie: unknown setting; did you mean 'device'?",
        "--set tagz.a: tagz.a: unknown setting; did you mean 'tags'?",
        "pyproject.toml:6: wait: expected true or false, got a string ('yes')",
        "pyproject.toml:8: instance.count: expected an integer, got a string ('2')",
        "env BRAKETKIT_INSTANCE__VOLUME_GB: instance.volume_gb: expected an integer, got a string ('big')",
    ]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("45s", 45), ("90m", 5400), ("2h", 7200), ("1h30m", 5400), ("2d", 172800), ("3600", 3600), ("1d2h3m4s", 93784)],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "2x", "1.5h", "-3", "2h1d", " 2h", "2h\n", "\u0663", "1 h"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20)
_requirements = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?", fullmatch=True)  # PEP 508 names
_settings = st.builds(
    Settings,
    device=st.sampled_from([None, "sv1", "dm1", "local"]),
    job_name=st.none() | _names,
    include=st.lists(_names, max_size=3),
    dependencies=st.none() | _names | st.lists(_requirements, max_size=3),
    hyperparameters=st.dictionaries(_names, _names, max_size=4),
    tags=st.dictionaries(_names, _names, max_size=4),
    wait=st.booleans(),
    instance=st.builds(Instance, type=st.sampled_from(["ml.m5.large", "ml.c5.xlarge"]),
                       count=st.integers(1, 8), volume_gb=st.integers(1, 500)),
    stopping=st.builds(Stopping, max_runtime=st.integers(1, 432000)),
)


@settings(max_examples=60, deadline=None)
@given(_settings)
def test_settings_round_trip_through_the_converter(value: Settings) -> None:
    assert converter.structure(converter.unstructure(value), Settings) == value


@settings(max_examples=40, deadline=None)
@given(_settings)
def test_settings_round_trip_through_toml(tmp_path_factory: pytest.TempPathFactory, value: Settings) -> None:
    from braketkit.resolve.toml import dumps

    folder: Path = tmp_path_factory.mktemp("toml")
    (folder / "pyproject.toml").write_text(dumps(value), encoding="utf-8")
    assert resolve(start=folder, environ={}).settings == value


def test_checks_of_the_readable_settings_join_the_type_errors(project: Project) -> None:
    """One report: a value of the wrong type does not hide what is wrong with the others."""
    project.pyproject('[tool.braketkit]\ndevice = "sv2"\ninclude = ["[abc"]\n[tool.braketkit.instance]\ncount = "2"\n'
                      '[tool.braketkit.s3]\nbucket = "My_Bucket"\n')
    with pytest.raises(InvalidInput) as caught:
        resolve(start=project.root, environ={})
    assert [p.key for p in caught.value.problems] == ["instance.count", "device", "s3.bucket", "include"]


@pytest.mark.parametrize(
    ("body", "assignments", "message"),
    [
        ('hyperparameters = { "" = "x" }', [],
         "pyproject.toml:5: hyperparameters: has an entry with an empty name; give every entry a name"),
        ("", ['tags={""="x"}'], "--set tags: tags: has an entry with an empty name; give every entry a name"),
        ("", ["tags.=x"], "--set tags.: tags: has an entry with an empty name; give every entry a name"),
        ('instance = { "" = 2 }', [], "pyproject.toml:5: instance: has an entry with an empty name; give every "
         "entry a name"),
        ('"" = 2', [], "pyproject.toml:5: a key is empty; every setting has a name"),
    ],
)
def test_empty_names_are_refused(project: Project, body: str, assignments: list[str], message: str) -> None:
    project.pyproject(f"[tool.braketkit]\n{body}\n")
    with pytest.raises(InvalidInput) as caught:
        resolve(start=project.root, environ={}, assignments=assignments)
    assert [str(p) for p in caught.value.problems] == [message]


@pytest.mark.parametrize(("header", "line"), [("[tool.braketkt]", 4), ("[tool.brakekit.instance]", 4),
                                              ("[tool.BraketKit]", 4), ("[tools.braketkit]", 4)])
def test_near_miss_table_names_are_errors(project: Project, header: str, line: int) -> None:
    project.pyproject(f'{header}\ncount = 2\n')
    name = header.strip("[]").rsplit(".instance", 1)[0]
    with pytest.raises(InvalidInput) as caught:
        resolve(start=project.root, environ={})
    assert [str(p) for p in caught.value.problems] == [
        f"pyproject.toml:{line}: {name}: unknown table; did you mean [tool.braketkit]?"]


@pytest.mark.parametrize("header", ["[tool.braket]", "[tool.black]", "[tool.bracket]"])
def test_other_tools_tables_are_left_alone(project: Project, header: str) -> None:
    project.pyproject(f'{header}\nx = 1\n[tool.braketkit]\ndevice = "sv1"\n')
    assert resolve(start=project.root, environ={}).settings.device == "sv1"


@pytest.mark.parametrize(
    "name",
    ["My_Bucket", "ab", "-x", "a..b", "192.168.5.4", "a" * 64, "my bucket", "a/b", "xn--data", "sthree-data",
     "amzn-s3-demo-data", "data-s3alias", "data--ol-s3", "data.mrap", "data--x-s3", "data-", "Data"],
)
def test_bucket_names_follow_s3s_rules(project: Project, name: str) -> None:
    project.pyproject(f'[tool.braketkit.s3]\nbucket = "{name}"\n[tool.braketkit.input]\nd = "s3://{name}/k"\n')
    with pytest.raises(InvalidInput) as caught:
        resolve(start=project.root, environ={})
    keys = [p.key for p in caught.value.problems]
    assert keys == ["input.d", "s3.bucket"] if name not in ("data-s3alias", "data--ol-s3") else ["s3.bucket"]
    assert re.fullmatch(rules.BUCKET_PATTERN, name) is None


@pytest.mark.parametrize("name", ["abc", "my-bucket.data", "amazon-braket-us-east-1-111122223333", "a" * 63,
                                  "1.2.3", "xn-data", "data-s3aliasx"])
def test_valid_bucket_names(project: Project, name: str) -> None:
    project.pyproject(f'[tool.braketkit.s3]\nbucket = "{name}"\n[tool.braketkit.input]\nd = "s3://{name}/k"\n')
    assert resolve(start=project.root, environ={}).settings.s3.bucket == name
    assert re.fullmatch(rules.BUCKET_PATTERN, name)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab.-_A1", max_size=66))
def test_the_bucket_pattern_and_the_bucket_rules_agree(name: str) -> None:
    assert (re.fullmatch(rules.BUCKET_PATTERN, name) is None) == (rules.bucket_problem(name) is not None)


@pytest.mark.parametrize(
    ("key", "valid"),
    [("1234abcd-12ab-34cd-56ef-1234567890ab", True), ("mrk-1234abcd12ab34cd56ef1234567890ab", True),
     ("alias/ExampleAlias", True), ("alias/aws/s3", True),
     ("arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", True),
     ("arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/team/key", True),
     ("my-key", False), ("alias/", False), ("alias/a b", False), ("alias/" + "a" * 251, False),
     ("1234abcd-12ab-34cd-56ef", False), ("arn:aws:kms:us-east-2:111122223333:key/my-key", False),
     ("arn:aws:kms:us-east-2:1111:alias/x", False), ("arn:aws:s3:::bucket", False)],
)
def test_kms_keys(key: str, valid: bool) -> None:
    assert (rules.kms_key_problem(key) is None) is valid
    assert bool(re.fullmatch(rules.KMS_KEY_PATTERN, key)) is valid


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [("data\\train.csv", "holds a backslash"), ("logs\\", "ends in a backslash"), ("[abc", "is never closed"),
     ("data/[0-9.csv", "is never closed"), ("[z-a].txt", "invalid set"), ("#notes", "comment"), ("", "empty"),
     ("data/*.csv", None), ("\\#notes", None), ("\\[abc", None), ("[abc]", None), ("!keep.txt", None),
     ("trailing\\ ", None), ("**/cache/", None)],
)
def test_patterns_that_cannot_match(pattern: str, problem: str | None) -> None:
    found = rules.pattern_problem(pattern)
    assert found is None if problem is None else problem in (found or "")


@pytest.mark.filterwarnings("ignore::FutureWarning")
@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab/*?[]!-\\z^", max_size=10))
def test_patterns_resolve_accepts_compile(pattern: str) -> None:
    """The packager's compiler (braketkit.package.gitignore) turns every accepted pattern into a regular expression."""
    if rules.pattern_problem(pattern) is None:
        gitignore.parse([pattern])


def test_dependencies_must_be_inside_the_project(project: Project, tmp_path: Path) -> None:
    (tmp_path / "secrets.txt").write_text("x\n")
    project.write("src/pkg/__init__.py", "")
    project.write("requirements.txt", "numpy\n")
    for location, source, outside in [("../secrets.txt", None, True), (str(tmp_path / "secrets.txt"), None, True),
                                      ("requirements.txt", None, False), ("../requirements.txt", "src", False),
                                      ("../../secrets.txt", "src", True)]:
        source_line = f"source = '{source}'\n" if source else ""
        project.pyproject(f"[tool.braketkit]\ndependencies = '{location}'\n{source_line}")
        if outside:
            with pytest.raises(InvalidInput, match="is outside the project"):
                resolve(start=project.root, environ={})
        else:
            resolve(start=project.root, environ={})


def test_dependencies_link_out_of_the_project(project: Project, tmp_path: Path) -> None:
    (tmp_path / "secrets.txt").write_text("x\n")
    (project.root / "requirements.txt").symlink_to(tmp_path / "secrets.txt")
    project.pyproject("[tool.braketkit]\ndependencies = 'requirements.txt'\n")
    with pytest.raises(InvalidInput, match="is outside the project"):
        resolve(start=project.root, environ={})


def test_dependencies_without_a_pyproject(project: Project) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve(start=project.root, environ={}, keywords=({"dependencies": "../req.txt"},))
    assert [str(p) for p in caught.value.problems] == [
        "@hybrid_job: dependencies: '../req.txt' is outside the project; the requirements file must be inside it "
        "(or list the requirements themselves)"]


REGIONS = ["us-east-1", "eu-north-1", "US-EAST-1", "a", "", "x" * 63, "x" * 64, "US East", "us_east_1", "-us",
           "us-", "123", "1a", "us-east-1\n", " us-east-1", "us–east–1", "ünïcode"]


@pytest.mark.parametrize("region", REGIONS)
def test_the_region_rule_is_botocores(region: str) -> None:
    """The region names resolve refuses are those botocore's clients refuse (but a trailing newline, which
    botocore's ``$`` lets through, and with it into the endpoint's host name)."""
    from botocore.exceptions import InvalidRegionError
    from botocore.utils import validate_region_name

    try:
        validate_region_name(region)
        botocore_takes = not region.endswith("\n")
    except InvalidRegionError:
        botocore_takes = False
    assert (rules.region_problem(region) is None) is botocore_takes
    assert bool(re.fullmatch(rules.REGION_PATTERN, region)) is botocore_takes


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ09-_ .", max_size=66))
def test_the_region_pattern_and_botocore_agree(region: str) -> None:
    from botocore.exceptions import InvalidRegionError
    from botocore.utils import validate_region_name

    try:
        validate_region_name(region)
        botocore_takes = True
    except InvalidRegionError:
        botocore_takes = False
    assert (rules.region_problem(region) is None) is botocore_takes


def test_a_region_name_is_checked_at_resolve_with_its_origin(project: Project) -> None:
    project.pyproject('[tool.braketkit]\ndevice = "sv1"\nregion = "US East"\n')
    with pytest.raises(InvalidInput) as caught:
        resolve(start=project.root, environ={})
    (problem,) = caught.value.problems
    assert problem.key == "region" and re.fullmatch(r"pyproject\.toml:\d+", problem.origin or "")
    assert "did you mean 'us-east-1'?" in problem.message


@pytest.mark.parametrize(("devices", "device", "arn"), [
    ({"x": "dm1"}, "x", "arn:aws:braket:::device/quantum-simulator/amazon/dm1"),
    ({"forte": "sv1"}, "forte", "arn:aws:braket:::device/quantum-simulator/amazon/sv1"),
    ({"sv1": "sv1"}, "sv1", "arn:aws:braket:::device/quantum-simulator/amazon/sv1"),
    ({"sv1": "dm1"}, "sv1", "arn:aws:braket:::device/quantum-simulator/amazon/dm1"),
    ({"a": "b", "b": "tn1"}, "a", "arn:aws:braket:::device/quantum-simulator/amazon/tn1"),
    ({"here": "local"}, "here", "local:braket/braket_sv"),
])
def test_an_alias_may_name_a_built_in_alias_or_another_alias(
    project: Project, devices: dict[str, str], device: str, arn: str
) -> None:
    resolved = resolve(start=project.root, keywords=({"device": device, "devices": devices},), environ={})
    assert resolved.device == arn


def test_a_device_naming_a_broken_alias_is_reported_once(project: Project) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve(start=project.root, keywords=({"device": "x", "devices": {"x": "Forte-1", "ok": "dm1"}},), environ={})
    (problem,) = caught.value.problems
    assert problem.key == "devices.x"
    assert problem.message.startswith("'Forte-1' names no device; an alias names a device ARN")
    with pytest.raises(InvalidInput) as caught:
        resolve(start=project.root, keywords=({"device": "y", "devices": {"x": "Forte-1", "ok": "dm1"}},), environ={})
    assert [p.key for p in caught.value.problems] == ["devices.x", "device"]
    assert "expected an alias (dm1, local, ok, sv1, tn1)" in caught.value.problems[1].message  # x is not offered


@pytest.mark.parametrize(("keywords", "key", "message"), [
    ({"tags": {1: "a"}}, "tags", "has an entry named 1 of type int; entries are named by strings"),
    ({"hyperparameters": {(1, 2): "a"}}, "hyperparameters",
     "has an entry named (1, 2) of type tuple; entries are named by strings"),
    ({"input": {None: "data"}}, "input", "has an entry named None of type NoneType; entries are named by strings"),
    ({"instance": {2: 3}}, "instance", "has an entry named 2 of type int; entries are named by strings"),
    (Settings(tags={1: "a"}), "tags", "has an entry named 1 of type int; entries are named by strings"),  # type: ignore[dict-item]
    ({1: "a"}, None, "a key is 1 of type int; settings are named by strings"),
])
def test_names_that_are_not_strings_are_refused(project: Project, keywords: object, key: str | None,
                                                message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve(start=project.root, keywords=(keywords,), environ={})  # type: ignore[arg-type]
    assert [(p.key, p.message) for p in caught.value.problems] == [(key, message)]


HUGE = 10 ** 5000


@pytest.mark.parametrize(("keywords", "key"), [
    ({"stopping": Stopping(max_runtime=HUGE)}, "stopping.max_runtime"),
    ({"hyperparameters": {"x": HUGE}}, "hyperparameters.x"),
    ({"instance": {"count": HUGE}}, "instance.count"),
    ({"sweep": {"burst": -HUGE}}, "sweep.burst"),
    (Settings(hyperparameters={"x": HUGE}), "hyperparameters.x"),
])
def test_integers_too_long_to_write_are_refused(project: Project, keywords: object, key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve(start=project.root, keywords=(keywords,), environ={})  # type: ignore[arg-type]
    assert [(p.key, p.message) for p in caught.value.problems] == [
        (key, "is an integer of 5001 digits, more digits than Python writes as text; no setting takes such a number")]


@pytest.mark.parametrize(("table", "message"), [
    ({"rate": float("nan")}, "sweep.rate: must be a finite number (is nan)"),
    ({"rate": float("inf")}, "sweep.rate: must be a finite number (is inf)"),
    ({"rate": 1e-320}, "sweep.rate: must be at least 0.001 (is 1e-320)"),
    ({"poll": float("nan")}, "sweep.poll: must be a finite number (is nan)"),
    ({"poll": 1e300}, "sweep.poll: must be at most 86400 (is 1e+300)"),
    ({"burst": 10 ** 40}, f"sweep.burst: must be at most 10000 (is {10 ** 40})"),
])
def test_sweep_limits_are_finite_and_sensible(project: Project, table: dict[str, float], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve(start=project.root, keywords=({"sweep": table},), environ={})
    assert str(caught.value) == f"@hybrid_job: {message}"


@pytest.mark.parametrize(("text", "problem"), [
    ("s3://my-bucket/k", None),
    ("s3://my-bucket", None),
    ("s3://my-bucket/a b/c", None),
    ("S3://my-bucket/k", "'S3://my-bucket/k' starts with 'S3://'; an S3 URI starts with s3:// (lower case, two "
                         "slashes); did you mean 's3://my-bucket/k'?"),
    ("s3:/my-bucket/k", "'s3:/my-bucket/k' starts with 's3:/'; an S3 URI starts with s3:// (lower case, two "
                        "slashes); did you mean 's3://my-bucket/k'?"),
    (" s3://my-bucket/k", "' s3://my-bucket/k' has a space at its start or end; did you mean 's3://my-bucket/k'?"),
    ("s3://my-bucket/k\t", "'s3://my-bucket/k\\t' has a space at its start or end; did you mean 's3://my-bucket/k'?"),
    ("s3://my-bucket/k?versionId=1", "'s3://my-bucket/k?versionId=1' holds '?': an S3 URI has no query (such as "
                                     "?versionId=), and S3 would read it as part of the key; did you mean "
                                     "'s3://my-bucket/k'?"),
    ("s3:///k", "'s3:///k' names no bucket; expected s3://bucket/key"),
])
def test_s3_uris_and_their_near_misses(text: str, problem: str | None) -> None:
    assert rules.s3_uri_problem(text) == problem
    assert bool(re.search(rules.S3_URI_PATTERN, text)) is (problem is None)


@pytest.mark.parametrize("path", ["data/train", "./s3", "s3data", "/tmp/s3:/x"])
def test_local_paths_are_not_near_misses(path: str) -> None:
    from braketkit.s3uri import near_miss

    assert not near_miss(path)


def test_a_maps_origin_is_that_of_its_entries(project: Project) -> None:
    project.pyproject('[tool.braketkit]\ndevice = "sv1"\ntags = { a = "1", b = "2" }\n')
    resolved = resolve(start=project.root, assignments=["tags.c=3"], environ={})
    assert re.fullmatch(r"pyproject\.toml:\d+, --set tags\.c", resolved.origin("tags"))
    assert re.fullmatch(r"pyproject\.toml:\d+, --set tags\.t0 and 4 more", resolve(
        start=project.root, assignments=[f"tags.t{n}=x" for n in range(5)], environ={}).origin("tags"))
    assert resolved.origin("input") == "default"
