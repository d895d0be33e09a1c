"""The threaded HTTP/1.1 server behind the local AWS endpoint (`--aws-port`) and the gateway:
it hands each request to the first route that claims it and writes the route's response
back. Sockets only: what a request means is each route's business.

Binds 127.0.0.1 by default, keeps connections alive (SDKs reuse them), and turns Nagle off
on every accepted socket: with it, each small response waits ~40 ms for a delayed ACK.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import threading
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from samlite.errors import UsageError
from samlite.http.messages import Request, Response, Route, json_error

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
# Larger bodies are refused before they are read; each route applies its own (smaller) limits.
MAX_BODY_BYTES = 64 * 1024 * 1024
# Connections the kernel holds for us while the accept loop catches up. socketserver's 5
# made bursts of clients (SDKs, 100 parallel tests) time out or be reset; Linux caps this
# at net.core.somaxconn (4096 by default since 5.4).
LISTEN_BACKLOG = 1024


class Endpoint:
    """The server. `bind()` reserves the port (so its URL is known before anything else is
    built), `start()` binds if needed and serves on a daemon thread; `stop()` closes the
    listening socket and every open connection, so nothing outlives it."""

    def __init__(self, routes: Sequence[Route] = (), *, host: str = DEFAULT_HOST,
                 port: int = 0, port_flag: str = "--port") -> None:
        """`port_flag` is the command-line option that chose the port, for the error."""
        self._routes = list(routes)
        self._port_flag = port_flag
        self._host = host
        self._port = port
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Idle keep-alive connections would make server_close() wait forever; stop() closes them.
    block_on_close = False
    request_queue_size = LISTEN_BACKLOG
    routes: tuple[Route, ...] = ()

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        super().__init__(address, handler)

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients drop keep-alive connections whenever they like (a reset, a broken pipe):
        # routine, not worth a traceback on the user's terminal.
        log.debug("endpoint: connection from %s ended", client_address, exc_info=True)

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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, is_open=True)

    def finish(self) -> None:
        self.server.track(self.connection, is_open=False)
        with contextlib.suppress(OSError):
            super().finish()

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    def _serve(self) -> None:
        try:
            request = self._read_request()
        except _BodyTooLarge as exc:
            self.close_connection = True   # the body is still on the wire
            self._write(json_error(413, "RequestTooLargeException",
                                   f"Request must be smaller than {exc.limit} bytes"))
            return
        except ValueError as exc:
            self.close_connection = True
            self._write(json_error(400, "InvalidRequestContentException", str(exc)))
            return
        self._write(_dispatch(self.server.routes, request))

    def _read_request(self) -> Request:
        split = urlsplit(self.path)
        query = {k: tuple(v) for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        raw_headers = tuple(self.headers.items())
        headers = {name.lower(): value for name, value in raw_headers}
        return Request(method=self.command, path=split.path, query=query, headers=headers,
                       body=self._read_body(headers), raw_query=split.query,
                       raw_headers=raw_headers, client_ip=str(self.client_address[0]),
                       protocol=self.request_version)

    def _read_body(self, headers: Mapping[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(headers.get("content-length", "0") or "0")
        except ValueError as exc:
            raise ValueError("Content-Length is not a number") from exc
        if length > MAX_BODY_BYTES:
            raise _BodyTooLarge(MAX_BODY_BYTES)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024).split(b";")[0].strip()
            size = int(size_line or b"0", 16)
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass   # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY_BYTES:
                raise _BodyTooLarge(MAX_BODY_BYTES)
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _write(self, response: Response) -> None:
        try:
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            # A HEAD response may state the length its GET would have (S3's HeadObject).
            if not (self.command == "HEAD" and any(
                    name.lower() == "content-length" for name, _ in response.headers)):
                self.send_header("Content-Length", str(len(response.body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            elif self.request_version == "HTTP/1.0":   # 1.0 keeps alive only when told so
                self.send_header("Connection", "keep-alive")
            self.end_headers()
            if self.command != "HEAD" and response.body:
                self.wfile.write(response.body)
        except OSError as exc:   # the client went away; nothing left to tell it
            log.debug("endpoint: could not write the response: %s", exc)
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        log.debug("endpoint: " + format, *args)


class _BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


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
