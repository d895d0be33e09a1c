"""The threaded HTTP/1.1 server behind the local AWS endpoint (`--aws-port`) and the gateway:
it hands each request to the first route that claims it and writes the route's response
back. Sockets only: what a request means is each route's business.

Binds 127.0.0.1 by default, keeps connections alive (SDKs reuse them), serves each open
connection on a thread of its own (threads are reused for later connections), and turns Nagle off
on every accepted socket: with it, each small response waits ~40 ms for a delayed ACK.
A request reaches a route only when it has fully arrived (its whole head, and its body as
framing.py reads it) and admission.py lets it in; a body over the claiming route's limit is
refused from its Content-Length, before it is read.
"""

from __future__ import annotations

import contextlib
import email.utils
import errno
import functools
import http.client
import io
import logging
import queue
import socket
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from samlite.clock import Clock, SystemClock
from samlite.errors import UsageError
from samlite.http.admission import DEFAULT_HOST, LOOPBACK_ONLY, Admission, refusal
from samlite.http.framing import MalformedFraming, UnreadableBody, framing_of, read_body
from samlite.http.head_lines import read_headers
from samlite.http.messages import (
    BodyProblem,
    BodyRules,
    BodyTooLarge,
    Request,
    Response,
    Route,
    json_error,
)

log = logging.getLogger(__name__)

# Larger bodies are refused before they are read; each route applies its own (smaller) limits.
MAX_BODY_BYTES = 64 * 1024 * 1024
# Connections the kernel holds for us while the accept loop catches up. socketserver's 5
# made bursts of clients (SDKs, 100 parallel tests) time out or be reset; Linux caps this
# at net.core.somaxconn (4096 by default since 5.4).
LISTEN_BACKLOG = 1024
# A connection that sends nothing for this long is closed: a half-sent request then never
# runs, and an idle one stops holding a thread.
READ_TIMEOUT_S = 60.0
# After refusing a request whose body is still coming, what the client sends is read and
# dropped for this long, so that it gets to read the answer (closing a socket with unread
# data resets the connection, and the answer is lost with it): nginx's "lingering close".
LINGER_S = 5.0
_LINGER_READ_BYTES = 64 * 1024
# Threads kept waiting for the next connection, and for how long.
MAX_IDLE_THREADS = 32
THREAD_IDLE_S = 30.0
# Bodies up to this size leave with the head in one sendall (copied once to join them).
_JOIN_BODY_BYTES = 64 * 1024


