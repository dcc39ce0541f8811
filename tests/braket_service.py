"""A loopback Amazon Braket control plane for tests, speaking the real rest-json protocol.

CreateJob, GetJob, CancelJob and SearchJobs, reached through the real boto3
client via AWS_ENDPOINT_URL_BRAKET. Requests are validated against botocore's
service model; client tokens are idempotent as the service documents it (same
token and request: the same job; same token, different request: 409
ConflictException). Off by default, it enforces CreateJob's rate and burst
(``limit_creates``: ThrottlingException, 429) and a quota of concurrent jobs
(``max_concurrent_jobs``: ServiceQuotaExceededException, 402), as the service
does. Jobs advance QUEUED → RUNNING → COMPLETED/FAILED as they
are polled and, when ``execute`` is on, really run: the archive is fetched from
S3 (moto), the checkpoints of ``checkpointConfig.s3Uri`` with it, run as Braket's
container would (tests/container.py) with what a real job has for AWS (its role's
credentials, a job token, and these loopback endpoints), the results folder is
tarred to <s3Path>/output/model.tar.gz, the checkpoints go back to their s3Uri,
and the output goes to CloudWatch Logs. Faults can be queued per operation.

Quantum tasks (CreateQuantumTask, GetQuantumTask, SearchQuantumTasks,
CancelQuantumTask) run on the managed simulators SV1 and DM1, whose GetDevice
answers carry the capabilities of the Braket SDK's local simulators (the same
schema): a task's OpenQASM action runs through braket_sv or braket_dm as it is
created, and its ``GateModelTaskResult`` is written where the service writes it,
``<outputS3Bucket>/<outputS3KeyPrefix>/<task id>/results.json``. A task created
with a job's token belongs to that job, so SearchQuantumTasks by jobArn finds it.
The service also serves the Braket price list the SDK's ``Tracker`` reads
(``price_list_url``, for BRAKET_PRICE_OFFERS_URL).
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import functools
import io
import json
import re
import socket
import tarfile
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import boto3
import botocore.session
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

from .container import run_in_container
from .loopback import LoopbackServer, QuietHandler

ACCOUNT = "123456789012"
RETRYABLE_FAULTS = ("throttle", "error500", "drop", "drop_after_create", "slow_after_create")
_MODEL = botocore.session.get_session().get_service_model("braket")
SIMULATORS = {"sv1": ("SV1", "braket_sv", 34), "dm1": ("DM1", "braket_dm", 17)}
"""The managed simulators whose tasks run here: their name, the local simulator that runs them, their qubits."""
SIMULATOR_ARN = "arn:aws:braket:::device/quantum-simulator/amazon/"
PROGRAM_SET = "braket.ir.openqasm.program_set"
PRICE_LIST_PATH = "/offers/v1.0/aws/AmazonBraket/current/index.csv"
SIMULATOR_PRICES = {"SV1": "0.075", "DM1": "0.075", "TN1": "0.275"}
"""USD a minute of simulation, as Amazon Braket's price list has them."""


class ServiceError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _validate(operation: str, body: dict[str, Any]) -> None:
    shape = _MODEL.operation_model(operation).input_shape
    assert shape is not None, operation
    report = ParamValidator().validate(body, shape)
    if report.has_errors():
        raise ServiceError(400, "ValidationException", report.generate_report())
    name = body.get("jobName", "")
    if operation == "CreateJob" and not re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,50}", name):
        raise ServiceError(400, "ValidationException", f"jobName {name!r} is invalid")


