"""Asynchronous invocation: the durable per-function event queue behind InvocationType Event,
S3 notifications and schedules, with Lambda's retries, event age limit, dead-letter queue
and destinations. Follows the Lambda developer guide, "How Lambda handles errors and retries
with asynchronous invocation" and "Capturing records of Lambda asynchronous invocations".

- A function error (the handler raised, timed out, crashed or ran out of memory) is retried
  up to MaximumRetryAttempts (default 2), 1 minute before the first retry and 2 before the
  second. A throttle goes back to the queue without counting as an attempt, retried from
  1 s, doubling up to 5 minutes. Both waits are multiplied by `backoff_scale`, so tests and
  impatient developers can shrink them.
- An event older than MaximumEventAgeInSeconds (default 6 hours) is not run again.
- When an event is given up, it goes to the function's DeadLetterConfig target (the event
  itself, with RequestID/ErrorCode/ErrorMessage attributes) and to the OnFailure destination
  (an invocation record); a success goes to OnSuccess. Delivery is the `deliver` callback's
  business (sources/destinations.py knows the local SQS and Lambda).
- Every accepted event is in the store before `submit` returns and leaves it only once it
  is done, so a samlite killed mid-run runs it again after a restart (at least once, as
  Lambda promises).
"""

from __future__ import annotations

import heapq
import json
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from samlite.clock import Clock, SystemClock
from samlite.graph.model import Destination
from samlite.runtime import api_errors
from samlite.runtime.async_records import dead_letter_attributes, invocation_record
from samlite.runtime.invocation import Invocation, InvocationType, Result
from samlite.state import open_database, reading

log = logging.getLogger(__name__)

DEFAULT_MAX_RETRY_ATTEMPTS = 2
DEFAULT_MAX_EVENT_AGE_S = 21_600
FUNCTION_ERROR_DELAYS_S = (60.0, 120.0)     # before the first and the second retry
THROTTLE_FIRST_DELAY_S = 1.0
THROTTLE_MAX_DELAY_S = 300.0
DEFAULT_WORKERS = 16


@dataclass(frozen=True, slots=True, kw_only=True)
class AsyncPolicy:
    """What a function's EventInvokeConfig and DeadLetterQueue say."""

    max_retry_attempts: int = DEFAULT_MAX_RETRY_ATTEMPTS
    max_event_age_s: int = DEFAULT_MAX_EVENT_AGE_S
    on_success: Destination | None = None
    on_failure: Destination | None = None
    dead_letter: Destination | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingEvent:
    request_id: str                 # the same on every attempt, as Lambda keeps it
    function: str                   # logical id
    payload: bytes
    function_arn: str
    trace_id: str
    enqueued_at: float              # wall-clock seconds, for MaximumEventAgeInSeconds
    attempts: int = 0               # runs that reached the function
    throttles: int = 0
    next_at: float = 0.0            # wall-clock seconds
    tenant_id: str | None = None    # the invoke's TenantId (tenant isolation)
    trigger: str | None = None      # who invoked, as the source said (runtime/triggers.py)


class EventStore(Protocol):
    def save(self, event: PendingEvent) -> None: ...

    def remove(self, request_id: str) -> None: ...

    def load(self) -> list[PendingEvent]: ...

    def close(self) -> None: ...


Deliver = Callable[[Destination, bytes, Mapping[str, Mapping[str, str]] | None], None]
Run = Callable[[Invocation], Result]


