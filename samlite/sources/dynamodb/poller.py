"""The DynamoDB stream event source mapping: readers that take a table's stream records in
order, invoke the function synchronously with Lambda's DynamoDB event, and checkpoint what it
processed. Follows the Lambda developer guide, "Using AWS Lambda with Amazon DynamoDB"
(starting position, batching window, error handling, partial batch responses, parallelization
factor, filtering, on-failure destinations).

- ParallelizationFactor N: N readers per stream, each owning the partition keys that hash to
  it, so records of one partition key stay in order; each keeps its own checkpoint.
- A failed batch is retried (the reader does not move past it) until it succeeds, its
  retries (MaximumRetryAttempts) or its oldest record's age (MaximumRecordAgeInSeconds) run
  out; then the OnFailure SQS queue gets the invocation record and the reader moves on.
  AWS does not publish how long Lambda waits between those retries; here the wait doubles
  from 50 ms up to 5 s (so a poison record under the default infinite retries costs a
  call every 5 s, not a core), starts again for each batch, and is said in the function's
  log at each retry.
  BisectBatchOnFunctionError splits a failed batch in two and retries each half.
- ReportBatchItemFailures: the reader checkpoints before the first failed sequence number and
  retries from it.
- Records that match none of the FilterCriteria patterns are skipped without an invoke.
- Checkpoints are kept in the state dir and saved after each batch is done, so after a
  SIGKILL a reader resumes after the last batch it finished: the batch in flight is invoked
  again (at least once, as Lambda), none is skipped.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from samlite.aws.dynamodb.model import shard_id
from samlite.clock import Clock, SystemClock
from samlite.dialects.event_patterns import EventFilter
from samlite.graph.model import Graph, StreamSettings, TriggerKind
from samlite.runtime import api_errors
from samlite.runtime.invocation import Result
from samlite.sources.dynamodb.events import (
    RECORD_AGE_EXCEEDED,
    RETRIES_EXHAUSTED,
    on_failure_record,
    stream_event,
)
from samlite.sources.sqs.events import batch_item_failures

log = logging.getLogger(__name__)

# Lambda polls a shard four times a second; a new record wakes a reader at once here, and a
# reader of a mapping removed by hot reload ends within this wait.
IDLE_WAIT_S = 1.0
# Between retries of a failed (or throttled) batch: doubling from the first to the cap.
FIRST_RETRY_DELAY_S = 0.05
MAX_RETRY_DELAY_S = 5.0
MAX_BATCH_PAYLOAD_BYTES = 6 * 1024 * 1024   # an invoke's request limit


class Stream(Protocol):
    def stream_arn(self, table: str) -> str | None: ...
    def latest_position(self, table: str) -> int: ...
    def oldest_position(self, table: str) -> int: ...
    def read(self, table: str, *, after: int, limit: int,
             lane: tuple[int, int] | None = None) -> Sequence[Any]: ...
    def wait_for_records(self, table: str, *, after: int, wait_s: float) -> None: ...
    def checkpoint(self, consumer: str, lane: int) -> int | None: ...
    def save_checkpoint(self, consumer: str, lane: int, position: int) -> None: ...


class Invoker(Protocol):
    def invoke(self, function: str, payload: bytes) -> Result: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamMapping:
    """One DynamoDB stream trigger of a function, its table resolved to its local name."""

    trigger: str             # the event id (or the EventSourceMapping's logical id)
    function: str            # logical id
    function_name: str
    table_name: str
    settings: StreamSettings

    @property
    def consumer(self) -> str:
        """The checkpoint's name: stable across restarts and hot reloads."""
        return f"{self.function}/{self.trigger}"


def stream_mappings(graph: Graph) -> tuple[StreamMapping, ...]:
    tables = {t.logical_id: t for t in graph.tables}
    out = []
    for function in graph.functions:
        for trigger in function.events:
            if trigger.kind is not TriggerKind.DYNAMODB or trigger.stream is None \
                    or not trigger.runs_locally or trigger.source not in tables:
                continue
            out.append(StreamMapping(
                trigger=trigger.logical_id, function=function.logical_id,
                function_name=function.function_name or function.logical_id,
                table_name=tables[trigger.source].table_name, settings=trigger.stream))
    return tuple(out)


class StreamReader:
    """The readers of one mapping (one per ParallelizationFactor lane)."""

    def __init__(self, mapping: StreamMapping, *, streams: Stream, invoker: Invoker,
                 deliver_failure: Callable[[StreamMapping, dict[str, Any]], str],
                 function_arn: str, clock: Clock | None = None,
                 note: Callable[[str, str], None] = lambda function, line: None,
                 pause: Callable[[float], object] | None = None) -> None:
        """`pause(seconds)` waits between retries (default: until the reader stops); tests
        pass one that only records the wait."""
        self.mapping = mapping
        self._streams = streams
        self._invoker = invoker
        self._deliver_failure = deliver_failure
        self._function_arn = function_arn
        self.clock = clock or SystemClock()
        self._note = note
        self._filter = EventFilter.from_patterns(mapping.settings.filter_patterns)
        self._stopping = threading.Event()
        self._pause = pause or self._stopping.wait
        self._threads: list[threading.Thread] = []
        self._reading: dict[int, str | None] = {}    # lane -> the stream ARN it reads

    @property
    def lanes(self) -> int:
        return max(1, min(10, self.mapping.settings.parallelization_factor))

    def start(self) -> None:
        if not self.mapping.settings.is_enabled:
            return
        for lane in range(self.lanes):
            self.start_position(lane)     # LATEST means "from now", not from the first read
            thread = threading.Thread(target=self._loop, args=(lane,), daemon=True,
                                      name=f"ddb-{self.mapping.trigger}-{lane}")
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()

    def join(self, timeout_s: float = 2.0) -> None:
        for thread in self._threads:
            thread.join(timeout_s)

    def _consumer(self) -> str:
        """The checkpoint's name: the mapping's, on this stream (a stream turned off and on
        again is a new stream, read from StartingPosition again)."""
        return f"{self.mapping.consumer}@{self._streams.stream_arn(self.mapping.table_name)}"

    def start_position(self, lane: int) -> int:
        """The position this lane has processed up to, set from StartingPosition the first
        time the mapping runs."""
        mapping, streams = self.mapping, self._streams
        self._reading[lane] = streams.stream_arn(mapping.table_name)
        done = streams.checkpoint(self._consumer(), lane)
        if done is None:
            done = streams.latest_position(mapping.table_name) \
                if mapping.settings.starting_position == "LATEST" \
                else streams.oldest_position(mapping.table_name) - 1
            streams.save_checkpoint(self._consumer(), lane, done)
        return done

    def _loop(self, lane: int) -> None:
        done = self.start_position(lane)
        while not self._stopping.is_set():
            try:
                done = self.step(lane, done)
            except Exception:   # a reader must outlive one bad batch; it is read again
                log.exception("DynamoDB stream reader for %s failed", self.mapping.trigger)
                self._stopping.wait(1.0)
                done = self.start_position(lane)

    def step(self, lane: int, done: int) -> int:
        """Read and process one batch after position `done`; the new checkpoint."""
        mapping, settings = self.mapping, self.mapping.settings
        lane_of = (self.lanes, lane)
        if self._streams.stream_arn(mapping.table_name) != self._reading.get(lane):
            return self.start_position(lane)      # the table's stream was replaced
        latest = self._streams.latest_position(mapping.table_name)
        batch = list(self._streams.read(mapping.table_name, after=done,
                                        limit=settings.batch_size, lane=lane_of))
        if not batch:
            self._streams.wait_for_records(mapping.table_name, after=latest,
                                           wait_s=IDLE_WAIT_S)
            return done
        if settings.batching_window_s > 0 and len(batch) < settings.batch_size:
            deadline = self.clock.monotonic() + settings.batching_window_s
            while len(batch) < settings.batch_size and not self._stopping.is_set():
                left = deadline - self.clock.monotonic()
                if left <= 0:
                    break
                self._streams.wait_for_records(
                    mapping.table_name, after=self._streams.latest_position(
                        mapping.table_name), wait_s=min(left, IDLE_WAIT_S))
                batch += self._streams.read(mapping.table_name, after=batch[-1].position,
                                            limit=settings.batch_size - len(batch),
                                            lane=lane_of)
        batch = _within_payload_limit(batch)
        self.process(batch, lane)
        return batch[-1].position

    def process(self, batch: Sequence[Any], lane: int) -> None:
        """Filter, invoke until done or given up, then checkpoint the batch."""
        wanted = [s for s in batch if self._filter.matches(s.record)]
        # A batch that ends while the reader stops is checkpointed all the same: done is done.
        if not wanted or self._until_done(wanted, lane):
            self._streams.save_checkpoint(self._consumer(), lane, batch[-1].position)

    def _until_done(self, batch: Sequence[Any], lane: int) -> bool:
        """Invoke with `batch` until it succeeds or is given up (sent OnFailure): True. False
        when the reader stops first, without a checkpoint: the batch is read again."""
        settings = self.mapping.settings
        attempts = throttles = 0
        while batch and not self._stopping.is_set():
            if settings.max_record_age_s >= 0 and self.clock.now() \
                    - batch[0].created_ms / 1000 > settings.max_record_age_s:
                self._give_up(batch, RECORD_AGE_EXCEEDED, attempts, None)
                return True
            result = self._invoke(batch)
            if result is None:       # throttled: not an attempt
                self._pause(retry_delay_s(throttles))
                throttles += 1
                continue
            attempts += 1
            failed_from = self._failed_from(batch, result)
            if failed_from is None:
                return True
            if failed_from > 0:      # the records before the first failure are done
                self._streams.save_checkpoint(self._consumer(), lane,
                                              batch[failed_from - 1].position)
                batch = batch[failed_from:]
            if self._stopping.is_set():   # failed as the app stops, perhaps cut short by
                return False              # it: read again after a restart, not given up
            if settings.bisects_on_error and len(batch) > 1:
                half = len(batch) // 2
                if not self._until_done(batch[:half], lane):
                    return False
                self._streams.save_checkpoint(self._consumer(), lane,
                                              batch[half - 1].position)
                return self._until_done(batch[half:], lane)
            if 0 <= settings.max_retry_attempts < attempts:
                self._give_up(batch, RETRIES_EXHAUSTED, attempts, result)
                return True
            delay_s = retry_delay_s(attempts - 1)
            # Said, since nothing else shows that the batch (and its shard) is held.
            of = "unlimited" if settings.max_retry_attempts < 0 \
                else str(settings.max_retry_attempts + 1)
            self._note(self.mapping.function, f"samlite: stream batch of {len(batch)} failed "
                                              f"(attempt {attempts} of {of}); retrying in "
                                              f"{delay_s:g} s")
            self._pause(delay_s)
        return False

    def _invoke(self, batch: Sequence[Any]) -> Result | None:
        arn = self._streams.stream_arn(self.mapping.table_name) or ""
        payload = json.dumps(stream_event([s.record for s in batch], stream_arn=arn)).encode()
        try:
            return self._invoker.invoke(self.mapping.function, payload)
        except api_errors.TooManyRequests:
            return None

    def _failed_from(self, batch: Sequence[Any], result: Result) -> int | None:
        """None when the batch succeeded; else the index of its first failed record."""
        if result.is_error:
            return 0
        if not self.mapping.settings.reports_batch_item_failures:
            return None
        numbers = [s.record["dynamodb"]["SequenceNumber"] for s in batch]
        # Streams keep order: the first failure and everything after it are retried.
        outcome = batch_item_failures(result.payload, message_ids=numbers, is_fifo=True)
        if outcome.is_batch_failure:
            self._note(self.mapping.function, f"samlite: the whole batch of {len(batch)} is "
                                              f"retried: {outcome.reason}")
            return 0
        return numbers.index(outcome.failed_ids[0]) if outcome.failed_ids else None

    def _give_up(self, batch: Sequence[Any], condition: str, attempts: int,
                 result: Result | None) -> None:
        mapping = self.mapping
        arn = self._streams.stream_arn(mapping.table_name) or ""
        record = on_failure_record(
            [s.record for s in batch], stream_arn=arn,
            shard_id=shard_id(arn.split("/stream/", 1)[0], arn.rsplit("/", 1)[-1]),
            function_arn=self._function_arn, condition=condition, invoke_count=attempts,
            request_id=result.request_id if result is not None else "",
            function_error=result.function_error if result is not None else None,
            status_code=200, now_s=self.clock.now())
        where = self._deliver_failure(mapping, record)
        self._note(mapping.function, f"samlite: {len(batch)} stream record(s) of "
                                     f"{mapping.table_name} given up ({condition}); {where}")


def retry_delay_s(failures: int) -> float:
    """The wait after `failures + 1` failures in a row of one batch."""
    return min(MAX_RETRY_DELAY_S, FIRST_RETRY_DELAY_S * 2 ** min(failures, 16))


def _within_payload_limit(batch: list[Any]) -> list[Any]:
    size, kept = 0, []
    for stored in batch:
        size += len(json.dumps(stored.record))
        if kept and size > MAX_BATCH_PAYLOAD_BYTES:
            break
        kept.append(stored)
    return kept


class QueueSender(Protocol):
    def send(self, queue_name: str, body: str) -> str: ...


class StreamEventSources:
    """Every stream mapping of the graph; `update(graph)` on hot reload restarts only the
    mappings that changed."""

    def __init__(self, graph: Graph, *, streams: Stream, invoker: Invoker, queues: QueueSender,
                 queue_name_for: Callable[[str], str | None], region: str, account_id: str,
                 clock: Clock | None = None,
                 note: Callable[[str, str], None] = lambda function, line: None) -> None:
        self._streams = streams
        self._invoker = invoker
        self._queues = queues
        self._queue_name_for = queue_name_for
        self._region = region
        self._account_id = account_id
        self._clock = clock
        self._note = note
        self._readers: dict[StreamMapping, StreamReader] = {}
        self._started = False
        self._wanted = stream_mappings(graph)

    @property
    def mappings(self) -> tuple[StreamMapping, ...]:
        return self._wanted

    def start(self) -> None:
        self._started = True
        self._apply()

    def update(self, graph: Graph) -> None:
        self._wanted = stream_mappings(graph)
        if self._started:
            self._apply()

    def stop(self) -> None:
        for reader in self._readers.values():
            reader.stop()

    def join(self) -> None:
        for reader in self._readers.values():
            reader.join()
        self._readers.clear()

    def _apply(self) -> None:
        wanted = set(self._wanted)
        for mapping in [m for m in self._readers if m not in wanted]:
            self._readers.pop(mapping).stop()
        for mapping in self._wanted:
            if mapping in self._readers:
                continue
            try:
                reader = StreamReader(
                    mapping, streams=self._streams, invoker=self._invoker,
                    deliver_failure=self._deliver_failure, clock=self._clock,
                    function_arn=f"arn:aws:lambda:{self._region}:{self._account_id}:"
                                 f"function:{mapping.function_name}", note=self._note)
            except ValueError as exc:   # a FilterCriteria Lambda would refuse
                self._note(mapping.function, f"samlite: {mapping.trigger} not run: its "
                                             f"FilterCriteria is not valid ({exc})")
                continue
            self._readers[mapping] = reader
            reader.start()

    def replay_latest(self, trigger: str, function: str) -> str | None:
        """`samlite trigger`: invoke the mapping's function with the newest stream record
        its filter lets through (the checkpoint does not move); the request id, or None
        when the stream has no such record. KeyError: no such mapping."""
        mapping = next(m for m in self._wanted
                       if m.trigger == trigger and m.function == function)
        event_filter = EventFilter.from_patterns(mapping.settings.filter_patterns)
        latest = self._streams.latest_position(mapping.table_name)
        after = max(self._streams.oldest_position(mapping.table_name) - 1, latest - 1000)
        wanted = [s for s in self._streams.read(mapping.table_name, after=after, limit=1000)
                  if event_filter.matches(s.record)]
        if not wanted:
            return None
        arn = self._streams.stream_arn(mapping.table_name) or ""
        payload = json.dumps(stream_event([wanted[-1].record], stream_arn=arn)).encode()
        return self._invoker.invoke(mapping.function, payload).request_id

    def _deliver_failure(self, mapping: StreamMapping, record: dict[str, Any]) -> str:
        """Send the on-failure record to the mapping's OnFailure queue; says where it went."""
        target = mapping.settings.on_failure
        if not target:
            return "dropped: the mapping has no OnFailure destination"
        name = self._queue_name_for(target)
        if name is None:
            return f"dropped: its OnFailure destination {target} is not a local queue"
        try:
            self._queues.send(name, json.dumps(record))
        except Exception as exc:   # the queue's own error (SqsError)
            return f"lost: its OnFailure queue {name} refused the record: {exc}"
        return f"the on-failure record went to the OnFailure queue {name}"