class Endpoint:
    """The server. `bind()` reserves the port (so its URL is known before anything else is
    built), `start()` binds if needed and serves on a daemon thread; `stop()` closes the
    listening socket and every open connection, so nothing outlives it."""

    def __init__(self, routes: Sequence[Route] = (), *, host: str = DEFAULT_HOST,
                 port: int = 0, port_flag: str = "--port",
                 admission: Admission = LOOPBACK_ONLY,
                 read_timeout_s: float = READ_TIMEOUT_S, clock: Clock | None = None) -> None:
        """`port_flag` is the command-line option that chose the port, for the error;
        `admission` says which Host names and browser Origins are let in (by default
        loopback names only, and no Origin)."""
        self._routes = list(routes)
        self._port_flag = port_flag
        self._host = host
        self._port = port
        self._admission = admission
        self._read_timeout_s = read_timeout_s
        self._clock = clock or SystemClock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def add(self, route: Route) -> None:
        """Serve `route` too (routes are tried in the order they were given)."""
        self._routes.append(route)
        if self._server is not None:
            self._server.routes = tuple(self._routes)

    @property
    def is_bound(self) -> bool:
        return self._server is not None

    @property
    def address(self) -> tuple[str, int]:
        if self._server is None:
            raise RuntimeError("the endpoint is not bound")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{host}:{port}"

    def bind(self) -> None:
        if self._server is not None:
            return
        try:
            server = _Server((self._host, self._port), _Handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(f"port {self._port} on {self._host} is already in use; "
                                 f"stop what is using it or choose another with {self._port_flag}"
                                 ) from exc
            raise UsageError(f"cannot listen on {self._host}:{self._port}: "
                             f"{exc.strerror or exc}") from exc
        server.routes = tuple(self._routes)
        server.admission = self._admission
        server.bound_host = self._host
        server.read_timeout_s = self._read_timeout_s
        server.clock = self._clock
        self._server = server

    def start(self) -> None:
        self.bind()
        server = self._server
        if self._thread is not None or server is None:
            return
        self._thread = threading.Thread(target=server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name=f"endpoint:{self.address[1]}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        server, self._server = self._server, None
        thread, self._thread = self._thread, None
        if server is None:
            return
        if thread is not None:
            server.shutdown()
        server.server_close()
        server.close_connections()
        if thread is not None:
            thread.join(timeout=2.0)

    def __enter__(self) -> Endpoint:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_endpoints(endpoints: Iterable[Endpoint], *, wait_s: float = 2.0) -> None:
    """Stop several servers side by side (each waits for its connections to close), each
    given at most `wait_s`."""
    stoppers = [threading.Thread(target=endpoint.stop, daemon=True) for endpoint in endpoints]
    for thread in stoppers:
        thread.start()
    for thread in stoppers:
        thread.join(wait_s)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Idle keep-alive connections would make server_close() wait forever; stop() closes them.
    block_on_close = False
    request_queue_size = LISTEN_BACKLOG
    routes: tuple[Route, ...] = ()
    admission = LOOPBACK_ONLY
    bound_host = DEFAULT_HOST
    read_timeout_s = READ_TIMEOUT_S
    clock: Clock = SystemClock()

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        # Connection threads are reused: starting one per connection (and waiting for it to
        # say it started) was a third of a fresh-connection request's CPU under load. A
        # connection never waits for a thread: with none idle, a new one starts.
        self._jobs: queue.SimpleQueue[tuple[socket.socket, Any] | None] = queue.SimpleQueue()
        self._idle = 0
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            if self._idle:
                self._idle -= 1
                self._jobs.put((request, client_address))
                return
        threading.Thread(target=self._work, args=(request, client_address),
                         name="endpoint-connection", daemon=True).start()

    def _work(self, request: Any, client_address: Any) -> None:
        job: tuple[Any, Any] | None = (request, client_address)
        while job is not None:
            self.process_request_thread(*job)
            with self._lock:
                if self._idle >= MAX_IDLE_THREADS:
                    return
                self._idle += 1
            try:
                job = self._jobs.get(timeout=THREAD_IDLE_S)
            except queue.Empty:
                with self._lock:
                    if self._idle:   # nobody counted on this thread: it ends
                        self._idle -= 1
                        return
                job = self._jobs.get()   # a connection was queued for it as it timed out

    def server_close(self) -> None:
        super().server_close()
        with self._lock:
            idle, self._idle = self._idle, 0
        for _ in range(idle):
            self._jobs.put(None)

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients drop keep-alive connections whenever they like (a reset, a broken pipe):
        # routine, not worth a traceback on the user's terminal. Anything else is our bug.
        if isinstance(sys.exception(), OSError):
            log.debug("endpoint: connection from %s ended", client_address, exc_info=True)
        else:
            log.error("endpoint: a request from %s failed", client_address, exc_info=True)

    def track(self, sock: socket.socket, *, is_open: bool) -> None:
        with self._lock:
            if is_open:
                self._connections.add(sock)
            else:
                self._connections.discard(sock)

    def close_connections(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, set()
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Input:
    """The connection's input, noting when the client closes its side: a head cut off
    there must not run as though it had ended."""

    def __init__(self, raw: io.BufferedReader) -> None:
        self._raw = raw
        self.ended = False

    def readline(self, size: int = -1, /) -> bytes:
        line = self._raw.readline(size)
        self.ended = self.ended or not line
        return line

    def read(self, size: int = -1, /) -> bytes:
        data = self._raw.read(size)
        self.ended = self.ended or not data
        return data

    def peek(self, size: int = 0, /) -> bytes:
        data = self._raw.peek(size)
        self.ended = self.ended or not data
        return data

    def read1(self, size: int = -1, /) -> bytes:
        data = self._raw.read1(size)
        self.ended = self.ended or not data
        return data

    def close(self) -> None:
        self._raw.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    rfile: _Input   # type: ignore[assignment]

    def setup(self) -> None:
        self.timeout = self.server.read_timeout_s
        super().setup()
        self.rfile = _Input(self.rfile)   # type: ignore[arg-type]
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, is_open=True)
        self._expects_continue = False

    def finish(self) -> None:
        self.server.track(self.connection, is_open=False)
        with contextlib.suppress(OSError):
            super().finish()

    def parse_request(self) -> bool:
        """BaseHTTPRequestHandler's, with the headers read by head_lines.py (same answers to
        a bad request line, a line too long, too many headers; same Connection and Expect
        handling)."""
        self.command = None
        self.request_version = version = self.default_request_version
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if not words:
            return False
        if len(words) >= 3:
            version = words[-1]
            number = (1, 1) if version == "HTTP/1.1" else _http_version(version)
            if number is None:
                self.send_error(HTTPStatus.BAD_REQUEST, f"Bad request version ({version!r})")
                return False
            if number >= (2, 0):
                self.send_error(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED,
                                f"Invalid HTTP version ({version.split('/', 1)[1]})")
                return False
            self.close_connection = number < (1, 1)
            self.request_version = version
        if not 2 <= len(words) <= 3:
            self.send_error(HTTPStatus.BAD_REQUEST,
                            f"Bad request syntax ({self.requestline!r})")
            return False
        command, path = words[:2]
        if len(words) == 2:
            self.close_connection = True
            if command != "GET":
                self.send_error(HTTPStatus.BAD_REQUEST,
                                f"Bad HTTP/0.9 request type ({command!r})")
                return False
        # '//x' would read as a host to clients that follow it (gh-87389): one slash.
        self.command, self.path = command, "/" + path.lstrip("/") \
            if path.startswith("//") else path
        try:
            self.headers = read_headers(self.rfile)   # type: ignore[arg-type]
        except http.client.LineTooLong as exc:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Line too long",
                            str(exc))
            return False
        except http.client.HTTPException as exc:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers",
                            str(exc))
            return False
        connection = self.headers.get("Connection", "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive":
            self.close_connection = False
        if (self.headers.get("Expect", "").lower() == "100-continue"
                and self.request_version >= "HTTP/1.1"):
            return self.handle_expect_100()
        return True

    def handle_expect_100(self) -> bool:
        # 100 Continue is sent once the head is admitted and the body is wanted, so a
        # refused upload (too large, wrong Host) is never sent at all.
        self._expects_continue = True
        return True

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    def _serve(self) -> None:
        if self.rfile.ended:
            # The client closed before the blank line that ends the head: nothing runs.
            self._refuse(json_error(400, "InvalidRequestContentException",
                                    "the request ended before its headers did"))
            return
        head = self._read_head()
        routes = self.server.routes
        refused = refusal(head, self.server.admission, bound_host=self.server.bound_host,
                          port=self.server.server_address[1])
        if refused is not None:
            self._refuse(json_error(refused.status, "AccessDeniedException", refused.message))
            return
        try:
            framing = framing_of(head.raw_headers)
        except MalformedFraming as exc:
            self._refuse(json_error(400, "InvalidRequestContentException", str(exc)))
            return
        claimant: Route | None = None
        limit = MAX_BODY_BYTES
        # Only a body has a limit to keep: a request without one (a GET) is routed once.
        if framing.chunked or framing.length:
            claimant = next((route for route in routes if route.handles(head)), None)
            if claimant is not None and _has_body_rules(type(claimant)):
                limit = min(limit, claimant.body_limit(head))
        try:
            if self._expects_continue and (framing.chunked or 0 < framing.length <= limit):
                self.send_response_only(100)
                self.end_headers()
            body = read_body(self.rfile, framing, limit_bytes=limit)
        except UnreadableBody as exc:
            self._refuse(_body_refusal(claimant, head, exc.problem))
            return
        except MalformedFraming as exc:
            self._refuse(json_error(400, "InvalidRequestContentException", str(exc)))
            return
        self._write(_dispatch(routes, _with_body(head, body)))

    def _read_head(self) -> Request:
        path, raw_query, query = _split_target(self.path)
        raw_headers = tuple(self.headers.items())
        headers = {name.lower(): value for name, value in raw_headers}
        return Request(method=self.command, path=path, query=query, headers=headers,
                       raw_query=raw_query, raw_headers=raw_headers,
                       client_ip=str(self.client_address[0]), protocol=self.request_version)

    def _refuse(self, response: Response) -> None:
        self.close_connection = True   # whatever is left of the request is still on the wire
        self._write(response)
        if not self.rfile.ended:
            self._drop_what_follows()

    def _drop_what_follows(self) -> None:
        """Lingering close: tell the client we are done, then read and drop what it still
        sends until it closes or LINGER_S has passed."""
        deadline = self.server.clock.monotonic() + LINGER_S
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
            while self.server.clock.monotonic() < deadline:
                self.connection.settimeout(max(0.05, deadline - self.server.clock.monotonic()))
                if not self.rfile.read1(_LINGER_READ_BYTES):
                    return

    def _write(self, response: Response) -> None:
        # Head and body leave in one sendall: two would wake the client twice, and each
        # wake-up costs a thread switch (most of a small call's time, profiled in issue 16).
        try:
            if log.isEnabledFor(logging.DEBUG):   # its arguments cost more than the check
                self.log_request(response.status)
            reason = _reason(response.status) if response.reason is None else response.reason
            lines = [f"{self.protocol_version} {response.status} {reason}"]
            # A route that names its server (ALB's "awselb/2.0") is not given a second one.
            if not any(name.lower() == "server" for name, _ in response.headers):
                lines.append(_server_line(type(self)))
            lines.append(f"Date: {_http_date(int(self.server.clock.now()))}")
            for name, value in response.headers:
                lines.append(f"{name}: {value}")
                if name.lower() == "connection":   # as send_header does: the route decides
                    if value.lower() == "close":
                        self.close_connection = True
                    elif value.lower() == "keep-alive":
                        self.close_connection = False
            if response.stream is not None:
                self._write_stream(lines, response.stream)
                return
            # A HEAD response may state the length its GET would have (S3's HeadObject).
            if not (self.command == "HEAD" and any(
                    name.lower() == "content-length" for name, _ in response.headers)):
                lines.append(f"Content-Length: {len(response.body)}")
            if self.close_connection:
                lines.append("Connection: close")
            elif self.request_version == "HTTP/1.0":   # 1.0 keeps alive only when told so
                lines.append("Connection: keep-alive")
            head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "strict")
            body = response.body if self.command != "HEAD" else b""
            if len(body) <= _JOIN_BODY_BYTES:
                self.wfile.write(head + body)
            else:   # not copied: an S3 object may be large, and one more wake-up is nothing
                self.wfile.write(head)
                self.wfile.write(body)
        except OSError as exc:   # the client went away; nothing left to tell it
            log.debug("endpoint: could not write the response: %s", exc)
            self.close_connection = True

    def _write_stream(self, lines: list[str], stream: Iterator[bytes]) -> None:
        """The head, then each piece as the route makes it; the end of the stream or of the
        client (OSError, left to _write) ends the connection."""
        self.close_connection = True
        head = "\r\n".join([*lines, "Connection: close"]) + "\r\n\r\n"
        try:
            self.wfile.write(head.encode("latin-1", "strict"))
            for piece in stream:
                self.wfile.write(piece)
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()

    def log_message(self, format: str, *args: object) -> None:
        log.debug("endpoint: " + format, *args)


