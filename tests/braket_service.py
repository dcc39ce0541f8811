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
S3 (moto), run as Braket's container would (tests/container.py), the results
folder is tarred to <s3Path>/output/model.tar.gz and the output goes to
CloudWatch Logs. Faults can be queued per operation.
"""

from __future__ import annotations

import collections
import contextlib
import io
import json
import re
import socket
import tarfile
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import boto3
import botocore.session
from botocore.validate import ParamValidator

from .container import run_in_container
from .loopback import LoopbackServer, QuietHandler

ACCOUNT = "123456789012"
RETRYABLE_FAULTS = ("throttle", "error500", "drop", "drop_after_create", "slow_after_create")
_MODEL = botocore.session.get_session().get_service_model("braket")


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
        self.lock = threading.Lock()
        service = self

        class Handler(QuietHandler):

            def _answer(self) -> None:
                time.sleep(service.latency)
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

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        self.loopback = LoopbackServer(Handler)
        self.url = self.loopback.url

    def close(self) -> None:
        self.loopback.close()

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
        if job["status"] == "QUEUED" and polls >= 2:
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
        self.calls.append("GetDevice")
        name = arn.rsplit("/", 1)[-1]
        simulator = "quantum-simulator" in arn
        return 200, {"deviceArn": arn, "deviceName": name, "providerName": "Amazon Braket" if simulator else "QPU",
                     "deviceType": "SIMULATOR" if simulator else "QPU",
                     "deviceStatus": "OFFLINE" if arn in self.offline_devices else "ONLINE",
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
        compare = {"EQUAL": lambda a, b: a == b, "GT": lambda a, b: a > b, "GTE": lambda a, b: a >= b,
                   "LT": lambda a, b: a < b, "LTE": lambda a, b: a <= b}
        for condition in conditions:
            name, operator, values = condition["name"], condition["operator"], condition["values"]
            if name == "jobArn" and operator == "EQUAL" and len(conditions) == 1:
                jobs = [job for job in jobs if job["jobArn"] == values[0]]
            elif name == "jobName" and operator in ("EQUAL", "CONTAINS"):
                jobs = [job for job in jobs if (job["jobName"] == values[0] if operator == "EQUAL"
                                                else values[0] in job["jobName"])]
            elif name == "deviceArn" and operator == "EQUAL":
                jobs = [job for job in jobs if job["deviceConfig"]["device"] == values[0]]
            elif name == "createdAt" and operator == "BETWEEN" and len(values) == 2:
                low, high = _epoch(values[0]), _epoch(values[1])
                jobs = [job for job in jobs if low <= job["createdAt"] <= high]
            elif name == "createdAt" and operator in compare and len(values) == 1:
                moment, test = _epoch(values[0]), compare[operator]
                jobs = [job for job in jobs if test(job["createdAt"], moment)]
            else:
                raise ServiceError(400, "ValidationException", f"unsupported filter {name} {operator} {values}")
        start = int(body.get("nextToken") or 0)
        size = body.get("maxResults", 3)  # small pages, so that clients must paginate
        page = jobs[start:start + size]
        answer: dict[str, Any] = {"jobs": [{"jobArn": job["jobArn"], "jobName": job["jobName"],
                                            "status": job["status"], "device": job["deviceConfig"]["device"],
                                            "createdAt": job["createdAt"],
                                            **{key: job[key] for key in ("startedAt", "endedAt", "tags") if key in job}}
                                           for job in page]}
        if start + size < len(jobs):
            answer["nextToken"] = str(start + size)
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
                in_bucket, _, prefix = channel["dataSource"]["s3DataSource"]["s3Uri"][5:].partition("/")
                for item in s3.list_objects_v2(Bucket=in_bucket, Prefix=prefix).get("Contents", []):
                    relative = item["Key"][len(prefix):].lstrip("/") or item["Key"].rpartition("/")[2]  # one file
                    local = root / "inputs" / channel["channelName"] / relative
                    local.parent.mkdir(parents=True, exist_ok=True)
                    s3.download_file(in_bucket, item["Key"], str(local))
            run = run_in_container([self.python or "python3"], job, root / "source.tar.gz", root / "container",
                                   inputs=root / "inputs")
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
        start = int(body.get("nextToken") or 0)
        size = body.get("maxResults", self.limit_page_size)
        answer: dict[str, Any] = {"spendingLimits": [dict(limit) for limit in limits[start:start + size]]}
        if start + size < len(limits):
            answer["nextToken"] = str(start + size)
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


OPEN_END = 253402300799
"""What the loopback service reports as the end of a limit created without a period (9999-12-31): the real
service's answer for one is not documented, and braketkit only shows what it is told."""


def _iso(epoch: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()


def _epoch(value: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(value).timestamp()
