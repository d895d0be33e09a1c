"""The Lambda Runtime API (2018-06-01) that execution environments poll. HTTP only: every
request is mapped to one call on the environment's RuntimeBackend (the service's side).

Each environment gets its own listening socket on 127.0.0.1, so it can only ever see its
own function's invocations; one selector thread accepts for all of them, and each
connection is served by its own thread (a runtime keeps one connection open and blocks in
/next). Nagle is off on every connection: with it, a warm invoke costs ~40-88 ms more.
Paths, headers and status codes follow the "Using the Lambda runtime API for custom
runtimes" page and its OpenAPI spec; refusals use its ErrorResponse shape.

The direct hand-off: a /next that finds no work is parked with the backend, and the thread
that has the next invocation (the invoker's) writes it to that connection and reads the
runtime's answer there itself, so a warm invoke wakes no Runtime API thread. The runtime
loops pipeline their answer and the next /next, so the invoker finds that /next already
read and parks it again; other clients' /next is read by the connection's thread.

Only the environment's own runtime is served: on Linux the connecting socket must belong to
samlite's own user (peer.py), and an environment that runs samlite's runtime loop must also
send its secret token (TOKEN_HEADER). Images' runtime clients cannot send one: they turn
AWS_LAMBDA_RUNTIME_API into `host:port` only (awslambdaric's lambda_runtime_client.py hands
it to http.client.HTTPConnection, which takes no path), so for them the port and the owner
check are the guard. One /next at a time per environment. A streamed /response (the
response mode header set) is read chunk by chunk and handed on as it arrives.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import os
import re
import selectors
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from samlite.runtime import peer
from samlite.runtime.invocation import Invocation
from samlite.runtime.response_stream import (
    DEFAULT_CONTENT_TYPE,
    RESPONSE_MODE_HEADER,
    STREAMING_MODE,
    ResponseStream,
)
from samlite.runtime.socket_reader import SocketReader

log = logging.getLogger(__name__)

PREFIX = "/2018-06-01/runtime"
NEXT_PATH = f"{PREFIX}/invocation/next"
INIT_ERROR_PATH = f"{PREFIX}/init/error"
_INVOCATION_POST = re.compile(rf"^{PREFIX}/invocation/(?P<id>[^/]+)/(?P<what>response|error)$")
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
# samlite's own: python_loop.py sends its environment's token in it on every request.
TOKEN_HEADER = "X-Samlite-Runtime-Token"  # noqa: S105 - a name, not the secret
MAX_BODY_READ = 12 * 1024 * 1024   # read (and refuse) bodies past the limit up to this size
LISTEN_BACKLOG = 1024              # socketserver's default of 5 drops connects under load
POLL_SLICE_S = 1.0                 # how often a waiting /next checks its client is still there

PeerCheck = Callable[[socket.socket], bool]


@dataclass(frozen=True, slots=True)
class NextInvocation:
    invocation: Invocation
    deadline_ms: int


class NoWork(Enum):
    NOT_YET = "not yet"      # nothing arrived within wait_s; ask again
    SHUTDOWN = "shutdown"    # the environment is being stopped: hang up


class PostOutcome(Enum):
    ACCEPTED = 202
    UNKNOWN_REQUEST = 400
    TOO_LARGE = 413


class RuntimeBackend(Protocol):
    """The service's side of one environment's Runtime API."""

    def next_invocation(self, *, wait_s: float,
                        poller_gone: Callable[[], bool]) -> NextInvocation | NoWork:
        """Wait up to `wait_s` for work. Once it has work, and before handing it over, it
        asks `poller_gone()`; when the poller has gone it keeps the work for the next one."""
        ...

    def post_response(self, request_id: str, body: bytes) -> PostOutcome: ...

    def post_error(self, request_id: str, body: bytes, error_type: str | None) -> PostOutcome: ...

    def post_init_error(self, body: bytes, error_type: str | None) -> None: ...

    def open_response_stream(self, request_id: str,
                             content_type: str) -> ResponseStream | None:
        """Where a streamed response's chunks go; None for a request id not in progress."""
        ...

    # A backend may also take /next connections for the direct hand-off: `park(poller)`
    # keeps the poller (True) or declines (False: the connection waits in next_invocation);
    # `unpark(poller)` takes back a parked poller whose runtime hung up, True if nobody had
    # taken it. Backends without them (tests' scripted ones) are served the classic way.


