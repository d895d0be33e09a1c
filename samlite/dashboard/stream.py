"""The dashboard's Server-Sent Events: each connected page gets every new invocation (and
reload) as an event, through a bounded queue of its own, so a slow page can never hold up
an invocation; a page that falls too far behind is dropped and reconnects (EventSource does
that by itself). Format: the WHATWG HTML standard, "Server-sent events"."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from collections.abc import Iterator

HEARTBEAT_S = 15.0          # a comment line this often keeps proxies and the page awake
CLIENT_BACKLOG = 2000       # events one page may be behind before it is dropped
RETRY_MS = 1000             # how soon EventSource reconnects


class EventHub:
    def __init__(self, *, heartbeat_s: float = HEARTBEAT_S) -> None:
        self._clients: set[queue.Queue[bytes | None]] = set()
        self._lock = threading.Lock()
        self._heartbeat_s = heartbeat_s
        self._closed = False

    def publish(self, event: str, data: object) -> None:
        """Hand the event to every page now connected; never blocks."""
        message = f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
        with self._lock:
            clients = tuple(self._clients)
        for client in clients:
            try:
                client.put_nowait(message)
            except queue.Full:   # too far behind: end its stream; it reconnects and reloads
                self._drop(client)

    def clients(self) -> int:
        with self._lock:
            return len(self._clients)

    def stream(self) -> Iterator[bytes]:
        """One page's stream, until it goes away or the hub closes."""
        client: queue.Queue[bytes | None] = queue.Queue(maxsize=CLIENT_BACKLOG)
        with self._lock:
            if self._closed:
                return
            self._clients.add(client)
        try:
            yield f"retry: {RETRY_MS}\n: connected\n\n".encode()
            while True:
                try:
                    message = client.get(timeout=self._heartbeat_s)
                except queue.Empty:
                    yield b": keep-alive\n\n"
                    continue
                if message is None:
                    return
                yield message
        finally:
            with self._lock:
                self._clients.discard(client)

    def close(self) -> None:
        """End every stream (the dashboard is stopping)."""
        with self._lock:
            self._closed = True
            clients = tuple(self._clients)
        for client in clients:
            self._drop(client)

    def _drop(self, client: queue.Queue[bytes | None]) -> None:
        with self._lock:
            self._clients.discard(client)
        while True:   # make room for the end marker
            try:
                client.put_nowait(None)
                return
            except queue.Full:
                with contextlib.suppress(queue.Empty):
                    client.get_nowait()
