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


_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 404: "Not Found",
            413: "Request Entity Too Large", 500: "Internal Server Error"}
_MAX_HEADER_LINES = 100


class _BadRequest(Exception):
    pass


def _serve(conn: socket.socket, peer: Any, backend: RuntimeBackend) -> None:
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        _Connection(conn, backend).serve()
    except (ConnectionError, OSError, _BadRequest):
        pass   # the runtime went away; the service learns that from its process
    finally:
        conn.close()


class _Connection:
    """One runtime's keep-alive connection. The Runtime API is a handful of fixed requests
    from runtime clients, so requests are read directly (request line, headers,
    Content-Length or chunked body, `Expect: 100-continue`) rather than through
    http.server, whose email-based header parsing was the largest cost of a warm invoke."""

    def __init__(self, conn: socket.socket, backend: RuntimeBackend) -> None:
        self.conn = conn
        self.reader = conn.makefile("rb")
        self.backend = backend

    def serve(self) -> None:
        while True:
            line = self.reader.readline(65537)
            if not line:
                return
            if line in (b"\r\n", b"\n"):
                continue   # tolerated between requests, as http.server does
            parts = line.decode("latin-1").split()
            if len(parts) != 3:
                raise _BadRequest(line)
            method, path, version = parts
            headers = self._headers()
            keep_alive = headers.get("connection", "").lower() != "close" and \
                version == "HTTP/1.1"
            if headers.get("expect", "").lower() == "100-continue":
                self.conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            body = self._body(headers)
            if not self._dispatch(method, path.split("?", 1)[0], headers, body) \
                    or not keep_alive:
                return

    def _headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for _ in range(_MAX_HEADER_LINES):
            line = self.reader.readline(65537)
            if line in (b"\r\n", b"\n", b""):
                return headers
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        raise _BadRequest("too many header lines")

    def _body(self, headers: dict[str, str]) -> bytes | None:
        """The body; None (after reading it) when it is past MAX_BODY_READ."""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            chunks, size = [], 0
            while True:
                length = int(self.reader.readline(1024).split(b";")[0].strip() or b"0", 16)
                if length == 0:
                    while self.reader.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass   # trailers
                    break
                chunk = self.reader.read(length)
                self.reader.readline(8)
                size += len(chunk)
                if size <= MAX_BODY_READ:
                    chunks.append(chunk)
            return b"".join(chunks) if size <= MAX_BODY_READ else None
        length = int(headers.get("content-length") or 0)
        if length <= MAX_BODY_READ:
            return self.reader.read(length) if length else b""
        while length > 0:
            length -= len(self.reader.read(min(length, 1 << 20)) or b"\0" * length)
        return None

    def _dispatch(self, method: str, path: str, headers: dict[str, str],
                  body: bytes | None) -> bool:
        """Answer one request; False when the connection should end."""
        backend = self.backend
        if method == "GET" and path == NEXT_PATH:
            upcoming = backend.next_invocation()
            if upcoming is None:   # shutting down: hang up, as Lambda ends the sandbox
                return False
            invocation = upcoming.invocation
            extra = [("Lambda-Runtime-Aws-Request-Id", invocation.request_id),
                     ("Lambda-Runtime-Deadline-Ms", str(upcoming.deadline_ms)),
                     ("Lambda-Runtime-Invoked-Function-Arn", invocation.invoked_function_arn),
                     ("Lambda-Runtime-Trace-Id", invocation.trace_id)]
            if invocation.client_context:
                extra.append(("Lambda-Runtime-Client-Context", invocation.client_context))
            if invocation.cognito_identity:
                extra.append(("Lambda-Runtime-Cognito-Identity", invocation.cognito_identity))
            self._send(200, invocation.payload, extra)
            return True
        if method != "POST":
            self._json(404, {"errorMessage": f"no route {method} {path}",
                             "errorType": "NotFound"})
            return True
        if body is None:
            self._json(413, {"errorMessage": "Payload too large",
                             "errorType": "RequestEntityTooLarge"})
            return True
        error_type = headers.get(ERROR_TYPE_HEADER.lower())
        if path == INIT_ERROR_PATH:
            backend.post_init_error(body, error_type)
            self._json(202, {"status": "OK"})
            return True
        match = _INVOCATION_POST.match(path)
        if not match:
            self._json(404, {"errorMessage": f"no route {method} {path}",
                             "errorType": "NotFound"})
            return True
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
        return True

    def _json(self, status: int, document: dict[str, Any]) -> None:
        self._send(status, json.dumps(document).encode(), ())

    def _send(self, status: int, body: bytes, headers: Any) -> None:
        head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}",
                "Content-Type: application/json", f"Content-Length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in headers]
        self.conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
