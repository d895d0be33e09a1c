"""Asynchronous invocation: retries, event age, dead-letter queue and destinations, with a
ManualClock (no sleeping) and a fake function; durability with the SQLite store."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from samlite.clock import ManualClock
from samlite.graph.model import Destination
from samlite.runtime import api_errors
from samlite.runtime.async_invoke import AsyncInvocations, AsyncPolicy, SqliteEventStore
from samlite.runtime.invocation import Invocation, Result
from samlite.runtime.triggers import describe

ARN = "arn:aws:lambda:us-east-1:123456789012:function:Worker"
DLQ = Destination(type="SQS", target="DeadLetters")
ON_FAILURE = Destination(type="SQS", target="Failures")
ON_SUCCESS = Destination(type="Lambda", target="Audit")


class FakeFunction:
    """Fails the first `failures` runs, or throttles the first `throttles`."""

    def __init__(self, *, failures: int = 0, throttles: int = 0) -> None:
        self.failures = failures
        self.throttles = throttles
        self.runs: list[Invocation] = []

    def __call__(self, invocation: Invocation) -> Result:
        if self.throttles:
            self.throttles -= 1
            raise api_errors.TooManyRequests("Rate Exceeded.")
        self.runs.append(invocation)
        if len(self.runs) <= self.failures:
            return Result(request_id=invocation.request_id, function_error="Unhandled",
                          payload=b'{"errorMessage": "boom", "errorType": "ValueError"}')
        return Result(request_id=invocation.request_id, payload=b'{"ok": true}')


class Deliveries(list):
    def __call__(self, destination, body, attributes) -> None:
        self.append((destination, json.loads(body) if attributes is None else body,
                     attributes))


def make(fn: FakeFunction, policy: AsyncPolicy, *, clock: ManualClock | None = None,
         store=None, backoff_scale: float = 1.0) -> tuple[AsyncInvocations, Deliveries]:
    deliveries = Deliveries()
    events = AsyncInvocations(run=fn, policy_for=lambda _name: policy, deliver=deliveries,
                              clock=clock or ManualClock(), store=store,
                              backoff_scale=backoff_scale)
    return events, deliveries


def event(request_id: str = "req-1", payload: bytes = b'{"n": 1}') -> Invocation:
    return Invocation(request_id=request_id, function="Worker", payload=payload,
                      invoked_function_arn=ARN, trace_id="Root=1-0-0")


def test_a_success_goes_to_on_success_with_lambdas_record() -> None:
    fn = FakeFunction()
    events, deliveries = make(fn, AsyncPolicy(on_success=ON_SUCCESS))
    events.submit(event())
    assert events.run_due() == 1
    [(destination, record, _)] = deliveries
    assert destination == ON_SUCCESS
    assert record["requestContext"] == {"requestId": "req-1", "functionArn": ARN + ":$LATEST",
                                        "condition": "Success", "approximateInvokeCount": 1}
    assert record["requestPayload"] == {"n": 1}
    assert record["responsePayload"] == {"ok": True}
    assert events.pending() == 0


def test_function_errors_are_retried_after_one_then_two_minutes_then_dead_lettered() -> None:
    clock = ManualClock()
    fn = FakeFunction(failures=5)
    events, deliveries = make(fn, AsyncPolicy(dead_letter=DLQ, on_failure=ON_FAILURE),
                              clock=clock)
    events.submit(event())
    assert events.run_due() == 1
    clock.advance(seconds=59)
    assert events.run_due() == 0          # the first retry waits a minute
    clock.advance(seconds=1)
    assert events.run_due() == 1
    clock.advance(seconds=119)
    assert events.run_due() == 0          # the second waits two
    clock.advance(seconds=1)
    assert events.run_due() == 1
    assert [run.request_id for run in fn.runs] == ["req-1"] * 3   # same id on each attempt
    (dlq, body, attributes), (failure, record, _) = deliveries
    assert (dlq, failure) == (DLQ, ON_FAILURE)
    assert body == b'{"n": 1}'
    assert attributes["RequestID"]["StringValue"] == "req-1"
    assert attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    assert attributes["ErrorMessage"]["StringValue"] == "boom"
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorType"] == "ValueError"
    assert events.pending() == 0


def test_each_retry_is_announced_with_its_wait() -> None:
    notes: list[tuple[str, str]] = []
    events = AsyncInvocations(run=FakeFunction(failures=1), policy_for=lambda _name:
                              AsyncPolicy(), deliver=Deliveries(), clock=ManualClock(),
                              note=lambda function, line: notes.append((function, line)),
                              backoff_scale=0.5)
    events.submit(event())
    assert events.run_due() == 1
    assert notes == [("Worker", "samlite: event req-1 failed; retry 1 of 2 in 30 s "
                                "(Lambda's asynchronous retries)")]


def test_maximum_retry_attempts_zero_gives_up_after_one_run() -> None:
    fn = FakeFunction(failures=1)
    events, deliveries = make(fn, AsyncPolicy(max_retry_attempts=0, on_failure=ON_FAILURE))
    events.submit(event())
    events.run_due()
    assert len(fn.runs) == 1
    assert deliveries[0][1]["requestContext"]["condition"] == "RetriesExhausted"


def test_a_retry_that_succeeds_is_not_dead_lettered() -> None:
    clock = ManualClock()
    fn = FakeFunction(failures=1)
    events, deliveries = make(fn, AsyncPolicy(dead_letter=DLQ, on_success=ON_SUCCESS),
                              clock=clock)
    events.submit(event())
    events.run_due()
    clock.advance(seconds=60)
    events.run_due()
    [(destination, record, _)] = deliveries
    assert destination == ON_SUCCESS
    assert record["requestContext"]["approximateInvokeCount"] == 2


def test_backoff_scale_shrinks_the_waits() -> None:
    clock = ManualClock()
    fn = FakeFunction(failures=1)
    events, _ = make(fn, AsyncPolicy(), clock=clock, backoff_scale=0.01)
    events.submit(event())
    events.run_due()
    clock.advance(seconds=0.6)
    assert events.run_due() == 1
    assert len(fn.runs) == 2


def test_throttles_do_not_count_as_attempts_and_back_off_from_one_second() -> None:
    clock = ManualClock()
    fn = FakeFunction(throttles=3)
    events, _ = make(fn, AsyncPolicy(max_retry_attempts=0), clock=clock)
    events.submit(event())
    events.run_due()                       # throttled
    clock.advance(seconds=1)
    events.run_due()                       # throttled again
    clock.advance(seconds=1.5)
    assert events.run_due() == 0           # now waits 2 s
    clock.advance(seconds=0.5)
    events.run_due()                       # third throttle; next wait 4 s
    clock.advance(seconds=4)
    events.run_due()
    assert len(fn.runs) == 1               # ran once throttling ended, zero retries allowed
    assert events.pending() == 0


def test_each_throttle_is_announced_with_its_wait() -> None:
    # ReservedConcurrentExecutions: 0 holds the event; the log says so at each retry.
    clock = ManualClock()
    notes: list[tuple[str, str]] = []

    def throttled(invocation: Invocation) -> Result:
        raise api_errors.reserved_concurrency_exceeded()

    events = AsyncInvocations(run=throttled, policy_for=lambda _name: AsyncPolicy(),
                              deliver=Deliveries(), clock=clock,
                              note=lambda function, line: notes.append((function, line)))
    events.submit(event())
    events.run_due()
    clock.advance(seconds=1)
    events.run_due()
    assert notes == [("Worker", f"samlite: event req-1 throttled "
                                f"(ReservedFunctionConcurrentInvocationLimitExceeded); retry in "
                                f"{wait} s, until it is 21600 s old (Lambda's retries of a "
                                "throttled asynchronous event)") for wait in (1, 2)]


def test_an_event_past_its_maximum_age_is_not_run_and_goes_to_on_failure() -> None:
    clock = ManualClock()
    fn = FakeFunction(failures=10)
    events, deliveries = make(fn, AsyncPolicy(max_event_age_s=90, on_failure=ON_FAILURE),
                              clock=clock)
    events.submit(event())
    events.run_due()
    clock.advance(seconds=60)
    events.run_due()                       # second run at 60 s
    clock.advance(seconds=120)             # third would be at 180 s, older than 90 s
    events.run_due()
    assert len(fn.runs) == 2
    [(_, record, _)] = deliveries
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert "responseContext" not in record


def test_pending_events_survive_a_restart(tmp_path: Path) -> None:
    clock = ManualClock()
    db = tmp_path / "async.sqlite3"
    fn = FakeFunction(failures=1)
    first, _ = make(fn, AsyncPolicy(), clock=clock, store=SqliteEventStore(db))
    first.submit(event("req-a", b'{"a": 1}'))
    first.submit(event("req-b", b'{"b": 2}'))
    first.run_due()                        # req-a fails once, req-b succeeds
    first.stop()

    fn_after = FakeFunction()
    second, _ = make(fn_after, AsyncPolicy(), clock=clock, store=SqliteEventStore(db))
    assert second.pending() == 1
    clock.advance(seconds=60)
    assert second.run_due() == 1
    assert [(r.request_id, r.payload) for r in fn_after.runs] == [("req-a", b'{"a": 1}')]
    second.stop()
    third, _ = make(FakeFunction(), AsyncPolicy(), clock=clock, store=SqliteEventStore(db))
    assert third.pending() == 0
    third.stop()


def retried_after_a_restart(tmp_path: Path, submitted: Invocation) -> list[Invocation]:
    """What the function is given when `submitted` failed once, samlite restarted, and its
    retry came due."""
    clock = ManualClock()
    db = tmp_path / "async.sqlite3"
    first, _ = make(FakeFunction(failures=1), AsyncPolicy(), clock=clock,
                    store=SqliteEventStore(db))
    first.submit(submitted)
    first.run_due()                        # fails once, stays stored
    first.stop()
    fn_after = FakeFunction()
    second, _ = make(fn_after, AsyncPolicy(), clock=clock, store=SqliteEventStore(db))
    clock.advance(seconds=60)
    second.run_due()
    second.stop()
    return fn_after.runs


def test_a_retried_event_keeps_its_tenant_through_a_restart(tmp_path: Path) -> None:
    runs = retried_after_a_restart(tmp_path, replace(event("req-t"), tenant_id="blue"))
    assert [(r.request_id, r.tenant_id) for r in runs] == [("req-t", "blue")]


def test_a_retried_event_keeps_its_trigger_through_a_restart(tmp_path: Path) -> None:
    runs = retried_after_a_restart(
        tmp_path, replace(event("req-r"), trigger="eventbridge rule Paid on orders"))
    assert [describe(r) for r in runs] == ["eventbridge rule Paid on orders · async retry 1 of 2"]


def test_a_state_file_from_before_tenants_is_upgraded(tmp_path: Path) -> None:
    db = tmp_path / "async.sqlite3"
    old = sqlite3.connect(db)
    old.execute("CREATE TABLE events (request_id TEXT PRIMARY KEY, function TEXT, "
                "payload BLOB, function_arn TEXT, trace_id TEXT, enqueued_at REAL, "
                "attempts INTEGER, throttles INTEGER, next_at REAL)")
    clock = ManualClock()
    old.execute("INSERT INTO events VALUES ('req-old', 'Worker', X'7B7D', ?, 'Root=1-0-0', "
                "?, 0, 0, ?)", (ARN, clock.now(), clock.now()))
    old.commit()
    old.close()
    fn = FakeFunction()
    events, _ = make(fn, AsyncPolicy(), clock=clock, store=SqliteEventStore(db))
    events.run_due()
    events.stop()
    assert [(r.request_id, r.tenant_id) for r in fn.runs] == [("req-old", None)]


@pytest.mark.parametrize("failures", [0, 3])
def test_the_background_dispatcher_runs_events_without_run_due(failures: int) -> None:
    import threading

    done = threading.Event()
    fn = FakeFunction(failures=failures)

    def deliver(destination, body, attributes) -> None:
        done.set()

    events = AsyncInvocations(run=fn, policy_for=lambda _name: AsyncPolicy(
        on_success=ON_SUCCESS, on_failure=ON_FAILURE), deliver=deliver, backoff_scale=0.0001)
    events.start()
    try:
        events.submit(event())
        assert done.wait(5)
    finally:
        events.stop()
    assert len(fn.runs) == (1 if failures == 0 else 3)   # 2 retries after the first