class FakeBraket:
    def __init__(self, moto: str, region: str = "us-east-1", execute: bool = False, python: str | None = None) -> None:
        self.moto = moto
        self.region = region
        self.execute = execute
        self.python = python
        self.jobs: dict[str, dict[str, Any]] = {}
        self.polls: collections.Counter[str] = collections.Counter()
        self.tokens: dict[str, tuple[str, str]] = {}
        self.faults: dict[str, collections.deque[str]] = collections.defaultdict(collections.deque)
        self.calls: list[str] = []
        self.slow_seconds = 2.0
        self.latency = 0.0
        """Seconds added before every answer, to stand for a real network and service (benchmarks)."""
        self.offline_devices: set[str] = set()
        self.limits: dict[str, dict[str, Any]] = {}
        """Spending limits by ARN, as SearchSpendingLimits reports them (spend included)."""
        self.limit_tokens: dict[tuple[str, str], tuple[str, str]] = {}
        """(operation, client token): the request it came with and the limit it made or changed."""
        self.limit_page_size = 2
        """SearchSpendingLimits' page when the request names none: small, so that clients must paginate."""
        self.create_rate: float | None = None
        """CreateJob calls a second the service allows (a token bucket of ``create_burst``); None: no limit."""
        self.create_burst = 5
        self._tokens = 0.0
        self._tokens_at = 0.0
        self.max_concurrent_jobs: int | None = None
        """The account's quota of jobs not yet ended (QUEUED, RUNNING, CANCELLING); None: no quota."""
        self.create_log: list[tuple[float, str, str]] = []
        """Every CreateJob: when it arrived (``time.monotonic()``), its client token, and the answer (``created``,
        ``same job`` for a token seen before, ``throttled``, ``quota``)."""
        self.workers: concurrent.futures.ThreadPoolExecutor | None = None
        """Set by ``run_jobs_when_created``: the service's own workers, which run jobs as they are created."""
        self.ended: dict[str, threading.Event] = {}
        """Each job run by the workers, by ARN: set once it has ended; in the order the jobs were created."""
        self.longest_wait = 120.0
        """The longest GetJob waits for the end of a job the workers run, before it answers with what there is."""
        self.job_tokens: dict[str, str] = {}
        """The token the service gives each job (AMZN_BRAKET_JOB_TOKEN), and the job's ARN."""
        self.tasks: dict[str, dict[str, Any]] = {}
        """Each quantum task by ARN: GetQuantumTask's answer, and the action it runs."""
        self.task_tokens: dict[str, tuple[str, str]] = {}
        """CreateQuantumTask's client tokens: the request each came with, and the task it made."""
        self.cancel_tokens: dict[str, str] = {}
        """CancelQuantumTask's client tokens, and the task each cancelled."""
        self.hold_tasks = False
        """Keep new quantum tasks QUEUED rather than running them as they are created (to cancel them, say)."""
        self.task_page_size = 2
        """SearchQuantumTasks' page when the request names none: small, so that clients must paginate."""
        self.price_list_url = ""
        """The Braket price list the SDK's Tracker reads (BRAKET_PRICE_OFFERS_URL), served here."""
        self._s3_client: Any = None
        self.lock = threading.Lock()
        service = self

        class Handler(QuietHandler):

            def _answer(self) -> None:
                time.sleep(service.latency)
                if self.command == "GET" and self.path == PRICE_LIST_PATH:
                    self._send(200, "text/csv", price_list(service.region).encode())
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                url = urlparse(self.path)
                try:
                    status, payload = service.route(self.command, unquote(url.path), parse_qs(url.query), body, self)
                except ServiceError as error:
                    status, payload = error.status, {"message": error.message}
                    self.send_response(status)
                    self.send_header("x-amzn-ErrorType", error.code)
                else:
                    if status == 0:
                        return  # the connection was dropped on purpose
                    self.send_response(status)
                data = json.dumps(payload, default=str).encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _send(self, status: int, kind: str, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        self.loopback = LoopbackServer(Handler)
        self.url = self.loopback.url
        self.price_list_url = self.url + PRICE_LIST_PATH

    def close(self) -> None:
        if self.workers is not None:
            self.workers.shutdown(wait=True, cancel_futures=True)
        self.loopback.close()

    def run_jobs_when_created(self, workers: int = 2) -> None:
        """From now on, run each job as the service does, whether it is polled or not: as it is created, on one of
        the service's ``workers``. GetJob waits until the job, and every job created before it, has ended: code that
        sleeps between polls (the SDK's five seconds) finds its job ended when it first asks, and once a job has
        ended the metrics and logs of every earlier one are there, as a researcher's notebook expects of jobs made
        in a loop."""
        self.workers = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="braket-job")

    def _work(self, job: dict[str, Any]) -> None:
        job |= {"status": "RUNNING", "startedAt": time.time()}
        try:
            self._finish(job)
        finally:
            self.ended[job["jobArn"]].set()

    # -- routing --------------------------------------------------------------------------------------------

    def route(self, method: str, path: str, query: dict[str, list[str]], body: dict[str, Any],
              handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, Any]]:
        limit = self.route_spending_limits(method, path, body, handler)
        if limit is not None:
            return limit
        if method == "POST" and path == "/job":
            return self.create_job(body, handler)
        if method == "POST" and path == "/jobs":
            return self.search_jobs(body)
        task = self.route_quantum_tasks(method, path, query, body)
        if task is not None:
            return task
        device = re.fullmatch(r"/device/(.+)", path)
        if device and method == "GET":
            return self.get_device(device.group(1))
        match = re.fullmatch(r"/job/(.+?)(/cancel)?", path)
        if match and method == "PUT" and match.group(2):
            return self.cancel_job(match.group(1))
        if match and method == "GET":
            return self.get_job(match.group(1), query)
        raise ServiceError(404, "ResourceNotFoundException", f"no route for {method} {path}")

    def limit_creates(self, rate: float, burst: int) -> None:
        """Enforce CreateJob's rate and burst from now on: a bucket of ``burst`` tokens, full, refilled at ``rate``."""
        with self.lock:
            self.create_rate, self.create_burst = rate, burst
            self._tokens, self._tokens_at = float(burst), time.monotonic()

    def _throttled(self, arrived: float) -> bool:
        """Whether a CreateJob arriving now is over the rate (called with the lock held); if not, it takes a token."""
        if self.create_rate is None:
            return False
        self._tokens = min(float(self.create_burst), self._tokens + (arrived - self._tokens_at) * self.create_rate)
        self._tokens_at = arrived
        if self._tokens < 1:
            return True
        self._tokens -= 1
        return False

    def _fault(self, operation: str) -> str | None:
        with self.lock:
            queue = self.faults[operation]
            return queue.popleft() if queue else None

    def create_job(self, body: dict[str, Any], handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, Any]]:
        arrived = time.monotonic()
        self.calls.append("CreateJob")
        with self.lock:
            if self._throttled(arrived):
                self.create_log.append((arrived, str(body.get("clientToken")), "throttled"))
                raise ServiceError(429, "ThrottlingException", "Rate exceeded")
        fault = self._fault("CreateJob")
        if fault == "throttle":
            raise ServiceError(429, "ThrottlingException", "Rate exceeded")
        if fault == "error500":
            raise ServiceError(500, "InternalServiceException", "an internal error")
        if fault == "denied":
            raise ServiceError(403, "AccessDeniedException", "User is not authorized to perform: braket:CreateJob")
        if fault == "quota":
            raise ServiceError(402, "ServiceQuotaExceededException", "Too many concurrent jobs")
        if fault == "drop":
            handler.connection.shutdown(socket.SHUT_RDWR)
            return 0, {}
        _validate("CreateJob", body)
        if body["deviceConfig"]["device"] in self.offline_devices:
            raise ServiceError(424, "DeviceOfflineException", "Device is offline")
        token = body["clientToken"]
        fingerprint = json.dumps({k: v for k, v in body.items() if k != "clientToken"}, sort_keys=True)
        with self.lock:
            if token in self.tokens:
                seen, arn = self.tokens[token]
                if seen != fingerprint:
                    raise ServiceError(409, "ConflictException", "client token reused with a different request")
                self.create_log.append((arrived, token, "same job"))
            else:
                if any(job["jobName"] == body["jobName"] for job in self.jobs.values()):
                    raise ServiceError(409, "ConflictException", f"a job named {body['jobName']} already exists")
                unfinished = sum(job["status"] in ("QUEUED", "RUNNING", "CANCELLING") for job in self.jobs.values())
                if self.max_concurrent_jobs is not None and unfinished >= self.max_concurrent_jobs:
                    self.create_log.append((arrived, token, "quota"))
                    raise ServiceError(402, "ServiceQuotaExceededException",
                                       f"You have reached the quota of {self.max_concurrent_jobs} concurrent jobs")
                self.create_log.append((arrived, token, "created"))
                arn = f"arn:aws:braket:{self.region}:{ACCOUNT}:job/{uuid.uuid4()}"
                self.tokens[token] = (fingerprint, arn)
                self.jobs[arn] = {**{k: v for k, v in body.items() if k not in ("clientToken", "associations")},
                                  "jobArn": arn, "status": "QUEUED", "createdAt": time.time()}
                self.job_tokens[uuid.uuid4().hex] = arn
                if self.workers is not None:
                    self.ended[arn] = threading.Event()
                    self.workers.submit(self._work, self.jobs[arn])
        if fault == "drop_after_create":
            handler.connection.shutdown(socket.SHUT_RDWR)
            return 0, {}
        if fault == "slow_after_create":
            time.sleep(self.slow_seconds)
        return 201, {"jobArn": arn}

    def _job(self, arn: str) -> dict[str, Any]:
        if arn not in self.jobs:
            raise ServiceError(404, "ResourceNotFoundException", f"no job {arn}")
        return self.jobs[arn]

    def get_job(self, arn: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        self.calls.append("GetJob")
        fault = self._fault("GetJob")
        if fault == "throttle":
            raise ServiceError(429, "ThrottlingException", "Rate exceeded")
        job = self._job(arn)
        with self.lock:
            self.polls[arn] += 1
            polls = self.polls[arn]
        if arn in self.ended:  # run by the service's workers: its end, and the end of the jobs before it
            with self.lock:
                events = list(self.ended.items())
            deadline = time.monotonic() + self.longest_wait
            for earlier, ended in events:  # past the deadline: the answer at hand (RUNNING), and the client polls on
                if not ended.wait(max(0.0, deadline - time.monotonic())) or earlier == arn:
                    break
        elif job["status"] == "QUEUED" and polls >= 2:
            job |= {"status": "RUNNING", "startedAt": time.time()}
        elif job["status"] == "RUNNING" and polls >= 3:
            self._finish(job)
        elif job["status"] == "CANCELLING":
            job |= {"status": "CANCELLED", "endedAt": time.time()}
        answer = dict(job)
        if job["status"] == "QUEUED" and "QueueInfo" in query.get("additionalAttributeNames", []):
            answer["queueInfo"] = {"queue": "JOBS_QUEUE", "position": "2"}
        return 200, answer

    def get_device(self, arn: str) -> tuple[int, dict[str, Any]]:
        """SV1 and DM1 as the service describes them, with their capabilities in full (what the SDK's ``AwsDevice``
        reads to run a circuit there); another simulator or a QPU with no more than its schema's header."""
        self.calls.append("GetDevice")
        name = arn.rsplit("/", 1)[-1]
        simulator = "quantum-simulator" in arn
        status = "OFFLINE" if arn in self.offline_devices else "ONLINE"
        if arn.removeprefix(SIMULATOR_ARN) in SIMULATORS:
            device_name, _, _ = SIMULATORS[arn.removeprefix(SIMULATOR_ARN)]
            return 200, {"deviceArn": arn, "deviceName": device_name, "providerName": "Amazon Braket",
                         "deviceType": "SIMULATOR", "deviceStatus": status,
                         "deviceCapabilities": simulator_capabilities(arn.removeprefix(SIMULATOR_ARN))}
        return 200, {"deviceArn": arn, "deviceName": name, "providerName": "Amazon Braket" if simulator else "QPU",
                     "deviceType": "SIMULATOR" if simulator else "QPU", "deviceStatus": status,
                     "deviceCapabilities": json.dumps({"braketSchemaHeader": {
                         "name": "braket.device_schema.simulators.gate_model_simulator_device_capabilities",
                         "version": "1"}})}

    def cancel_job(self, arn: str) -> tuple[int, dict[str, Any]]:
        self.calls.append("CancelJob")
        job = self._job(arn)
        if job["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
            raise ServiceError(409, "ConflictException", f"job is {job['status']}")
        job["status"] = "CANCELLING"
        return 200, {"jobArn": arn, "cancellationStatus": "CANCELLING"}

    def search_jobs(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The filters the service documents (the model's SearchJobsFilter.name): jobArn EQUAL alone; jobName
        EQUAL or CONTAINS; deviceArn EQUAL; createdAt EQUAL, GT, GTE, LT, LTE or BETWEEN (RFC 3339). Any other
        name or operator is refused, as an undocumented filter may be by the service."""
        self.calls.append("SearchJobs")
        _validate("SearchJobs", body)
        jobs = sorted(self.jobs.values(), key=lambda job: job["createdAt"])
        conditions = body.get("filters", [])
        for condition in conditions:
            name, operator, values = condition["name"], condition["operator"], condition["values"]
            if name == "jobArn" and operator == "EQUAL" and len(conditions) == 1:
                jobs = [job for job in jobs if job["jobArn"] == values[0]]
            elif name == "jobName" and operator in ("EQUAL", "CONTAINS"):
                jobs = [job for job in jobs if (job["jobName"] == values[0] if operator == "EQUAL"
                                                else values[0] in job["jobName"])]
            elif name == "deviceArn" and operator == "EQUAL":
                jobs = [job for job in jobs if job["deviceConfig"]["device"] == values[0]]
            else:
                jobs = _created(jobs, condition)
        page, answer = _page(jobs, body, 3)  # small pages, so that clients must paginate
        answer["jobs"] = [{"jobArn": job["jobArn"], "jobName": job["jobName"], "status": job["status"],
                           "device": job["deviceConfig"]["device"], "createdAt": job["createdAt"],
                           **{key: job[key] for key in ("startedAt", "endedAt", "tags") if key in job}}
                          for job in page]
        return 200, answer

    # -- running a job --------------------------------------------------------------------------------------

    def _finish(self, job: dict[str, Any]) -> None:
        self._run(job)
        if "startedAt" in job:  # what the service bills: the instances' time from start to end, in milliseconds
            job["billableDuration"] = max(1, round((job["endedAt"] - job["startedAt"]) * 1000))

    def _run(self, job: dict[str, Any]) -> None:
        if not self.execute:
            job |= {"status": "COMPLETED", "endedAt": time.time()}
            return
        # The service's own credentials: it must not depend on the environment of the test that polls it.
        session = boto3.Session(region_name=self.region, aws_access_key_id="testing", aws_secret_access_key="testing")
        s3 = session.client("s3", endpoint_url=self.moto)  # the service itself, not a client of the gate
        name, arn = job["jobName"], job["jobArn"]
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch)
            bucket, _, key = job["algorithmSpecification"]["scriptModeConfig"]["s3Uri"][5:].partition("/")
            s3.download_file(bucket, key, str(root / "source.tar.gz"))
            for channel in job.get("inputDataConfig", []):  # the container downloads each channel's prefix
                self._download(s3, channel["dataSource"]["s3DataSource"]["s3Uri"],
                               root / "inputs" / channel["channelName"])
            checkpoints = job.get("checkpointConfig", {}).get("s3Uri")
            if checkpoints:  # the service downloads them into the checkpoint folder before the job starts
                self._download(s3, checkpoints, root / "checkpoints")
            run = run_in_container([self.python or "python3"], job, root / "source.tar.gz", root / "container",
                                   inputs=root / "inputs", checkpoints=root / "checkpoints",
                                   aws=self.job_variables(arn))
            if checkpoints:  # ... and uploads what the job left there
                check_bucket, _, check_key = checkpoints[5:].partition("/")
                for path in sorted(run.checkpoints.rglob("*")):
                    if path.is_file():
                        key = f"{check_key.rstrip('/')}/{path.relative_to(run.checkpoints).as_posix()}"
                        s3.upload_file(str(path), check_bucket, key)
            model = io.BytesIO()
            with tarfile.open(fileobj=model, mode="w:gz") as archive:
                for path in sorted((run.opt / "braket" / "model").rglob("*")):
                    archive.add(path, arcname=str(path.relative_to(run.opt / "braket" / "model")))
            out_bucket, _, out_key = job["outputDataConfig"]["s3Path"][5:].partition("/")
            s3.put_object(Bucket=out_bucket, Key=f"{out_key}/output/model.tar.gz", Body=model.getvalue())
            self._log(session, name, arn, run.output.splitlines(), job["instanceConfig"].get("instanceCount", 1))
            failure = run.failure.read_text() if run.failure.exists() else None
        if run.returncode == 0:
            job |= {"status": "COMPLETED", "endedAt": time.time()}
        else:
            job |= {"status": "FAILED", "endedAt": time.time(), "failureReason": failure or "AlgorithmError"}

    @staticmethod
    def _download(s3: Any, uri: str, folder: Path) -> None:
        """Every object under an s3:// prefix into ``folder``, by its key below the prefix (a single object: by its
        name), as the service downloads a channel or the checkpoints."""
        bucket, _, prefix = uri[5:].partition("/")
        for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
            relative = item["Key"][len(prefix):].lstrip("/") or item["Key"].rpartition("/")[2]
            local = folder / relative
            local.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, item["Key"], str(local))

    def job_variables(self, arn: str) -> dict[str, str]:
        """What a job has for AWS: its role's credentials (here moto's), its region, its job token (which the SDK
        sends with every quantum task it creates), and the loopback endpoints that stand for AWS's."""
        token = next(token for token, job in self.job_tokens.items() if job == arn)
        return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region,
                "AWS_ENDPOINT_URL": self.moto, "AWS_ENDPOINT_URL_BRAKET": self.url,
                "AWS_EC2_METADATA_DISABLED": "true", "BRAKET_PRICE_OFFERS_URL": self.price_list_url,
                "AMZN_BRAKET_JOB_TOKEN": token}

    def _log(self, session: Any, name: str, arn: str, lines: list[str], instances: int) -> None:
        """Each line to one instance's stream, round robin, with increasing timestamps."""
        logs = session.client("logs", endpoint_url=self.moto)
        group = "/aws/braket/jobs"
        with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
            logs.create_log_group(logGroupName=group)
        streams = [f"{name}/{arn.rsplit('/', 1)[-1]}/algo-{index + 1}-1700000000" for index in range(instances)]
        for stream in streams:
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
        start = int(time.time() * 1000) - len(lines)
        for index, stream in enumerate(streams):
            events = [{"timestamp": start + n, "message": line}  # CloudWatch takes no empty message
                      for n, line in enumerate(lines) if n % instances == index and line]
            if events:
                logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)

    # -- quantum tasks --------------------------------------------------------------------------------------

    def route_quantum_tasks(self, method: str, path: str, query: dict[str, list[str]],
                            body: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        """CreateQuantumTask, GetQuantumTask, CancelQuantumTask and SearchQuantumTasks, or None."""
        if method == "POST" and path == "/quantum-task":
            return self.create_quantum_task(body)
        if method == "POST" and path == "/quantum-tasks":
            return self.search_quantum_tasks(body)
        match = re.fullmatch(r"/quantum-task/(.+?)(/cancel)?", path)
        if match and method == "PUT" and match.group(2):
            return self.cancel_quantum_task(match.group(1), body)
        if match and method == "GET":
            return self.get_quantum_task(match.group(1), query)
        return None

    def create_quantum_task(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A task on SV1 or DM1, run as it is created (unless ``hold_tasks``): its result is in S3 by the time it is
        first polled. A job's token makes it the job's task; an unknown token, a bucket that does not exist, or a
        device whose tasks cannot run here are refused, as the service refuses them."""
        self.calls.append("CreateQuantumTask")
        fault = self._fault("CreateQuantumTask")
        if fault == "throttle":
            raise ServiceError(429, "ThrottlingException", "Rate exceeded")
        _validate("CreateQuantumTask", body)
        device = body["deviceArn"]
        if device in self.offline_devices:
            raise ServiceError(424, "DeviceOfflineException", "Device is offline")
        if device.removeprefix(SIMULATOR_ARN) not in SIMULATORS:
            raise ServiceError(400, "ValidationException", f"the loopback Braket runs quantum tasks on SV1 and DM1 "
                                                           f"only, not on {device}")
        job = self.job_tokens.get(body["jobToken"]) if "jobToken" in body else None
        if "jobToken" in body and job is None:
            raise ServiceError(400, "ValidationException", "jobToken is not the token of a job")
        try:
            self._s3().head_bucket(Bucket=body["outputS3Bucket"])
        except ClientError:  # moto's 404 (or 403): the caller's answer, in the service's words
            raise ServiceError(400, "ValidationException", f"Caller doesn't have access to "
                                                           f"{body['outputS3Bucket']} or it doesn't exist") from None
        action = _action_metadata(body["action"])
        token = body["clientToken"]
        fingerprint = json.dumps({k: v for k, v in body.items() if k != "clientToken"}, sort_keys=True)
        with self.lock:
            if token in self.task_tokens:
                seen, arn = self.task_tokens[token]
                if seen != fingerprint:
                    raise ServiceError(409, "ConflictException", "client token reused with a different request")
                return 201, {"quantumTaskArn": arn}
            task_id = str(uuid.uuid4())
            arn = f"arn:aws:braket:{self.region}:{ACCOUNT}:quantum-task/{task_id}"
            self.task_tokens[token] = (fingerprint, arn)
            task = {"quantumTaskArn": arn, "status": "QUEUED", "deviceArn": device, "shots": body["shots"],
                    "deviceParameters": body.get("deviceParameters", "{}"), "action": body["action"],
                    "actionMetadata": action,
                    "outputS3Bucket": body["outputS3Bucket"],
                    "outputS3Directory": f"{body['outputS3KeyPrefix']}/{task_id}", "createdAt": time.time(),
                    "tags": body.get("tags", {}), **({"jobArn": job} if job else {})}
            self.tasks[arn] = task
        if not self.hold_tasks:
            self.run_task(task)
        return 201, {"quantumTaskArn": arn}

    def _s3(self) -> Any:
        """The service's own S3 client, made once (clients are thread-safe): credentials of its own, not those of
        whoever calls it."""
        with self.lock:
            if self._s3_client is None:
                session = boto3.Session(region_name=self.region, aws_access_key_id="testing",
                                        aws_secret_access_key="testing")
                self._s3_client = session.client("s3", endpoint_url=self.moto)
            return self._s3_client

    def run_task(self, task: dict[str, Any]) -> None:
        """Run a task's OpenQASM program (or program set) on the local simulator standing for its device, and write
        its result to S3 as the service does: a ``GateModelTaskResult`` with the task's ARN and device, and the
        simulation's duration, which the SDK's Tracker prices (a ``ProgramSetTaskResult`` for a program set). A
        program that cannot run fails the task with the reason."""
        from braket.ir.openqasm import Program, ProgramSet
        from braket.schema_common import BraketSchemaBase

        _, backend, _ = SIMULATORS[task["deviceArn"].removeprefix(SIMULATOR_ARN)]
        task["status"] = "RUNNING"
        try:
            action = json.loads(task["action"])
            program = (ProgramSet if action["braketSchemaHeader"]["name"] == PROGRAM_SET else Program).parse_obj(action)
            simulator = _simulator(backend)()
            started = time.perf_counter()
            with warnings.catch_warnings():  # the local simulator's advice to its user is not the service's to print
                warnings.simplefilter("ignore")
                result = json.loads(simulator.run(program, shots=task["shots"]).json(exclude_none=True))
            duration = max(1, round((time.perf_counter() - started) * 1000))
            if result.get("measurements") == []:  # shots=0: result types only; the schema wants none, not empty
                del result["measurements"]
            result["taskMetadata"] |= {"id": task["quantumTaskArn"], "deviceId": task["deviceArn"]}
            if "additionalMetadata" in result:
                result["additionalMetadata"]["simulatorMetadata"] = {
                    "braketSchemaHeader": {"name": "braket.task_result.simulator_metadata", "version": "1"},
                    "executionDuration": duration}
            BraketSchemaBase.parse_raw_schema(json.dumps(result))  # what the service writes, its schema reads
        except Exception as error:  # whatever the simulator says is the task's failure reason
            task |= {"status": "FAILED", "failureReason": f"{type(error).__name__}: {error}", "endedAt": time.time()}
            return
        self._s3().put_object(Bucket=task["outputS3Bucket"], Key=f"{task['outputS3Directory']}/results.json",
                              Body=json.dumps(result).encode())
        task |= {"status": "COMPLETED", "endedAt": time.time()}

    def _task(self, arn: str) -> dict[str, Any]:
        if arn not in self.tasks:
            raise ServiceError(404, "ResourceNotFoundException", f"no quantum task {arn}")
        return self.tasks[arn]

    def get_quantum_task(self, arn: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        self.calls.append("GetQuantumTask")
        task = self._task(arn)
        if task["status"] == "CANCELLING":
            task |= {"status": "CANCELLED", "endedAt": time.time()}
        answer = {key: value for key, value in task.items() if key != "action"}
        if task["status"] == "QUEUED" and "QueueInfo" in query.get("additionalAttributeNames", []):
            answer["queueInfo"] = {"queue": "QUANTUM_TASKS_QUEUE", "position": "1", "queuePriority": "Normal"}
        return 200, answer

    def cancel_quantum_task(self, arn: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A task not yet ended is CANCELLING, then CANCELLED when next polled; one that ended cannot be. A retry
        under the same client token is answered as the first request was."""
        self.calls.append("CancelQuantumTask")
        _validate("CancelQuantumTask", {**body, "quantumTaskArn": arn})
        answer = {"quantumTaskArn": arn, "cancellationStatus": "CANCELLING"}
        with self.lock:
            task = self._task(arn)
            seen = self.cancel_tokens.get(body["clientToken"])
            if seen is not None:
                if seen != arn:
                    raise ServiceError(409, "ConflictException", "client token reused with a different request")
                return 200, answer
            if task["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
                raise ServiceError(409, "ConflictException", f"quantum task is {task['status']}")
            task["status"] = "CANCELLING"
            self.cancel_tokens[body["clientToken"]] = arn
        return 200, answer

    def search_quantum_tasks(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The filters the model documents (SearchQuantumTasksFilter.name): quantumTaskArn, deviceArn, jobArn and
        status with EQUAL (any of the values), createdAt with EQUAL, GT, GTE, LT, LTE (one value, RFC 3339) or
        BETWEEN (two); several filters all hold. Another name or operator is refused. Pages of ``maxResults``, or
        of ``task_page_size`` when the request names none."""
        self.calls.append("SearchQuantumTasks")
        _validate("SearchQuantumTasks", body)
        with self.lock:
            tasks = sorted(self.tasks.values(), key=lambda task: task["createdAt"])
        for condition in body.get("filters", []):
            name, operator, values = condition["name"], condition["operator"], condition["values"]
            if name in ("quantumTaskArn", "deviceArn", "jobArn", "status") and operator == "EQUAL":
                tasks = [task for task in tasks if task.get(name) in values]
            else:
                tasks = _created(tasks, condition)
        page, answer = _page(tasks, body, self.task_page_size)
        summary = ("quantumTaskArn", "status", "deviceArn", "shots", "outputS3Bucket", "outputS3Directory",
                   "createdAt", "endedAt", "tags")
        answer["quantumTasks"] = [{key: task[key] for key in summary if key in task} for task in page]
        return 200, answer

    # -- spending limits ------------------------------------------------------------------------------------

    def route_spending_limits(self, method: str, path: str, body: dict[str, Any],
                              handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, Any]] | None:
        """CreateSpendingLimit, SearchSpendingLimits, UpdateSpendingLimit and DeleteSpendingLimit, or None."""
        if method == "POST" and path == "/spending-limit":
            return self.create_spending_limit(body, handler)
        if method == "POST" and path == "/spending-limits":
            return self.search_spending_limits(body)
        update = re.fullmatch(r"/spending-limit/(.+)/update", path)
        if update and method == "PATCH":
            return self.update_spending_limit(update.group(1), body, handler)
        delete = re.fullmatch(r"/spending-limit/(.+)/delete", path)
        if delete and method == "DELETE":
            return self.delete_spending_limit(delete.group(1), handler)
        return None

    def set_spend(self, device: str, total: str, queued: str = "0") -> None:
        """What was spent and is queued on ``device`` in the period of each of its limits (decimal strings)."""
        with self.lock:
            for limit in self.limits.values():
                if limit["deviceArn"] == device:
                    limit |= {"totalSpend": total, "queuedSpend": queued}

    def _limit_fault(self, operation: str) -> str | None:
        """Raise the error of a queued fault; a fault that drops the connection is the caller's to carry out."""
        fault = self._fault(operation)
        if fault == "throttle":
            raise ServiceError(429, "ThrottlingException", "Rate exceeded")
        if fault == "error500":
            raise ServiceError(500, "InternalServiceException", "an internal error")
        if fault == "denied":
            raise ServiceError(403, "AccessDeniedException", f"User is not authorized to perform: braket:{operation}")
        return fault

    @staticmethod
    def _drop(handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, Any]]:
        handler.connection.shutdown(socket.SHUT_RDWR)
        return 0, {}

    def _limit_request(self, operation: str, body: dict[str, Any]) -> None:
        """The model's checks, and what botocore's validator leaves out: the amount's pattern, the period's order."""
        _validate(operation, body)
        members = _MODEL.operation_model(operation).input_shape.members
        amount = body.get("spendingLimit")
        if amount is not None and not re.fullmatch(members["spendingLimit"].metadata["pattern"], amount):
            raise ServiceError(400, "ValidationException", f"spendingLimit {amount!r} is invalid")
        period = body.get("timePeriod")
        if period is not None and float(period["endAt"]) <= float(period["startAt"]):
            raise ServiceError(400, "ValidationException", "timePeriod endAt must be after startAt")

    def _idempotent(self, operation: str, token: str, fingerprint: dict[str, Any]) -> str | None:
        """The limit an earlier request with this token made or changed; 409 if that request was another."""
        seen = self.limit_tokens.get((operation, token))
        if seen is None:
            return None
        if seen[0] != json.dumps(fingerprint, sort_keys=True):
            raise ServiceError(409, "ConflictException", "client token reused with a different request")
        return seen[1]

    def create_spending_limit(self, body: dict[str, Any],
                              handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, Any]]:
        self.calls.append("CreateSpendingLimit")
        fault = self._limit_fault("CreateSpendingLimit")
        if fault == "drop":
            return self._drop(handler)
        self._limit_request("CreateSpendingLimit", body)
        device = body["deviceArn"]
        if "device/quantum-simulator/" in device:
            raise ServiceError(400, "ValidationException", "Simulators do not support spending limits")
        if not re.fullmatch(r"arn:aws[a-z-]*:braket:[a-z0-9-]+::device/qpu/.+", device):
            raise ServiceError(400, "ValidationException", f"deviceArn {device!r} is not a QPU's ARN")
        fingerprint = {k: v for k, v in body.items() if k != "clientToken"}
        with self.lock:
            arn = self._idempotent("CreateSpendingLimit", body["clientToken"], fingerprint)
            if arn is None:
                arn = f"arn:aws:braket:{self.region}:{ACCOUNT}:spending-limit/{uuid.uuid4()}"
                now = time.time()
                period = body.get("timePeriod") or {"startAt": now, "endAt": OPEN_END}
                self.limits[arn] = {"spendingLimitArn": arn, "deviceArn": device,
                                    "spendingLimit": body["spendingLimit"], "timePeriod": period,
                                    "totalSpend": "0", "queuedSpend": "0",
                                    "createdAt": _iso(now), "updatedAt": _iso(now), "tags": body.get("tags", {})}
                self.limit_tokens[("CreateSpendingLimit", body["clientToken"])] = (
                    json.dumps(fingerprint, sort_keys=True), arn)
        if fault == "drop_after_create":  # done, but the answer is lost
            return self._drop(handler)
        return 201, {"spendingLimitArn": arn}

    def search_spending_limits(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.calls.append("SearchSpendingLimits")
        self._limit_fault("SearchSpendingLimits")
        _validate("SearchSpendingLimits", body)
        limits = sorted(self.limits.values(), key=lambda limit: limit["createdAt"])
        for condition in body.get("filters", []):
            if condition["name"] not in ("deviceArn", "spendingLimitArn"):
                raise ServiceError(400, "ValidationException", f"cannot filter on {condition['name']!r}")
            limits = [limit for limit in limits if limit[condition["name"]] in condition["values"]]
        page, answer = _page(limits, body, self.limit_page_size)
        answer["spendingLimits"] = [dict(limit) for limit in page]
        return 200, answer

    def _limit(self, arn: str) -> dict[str, Any]:
        if arn not in self.limits:
            raise ServiceError(404, "ResourceNotFoundException", f"no spending limit {arn}")
        return self.limits[arn]

    def update_spending_limit(self, arn: str, body: dict[str, Any],
                              handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, Any]]:
        self.calls.append("UpdateSpendingLimit")
        fault = self._limit_fault("UpdateSpendingLimit")
        if fault == "drop":
            return self._drop(handler)
        self._limit_request("UpdateSpendingLimit", {**body, "spendingLimitArn": arn})
        fingerprint = {**{k: v for k, v in body.items() if k != "clientToken"}, "spendingLimitArn": arn}
        with self.lock:
            if self._idempotent("UpdateSpendingLimit", body["clientToken"], fingerprint) is None:
                limit = self._limit(arn)
                limit |= {key: body[key] for key in ("spendingLimit", "timePeriod") if key in body}
                limit["updatedAt"] = _iso(time.time())
                self.limit_tokens[("UpdateSpendingLimit", body["clientToken"])] = (
                    json.dumps(fingerprint, sort_keys=True), arn)
        if fault == "drop_after_create":  # done, but the answer is lost
            return self._drop(handler)
        return 200, {}

    def delete_spending_limit(self, arn: str, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, Any]]:
        self.calls.append("DeleteSpendingLimit")
        fault = self._limit_fault("DeleteSpendingLimit")
        if fault == "drop":
            return self._drop(handler)
        _validate("DeleteSpendingLimit", {"spendingLimitArn": arn})
        with self.lock:
            self._limit(arn)
            del self.limits[arn]
        if fault == "drop_after_create":  # done, but the answer is lost
            return self._drop(handler)
        return 200, {}


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "EQUAL": lambda a, b: a == b, "GT": lambda a, b: a > b, "GTE": lambda a, b: a >= b,
    "LT": lambda a, b: a < b, "LTE": lambda a, b: a <= b}


