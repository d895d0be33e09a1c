"""Lambda's InvokeWithResponseStream on the local endpoint: the response as the function
streams it, framed as an AWS event stream (application/vnd.amazon.eventstream): one
PayloadChunk event per chunk as it arrives, then one InvokeComplete event. The invoke runs on
a thread of its own; a refusal (throttled, not found, too large) is an ordinary error answer,
since nothing has been sent yet.

Follows botocore's lambda model (InvokeWithResponseStream: POST
/2021-11-15/functions/{FunctionName}/response-streaming-invocations; X-Amz-Executed-Version
and Content-Type headers; the PayloadChunk and InvokeComplete events) and the event stream
encoding AWS's SDKs read: a prelude (total and header lengths, their CRC32), string headers
(:message-type, :event-type, :content-type), the payload and the message's CRC32.
"""

from __future__ import annotations

import binascii
import json
import struct
import threading
from collections.abc import Callable, Iterator
from typing import Any

from samlite.http.messages import Response
from samlite.runtime.invocation import Result
from samlite.runtime.response_stream import QueuedListener, StreamListener

STREAM_INVOKE_PATH_PREFIX = "/2021-11-15/functions"
INVOCATION_TYPES = ("RequestResponse", "DryRun")   # the model's ResponseStreamingInvocationType
_STRING_HEADER = 7                                 # the event stream's header value type
_BUFFERED_CONTENT_TYPE = "application/json"        # a function that did not stream


def event_message(event_type: str, payload: bytes, content_type: str) -> bytes:
    """One event stream message carrying an event."""
    headers = b"".join(_header(name, value) for name, value in (
        (":event-type", event_type), (":content-type", content_type),
        (":message-type", "event")))
    total = 12 + len(headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", binascii.crc32(prelude))
    message = prelude + headers + payload
    return message + struct.pack(">I", binascii.crc32(message))


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return struct.pack(">B", len(raw_name)) + raw_name + \
        struct.pack(">BH", _STRING_HEADER, len(raw_value)) + raw_value


def payload_chunk(data: bytes) -> bytes:
    return event_message("PayloadChunk", data, "application/octet-stream")


def invoke_complete(result: Result, *, log_result: str | None) -> bytes:
    """The last event: an error's code (the error type) and details (the error document)
    when the function failed, and the log tail when it was asked for."""
    body: dict[str, str] = {}
    if result.function_error:
        document = _json_object(result.payload)
        body["ErrorCode"] = str(document.get("errorType") or result.function_error)
        body["ErrorDetails"] = result.payload.decode("utf-8", "replace")
    if log_result is not None:
        body["LogResult"] = log_result
    return event_message("InvokeComplete", json.dumps(body).encode(), "application/json")


def stream_invoke(run: Callable[[StreamListener], Result], *, request_id: str,
                  executed_version: str,
                  log_result: Callable[[Result], str | None]) -> Response:
    """Start the invoke (`run`, given the listener) and answer once the response starts:
    its chunks as they come, then InvokeComplete. What `run` raises before then is raised
    here, for the route to answer as Lambda's error."""
    listener = QueuedListener()

    def work() -> None:
        outcome: Result | BaseException
        try:
            outcome = run(listener)
        except BaseException as exc:   # handed to the waiting request thread
            outcome = exc
        listener.events.put(("done", outcome))

    threading.Thread(target=work, name="invoke:response-stream", daemon=True).start()
    kind, value = listener.events.get()
    if kind == "done" and isinstance(value, BaseException):
        raise value
    content_type = value if kind == "start" else _BUFFERED_CONTENT_TYPE
    first: tuple[str, Any] | None = None if kind == "start" else (kind, value)
    # In HTTP chunks, one message each: an SDK reads each as it comes (botocore's reader
    # waits for a whole block of a body that is not chunked).
    headers = (("Content-Type", content_type), ("X-Amzn-RequestId", request_id),
               ("X-Amz-Executed-Version", executed_version), ("Transfer-Encoding", "chunked"))
    return Response(status=200, headers=headers,
                    stream=(b"%x\r\n%b\r\n" % (len(message), message)
                            for message in _events(listener, first, log_result)))


def _events(listener: QueuedListener, first: tuple[str, Any] | None,
            log_result: Callable[[Result], str | None]) -> Iterator[bytes]:
    pending = first
    while True:
        kind, value = pending if pending is not None else listener.events.get()
        pending = None
        if kind == "chunk" and value:
            yield payload_chunk(value)
        elif kind == "done":
            if isinstance(value, BaseException):   # after the stream began: end it as failed
                value = Result(request_id="", payload=b"{}", function_error="Unhandled")
            if first is not None and value.function_error is None and value.payload:
                yield payload_chunk(value.payload)   # not streamed: the whole response
            yield invoke_complete(value, log_result=log_result(value))
            yield b""   # the last chunk
            return


def _json_object(payload: bytes) -> dict[str, Any]:
    try:
        document = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return {}
    return document if isinstance(document, dict) else {}
