"""``braketkit.sdk``: the Braket SDK's decorator, objects and job handles on braketkit's engine.

Code written for the SDK changes its import line and nothing else. The decorator's and ``create``'s signatures are
compared with the SDK's own; each SDK keyword and object is a setting whose origin names it; handles answer what SDK
code asks (``state``, ``result``, ``download_result``, ``logs``, ``metrics``, ``arn``, ``name``); script jobs of
``create`` ship their ``source_module`` alone and run it as Braket's container does, locally and through the loopback
AWS, with exactly the user's hyperparameters.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from braketkit import InvalidInput, sdk
from braketkit.model.provenance import RECORD_CHANNEL

from .conftest import Cloud, Project, Tripwire, run_cli

SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"


def _signature(function: Any) -> list[tuple[str, str, Any]]:
    """Each parameter's name, kind and default; a logger default as what it is."""
    return [(name, parameter.kind.name, "a logger" if isinstance(parameter.default, logging.Logger)
             else parameter.default) for name, parameter in inspect.signature(function).parameters.items()]


def _in_order(theirs: list[tuple[str, str, Any]], ours: list[tuple[str, str, Any]]) -> bool:
    """The SDK's parameters, all of them, in its order, are ours; ours may hold the keywords of a newer SDK (the
    newest one a Python has: Python 3.10's stops at 1.110, before data_format and allow_pickle), and on the newest SDK
    they are exactly the same."""
    newest = {"data_format", "allow_pickle"}  # what SDK versions after Python 3.10's added
    return [parameter for parameter in ours if parameter[0] not in newest or parameter in theirs] == theirs


def test_the_signatures_are_the_sdks() -> None:
    """Keyword for keyword, in order, with the SDK's defaults: SDK code calls them as it calls the SDK's."""
    from braket.aws import AwsQuantumJob
    from braket.jobs import hybrid_job
    from braket.jobs.local.local_job import LocalQuantumJob

    for ours, theirs in ((sdk.hybrid_job, hybrid_job), (sdk.AwsQuantumJob.create, AwsQuantumJob.create),
                         (sdk.LocalQuantumJob.create, LocalQuantumJob.create)):
        assert _in_order(_signature(theirs), _signature(ours)), theirs

    for name in ("state", "metadata", "result", "download_result", "logs", "metrics", "cancel"):
        names = [[(p, "", None) for p, _, _ in _signature(getattr(job, name))]
                 for job in (AwsQuantumJob, sdk.AwsQuantumJob)]
        assert _in_order(*names), name


OBJECTS = '''
from braket.devices import Devices
from braket.jobs.config import CheckpointConfig, InstanceConfig, OutputDataConfig, S3DataSourceConfig, StoppingCondition
from braketkit.sdk import hybrid_job


@hybrid_job(device=Devices.Amazon.DM1, instance_config=InstanceConfig(instanceType="ml.m5.xlarge", instanceCount=2),
            stopping_condition=StoppingCondition(maxRuntimeInSeconds=3600),
            checkpoint_config=CheckpointConfig(localPath="/opt/jobs/ckpt"),
            output_data_config=OutputDataConfig(s3Path="s3://amazon-braket-us-east-1-111122223333/experiments",
                                                kmsKeyId="alias/jobs"),
            input_data={"table": "data.csv", "shared": S3DataSourceConfig("s3://shared-data/sets/")},
            data_format="pickle", role_arn="arn:aws:iam::111122223333:role/r", tags={"team": "qml"},
            image_uri="pytorch", job_name="vqe-run", dependencies=["numpy"], wait_until_complete=False)
def vqe(steps=3, lr=0.1):
    return steps * lr


@hybrid_job(device=None, input_data="data.csv", role_arn="arn:aws:iam::111122223333:role/r",
            output_data_config=OutputDataConfig(s3Path="s3://amazon-braket-us-east-1-111122223333/jobs"))
def nothing():
    return None
'''


