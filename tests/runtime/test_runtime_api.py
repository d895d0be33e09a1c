"""The Runtime API as a client on this machine meets it: only the environment's own runtime
is served, one poller at a time, a poller that hangs up loses nothing, and requests that are
malformed or cut short are answered 400 or ignored, never with a traceback."""

from __future__ import annotations

import json
import os
import queue
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from samlite.runtime import peer
from samlite.runtime.invocation import Invocation
from samlite.runtime.runtime_api import (
    NEXT_PATH,
    TOKEN_HEADER,
    NextInvocation,
    NoWork,
    PostOutcome,
    RuntimeApiHub,
    own_user_only,
)
from samlite.testing import wait_for

WAIT_S = 5.0


class ScriptedBackend:
    """Hands out the invocations it is given; records what is posted."""

    def __init__(self) -> None:
        self.inbox: queue.Queue[NextInvocation] = queue.Queue()
        self.posts: list[tuple[str, bytes]] = []
        self.polls = 0

    def give(self, request_id: str, payload: bytes = b"{}") -> None:
        self.inbox.put(NextInvocation(Invocation(
            request_id=request_id, function="Fn", payload=payload,
            invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:Fn",
            trace_id="Root=1-0-0"), deadline_ms=0))

    def next_invocation(self, *, wait_s: float,
                        poller_gone: Callable[[], bool]) -> NextInvocation | NoWork:
        self.polls += 1
        try:
            upcoming = self.inbox.get(timeout=wait_s)
        except queue.Empty:
            return NoWork.NOT_YET
        if poller_gone():
            self.inbox.put(upcoming)
            return NoWork.NOT_YET
        return upcoming

    def post_response(self, request_id: str, body: bytes) -> PostOutcome:
        self.posts.append((request_id, body))
        return PostOutcome.ACCEPTED

    def post_error(self, request_id: str, body: bytes, error_type: str | None) -> PostOutcome:
        return self.post_response(request_id, body)

    def post_init_error(self, body: bytes, error_type: str | None) -> None:
        self.posts.append(("init", body))


