"""The schedule event source: fires every schedule of the graph on time, through a Clock.

Each fire is an asynchronous invocation (`service.invoke_async`), as EventBridge makes it.
An EventBridge rule (SAM `Schedule`, AWS::Events::Rule) sends the "Scheduled Event" it puts
on the bus (the shape `sam local generate-event cloudwatch scheduled-event` prints, with a
`version`), or its target's `Input` in its place. EventBridge Scheduler (SAM `ScheduleV2`,
AWS::Scheduler::Schedule) sends the target's `Input` as is; without one, its "default
notification": the same envelope with source aws.scheduler, the schedule's ARN and
`detail` the string "{}" (Scheduler API reference, Target.Input; events seen from it).

Missed occurrences: on AWS a schedule never falls behind; it does not replay the past, and
one late event is still delivered with its scheduled `time` (retried up to 24 h). Here a
schedule that fell behind (the machine slept, the clock jumped) fires its latest missed
occurrence once, with that occurrence's time, and skips the older ones.

A target invocation that fails (the Invoke call is refused) is retried or given up to the
target's dead-letter queue as EventBridge and Scheduler do (sources/schedule_failures.py).

A rule's state is the rule engine's (`RuleStates`: the local EventBridge, where DisableRule
and EnableRule set it), and schedule rules made through its API fire too; after either
changes, `refresh()` stops or starts the schedules it concerns.

Tests drive `run_due()` with a ManualClock; `start()` runs a thread that sleeps until the
next fire, woken by `stop()` and `update(graph)` (hot reload).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

from samlite.clock import Clock, SystemClock, real_seconds
from samlite.dialects.schedule_expressions import (
    Rate,
    ScheduleExpressionError,
    next_fire,
    parse_schedule,
)
from samlite.dialects.schedule_expressions import Schedule as Expression
from samlite.errors import UsageError
from samlite.graph.model import Graph, Schedule, ScheduleTarget
from samlite.sources.schedule_failures import (
    Failure,
    exhausted_condition,
    failure_of,
    retry_delay_s,
    retry_policy,
    rule_attributes,
    scheduler_attributes,
)

log = logging.getLogger(__name__)

__all__ = ["AsyncInvoker", "DeadLetters", "RuleStates", "Scheduler", "is_scheduler",
           "scheduled_event"]

SCHEDULER_SOURCES = frozenset({"ScheduleV2", "AWS::Scheduler::Schedule"})
# A guard on catching up a cron that fell far behind (a week of an every-minute cron is 10k).
_MAX_CATCH_UP_STEPS = 1_000_000


class AsyncInvoker(Protocol):
    def invoke_async(self, function: str, payload: bytes, *,
                     trigger: str | None = None) -> str: ...


class DeadLetters(Protocol):
    """Where given-up invocations go: the local SQS, and the names AWS gives them."""

    def send_dead_letter(self, queue: str, body: str, attributes: Mapping[str, str]) -> str:
        """Send to `queue` (logical id or ARN); raises when it cannot."""
        ...

    def target_arn_of(self, function: str) -> str: ...


class RuleStates(Protocol):
    """The rule engine's view of schedule rules (the local EventBridge, where DisableRule
    and EnableRule set a rule's state)."""

    def schedule_is_enabled(self, schedule: Schedule) -> bool: ...

    def api_schedules(self) -> tuple[Schedule, ...]:
        """The schedule rules clients made through the API, as schedules."""
        ...


def is_scheduler(schedule: Schedule) -> bool:
    """EventBridge Scheduler (ScheduleV2, AWS::Scheduler::Schedule) rather than a rule."""
    return schedule.source in SCHEDULER_SOURCES


def schedule_arn(schedule: Schedule, *, region: str, account_id: str) -> str:
    # The ARN carries the name AWS knows it by (EventBridge Scheduler's "Schedule" ARN format
    # schedule/<group>/<name>; a rule's rule/<name>), so a policy condition on it matches.
    name = schedule.name or schedule.logical_id
    if is_scheduler(schedule):
        group = schedule.group or "default"
        return f"arn:aws:scheduler:{region}:{account_id}:schedule/{group}/{name}"
    return f"arn:aws:events:{region}:{account_id}:rule/{name}"