def test_each_sdk_keyword_is_a_setting_that_names_it(project: Project, tripwire: Tripwire) -> None:
    project.pyproject('[tool.braketkit]\nregion = "us-east-1"\n')
    project.write("jobs.py", OBJECTS)
    project.write("data.csv", "1,2\n")
    sys.path.insert(0, str(project.root))
    import jobs  # type: ignore[import-not-found]

    plan = jobs.vqe.plan(5)
    request, origin = plan.request, plan.resolved.origin
    assert (request.device_config.device, request.instance_config.instance_type,
            request.instance_config.instance_count) == ("arn:aws:braket:::device/quantum-simulator/amazon/dm1",
                                                        "ml.m5.xlarge", 2)
    assert request.stopping_condition is not None and request.stopping_condition.max_runtime_in_seconds == 3600
    assert request.checkpoint_config is not None and request.checkpoint_config.local_path == "/opt/jobs/ckpt"
    assert request.output_data_config.s3_path == "s3://amazon-braket-us-east-1-111122223333/experiments/vqe-run"
    assert request.output_data_config.kms_key_id == "alias/jobs" and request.job_name == "vqe-run"
    assert request.role_arn == "arn:aws:iam::111122223333:role/r"
    assert request.algorithm_specification.container_image is not None
    assert "amazon-braket-pytorch-jobs" in request.algorithm_specification.container_image.uri
    channels = {channel.channel_name: channel.data_source.s3_data_source.s3_uri
                for channel in request.input_data_config or []}
    assert set(channels) == {"table", "shared", RECORD_CHANNEL} and channels["shared"] == "s3://shared-data/sets/"
    assert plan.record.call is not None and plan.record.call.result_format == "pickled_v4"
    assert request.hyper_parameters == {"steps": "5", "lr": "0.1"}  # as the SDK's decorator writes them
    where = "of @hybrid_job in jobs.py:6"
    assert origin("instance.type") == origin("instance.count") == f"instance_config (SDK keyword) {where}"
    for setting, keyword in [("device", "device"), ("stopping.max_runtime", "stopping_condition"),
                             ("checkpoint.local_path", "checkpoint_config"), ("s3.bucket", "output_data_config"),
                             ("s3.kms_key", "output_data_config"), ("input.table", "input_data"),
                             ("result_format", "data_format"), ("role", "role_arn"), ("tags.team", "tags"),
                             ("image", "image_uri"), ("job_name", "job_name"), ("dependencies", "dependencies")]:
        assert origin(setting) == f"{keyword} (SDK keyword) {where}", setting
    plain = jobs.nothing.plan()
    assert plain.request.device_config.device == "local:none/none"  # the SDK's reading of device=None
    assert [channel.channel_name for channel in plain.request.input_data_config or []] == ["input", RECORD_CHANNEL]
    assert plain.record.call is not None and plain.record.call.inputs == {"data.csv": "input/data.csv"}
    assert tripwire.requests == []  # offline: no credentials, nothing sent


BAD = [
    ("instance_config=5", "instance_config (SDK keyword) of @hybrid_job in jobs.py:4: instance_config: expected an "
                          "InstanceConfig (instanceType, instanceCount, volumeSizeInGb), got int"),
    ('instance_config=InstanceConfig(instanceCount="2")', "instance_config (SDK keyword) of @hybrid_job in "
                                                          "jobs.py:4: instance.count: expected an integer, got a "
                                                          "string ('2')"),
    ('data_format="json"', "data_format (SDK keyword) of @hybrid_job in jobs.py:4: data_format: unknown data format "
                           "'json'; expected 'pickle' or 'plaintext' (or a PersistedJobDataFormat)"),
    ('checkpoint_config=CheckpointConfig(s3Uri="s3://b/c")', "checkpoint_config (SDK keyword) of @hybrid_job in "
                                                            "jobs.py:4: checkpoint_config: s3Uri 's3://b/c': "
                                                            "braketkit keeps a job's checkpoints beside its output, "
                                                            "s3://<bucket>/<prefix>/<job name>/checkpoints; give the "
                                                            "bucket and prefix as output_data_config's s3Path, or "
                                                            "leave s3Uri out"),
    ("aws_session=object()", "aws_session: expected an AwsSession, got object"),
]