@pytest.fixture
def thread_crashes(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Exceptions that escaped a thread (each would print a traceback)."""
    crashes: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook",
                        lambda args: crashes.append(args.exc_value))  # type: ignore[arg-type]
    return crashes


@pytest.fixture
def hub() -> Iterator[RuntimeApiHub]:
    hub = RuntimeApiHub(poll_slice_s=0.05)
    yield hub
    hub.stop()


def connect(address: str) -> socket.socket:
    host, port = address.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=WAIT_S)


def answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP response: status, headers (lower-case names), body."""
    reader = sock.makefile("rb")
    status = int(reader.readline().split()[1])
    headers: dict[str, str] = {}
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, reader.read(int(headers.get("content-length", 0)))


def request(address: str, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    with connect(address) as sock:
        sock.sendall(raw)
        return answer(sock)


NEXT = f"GET {NEXT_PATH} HTTP/1.1\r\nHost: x\r\n\r\n".encode()


def post(request_id: str, body: bytes, **headers: str) -> bytes:
    head = "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
    return (f"POST /2018-06-01/runtime/invocation/{request_id}/response HTTP/1.1\r\n"
            f"Host: x\r\nContent-Length: {len(body)}\r\n{head}\r\n").encode() + body


def test_a_connection_from_another_user_is_refused_and_sees_nothing() -> None:
    backend = ScriptedBackend()
    backend.give("secret-event", b'{"headers": {"Authorization": "Bearer t"}}')
    hub = RuntimeApiHub(peer_check=lambda conn: False)
    try:
        address = hub.open(backend)
        status, _, body = request(address, NEXT)
        forged, _, _ = request(address, post("secret-event", b'"forged"'))
    finally:
        hub.stop()
    assert status == forged == 403
    assert json.loads(body)["errorType"] == "Forbidden"
    assert backend.inbox.qsize() == 1 and backend.posts == []


def test_our_own_connection_is_owned_by_our_user() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server, \
            socket.create_connection(server.getsockname(), timeout=WAIT_S):
        conn, _ = server.accept()
        with conn:
            assert peer.socket_owner(conn.getpeername(), conn.getsockname()) == os.geteuid()
            assert own_user_only(conn)


def test_the_owner_is_read_from_the_socket_table(tmp_path: Path) -> None:
    def hex_address(ip: bytes, port: int) -> str:   # as proc(5) prints it
        return f"{int.from_bytes(ip, sys.byteorder):08X}:{port:04X}"

    table = tmp_path / "tcp"
    table.write_text(
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"
        f"   0: {hex_address(bytes([127, 0, 0, 1]), 40000)} "
        f"{hex_address(bytes([127, 0, 0, 1]), 9001)} 01 00000000:00000000 00:00000000 "
        "00000000 65534        0 12345 1 0000000000000000 20 4 30 10 -1\n")
    client, server = ("127.0.0.1", 40000), ("127.0.0.1", 9001)
    assert peer.socket_owner(client, server, tables=(table,)) == 65534
    assert peer.socket_owner(("127.0.0.1", 40001), server, tables=(table,)) is None


def test_a_runtime_without_the_environments_token_is_refused(hub: RuntimeApiHub) -> None:
    backend = ScriptedBackend()
    address = hub.open(backend)
    hub.require_token(address, "t0ken")
    backend.give("r1")
    assert request(address, NEXT)[0] == 403
    assert request(address, post("r1", b"{}", **{TOKEN_HEADER: "wrong"}))[0] == 403
    status, headers, _ = request(
        address, NEXT.replace(b"\r\n\r\n", f"\r\n{TOKEN_HEADER}: t0ken\r\n\r\n".encode()))
    assert (status, headers["lambda-runtime-aws-request-id"]) == (200, "r1")
    assert backend.posts == []


def test_a_second_poller_is_refused_as_lambda_refuses_a_next_out_of_turn(
        hub: RuntimeApiHub) -> None:
    backend = ScriptedBackend()
    address = hub.open(backend)
    with connect(address) as first:
        first.sendall(NEXT)
        wait_for(lambda: backend.polls > 0)
        status, _, body = request(address, NEXT)
        assert status == 403
        assert json.loads(body)["errorType"] == "InvalidStateTransition"
        backend.give("r1")
        assert answer(first)[1]["lambda-runtime-aws-request-id"] == "r1"


def test_a_poller_that_hangs_up_loses_no_invocation(hub: RuntimeApiHub) -> None:
    backend = ScriptedBackend()
    address = hub.open(backend)
    with connect(address) as quitter:
        quitter.sendall(NEXT)
        wait_for(lambda: backend.polls > 0)
    backend.give("r1")   # queued right after the hang-up, before the server noticed
    status, headers, _ = request(address, NEXT)
    assert (status, headers["lambda-runtime-aws-request-id"]) == (200, "r1")


@pytest.mark.parametrize("length", ["abc", "-1", "+5", "1 2", "0x10", "٣"])
def test_a_content_length_that_is_not_a_number_is_a_bad_request(
        hub: RuntimeApiHub, thread_crashes: list[BaseException], length: str) -> None:
    backend = ScriptedBackend()
    address = hub.open(backend)
    raw = (f"POST /2018-06-01/runtime/invocation/r1/response HTTP/1.1\r\n"
           f"Content-Length: {length}\r\n\r\n{{}}").encode()
    status, headers, body = request(address, raw)
    assert (status, headers["connection"]) == (400, "close")
    assert "Content-Length" in json.loads(body)["errorMessage"]
    assert request(address, post("r2", b"{}"))[0] == 202
    assert backend.posts == [("r2", b"{}")]
    assert thread_crashes == []


def test_a_chunk_size_that_is_not_hexadecimal_is_a_bad_request(
        hub: RuntimeApiHub, thread_crashes: list[BaseException]) -> None:
    backend = ScriptedBackend()
    address = hub.open(backend)
    raw = (b"POST /2018-06-01/runtime/invocation/r1/response HTTP/1.1\r\n"
           b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
    assert request(address, raw)[0] == 400
    assert backend.posts == [] and thread_crashes == []


def test_a_response_cut_short_is_not_taken(hub: RuntimeApiHub) -> None:
    backend = ScriptedBackend()
    address = hub.open(backend)
    with connect(address) as sock:
        sock.sendall(post("r1", b"0123456789")[:-5])   # announces 10 bytes, sends 5
    assert request(address, post("r2", b"{}"))[0] == 202   # served after the cut one
    assert backend.posts == [("r2", b"{}")]


# --- through the service, with samlite's runtime loop in a real process ----------------------

def test_another_local_process_cannot_take_or_answer_a_functions_invocation(
        tmp_path: Path) -> None:
    from samlite.runtime.environments.process import ProcessEnvironment
    from samlite.runtime.service import LambdaService
    from samlite.runtime.spec import FunctionSpec

    code = tmp_path / "src"
    code.mkdir()
    (code / "app.py").write_text(
        "import os\n"
        "def handler(event, context):\n"
        "    return {'api': os.environ['AWS_LAMBDA_RUNTIME_API'],\n"
        "            'token_visible': '_SAMLITE_RUNTIME_TOKEN' in os.environ,\n"
        "            'event': event}\n", encoding="utf-8")
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime=f"python{sys.version_info.major}.{sys.version_info.minor}",
                        code_dir=code)
    service = LambdaService([spec], environments=ProcessEnvironment,  # type: ignore[arg-type]
                            tmp_root=tmp_path / "envs")
    service.start()
    try:
        first = json.loads(service.invoke("Fn", b'{"n": 1}').payload)
        address = first["api"]
        stolen, _, _ = request(address, NEXT)
        forged, _, _ = request(address, post("any-request-id", b'"forged"'))
        second = json.loads(service.invoke("Fn", b'{"n": 2}').payload)
    finally:
        service.stop(grace_s=1)
    assert (stolen, forged) == (403, 403)
    assert first["token_visible"] is False
    assert second["event"] == {"n": 2}