def scheduled_event(schedule: Schedule, when: datetime, *, region: str, account_id: str,
                    event_id: str) -> dict[str, object]:
    """The event a schedule without Input sends for the occurrence at `when`."""
    scheduler = is_scheduler(schedule)
    return {
        "version": "0",
        "id": event_id,
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler" if scheduler else "aws.events",
        "account": account_id,
        "time": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [schedule_arn(schedule, region=region, account_id=account_id)],
        # Scheduler's default notification carries detail as a JSON string
        "detail": "{}" if scheduler else {},
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class _Plan:
    """What a schedule's firing depends on; a reload keeps the state of an unchanged plan."""

    schedule: Schedule
    expression: Expression
    zone: tzinfo
    start: datetime | None
    end: datetime | None

    def next_after(self, after: datetime) -> datetime | None:
        """The first fire strictly after `after` within StartDate..EndDate."""
        if self.start is not None and after < self.start:
            # a rate starts counting at StartDate as it does at creation; cron and at() may
            # fire on StartDate itself
            after = self.start if isinstance(self.expression, Rate) \
                else self.start - timedelta(microseconds=1)
        when = next_fire(self.expression, after.astimezone(self.zone))
        if when is None or (self.end is not None and when > self.end):
            return None
        return when

    def latest_due(self, first: datetime, now: datetime) -> tuple[datetime, int]:
        """The latest occurrence from `first` up to `now`, and how many were passed over."""
        if isinstance(self.expression, Rate):
            # in UTC: a rate counts real elapsed time, whatever the zone's clock does
            step = timedelta(seconds=self.expression.seconds)
            start = first.astimezone(UTC)
            skipped = int((now - start) / step)
            latest = start + skipped * step
            if self.end is not None and latest > self.end:
                skipped = int((self.end - start) / step)
                latest = start + skipped * step
            return latest.astimezone(first.tzinfo), skipped
        latest, skipped = first, 0
        while skipped < _MAX_CATCH_UP_STEPS:
            after = self.next_after(latest)
            if after is None or after > now:
                break
            latest, skipped = after, skipped + 1
        return latest, skipped


@dataclass(slots=True)
class _State:
    plan: _Plan
    next_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class _Fire:
    schedule: Schedule
    when: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class _Attempt:
    """One occurrence's invocation of one target, first or retried."""

    schedule: Schedule
    target: ScheduleTarget
    payload: bytes
    when: datetime           # the scheduled time
    first_at: float          # clock seconds of the first attempt (for the event's age)
    execution_id: str
    retries: int = 0
    next_at: float = 0.0     # clock seconds this retry is due


class Scheduler:
    """Fires the graph's schedules through `service.invoke_async`. `run_due()` fires what is
    due; `start()`/`stop()` run it on a thread; `update(graph)` follows a reloaded template."""

    def __init__(self, graph: Graph, service: AsyncInvoker, *, clock: Clock | None = None,
                 region: str = "us-east-1", account_id: str = "123456789012",
                 new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
                 on_fire: Callable[[str, str, str], None] | None = None,
                 rules: RuleStates | None = None, dead_letters: DeadLetters | None = None,
                 note: Callable[[str, str], None] | None = None) -> None:
        """`on_fire(schedule logical id, function, request id)` hears of each invocation;
        `rules` says which schedules are on now and adds the API's (None: the graph's,
        as the template says); `dead_letters` takes given-up invocations (None: they are
        only said); `note(function, line)` tells the user of failures."""
        self._rules = rules
        self._dead_letters = dead_letters
        self._note = note or (lambda _fn, line: log.error("%s", line))
        self._retries: list[_Attempt] = []
        self._graph = graph
        self.service = service
        self.clock = clock or SystemClock()
        self.region = region
        self.account_id = account_id
        self._new_id = new_id
        self._on_fire = on_fire or (lambda _s, _f, _r: None)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._schedules: dict[str, Schedule] = {}
        self._disabled: frozenset[str] = frozenset()
        self._states: dict[str, _State] = {}
        self.update(graph)

    # --- the schedules ---------------------------------------------------------------------
    def update(self, graph: Graph) -> None:
        """Follow a reloaded template. A schedule whose expression, zone, dates and state are
        unchanged keeps its next fire (a rate does not start counting again)."""
        now = self._now()
        self._graph = graph
        rules = self._rules
        schedules = (*graph.schedules, *(rules.api_schedules() if rules else ()))
        enabled = {s.logical_id for s in schedules
                   if (rules.schedule_is_enabled(s) if rules else s.is_enabled)}
        with self._lock:
            old = self._states
            self._schedules = {s.logical_id: s for s in schedules}
            self._disabled = frozenset(s.logical_id for s in schedules
                                       if s.logical_id not in enabled)
            self._states = {}
            for schedule in schedules:
                plan = _plan(schedule) if schedule.logical_id in enabled else None
                if plan is None:
                    continue
                kept = old.get(schedule.logical_id)
                if kept is not None and _same_timing(kept.plan, plan):
                    self._states[schedule.logical_id] = _State(plan=plan, next_at=kept.next_at)
                else:
                    self._states[schedule.logical_id] = _State(plan=plan,
                                                               next_at=plan.next_after(now))
        self._wake.set()

    def refresh(self) -> None:
        """A rule's state or the API's rules changed: schedules turned off stop, ones turned
        on start counting from now, the rest keep their next fire."""
        self.update(self._graph)

    def disabled(self) -> frozenset[str]:
        """The logical ids of the schedules that are off now (the template's State, or the
        API's DisableRule)."""
        with self._lock:
            return self._disabled

    def next_fires(self) -> list[tuple[str, str, datetime]]:
        """(schedule logical id, function, next fire in the schedule's zone) for every
        schedule that will fire again, soonest first."""
        with self._lock:
            rows = [(lid, target.function, state.next_at)
                    for lid, state in self._states.items() if state.next_at is not None
                    for target in state.plan.schedule.targets]
        return sorted(rows, key=lambda row: (row[2], row[0], row[1]))

    def next_due(self) -> datetime | None:
        with self._lock:
            times = [s.next_at for s in self._states.values() if s.next_at is not None]
            times += [datetime.fromtimestamp(r.next_at, UTC) for r in self._retries]
        return min(times, default=None)

    # --- firing ----------------------------------------------------------------------------
    def run_due(self, now: datetime | None = None) -> int:
        """Fire every occurrence due up to `now` (the clock's time by default), each once, in
        time order. Returns the number of invocations queued."""
        now = now or self._now()
        fires: list[_Fire] = []
        with self._lock:
            for lid, state in self._states.items():
                if state.next_at is None or state.next_at > now:
                    continue
                when, skipped = state.plan.latest_due(state.next_at, now)
                if skipped:
                    log.warning("schedule %s fell behind: %d missed occurrence(s) skipped, "
                                "firing the one at %s", lid, skipped, when.isoformat())
                fires.append(_Fire(schedule=state.plan.schedule, when=when))
                state.next_at = state.plan.next_after(when)
            due = [r for r in self._retries if r.next_at <= now.timestamp()]
            self._retries = [r for r in self._retries if r.next_at > now.timestamp()]
        fires.sort(key=lambda fire: (fire.when, fire.schedule.logical_id))
        retried = sum(self._attempt(retry) is not None
                      for retry in sorted(due, key=lambda r: r.next_at))
        return retried + sum(len(self._fire(fire)) for fire in fires)

    def fire_now(self, name: str) -> str:
        """Fire schedule `name` (its logical id) now, disabled or not, as `samlite trigger`
        does; returns the request id of its (first) invocation."""
        with self._lock:
            schedule = self._schedules.get(name)
            names = ", ".join(sorted(self._schedules)) or "none"
        if schedule is None:
            raise UsageError(f"no schedule {name!r} (schedules: {names})")
        when = self._now().replace(microsecond=0)
        ids = self._fire(_Fire(schedule=schedule, when=when))
        if not ids:
            raise UsageError(f"schedule {name!r} could not invoke its function "
                             "(see the log for why)")
        return ids[0]

    def _fire(self, fire: _Fire) -> list[str]:
        schedule = fire.schedule
        # EventBridge puts one event on the bus and hands the same one to every target; a
        # Scheduler schedule has one target, and its execution id is the event's.
        event_id = self._new_id()
        event = json.dumps(scheduled_event(schedule, fire.when, region=self.region,
                                           account_id=self.account_id,
                                           event_id=event_id)).encode()
        request_ids = []
        for target in schedule.targets:
            payload = target.input.encode() if target.input is not None else event
            request_id = self._attempt(_Attempt(
                schedule=schedule, target=target, payload=payload, when=fire.when,
                first_at=self.clock.now(), execution_id=event_id))
            if request_id is not None:
                request_ids.append(request_id)
        return request_ids

    def _attempt(self, attempt: _Attempt) -> str | None:
        """Invoke the target once; a failure is retried later or given up."""
        try:
            # Named by the source: a target's Input may be any JSON, not the Scheduled Event.
            request_id = self.service.invoke_async(
                attempt.target.function, attempt.payload,
                trigger=f"schedule {attempt.schedule.logical_id}")
        except Exception as exc:   # a vanished function, a too-large Input, a throttle
            self._failed(attempt, failure_of(exc))
            return None
        self._on_fire(attempt.schedule.logical_id, attempt.target.function, request_id)
        return request_id

    def _failed(self, attempt: _Attempt, failure: Failure) -> None:
        now = self.clock.now()
        delay = retry_delay_s(attempt.retries)
        policy = retry_policy(attempt.schedule)
        exhausted = exhausted_condition(policy, retries=attempt.retries,
                                        age_after_delay_s=now + delay - attempt.first_at)
        if failure.is_retryable and exhausted is None:
            # Said each time: the held invocation is otherwise silent until it runs.
            self._note(attempt.target.function,
                       f"samlite: schedule {attempt.schedule.logical_id} could not invoke "
                       f"{attempt.target.function}: {failure.code}: {failure.message}; "
                       f"retry {attempt.retries + 1} of {policy.max_retry_attempts} in "
                       f"{delay:g} s")
            with self._lock:
                self._retries.append(replace(attempt, retries=attempt.retries + 1,
                                             next_at=now + delay))
            self._wake.set()
            return
        self._give_up(attempt, failure, exhausted if failure.is_retryable else None)

    def _give_up(self, attempt: _Attempt, failure: Failure, exhausted: str | None) -> None:
        schedule, function = attempt.schedule, attempt.target.function
        why = (f"samlite: schedule {schedule.logical_id} could not invoke {function}: "
               f"{failure.code}: {failure.message}")
        dead_letters = self._dead_letters
        if schedule.dead_letter is None or dead_letters is None:
            self._note(function, f"{why}; dropped: the schedule has no dead-letter queue")
            return
        try:
            dead_letters.send_dead_letter(
                schedule.dead_letter, attempt.payload.decode("utf-8", "replace"),
                self._dead_letter_attributes(dead_letters, attempt, failure, exhausted))
        except Exception as exc:   # the dead-letter queue's own failure
            self._note(function, f"{why}; lost: {exc}")
            return
        self._note(function, f"{why}; sent to dead-letter queue {schedule.dead_letter}")

    def _dead_letter_attributes(self, dead_letters: DeadLetters, attempt: _Attempt,
                                failure: Failure, exhausted: str | None) -> Mapping[str, str]:
        arn = schedule_arn(attempt.schedule, region=self.region, account_id=self.account_id)
        target_arn = dead_letters.target_arn_of(attempt.target.function)
        if not is_scheduler(attempt.schedule):
            return rule_attributes(failure=failure, rule_arn=arn, target_arn=target_arn)
        return scheduler_attributes(
            failure=failure, execution_id=attempt.execution_id, retries=attempt.retries,
            scheduled_time=attempt.when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            schedule_arn=arn, target_arn=target_arn, exhausted=exhausted)

    # --- the thread ------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping = False
        self._wake.clear()
        self._thread = threading.Thread(target=self._loop, name="samlite-scheduler",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        self._stopping = True
        self._wake.set()
        if thread is not None:
            thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stopping:
            try:
                self.run_due()
            except Exception:
                log.exception("the scheduler failed to fire")
            due = self.next_due()
            timeout = None if due is None else \
                real_seconds(self.clock, max(0.0, due.timestamp() - self.clock.now()))
            self._wake.wait(timeout)
            self._wake.clear()

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), UTC)


def _plan(schedule: Schedule) -> _Plan | None:
    """How `schedule` fires; None (logged) for one that cannot (validation reports these)."""
    try:
        zone: tzinfo = ZoneInfo(schedule.timezone) if schedule.timezone else UTC
        return _Plan(schedule=schedule,
                     expression=parse_schedule(schedule.expression,
                                               allow_at=is_scheduler(schedule)),
                     zone=zone, start=_date(schedule.start_date),
                     end=_date(schedule.end_date))
    except (ScheduleExpressionError, ValueError, KeyError) as exc:
        log.error("schedule %s does not run: %s", schedule.logical_id, exc)
        return None


def _date(text: str | None) -> datetime | None:
    """StartDate / EndDate: ISO 8601; a date without an offset is UTC, as AWS reads it."""
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _same_timing(old: _Plan, new: _Plan) -> bool:
    a, b = old.schedule, new.schedule
    return (a.expression, a.timezone, a.start_date, a.end_date, a.source) == \
        (b.expression, b.timezone, b.start_date, b.end_date, b.source)