class DirectPoller(Protocol):
    """A runtime's /next, parked for the direct hand-off (a Runtime API connection). The
    backend that parked it gives it to one invoker, which calls `deliver`, then `serve_next`
    until the outcome is in, then `release`; or `resume_polling` / `close` instead."""

    def is_gone(self) -> bool: ...

    def deliver(self, upcoming: NextInvocation) -> None: ...

    def serve_next(self, *, wait_s: float, deadline_s: float) -> bool: ...

    def release(self) -> None: ...

    def resume_polling(self) -> None: ...

    def read_on(self) -> None: ...

    def close(self) -> None: ...


class RuntimeApis(Protocol):
    """What the service needs of a Runtime API server (RuntimeApiHub; a fake in tests)."""

    def open(self, backend: RuntimeBackend) -> str:
        """A new endpoint serving `backend`; its host:port."""
        ...

    def require_token(self, address: str, token: str) -> None: ...

    def close(self, address: str) -> None: ...

    def stop(self) -> None: ...


def own_user_only(conn: socket.socket) -> bool:
    """On Linux, whether the connecting socket is samlite's own user's; elsewhere True (the
    token still guards samlite's runtime loop)."""
    if not peer.tables_readable():
        return True
    try:
        owner = peer.socket_owner(conn.getpeername(), conn.getsockname())
    except OSError:
        return False
    return owner == os.geteuid()


@dataclass(eq=False, slots=True)
class _Endpoint:
    """One environment's Runtime API: its backend, its token, and who is polling."""

    backend: RuntimeBackend
    token: str | None = None
    poller: _Connection | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def claim_poll(self, connection: _Connection) -> bool:
        with self.lock:
            if self.poller is not None and self.poller is not connection \
                    and not self.poller.peer_closed():
                return False
            self.poller = connection
            return True

    def release_poll(self, connection: _Connection) -> None:
        with self.lock:
            if self.poller is connection:
                self.poller = None


class RuntimeApiHub:
    """Listening sockets for many environments' Runtime APIs, served by one accept thread."""

    def __init__(self, *, host: str = "127.0.0.1", peer_check: PeerCheck = own_user_only,
                 poll_slice_s: float = POLL_SLICE_S) -> None:
        self._host = host
        self._peer_check = peer_check
        self._poll_slice_s = poll_slice_s
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._listeners: dict[str, tuple[socket.socket, _Endpoint]] = {}
        self._waker_r, self._waker_w = socket.socketpair()
        self._selector.register(self._waker_r, selectors.EVENT_READ, None)
        self._running = True
        self._thread = threading.Thread(target=self._accept_loop, name="runtime-api",
                                        daemon=True)
        self._thread.start()

    def open(self, backend: RuntimeBackend) -> str:
        """A new Runtime API endpoint for one environment; returns its host:port."""
        listener = socket.create_server((self._host, 0), backlog=LISTEN_BACKLOG)
        listener.setblocking(False)
        address = f"{self._host}:{listener.getsockname()[1]}"
        endpoint = _Endpoint(backend)
        with self._lock:
            self._listeners[address] = (listener, endpoint)
            self._selector.register(listener, selectors.EVENT_READ, endpoint)
        self._wake()
        return address

    def require_token(self, address: str, token: str) -> None:
        """From now on, requests to `address` must carry TOKEN_HEADER: token."""
        with self._lock:
            entry = self._listeners.get(address)
        if entry is not None:
            entry[1].token = token

    def close(self, address: str) -> None:
        with self._lock:
            entry = self._listeners.pop(address, None)
            if entry is not None:
                self._selector.unregister(entry[0])
                entry[0].close()

    def stop(self) -> None:
        self._running = False
        self._wake()
        self._thread.join(timeout=2)
        with self._lock:
            for listener, _ in self._listeners.values():
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
                    conn, _peer = key.fileobj.accept()  # type: ignore[union-attr]
                except (BlockingIOError, OSError):
                    continue
                conn.setblocking(True)
                threading.Thread(target=self._serve, args=(conn, key.data),
                                 name="runtime-api-conn", daemon=True).start()

    def _serve(self, conn: socket.socket, endpoint: _Endpoint) -> None:
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = _Connection(conn, endpoint, poll_slice_s=self._poll_slice_s)
            if not self._peer_check(conn):
                connection.refuse_stranger()
                return
            connection.serve()
        except (ConnectionError, OSError):
            pass   # the runtime went away; the service learns that from its process
        except Exception as exc:   # a bug of ours: one line, not a traceback on the terminal
            log.warning("Runtime API: dropped a connection after an unexpected %r", exc)
            log.debug("Runtime API failure", exc_info=True)
        finally:
            conn.close()


