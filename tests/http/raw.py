"""Raw-socket clients for what http.client will not send: heads cut off, bodies shorter than
their Content-Length, garbage. Loopback only; every wait is bounded."""

from __future__ import annotations

import socket


def exchange(address: tuple[str, int], data: bytes, *, timeout_s: float = 10.0) -> bytes:
    """Send `data`, close our side, and return everything the server says until it closes."""
    with socket.create_connection(address, timeout=timeout_s) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass     # the server may refuse and close before we are done; read its answer
        return read_all(sock)


def read_all(sock: socket.socket) -> bytes:
    chunks: list[bytes] = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def status_of(reply: bytes) -> int | None:
    """The status of the first response in `reply` (None when there is none)."""
    parts = reply.split(b" ", 2)
    return int(parts[1]) if reply.startswith(b"HTTP/1.") and len(parts) > 1 else None
