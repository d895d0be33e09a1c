"""A streamed response on its way from a runtime to whoever invoked. The Runtime API reads the
chunked POST and writes into a ResponseStream; the service's StreamedResponse keeps what a
buffered caller needs and hands each chunk to a StreamListener when the caller streams (a
function URL in RESPONSE_STREAM mode). No sockets here.

Follows the Lambda developer guide: "Response streaming" in "Using the Lambda runtime API
for custom runtimes" (the mode header, chunked body, error trailers) and "Response streaming
for Lambda functions" (the 200 MB limit; a buffered caller gets the whole response, up to
its own 6 MB).
"""

from __future__ import annotations

import base64
import binascii
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

RESPONSE_MODE_HEADER = "Lambda-Runtime-Function-Response-Mode"
STREAMING_MODE = "streaming"
ERROR_TYPE_TRAILER = "Lambda-Runtime-Function-Error-Type"
ERROR_BODY_TRAILER = "Lambda-Runtime-Function-Error-Body"       # base64 of the error document
DEFAULT_CONTENT_TYPE = "application/octet-stream"               # the Node client's default
STREAM_PAYLOAD_LIMIT = 200 * 1024 * 1024   # "response streaming functions ... up to 200 MB"


class ResponseStream(Protocol):
    """One streamed response as the Runtime API reads it (the service's side)."""

    def write(self, chunk: bytes) -> bool:
        """Pass a chunk on; False once the response is past its limit (the rest is dropped)."""
        ...

    def end(self, trailers: Mapping[str, str]) -> None:
        """The body ended whole; `trailers` (names in lower case) may carry an error."""
        ...


class StreamListener(Protocol):
    """A caller that takes the response as it comes (a function URL)."""

    def started(self, content_type: str) -> None: ...

    def chunk(self, data: bytes) -> None: ...


class QueuedListener:
    """A StreamListener for a caller on another thread: ("start", content type) and
    ("chunk", bytes) go on `events` in order; the invoking thread adds ("done", its outcome)."""

    def __init__(self) -> None:
        self.events: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()

    def started(self, content_type: str) -> None:
        self.events.put(("start", content_type))

    def chunk(self, data: bytes) -> None:
        self.events.put(("chunk", data))


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamOutcome:
    """How a streamed response ended, for the invocation's result."""

    body: bytes                       # the whole body for a buffered caller, else its head
    size_bytes: int                   # all that the runtime sent
    limit_bytes: int
    error_type: str | None = None     # from the trailers: the handler failed
    error_body: bytes | None = None   # the error document, decoded

    @property
    def is_too_large(self) -> bool:
        return self.size_bytes > self.limit_bytes


def error_of(trailers: Mapping[str, str]) -> tuple[str | None, bytes | None]:
    """The error type and document a runtime put in the trailers; (None, None) when none. A
    body that is not base64 is kept as sent."""
    error_type = trailers.get(ERROR_TYPE_TRAILER.lower()) or None
    encoded = trailers.get(ERROR_BODY_TRAILER.lower())
    if encoded is None:
        return error_type, None
    try:
        return error_type, base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return error_type, encoded.encode("utf-8", "replace")


class StreamedResponse:
    """The service's ResponseStream for one invocation: each chunk goes to the listener as it
    comes (when the caller streams) and the body is kept for a buffered caller; `finish` gets
    the outcome once, at the end. `keep_bytes` bounds what a streaming caller's record keeps."""

    def __init__(self, *, content_type: str, listener: StreamListener | None,
                 limit_bytes: int, keep_bytes: int,
                 finish: Callable[[StreamOutcome], None]) -> None:
        self._listener = listener
        self._limit_bytes = limit_bytes
        self._keep_bytes = limit_bytes if listener is None else keep_bytes
        self._finish = finish
        self._kept: list[bytes] = []
        self._kept_bytes = 0
        self._size_bytes = 0
        self._lock = threading.Lock()
        if listener is not None:
            listener.started(content_type)

    def write(self, chunk: bytes) -> bool:
        with self._lock:
            self._size_bytes += len(chunk)
            if self._size_bytes > self._limit_bytes:
                return False
            if self._kept_bytes < self._keep_bytes:
                piece = chunk[:self._keep_bytes - self._kept_bytes]
                self._kept.append(piece)
                self._kept_bytes += len(piece)
        if self._listener is not None and chunk:
            self._listener.chunk(chunk)
        return True

    def end(self, trailers: Mapping[str, str]) -> None:
        error_type, error_body = error_of(trailers)
        with self._lock:
            outcome = StreamOutcome(body=b"".join(self._kept), size_bytes=self._size_bytes,
                                    limit_bytes=self._limit_bytes, error_type=error_type,
                                    error_body=error_body)
        self._finish(outcome)
