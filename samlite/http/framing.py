"""How long a request's body is and reading exactly that much (RFC 9112 section 6: message
body length, and section 7.1: chunked transfer coding). Works on any buffered binary stream,
so no sockets here: a stream that ends early is an IncompleteBody, never a shorter body."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from samlite.http.messages import BodyProblem, BodyTooLarge, IncompleteBody

_DIGITS = re.compile(r"[0-9]+")
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n")
_LINE_BYTES = 4096       # a chunk-size line or a trailer line
_MAX_TRAILERS = 100      # as http.client's cap on header lines
_READ_BYTES = 64 * 1024  # read in pieces, so a body cut short says how much came


class Stream(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Framing:
    """Where the body ends: after `length` bytes, or at the chunked body's last chunk."""
    length: int = 0
    chunked: bool = False


class MalformedFraming(ValueError):
    """The head does not say where the body ends (RFC 9112 6.3: answer 400 and close)."""


class UnreadableBody(Exception):
    def __init__(self, problem: BodyProblem) -> None:
        super().__init__(problem)
        self.problem = problem


def framing_of(headers: Iterable[tuple[str, str]]) -> Framing:
    """The body's framing from the request's headers (names in any case)."""
    lengths: set[str] = set()
    codings: list[str] = []
    for name, value in headers:
        lower = name.lower()
        if lower == "content-length":
            lengths.update(part.strip() for part in value.split(","))
        elif lower == "transfer-encoding":
            codings += [part.strip().lower() for part in value.split(",") if part.strip()]
    if codings:
        # 6.3: chunked must be the final coding, or the length cannot be known.
        if codings[-1] != "chunked":
            raise MalformedFraming(f"Transfer-Encoding {', '.join(codings)} does not end in "
                                   "chunked")
        return Framing(chunked=True)   # 6.3: Transfer-Encoding overrides Content-Length
    if not lengths:
        return Framing()
    if len(lengths) > 1:
        raise MalformedFraming(f"Content-Length has differing values: {sorted(lengths)}")
    (length,) = lengths
    if not _DIGITS.fullmatch(length):
        raise MalformedFraming(f"Content-Length is not a number of bytes: {length!r}")
    return Framing(length=int(length))


def read_body(stream: Stream, framing: Framing, *, limit_bytes: int) -> bytes:
    """Exactly the body `framing` describes, or UnreadableBody (too large: nothing more is
    read; incomplete: the stream ended or timed out first) or MalformedFraming."""
    if framing.chunked:
        return _read_chunked(stream, limit_bytes)
    if framing.length > limit_bytes:
        raise UnreadableBody(BodyTooLarge(limit_bytes=limit_bytes,
                                          declared_bytes=framing.length))
    return _read_exactly(stream, framing.length, declared=framing.length, before=0)


def _read_exactly(stream: Stream, size: int, *, declared: int | None, before: int) -> bytes:
    parts: list[bytes] = []
    received = 0
    while received < size:
        try:
            part = stream.read(min(_READ_BYTES, size - received))
        except TimeoutError:
            part = b""
        if not part:
            raise UnreadableBody(IncompleteBody(declared_bytes=declared,
                                                received_bytes=before + received))
        parts.append(part)
        received += len(part)
    return b"".join(parts)


def _read_chunked(stream: Stream, limit_bytes: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        line = _line(stream, total)
        match = _CHUNK_SIZE.fullmatch(line)
        if match is None:
            raise MalformedFraming(f"a chunk size line is not hex digits: {line[:40]!r}")
        size = int(match.group(1), 16)
        if size == 0:
            _skip_trailers(stream, total)
            return b"".join(parts)
        if total + size > limit_bytes:
            raise UnreadableBody(BodyTooLarge(limit_bytes=limit_bytes))
        parts.append(_read_exactly(stream, size, declared=None, before=total))
        total += size
        if _line(stream, total) not in (b"\r\n", b"\n"):
            raise MalformedFraming("a chunk is longer than its size line says")


def _skip_trailers(stream: Stream, received: int) -> None:
    for _ in range(_MAX_TRAILERS):
        if _line(stream, received) in (b"\r\n", b"\n"):
            return
    raise MalformedFraming(f"more than {_MAX_TRAILERS} trailer lines")


def _line(stream: Stream, received: int) -> bytes:
    """One whole line; the stream ending (or timing out) before its newline is incomplete."""
    try:
        line = stream.readline(_LINE_BYTES + 1)
    except TimeoutError:
        line = b""
    if not line.endswith(b"\n"):
        if len(line) > _LINE_BYTES:
            raise MalformedFraming(f"a chunked body line is longer than {_LINE_BYTES} bytes")
        raise UnreadableBody(IncompleteBody(declared_bytes=None, received_bytes=received))
    return line
