"""Where a request body ends (RFC 9112 section 6) and reading exactly that: a stream that ends
early is an IncompleteBody, a body over the limit is refused unread, bad framing is an error."""

from __future__ import annotations

import io

import pytest

from samlite.http.framing import (
    Framing,
    MalformedFraming,
    UnreadableBody,
    framing_of,
    read_body,
)
from samlite.http.messages import BodyTooLarge, IncompleteBody


@pytest.mark.parametrize(("case", "headers", "expected"), [
    ("no body", [], Framing()),
    ("a length", [("Content-Length", "5")], Framing(length=5)),
    ("a repeated equal length", [("Content-Length", "5"), ("content-length", "5")],
     Framing(length=5)),
    ("chunked", [("Transfer-Encoding", "chunked")], Framing(chunked=True)),
    ("chunked wins over a length", [("Content-Length", "3"), ("Transfer-Encoding", "Chunked")],
     Framing(chunked=True)),
    ("gzip then chunked", [("Transfer-Encoding", "gzip, chunked")], Framing(chunked=True)),
])
def test_framing(case: str, headers: list[tuple[str, str]], expected: Framing) -> None:
    assert framing_of(headers) == expected


@pytest.mark.parametrize(("case", "headers"), [
    ("not a number", [("Content-Length", "abc")]),
    ("negative", [("Content-Length", "-1")]),
    ("signed", [("Content-Length", "+5")]),
    ("two lengths", [("Content-Length", "5"), ("Content-Length", "6")]),
    ("two lengths in one", [("Content-Length", "5, 6")]),
    ("chunked not last", [("Transfer-Encoding", "chunked, gzip")]),
    ("unknown coding", [("Transfer-Encoding", "gzip")]),
])
def test_unframed_bodies_are_malformed(case: str, headers: list[tuple[str, str]]) -> None:
    with pytest.raises(MalformedFraming):
        framing_of(headers)


def read(data: bytes, framing: Framing, limit: int = 1000) -> bytes:
    return read_body(io.BufferedReader(io.BytesIO(data)), framing, limit_bytes=limit)


def test_reads_exactly_the_length_and_leaves_the_next_request() -> None:
    stream = io.BufferedReader(io.BytesIO(b"helloGET /next"))
    assert read_body(stream, Framing(length=5), limit_bytes=10) == b"hello"
    assert stream.read() == b"GET /next"


def test_a_body_shorter_than_its_length_is_incomplete() -> None:
    with pytest.raises(UnreadableBody) as raised:
        read(b"hello", Framing(length=1000), limit=2000)
    assert raised.value.problem == IncompleteBody(declared_bytes=1000, received_bytes=5)


def test_a_length_over_the_limit_is_refused_before_reading() -> None:
    stream = io.BufferedReader(io.BytesIO(b"x" * 20))
    with pytest.raises(UnreadableBody) as raised:
        read_body(stream, Framing(length=20), limit_bytes=10)
    assert raised.value.problem == BodyTooLarge(limit_bytes=10, declared_bytes=20)
    assert stream.tell() == 0


def test_chunked_bodies_with_extensions_and_trailers() -> None:
    data = b"2;name=v\r\nab\r\n3\r\ncde\r\n0\r\nX-Checksum: 1\r\n\r\n"
    assert read(data, Framing(chunked=True)) == b"abcde"


@pytest.mark.parametrize(("case", "data", "received"), [
    ("cut in a size line", b"2\r\nab\r\n3", 2),
    ("cut in a chunk", b"5\r\nab", 2),
    ("no last chunk", b"2\r\nab\r\n", 2),
    ("no blank line after the last chunk", b"2\r\nab\r\n0\r\n", 2),
])
def test_a_chunked_body_cut_short_is_incomplete(case: str, data: bytes, received: int) -> None:
    with pytest.raises(UnreadableBody) as raised:
        read(data, Framing(chunked=True))
    assert raised.value.problem == IncompleteBody(declared_bytes=None, received_bytes=received)


@pytest.mark.parametrize(("case", "data"), [
    ("a size that is not hex", b"zz\r\nab\r\n0\r\n\r\n"),
    ("a chunk longer than its size", b"2\r\nabc\r\n0\r\n\r\n"),
    ("a size line with no end", b"1" * 5000),
])
def test_malformed_chunked_bodies(case: str, data: bytes) -> None:
    with pytest.raises(MalformedFraming):
        read(data, Framing(chunked=True))


def test_chunks_over_the_limit_are_refused_without_reading_the_rest() -> None:
    with pytest.raises(UnreadableBody) as raised:
        read(b"8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n", Framing(chunked=True), limit=10)
    assert raised.value.problem == BodyTooLarge(limit_bytes=10)
