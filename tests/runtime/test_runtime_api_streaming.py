"""A streamed /response on the Runtime API's wire (the "Response streaming" section of the
Runtime API docs): each chunk reaches the service as it arrives, the error trailers are read,
and a stream for no invocation in progress is refused once its body is read."""

from __future__ import annotations

import base64
import json
import queue
from collections.abc import Iterator, Mapping

import pytest

from samlite.runtime.response_stream import error_of
from samlite.runtime.runtime_api import RuntimeApiHub
from tests.runtime.test_runtime_api import WAIT_S, ScriptedBackend, answer, connect

HEAD = ("POST /2018-06-01/runtime/invocation/{id}/response HTTP/1.1\r\nHost: x\r\n"
        "Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: text/plain\r\n"
        "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n\r\n")


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%b\r\n" % (len(data), data)


class StreamingBackend(ScriptedBackend):
    """Streams for one request id: what arrives goes on a queue."""

    def __init__(self, request_id: str) -> None:
        super().__init__()
        self.request_id = request_id
        self.arrived: queue.Queue[tuple[str, object]] = queue.Queue()

    def open_response_stream(self, request_id: str, content_type: str) -> StreamingBackend | None:
        if request_id != self.request_id:
            return None
        self.arrived.put(("start", content_type))
        return self

    def write(self, chunk: bytes) -> bool:
        self.arrived.put(("chunk", chunk))
        return True

    def end(self, trailers: Mapping[str, str]) -> None:
        self.arrived.put(("end", dict(trailers)))


@pytest.fixture
def backend() -> StreamingBackend:
    return StreamingBackend("r-1")


@pytest.fixture
def address(backend: StreamingBackend) -> Iterator[str]:
    hub = RuntimeApiHub(poll_slice_s=0.05)
    yield hub.open(backend)
    hub.stop()


def test_each_chunk_reaches_the_service_before_the_next_is_sent(
        address: str, backend: StreamingBackend) -> None:
    with connect(address) as sock:
        sock.sendall(HEAD.format(id="r-1").encode() + chunk(b"one"))
        assert backend.arrived.get(timeout=WAIT_S) == ("start", "text/plain")
        assert backend.arrived.get(timeout=WAIT_S) == ("chunk", b"one")
        sock.sendall(chunk(b"two") + b"0\r\n\r\n")
        status, _, body = answer(sock)
    assert backend.arrived.get(timeout=WAIT_S) == ("chunk", b"two")
    assert backend.arrived.get(timeout=WAIT_S) == ("end", {})
    assert (status, json.loads(body)) == (202, {"status": "OK"})


def test_the_error_trailers_are_read(address: str, backend: StreamingBackend) -> None:
    document = {"errorType": "Error", "errorMessage": "boom", "trace": []}
    encoded = base64.b64encode(json.dumps(document).encode()).decode()
    trailers = (f"Lambda-Runtime-Function-Error-Type: Error\r\n"
                f"Lambda-Runtime-Function-Error-Body: {encoded}\r\n\r\n")
    with connect(address) as sock:
        sock.sendall(HEAD.format(id="r-1").encode() + chunk(b"partial") + b"0\r\n"
                     + trailers.encode())
        status, _, _ = answer(sock)
    events = [backend.arrived.get(timeout=WAIT_S) for _ in range(3)]
    kind, received = events[-1]
    assert status == 202 and kind == "end"
    error_type, body = error_of(received)  # type: ignore[arg-type]
    assert (error_type, json.loads(body or b"")) == ("Error", document)


def test_a_stream_for_no_invocation_in_progress_is_refused_and_the_connection_kept(
        address: str, backend: StreamingBackend) -> None:
    with connect(address) as sock:
        sock.sendall(HEAD.format(id="stale").encode() + chunk(b"late") + b"0\r\n\r\n")
        status, _, body = answer(sock)
        sock.sendall(HEAD.format(id="r-1").encode() + b"0\r\n\r\n")
        again, _, _ = answer(sock)
    assert (status, json.loads(body)["errorType"]) == (400, "InvalidRequestID")
    assert again == 202