_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 403: "Forbidden",
            404: "Not Found", 413: "Request Entity Too Large", 500: "Internal Server Error"}
_MAX_HEADER_LINES = 100
_MAX_LINE = 65536
_RESPONSE_MODE = RESPONSE_MODE_HEADER.lower()
_PIECE_BYTES = 1 << 20


_NEXT_REQUEST_LINE = f"GET {NEXT_PATH} ".encode("latin-1")
_ACCEPTED = (b'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n'
             b'Content-Length: 16\r\n\r\n{"status": "OK"}')
_CLOSE = object()   # what a lent connection's thread is told when the connection is over


class _Step(Enum):
    """What a connection does after answering a request."""

    ON = "read the next request"
    END = "close"
    PARKED = "parked for the direct hand-off"


@dataclass(frozen=True, slots=True)
class _Request:
    method: str
    path: str                  # without the query
    headers: dict[str, str]    # names in lower case
    keep_alive: bool


class _BadRequest(Exception):
    """The request cannot be read; it is answered 400 and the connection ends."""


class _Gone(Exception):
    """The client went away before its request had fully arrived: nothing runs."""


class _Connection:
    """One runtime's keep-alive connection. The Runtime API is a handful of fixed requests
    from runtime clients, so requests are read directly (request line, headers,
    Content-Length or chunked body, `Expect: 100-continue`) rather than through
    http.server, whose email-based header parsing was the largest cost of a warm invoke."""

    def __init__(self, conn: socket.socket, endpoint: _Endpoint, *,
                 poll_slice_s: float = POLL_SLICE_S) -> None:
        self.conn = conn
        self.reader = SocketReader(conn)
        self.endpoint = endpoint
        self.backend = endpoint.backend
        self.poll_slice_s = poll_slice_s
        self._back = threading.Event()           # set when a lent connection comes back
        self._returned: _Request | object | None = None
        self._parked_request: _Request | None = None
        self._lent = False                       # an invoker's thread is serving it
        self._owed = b""                         # a 202 that goes out with the next answer
        self._timeout_us = 0                     # SO_RCVTIMEO now

    def serve(self) -> None:
        try:
            self._serve_requests()
        except _BadRequest as exc:
            self._bad_request(exc)
        except _Gone:
            pass

    def _bad_request(self, exc: _BadRequest) -> None:
        self._json(400, {"errorMessage": f"Bad request: {exc}",
                         "errorType": "InvalidRequestFormat"}, close=True)

    def _serve_requests(self) -> None:
        pending: _Request | None = None
        while True:
            request = pending or self._read_request()
            pending = None
            if request is None:
                return
            step = self._answer(request)
            if step is _Step.PARKED:
                back = self._wait_while_parked()
                if back is _CLOSE:
                    return
                pending = back if isinstance(back, _Request) else None
            elif step is _Step.END:
                return

    def _read_request(self) -> _Request | None:
        """The next request's line and headers; None when the client has closed."""
        line = self.reader.readline(_MAX_LINE + 1)
        while line in (b"\r\n", b"\n"):   # tolerated between requests, as http.server does
            line = self.reader.readline(_MAX_LINE + 1)
        if not line:
            return None
        if not line.endswith(b"\n"):
            raise (_BadRequest("request line too long") if len(line) > _MAX_LINE
                   else _Gone())
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            raise _BadRequest("the request line is not `METHOD PATH HTTP/1.x`")
        method, path, version = parts
        headers = self._headers()
        keep_alive = headers.get("connection", "").lower() != "close" and \
            version == "HTTP/1.1"
        return _Request(method, path.split("?", 1)[0], headers, keep_alive)

    def _answer(self, request: _Request) -> _Step:
        headers = request.headers
        if not self._authorized(headers):
            self._json(403, {"errorMessage": "Missing or wrong runtime token",
                             "errorType": "Forbidden"}, close=True)
            return _Step.END
        if headers.get("expect", "").lower() == "100-continue":
            self.conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        if headers.get(_RESPONSE_MODE) == STREAMING_MODE and request.method == "POST":
            self._streamed_response(request.path, headers)
            return _Step.ON if request.keep_alive else _Step.END
        body = self._body(headers)
        step = self._dispatch(request, body)
        return _Step.END if step is _Step.ON and not request.keep_alive else step

    def refuse_stranger(self) -> None:
        # Lambda's Runtime API is reachable only inside its sandbox, so it has no word for
        # this; the shape is the OpenAPI spec's ErrorResponse, the status its 403.
        self._json(403, {"errorMessage": "This Runtime API serves only its own execution "
                         "environment", "errorType": "Forbidden"}, close=True)

    def peer_closed(self) -> bool:
        """Whether the client has hung up (a poller that closed while waiting for work)."""
        try:
            return self.conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def _authorized(self, headers: dict[str, str]) -> bool:
        token = self.endpoint.token
        if token is None:
            return True
        sent = headers.get(TOKEN_HEADER.lower(), "")
        return hmac.compare_digest(sent.encode("latin-1"), token.encode("latin-1"))

    def _headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for _ in range(_MAX_HEADER_LINES):
            line = self.reader.readline(_MAX_LINE + 1)
            if line in (b"\r\n", b"\n"):
                return headers
            if not line.endswith(b"\n"):
                raise (_BadRequest("header line too long") if len(line) > _MAX_LINE
                       else _Gone())
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon or not name.strip():
                raise _BadRequest("a header line without a name and a colon")
            headers[name.strip().lower()] = value.strip()
        raise _BadRequest("too many header lines")

    def _body(self, headers: dict[str, str]) -> bytes | None:
        """The whole body; None (after reading it) when it is past MAX_BODY_READ. Raises
        _Gone when it ends early: a half-sent response must not count."""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._chunked_body()
        length = _content_length(headers.get("content-length"))
        if length <= MAX_BODY_READ:
            return self._read_exactly(length)
        self._discard(length)
        return None

    def _chunked_body(self) -> bytes | None:
        chunks, size = [], 0
        while True:
            line = self.reader.readline(1024)
            if not line.endswith(b"\n"):
                raise _Gone() if len(line) < 1024 else _BadRequest("chunk size line too long")
            length = _chunk_size(line)
            if length == 0:
                for _ in range(_MAX_HEADER_LINES):   # trailers
                    trailer = self.reader.readline(_MAX_LINE + 1)
                    if trailer in (b"\r\n", b"\n"):
                        break
                    if not trailer.endswith(b"\n"):
                        raise _Gone()
                else:
                    raise _BadRequest("too many trailer lines")
                break
            size += length
            if size <= MAX_BODY_READ:
                chunks.append(self._read_exactly(length))
            else:
                self._discard(length)
            if self.reader.readline(8) not in (b"\r\n", b"\n"):
                raise _BadRequest("a chunk is not followed by CRLF")
        return b"".join(chunks) if size <= MAX_BODY_READ else None

    def _discard(self, length: int) -> None:
        """Read past a body too large to keep, a MiB at a time."""
        while length > 0:
            length -= len(self._read_exactly(min(length, 1 << 20)))

    def _read_exactly(self, length: int) -> bytes:
        data = self.reader.read(length) if length else b""
        if len(data) < length:
            raise _Gone()
        return data

    def _dispatch(self, request: _Request, body: bytes | None) -> _Step:
        """Answer one request; what the connection does next."""
        backend, method, path = self.backend, request.method, request.path
        if method == "GET" and path == NEXT_PATH:
            return self._next(request)
        if method != "POST":
            self._json(404, {"errorMessage": f"no route {method} {path}",
                             "errorType": "NotFound"})
            return _Step.ON
        if body is None:
            self._json(413, {"errorMessage": "Payload too large",
                             "errorType": "RequestEntityTooLarge"})
            return _Step.ON
        error_type = request.headers.get(ERROR_TYPE_HEADER.lower())
        if path == INIT_ERROR_PATH:
            backend.post_init_error(body, error_type)
            self._json(202, {"status": "OK"})
            return _Step.ON
        match = _INVOCATION_POST.match(path)
        if not match:
            self._json(404, {"errorMessage": f"no route {method} {path}",
                             "errorType": "NotFound"})
            return _Step.ON
        request_id = match["id"]
        if match["what"] == "response":
            outcome = backend.post_response(request_id, body)
        else:
            outcome = backend.post_error(request_id, body, error_type)
        if outcome is PostOutcome.ACCEPTED:
            self._accepted()
        elif outcome is PostOutcome.TOO_LARGE:
            self._json(413, {"errorMessage": "Response payload too large",
                             "errorType": "RequestEntityTooLarge"})
        else:
            self._json(400, {"errorMessage": f"Invalid request ID: {request_id}",
                             "errorType": "InvalidRequestID"})
        return _Step.ON

    def _streamed_response(self, path: str, headers: dict[str, str]) -> None:
        """A response POSTed in streaming mode: each chunk goes on as it arrives, the trailers
        say whether the handler failed. A runtime that hangs up mid-way raises _Gone: the
        invocation then ends as the runtime's exit or its timeout says."""
        match = _INVOCATION_POST.match(path)
        stream = None
        if match and match["what"] == "response":
            stream = self.backend.open_response_stream(
                match["id"], headers.get("content-type") or DEFAULT_CONTENT_TYPE)
        trailers: dict[str, str] = {}
        within_limit = True
        for piece in self._body_pieces(headers, trailers):
            if stream is not None and within_limit:
                within_limit = stream.write(piece)
        if stream is None:
            self._json(404 if not match else 400, {
                "errorMessage": f"no route POST {path}" if not match
                else f"Invalid request ID: {match['id']}",
                "errorType": "NotFound" if not match else "InvalidRequestID"})
            return
        stream.end(trailers)
        if within_limit:
            self._json(202, {"status": "OK"})
        else:
            self._json(413, {"errorMessage": "Response payload too large",
                             "errorType": "RequestEntityTooLarge"})

    def _body_pieces(self, headers: dict[str, str],
                     trailers: dict[str, str]) -> Iterator[bytes]:
        """The body as it arrives, in pieces of at most a MiB; a chunked body's trailers are
        put in `trailers` (names in lower case)."""
        if "chunked" not in headers.get("transfer-encoding", "").lower():
            length = _content_length(headers.get("content-length"))
            while length > 0:
                piece = self._read_exactly(min(length, _PIECE_BYTES))
                length -= len(piece)
                yield piece
            return
        while True:
            line = self.reader.readline(1024)
            if not line.endswith(b"\n"):
                raise _Gone() if len(line) < 1024 else _BadRequest("chunk size line too long")
            length = _chunk_size(line)
            if length == 0:
                trailers.update(self._headers())
                return
            while length > 0:
                piece = self.reader.read1(min(length, _PIECE_BYTES))
                if not piece:
                    raise _Gone()
                length -= len(piece)
                yield piece
            if self.reader.readline(8) not in (b"\r\n", b"\n"):
                raise _BadRequest("a chunk is not followed by CRLF")

    def _next(self, request: _Request) -> _Step:
        """One /next: park the connection for the direct hand-off when the backend takes
        it, else wait for work while the client is still there and hand it over."""
        if not self.endpoint.claim_poll(self):
            # Lambda's own answer to a /next out of turn (the Runtime Interface Emulator's
            # rapi/handler/invocationnext.go: 403, InvalidStateTransition).
            self._json(403, {"errorMessage": "State transition from Ready to Ready failed "
                             "for runtime. Error: another poller is waiting for this "
                             "environment's next invocation",
                             "errorType": "InvalidStateTransition"})
            return _Step.ON
        if request.keep_alive and self._park(request):
            return _Step.PARKED
        try:
            while True:
                upcoming = self.backend.next_invocation(wait_s=self.poll_slice_s,
                                                        poller_gone=self.peer_closed)
                if upcoming is NoWork.SHUTDOWN:   # hang up, as Lambda ends the sandbox
                    return _Step.END
                if isinstance(upcoming, NextInvocation):
                    break
                # Checked after an empty slice, not before each wait: the client has just
                # asked, and work handed over is checked by poller_gone (each peek is a
                # system call, a thread switch under load).
                if self.peer_closed():
                    return _Step.END
        finally:
            if self._parked_request is None:
                self.endpoint.release_poll(self)
        self._send_invocation(upcoming)
        return _Step.ON

    def _send_invocation(self, upcoming: NextInvocation) -> None:
        invocation = upcoming.invocation
        extra = [("Lambda-Runtime-Aws-Request-Id", invocation.request_id),
                 ("Lambda-Runtime-Deadline-Ms", str(upcoming.deadline_ms)),
                 ("Lambda-Runtime-Invoked-Function-Arn", invocation.invoked_function_arn),
                 ("Lambda-Runtime-Trace-Id", invocation.trace_id)]
        if invocation.client_context:
            extra.append(("Lambda-Runtime-Client-Context", invocation.client_context))
        if invocation.cognito_identity:
            extra.append(("Lambda-Runtime-Cognito-Identity", invocation.cognito_identity))
        if invocation.tenant_id:   # as runtime clients read it (awslambdaric: context.tenant_id)
            extra.append(("Lambda-Runtime-Aws-Tenant-Id", invocation.tenant_id))
        owed, self._owed = self._owed, b""
        self._send(200, invocation.payload, extra, before=owed)

    # --- the direct hand-off --------------------------------------------------------------
    # A parked /next belongs to the backend until an invoker takes it; the invoker then
    # writes the event and reads the runtime's answer on its own thread, and gives the
    # connection back (or parks it again) when the invocation is over. Meanwhile the
    # connection's thread sleeps, waking only to see whether an idle runtime hung up.

    def _park(self, request: _Request) -> bool:
        park = getattr(self.backend, "park", None)
        if park is None:
            return False
        self._parked_request = request
        if park(self):
            return True
        self._parked_request = None
        return False

    def _wait_while_parked(self) -> _Request | object | None:
        """(The connection's thread.) Sleep until the connection comes back; what to do
        then: _CLOSE, a request to answer, or None to read the next one."""
        while not self._back.wait(self.poll_slice_s):
            unpark = getattr(self.backend, "unpark", None)
            if self.peer_closed() and unpark is not None and unpark(self):
                self.endpoint.release_poll(self)
                return _CLOSE
        self._back.clear()
        back, self._returned = self._returned, None
        return back

    def _give_back(self, what: _Request | object | None) -> None:
        """Hand the connection back to its thread, which does `what` next."""
        self._pay_owed()
        self._receive_timeout(0.0)
        self._lent = False
        self._parked_request, self._returned = None, what
        self._back.set()

    def _receive_timeout(self, seconds: float) -> None:
        """SO_RCVTIMEO (0: none). A blocking socket with a kernel timeout receives in one
        system call; Python's own timeout polls before each receive, each a GIL hand-over."""
        micros = 0 if seconds <= 0 else max(1, round(seconds * 1e6))
        if micros != self._timeout_us:
            self._timeout_us = micros
            with contextlib.suppress(OSError):
                self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                                     struct.pack("ll", *divmod(micros, 1_000_000)))

    def is_gone(self) -> bool:
        """Whether the runtime hung up while its /next was parked."""
        return self.peer_closed()

    def deliver(self, upcoming: NextInvocation) -> None:
        """(The invoker's thread.) Answer the parked /next with this invocation. Raises
        OSError when the runtime has gone."""
        self._parked_request, self._lent = None, True
        self.endpoint.release_poll(self)
        self._send_invocation(upcoming)

    def serve_next(self, *, wait_s: float, deadline_s: float) -> bool:
        """(The invoker's thread, while its invocation runs.) Answer the runtime's next
        request if one begins within `wait_s` seconds, reading it within `deadline_s`.
        False once the connection has gone back to its thread or ended: the outcome then
        comes as it did before the hand-off (the runtime's exit, the deadline)."""
        try:
            if not self.reader.buffered():
                self._receive_timeout(wait_s)
                try:
                    if not self.reader.fill():
                        self._give_back(_CLOSE)
                        return False
                except BlockingIOError:   # nothing within wait_s (SO_RCVTIMEO)
                    return True
            self._receive_timeout(deadline_s)
            request = self._read_request()
            if request is None:
                self._give_back(_CLOSE)
                return False
            if request.method == "GET" and request.path == NEXT_PATH:
                self._give_back(request)   # a /next before any answer: its thread waits
                return False
            if self._answer(request) is _Step.END:
                self._give_back(_CLOSE)
                return False
            return True
        except _BadRequest as exc:
            with contextlib.suppress(OSError):
                self._bad_request(exc)
        except (_Gone, OSError):
            pass
        except Exception as exc:   # a bug of ours: one line, as _serve says
            log.warning("Runtime API: dropped a connection after an unexpected %r", exc)
            log.debug("Runtime API failure", exc_info=True)
        self._give_back(_CLOSE)
        return False

    def release(self) -> None:
        """(The invoker's thread, its invocation over.) When the runtime's next /next came
        in the same write as its answer (the runtime loop pipelines them), park it again
        here; else the connection's thread reads on."""
        if not self._next_is_buffered():
            self._give_back(None)
            return
        try:
            request = self._read_request()   # all buffered: no system call
        except (_BadRequest, _Gone, OSError):
            self._give_back(_CLOSE)
            return
        if request is not None and request.keep_alive and "expect" not in request.headers \
                and self._authorized(request.headers) and self.endpoint.claim_poll(self):
            self._lent = False   # (its receive timeout is set again by whoever reads next)
            if self._park(request):
                return
        self._give_back(request)   # its thread answers it as any request

    def resume_polling(self) -> None:
        """The invocation went to the backend's queue instead: the connection's thread
        answers the parked /next the usual way."""
        self._give_back(self._parked_request)

    def read_on(self) -> None:
        """The connection goes back to its thread, which reads whatever comes next."""
        self._give_back(None)

    def close(self) -> None:
        """Hang up a parked /next, as Lambda ends the sandbox."""
        self._give_back(_CLOSE)

    def _accepted(self) -> None:
        """202 to a posted outcome. On an invoker's thread, when the runtime's next /next is
        already here behind it (the runtime loop pipelines them), the 202 is owed and goes
        out with the answer to that /next: the runtime reads them in order, and is woken
        once per invocation instead of twice."""
        if self._lent and self._next_is_buffered():
            self._owed = _ACCEPTED
        else:
            self.conn.sendall(_ACCEPTED)

    def _next_is_buffered(self) -> bool:
        buffered = self.reader.buffered()
        return buffered.startswith(_NEXT_REQUEST_LINE) and b"\r\n\r\n" in buffered

    def _pay_owed(self) -> None:
        owed, self._owed = self._owed, b""
        if owed:
            with contextlib.suppress(OSError):
                self.conn.sendall(owed)

    def _json(self, status: int, document: dict[str, Any], *, close: bool = False) -> None:
        extra = (("Connection", "close"),) if close else ()
        self._send(status, json.dumps(document).encode(), extra)

    def _send(self, status: int, body: bytes, headers: Any, *, before: bytes = b"") -> None:
        head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}",
                "Content-Type: application/json", f"Content-Length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in headers]
        self.conn.sendall(before + ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


def _content_length(value: str | None) -> int:
    """Content-Length as RFC 9110 section 8.6 allows it: decimal digits only."""
    if value is None or value == "":
        return 0
    if not (value.isascii() and value.isdigit()):
        raise _BadRequest(f"Content-Length must be a number of bytes (got {value[:40]!r})")
    return int(value)


def _chunk_size(line: bytes) -> int:
    text = line.split(b";", 1)[0].strip()
    try:
        if not text or not all(c in b"0123456789abcdefABCDEF" for c in text):
            raise ValueError(text)
        return int(text, 16)
    except ValueError:
        raise _BadRequest(f"a chunk size must be hexadecimal (got {text[:40]!r})") from None
