"""The loopback endpoint: routing, keep-alive, Nagle off, errors that never kill it, and a
stop that leaves no connection or thread behind."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator

import pytest

from samlite.errors import UsageError
from samlite.http.admission import Admission
from samlite.http.messages import BodyProblem, BodyTooLarge, Request, Response
from samlite.http.server import Endpoint
from samlite.testing import wait_for
from tests.http.raw import exchange, read_all, status_of


class Echo:
    """A route for everything under /echo: answers with what it was sent, and counts what
    it ran."""

    def __init__(self) -> None:
        self.ran: list[Request] = []

    def handles(self, request: Request) -> bool:
        return request.path.startswith("/echo")

    def handle(self, request: Request) -> Response:
        self.ran.append(request)
        if request.path == "/echo/crash":
            raise RuntimeError("a bug in a route")
        body = {"method": request.method, "path": request.path, "body": request.body.decode(),
                "q": request.query_value("q"), "h": request.header("X-Thing")}
        return Response(status=200, body=json.dumps(body).encode(),
                        headers=(("Content-Type", "application/json"),))


@pytest.fixture
def echo() -> Echo:
    return Echo()


@pytest.fixture
def endpoint(echo: Echo) -> Iterator[Endpoint]:
    with Endpoint([echo], port=0) as served:
        yield served


def host_of(endpoint: Endpoint) -> str:
    return "{}:{}".format(*endpoint.address)


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


def test_connections_held_open_never_keep_new_ones_waiting(endpoint: Endpoint) -> None:
    # Threads are reused across connections; one held by an idle keep-alive client (an SDK,
    # the dashboard's event stream) is not free, so more are started than were ever idle.
    held = [connect(endpoint) for _ in range(40)]
    for conn in held:
        conn.request("GET", "/echo/held")
        assert conn.getresponse().read()
    for n in range(60):   # fresh connections one after another, each closed after use
        conn = connect(endpoint)
        conn.request("POST", "/echo", body=str(n).encode())
        assert json.loads(conn.getresponse().read())["body"] == str(n)
        conn.close()
    for conn in held:   # the held ones still work
        conn.request("GET", "/echo/again")
        assert conn.getresponse().status == 200


def test_stop_closes_idle_connections_at_once() -> None:
    endpoint = Endpoint([Echo()], port=0)
    endpoint.start()
    conn = connect(endpoint)
    conn.request("GET", "/echo")
    conn.getresponse().read()        # the connection now idles, kept alive
    endpoint.stop()
    # Closed by the server at stop: left open, it would end only at the server's 60 s read
    # timeout (READ_TIMEOUT_S), and this recv would time out first (the client's 5 s).
    assert conn.sock is not None and conn.sock.recv(1) == b""


def test_a_busy_port_is_a_clear_error(endpoint: Endpoint) -> None:
    port = endpoint.address[1]
    with pytest.raises(UsageError, match=rf"port {port} on 127.0.0.1 is already in use.*--port"):
        Endpoint([Echo()], port=port).start()


# ---- a request runs only when it has fully arrived -----------------------------------------

def test_a_head_cut_off_by_the_client_runs_nothing(endpoint: Endpoint, echo: Echo) -> None:
    reply = exchange(endpoint.address, b"POST /echo HTTP/1.1\r\nHost: " +
                     host_of(endpoint).encode() + b"\r\nContent-Le")
    assert status_of(reply) == 400
    assert echo.ran == []


def test_a_body_shorter_than_its_content_length_runs_nothing(endpoint: Endpoint,
                                                             echo: Echo) -> None:
    reply = exchange(endpoint.address, f"PUT /echo HTTP/1.1\r\nHost: {host_of(endpoint)}\r\n"
                     "Content-Length: 1000\r\n\r\nhello".encode())
    assert status_of(reply) == 400
    assert b"ended after 5 bytes of its body of 1000" in reply
    assert echo.ran == []


def test_a_chunked_body_without_its_last_chunk_runs_nothing(endpoint: Endpoint,
                                                            echo: Echo) -> None:
    reply = exchange(endpoint.address, f"PUT /echo HTTP/1.1\r\nHost: {host_of(endpoint)}\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n".encode())
    assert status_of(reply) == 400
    assert echo.ran == []


def test_a_client_gone_quiet_is_dropped_after_the_read_timeout(echo: Echo) -> None:
    with Endpoint([echo], port=0, read_timeout_s=0.2) as endpoint, \
            socket.create_connection(endpoint.address, timeout=10) as sock:
        sock.sendall(f"PUT /echo HTTP/1.1\r\nHost: {host_of(endpoint)}\r\n"
                     "Content-Length: 10\r\n\r\nabc".encode())
        reply = read_all(sock)      # bounded: the server ends the connection
    assert status_of(reply) == 400
    assert echo.ran == []


@pytest.mark.parametrize(("case", "framing"), [
    ("a length that is no number", "Content-Length: abc"),
    ("a negative length", "Content-Length: -1"),
    ("two lengths", "Content-Length: 1\r\nContent-Length: 2"),
    ("a coding not ending in chunked", "Transfer-Encoding: gzip"),
])
def test_a_body_of_unknown_length_is_a_bad_request(endpoint: Endpoint, echo: Echo, case: str,
                                                   framing: str) -> None:
    reply = exchange(endpoint.address, f"PUT /echo HTTP/1.1\r\nHost: {host_of(endpoint)}\r\n"
                     f"{framing}\r\n\r\nab".encode())
    assert status_of(reply) == 400
    assert echo.ran == []


def test_a_slowloris_that_ends_runs_nothing(endpoint: Endpoint, echo: Echo) -> None:
    """1,000 connections each send part of a request, then all close."""
    partial = (f"POST /echo HTTP/1.1\r\nHost: {host_of(endpoint)}\r\n"
               "Content-Length: 5\r\n").encode()
    clients = [socket.create_connection(endpoint.address, timeout=10) for _ in range(1000)]
    for sock in clients:
        sock.sendall(partial)
    for sock in clients:
        sock.close()
    server = endpoint._server
    assert server is not None
    wait_for(lambda: not server._connections, timeout_s=30,
             message="every slowloris connection to end")
    assert echo.ran == []


class Limited(Echo):
    """An Echo that takes bodies of 10 bytes at most, and says so in its own words."""

    def body_limit(self, head: Request) -> int:
        return 10

    def refuse_body(self, head: Request, problem: BodyProblem) -> Response | None:
        if isinstance(problem, BodyTooLarge):
            return Response(status=413, body=f"at most {problem.limit_bytes}".encode())
        return None


def test_a_body_over_the_routes_limit_is_refused_before_it_is_sent() -> None:
    route = Limited()
    with Endpoint([route], port=0) as endpoint, \
            socket.create_connection(endpoint.address, timeout=10) as sock:
        # Only the head goes out; the answer comes without waiting for 50 MB.
        sock.sendall(f"POST /echo HTTP/1.1\r\nHost: {host_of(endpoint)}\r\n"
                     f"Content-Length: {50 * 1024 * 1024}\r\n\r\n".encode())
        reply = read_all(sock)
    assert status_of(reply) == 413
    assert reply.endswith(b"at most 10")
    assert route.ran == []


def test_a_refused_body_still_sent_whole_gets_the_answer() -> None:
    """http.client sends the whole body before reading: the server reads and drops it."""
    route = Limited()
    with Endpoint([route], port=0) as endpoint:
        conn = connect(endpoint)
        conn.request("POST", "/echo", body=b"x" * (4 * 1024 * 1024))
        reply = conn.getresponse()
        assert (reply.status, reply.read()) == (413, b"at most 10")


def test_100_continue_is_sent_only_for_a_body_that_is_wanted() -> None:
    route = Limited()
    with Endpoint([route], port=0) as endpoint, \
            socket.create_connection(endpoint.address, timeout=10) as sock:
        head = (f"PUT /echo HTTP/1.1\r\nHost: {host_of(endpoint)}\r\n"
                "Expect: 100-continue\r\nContent-Length: {}\r\n\r\n")
        sock.sendall(head.format(5).encode())
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(b"hello")
        first = http.client.HTTPResponse(sock)
        first.begin()
        assert (first.status, json.loads(first.read())["body"]) == (200, "hello")
        sock.sendall(head.format(11).encode())
        assert status_of(read_all(sock)) == 413    # and no 100 before it


# ---- Host and Origin -------------------------------------------------------------------------

def test_a_host_that_is_not_this_server_is_refused(endpoint: Endpoint, echo: Echo) -> None:
    port = endpoint.address[1]
    conn = connect(endpoint)
    conn.request("POST", "/echo", body=b"{}", headers={"Host": f"evil.example:{port}"})
    reply = conn.getresponse()
    assert reply.status == 403
    assert b"names another site" in reply.read()
    assert echo.ran == []


def test_the_endpoint_refuses_browser_pages_unless_their_origin_is_allowed(echo: Echo) -> None:
    dashboard = "http://127.0.0.1:3999"
    with Endpoint([echo], port=0, admission=Admission(origins=(dashboard,))) as endpoint:
        statuses = []
        for origin in ("https://evil.example", dashboard):
            conn = connect(endpoint)
            conn.request("POST", "/echo", body=b"{}", headers={"Origin": origin})
            reply = conn.getresponse()
            reply.read()
            statuses.append(reply.status)
    assert statuses == [403, 200]
    assert len(echo.ran) == 1


@pytest.mark.parametrize(("target", "path", "raw_query", "query"), [
    ("/echo/a%20b", "/echo/a%20b", "", {}),
    ("/echo?q=1&q=2&empty=", "/echo", "q=1&q=2&empty=", {"q": ("1", "2"), "empty": ("",)}),
    ("/echo/page#part", "/echo/page", "", {}),
    ("/echo/x?q=a#part", "/echo/x", "q=a", {"q": ("a",)}),
])
def test_a_route_sees_the_targets_path_and_query(endpoint: Endpoint, echo: Echo, target: str,
                                                 path: str, raw_query: str,
                                                 query: dict[str, tuple[str, ...]]) -> None:
    reply = exchange(endpoint.address, f"GET {target} HTTP/1.1\r\nHost: {host_of(endpoint)}\r\n"
                     "Connection: close\r\n\r\n".encode())
    assert status_of(reply) == 200
    (seen,) = echo.ran
    assert (seen.path, seen.raw_query, dict(seen.query)) == (path, raw_query, query)


def test_every_response_names_the_server_and_the_date(endpoint: Endpoint) -> None:
    connection = connect(endpoint)
    for _ in range(2):
        connection.request("GET", "/echo")
        response = connection.getresponse()
        response.read()
        assert response.getheader("Server", "").startswith("BaseHTTP/")
        assert response.getheader("Date", "").endswith(" GMT")
        assert response.reason == "OK"


def test_threads_left_idle_end_but_one_still_accepts(echo: Echo) -> None:
    with Endpoint([echo], port=0, read_timeout_s=0.2) as endpoint:
        name = f"endpoint:{endpoint.address[1]}"
        held = [connect(endpoint) for _ in range(6)]
        for conn in held:       # six connections at once: six threads serve them
            conn.request("GET", "/echo/held")
            assert conn.getresponse().read()
        for conn in held:
            conn.close()
        wait_for(lambda: sum(t.name == name for t in threading.enumerate()) == 1, timeout_s=10,
                 message="the idle threads but one to end at the read timeout")
        conn = connect(endpoint)
        conn.request("GET", "/echo/after")
        assert conn.getresponse().status == 200
