"""The Runtime API's vocabulary: its paths and headers, what the service's side answers, and
the protocols between the server (hub.py, connection.py) and the Lambda service. No I/O."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from samlite.runtime.invocation import Invocation
from samlite.runtime.response_stream import ResponseStream

PREFIX = "/2018-06-01/runtime"
NEXT_PATH = f"{PREFIX}/invocation/next"
INIT_ERROR_PATH = f"{PREFIX}/init/error"
INVOCATION_POST = re.compile(rf"^{PREFIX}/invocation/(?P<id>[^/]+)/(?P<what>response|error)$")
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
# samlite's own: python_loop.py sends its environment's token in it on every request.
TOKEN_HEADER = "X-Samlite-Runtime-Token"  # noqa: S105 - a name, not the secret
# samlite's own: python_loop.py sends its runtime's peak memory (VmHWM, kB) with each outcome.
PEAK_MEMORY_HEADER = "X-Samlite-Peak-Memory-Kb"
# and this one when its output pipe held nothing unread as it posted the outcome.
OUTPUT_DRAINED_HEADER = "X-Samlite-Output-Drained"
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
    # `note_peak_memory_kb(kb)` and `note_output_drained(request_id)`, when a backend has
    # them, hear PEAK_MEMORY_HEADER and OUTPUT_DRAINED_HEADER before the outcome that
    # carried them.


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


