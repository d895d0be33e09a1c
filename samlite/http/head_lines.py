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
# The characters the email parser takes in a header's name (RFC 5322's ftext).
_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]+\Z")
_END = (b"\r\n", b"\n", b"")


class HeadLines:
    """The head's headers in order, repeats kept, names as sent: what the server reads of
    `self.headers` (an email Message costs a call's worth of checks per header)."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def items(self) -> list[tuple[str, str]]:
        return self.pairs

    def get(self, name: str, default: str = "") -> str:
        lower = name.lower()
        return next((value for key, value in self.pairs if key.lower() == lower), default)


def read_headers(rfile: BinaryIO) -> HeadLines:
    """The headers up to the blank line that ends the head. Raises http.client.LineTooLong
    or http.client.HTTPException (too many) as http.client.parse_headers does."""
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


def _plain_pairs(lines: list[bytes]) -> list[tuple[str, str]] | None:
    """Each line `Name: value` (value with its leading blanks off, as the parser's compat32
    policy takes it); None where the parser would read a line otherwise."""
    pairs = []
    for raw in lines:
        if raw in _END:
            break
        line = raw.decode("iso-8859-1").removesuffix("\n").removesuffix("\r")
        name, colon, value = line.partition(":")
        if not colon or "\r" in line or "\n" in line or not _NAME.match(name):
            return None
        pairs.append((name, value.lstrip(" \t")))
    return pairs
