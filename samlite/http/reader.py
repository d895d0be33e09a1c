"""A connection's input: one buffer over a blocking socket, read with one recv at a time,
with the readline/read/read1/peek that head_lines.py and framing.py use. It notes when the
client closes its side (a head cut off there must not run as though it had ended) and turns
the kernel's read timeout (SO_RCVTIMEO: a blocking socket needs no poll before each recv)
into TimeoutError, as a socket timeout would be."""

from __future__ import annotations

import socket

# One recv takes what a request usually is whole (an SDK's head and small body).
_RECV_BYTES = 32 * 1024


class SocketReader:
    __slots__ = ("_buffer", "_sock", "ended")

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""
        self.ended = False

    def _recv(self, size: int) -> bytes:
        try:
            data = self._sock.recv(size)
        except BlockingIOError as exc:   # SO_RCVTIMEO ran out
            raise TimeoutError("the client sent nothing within the read timeout") from exc
        if not data:
            self.ended = True
        return data

    def _fill(self) -> bool:
        """One more recv into the buffer; False once the client has closed."""
        data = self._recv(_RECV_BYTES)
        if not data:
            return False
        self._buffer = self._buffer + data if self._buffer else data
        return True

    def _take(self, size: int) -> bytes:
        data = self._buffer
        if size >= len(data):
            self._buffer = b""
            return data
        self._buffer = data[size:]
        return data[:size]

    def readline(self, size: int = -1, /) -> bytes:
        """Up to and with the next newline, at most `size` bytes; less at the end of input."""
        scanned = 0
        while True:
            end = self._buffer.find(b"\n", scanned)
            if end >= 0 and (size < 0 or end < size):
                return self._take(end + 1)
            if 0 <= size <= len(self._buffer):
                return self._take(size)
            scanned = len(self._buffer)
            if not self._fill():
                return self._take(len(self._buffer))

    def read(self, size: int = -1, /) -> bytes:
        """`size` bytes, fewer only at the end of input (a body is read straight from the
        socket past what is buffered: a 64 MB upload is never joined piece by piece)."""
        if size < 0:
            while self._fill():
                pass
            return self._take(len(self._buffer))
        if len(self._buffer) >= size:
            return self._take(size)
        parts = [self._take(size)]
        missing = size - len(parts[0])
        while missing:
            data = self._recv(missing)
            if not data:
                break
            parts.append(data)
            missing -= len(data)
        return b"".join(parts)

    def read1(self, size: int = -1, /) -> bytes:
        """What is buffered, or one recv's worth when nothing is."""
        if not self._buffer and not self._fill():
            return b""
        return self._take(len(self._buffer) if size < 0 else size)

    def peek(self, size: int = 0, /) -> bytes:
        """The buffered bytes without taking them (one recv first when there are none)."""
        if not self._buffer:
            self._fill()
        return self._buffer
