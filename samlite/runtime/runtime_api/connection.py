"""One runtime's keep-alive connection to its Runtime API: requests read and answered on it,
and the direct hand-off (a parked /next served on the invoker's thread). The listening and
accepting is hub.py's."""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import select
import socket
import struct
import threading
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from samlite.runtime.response_stream import (
    DEFAULT_CONTENT_TYPE,
    RESPONSE_MODE_HEADER,
    STREAMING_MODE,
)
from samlite.runtime.runtime_api.messages import (
    BadRequest,
    Gone,
    Request,
    body_pieces,
    is_complete,
    read_body,
    read_request,
)
from samlite.runtime.runtime_api.model import (
    ERROR_TYPE_HEADER,
    INIT_ERROR_PATH,
    INVOCATION_POST,
    NEXT_PATH,
    OUTPUT_DRAINED_HEADER,
    PEAK_MEMORY_HEADER,
    POLL_SLICE_S,
    TOKEN_HEADER,
    NextInvocation,
    NoWork,
    PostOutcome,
    RuntimeBackend,
)
from samlite.socket_reader import SocketReader

log = logging.getLogger(__name__)


@dataclass(eq=False, slots=True)
class Endpoint:
    """One environment's Runtime API: its backend, its token, and who is polling."""

    backend: RuntimeBackend
    token: str | None = None
    poller: Connection | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def claim_poll(self, connection: Connection) -> bool:
        with self.lock:
            if self.poller is not None and self.poller is not connection \
                    and not self.poller.peer_closed():
                return False
            self.poller = connection
            return True

    def release_poll(self, connection: Connection) -> None:
        with self.lock:
            if self.poller is connection:
                self.poller = None




_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 403: "Forbidden",
            404: "Not Found", 413: "Request Entity Too Large", 500: "Internal Server Error"}
_RESPONSE_MODE = RESPONSE_MODE_HEADER.lower()
_PEAK_MEMORY = PEAK_MEMORY_HEADER.lower()
_OUTPUT_DRAINED = OUTPUT_DRAINED_HEADER.lower()


_NEXT_REQUEST_LINE = f"GET {NEXT_PATH} ".encode("latin-1")
_ACCEPTED = (b'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n'
             b'Content-Length: 16\r\n\r\n{"status": "OK"}')
_CLOSE = object()   # what a lent connection's thread is told when the connection is over


class _Step(Enum):
    """What a connection does after answering a request."""

    ON = "read the next request"
    END = "close"
    PARKED = "parked for the direct hand-off"


