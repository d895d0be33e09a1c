"""A runtime's request head read in one pass from the buffer is the request the line reader
reads, for every byte stream: the same method, path, headers and keep-alive, or the same
refusal, and the same bytes left for the body."""

from __future__ import annotations

import socket

from hypothesis import given, settings
from hypothesis import strategies as st

from samlite.runtime.runtime_api.messages import (
    BadRequest,
    Gone,
    Request,
    read_request,
    read_request_by_lines,
)
from samlite.socket_reader import SocketReader

_PIECES = st.sampled_from([
    b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n",
    b"POST /2018-06-01/runtime/invocation/r1/response?x=1 HTTP/1.1\r\n",
    b"GET / HTTP/1.0\r\n", b"GET /\r\n", b"Host: 127.0.0.1:9001\r\n",
    b"Content-Length: 5\r\n", b"Connection: close\r\n", b"connection: Keep-Alive\r\n",
    b"Lambda-Runtime-Function-Error-Type: X\r\n", b"X-A:  spaced \t\r\n", b"X-B:\r\n",
    b"x-a: again\r\n", b"\r\n", b"\n", b"\r", b"hello", b"no colon here\r\n",
    b": empty name\r\n", b"  : blank name\r\n", b"Bare: lf\n",
])
STREAMS = st.one_of(st.lists(_PIECES, max_size=10).map(b"".join), st.binary(max_size=200))


def outcome(raw: bytes, read: object) -> tuple[object, bytes]:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(raw)
        left.shutdown(socket.SHUT_WR)
        reader = SocketReader(right)
        reader.fill()
        try:
            request: Request | str | None = read(reader)   # type: ignore[operator]
        except (BadRequest, Gone) as exc:
            request = type(exc).__name__
        return request, reader.read()


@settings(max_examples=500, deadline=None)
@given(raw=STREAMS)
def test_a_buffered_head_reads_as_line_by_line(raw: bytes) -> None:
    assert outcome(raw, read_request) == outcome(raw, read_request_by_lines)


def test_a_pipelined_answer_and_next_read_in_turn() -> None:
    raw = (b"POST /2018-06-01/runtime/invocation/r1/response HTTP/1.1\r\nHost: h\r\n"
           b"Content-Length: 2\r\n\r\nok"
           b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: h\r\n\r\n")
    request, rest = outcome(raw, read_request)
    assert request == Request("POST", "/2018-06-01/runtime/invocation/r1/response",
                              {"host": "h", "content-length": "2"}, True)
    assert rest.startswith(b"okGET /2018-06-01/runtime/invocation/next")
