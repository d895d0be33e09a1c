"""A schedule whose target invocation fails: retried per its RetryPolicy when the failure is
retryable, then sent to its DeadLetterConfig queue with the attributes EventBridge Scheduler
(or EventBridge, for a schedule rule) sets; driven by a ManualClock."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from samlite.clock import ManualClock
from samlite.errors import Mark
from samlite.graph.model import Graph, Schedule, ScheduleTarget
from samlite.runtime.api_errors import TooManyRequests, function_not_found
from samlite.sources.schedule import Scheduler

from .fakes import FakeService

FUNCTION_ARN = "arn:aws:lambda:eu-west-1:111122223333:function:hello"


class FakeDeadLetters:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, Mapping[str, str]]] = []

    def send_dead_letter(self, queue: str, body: str, attributes: Mapping[str, str]) -> str:
        self.sent.append((queue, body, attributes))
        return "m-1"

    def target_arn_of(self, function: str) -> str:
        return FUNCTION_ARN


def every_minute(*, source: str = "ScheduleV2", **fields: Any) -> Schedule:
    return Schedule(logical_id="HelloTick", source=source, expression="rate(1 minute)",
                    targets=(ScheduleTarget(function="HelloFunction", input='{"n": 1}'),),
                    dead_letter="Dlq", at=Mark("template.yaml"), **fields)


def run(schedule: Schedule, raises: Exception | None,
        ) -> tuple[Scheduler, FakeService, FakeDeadLetters, ManualClock, list[str]]:
    clock, service, dead_letters, notes = ManualClock(), FakeService(), FakeDeadLetters(), []
    service.raises = raises
    ids = iter(f"exec-{n}" for n in range(100))
    sched = Scheduler(Graph(schedules=(schedule,)), service, clock=clock, region="eu-west-1",
                      account_id="111122223333", new_id=lambda: next(ids),
                      dead_letters=dead_letters, note=lambda _fn, line: notes.append(line))
    clock.advance(seconds=60)
    sched.run_due()
    return sched, service, dead_letters, clock, notes


def test_a_target_that_is_gone_goes_to_the_dead_letter_queue_at_once() -> None:
    _sched, service, dead_letters, _clock, notes = run(
        every_minute(), function_not_found(FUNCTION_ARN))
    assert len(service.calls) == 1                     # not retryable: no retry
    [(queue, body, attributes)] = dead_letters.sent
    assert (queue, json.loads(body)) == ("Dlq", {"n": 1})
    assert attributes == {
        "ERROR_CODE": "ResourceNotFoundException",
        "ERROR_MESSAGE": f"Function not found: {FUNCTION_ARN}",
        "EXECUTION_ID": "exec-0",
        "IS_PAYLOAD_TRUNCATED": "false",
        "RETRY_ATTEMPTS": "0",
        "SCHEDULED_TIME": "2026-01-01T00:01:00Z",
        "SCHEDULE_ARN": "arn:aws:scheduler:eu-west-1:111122223333:schedule/default/HelloTick",
        "TARGET_ARN": FUNCTION_ARN,
    }
    assert "sent to dead-letter queue Dlq" in notes[0]


def test_a_throttled_invocation_is_retried_and_then_succeeds() -> None:
    sched, service, dead_letters, clock, notes = run(every_minute(), TooManyRequests("Rate"))
    service.raises = None
    clock.advance(seconds=1)                            # the first retry waits 1 s
    assert sched.run_due() == 1
    assert [json.loads(c.payload) for c in service.calls] == [{"n": 1}, {"n": 1}]
    assert dead_letters.sent == []
    assert notes == ["samlite: schedule HelloTick could not invoke HelloFunction: "
                     "TooManyRequestsException: Rate; retry 1 of 185 in 1 s"]


def test_retries_stop_at_maximum_retry_attempts_then_dead_letter() -> None:
    sched, service, dead_letters, clock, _notes = run(
        every_minute(max_retry_attempts=2), TooManyRequests("Rate Exceeded."))
    clock.advance(seconds=1)
    sched.run_due()
    clock.advance(seconds=2)
    sched.run_due()
    assert len(service.calls) == 3                      # the first try and two retries
    [(_queue, _body, attributes)] = dead_letters.sent
    assert attributes["RETRY_ATTEMPTS"] == "2"
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert attributes["ERROR_CODE"] == "TooManyRequestsException"


def test_retries_stop_at_maximum_event_age() -> None:
    _sched, service, dead_letters, _clock, _notes = run(
        every_minute(max_event_age_s=0), TooManyRequests("Rate Exceeded."))
    assert len(service.calls) == 1
    [(_queue, _body, attributes)] = dead_letters.sent
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"


def test_a_schedule_rule_dead_letters_with_eventbridges_attributes() -> None:
    _sched, _service, dead_letters, _clock, _notes = run(
        every_minute(source="Schedule"), function_not_found(FUNCTION_ARN))
    [(_queue, body, attributes)] = dead_letters.sent
    assert json.loads(body) == {"n": 1}
    assert attributes == {
        "RULE_ARN": "arn:aws:events:eu-west-1:111122223333:rule/HelloTick",
        "TARGET_ARN": FUNCTION_ARN, "ERROR_CODE": "ResourceNotFoundException",
        "ERROR_MESSAGE": f"Function not found: {FUNCTION_ARN}"}


def test_without_a_dead_letter_queue_the_failure_is_said() -> None:
    from dataclasses import replace

    _sched, _service, dead_letters, _clock, notes = run(
        replace(every_minute(), dead_letter=None), function_not_found(FUNCTION_ARN))
    assert dead_letters.sent == []
    assert notes == ["samlite: schedule HelloTick could not invoke HelloFunction: "
                     f"ResourceNotFoundException: Function not found: {FUNCTION_ARN}; "
                     "dropped: the schedule has no dead-letter queue"]
