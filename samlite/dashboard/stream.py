"""The dashboard's Server-Sent Events: each connected page gets every new invocation (and
reload) as an event, through a bounded queue of its own, so a slow page can never hold up
an invocation; a page that falls too far behind is dropped and reconnects (EventSource does
that by itself). Format: the WHATWG HTML standard, "Server-sent events".

Cheap for the invocation path: publishing only puts the object on each page's queue; each
page's own thread turns it into JSON, and sends what arrives within BATCH_WINDOW_S in one
write (a busy gateway then costs the stream one wake-up per window, not per invocation)."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator

HEARTBEAT_S = 15.0          # a comment line this often keeps proxies and the page awake
CLIENT_BACKLOG = 5000       # events one page may be behind before it is dropped
RETRY_MS = 1000             # how soon EventSource reconnects
BATCH_WINDOW_S = 0.02       # events this close together leave in one write
_END = None

Item = tuple[str, object] | None
ToJson = Callable[[str, object], object]


class EventHub:
    def __init__(self, *, to_json: ToJson = lambda _event, data: data,
                 heartbeat_s: float = HEARTBEAT_S,
                 batch_window_s: float = BATCH_WINDOW_S) -> None:
        """`to_json(event, data)` makes what is published JSON-ready, on the page's thread."""
        self._clients: set[queue.Queue[Item]] = set()
        self._lock = threading.Lock()
        self._to_json = to_json
        self._heartbeat_s = heartbeat_s
        self._batch_window_s = batch_window_s
        self._closed = False

    def publish(self, event: str, data: object) -> None:
        """Hand the event to every page now connected; never blocks."""
        with self._lock:
            clients = tuple(self._clients)
        for client in clients:
            try:
                client.put_nowait((event, data))
            except queue.Full:   # too far behind: end its stream; it reconnects and reloads
                self._drop(client)

    def clients(self) -> int:
        with self._lock:
            return len(self._clients)

    def stream(self) -> Iterator[bytes]:
        """One page's stream, until it goes away or the hub closes."""
        client: queue.Queue[Item] = queue.Queue(maxsize=CLIENT_BACKLOG)
        with self._lock:
            if self._closed:
                return
            self._clients.add(client)
        try:
            yield f"retry: {RETRY_MS}\n: connected\n\n".encode()
            while True:
                try:
                    first = client.get(timeout=self._heartbeat_s)
                except queue.Empty:
                    yield b": keep-alive\n\n"
                    continue
                items, ended = self._batch(client, first)
                if items:
                    yield b"".join(self._encode(item) for item in items)
                if ended:
                    return
        finally:
            with self._lock:
                self._clients.discard(client)

    def _batch(self, client: queue.Queue[Item], first: Item) -> tuple[list[tuple[str, object]],
                                                                      bool]:
        """The first item and those that follow it within the batch window."""
        items: list[tuple[str, object]] = []
        item, deadline = first, time.monotonic() + self._batch_window_s
        while True:
            if item is _END:
                return items, True
            items.append(item)
            left = deadline - time.monotonic()
            try:
                item = client.get(timeout=left) if left > 0 else client.get_nowait()
            except queue.Empty:
                return items, False

    def _encode(self, item: tuple[str, object]) -> bytes:
        event, data = item
        return f"event: {event}\ndata: {json.dumps(self._to_json(event, data))}\n\n".encode()

    def close(self) -> None:
        """End every stream (the dashboard is stopping)."""
        with self._lock:
            self._closed = True
            clients = tuple(self._clients)
        for client in clients:
            self._drop(client)

    def _drop(self, client: queue.Queue[Item]) -> None:
        with self._lock:
            self._clients.discard(client)
        while True:   # make room for the end marker
            try:
                client.put_nowait(_END)
                return
            except queue.Full:
                with contextlib.suppress(queue.Empty):
                    client.get_nowait()
