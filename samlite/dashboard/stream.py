"""The dashboard's Server-Sent Events: each connected page gets every new invocation (and
reload), batched: one SSE message per kind carrying what happened since the last message
(its JSON made by the kind's encoder for the page's view: what part of a batch the page
asked for), at most one every BUSY_INTERVAL_S while the gateway is busy, every
QUIET_INTERVAL_S while it is not (the first after a quiet spell leaves at once).
Format: the WHATWG HTML standard, "Server-sent events".

Cheap for the invocation path, which only appends to a deque (taking a lock only for a
batch's first event, to wake the sender; nothing at all while no page is connected). One
sender thread sleeps until an event comes, wakes at most once per interval (a thread's
wake-up costs as much CPU as encoding dozens of rows), encodes the batch once per view (once
for all pages that share one) and hands the bytes to each page's backlog; each page's
request thread writes them. A page too far behind is dropped and reconnects (EventSource
does that by itself)."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Hashable, Iterator
from operator import itemgetter

HEARTBEAT_S = 15.0          # a comment line this often keeps proxies and the page awake
CLIENT_BACKLOG = 5000       # events one page may be behind before it is dropped
RETRY_MS = 1000             # how soon EventSource reconnects
# After a small batch the next leaves within 50 ms: a quiet gateway's rows (those a person
# causes one by one) show at once, well inside the 200 ms the dashboard allows from an
# invocation's end to its row, and its few messages cost little.
QUIET_INTERVAL_S = 0.05
# While events come at BUSY_BATCH_EVENTS per QUIET_INTERVAL_S or faster (200 a second), the
# next batch waits BUSY_INTERVAL_S: one message a second, not one per invocation. Below
# that rate (a batch gathered over the long wait counts at its own rate) it is quiet again,
# so a moderate stream's rows are not held a second. Each message wakes the sender,
# the page's thread and the browser (~1 ms of chromium's CPU before the page draws
# anything), and the Invocations page draws a busy stream at most this often anyway
# (BUSY_REDRAW_MS in dashboard.js), so messages in between bought nothing a user sees.
BUSY_BATCH_EVENTS = 10
BUSY_INTERVAL_S = 1.0

# What a batch of one kind becomes for a page's view (what the page asked for; None: the
# default), JSON-ready, or None to send that view nothing of it: by default the JSON array
# of the items.
BatchJson = Callable[[str, list[object], Hashable], object]
_encode_json = json.JSONEncoder(separators=(",", ":")).encode   # no spaces: fewer bytes


def _as_list(_event: str, items: list[object], _view: Hashable) -> object:
    return items


class EventHub:
    def __init__(self, *, batch_json: BatchJson = _as_list,
                 heartbeat_s: float = HEARTBEAT_S,
                 batch_interval_s: float = QUIET_INTERVAL_S,
                 busy_interval_s: float = BUSY_INTERVAL_S) -> None:
        """`batch_json(event, items, view)` makes a run of published items of one kind
        JSON-ready for the pages of that view, on the sender thread. A message leaves at
        least `batch_interval_s` after the last, `busy_interval_s` after one of
        BUSY_BATCH_EVENTS or more."""
        self._batch_json = batch_json
        self._heartbeat_s = heartbeat_s
        self._batch_interval_s = batch_interval_s
        self._busy_interval_s = max(busy_interval_s, batch_interval_s)
        self._pending: deque[tuple[str, object]] = deque()
        self._has_pending = threading.Event()
        self._closing = threading.Event()
        self._pages: set[_Page] = set()
        self._lock = threading.Lock()   # guards _pages and _sender
        self._sender: threading.Thread | None = None

    def publish(self, event: str, data: object) -> None:
        """Queue the event for every page now connected; never blocks, never encodes."""
        if not self._pages:   # nobody listens: keep nothing
            return
        self._pending.append((event, data))
        if not self._has_pending.is_set():   # a lock only when the sender may be asleep
            self._has_pending.set()

    def clients(self) -> int:
        with self._lock:
            return len(self._pages)

    def stream(self, view: Hashable = None) -> Iterator[bytes]:
        """One page's stream, until it goes away or the hub closes; `view` is handed to
        `batch_json` for it. The page listens from this call on, not from the first read:
        the response's head leaves before that, and a page that loads its list once its
        stream is open must miss nothing in between."""
        page = _Page(view)
        with self._lock:
            if self._closing.is_set():
                return iter(())
            self._pages.add(page)
            if self._sender is None:
                self._sender = threading.Thread(target=self._send_loop, daemon=True,
                                                name="dashboard-events")
                self._sender.start()
        return _PageStream(self._pieces(page), leave=lambda: self._leave(page))

    def _pieces(self, page: _Page) -> Generator[bytes, None, None]:
        try:
            yield f"retry: {RETRY_MS}\n: connected\n\n".encode()
            while True:
                chunk, is_ended = page.take(timeout_s=self._heartbeat_s)
                if chunk:
                    yield chunk
                elif not is_ended:
                    yield b": keep-alive\n\n"
                if is_ended:
                    return
        finally:
            self._leave(page)

    def _leave(self, page: _Page) -> None:
        with self._lock:
            self._pages.discard(page)

    def close(self) -> None:
        """Send what is pending, then end every stream (the dashboard is stopping)."""
        with self._lock:
            self._closing.set()
            sender = self._sender
        self._has_pending.set()
        if sender is not None:
            sender.join(timeout=5)
        self._send(self._drain())   # what came after the sender's last look
        with self._lock:
            pages = tuple(self._pages)
        for page in pages:
            page.end()

    def _send_loop(self) -> None:
        next_send_s = last_send_s = 0.0
        busy_rate = BUSY_BATCH_EVENTS / self._batch_interval_s if self._batch_interval_s else 0
        while not self._closing.is_set():
            self._has_pending.wait()
            gap_s = next_send_s - time.monotonic()
            if gap_s > 0:
                self._closing.wait(gap_s)   # gather the interval's events; close cuts it short
            self._has_pending.clear()   # before draining: a later publish sets it again
            items = self._drain()
            self._send(items)
            now_s = time.monotonic()
            # the time the batch had to gather in: after a quiet spell, the long wait
            gathered_s = min(max(now_s - last_send_s, self._batch_interval_s),
                             self._busy_interval_s)
            busy = len(items) >= BUSY_BATCH_EVENTS and len(items) >= busy_rate * gathered_s
            next_send_s, last_send_s = now_s + (
                self._busy_interval_s if busy else self._batch_interval_s), now_s

    def _drain(self) -> list[tuple[str, object]]:
        return [self._pending.popleft() for _ in range(len(self._pending))]

    def _send(self, items: list[tuple[str, object]]) -> None:
        if not items:
            return
        with self._lock:
            pages = tuple(self._pages)
        chunks: dict[Hashable, bytes] = {}   # pages that share a view share its bytes
        for page in pages:
            if page.view not in chunks:
                chunks[page.view] = self._encode(items, page.view)
            chunk = chunks[page.view]
            if chunk and not page.offer(chunk, events=len(items)):   # too far behind: it reconnects
                with self._lock:
                    self._pages.discard(page)

    def _encode(self, items: list[tuple[str, object]], view: Hashable) -> bytes:
        """One message per run of the same kind, its data the run as `batch_json` makes it
        for `view` (no message where that is None)."""
        messages = []
        for event, run in itertools.groupby(items, key=itemgetter(0)):
            batch = self._batch_json(event, [item for _, item in run], view)
            if batch is not None:
                messages.append(f"event: {event}\ndata: {_encode_json(batch)}\n\n")
        return "".join(messages).encode()


class _Page:
    """One connected page's backlog of encoded messages, taken by its request thread."""

    def __init__(self, view: Hashable) -> None:
        self.view = view
        self._ready = threading.Condition()
        self._chunks: list[bytes] = []
        self._events_behind = 0
        self._is_ended = False

    def offer(self, chunk: bytes, *, events: int) -> bool:
        """Add a message of `events` events; False (and the page ended after what it has)
        when that would put it more than CLIENT_BACKLOG events behind."""
        with self._ready:
            if self._events_behind + events > CLIENT_BACKLOG:
                self._is_ended = True
            elif not self._is_ended:
                self._chunks.append(chunk)
                self._events_behind += events
            self._ready.notify()
            return not self._is_ended

    def end(self) -> None:
        with self._ready:
            self._is_ended = True
            self._ready.notify()

    def take(self, *, timeout_s: float) -> tuple[bytes, bool]:
        """What has arrived (waiting up to `timeout_s` for something), and whether the
        stream ends after it."""
        with self._ready:
            if not self._chunks and not self._is_ended:
                self._ready.wait(timeout_s)
            chunk = b"".join(self._chunks)
            self._chunks.clear()
            self._events_behind = 0
            return chunk, self._is_ended


class _PageStream(Iterator[bytes]):
    """A page's messages; closing it, read or not, stops the page listening (a generator
    closed before its first read would run no `finally`)."""

    def __init__(self, pieces: Generator[bytes, None, None], *,
                 leave: Callable[[], None]) -> None:
        self._pieces = pieces
        self._leave = leave

    def __next__(self) -> bytes:
        return next(self._pieces)

    def close(self) -> None:
        self._pieces.close()
        self._leave()