@functools.cache
def _has_body_rules(route_type: type) -> bool:
    """isinstance against the runtime-checkable protocol, once per route class (it walks
    the protocol's members on every call)."""
    return issubclass(route_type, BodyRules)


def _http_version(text: str) -> tuple[int, int] | None:
    """`HTTP/major.minor` as two numbers (leading zeros ignored, RFC 2145); None if it is
    not one."""
    if not text.startswith("HTTP/"):
        return None
    parts = text[5:].split(".")
    if len(parts) != 2 or not all(p.isdigit() and len(p) <= 10 for p in parts):
        return None
    return int(parts[0]), int(parts[1])


@functools.cache
def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


@functools.cache
def _server_line(handler: type[BaseHTTPRequestHandler]) -> str:
    """The Server header line, as version_string() makes it from the handler's class
    attributes: the same for every response, so made once."""
    return f"Server: {handler.server_version} {handler.sys_version}"


def _split_target(target: str) -> tuple[str, str, dict[str, tuple[str, ...]]]:
    """The request target's path, raw query and parsed query. An origin-form target with
    neither '?' nor '#' (an SDK's usual '/') is its own path: urlsplit would say the same."""
    if target.startswith("/") and "?" not in target and "#" not in target:
        return target, "", {}
    split = urlsplit(target)
    query = {k: tuple(v) for k, v in parse_qs(split.query, keep_blank_values=True).items()}
    return split.path, split.query, query


