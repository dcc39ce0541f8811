"""Shared fixtures: an isolated environment, project folders, and loopback AWS endpoints."""

from __future__ import annotations

import os
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import settings

from braketkit.cli import main

from .braket_service import FakeBraket
from .loopback import LoopbackServer, MotoServer, QuietHandler
from .s3_gate import S3Gate

settings.register_profile("shared-machine", deadline=None)  # a test's speed is no test: the machine is shared
settings.load_profile("shared-machine")


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No BRAKETKIT_/AWS_ variable, no AWS config file, no instance metadata, UTC; modules restored."""
    for name in list(os.environ):
        if name.startswith(("BRAKETKIT_", "AWS_", "BRAKET_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("TZ", "UTC")  # dates without a zone are local time: the same on every machine
    time.tzset()
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    path = list(sys.path)
    yield
    sys.path[:] = path
    for name, module in list(sys.modules.items()):  # the test project's modules, imported by reference, and its
        places = [getattr(module, "__file__", None) or "", *(getattr(module, "__path__", None) or [])]  # folders
        if any(str(place).startswith(str(tmp_path)) for place in places):  # imported as namespace packages
            del sys.modules[name]


class Project:
    """A project folder on disk; the working directory during the test."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def pyproject(self, braketkit: str) -> Path:
        return self.write("pyproject.toml", '[project]\nname = "demo"\n\n' + textwrap.dedent(braketkit).lstrip("\n"))


TRAIN = '''
from braketkit import hybrid_job

@hybrid_job()
def train(steps: int = 10, lr: float = 0.1) -> dict:
    return {"steps": steps, "lr": lr}
'''

BASIC = '''
[tool.braketkit]
device = "sv1"
region = "us-east-1"
role = "arn:aws:iam::111122223333:role/service-role/AmazonBraketJobsExecutionRole"

[tool.braketkit.s3]
bucket = "amazon-braket-us-east-1-111122223333"
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    return Project(root)


@pytest.fixture
def basic_project(project: Project) -> Project:
    project.pyproject(BASIC)
    project.write("train.py", TRAIN)
    return project


class Tripwire:
    """A loopback endpoint for every AWS service that records whatever reaches it."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        calls = self.requests

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.0"

            def _record(self) -> None:
                calls.append(f"{self.command} {self.path}")
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _record

        self.loopback = LoopbackServer(Handler)
        self.url = self.loopback.url


@pytest.fixture
def tripwire(monkeypatch: pytest.MonkeyPatch) -> Iterator[Tripwire]:
    """Credentials and endpoints that would make any AWS call land here."""
    wire = Tripwire()
    monkeypatch.setenv("AWS_ENDPOINT_URL", wire.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTRIPWIRE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "tripwire-secret")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    yield wire
    wire.loopback.close()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    server = MotoServer()
    yield server.url
    server.close()


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Credentials for the moto server on loopback, its state emptied first."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")).close()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    return moto_endpoint


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``braketkit ARGV`` in-process: exit status, stdout, stderr."""
    capsys.readouterr()
    try:
        main(list(argv))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


class Cloud:
    """moto (S3 behind the owner-enforcing gate, STS, IAM, Logs) and the loopback Braket control plane."""

    def __init__(self, moto: str, gate: S3Gate, braket: FakeBraket, role: str) -> None:
        self.moto, self.gate, self.braket, self.role = moto, gate, braket, role

    def client(self, service: str, via_gate: bool = False) -> Any:
        endpoint = self.gate.url if via_gate else self.moto
        session: Any = boto3.Session(region_name="us-east-1")  # any service, by name: the stubs type only literal names
        return session.client(service, endpoint_url=endpoint)


@pytest.fixture
def cloud(aws: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    gate = S3Gate(aws)
    braket = FakeBraket(aws, execute=True, python=sys.executable)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", gate.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BRAKET", braket.url)
    monkeypatch.setenv("BRAKET_PRICE_OFFERS_URL", braket.price_list_url)  # the SDK's Tracker prices tasks with it
    monkeypatch.setenv("BRAKETKIT_SWEEP__RATE", "10000")  # the loopback Braket limits no rate unless asked to
    iam = boto3.Session(region_name="us-east-1").client("iam")
    policy = '{"Version": "2012-10-17", "Statement": []}'
    role = iam.create_role(RoleName="AmazonBraketJobsExecutionRole", Path="/service-role/",
                           AssumeRolePolicyDocument=policy)["Role"]["Arn"]
    yield Cloud(aws, gate, braket, role)
    braket.close()
    gate.close()


CLOUD_SETTINGS = '''
[tool.braketkit]
device = "sv1"
region = "us-east-1"
'''

CLOUD_JOBS = '''
from __future__ import annotations

import dataclasses

from braketkit import hybrid_job


@dataclasses.dataclass
class Energy:
    value: float
    steps: int


@hybrid_job()
def train(steps: int = 3) -> Energy:
    for step in range(steps):
        print(f"step {step}")
    return Energy(-1.5, steps)


@hybrid_job(instance={"count": 2})
def chatty(lines: int = 10) -> dict:
    for index in range(lines):
        print(f"line {index:02d}")
    return {"lines": lines}


@hybrid_job()
def broken() -> None:
    print("about to break")
    raise ValueError("no convergence")


@hybrid_job()
def save_checkpoint() -> None:
    from braket.jobs import save_job_checkpoint
    save_job_checkpoint({"step": 7})
'''


@pytest.fixture
def cloud_project(project: Project, cloud: Cloud) -> Project:
    project.pyproject(CLOUD_SETTINGS)
    project.write("jobs.py", CLOUD_JOBS)
    sys.path.insert(0, str(project.root))
    return project


def interruptible() -> None:
    """For ``preexec_fn``: a child whose SIGINT is the default, even when the tests run as a background job.

    A shell without job control starts background jobs with SIGINT ignored, the
    children inherit that, and Python then installs no KeyboardInterrupt handler.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
