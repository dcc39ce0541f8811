"""What every loopback server in the tests shares: a quiet, prompt handler and a background thread; and moto's
server (S3, STS, IAM, Logs) made as prompt."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()  # replies go out at once, not after a 40 ms delayed-ACK stall
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up (a test dropping a connection, or done waiting) is no error to print: its
        traceback would land in whatever test captures stderr next. Anything else is printed as usual."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]  # typeshed: a socket


class LoopbackServer:
    """A threading HTTP server on 127.0.0.1 and a free port, serving until ``close``."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = _Server(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class MotoServer:
    """moto's server (S3, STS, IAM, Logs) on 127.0.0.1 and a free port, serving until ``close``.

    Unlike moto's ThreadedMotoServer, its replies go out with TCP_NODELAY, as the other loopback servers' do:
    werkzeug writes the headers and the body apart. No stall was measured without it (werkzeug closes every
    connection after one answer, and a new connection's ACKs are not delayed: benchmarks/loopback_requests.py),
    but one would hide in every benchmark the day keep-alive came in. ``latency`` seconds are added before
    every answer (benchmarks: a real network)."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        self.latency = 0.0
        """Seconds added before every answer, to stand for a real network and service (benchmarks)."""
        self.services: list[str] = []
        """The service each request was signed for (``s3``, ``sts``, ``iam``, ``logs``...), in order of arrival."""
        moto = DomainDispatcherApplication(create_backend_app)

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            scope = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
            self.services.append(scope.group(1) if scope else "unsigned")
            time.sleep(self.latency)
            return moto(environ, start_response)  # type: ignore[no-any-return]

        class Handler(MotoRequestHandler):
            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_request(self, *args: object) -> None:
                pass

        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
