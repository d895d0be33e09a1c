"""A request head's headers read as http.client reads them (its email parser, its limits),
whether the head is taken from the connection's buffer at once or line by line, and the
body that follows left unread."""

from __future__ import annotations

import email.parser
import http.client
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samlite.http.head_lines import MAX_HEADERS, read_headers

PIECES = ["Host", "X-Amz-Target", "a", "-", ":", " ", "\t", "\r", "\n", "\r\n", "é", "\x00",
          "(", "1", "\r\n\r\n", ": v"]


def as_http_client_reads(data: bytes) -> tuple[list[tuple[str, str]], bytes]:
    """The pairs http.client.parse_headers gives, and what is left after the head."""
    stream = io.BytesIO(data)
    message = http.client.parse_headers(stream)
    return [(name, str(value)) for name, value in message.items()], stream.read()


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(st.lists(st.sampled_from(PIECES), max_size=6).map("".join), max_size=5),
       endings=st.sampled_from(["\r\n", "\n"]), end=st.sampled_from(["\r\n", "\n", ""]),
       rest=st.sampled_from([b"", b'{"a": 1}', b"X: y\r\n\r\n"]),
       buffered=st.booleans())
def test_a_head_reads_as_http_clients_parser_reads_it(
        lines: list[str], endings: str, end: str, rest: bytes, buffered: bool) -> None:
    data = ("".join(line + endings for line in lines) + end).encode("latin-1") + rest
    stream = io.BufferedReader(io.BytesIO(data)) if buffered else io.BytesIO(data)
    pairs = read_headers(stream).items()
    assert (pairs, stream.read()) == as_http_client_reads(data)


@pytest.mark.parametrize("buffered", [True, False], ids=["from the buffer", "line by line"])
@pytest.mark.parametrize("count", [MAX_HEADERS - 2, MAX_HEADERS - 1, MAX_HEADERS])
def test_more_headers_than_http_client_takes_are_refused(count: int, buffered: bool) -> None:
    data = b"".join(b"H%d: v\r\n" % i for i in range(count)) + b"\r\n"
    stream = io.BufferedReader(io.BytesIO(data)) if buffered else io.BytesIO(data)
    if count >= MAX_HEADERS:
        with pytest.raises(http.client.HTTPException):
            read_headers(stream)
    else:
        assert len(read_headers(stream).items()) == count


def test_a_header_is_looked_up_by_its_first_value_in_any_case() -> None:
    stream = io.BufferedReader(io.BytesIO(b"Expect: 100-continue\r\nEXPECT: other\r\n\r\n"))
    headers = read_headers(stream)
    assert headers.get("expect") == "100-continue"
    assert headers.get("Connection", "none") == "none"


def test_the_email_parser_reads_a_folded_line_its_own_way() -> None:
    data = b"A: one\r\n two\r\n\r\n"
    message = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(data.decode())
    assert read_headers(io.BufferedReader(io.BytesIO(data))).items() \
        == [(name, str(value)) for name, value in message.items()]
