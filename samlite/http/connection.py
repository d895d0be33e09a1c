"""One accepted connection's requests, each read whole and answered before the next: the
request line and head (a bad one answered as http.server's BaseHTTPRequestHandler answers
it), admission, the body as framing.py reads it, the claiming route's response in one
sendall. Keep-alive as RFC 9112 section 9.3 has it (1.1 persists unless told to close, 1.0
only when asked). What a request means is each route's business.
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import http.client
import logging
import socket
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from samlite.clock import Clock
from samlite.http.admission import Admission, refusal
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
from samlite.socket_reader import SocketReader

log = logging.getLogger(__name__)

# Larger bodies are refused before they are read; each route applies its own (smaller) limits.
MAX_BODY_BYTES = 64 * 1024 * 1024
# After refusing a request whose body is still coming, what the client sends is read and
# dropped for this long, so that it gets to read the answer (closing a socket with unread
# data resets the connection, and the answer is lost with it): nginx's "lingering close".
LINGER_S = 5.0
_LINGER_READ_BYTES = 64 * 1024
# Bodies up to this size leave with the head in one sendall (copied once to join them).
_JOIN_BODY_BYTES = 64 * 1024
# A longer request line is answered 414, as http.server does.
_MAX_REQUEST_LINE = 65536
_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"})
_HTTP_0_9 = "HTTP/0.9"   # http.server's default version: its error answers carry no head


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """What every connection of one server serves: its routes, tried in order, and whom it
    admits (checked against the address it is bound to)."""
    routes: tuple[Route, ...]
    admission: Admission
    bound_host: str
    port: int
    clock: Clock


class Serving(Protocol):
    """The server, as its connections see it: the site now served (routes may be added)."""
    site: Site


class Connection:
    """One client's connection; `serve()` answers its requests until either side closes."""

    __slots__ = ("_client_ip", "_close", "_command", "_reader", "_server", "_sock",
                 "_version")

    def __init__(self, sock: socket.socket, client_address: object, server: Serving) -> None:
        self._sock = sock
        self._reader = SocketReader(sock)
        self._server = server
        self._client_ip = str(client_address[0]) if isinstance(client_address, tuple) \
            else str(client_address)
        self._close = True
        self._command = ""
        self._version = _HTTP_0_9

    def serve(self) -> None:
        while self.serve_one():
            pass

    def close(self) -> None:
        """Close the socket, our side's end sent first (FIN before a reset for anything
        left unread) unless the client has closed already: then nothing more comes."""
        if not self._reader.ended:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_WR)
        self._sock.close()

    def serve_one(self) -> bool:
        """Read and answer one request; False when the connection is to be closed."""
        self._close = True
        try:
            raw = self._reader.readline(_MAX_REQUEST_LINE + 1)
            if len(raw) > _MAX_REQUEST_LINE:
                self._version = self._command = ""
                self._send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return False
            if not raw:
                return False
            head = self._read_head(raw)
            if head is None:
                return False
            self._serve(head)
        except TimeoutError as exc:   # a read or a write timed out: the connection ends
            log.debug("endpoint: request from %s timed out: %r", self._client_ip, exc)
            return False
        return not self._close

    def _read_head(self, raw: bytes) -> Request | None:
        """The request line and headers as a head without its body, or None once an error
        was answered (an unknown method too) or a blank line closed the connection.
        BaseHTTPRequestHandler's parse_request, with the headers read by head_lines.py."""
        self._command = ""
        self._version = version = _HTTP_0_9
        request_line = str(raw, "iso-8859-1").rstrip("\r\n")
        words = request_line.split()
        if not words:
            return None
        if len(words) >= 3:
            version = words[-1]
            number = (1, 1) if version == "HTTP/1.1" else _http_version(version)
            if number is None:
                self._send_error(HTTPStatus.BAD_REQUEST, f"Bad request version ({version!r})")
                return None
            if number >= (2, 0):
                self._send_error(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED,
                                 f"Invalid HTTP version ({version.split('/', 1)[1]})")
                return None
            self._close = number < (1, 1)
            self._version = version
        if not 2 <= len(words) <= 3:
            self._send_error(HTTPStatus.BAD_REQUEST, f"Bad request syntax ({request_line!r})")
            return None
        command, target = words[:2]
        if len(words) == 2:
            self._close = True
            if command != "GET":
                self._send_error(HTTPStatus.BAD_REQUEST,
                                 f"Bad HTTP/0.9 request type ({command!r})")
                return None
        self._command = command
        # '//x' would read as a host to clients that follow it (gh-87389): one slash.
        if target.startswith("//"):
            target = "/" + target.lstrip("/")
        try:
            lines = read_headers(self._reader)   # type: ignore[arg-type]
        except http.client.LineTooLong as exc:
            self._send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Line too long",
                             str(exc))
            return None
        except http.client.HTTPException as exc:
            self._send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers",
                             str(exc))
            return None
        raw_headers = tuple(lines.items())
        headers = {name.lower(): value for name, value in raw_headers}
        connection = _first(raw_headers, "connection") if "connection" in headers else ""
        if connection == "close":
            self._close = True
        elif connection == "keep-alive":
            self._close = False
        if command not in _METHODS:
            self._send_error(HTTPStatus.NOT_IMPLEMENTED, f"Unsupported method ({command!r})")
            return None
        path, raw_query, query = _split_target(target)
        return Request(method=command, path=path, query=query, headers=headers,
                       raw_query=raw_query, raw_headers=raw_headers,
                       client_ip=self._client_ip, protocol=self._version)

    def _serve(self, head: Request) -> None:
        reader = self._reader
        if reader.ended:
            # The client closed before the blank line that ends the head: nothing runs.
            self._refuse(json_error(400, "InvalidRequestContentException",
                                    "the request ended before its headers did"))
            return
        site = self._server.site
        refused = refusal(head, site.admission, bound_host=site.bound_host, port=site.port)
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
            claimant = next((route for route in site.routes if route.handles(head)), None)
            if claimant is not None and _has_body_rules(type(claimant)):
                limit = min(limit, claimant.body_limit(head))
        try:
            # 100 Continue is sent once the head is admitted and the body is wanted, so a
            # refused upload (too large, wrong Host) is never sent at all.
            if (framing.chunked or 0 < framing.length <= limit) and \
                    "expect" in head.headers and \
                    _first(head.raw_headers, "expect") == "100-continue" and \
                    self._version >= "HTTP/1.1":
                self._sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            body = read_body(reader, framing, limit_bytes=limit)
        except UnreadableBody as exc:
            self._refuse(_body_refusal(claimant, head, exc.problem))
            return
        except MalformedFraming as exc:
            self._refuse(json_error(400, "InvalidRequestContentException", str(exc)))
            return
        self._write(_dispatch(site.routes, _with_body(head, body)))

    def _refuse(self, response: Response) -> None:
        self._close = True   # whatever is left of the request is still on the wire
        self._write(response)
        if not self._reader.ended:
            self._drop_what_follows()

    def _drop_what_follows(self) -> None:
        """Lingering close: tell the client we are done, then read and drop what it still
        sends until it closes or LINGER_S has passed."""
        clock = self._server.site.clock
        deadline = clock.monotonic() + LINGER_S
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_WR)
            while clock.monotonic() < deadline:
                self._sock.settimeout(max(0.05, deadline - clock.monotonic()))
                if not self._reader.read1(_LINGER_READ_BYTES):
                    return

    def _write(self, response: Response) -> None:
        # Head and body leave in one sendall: two would wake the client twice, and each
        # wake-up costs a thread switch (most of a small call's time, profiled in issue 16).
        try:
            if log.isEnabledFor(logging.DEBUG):   # its arguments cost more than the check
                log.debug('endpoint: %s "%s" %s', self._client_ip, self._command,
                          response.status)
            reason = _reason(response.status) if response.reason is None else response.reason
            lines = [f"HTTP/1.1 {response.status} {reason}"]
            # A route that names its server (ALB's "awselb/2.0") is not given a second one.
            if not any(name.lower() == "server" for name, _ in response.headers):
                lines.append(server_line())
            lines.append(f"Date: {_http_date(int(self._server.site.clock.now()))}")
            for name, value in response.headers:
                lines.append(f"{name}: {value}")
                if name.lower() == "connection":   # the route decides, as send_header did
                    if value.lower() == "close":
                        self._close = True
                    elif value.lower() == "keep-alive":
                        self._close = False
            if response.stream is not None:
                self._write_stream(lines, response.stream)
                return
            # A HEAD response may state the length its GET would have (S3's HeadObject).
            if not (self._command == "HEAD" and any(
                    name.lower() == "content-length" for name, _ in response.headers)):
                lines.append(f"Content-Length: {len(response.body)}")
            if self._close:
                lines.append("Connection: close")
            elif self._version == "HTTP/1.0":   # 1.0 keeps alive only when told so
                lines.append("Connection: keep-alive")
            head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "strict")
            body = response.body if self._command != "HEAD" else b""
            if len(body) <= _JOIN_BODY_BYTES:
                self._sock.sendall(head + body)
            else:   # not copied: an S3 object may be large, and one more wake-up is nothing
                self._sock.sendall(head)
                self._sock.sendall(body)
        except OSError as exc:   # the client went away (or stopped reading); nothing to tell
            log.debug("endpoint: could not write the response: %s", exc)
            self._close = True

    def _write_stream(self, lines: list[str], stream: Iterator[bytes]) -> None:
        """The head, then each piece as the route makes it; the end of the stream or of the
        client (OSError, left to _write) ends the connection."""
        self._close = True
        head = "\r\n".join([*lines, "Connection: close"]) + "\r\n\r\n"
        try:
            self._sock.sendall(head.encode("latin-1", "strict"))
            for piece in stream:
                self._sock.sendall(piece)
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()

    def _send_error(self, status: HTTPStatus, message: str | None = None,
                    explain: str | None = None) -> None:
        """BaseHTTPRequestHandler's send_error: its HTML page, the connection closed after.
        To a request it took for HTTP/0.9 (a bad version among them) the page goes alone."""
        self._close = True
        message = status.phrase if message is None else message
        log.debug("endpoint: %s: code %d, message %s", self._client_ip, status, message)
        body = _error_page(status, message, status.description if explain is None else explain)
        if self._version != _HTTP_0_9:
            head = "\r\n".join([
                f"HTTP/1.1 {int(status)} {message}", server_line(),
                f"Date: {_http_date(int(self._server.site.clock.now()))}", "Connection: close",
                f"Content-Type: {_ERROR_CONTENT_TYPE}", f"Content-Length: {len(body)}", "", ""])
            body = head.encode("latin-1", "strict") + body
        try:
            self._sock.sendall(body)
        except OSError as exc:
            log.debug("endpoint: could not write the error page: %s", exc)


_ERROR_CONTENT_TYPE = "text/html;charset=utf-8"


def _error_page(status: HTTPStatus, message: str, explain: str) -> bytes:
    # Only bad requests need these: kept off every start-up.
    import html
    from http.server import DEFAULT_ERROR_MESSAGE

    return (DEFAULT_ERROR_MESSAGE % {
        "code": int(status), "message": html.escape(message, quote=False),
        "explain": html.escape(explain, quote=False)}).encode("utf-8", "replace")


def _first(raw_headers: tuple[tuple[str, str], ...], name: str) -> str:
    """The first value sent under `name` (lower case), in lower case: as http.server read
    Connection and Expect (a route's `headers` keep the last)."""
    return next(value for key, value in raw_headers if key.lower() == name).lower()


@functools.cache
def server_line() -> str:
    """The Server header line, as BaseHTTPRequestHandler's version_string() makes it."""
    return f"Server: BaseHTTP/0.6 Python/{sys.version.split()[0]}"


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
