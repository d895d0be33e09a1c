"""A burst of clients is held by the kernel until the server accepts it, and every one of them
is answered: the listen backlog is sized for load, not socketserver's 5."""

from __future__ import annotations

import http.client
import selectors
import socket
import time

from samlite.http.server import Endpoint
from tests.http.test_server import Echo

CLIENTS = 200


def connect_all(address: tuple[str, int], count: int, *, within_s: float) -> tuple[
        list[socket.socket], int]:
    """Start `count` connections at once; those not established within `within_s` (a bounded
    wait, not a measurement) are errors."""
    selector = selectors.DefaultSelector()
    pending: set[socket.socket] = set()
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex(address)
        selector.register(sock, selectors.EVENT_WRITE)
        pending.add(sock)
    connected: list[socket.socket] = []
    errors = 0
    deadline = time.monotonic() + within_s
    while pending and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.1):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            selector.unregister(sock)
            pending.discard(sock)
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                connected.append(sock)
            else:
                errors += 1
                sock.close()
    for sock in pending:
        sock.close()
    selector.close()
    return connected, errors + len(pending)


def ask(sock: socket.socket, n: int) -> int | str:
    """The status of one request on a connected socket, or the error's name."""
    try:
        sock.setblocking(True)
        sock.settimeout(10)
        host, port = sock.getpeername()[:2]
        sock.sendall(f"POST /echo HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: "
                     f"{len(str(n))}\r\nConnection: close\r\n\r\n{n}".encode())
        reply = http.client.HTTPResponse(sock)
        reply.begin()
        reply.read()
        return reply.status
    except OSError as exc:
        return type(exc).__name__


def test_200_clients_connecting_at_once_are_all_accepted_and_answered() -> None:
    endpoint = Endpoint([Echo()], port=0)
    endpoint.bind()    # listening but not accepting yet: the whole burst waits in the backlog
    clients: list[socket.socket] = []
    try:
        clients, connect_errors = connect_all(endpoint.address, CLIENTS, within_s=5.0)
        endpoint.start()
        answers = [ask(sock, n) for n, sock in enumerate(clients)]
    finally:
        endpoint.stop()
        for sock in clients:
            sock.close()
    assert connect_errors == 0
    assert answers.count(200) == CLIENTS

