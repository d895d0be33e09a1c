"""Two small debugger clients for tests, standard library only: one for Node's inspector
(the Chrome DevTools Protocol over a WebSocket) and one for the Debug Adapter Protocol that
debugpy speaks (JSON messages with a Content-Length header over TCP). Each does what an IDE
does to stop at a breakpoint, and nothing more."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import time
import urllib.request
from typing import Any


def connect_when_listening(port: int, timeout_s: float = 20.0) -> socket.socket:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=timeout_s)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class InspectorClient:
    """Node's inspector: /json/list gives the WebSocket URL; messages are CDP commands."""

    def __init__(self, port: int, timeout_s: float = 20.0) -> None:
        connect_when_listening(port, timeout_s).close()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list",
                                    timeout=timeout_s) as answer:
            target = json.loads(answer.read())[0]["webSocketDebuggerUrl"]
        path = target.split(f":{port}", 1)[1]
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout_s)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
                          .encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        assert b" 101 " in head.split(b"\r\n", 1)[0], head
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        payload = json.dumps({"id": self._next_id, "method": method, "params": params}).encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        size = len(payload)
        header += bytes([0x80 | size]) if size < 126 else \
            bytes([0x80 | 126]) + struct.pack(">H", size)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
        while True:
            message = self._receive()
            if message.get("id") == self._next_id:
                return message
            self.events.append(message)

    def wait_for(self, method: str) -> dict[str, Any]:
        for index, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(index)
        while True:
            message = self._receive()
            if message.get("method") == method:
                return message
            self.events.append(message)

    def _receive(self) -> dict[str, Any]:
        first, second = self._exactly(2)
        size = second & 0x7F
        if size == 126:
            size = struct.unpack(">H", self._exactly(2))[0]
        elif size == 127:
            size = struct.unpack(">Q", self._exactly(8))[0]
        payload = self._exactly(size)
        if first & 0x0F != 0x1:   # not a text frame: skip it
            return {}
        return json.loads(payload)

    def _exactly(self, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise ConnectionError("the inspector closed the connection")
            data += chunk
        return data

    def close(self) -> None:
        self.sock.close()


class DapClient:
    """The Debug Adapter Protocol as an IDE speaks it to debugpy."""

    def __init__(self, port: int, timeout_s: float = 30.0) -> None:
        self.sock = connect_when_listening(port, timeout_s)
        self._buffer = b""
        self._seq = 0
        self.messages: list[dict[str, Any]] = []

    def request(self, command: str, **arguments: Any) -> int:
        self._seq += 1
        body = json.dumps({"seq": self._seq, "type": "request", "command": command,
                           "arguments": arguments}).encode()
        self.sock.sendall(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        return self._seq

    def response(self, seq: int) -> dict[str, Any]:
        return self._wait(lambda m: m.get("type") == "response" and m.get("request_seq") == seq)

    def event(self, name: str) -> dict[str, Any]:
        return self._wait(lambda m: m.get("type") == "event" and m.get("event") == name)

    def _wait(self, wanted: Any) -> dict[str, Any]:
        for index, message in enumerate(self.messages):
            if wanted(message):
                return self.messages.pop(index)
        while True:
            message = self._read()
            if wanted(message):
                return message
            self.messages.append(message)

    def _read(self) -> dict[str, Any]:
        while b"\r\n\r\n" not in self._buffer:
            self._more()
        head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        size = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")))
        while len(self._buffer) < size:
            self._more()
        body, self._buffer = self._buffer[:size], self._buffer[size:]
        return json.loads(body)

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("debugpy closed the connection")
        self._buffer += chunk

    def close(self) -> None:
        self.sock.close()