class Connection:
    """One runtime's keep-alive connection: its requests read (messages.py) and answered on
    its own thread, or, while an invoker has its parked /next, on the invoker's."""

    def __init__(self, conn: socket.socket, endpoint: Endpoint, *,
                 poll_slice_s: float = POLL_SLICE_S) -> None:
        self.conn = conn
        self.reader = SocketReader(conn)
        self.endpoint = endpoint
        self.backend = endpoint.backend
        self.poll_slice_s = poll_slice_s
        self._back = threading.Event()           # set when a lent connection comes back
        self._returned: Request | object | None = None
        self._parked_request: Request | None = None
        self._lent = False                       # an invoker's thread is serving it
        self._owed = b""                         # a 202 that goes out with the next answer
        self._timeout_us = 0                     # SO_RCVTIMEO now
        self._readable: select.poll | None = None   # peer_closed's, made on first use

    def serve(self) -> None:
        try:
            self._serve_requests()
        except BadRequest as exc:
            self._bad_request(exc)
        except Gone:
            pass

    def _bad_request(self, exc: BadRequest) -> None:
        self._json(400, {"errorMessage": f"Bad request: {exc}",
                         "errorType": "InvalidRequestFormat"}, close=True)

    def _serve_requests(self) -> None:
        pending: Request | None = None
        while True:
            request = pending or read_request(self.reader)
            pending = None
            if request is None:
                return
            step = self._answer(request)
            if step is _Step.PARKED:
                back = self._wait_while_parked()
                if back is _CLOSE:
                    return
                pending = back if isinstance(back, Request) else None
            elif step is _Step.END:
                return

    def _answer(self, request: Request) -> _Step:
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
        body = read_body(self.reader, headers)
        step = self._dispatch(request, body)
        return _Step.END if step is _Step.ON and not request.keep_alive else step

    def refuse_stranger(self) -> None:
        # Lambda's Runtime API is reachable only inside its sandbox, so it has no word for
        # this; the shape is the OpenAPI spec's ErrorResponse, the status its 403.
        self._json(403, {"errorMessage": "This Runtime API serves only its own execution "
                         "environment", "errorType": "Forbidden"}, close=True)

    def peer_closed(self) -> bool:
        """Whether the client has hung up (a poller that closed while waiting for work).
        poll() first: when nothing is there to read, the usual answer, no recv is made and
        no BlockingIOError raised (~1.4 -> ~0.3 µs of the invoker's CPU per warm invoke)."""
        if self.conn.fileno() < 0:
            return True
        if self._readable is None:
            self._readable = select.poll()
            self._readable.register(self.conn, select.POLLIN)
        try:
            if not self._readable.poll(0):   # an end of stream or an error would be an event
                return False
        except RuntimeError:   # another thread is asking too (one poll() at a time): recv
            pass
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

    def _dispatch(self, request: Request, body: bytes | None) -> _Step:
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
        match = INVOCATION_POST.match(path)
        if not match:
            self._json(404, {"errorMessage": f"no route {method} {path}",
                             "errorType": "NotFound"})
            return _Step.ON
        request_id = match["id"]
        if self.endpoint.token is not None:   # samlite's loop, which proved who it is
            self._note_outcome_headers(request_id, request.headers)
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

    def _note_outcome_headers(self, request_id: str, headers: dict[str, str]) -> None:
        """What samlite's loop says with an outcome (model.py's PEAK_MEMORY_HEADER and
        OUTPUT_DRAINED_HEADER), passed on before the outcome is."""
        peak_kb = headers.get(_PEAK_MEMORY)
        if peak_kb is not None and peak_kb.isdigit():
            note = getattr(self.backend, "note_peak_memory_kb", None)
            if note is not None:
                note(int(peak_kb))
        if headers.get(_OUTPUT_DRAINED) == "1":
            drained = getattr(self.backend, "note_output_drained", None)
            if drained is not None:
                drained(request_id)

    def _streamed_response(self, path: str, headers: dict[str, str]) -> None:
        """A response POSTed in streaming mode: each chunk goes on as it arrives, the trailers
        say whether the handler failed. A runtime that hangs up mid-way raises Gone: the
        invocation then ends as the runtime's exit or its timeout says."""
        match = INVOCATION_POST.match(path)
        stream = None
        if match and match["what"] == "response":
            stream = self.backend.open_response_stream(
                match["id"], headers.get("content-type") or DEFAULT_CONTENT_TYPE)
        trailers: dict[str, str] = {}
        within_limit = True
        for piece in body_pieces(self.reader, headers, trailers):
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

    def _next(self, request: Request) -> _Step:
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

    def _park(self, request: Request) -> bool:
        park = getattr(self.backend, "park", None)
        if park is None:
            return False
        self._parked_request = request
        if park(self):
            return True
        self._parked_request = None
        return False

    def _wait_while_parked(self) -> Request | object | None:
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

    def _give_back(self, what: Request | object | None) -> None:
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
                except TimeoutError:   # nothing within wait_s (SO_RCVTIMEO)
                    return True
            if not is_complete(self.reader.buffered()):   # else no read can wait
                self._receive_timeout(deadline_s)
            request = read_request(self.reader)
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
        except BadRequest as exc:
            with contextlib.suppress(OSError):
                self._bad_request(exc)
        except (Gone, OSError):
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
            request = read_request(self.reader)   # all buffered: no system call
        except (BadRequest, Gone, OSError):
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


