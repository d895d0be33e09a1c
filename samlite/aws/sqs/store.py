"""The queue engine of the local SQS: messages, visibility, delays, retention, redrive and
FIFO groups, each operation O(1) or O(log n) in the number of queued messages, with time
read from an injected Clock. No wire protocol (backend.py) and no disk: a Journal is
told every change that must outlive the process (persist.py).

Follows the SQS Developer Guide: "Amazon SQS visibility timeout", "Amazon SQS delay queues",
"Using dead-letter queues in Amazon SQS", "Amazon SQS FIFO queue key terms" (message groups,
exactly-once processing) and "Amazon SQS short and long polling".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import heapq
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from samlite.aws.sqs.message import ReceivedMessage
from samlite.aws.sqs.model import (
    DEFAULT_SENDER_ID,
    DELAYED,
    IN_FLIGHT,
    READY,
    Counts,
    DedupEntry,
    Journal,
    QueueConfig,
    SendResult,
    SqsError,
    StoredMessage,
    message_not_inflight,
    queue_does_not_exist,
    receipt_handle_is_invalid,
)
from samlite.clock import Clock

DEDUPLICATION_WINDOW_S = 300                  # FIFO: "5-minute deduplication interval"
MAX_VISIBILITY_TIMEOUT_S = 43200              # 12 hours from the receive

_DELAYED, _READY, _IN_FLIGHT = DELAYED, READY, IN_FLIGHT


class _Group:
    __slots__ = ("in_flight", "messages")

    def __init__(self) -> None:
        self.messages: OrderedDict[str, StoredMessage] = OrderedDict()
        self.in_flight = 0


class _Queue:
    __slots__ = ("by_sent", "candidates", "config", "counts", "dedup", "groups", "messages",
                 "ready", "timers", "waiting", "wakeup")

    def __init__(self, config: QueueConfig, lock: threading.RLock) -> None:
        self.config = config
        self.messages: dict[str, StoredMessage] = {}
        self.ready: OrderedDict[str, None] = OrderedDict()          # standard: visible, in order
        self.groups: dict[str, _Group] = {}                         # FIFO: per MessageGroupId
        self.candidates: OrderedDict[str, None] = OrderedDict()     # FIFO: groups maybe ready
        self.timers: list[tuple[float, int, str, int]] = []         # (at, seq, id, version)
        self.by_sent: list[tuple[int, int, str]] = []               # retention: (sent_ms, seq, id)
        self.dedup: OrderedDict[str, DedupEntry] = OrderedDict()
        self.counts = [0, 0, 0]                                     # per state
        self.wakeup = threading.Condition(lock)
        self.waiting = 0                                            # receives long-polling


class QueueStore:
    """All queues of one local SQS. Thread-safe (one lock; waits release it)."""

    def __init__(self, *, clock: Clock, journal: Journal | None = None) -> None:
        self._clock = clock
        self._journal = journal
        self._lock = threading.RLock()
        self._queues: dict[str, _Queue] = {}
        self._seq = 0
        self._last_sequence_number = 0
        self._closed = False

    # -- queues --------------------------------------------------------------------------

    def configure(self, config: QueueConfig) -> None:
        """Create the queue or apply new settings to it; its messages stay."""
        with self._lock:
            queue = self._queues.get(config.name)
            if queue is None:
                self._queues[config.name] = _Queue(config, self._lock)
            else:
                queue.config = config
                queue.wakeup.notify_all()   # a shorter wait or retention applies now

    def drop(self, name: str) -> None:
        with self._lock:
            queue = self._queues.pop(name, None)
            if queue is not None:
                queue.wakeup.notify_all()
            if self._journal is not None:
                self._journal.queue_dropped(name)

    def has_queue(self, name: str) -> bool:
        with self._lock:
            return name in self._queues

    def config(self, name: str) -> QueueConfig:
        with self._lock:
            return self._queue(name).config

    def counts(self, name: str) -> Counts:
        with self._lock:
            queue = self._queue(name)
            self._advance(queue)
            delayed, visible, in_flight = queue.counts
            return Counts(visible=visible, not_visible=in_flight, delayed=delayed)

    def waiting_receives(self, name: str) -> int:
        """How many receives are long-polling this queue right now."""
        with self._lock:
            return self._queue(name).waiting

    def wake(self) -> None:
        """Make waiting receives look again. Waits end on their own at the next visibility
        or delay expiry by the system clock; a test that moves a ManualClock calls this."""
        with self._lock:
            for queue in self._queues.values():
                queue.wakeup.notify_all()

    def close(self) -> None:
        """Wake every waiting receive; they return nothing from now on."""
        with self._lock:
            self._closed = True
            for queue in self._queues.values():
                queue.wakeup.notify_all()

    # -- messages ------------------------------------------------------------------------

    def send(self, name: str, body: str, *,
             message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
             delay_s: int | None = None, group_id: str | None = None,
             dedup_id: str | None = None, sender_id: str = DEFAULT_SENDER_ID,
             trace_header: str | None = None) -> SendResult:
        with self._lock:
            queue = self._queue(name)
            config = queue.config
            now = self._clock.now()
            message = StoredMessage(message_id=str(uuid.uuid4()), body=body,
                                    sent_ms=int(now * 1000), sender_id=sender_id,
                                    message_attributes=message_attributes,
                                    group_id=group_id, trace_header=trace_header)
            dedup: DedupEntry | None = None
            if config.is_fifo:
                if dedup_id is None and config.content_based_dedup:
                    dedup_id = hashlib.sha256(body.encode()).hexdigest()
                if dedup_id is not None:
                    previous = self._find_duplicate(queue, dedup_id, now)
                    if previous is not None:
                        return SendResult(message_id=previous.message_id,
                                          md5_of_body=message.md5_of_body,
                                          md5_of_message_attributes=message
                                          .md5_of_message_attributes,
                                          sequence_number=previous.sequence_number,
                                          is_duplicate=True)
                message.dedup_id = dedup_id
                message.sequence_number = self._next_sequence_number(now)
                if dedup_id is not None:
                    dedup = DedupEntry(dedup_id=dedup_id, message_id=message.message_id,
                                       expires_at=now + DEDUPLICATION_WINDOW_S,
                                       sequence_number=message.sequence_number)
            delay = config.delay_s if delay_s is None else delay_s
            if delay > 0:
                message.delay_until = now + delay
            if self._journal is not None:
                # Before the message is visible to anyone: a receiver must never get a message
                # that a crash could take back.
                self._journal.added(name, message, dedup)
            if dedup is not None:
                queue.dedup[dedup.dedup_id] = dedup
            self._insert(queue, message, delay_s=delay, now=now)
            queue.wakeup.notify_all()
            return SendResult(message_id=message.message_id, md5_of_body=message.md5_of_body,
                              md5_of_message_attributes=message.md5_of_message_attributes,
                              sequence_number=message.sequence_number)

    def receive(self, name: str, *, max_messages: int, wait_s: float = 0.0,
                visibility_timeout_s: int | None = None) -> list[ReceivedMessage]:
        """ReceiveMessage: up to `max_messages`, waiting up to `wait_s` for the first one.
        Messages whose receive count reached the queue's maxReceiveCount move to its
        dead-letter queue instead of being returned."""
        with self._lock:
            queue = self._queue(name)
            deadline = self._clock.monotonic() + wait_s
            while not self._closed:
                taken = self._take(queue, max_messages, visibility_timeout_s)
                if taken or wait_s <= 0:
                    return taken
                remaining = deadline - self._clock.monotonic()
                if remaining <= 0:
                    return []
                if queue.timers:   # something becomes visible before the wait ends
                    remaining = min(remaining, max(queue.timers[0][0] - self._clock.now(),
                                                   0.001))
                queue.waiting += 1
                try:
                    queue.wakeup.wait(timeout=remaining)
                finally:
                    queue.waiting -= 1
                if self._queues.get(name) is not queue:
                    return []      # the queue was deleted while we waited
            return []

    def delete(self, name: str, receipt_handle: str) -> None:
        self.delete_many(name, [receipt_handle])

    def delete_many(self, name: str, receipt_handles: Sequence[str]) -> list[SqsError | None]:
        """Delete each message; per handle None or the error SQS would give for it. A handle
        of an already deleted message is fine, as in SQS; one from an older receive of a
        message received again since leaves it alone (SQS: "might not be deleted")."""
        with self._lock:
            queue = self._queue(name)
            results: list[SqsError | None] = []
            gone: list[str] = []
            for handle in receipt_handles:
                parsed = _parse_handle(handle, name)
                if parsed is None:
                    results.append(receipt_handle_is_invalid(handle))
                    continue
                results.append(None)
                message = queue.messages.get(parsed[0])
                if message is not None and message.receive_count == parsed[1]:
                    gone.append(message.message_id)
            if gone:
                if self._journal is not None:
                    self._journal.deleted(name, gone)
                for message_id in gone:
                    self._remove(queue, queue.messages[message_id])
                queue.wakeup.notify_all()   # a FIFO group may be free again
            return results

    def change_visibility(self, name: str, receipt_handle: str, timeout_s: int) -> None:
        with self._lock:
            queue = self._queue(name)
            parsed = _parse_handle(receipt_handle, name)
            if parsed is None:
                raise receipt_handle_is_invalid(receipt_handle)
            now = self._clock.now()
            self._advance(queue, now)
            message = queue.messages.get(parsed[0])
            if message is None:
                raise receipt_handle_is_invalid(receipt_handle)
            if message.state != _IN_FLIGHT or message.receive_count != parsed[1]:
                raise message_not_inflight()
            if now + timeout_s - message.received_at > MAX_VISIBILITY_TIMEOUT_S:
                raise SqsError("InvalidParameterValue",
                               f"Value {timeout_s} for parameter VisibilityTimeout is invalid. "
                               "Reason: Total VisibilityTimeout for the message is beyond the "
                               f"limit [{MAX_VISIBILITY_TIMEOUT_S} seconds]")
            message.version += 1
            self._push_timer(queue, now + timeout_s, message)
            if timeout_s <= 0:
                self._advance(queue, now)
                queue.wakeup.notify_all()

    def purge(self, name: str) -> None:
        with self._lock:
            queue = self._queue(name)
            if self._journal is not None:
                self._journal.purged(name)
            for message in queue.messages.values():
                message.version += 1
            queue.messages.clear()
            queue.ready.clear()
            queue.groups.clear()
            queue.candidates.clear()
            queue.timers.clear()
            queue.by_sent.clear()
            queue.counts = [0, 0, 0]

    def restore(self, name: str, messages: Iterable[StoredMessage],
                dedup: Iterable[DedupEntry] = ()) -> None:
        """Put back what the journal kept, in order: every message visible again (in-flight
        ones too: their receivers are gone), receive counts as they were."""
        with self._lock:
            queue = self._queue(name)
            now = self._clock.now()
            for message in messages:
                self._insert(queue, message, delay_s=max(0.0, message.delay_until - now),
                             now=now)
                if message.sequence_number is not None:
                    self._last_sequence_number = max(self._last_sequence_number,
                                                     int(message.sequence_number))
            for entry in dedup:
                if entry.expires_at > now:
                    queue.dedup[entry.dedup_id] = entry

    # -- internals -----------------------------------------------------------------------

    def _queue(self, name: str) -> _Queue:
        queue = self._queues.get(name)
        if queue is None:
            raise queue_does_not_exist()
        return queue

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _next_sequence_number(self, now: float) -> str:
        # Increasing across restarts too: it starts from the time, in microseconds.
        self._last_sequence_number = max(self._last_sequence_number + 1, int(now * 1_000_000))
        return f"{self._last_sequence_number:020d}"

    def _find_duplicate(self, queue: _Queue, dedup_id: str, now: float) -> DedupEntry | None:
        while queue.dedup:
            oldest = next(iter(queue.dedup.values()))
            if oldest.expires_at > now:
                break
            queue.dedup.popitem(last=False)
        return queue.dedup.get(dedup_id)

    def _insert(self, queue: _Queue, message: StoredMessage, *, delay_s: float,
                now: float) -> None:
        queue.messages[message.message_id] = message
        message.version += 1
        heapq.heappush(queue.by_sent, (message.sent_ms, self._next_seq(), message.message_id))
        if queue.config.is_fifo:
            group = queue.groups.get(message.group_id or "")
            if group is None:
                group = queue.groups[message.group_id or ""] = _Group()
            group.messages[message.message_id] = message
        if delay_s > 0:
            message.state = _DELAYED
            queue.counts[_DELAYED] += 1
            self._push_timer(queue, now + delay_s, message)
        else:
            message.state = _READY
            queue.counts[_READY] += 1
            self._became_ready(queue, message)

    def _became_ready(self, queue: _Queue, message: StoredMessage) -> None:
        if queue.config.is_fifo:
            queue.candidates[message.group_id or ""] = None
        else:
            queue.ready[message.message_id] = None

    def _push_timer(self, queue: _Queue, at: float, message: StoredMessage) -> None:
        heapq.heappush(queue.timers, (at, self._next_seq(), message.message_id, message.version))
        if len(queue.timers) > 64 and len(queue.timers) > 4 * len(queue.messages):
            self._compact_timers(queue)

    def _compact_timers(self, queue: _Queue) -> None:
        # Deleted messages leave their timers behind; drop them before they pile up.
        live = [t for t in queue.timers
                if (m := queue.messages.get(t[2])) is not None and m.version == t[3]]
        heapq.heapify(live)
        queue.timers = live

    def _advance(self, queue: _Queue, now: float | None = None) -> None:
        """Apply what time did: delays and visibility timeouts that ended, retention."""
        now = self._clock.now() if now is None else now
        timers = queue.timers
        while timers and timers[0][0] <= now:
            _, _, message_id, version = heapq.heappop(timers)
            message = queue.messages.get(message_id)
            if message is None or message.version != version:
                continue
            self._set_state(queue, message, _READY)
            self._became_ready(queue, message)
        oldest_kept_ms = (now - queue.config.retention_s) * 1000
        expired: list[StoredMessage] = []
        while queue.by_sent and queue.by_sent[0][0] <= oldest_kept_ms:
            _, _, message_id = heapq.heappop(queue.by_sent)
            message = queue.messages.get(message_id)
            if message is not None and message.sent_ms <= oldest_kept_ms:
                expired.append(message)
        if expired:
            if self._journal is not None:
                self._journal.deleted(queue.config.name, [m.message_id for m in expired])
            for message in expired:
                self._remove(queue, message)

    def _set_state(self, queue: _Queue, message: StoredMessage, state: int) -> None:
        if message.state == state:
            return
        queue.counts[message.state] -= 1
        queue.counts[state] += 1
        if queue.config.is_fifo:
            group = queue.groups[message.group_id or ""]
            if message.state == _IN_FLIGHT:
                group.in_flight -= 1
            if state == _IN_FLIGHT:
                group.in_flight += 1
        message.state = state
        message.version += 1

    def _remove(self, queue: _Queue, message: StoredMessage) -> None:
        del queue.messages[message.message_id]
        queue.counts[message.state] -= 1
        message.version += 1
        if queue.config.is_fifo:
            key = message.group_id or ""
            group = queue.groups[key]
            del group.messages[message.message_id]
            if message.state == _IN_FLIGHT:
                group.in_flight -= 1
            if not group.messages:
                del queue.groups[key]
            elif group.in_flight == 0:
                queue.candidates[key] = None
        else:
            queue.ready.pop(message.message_id, None)

    def _take(self, queue: _Queue, count: int,
              visibility_timeout_s: int | None) -> list[ReceivedMessage]:
        now = self._clock.now()
        self._advance(queue, now)
        timeout = queue.config.visibility_timeout_s if visibility_timeout_s is None \
            else visibility_timeout_s
        taken: list[StoredMessage] = []
        if queue.config.is_fifo:
            self._take_fifo(queue, count, taken, now, timeout)
        else:
            while queue.ready and len(taken) < count:
                message_id, _ = queue.ready.popitem(last=False)
                message = queue.messages[message_id]
                if not self._redrive(queue, message):
                    self._deliver(queue, message, now, timeout, taken)
        if not taken:
            return []
        if self._journal is not None:
            self._journal.received(queue.config.name, taken)
        return [_received(queue.config, m) for m in taken]

    def _take_fifo(self, queue: _Queue, count: int, taken: list[StoredMessage], now: float,
                   timeout: int) -> None:
        # A group gives messages from its head, in order, and nothing while one is in flight.
        while queue.candidates and len(taken) < count:
            key, _ = queue.candidates.popitem(last=False)
            group = queue.groups.get(key)
            if group is None or group.in_flight:
                continue
            for message in list(group.messages.values()):
                if len(taken) >= count or message.state != _READY:
                    break
                if not self._redrive(queue, message):
                    self._deliver(queue, message, now, timeout, taken)

    def _deliver(self, queue: _Queue, message: StoredMessage, now: float, timeout: int,
                 taken: list[StoredMessage]) -> None:
        self._set_state(queue, message, _IN_FLIGHT)
        message.receive_count += 1
        if message.first_receive_ms is None:
            message.first_receive_ms = int(now * 1000)
        message.received_at = now
        self._push_timer(queue, now + timeout, message)
        taken.append(message)

    def _redrive(self, queue: _Queue, message: StoredMessage) -> bool:
        """Move the message to the dead-letter queue if it was received maxReceiveCount
        times already, as SQS does when a receive finds it. True if it moved."""
        config = queue.config
        if config.max_receive_count is None or config.dlq_name is None \
                or message.receive_count < config.max_receive_count:
            return False
        target = self._queues.get(config.dlq_name)
        if target is None or target is queue:
            return False
        moved = StoredMessage(
            message_id=message.message_id, body=message.body, sent_ms=message.sent_ms,
            message_attributes=message.message_attributes, md5_of_body=message.md5_of_body,
            md5_of_message_attributes=message.md5_of_message_attributes,
            sender_id=message.sender_id, receive_count=message.receive_count,
            first_receive_ms=message.first_receive_ms, group_id=message.group_id,
            trace_header=message.trace_header)
        if target.config.is_fifo:
            moved.dedup_id = message.dedup_id
            moved.sequence_number = self._next_sequence_number(self._clock.now())
        if self._journal is not None:
            self._journal.moved(config.name, target.config.name, moved)
        self._remove(queue, message)
        self._insert(target, moved, delay_s=0, now=self._clock.now())
        target.wakeup.notify_all()
        return True


def _received(config: QueueConfig, message: StoredMessage) -> ReceivedMessage:
    attributes = {
        "ApproximateReceiveCount": str(message.receive_count),
        "SentTimestamp": str(message.sent_ms),
        "SenderId": message.sender_id,
        "ApproximateFirstReceiveTimestamp": str(message.first_receive_ms),
    }
    if message.group_id is not None:
        attributes["MessageGroupId"] = message.group_id
    if message.dedup_id is not None:
        attributes["MessageDeduplicationId"] = message.dedup_id
    if message.sequence_number is not None:
        attributes["SequenceNumber"] = message.sequence_number
    if message.trace_header is not None:
        attributes["AWSTraceHeader"] = message.trace_header
    return ReceivedMessage(
        message_id=message.message_id,
        receipt_handle=_handle(config.name, message.message_id, message.receive_count),
        body=message.body, md5_of_body=message.md5_of_body, attributes=attributes,
        message_attributes=message.message_attributes,
        md5_of_message_attributes=message.md5_of_message_attributes)


def _handle(queue: str, message_id: str, receive_count: int) -> str:
    # The handle names the receive it came from, so it stays valid across a restart (receive
    # counts are kept) and a handle from an older receive is told apart from the current one.
    raw = f"{queue}\x00{message_id}\x00{receive_count}\x00{uuid.uuid4().hex[:8]}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _parse_handle(handle: str, queue: str) -> tuple[str, int] | None:
    try:
        parts = base64.urlsafe_b64decode(handle.encode()).decode().split("\x00")
        if len(parts) != 4 or parts[0] != queue:
            return None
        return parts[1], int(parts[2])
    except (binascii.Error, UnicodeError, ValueError):
        return None