def _created(items: list[dict[str, Any]], condition: dict[str, Any]) -> list[dict[str, Any]]:
    """The items a search filter on ``createdAt`` keeps: BETWEEN two RFC 3339 times, or EQUAL, GT, GTE, LT or LTE
    one. Another filter is refused, as an undocumented one may be by the service."""
    name, operator, values = condition["name"], condition["operator"], condition["values"]
    if name == "createdAt" and operator == "BETWEEN" and len(values) == 2:
        low, high = _epoch(values[0]), _epoch(values[1])
        return [item for item in items if low <= item["createdAt"] <= high]
    if name == "createdAt" and operator in _COMPARE and len(values) == 1:
        moment, test = _epoch(values[0]), _COMPARE[operator]
        return [item for item in items if test(item["createdAt"], moment)]
    raise ServiceError(400, "ValidationException", f"unsupported filter {name} {operator} {values}")


def _page(items: list[dict[str, Any]], body: dict[str, Any], size: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A search's page from ``nextToken`` on, of ``maxResults`` (default ``size``), and the answer's ``nextToken``
    when more follow."""
    start = int(body.get("nextToken") or 0)
    size = body.get("maxResults", size)
    return items[start:start + size], ({"nextToken": str(start + size)} if start + size < len(items) else {})


def _action_metadata(action: str) -> dict[str, Any]:
    """What GetQuantumTask says of a task's action: its type, and for a program set how many programs and
    executables (a program's every set of inputs) it holds."""
    try:
        document = json.loads(action)
        kind = document["braketSchemaHeader"]["name"]
    except (ValueError, KeyError, TypeError):
        raise ServiceError(400, "ValidationException", "action is no Braket program") from None
    if kind != PROGRAM_SET:
        return {"actionType": kind}
    programs = document.get("programs", [])
    executables = sum(max((len(values) for values in (program.get("inputs") or {}).values()
                           if isinstance(values, list)), default=1) for program in programs)
    return {"actionType": kind, "programCount": len(programs), "executableCount": executables}


@functools.cache
def _simulator(backend: str) -> Any:
    """The local simulator's class registered under ``backend`` (``braket_sv``, ``braket_dm``)."""
    from importlib.metadata import entry_points

    return entry_points(group="braket.simulators")[backend].load()


@functools.cache
def simulator_capabilities(name: str) -> str:
    """SV1's or DM1's ``deviceCapabilities``: the Braket SDK's local simulator's properties (the same schema,
    ``GateModelSimulatorDeviceCapabilities``) with the managed simulator's qubits and shots."""
    from braket.devices import LocalSimulator

    _, backend, qubits = SIMULATORS[name]
    capabilities = json.loads(LocalSimulator(backend).properties.json())
    capabilities["paradigm"]["qubitCount"] = qubits
    capabilities["service"]["shotsRange"] = [0, 100_000]
    return json.dumps(capabilities)


def price_list(region: str) -> str:
    """The part of Amazon Braket's price list (the AWS Price List bulk CSV: five lines of metadata, then the
    columns) that the SDK's Tracker reads for the managed simulators: a minute's price, in and outside jobs."""
    lines = ['"FormatVersion","v1.0"', '"Disclaimer","The loopback Braket\'s price list, for tests"',
             '"Publication Date","2024-01-01T00:00:00Z"', '"Version","20240101000000"', '"OfferCode","AmazonBraket"',
             '"SKU","TermType","Unit","PricePerUnit","Currency","Product Family","operation","Region Code","Version"']
    for device, price in SIMULATOR_PRICES.items():
        for family, operation in (("Simulator Task", "CompleteTask"),
                                  ("Braket Managed Jobs Simulator Task", "Managed-Jobs")):
            lines.append(f'"{device}-{operation}","OnDemand","minutes","{price}","USD","{family}","{operation}",'
                         f'"{region}","{device}"')
    return "\n".join(lines) + "\n"


OPEN_END = 253402300799
"""What the loopback service reports as the end of a limit created without a period (9999-12-31): the real
service's answer for one is not documented, and braketkit only shows what it is told."""


def _iso(epoch: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()


def _epoch(value: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(value).timestamp()