def _with_body(head: Request, body: bytes) -> Request:
    """The head with its body (dataclasses.replace walks every field's metadata per call)."""
    if not body:
        return head
    return Request(method=head.method, path=head.path, query=head.query,
                   headers=head.headers, body=body, raw_query=head.raw_query,
                   raw_headers=head.raw_headers, client_ip=head.client_ip,
                   protocol=head.protocol)


@functools.lru_cache(maxsize=4)
def _http_date(now_s: int) -> str:
    """RFC 9110's IMF-fixdate, as the Date header carries it (seconds: one string a second)."""
    return email.utils.formatdate(int(now_s), usegmt=True)


def _body_refusal(claimant: Route | None, head: Request, problem: BodyProblem) -> Response:
    """The claiming route's answer to a body it will not get, else the plain one."""
    if claimant is not None and _has_body_rules(type(claimant)):
        try:
            answer = claimant.refuse_body(head, problem)
        except Exception:
            log.exception("endpoint: %s %s: refusing its body failed", head.method, head.path)
            answer = None
        if answer is not None:
            return answer
    if isinstance(problem, BodyTooLarge):
        return json_error(413, "RequestTooLargeException",
                          f"Request must be smaller than {problem.limit_bytes} bytes")
    return json_error(400, "InvalidRequestContentException",
                      f"the request ended after {problem.received_bytes} bytes of its body"
                      + (f" of {problem.declared_bytes}" if problem.declared_bytes else ""))


def _dispatch(routes: Sequence[Route], request: Request) -> Response:
    for route in routes:
        if route.handles(request):
            try:
                return route.handle(request)
            except Exception:
                # A bug in a route must not take the server down; the client gets AWS's 500.
                log.exception("endpoint: %s %s failed", request.method, request.path)
                return json_error(500, "ServiceException", "samlite could not handle the "
                                  "request; run `samlite --debug …` to see why")
    return json_error(404, "UnknownOperationException",
                      f"samlite's endpoint has no operation for {request.method} {request.path}")