@pytest.mark.parametrize(("keyword", "message"), BAD, ids=[keyword.partition("=")[0] for keyword, _ in BAD])
def test_what_cannot_be_read_is_refused_at_decoration(project: Project, tripwire: Tripwire, keyword: str,
                                                      message: str) -> None:
    """One message naming the keyword and where, when the function is decorated; nothing sent."""
    project.write("jobs.py", "from braket.jobs.config import CheckpointConfig, InstanceConfig\n"
                             "from braketkit.sdk import hybrid_job\n\n"
                             f"@hybrid_job(device='sv1', {keyword})\ndef train():\n    pass\n")
    done = subprocess.run([sys.executable, "jobs.py"], cwd=project.root, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (2, f"error: {message}\n")
    assert tripwire.requests == []


def test_decorating_sends_nothing_and_loads_no_sdk(project: Project, tripwire: Tripwire) -> None:
    """The SDK's decorator calls AWS to check the Python version; braketkit's reads and sends nothing until a call,
    and does not load the SDK for keywords that are not its objects."""
    project.write("jobs.py", "import sys\nfrom braketkit.sdk import hybrid_job\n\n"
                             "@hybrid_job(device='sv1', wait_until_complete=False, data_format='pickle')\n"
                             "def train(steps=2):\n    return steps\n\n"
                             "plan = train.plan(3)\n"
                             "print(sorted(name for name in sys.modules if name == 'braket' or "
                             "name.startswith('braket.')), plan.request.hyper_parameters)\n")
    done = subprocess.run([sys.executable, "jobs.py"], cwd=project.root, capture_output=True, text=True, check=False,
                          env={**os.environ, "BRAKETKIT_REGION": "us-east-1",
                               "BRAKETKIT_ROLE": "arn:aws:iam::111122223333:role/r"})
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[] {'steps': '3'}\n"


RUNS = '''
import os
from braket.jobs.metrics import log_metric
from braketkit.sdk import hybrid_job


@hybrid_job(device=None, local=True, data_format="pickle")
def here(steps=3):
    for step in range(steps):
        log_metric(metric_name="loss", iteration_number=step, value=1.0 / (step + 1))
    print("entry point", os.environ["AMZN_BRAKET_SCRIPT_ENTRY_POINT"])
    return complex(steps, -1)


@hybrid_job(device="local:braket/braket_sv", local=True)
def table(rows=2):
    return {"rows": rows, "entry": os.environ["AMZN_BRAKET_SCRIPT_ENTRY_POINT"]}
'''


def test_local_true_runs_here_and_answers_as_a_local_job(project: Project, tripwire: Tripwire,
                                                         capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    project.write("runs.py", RUNS)
    sys.path.insert(0, str(project.root))
    import runs  # type: ignore[import-not-found]

    job = runs.here(steps=4)
    assert isinstance(job, sdk.LocalQuantumJob) and repr(job) == f"LocalQuantumJob('arn':'local:job/{job.name}')"
    assert job.state() == "COMPLETED" and job.arn == f"local:job/{job.name}"
    assert job.result(allow_pickle=True) == {"result": complex(4, -1)}  # the SDK's: the data dictionary
    assert job.metrics()["loss"] == [1.0, 0.5, 1 / 3, 0.25]
    capsys.readouterr()
    job.logs()  # printed, as the SDK's logs() prints them
    assert "entry point braketkit_job:here" in capsys.readouterr().out
    assert runs.table().result() == {"rows": 2, "entry": "braketkit_job:table"}
    job.download_result(str(tmp_path / "out"))
    assert (tmp_path / "out" / job.name / "results.json").is_file()
    with pytest.raises(Exception, match="already exists"):  # never written into: braketkit's rule
        job.download_result(str(tmp_path / "out"))
    assert tripwire.requests == []


CLOUD_SDK = '''
import os
from braket.jobs.config import InstanceConfig
from braket.jobs.metrics import log_metric
from braketkit.sdk import hybrid_job


@hybrid_job(device="arn:aws:braket:::device/quantum-simulator/amazon/sv1",
            instance_config=InstanceConfig(instanceType="ml.m5.xlarge"))
def remote(steps=2, label="run"):
    for step in range(steps):
        log_metric(metric_name="energy", iteration_number=step, value=-step)
    print("in the job")
    return {"steps": steps, "label": label, "entry": os.environ["AMZN_BRAKET_SCRIPT_ENTRY_POINT"]}


@hybrid_job(device="arn:aws:braket:::device/quantum-simulator/amazon/sv1", wait_until_complete=True)
def waited():
    print("waited for")
    return 1
'''


def test_a_decorated_call_gives_an_aws_quantum_job(cloud_project: Project, cloud: Cloud,
                                                   capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cloud_project.write("cloudy.py", CLOUD_SDK)
    import cloudy  # type: ignore[import-not-found]

    job = cloudy.remote(steps=3)
    assert isinstance(job, sdk.AwsQuantumJob) and repr(job) == f"AwsQuantumJob('arn':'{job.arn}')"
    job.job.poll = 0.01
    assert job.state() in ("QUEUED", "RUNNING", "COMPLETED") and job.name == job.metadata()["jobName"]
    assert job.result(poll_interval_seconds=0.01) == {"steps": 3, "label": "run", "entry": "braketkit_job:remote"}
    created = cloud.braket.jobs[job.arn]
    assert created["hyperParameters"] == {"steps": "3", "label": "run"}  # the user's arguments alone
    assert created["instanceConfig"]["instanceType"] == "ml.m5.xlarge"
    assert job.metrics()["energy"] == [0.0, -1.0, -2.0]
    capsys.readouterr()
    job.logs()
    assert "in the job" in capsys.readouterr().out
    job.download_result(str(tmp_path))
    assert json.loads((tmp_path / job.name / "results.json").read_text())["dataDictionary"]["steps"] == 3
    assert job == sdk.AwsQuantumJob(job.arn) and hash(job) == hash(sdk.AwsQuantumJob(job.arn))
    assert job.queue_position().queue_position is None
    code, out, _ = run_cli(capsys, "show", job.arn)  # braketkit's tools read it as their own
    assert code == 0 and "arguments:\n  steps = 3\n" in out
    waited = cloudy.waited.options(sweep={"poll": 0.01})  # native options: braketkit's handles
    assert waited.plan().request.hyper_parameters is None


CREATE = '''
import json, sys
from braket.devices import Devices
from braketkit.sdk import AwsQuantumJob, LocalQuantumJob

kind = LocalQuantumJob if sys.argv[1] == "local" else AwsQuantumJob
extra = {} if sys.argv[1] == "local" else {"wait_until_complete": True}
job = kind.create(device=Devices.Amazon.SV1, source_module="src", entry_point="src.notebook_runner:run_notebook",
                  input_data="src/notebook.ipynb", hyperparameters={"shots": 1000, "label": "bell"}, **extra)
print("RESULT", json.dumps(job.result()))
script = kind.create(device="local:braket/braket_sv", source_module="algorithm_script.py",
                     hyperparameters={"steps": 2}, **extra)
print("SCRIPT", json.dumps(script.result()))
'''
RUNNER = '''
import ast
import contextlib
import json
import os

entry_point = os.environ["AMZN_BRAKET_SCRIPT_ENTRY_POINT"]
if not entry_point.endswith("run_notebook"):  # Amazon's runner: "submitted from the console"
    raise SystemExit(f"would pip-install into this environment: entry point {entry_point}")


def convert_to_value(value):
    with contextlib.suppress(ValueError):
        return ast.literal_eval(value)
    return value


def run_notebook():
    with open(os.environ["AMZN_BRAKET_HP_FILE"]) as handle:
        parameters = {key: convert_to_value(value) for key, value in json.load(handle).items()}
    from braket.jobs import save_job_result
    notebooks = sorted(os.listdir(os.path.join(os.environ["AMZN_BRAKET_INPUT_DIR"], "input")))
    save_job_result({"parameters": parameters, "notebooks": notebooks, "entry": entry_point})
'''
SCRIPT = '''
import os
from braket.jobs import get_hyperparameters, save_job_result

save_job_result({"hyperparameters": get_hyperparameters(), "entry": os.environ["AMZN_BRAKET_SCRIPT_ENTRY_POINT"],
                 "files": sorted(os.listdir("."))})
'''


def _create_project(project: Project) -> None:
    project.write("src/notebook_runner.py", RUNNER)
    project.write("src/notebook.ipynb", '{"cells": []}')
    project.write("algorithm_script.py", SCRIPT)
    project.write("figures/plot.png", "not the job's")
    project.write("create.py", CREATE)


EXPECTED = {"parameters": {"shots": 1000, "label": "bell"}, "notebooks": ["notebook.ipynb"],
            "entry": "src.notebook_runner:run_notebook"}


def test_create_runs_sdk_script_jobs_here(project: Project, tripwire: Tripwire) -> None:
    """Amazon's notebook runner reads every hyperparameter with ast.literal_eval and decides how it was started by
    its entry point: here both are exactly the SDK's. The folder ships alone, a script file alone."""
    _create_project(project)
    done = subprocess.run([sys.executable, "create.py", "local"], cwd=project.root, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr + done.stdout
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if line.startswith(("RESULT", "SCRIPT")))
    assert json.loads(lines["RESULT"]) == EXPECTED
    script = json.loads(lines["SCRIPT"])
    assert script["hyperparameters"] == {"steps": "2"} and script["entry"] == "algorithm_script"
    assert "figures" not in script["files"] and "src" not in script["files"]  # the file alone ships
    assert tripwire.requests == []


def test_create_runs_sdk_script_jobs_in_the_cloud(cloud_project: Project, cloud: Cloud,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from braketkit.job import AwsJob

    _create_project(cloud_project)
    monkeypatch.setattr(AwsJob, "DEFAULT_POLL", 0.01)
    monkeypatch.setattr(sys, "argv", ["create.py", "cloud"])
    capsys.readouterr()
    exec(compile((cloud_project.root / "create.py").read_text(), "create.py", "exec"), {"__name__": "__main__"})
    out = capsys.readouterr().out
    assert "Initializing Braket Job: arn:aws:braket:us-east-1:" in out  # wait_until_complete, as the SDK's
    lines = dict(line.split(" ", 1) for line in out.splitlines() if line.startswith(("RESULT", "SCRIPT")))
    assert json.loads(lines["RESULT"]) == EXPECTED
    runner, script = sorted(cloud.braket.jobs.values(), key=lambda job: job["createdAt"])
    assert runner["hyperParameters"] == {"shots": "1000", "label": "bell"}
    assert runner["algorithmSpecification"]["scriptModeConfig"]["entryPoint"] == "src.notebook_runner:run_notebook"
    assert [channel["channelName"] for channel in runner["inputDataConfig"]] == ["input"]  # no record channel
    assert script["algorithmSpecification"]["scriptModeConfig"]["entryPoint"] == "algorithm_script"


@pytest.mark.parametrize(("arguments", "message"), [
    ('source_module="src", entry_point="other.mod"',
     "source_module (SDK keyword) of AwsQuantumJob.create in go.py:3: entry_point: 'other.mod' is not in src: a "
     "folder's entry point starts with its name (src.module, src.module:function)"),
    ('source_module="nowhere"', "source_module (SDK keyword) of AwsQuantumJob.create in go.py:3: source_module: no "
                                "such file or folder: nowhere"),
    ('source_module="s3://b/k/source.tar.gz"',
     "source_module (SDK keyword) of AwsQuantumJob.create in go.py:3: source_module: s3://b/k/source.tar.gz is an "
     "archive in S3; braketkit ships the source it packs itself (content-addressed, checked before it goes): name "
     "the file or folder here"),
    ('source_module="src", entry_point="src.notebook_runner:run_notebook", code_location="bucket/x"',
     "code_location (SDK keyword) of AwsQuantumJob.create in go.py:3: code_location: 'bucket/x' is no s3:// URI"),
    ('source_module="src", entry_point="src.notebook_runner:run_notebok"',
     "source_module (SDK keyword) of AwsQuantumJob.create in go.py:3: entry_point: src.notebook_runner has no "
     "'run_notebok'; did you mean 'run_notebook'?"),
    ('source_module="src", hyperparamters={"shots": 10}',
     "AwsQuantumJob.create in go.py:3: hyperparamters: not a keyword of the Braket SDK's AwsQuantumJob.create; did "
     "you mean 'hyperparameters'?"),
])
def test_create_refuses_what_cannot_run(project: Project, tripwire: Tripwire, arguments: str, message: str) -> None:
    _create_project(project)
    project.write("go.py", "from braketkit.sdk import AwsQuantumJob\n\n"
                           f"AwsQuantumJob.create(device='sv1', {arguments})\n")
    done = subprocess.run([sys.executable, "go.py"], cwd=project.root, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (2, f"error: {message}\n")
    assert tripwire.requests == []


def test_local_true_runs_create_here_too(project: Project, tripwire: Tripwire) -> None:
    """``local = true`` (here from the environment) reaches code written for the cloud: its handle is a
    ``LocalQuantumJob``, also under ``python -O``."""
    _create_project(project)
    project.write("go.py", "from braketkit.sdk import AwsQuantumJob\n\n"
                           "job = AwsQuantumJob.create('sv1', 'algorithm_script.py', hyperparameters={'steps': 2})\n"
                           "print(type(job).__name__, job.arn, job.state(), job.result()['hyperparameters'])\n")
    done = subprocess.run([sys.executable, "-O", "go.py"], cwd=project.root, capture_output=True, text=True,
                          check=False, env={**os.environ, "BRAKETKIT_LOCAL": "true"})
    assert done.returncode == 0, done.stderr
    kind, arn, state, hyperparameters = done.stdout.split(" ", 3)
    assert (kind, state, hyperparameters) == ("LocalQuantumJob", "COMPLETED", "{'steps': '2'}\n")
    assert arn.startswith("local:job/algorithm-script")
    assert tripwire.requests == []


@pytest.mark.parametrize(("decorator", "message"), [
    ("@hybrid_job(device=None, instance_confg=None, local=True)",
     "@hybrid_job in jobs.py:3: instance_confg: not a keyword of the Braket SDK's @hybrid_job; did you mean "
     "'instance_config'?"),
    ("@hybrid_job(local=True)",
     "@hybrid_job in jobs.py:3: the call does not fit the Braket SDK's @hybrid_job: missing a required argument: "
     "'device'"),
])
def test_a_call_that_does_not_fit_the_sdk_is_refused(project: Project, tripwire: Tripwire, decorator: str,
                                                      message: str) -> None:
    """Python's TypeError would be a traceback; the SDK's keywords are input, refused as braketkit refuses it."""
    project.write("jobs.py", f"from braketkit.sdk import hybrid_job\n\n{decorator}\ndef train():\n    pass\n")
    done = subprocess.run([sys.executable, "jobs.py"], cwd=project.root, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (2, f"error: {message}\n")
    assert tripwire.requests == []


def test_include_modules_must_be_inside_what_ships(project: Project, tmp_path: Path, tripwire: Tripwire) -> None:
    """The SDK pickles an included module by value; braketkit ships its source, which must be in the project."""
    project.write("qcbm/__init__.py", "")
    project.write("qcbm/model.py", "SIZE = 3\n")
    project.write(".gitignore", "qcbm/\n")  # left out by the project's own rules, shipped because it is included
    outside = tmp_path / "elsewhere"
    (outside / "helpers").mkdir(parents=True)
    (outside / "helpers" / "__init__.py").write_text("")
    project.write("jobs.py", "from braketkit.sdk import hybrid_job\n\n"
                             "@hybrid_job(device='local', local=True, include_modules='qcbm')\n"
                             "def inside():\n    pass\n\n"
                             "@hybrid_job(device='local', include_modules=['helpers'])\ndef outside():\n    pass\n")
    sys.path[:0] = [str(project.root), str(outside)]
    import jobs  # type: ignore[import-not-found]

    job = jobs.inside()  # include_modules applies to the SDK's calls (plan() and local() are braketkit's)
    assert isinstance(job, sdk.LocalQuantumJob) and job.state() == "COMPLETED"
    assert (job.job.folder / "code" / "qcbm" / "model.py").is_file()
    with pytest.raises(InvalidInput) as caught:
        jobs.outside()
    assert str(caught.value) == (
        f"include_modules (SDK keyword) of @hybrid_job in jobs.py:7: include_modules: the module helpers is at "
        f"{outside / 'helpers'}, outside the folder braketkit ships ({project.root}); braketkit ships source, not "
        "pickles: move the module into that folder, or set source to a folder holding both")
    assert tripwire.requests == []


def test_a_logger_receives_braketkits_warnings(project: Project, tripwire: Tripwire,
                                               caplog: pytest.LogCaptureFixture) -> None:
    project.write("jobs.py", "import logging\nfrom braketkit.sdk import hybrid_job\n\n"
                             "@hybrid_job(device='local', local=True, logger=logging.getLogger('mine'))\n"
                             "def train():\n    return 1\n")
    # shipped on purpose, and warned about
    project.write("notes.txt", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n")
    project.pyproject("[tool.braketkit]\ninclude = ['/notes.txt']\n")
    sys.path.insert(0, str(project.root))
    import jobs

    with caplog.at_level(logging.WARNING, logger="mine"):
        assert jobs.train().result() == {"result": 1}
    assert any("notes.txt" in record.getMessage() and "private key" in record.getMessage()
               for record in caplog.records if record.name == "mine"), caplog.records


def test_the_sdk_s_other_names_come_with_the_import_line(project: Project, tripwire: Tripwire) -> None:
    """``from braket.jobs import hybrid_job, save_job_checkpoint`` changes its module only: in the job (whose
    braketkit is the stand-in) the module imports them the same way."""
    project.write("jobs.py", "from braketkit.sdk import hybrid_job, load_job_checkpoint, save_job_checkpoint\n\n"
                             "@hybrid_job(device=None, local=True)\ndef resumable(step=3):\n"
                             "    save_job_checkpoint({'step': step})\n    return load_job_checkpoint()\n")
    sys.path.insert(0, str(project.root))
    import jobs

    assert jobs.resumable(5).result() == {"step": 5}
    with pytest.raises(AttributeError) as caught:
        sdk.save_job_checkpiont  # noqa: B018
    assert str(caught.value) == ("module 'braketkit.sdk' has no attribute 'save_job_checkpiont': it has hybrid_job, "
                                 "AwsQuantumJob, LocalQuantumJob and the names of braket.jobs and braket.aws")
    assert tripwire.requests == []
