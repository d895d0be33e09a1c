"""The event stream as a page reads it: events in order and in SSE's format, batched (one
message per kind with a JSON array), a page too far behind dropped (it reconnects), every
stream ended when the dashboard stops."""

from __future__ import annotations

import json
import threading
import time

import pytest

from samlite.dashboard import stream as sse
from samlite.dashboard.stream import EventHub


def read_messages(chunks: list[bytes]) -> list[tuple[str, object]]:
    text = b"".join(chunks).decode()
    messages = []
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines()
                     if not line.startswith((":", "retry")))
        if "event" in lines:
            messages.append((lines["event"], json.loads(lines["data"])))
    return messages


def test_a_page_gets_each_event_in_order_then_the_stream_ends_on_close() -> None:
    hub = EventHub(batch_interval_s=0.0)
    stream = hub.stream()
    chunks = [next(stream)]                      # "connected": the page is listening
    hub.publish("invocations", {"seq": 1})
    hub.publish("reloads", {"line": "Hello changed"})
    hub.publish("invocations", {"seq": 2})
    hub.close()
    chunks += list(stream)
    assert chunks[0].startswith(b"retry: 1000\n")
    events = [(kind, item) for kind, batch in read_messages(chunks) for item in batch]
    assert events == [("invocations", {"seq": 1}), ("reloads", {"line": "Hello changed"}),
                      ("invocations", {"seq": 2})]
    assert hub.clients() == 0


def test_events_within_the_interval_leave_as_one_message() -> None:
    hub = EventHub(batch_interval_s=0.3)
    stream = hub.stream()
    next(stream)
    hub.publish("invocations", {"seq": 0})
    assert read_messages([next(stream)]) == [("invocations", [{"seq": 0}])]   # at once
    for seq in range(1, 4):
        hub.publish("invocations", {"seq": seq})
    assert read_messages([next(stream)]) == [("invocations", [{"seq": 1}, {"seq": 2},
                                                              {"seq": 3}])]
    hub.close()


def test_after_a_busy_batch_the_next_waits_the_busy_interval() -> None:
    hub = EventHub(batch_interval_s=0.0, busy_interval_s=1.0)
    stream = hub.stream()
    next(stream)
    for seq in range(sse.BUSY_BATCH_EVENTS):
        hub.publish("invocations", {"seq": seq})
    assert len(read_messages([next(stream)])[0][1]) == sse.BUSY_BATCH_EVENTS   # at once
    hub.publish("invocations", {"seq": "a"})
    time.sleep(0.05)   # with no busy interval, "a" would have left alone by now
    hub.publish("invocations", {"seq": "b"})
    assert read_messages([next(stream)]) == [("invocations", [{"seq": "a"}, {"seq": "b"}])]
    hub.close()


def test_a_moderate_stream_after_a_busy_one_is_sent_at_the_quiet_pace_again() -> None:
    hub = EventHub(batch_interval_s=0.05, busy_interval_s=0.5)   # busy: 200 events a second
    stream = hub.stream()
    next(stream)
    for seq in range(100):   # a burst: what the busy wait holds at 200 a second
        hub.publish("invocations", {"seq": seq})
    assert len(read_messages([next(stream)])[0][1]) == 100
    for seq in range(sse.BUSY_BATCH_EVENTS):   # a moderate rate: held for the busy wait
        hub.publish("invocations", {"seq": f"m{seq}"})
    assert len(read_messages([next(stream)])[0][1]) == sse.BUSY_BATCH_EVENTS
    hub.publish("invocations", {"seq": "x"})
    time.sleep(0.3)   # six quiet intervals: if still held for the busy wait, "y" joins "x"
    hub.publish("invocations", {"seq": "y"})
    assert read_messages([next(stream)]) == [("invocations", [{"seq": "x"}])]
    hub.close()


def test_a_page_too_far_behind_is_dropped_and_publishing_never_blocks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sse, "CLIENT_BACKLOG", 2)
    hub = EventHub(batch_interval_s=0.0)
    stream = hub.stream()
    next(stream)
    done = threading.Event()

    def publish_many() -> None:
        for seq in range(10):
            hub.publish("invocations", {"seq": seq})
        done.set()

    threading.Thread(target=publish_many).start()
    assert done.wait(5)
    received = list(stream)   # at most what fitted, then the end: the page reconnects
    assert sum(len(batch) for _, batch in read_messages(received)) <= 2
    assert hub.clients() == 0
    hub.close()


def test_nothing_is_kept_while_no_page_listens() -> None:
    hub = EventHub(batch_interval_s=0.0)
    hub.publish("invocations", {"seq": 1})   # before any page: gone
    stream = hub.stream()
    next(stream)
    hub.publish("invocations", {"seq": 2})
    hub.close()
    assert read_messages(list(stream)) == [("invocations", [{"seq": 2}])]


def test_data_is_made_json_ready_off_the_publishing_thread() -> None:
    publisher = threading.current_thread()
    hub = EventHub(batch_json=lambda event, items, view: {
        "wrapped": items, "here": threading.current_thread() is publisher},
        batch_interval_s=0.0)
    stream = hub.stream()
    next(stream)
    hub.publish("invocations", 7)
    assert read_messages([next(stream)]) == [("invocations", {"wrapped": [7], "here": False})]
    hub.close()


def test_each_view_gets_the_batch_as_made_for_it_and_nothing_where_that_is_none() -> None:
    made: list[object] = []

    def batch_json(event: str, items: list[object], view: object) -> object:
        made.append(view)
        return None if view == "none" else [f"{view}:{item}" for item in items]

    hub = EventHub(batch_json=batch_json, batch_interval_s=0.0)
    pages = {view: hub.stream(view) for view in ("a", "b", "none")}
    twin = hub.stream("a")
    for stream in (*pages.values(), twin):
        next(stream)
    hub.publish("invocations", 1)
    hub.close()
    assert read_messages(list(pages["a"])) == [("invocations", ["a:1"])]
    assert read_messages(list(twin)) == [("invocations", ["a:1"])]
    assert read_messages(list(pages["b"])) == [("invocations", ["b:1"])]
    assert read_messages(list(pages["none"])) == []
    assert sorted(made, key=str) == ["a", "b", "none"]   # made once per view, not per page


def test_a_page_listens_from_when_its_stream_is_made_and_stops_when_it_is_closed() -> None:
    # The response's head leaves before the stream's first read: a page that loads its list
    # once its stream is open must not miss what ends in between.
    hub = EventHub(batch_interval_s=0.0)
    stream = hub.stream()
    hub.publish("invocations", {"seq": 1})
    assert hub.clients() == 1
    chunks = [next(stream), next(stream)]
    assert read_messages(chunks) == [("invocations", [{"seq": 1}])]
    unread = hub.stream()
    unread.close()   # the client went away before its first read
    stream.close()
    assert hub.clients() == 0
    hub.close()
