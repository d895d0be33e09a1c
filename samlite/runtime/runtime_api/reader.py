"""Buffered reads of one socket for the Runtime API's connections. Unlike io.BufferedReader it
can say what has already arrived without a system call, so the thread that read a runtime's
response can see whether the runtime's next `/next` came in the same write (the runtime
loop pipelines them) and keep the connection without waking another thread. A read that
times out keeps what had arrived, so it can be retried."""

from __future__ import annotations

import socket

_RECV_BYTES = 65536


class SocketReader:
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""

    def buffered(self) -> bytes:
        """What has arrived and is not read yet (no system call)."""
        return self._buffer

    def fill(self) -> bool:
        """One receive into the buffer; False at the end of the stream."""
        data = self._sock.recv(_RECV_BYTES)
        if not data:
            return False
        self._buffer += data
        return True

    def readline(self, limit: int) -> bytes:
        """Up to and including the next b"\\n", at most `limit` bytes; shorter at the end of
        the stream."""
        searched = 0
        while True:
            end = self._buffer.find(b"\n", searched)
            if end >= 0 and end < limit:
                line, self._buffer = self._buffer[:end + 1], self._buffer[end + 1:]
                return line
            if len(self._buffer) >= limit:
                line, self._buffer = self._buffer[:limit], self._buffer[limit:]
                return line
            searched = len(self._buffer)
            if not self.fill():
                line, self._buffer = self._buffer, b""
                return line

    def read(self, length: int) -> bytes:
        """Exactly `length` bytes; fewer only at the end of the stream."""
        if len(self._buffer) >= length:
            data, self._buffer = self._buffer[:length], self._buffer[length:]
            return data
        pieces, have = [self._buffer], len(self._buffer)
        self._buffer = b""
        while have < length:
            data = self._sock.recv(min(_RECV_BYTES, length - have))
            if not data:
                break
            pieces.append(data)
            have += len(data)
        return b"".join(pieces)

    def read1(self, length: int) -> bytes:
        """What has arrived, up to `length` bytes, with at most one receive."""
        if not self._buffer and not self.fill():
            return b""
        data, self._buffer = self._buffer[:length], self._buffer[length:]
        return data
