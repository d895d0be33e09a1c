"""A runtime's HTTP/1.1 requests, read off its connection: the request line and headers,
Content-Length or chunked bodies (whole, or piece by piece for a streamed response). The
Runtime API is a handful of fixed requests from runtime clients, so they are read directly
rather than through http.server, whose email-based header parsing was the largest cost of a
warm invoke. No answers here: connection.py writes them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from samlite.runtime.runtime_api.model import MAX_BODY_READ
from samlite.socket_reader import SocketReader

MAX_HEADER_LINES = 100
MAX_LINE = 65536
PIECE_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str                  # without the query
    headers: dict[str, str]    # names in lower case
    keep_alive: bool


class BadRequest(Exception):
    """The request cannot be read; it is answered 400 and the connection ends."""


class Gone(Exception):
    """The client went away before its request had fully arrived: nothing runs."""


def read_request(reader: SocketReader) -> Request | None:
    """The next request's line and headers; None when the client has closed."""
    whole = _buffered_request(reader)
    return whole if whole is not None else read_request_by_lines(reader)


def read_request_by_lines(reader: SocketReader) -> Request | None:
    """read_request, a line at a time (a head not all buffered, or one it would not read)."""
    line = reader.readline(MAX_LINE + 1)
    while line in (b"\r\n", b"\n"):   # tolerated between requests, as http.server does
        line = reader.readline(MAX_LINE + 1)
    if not line:
        return None
    if not line.endswith(b"\n"):
        raise (BadRequest("request line too long") if len(line) > MAX_LINE
               else Gone())
    parts = line.decode("latin-1").split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise BadRequest("the request line is not `METHOD PATH HTTP/1.x`")
    method, path, version = parts
    headers = read_headers(reader)
    keep_alive = headers.get("connection", "").lower() != "close" and \
        version == "HTTP/1.1"
    return Request(method, path.split("?", 1)[0], headers, keep_alive)


def _buffered_request(reader: SocketReader) -> Request | None:
    """A head that is all in the buffer (a runtime client's usual request, often with its
    next /next behind it), read in one pass rather than line by line: the same request as
    the line reader's. None, reading nothing, for any head it might answer otherwise (blank
    lines first, a bare LF, lines or a count near the limits, a header without a name)."""
    buffered = reader.buffered()
    end = buffered.find(b"\r\n\r\n")
    if end <= 0 or end >= MAX_LINE - 1 or buffered.startswith(b"\n"):
        return None
    lines = buffered[:end].decode("latin-1").split("\r\n")
    if len(lines) >= MAX_HEADER_LINES or buffered.count(b"\n", 0, end) != len(lines) - 1:
        return None
    parts = lines[0].split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not name:
            return None
        headers[name.lower()] = value.strip()
    reader.read(end + 4)   # all buffered: no system call
    method, path, version = parts
    keep_alive = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
    return Request(method, path.split("?", 1)[0], headers, keep_alive)


def is_complete(buffered: bytes) -> bool:
    """Whether `buffered` starts with a whole request whose body (by Content-Length, or
    none) is all there: reading it takes no system call, so needs no read deadline. False
    when unsure (a chunked body, a header not understood)."""
    head_end = buffered.find(b"\r\n\r\n")
    if head_end < 0:
        return False
    head = buffered[:head_end].lower()
    if b"\ntransfer-encoding:" in head:
        return False
    start = head.find(b"\ncontent-length:")
    if start < 0:
        return True
    start += len(b"\ncontent-length:")
    end = head.find(b"\r\n", start)
    value = head[start:end if end >= 0 else len(head)].strip()
    return value.isdigit() and len(buffered) >= head_end + 4 + int(value)


def read_headers(reader: SocketReader) -> dict[str, str]:
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        line = reader.readline(MAX_LINE + 1)
        if line in (b"\r\n", b"\n"):
            return headers
        if not line.endswith(b"\n"):
            raise (BadRequest("header line too long") if len(line) > MAX_LINE
                   else Gone())
        name, colon, value = line.decode("latin-1").partition(":")
        if not colon or not name.strip():
            raise BadRequest("a header line without a name and a colon")
        headers[name.strip().lower()] = value.strip()
    raise BadRequest("too many header lines")


def read_body(reader: SocketReader, headers: dict[str, str]) -> bytes | None:
    """The whole body; None (after reading it) when it is past MAX_BODY_READ. Raises
    Gone when it ends early: a half-sent response must not count."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return _chunked_body(reader)
    length = content_length(headers.get("content-length"))
    if length <= MAX_BODY_READ:
        return read_exactly(reader, length)
    _discard(reader, length)
    return None


def _chunked_body(reader: SocketReader) -> bytes | None:
    chunks, size = [], 0
    while True:
        length = _chunk_length(reader)
        if length == 0:
            for _ in range(MAX_HEADER_LINES):   # trailers
                trailer = reader.readline(MAX_LINE + 1)
                if trailer in (b"\r\n", b"\n"):
                    break
                if not trailer.endswith(b"\n"):
                    raise Gone()
            else:
                raise BadRequest("too many trailer lines")
            break
        size += length
        if size <= MAX_BODY_READ:
            chunks.append(read_exactly(reader, length))
        else:
            _discard(reader, length)
        _end_of_chunk(reader)
    return b"".join(chunks) if size <= MAX_BODY_READ else None


def _chunk_length(reader: SocketReader) -> int:
    """The size line that opens a chunk."""
    line = reader.readline(1024)
    if not line.endswith(b"\n"):
        raise Gone() if len(line) < 1024 else BadRequest("chunk size line too long")
    return chunk_size(line)


def _end_of_chunk(reader: SocketReader) -> None:
    if reader.readline(8) not in (b"\r\n", b"\n"):
        raise BadRequest("a chunk is not followed by CRLF")


def _discard(reader: SocketReader, length: int) -> None:
    """Read past a body too large to keep, a MiB at a time."""
    while length > 0:
        length -= len(read_exactly(reader, min(length, 1 << 20)))


def read_exactly(reader: SocketReader, length: int) -> bytes:
    data = reader.read(length) if length else b""
    if len(data) < length:
        raise Gone()
    return data


def body_pieces(reader: SocketReader, headers: dict[str, str],
                 trailers: dict[str, str]) -> Iterator[bytes]:
    """The body as it arrives, in pieces of at most a MiB; a chunked body's trailers are
    put in `trailers` (names in lower case)."""
    if "chunked" not in headers.get("transfer-encoding", "").lower():
        length = content_length(headers.get("content-length"))
        while length > 0:
            piece = read_exactly(reader, min(length, PIECE_BYTES))
            length -= len(piece)
            yield piece
        return
    while True:
        length = _chunk_length(reader)
        if length == 0:
            trailers.update(read_headers(reader))
            return
        while length > 0:
            piece = reader.read1(min(length, PIECE_BYTES))
            if not piece:
                raise Gone()
            length -= len(piece)
            yield piece
        _end_of_chunk(reader)


def content_length(value: str | None) -> int:
    """Content-Length as RFC 9110 section 8.6 allows it: decimal digits only."""
    if value is None or value == "":
        return 0
    if not (value.isascii() and value.isdigit()):
        raise BadRequest(f"Content-Length must be a number of bytes (got {value[:40]!r})")
    return int(value)


def chunk_size(line: bytes) -> int:
    text = line.split(b";", 1)[0].strip()
    try:
        if not text or not all(c in b"0123456789abcdefABCDEF" for c in text):
            raise ValueError(text)
        return int(text, 16)
    except ValueError:
        raise BadRequest(f"a chunk size must be hexadecimal (got {text[:40]!r})") from None
