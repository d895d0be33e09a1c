"""The event stream as a page reads it: events in order and in SSE's format, a page too far
behind dropped (it reconnects), every stream ended when the dashboard stops."""

from __future__ import annotations

import json
import threading

import pytest

from samlite.dashboard import stream as sse
from samlite.dashboard.stream import EventHub


def read_events(chunks: list[bytes]) -> list[tuple[str, object]]:
    text = b"".join(chunks).decode()
    events = []
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines()
                     if not line.startswith((":", "retry")))
        if "event" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_a_page_gets_each_event_in_order_then_the_stream_ends_on_close() -> None:
    hub = EventHub(batch_window_s=0.0)
    stream = hub.stream()
    chunks = [next(stream)]                      # "connected": the page is listening
    hub.publish("invocation", {"seq": 1})
    hub.publish("reload", {"line": "Hello changed"})
    hub.close()
    chunks += list(stream)
    assert chunks[0].startswith(b"retry: 1000\n")
    assert read_events(chunks) == [("invocation", {"seq": 1}),
                                   ("reload", {"line": "Hello changed"})]
    assert hub.clients() == 0


def test_events_close_together_leave_in_one_write() -> None:
    hub = EventHub(batch_window_s=0.5)
    stream = hub.stream()
    next(stream)
    for seq in range(3):
        hub.publish("invocation", {"seq": seq})
    assert [data for _, data in read_events([next(stream)])] == [{"seq": 0}, {"seq": 1},
                                                                 {"seq": 2}]
    hub.close()


def test_a_page_too_far_behind_is_dropped_and_publishing_never_blocks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sse, "CLIENT_BACKLOG", 2)
    hub = EventHub(batch_window_s=0.0)
    stream = hub.stream()
    next(stream)
    done = threading.Event()

    def publish_many() -> None:
        for seq in range(10):
            hub.publish("invocation", {"seq": seq})
        done.set()

    threading.Thread(target=publish_many).start()
    assert done.wait(5)
    assert hub.clients() == 0
    list(stream)   # what was queued, then the end: the page reconnects


def test_data_is_made_json_ready_on_the_pages_thread() -> None:
    hub = EventHub(to_json=lambda event, data: {"wrapped": data}, batch_window_s=0.0)
    stream = hub.stream()
    next(stream)
    hub.publish("invocation", 7)
    assert read_events([next(stream)]) == [("invocation", {"wrapped": 7})]
    hub.close()
