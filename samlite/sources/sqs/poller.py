"""The SQS event source mapping: pollers that read a queue in batches, invoke the function
synchronously with Lambda's SQS event, and delete what it processed. Follows the Lambda
developer guide, "Using Lambda with Amazon SQS" (batching window, scaling, partial batch
responses, filtering).

- Each mapping runs up to MaximumConcurrency pollers (5 without it: Lambda's starting
  count), each long-polling the queue, so a message sent to an idle queue is received at
  once rather than on the next poll.
- Messages that fail stay in the queue: invisible for the queue's VisibilityTimeout, then
  received again, and moved to the RedrivePolicy dead-letter queue by the queue itself after
  maxReceiveCount receives (samlite/aws/sqs/store.py does that, as SQS does).
- With ReportBatchItemFailures only the listed messages stay; for a FIFO queue Lambda keeps
  the first failure and everything after it (sources/sqs/events.py decides).
- Messages that match none of the FilterCriteria patterns are deleted without an invoke.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from samlite.aws.sqs.message import ReceivedMessage
from samlite.clock import Clock, SystemClock
from samlite.dialects.event_patterns import EventFilter, sqs_filter_view
from samlite.graph.model import Graph, SqsSettings, TriggerKind
from samlite.runtime import api_errors
from samlite.runtime.invocation import Result
from samlite.sources.sqs.events import batch_item_failures, sqs_event

log = logging.getLogger(__name__)

DEFAULT_POLLERS = 5
# Lambda long-polls for 20 s; a shorter wait (still woken at once by a new message) lets a
# poller of a mapping removed by hot reload end within a second.
LONG_POLL_S = 1.0
MAX_BATCH_PAYLOAD_BYTES = 6 * 1024 * 1024   # an invoke's request limit
THROTTLE_PAUSE_S = 0.05


class QueueReader(Protocol):
    def receive(self, queue_name: str, *, max_messages: int, wait_s: float,
                visibility_timeout_s: int | None = None) -> list[ReceivedMessage]: ...

    def delete(self, queue_name: str, receipt_handle: str) -> None: ...

    def change_visibility(self, queue_name: str, receipt_handle: str, timeout_s: int) -> None: ...


class Invoker(Protocol):
    def invoke(self, function: str, payload: bytes) -> Result: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueMapping:
    """One SQS trigger of a function, with the queue resolved to its local name."""

    trigger: str             # the event id (or the EventSourceMapping's logical id)
    function: str            # logical id
    queue_name: str
    queue_arn: str
    is_fifo: bool
    settings: SqsSettings


def queue_mappings(graph: Graph, queue_name_for: Callable[[str], str | None]) -> \
        tuple[QueueMapping, ...]:
    """Every SQS trigger that runs locally, its queue named by logical id or ARN."""
    queues = {q.logical_id: q for q in graph.queues}
    mappings = []
    for function in graph.functions:
        for trigger in function.events:
            if trigger.kind is not TriggerKind.SQS or trigger.sqs is None \
                    or not trigger.runs_locally or trigger.source is None:
                continue
            queue = queues.get(trigger.source)
            name = queue.queue_name if queue is not None else queue_name_for(trigger.source)
            if name is None:
                continue
            arn = queue.arn if queue is not None else trigger.source
            mappings.append(QueueMapping(
                trigger=trigger.logical_id, function=function.logical_id, queue_name=name,
                queue_arn=arn, is_fifo=name.endswith(".fifo"), settings=trigger.sqs))
    return tuple(mappings)


class QueuePoller:
    """The pollers of one mapping."""

    def __init__(self, mapping: QueueMapping, *, queues: QueueReader, invoker: Invoker,
                 region: str, clock: Clock | None = None,
                 note: Callable[[str, str], None] = lambda function, line: None) -> None:
        self.mapping = mapping
        self._queues = queues
        self._invoker = invoker
        self._region = region
        self.clock = clock or SystemClock()
        self._note = note
        self._filter = EventFilter.from_patterns(mapping.settings.filter_patterns)
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        if not self.mapping.settings.is_enabled:
            return
        count = min(self.mapping.settings.max_concurrency or DEFAULT_POLLERS, DEFAULT_POLLERS)
        for index in range(count):
            thread = threading.Thread(target=self._loop, daemon=True,
                                      name=f"sqs-{self.mapping.trigger}-{index}")
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Ask the pollers to end; a poller inside a long poll ends when the queue service
        closes (or its wait ends). `join()` waits for them."""
        self._stopping.set()

    def join(self, timeout_s: float = 2.0) -> None:
        for thread in self._threads:
            thread.join(timeout_s)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                batch = self._collect()
                if batch and self._stopping.is_set():
                    self._release(batch)
                elif batch:
                    self.process(batch)
            except Exception:   # a poller must outlive one bad batch; the messages come back
                log.exception("SQS poller for %s failed", self.mapping.trigger)
                self._stopping.wait(1.0)

    def _collect(self) -> list[ReceivedMessage]:
        """One batch: up to BatchSize messages, waiting up to MaximumBatchingWindowInSeconds
        for a batch to fill (at once when there is no window)."""
        settings, name = self.mapping.settings, self.mapping.queue_name
        batch = self._queues.receive(name, max_messages=min(10, settings.batch_size),
                                     wait_s=LONG_POLL_S)
        if not batch or settings.batching_window_s <= 0:
            return batch
        deadline = self.clock.monotonic() + settings.batching_window_s
        size = sum(len(m.body) for m in batch)
        while len(batch) < settings.batch_size and size < MAX_BATCH_PAYLOAD_BYTES \
                and not self._stopping.is_set():
            left = deadline - self.clock.monotonic()
            if left <= 0:
                break
            more = self._queues.receive(
                name, max_messages=min(10, settings.batch_size - len(batch)), wait_s=left)
            batch.extend(more)
            size += sum(len(m.body) for m in more)
        return batch

    def _release(self, batch: Sequence[ReceivedMessage]) -> None:
        """Received by a poller that is stopping: visible again now, not after a timeout."""
        for message in batch:
            self._queues.change_visibility(self.mapping.queue_name, message.receipt_handle, 0)

    def process(self, batch: Sequence[ReceivedMessage]) -> None:
        """Filter, invoke, and delete what succeeded (tests call this directly)."""
        mapping = self.mapping
        event = sqs_event(batch, queue_arn=mapping.queue_arn, region=self._region)
        records = event["Records"]
        wanted, unwanted = [], []
        for message, record in zip(batch, records, strict=True):
            if self._filter.matches(sqs_filter_view(record)):
                wanted.append((message, record))
            else:
                unwanted.append(message)
        for message in unwanted:   # Lambda deletes what no filter lets through
            self._queues.delete(mapping.queue_name, message.receipt_handle)
        if not wanted:
            return
        payload = json.dumps({"Records": [r for _, r in wanted]}).encode()
        try:
            result = self._invoker.invoke(mapping.function, payload)
        except api_errors.TooManyRequests:
            # Throttled: the messages return after their visibility timeout, as on AWS.
            self._stopping.wait(THROTTLE_PAUSE_S)
            return
        if result.is_error:
            return   # all stay, visible again after the queue's VisibilityTimeout
        failed: frozenset[str] = frozenset()
        if mapping.settings.reports_batch_item_failures:
            outcome = batch_item_failures(result.payload,
                                          message_ids=[m.message_id for m, _ in wanted],
                                          is_fifo=mapping.is_fifo)
            if outcome.is_batch_failure:
                self._note(mapping.function, f"samlite: the whole batch of "
                                             f"{len(wanted)} returns to {mapping.queue_name}: "
                                             f"{outcome.reason}")
                return
            failed = frozenset(outcome.failed_ids)
        for message, _ in wanted:
            if message.message_id not in failed:
                self._queues.delete(mapping.queue_name, message.receipt_handle)