class AsyncInvocations:
    def __init__(self, *, run: Run, policy_for: Callable[[str], AsyncPolicy],
                 deliver: Deliver, store: EventStore | None = None,
                 clock: Clock | None = None, backoff_scale: float = 1.0,
                 workers: int = DEFAULT_WORKERS,
                 note: Callable[[str, str], None] = lambda function, line: None) -> None:
        """`run` invokes synchronously (raising api_errors.TooManyRequests when throttled);
        `note(function, line)` tells the user what happened to an event given up."""
        self._run = run
        self._policy_for = policy_for
        self._deliver = deliver
        self._store = store or MemoryEventStore()
        self.clock = clock or SystemClock()
        self.backoff_scale = backoff_scale
        self._note = note
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lambda-event")
        self._due: list[tuple[float, int, str]] = []     # (next_at, tiebreak, request_id)
        self._events: dict[str, PendingEvent] = {}
        self._running: set[str] = set()
        self._order = 0
        self._lock = threading.Condition()
        self._stopping = False
        self._paused = False
        self._store_lock = threading.Lock()
        self._store_closed = False
        self._thread: threading.Thread | None = None
        for event in self._store.load():
            self._schedule(event)

    # --- intake -----------------------------------------------------------------------------
    def submit(self, invocation: Invocation) -> None:
        """Accept an event: stored before this returns, run as soon as a worker is free."""
        now = self.clock.now()
        event = PendingEvent(request_id=invocation.request_id, function=invocation.function,
                             payload=invocation.payload,
                             function_arn=invocation.invoked_function_arn,
                             trace_id=invocation.trace_id, enqueued_at=now, next_at=now,
                             tenant_id=invocation.tenant_id, trigger=invocation.trigger)
        self._stored(lambda store: store.save(event))
        with self._lock:
            self._schedule(event)
            self._lock.notify()

    def pending(self) -> int:
        with self._lock:
            return len(self._events)

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._dispatch_loop, name="lambda-async",
                                        daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """Start no more events (a stop is coming); those running finish and are recorded
        as done or retried as usual; the queued ones stay stored."""
        with self._lock:
            self._paused = True
            self._lock.notify_all()

    def stop(self) -> None:
        """Stop dispatching; events still queued stay in the store for the next start."""
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join(2.0)
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._store_lock:
            self._store.close()
            self._store_closed = True

    def run_due(self) -> int:
        """Run, on this thread, every event due by the clock's now (tests drive this with a
        ManualClock instead of start()). Returns how many ran."""
        ran = 0
        while (event := self._take_due()) is not None:
            self._attempt(event)
            ran += 1
        return ran

    # --- dispatching ------------------------------------------------------------------------
    def _schedule(self, event: PendingEvent) -> None:
        self._events[event.request_id] = event
        self._order += 1
        heapq.heappush(self._due, (event.next_at, self._order, event.request_id))

    def _take_due(self) -> PendingEvent | None:
        with self._lock:
            return self._pop_due_locked()

    def _pop_due_locked(self) -> PendingEvent | None:
        now = self.clock.now()
        while self._due and self._due[0][0] <= now:
            _, _, request_id = heapq.heappop(self._due)
            event = self._events.get(request_id)
            if event is not None and request_id not in self._running:
                self._running.add(request_id)
                return event
        return None

    def _dispatch_loop(self) -> None:
        while True:
            with self._lock:
                if self._stopping or self._paused:
                    return
                event = self._pop_due_locked()
                if event is None:
                    wait_s = None
                    if self._due:
                        wait_s = max(0.0, self._due[0][0] - self.clock.now())
                        wait_s = min(wait_s, 1.0)   # a clock that runs faster than real time
                    self._lock.wait(wait_s)
                    continue
            try:
                self._pool.submit(self._attempt, event)
            except RuntimeError:   # the pool is shutting down
                return

    def _attempt(self, event: PendingEvent) -> None:
        try:
            self._attempt_once(event)
        except Exception:   # a delivery failure must not lose the event or kill the worker
            log.exception("asynchronous invocation %s failed in samlite", event.request_id)
            self._requeue(replace(event, next_at=self.clock.now() + self._scaled(1.0)))

    def _attempt_once(self, event: PendingEvent) -> None:
        policy = self._policy_for(event.function)
        if self.clock.now() - event.enqueued_at > policy.max_event_age_s:
            self._give_up(event, policy, condition="EventAgeExceeded", result=None)
            return
        invocation = Invocation(request_id=event.request_id, function=event.function,
                                payload=event.payload, invoked_function_arn=event.function_arn,
                                trace_id=event.trace_id, invocation_type=InvocationType.EVENT,
                                tenant_id=event.tenant_id, trigger=event.trigger,
                                attempt=event.attempts + 1,
                                attempts_allowed=policy.max_retry_attempts + 1)
        try:
            result = self._run(invocation)
            if self._stopping:   # cut short by the stop: it stays stored, to run again
                return
        except api_errors.TooManyRequests as exc:
            delay = min(THROTTLE_MAX_DELAY_S, THROTTLE_FIRST_DELAY_S * 2 ** event.throttles)
            wait_s = self._scaled(delay)
            # Said each time: a held event is otherwise silent until it runs or ages out.
            reason = exc.fields.get("Reason") or exc.message
            self._note(event.function, f"samlite: event {event.request_id} throttled "
                                       f"({reason}); retry in {wait_s:g} s, until it is "
                                       f"{policy.max_event_age_s} s old (Lambda's retries of "
                                       "a throttled asynchronous event)")
            self._requeue(replace(event, throttles=event.throttles + 1,
                                  next_at=self.clock.now() + wait_s))
            return
        except api_errors.VersionNotKept as exc:   # a reload published a newer version
            self._note(event.function, f"samlite: event {event.request_id} not run: "
                                       f"{exc.message}")
            self._finish(event)
            return
        except api_errors.ResourceNotFound:
            self._note(event.function, f"samlite: event {event.request_id} not run: the "
                                       "function was removed from the template")
            self._finish(event)
            return
        attempts = event.attempts + 1
        if not result.is_error:
            self._finish(event)
            if policy.on_success is not None:
                self._send_record(policy.on_success, replace(event, attempts=attempts),
                                  "Success", result)
            return
        if attempts > policy.max_retry_attempts:
            self._give_up(replace(event, attempts=attempts), policy,
                          condition="RetriesExhausted", result=result)
            return
        delay = FUNCTION_ERROR_DELAYS_S[min(attempts - 1, len(FUNCTION_ERROR_DELAYS_S) - 1)]
        wait_s = self._scaled(delay)
        # Said, since nothing else shows that the failed event will run again.
        self._note(event.function, f"samlite: event {event.request_id} failed; retry "
                                   f"{attempts} of {policy.max_retry_attempts} in {wait_s:g} s "
                                   "(Lambda's asynchronous retries)")
        self._requeue(replace(event, attempts=attempts, next_at=self.clock.now() + wait_s))

    def _give_up(self, event: PendingEvent, policy: AsyncPolicy, *, condition: str,
                 result: Result | None) -> None:
        targets = [d for d in (policy.dead_letter, policy.on_failure) if d is not None]
        why = ("its maximum event age passed" if condition == "EventAgeExceeded"
               else f"{event.attempts} attempts failed")
        where = ", ".join(f"{d.type or 'target'} {d.target}" for d in targets) or \
            "nowhere (no DeadLetterQueue or OnFailure destination)"
        self._note(event.function, f"samlite: event {event.request_id} given up ({why}); "
                                   f"sent to {where}")
        if policy.dead_letter is not None:
            error_type, error_message = _error_of(result, condition)
            self._deliver(policy.dead_letter, event.payload, dead_letter_attributes(
                request_id=event.request_id, error_code=200,
                error_message=error_message or error_type))
        if policy.on_failure is not None:
            self._send_record(policy.on_failure, event, condition, result)
        self._finish(event)

    def _send_record(self, destination: Destination, event: PendingEvent, condition: str,
                     result: Result | None) -> None:
        record = invocation_record(
            request_id=event.request_id, function_arn=event.function_arn,
            condition=condition, approximate_invoke_count=max(1, event.attempts),
            request_payload=event.payload,
            status_code=200 if result is not None else None,
            function_error=result.function_error if result is not None else None,
            response_payload=result.payload if result is not None else None,
            timestamp=self.clock.now(),
            executed_version=result.executed_version if result is not None else "$LATEST")
        self._deliver(destination, json.dumps(record).encode(), None)

    def _requeue(self, event: PendingEvent) -> None:
        self._stored(lambda store: store.save(event))
        with self._lock:
            self._running.discard(event.request_id)
            self._schedule(event)
            self._lock.notify()

    def _finish(self, event: PendingEvent) -> None:
        self._stored(lambda store: store.remove(event.request_id))
        with self._lock:
            self._running.discard(event.request_id)
            self._events.pop(event.request_id, None)

    def _stored(self, change: Callable[[EventStore], None]) -> None:
        with self._store_lock:
            if not self._store_closed:
                change(self._store)

    def _scaled(self, seconds: float) -> float:
        return seconds * self.backoff_scale


def _error_of(result: Result | None, condition: str) -> tuple[str, str]:
    if result is None:
        return condition, "Event age exceeded the function's MaximumEventAgeInSeconds"
    try:
        document: Any = json.loads(result.payload)
    except ValueError:
        document = None
    if isinstance(document, dict):
        return str(document.get("errorType", "")), str(document.get("errorMessage", ""))
    return "", result.payload.decode("utf-8", "replace")


class MemoryEventStore:
    """For one-shot commands and tests: nothing survives the process."""

    def __init__(self) -> None:
        self._events: dict[str, PendingEvent] = {}

    def save(self, event: PendingEvent) -> None:
        self._events[event.request_id] = event

    def remove(self, request_id: str) -> None:
        self._events.pop(request_id, None)

    def load(self) -> list[PendingEvent]:
        return list(self._events.values())

    def close(self) -> None:
        pass


class SqliteEventStore:
    """Pending events in the state directory (`async.sqlite3`). Each write is committed
    before the caller goes on; the OS keeps it through a SIGKILL of samlite."""

    _COLUMNS = ("request_id", "function", "payload", "function_arn", "trace_id",
                "enqueued_at", "attempts", "throttles", "next_at", "tenant_id", "trigger")

    def __init__(self, path: Path) -> None:
        """A damaged or foreign file at `path` is a StateFileError naming it."""
        self._path = path
        self._db = open_database(
            path, "CREATE TABLE IF NOT EXISTS events (request_id TEXT PRIMARY KEY, "
            "function TEXT, payload BLOB, function_arn TEXT, trace_id TEXT, enqueued_at REAL, "
            "attempts INTEGER, throttles INTEGER, next_at REAL, tenant_id TEXT, trigger TEXT);")
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(events)")}
        for added in ("tenant_id", "trigger"):   # a state file from before these were kept
            if added not in columns:
                self._db.execute(f"ALTER TABLE events ADD COLUMN {added} TEXT")
        self._lock = threading.Lock()

    def save(self, event: PendingEvent) -> None:
        row = tuple(getattr(event, name) for name in self._COLUMNS)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO events (request_id, function, payload, function_arn, "
                "trace_id, enqueued_at, attempts, throttles, next_at, tenant_id, trigger) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)

    def remove(self, request_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM events WHERE request_id = ?", (request_id,))

    def load(self) -> list[PendingEvent]:
        with self._lock, reading(self._path):
            rows = self._db.execute(
                "SELECT request_id, function, payload, function_arn, trace_id, enqueued_at, "
                "attempts, throttles, next_at, tenant_id, trigger FROM events "
                "ORDER BY enqueued_at").fetchall()
        return [PendingEvent(**dict(zip(self._COLUMNS, row, strict=True))) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
