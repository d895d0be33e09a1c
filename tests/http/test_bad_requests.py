"""Requests the server cannot read are answered as Python's http.server answers them (its
HTML error page, the connection closed), and a stopped server leaves no thread accepting."""

from __future__ import annotations

import socket
import threading

import pytest

from samlite.http.server import Endpoint
from samlite.testing import wait_for
from tests.http.raw import exchange, status_of
from tests.http.test_server import Echo, host_of


@pytest.fixture
def endpoint() -> Endpoint:
    with Endpoint([Echo()], port=0) as served:
        yield served


@pytest.mark.parametrize(("case", "request_line", "status", "words"), [
    ("an unknown method", "BREW /echo HTTP/1.1", 501, b"Unsupported method ('BREW')"),
    ("a request line too long", "GET /" + "x" * 70000 + " HTTP/1.1", 414, b"URI Too Long"),
    ("too many words", "GET /echo x HTTP/1.1", 400, b"Bad request syntax"),
])
def test_an_unreadable_request_gets_http_servers_error_page(endpoint: Endpoint, case: str,
                                                            request_line: str, status: int,
                                                            words: bytes) -> None:
    reply = exchange(endpoint.address, f"{request_line}\r\nHost: {host_of(endpoint)}\r\n"
                     "\r\nGET /echo HTTP/1.1\r\n\r\n".encode())
    head, _, body = reply.partition(b"\r\n\r\n")
    assert status_of(reply) == status
    assert b"\r\nConnection: close\r\n" in head
    assert b"\r\nContent-Type: text/html;charset=utf-8\r\n" in head
    assert words in body
    assert b"HTTP/1.1 200" not in reply     # the request after it is not read


def test_too_many_headers_are_refused(endpoint: Endpoint) -> None:
    lines = "".join(f"X-{n}: y\r\n" for n in range(101))
    reply = exchange(endpoint.address, f"GET /echo HTTP/1.1\r\n{lines}\r\n".encode())
    assert status_of(reply) == 431
    assert b"Too many headers" in reply


def test_an_http_2_request_line_gets_the_page_alone(endpoint: Endpoint) -> None:
    # http.server answers a version it cannot speak as HTTP/0.9: the page, no status line.
    reply = exchange(endpoint.address, b"GET /echo HTTP/2.0\r\n\r\n")
    assert reply.startswith(b"<!DOCTYPE HTML>")
    assert b"Error code: 505" in reply


def test_100_continue_is_sent_only_to_a_request_that_expects_it(endpoint: Endpoint) -> None:
    with socket.create_connection(endpoint.address, timeout=10) as sock:
        sock.sendall(f"PUT /echo HTTP/1.1\r\nHost: {host_of(endpoint)}\r\n"
                     "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n".encode())
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"hi")
        first = sock.recv(65536)
        sock.sendall(f"PUT /echo HTTP/1.1\r\nHost: {host_of(endpoint)}\r\n"
                     "Content-Length: 2\r\nConnection: close\r\n\r\nho".encode())
        second = b""
        while chunk := sock.recv(65536):
            second += chunk
    assert status_of(first) == 200
    assert status_of(second) == 200
    assert b"100 Continue" not in second


def test_a_stopped_server_leaves_no_thread_accepting() -> None:
    endpoint = Endpoint([Echo()], port=0)
    endpoint.start()
    name = f"endpoint:{endpoint.address[1]}"
    held = [socket.create_connection(endpoint.address, timeout=10) for _ in range(5)]
    for sock in held:   # each connection holds a thread; the pool grows past them
        sock.sendall(f"GET /echo HTTP/1.1\r\nHost: {host_of(endpoint)}\r\n\r\n".encode())
        assert status_of(sock.recv(65536)) == 200
    address = endpoint.address
    endpoint.stop()
    wait_for(lambda: not [t for t in threading.enumerate() if t.name == name],
             timeout_s=5, message="every endpoint thread to end")
    assert [sock.recv(1) for sock in held] == [b""] * len(held)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(address, timeout=5).close()
    for sock in held:
        sock.close()
