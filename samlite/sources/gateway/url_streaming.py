"""A function URL in RESPONSE_STREAM mode: the invoke runs on a thread of its own with a
listener, and the client gets the response as the function streams it. Status and headers
come from the application/vnd.awslambda.http-integration-response prelude (a JSON document,
then 8 NUL bytes), else 200 and the stream's content type; the body follows in HTTP chunks as
they arrive. A failure mid-stream ends the body without its last chunk, so the client sees it
cut short. A response that was not streamed (a buffered handler), or that failed before its
first byte, is answered as a buffered URL answers it.

Follows the Lambda developer guide, "Invoking a response streaming enabled function using
Lambda function URLs" and "Writing response streaming-enabled Lambda functions".
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from samlite.runtime.invocation import Result
from samlite.runtime.response_stream import QueuedListener, StreamListener
from samlite.sources.gateway.events import (
    HttpResponse,
    MalformedResponse,
    header_value,
    status_code,
)

HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response"
PRELUDE_DELIMITER = b"\0" * 8
LAST_CHUNK = b"0\r\n\r\n"

# What the invoking thread ends with: the service's Result, the gateway's own answer (a
# refused invoke), or what it raised.
Outcome = Result | HttpResponse | BaseException
Event = tuple[str, Any]   # ("start", content type) | ("chunk", bytes) | ("done", Outcome)


def split_prelude(received: bytes) -> tuple[bytes, bytes] | None:
    """(prelude, what follows) once the delimiter has arrived; None before."""
    prelude, found, rest = received.partition(PRELUDE_DELIMITER)
    return (prelude, rest) if found else None


def prelude_head(prelude: bytes) -> tuple[int, tuple[tuple[str, str], ...]]:
    """The status and headers a prelude sets: statusCode (200 when absent), headers, and
    one Set-Cookie per cookie. MalformedResponse when it is not such a document."""
    try:
        doc = json.loads(prelude) if prelude.strip() else {}
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedResponse(f"the response stream's prelude is not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise MalformedResponse("the response stream's prelude must be a JSON object")
    status = status_code(doc["statusCode"]) if "statusCode" in doc else 200
    single = doc.get("headers") or {}
    cookies = doc.get("cookies") or []
    if not isinstance(single, dict):
        raise MalformedResponse("the prelude's headers must be an object")
    if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
        raise MalformedResponse("the prelude's cookies must be a list of strings")
    headers = [(str(name), header_value(value)) for name, value in single.items()]
    headers.extend(("Set-Cookie", cookie) for cookie in cookies)
    return status, tuple(headers)


def streamed_response(run: Callable[[StreamListener], Result | HttpResponse], *,
                      answer: Callable[[Result | HttpResponse], HttpResponse],
                      malformed: Callable[[MalformedResponse], HttpResponse],
                      extra_headers: tuple[tuple[str, str], ...] = ()) -> HttpResponse:
    """Run the invoke (`run`, given the listener) and answer as soon as the response starts.
    `answer` maps an outcome that was not streamed; `malformed` answers a prelude that is
    not one."""
    listener = QueuedListener()

    def work() -> None:
        outcome: Outcome
        try:
            outcome = run(listener)
        except BaseException as exc:   # handed to the waiting request thread
            outcome = exc
        listener.events.put(("done", outcome))

    threading.Thread(target=work, name="invoke:url-stream", daemon=True).start()
    kind, value = listener.events.get()
    if kind == "done":
        return answer(_raised(value))
    content_type: str = value
    has_prelude = content_type == HTTP_INTEGRATION_CONTENT_TYPE
    # Nothing is sent before the first byte of the body: the status is not known until then
    # (a prelude sets it; a failure before any byte is the URL's usual error answer).
    received = b""
    while True:
        kind, value = listener.events.get()
        if kind == "done":
            outcome = _raised(value)
            if not _succeeded(outcome):
                return answer(outcome)
            if received:   # the prelude never ended
                return malformed(MalformedResponse("the response stream ended inside its "
                                                   "prelude"))
            plain = () if has_prelude else (("Content-Type", content_type),)
            return HttpResponse(status=200, headers=(*plain, *extra_headers))
        received += value
        if not has_prelude and received:
            status, headers, rest = 200, (("Content-Type", content_type),), received
            break
        if has_prelude and (parts := split_prelude(received)) is not None:
            prelude, rest = parts
            try:
                status, headers = prelude_head(prelude)
            except MalformedResponse as exc:
                return malformed(exc)
            break
    return HttpResponse(status=status,
                        headers=(*headers, *extra_headers, ("Transfer-Encoding", "chunked")),
                        stream=_body(listener.events, rest))


def _body(events: queue.SimpleQueue[Event], first: bytes) -> Iterator[bytes]:
    """The body in HTTP/1.1 chunks; the last chunk only when the invocation succeeded."""
    if first:
        yield _chunk(first)
    while True:
        kind, value = events.get()
        if kind == "chunk":
            if value:
                yield _chunk(value)
        elif kind == "done":
            if _succeeded(value):
                yield LAST_CHUNK
            return


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%b\r\n" % (len(data), data)


def _succeeded(outcome: Outcome) -> bool:
    return isinstance(outcome, Result) and outcome.function_error is None


def _raised(outcome: Outcome) -> Result | HttpResponse:
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome
