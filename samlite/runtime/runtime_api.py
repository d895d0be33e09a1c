"""The Lambda Runtime API (2018-06-01) that execution environments poll. HTTP only: every
request is mapped to one call on the environment's RuntimeBackend (the service's side).

Each environment gets its own listening socket on 127.0.0.1, so it can only ever see its
own function's invocations; one selector thread accepts for all of them, and each
connection is served by its own thread (a runtime keeps one connection open and blocks in
/next). Nagle is off on every connection: with it, a warm invoke costs ~40-88 ms more.
Paths, headers and status codes follow the "Using the Lambda runtime API for custom
runtimes" page and its OpenAPI spec.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import selectors
import socket
import threading
from dataclasses import dataclass
from enum import Enum
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol

from samlite.runtime.invocation import Invocation

log = logging.getLogger(__name__)

PREFIX = "/2018-06-01/runtime"
NEXT_PATH = f"{PREFIX}/invocation/next"
INIT_ERROR_PATH = f"{PREFIX}/init/error"
_INVOCATION_POST = re.compile(rf"^{PREFIX}/invocation/(?P<id>[^/]+)/(?P<what>response|error)$")
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
MAX_BODY_READ = 12 * 1024 * 1024   # read (and refuse) bodies past the limit up to this size


@dataclass(frozen=True, slots=True)
class NextInvocation:
    invocation: Invocation
    deadline_ms: int


class PostOutcome(Enum):
    ACCEPTED = 202
    UNKNOWN_REQUEST = 400
    TOO_LARGE = 413


class RuntimeBackend(Protocol):
    """The service's side of one environment's Runtime API."""

    def next_invocation(self) -> NextInvocation | None:
        """Block until there is work; None when the environment is being shut down."""
        ...

    def post_response(self, request_id: str, body: bytes) -> PostOutcome: ...

    def post_error(self, request_id: str, body: bytes, error_type: str | None) -> PostOutcome: ...

    def post_init_error(self, body: bytes, error_type: str | None) -> None: ...


class RuntimeApiHub:
    """Listening sockets for many environments' Runtime APIs, served by one accept thread."""

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        self._host = host
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._listeners: dict[str, socket.socket] = {}
        self._waker_r, self._waker_w = socket.socketpair()
        self._selector.register(self._waker_r, selectors.EVENT_READ, None)
        self._running = True
        self._thread = threading.Thread(target=self._accept_loop, name="runtime-api",
                                        daemon=True)
        self._thread.start()

    def open(self, backend: RuntimeBackend) -> str:
        """A new Runtime API endpoint for one environment; returns its host:port."""
        listener = socket.create_server((self._host, 0), backlog=16)
        listener.setblocking(False)
        address = f"{self._host}:{listener.getsockname()[1]}"
        with self._lock:
            self._listeners[address] = listener
            self._selector.register(listener, selectors.EVENT_READ, backend)
        self._wake()
        return address

    def close(self, address: str) -> None:
        with self._lock:
            listener = self._listeners.pop(address, None)
            if listener is not None:
                self._selector.unregister(listener)
                listener.close()

    def stop(self) -> None:
        self._running = False
        self._wake()
        self._thread.join(timeout=2)
        with self._lock:
            for listener in self._listeners.values():
                listener.close()
            self._listeners.clear()
        self._waker_r.close()
        self._waker_w.close()
        self._selector.close()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):   # already stopped
            self._waker_w.send(b"x")

    def _accept_loop(self) -> None:
        while self._running:
            for key, _ in self._selector.select(timeout=1.0):
                if key.data is None:
                    self._waker_r.recv(512)
                    continue
                try:
                    conn, peer = key.fileobj.accept()  # type: ignore[union-attr]
                except (BlockingIOError, OSError):
                    continue
                conn.setblocking(True)
                threading.Thread(target=_serve, args=(conn, peer, key.data),
                                 name="runtime-api-conn", daemon=True).start()


class _BackendHolder:
    """What BaseHTTPRequestHandler calls its server: here, just the backend."""

    def __init__(self, backend: RuntimeBackend) -> None:
        self.backend = backend


def _serve(conn: socket.socket, peer: Any, backend: RuntimeBackend) -> None:
    try:
        _RuntimeApiHandler(conn, peer, _BackendHolder(backend))
    except (ConnectionError, OSError):
        pass   # the runtime went away; the service learns that from its process
    finally:
        conn.close()


class _RuntimeApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _BackendHolder  # type: ignore[assignment]

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("runtime api: " + format, *args)

    def do_GET(self) -> None:
        if self.path != NEXT_PATH:
            self._json(404, {"errorMessage": f"no route {self.path}", "errorType": "NotFound"})
            return
        upcoming = self.server.backend.next_invocation()
        if upcoming is None:   # shutting down: hang up, as Lambda freezes and ends the sandbox
            self.close_connection = True
            return
        invocation = upcoming.invocation
        headers = {
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(upcoming.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": invocation.invoked_function_arn,
            "Lambda-Runtime-Trace-Id": invocation.trace_id,
        }
        if invocation.client_context:
            headers["Lambda-Runtime-Client-Context"] = invocation.client_context
        if invocation.cognito_identity:
            headers["Lambda-Runtime-Cognito-Identity"] = invocation.cognito_identity
        self._send(200, invocation.payload, headers)

    def do_POST(self) -> None:
        body = self._body()
        if body is None:
            self._json(413, {"errorMessage": "Payload too large",
                             "errorType": "RequestEntityTooLarge"})
            return
        backend = self.server.backend
        error_type = self.headers.get(ERROR_TYPE_HEADER)
        if self.path == INIT_ERROR_PATH:
            backend.post_init_error(body, error_type)
            self._json(202, {"status": "OK"})
            return
        match = _INVOCATION_POST.match(self.path)
        if not match:
            self._json(404, {"errorMessage": f"no route {self.path}", "errorType": "NotFound"})
            return
        request_id = match["id"]
        if match["what"] == "response":
            outcome = backend.post_response(request_id, body)
        else:
            outcome = backend.post_error(request_id, body, error_type)
        if outcome is PostOutcome.ACCEPTED:
            self._json(202, {"status": "OK"})
        elif outcome is PostOutcome.TOO_LARGE:
            self._json(413, {"errorMessage": "Response payload too large",
                             "errorType": "RequestEntityTooLarge"})
        else:
            self._json(400, {"errorMessage": f"Invalid request ID: {request_id}",
                             "errorType": "InvalidRequestID"})

    def _body(self) -> bytes | None:
        """The request body; None (after draining it) when it is absurdly large."""
        length = int(self.headers.get("Content-Length") or 0)
        if length <= MAX_BODY_READ:
            return self.rfile.read(length)
        remaining = length
        while remaining > 0:
            remaining -= len(self.rfile.read(min(remaining, 1 << 20)) or b"\0" * remaining)
        return None

    def _json(self, status: int, document: dict[str, Any]) -> None:
        self._send(status, json.dumps(document).encode(), {})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response_only(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
