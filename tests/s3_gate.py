"""A loopback gate in front of moto's S3: records every request, enforces bucket owners, injects faults.

moto ignores the x-amz-expected-bucket-owner header; real S3 answers 403 when
the bucket belongs to another account. The gate does what S3 does, so the
refusal of someone else's bucket can be tested, and it keeps a record of every
request for the check that each one names the expected owner.

moto (5.2) also stores whatever x-amz-checksum-sha256 a PutObject or UploadPart
names without computing it (tests/test_upload_checksum.py holds it to that);
real S3 refuses a body whose SHA-256 is not the one named, with 400 BadDigest.
The gate does that too, and can spoil a body on its way (``corrupt``), as a
network or a changed file would.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlparse

import attrs

from .loopback import LoopbackServer, QuietHandler

CALLER = "123456789012"


@attrs.define
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    expected_owner: str | None
    headers: dict[str, str]


Fault = Callable[[Seen], int | None]
"""Given a request, an HTTP status to answer with instead of forwarding it, or None."""


class S3Gate:
    def __init__(self, upstream: str) -> None:
        self.seen: list[Seen] = []
        self.owners: dict[str, str] = {}
        self.faults: list[Fault] = []
        self.corrupt: list[Callable[[Seen], bool]] = []
        """Given a request, whether to flip the first byte of its body before S3 (the gate, then moto) sees it."""
        self.latency = 0.0
        """Seconds added before every answer, to stand for a real network and service (benchmarks)."""
        target = urlparse(upstream)
        gate = self

        class Handler(QuietHandler):

            def _body(self) -> bytes:
                if "chunked" in self.headers.get("Transfer-Encoding", ""):
                    data = b""
                    while (size := int(self.rfile.readline().strip().split(b";")[0], 16)) > 0:
                        data += self.rfile.read(size)
                        self.rfile.readline()
                    while self.rfile.readline().strip():
                        pass
                    return data
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _reply(self, status: int, code: str, message: str | None = None) -> None:
                body = b"" if self.command == "HEAD" else (
                    f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code>"
                    f"<Message>{message or code}</Message></Error>").encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _forward(self) -> None:
                time.sleep(gate.latency)
                url = urlparse(self.path)
                body = self._body()
                seen = Seen(self.command, url.path, parse_qs(url.query, keep_blank_values=True),
                            self.headers.get("x-amz-expected-bucket-owner"), dict(self.headers))
                gate.seen.append(seen)
                bucket = url.path.strip("/").split("/")[0]
                owner = gate.owners.get(bucket, CALLER)
                if seen.expected_owner is not None and seen.expected_owner != owner:
                    return self._reply(403, "AccessDenied")
                for fault in gate.faults:
                    if (status := fault(seen)) is not None:
                        return self._reply(status, "InternalError")
                if body and any(spoil(seen) for spoil in gate.corrupt):
                    body = bytes([body[0] ^ 0xFF]) + body[1:]
                named = self.headers.get("x-amz-checksum-sha256")
                plain = "aws-chunked" not in self.headers.get("Content-Encoding", "")  # a trailer: not checked here
                if self.command == "PUT" and named and plain and \
                        base64.b64encode(hashlib.sha256(body).digest()).decode() != named:
                    return self._reply(400, "BadDigest", "The SHA256 you specified did not match the calculated "
                                                         "checksum.")
                connection = http.client.HTTPConnection(str(target.hostname), target.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("transfer-encoding",)}
                headers["Content-Length"] = str(len(body))
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length", "date", "server"):
                        self.send_header(key, value)
                length = response.getheader("Content-Length", "0") if self.command == "HEAD" else str(len(data))
                self.send_header("Content-Length", length)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                connection.close()

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward

        self.loopback = LoopbackServer(Handler)
        self.url = self.loopback.url

    def close(self) -> None:
        self.loopback.close()
