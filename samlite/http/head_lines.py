"""A request head's header lines, read with http.client's limits and split into (name,
value) pairs as http.client's email parser splits them, without running that parser: it
cost a fifth of a small call's time on the endpoint (profiled in issue 16). A head the
parser would read in a way of its own (a folded line, a name it does not take as a header,
a bare CR) is handed to it, so every head gets the parser's reading."""

from __future__ import annotations

import email.parser
import http.client
import re
from typing import BinaryIO

MAX_LINE_BYTES = 65536      # http.client's _MAXLINE and _MAXHEADERS
MAX_HEADERS = 100
# Lines the email parser reads as plain `name: value` pairs: a name of the characters it
# takes in one (RFC 5322's ftext), a colon, a value without CR or LF, the line's end.
_PLAIN_LINES = re.compile(r"(?:[\x21-\x39\x3b-\x7e]+:[^\r\n]*\r?\n)*")
_END = (b"\r\n", b"\n", b"")


class HeadLines:
    """The head's headers in order, repeats kept, names as sent: what the server reads of
    `self.headers` (an email Message costs a call's worth of checks per header)."""

    __slots__ = ("_first", "pairs")

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs
        self._first: dict[str, str] | None = None

    def items(self) -> list[tuple[str, str]]:
        return self.pairs

    def get(self, name: str, default: str = "") -> str:
        """The first value sent under `name` (any case), as the email Message's get."""
        if self._first is None:
            self._first = {}
            for key, value in self.pairs:
                self._first.setdefault(key.lower(), value)
        return self._first.get(name.lower(), default)


def read_headers(rfile: BinaryIO) -> HeadLines:
    """The headers up to the blank line that ends the head. Raises http.client.LineTooLong
    or http.client.HTTPException (too many) as http.client.parse_headers does."""
    pairs = _buffered_pairs(rfile)
    if pairs is not None:
        return HeadLines(pairs)
    lines: list[bytes] = []
    while True:
        line = rfile.readline(MAX_LINE_BYTES + 1)
        if len(line) > MAX_LINE_BYTES:
            raise http.client.LineTooLong("header line")
        lines.append(line)
        if len(lines) > MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers")
        if line in _END:
            break
    pairs = _plain_pairs(lines)
    if pairs is None:
        text = b"".join(lines).decode("iso-8859-1")
        message = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(text)
        pairs = [(name, str(value)) for name, value in message.items()]
    return HeadLines(pairs)


def _buffered_pairs(rfile: BinaryIO) -> list[tuple[str, str]] | None:
    """The pairs of a plain head already in the reader's buffer (an SDK's whole request
    usually is), taken in one read instead of a readline per header; None (nothing taken)
    for any other head, which the line by line reading then reads."""
    peek = getattr(rfile, "peek", None)
    if peek is None:
        return None
    data = peek(0)
    if data.startswith(b"\r\n"):
        rfile.read(2)
        return []
    end = data.find(b"\r\n\r\n")
    # Past these limits the line by line reading says which one was broken.
    if end < 0 or end > MAX_LINE_BYTES or data.count(b"\n", 0, end) >= MAX_HEADERS - 1:
        return None
    text = data[:end + 2].decode("iso-8859-1")
    if _PLAIN_LINES.fullmatch(text) is None:   # no blank line before the end, either
        return None
    rfile.read(end + 4)
    return _pairs(text)


def _plain_pairs(lines: list[bytes]) -> list[tuple[str, str]] | None:
    """Each line `Name: value` (value with its leading blanks off, as the parser's compat32
    policy takes it); None where the parser would read a line otherwise. The lines are
    checked by one match of the whole head, not line by line (most of a head's cost)."""
    text = b"".join(lines[:-1]).decode("iso-8859-1")
    if _PLAIN_LINES.fullmatch(text) is None:
        return None
    return _pairs(text)


def _pairs(text: str) -> list[tuple[str, str]]:
    """The pairs of lines _PLAIN_LINES matched."""
    return [(name, value.lstrip(" \t")) for name, _, value in
            (line.partition(":") for line in text.replace("\r", "").split("\n")[:-1])]
