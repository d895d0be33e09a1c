"""The loopback endpoint: routing, keep-alive, Nagle off, errors that never kill it, and a
stop that leaves no connection or thread behind."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator

import pytest

from samlite.errors import UsageError
from samlite.http.messages import Request, Response
from samlite.http.server import Endpoint


class Echo:
    """A route for everything under /echo: answers with what it was sent."""

    def handles(self, request: Request) -> bool:
        return request.path.startswith("/echo")

    def handle(self, request: Request) -> Response:
        if request.path == "/echo/crash":
            raise RuntimeError("a bug in a route")
        body = {"method": request.method, "path": request.path, "body": request.body.decode(),
                "q": request.query_value("q"), "h": request.header("X-Thing")}
        return Response(status=200, body=json.dumps(body).encode(),
                        headers=(("Content-Type", "application/json"),))


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    with Endpoint([Echo()], port=0) as served:
        yield served


def connect(endpoint: Endpoint) -> http.client.HTTPConnection:
    host, port = endpoint.address
    return http.client.HTTPConnection(host, port, timeout=5)


def test_binds_loopback_and_routes(endpoint: Endpoint) -> None:
    conn = connect(endpoint)
    conn.request("POST", "/echo/x?q=1", body=b"hi", headers={"X-Thing": "t"})
    reply = conn.getresponse()
    assert endpoint.address[0] == "127.0.0.1"
    assert json.loads(reply.read()) == {"method": "POST", "path": "/echo/x", "body": "hi",
                                        "q": "1", "h": "t"}


def test_keeps_the_connection_alive_with_nagle_off(endpoint: Endpoint) -> None:
    conn = connect(endpoint)
    for n in range(3):
        conn.request("POST", "/echo", body=str(n).encode())
        assert json.loads(conn.getresponse().read())["body"] == str(n)
    server_side = list(endpoint._server._connections)  # type: ignore[union-attr]
    assert len(server_side) == 1
    assert server_side[0].getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_chunked_bodies_are_read(endpoint: Endpoint) -> None:
    conn = connect(endpoint)
    conn.request("PUT", "/echo", body=iter([b"ab", b"cd"]), encode_chunked=True)
    assert json.loads(conn.getresponse().read())["body"] == "abcd"


def test_unclaimed_paths_are_unknown_operations(endpoint: Endpoint) -> None:
    conn = connect(endpoint)
    conn.request("GET", "/nowhere")
    reply = conn.getresponse()
    assert reply.status == 404
    assert reply.getheader("X-Amzn-ErrorType") == "UnknownOperationException"
    reply.read()


def test_a_failing_route_answers_500_and_the_server_carries_on(endpoint: Endpoint) -> None:
    conn = connect(endpoint)
    conn.request("GET", "/echo/crash")
    reply = conn.getresponse()
    assert (reply.status, reply.getheader("X-Amzn-ErrorType")) == (500, "ServiceException")
    reply.read()
    conn.request("GET", "/echo/ok")
    assert conn.getresponse().status == 200


def test_stop_closes_idle_connections_at_once() -> None:
    endpoint = Endpoint([Echo()], port=0)
    endpoint.start()
    conn = connect(endpoint)
    conn.request("GET", "/echo")
    conn.getresponse().read()        # the connection now idles, kept alive
    started = time.monotonic()
    endpoint.stop()
    assert time.monotonic() - started < 1.0
    assert conn.sock is not None and conn.sock.recv(1) == b""   # closed by the server


def test_a_busy_port_is_a_clear_error(endpoint: Endpoint) -> None:
    port = endpoint.address[1]
    with pytest.raises(UsageError, match=rf"port {port} on 127.0.0.1 is already in use.*--port"):
        Endpoint([Echo()], port=port).start()
