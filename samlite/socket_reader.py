"""Buffered reads of one blocking socket, for the HTTP server's connections and the Runtime
API's. One recv at a time into one buffer, with the readline/read/read1/peek that
head_lines.py, framing.py and the Runtime API's request reader use. Unlike io.BufferedReader
it can say what has already arrived without a system call (`buffered()`: the Runtime API sees
whether a runtime's next `/next` came in the same write as its answer), it notes when the
peer closes its side (a head cut off there must not run as though it had ended), and it turns
the kernel's read timeout (SO_RCVTIMEO: a blocking socket needs no poll before each recv) into
TimeoutError, as a socket timeout would be. A line read that times out keeps what had arrived,
so it can be retried."""

from __future__ import annotations

import socket

# One recv takes what a request usually is whole (an SDK's head and small body, a runtime's
# pipelined answer and next /next).
_RECV_BYTES = 64 * 1024


class SocketReader:
    __slots__ = ("_buffer", "_sock", "ended")

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""
        self.ended = False

    def buffered(self) -> bytes:
        """What has arrived and is not read yet (no system call)."""
        return self._buffer

    def _recv(self, size: int) -> bytes:
        try:
            data = self._sock.recv(size)
        except BlockingIOError as exc:   # SO_RCVTIMEO ran out
            raise TimeoutError("the peer sent nothing within the read timeout") from exc
        if not data:
            self.ended = True
        return data

    def fill(self) -> bool:
        """One more recv into the buffer; False once the peer has closed."""
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
            if not self.fill():
                return self._take(len(self._buffer))

    def read(self, size: int = -1, /) -> bytes:
        """`size` bytes, fewer only at the end of input (a body is read straight from the
        socket past what is buffered: a 64 MB upload is never joined piece by piece)."""
        if size < 0:
            while self.fill():
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
        if not self._buffer and not self.fill():
            return b""
        return self._take(len(self._buffer) if size < 0 else size)

    def peek(self, size: int = 0, /) -> bytes:
        """The buffered bytes without taking them (one recv first when there are none)."""
        if not self._buffer:
            self.fill()
        return self._buffer