class SqsEventSources:
    """Every queue mapping of the graph; `update(graph)` on hot reload restarts only the
    mappings that changed."""

    def __init__(self, graph: Graph, *, queues: QueueReader,
                 queue_name_for: Callable[[str], str | None], invoker: Invoker, region: str,
                 note: Callable[[str, str], None] = lambda function, line: None) -> None:
        self._queues = queues
        self._queue_name_for = queue_name_for
        self._invoker = invoker
        self._region = region
        self._note = note
        self._pollers: dict[QueueMapping, QueuePoller] = {}
        self._started = False
        self._wanted = queue_mappings(graph, queue_name_for)

    @property
    def mappings(self) -> tuple[QueueMapping, ...]:
        return self._wanted

    def start(self) -> None:
        self._started = True
        self._apply()

    def update(self, graph: Graph) -> None:
        self._wanted = queue_mappings(graph, self._queue_name_for)
        if self._started:
            self._apply()

    def stop(self) -> None:
        for poller in self._pollers.values():
            poller.stop()

    def join(self) -> None:
        for poller in self._pollers.values():
            poller.join()
        self._pollers.clear()

    def _apply(self) -> None:
        wanted = set(self._wanted)
        for mapping in [m for m in self._pollers if m not in wanted]:
            self._pollers.pop(mapping).stop()
        for mapping in self._wanted:
            if mapping not in self._pollers:
                try:
                    poller = QueuePoller(mapping, queues=self._queues, invoker=self._invoker,
                                         region=self._region, note=self._note)
                except ValueError as exc:   # a FilterCriteria Lambda would refuse (W4003)
                    self._note(mapping.function, f"samlite: {mapping.trigger} not run: its "
                                                 f"FilterCriteria is not valid ({exc})")
                    continue
                self._pollers[mapping] = poller
                poller.start()
