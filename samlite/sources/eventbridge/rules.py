"""EventBridge -> Lambda, SQS and SNS: each event put on a bus goes to every enabled rule of
that bus whose pattern matches it (the one pattern engine, dialects/event_patterns.py, as for
Lambda filters and SNS filter policies), and from each rule to its targets with their input
("Amazon EventBridge rules", "Event patterns"). Lambda targets are invoked asynchronously, as
EventBridge invokes them; SQS targets get the text as the message body (SqsParameters'
MessageGroupId for FIFO queues); SNS targets get it as the message. A target that cannot be
reached sends the event to its DeadLetterConfig queue with EventBridge's RULE_ARN, TARGET_ARN,
ERROR_CODE and ERROR_MESSAGE attributes ("Using dead-letter queues to process undelivered
events"), else the failure is said in the log. Rules with a ScheduleExpression are not here:
sources/schedule.py fires them.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from samlite.clock import Clock
from samlite.dialects.event_patterns import EventFilter
from samlite.graph.messaging import EventRule, RuleTarget
from samlite.graph.model import Graph
from samlite.runtime import api_errors
from samlite.sources.eventbridge.target_input import target_input

log = logging.getLogger(__name__)

SYSTEM_LOG = "samlite"


class AsyncInvoker(Protocol):
    def invoke_async(self, function: str, payload: bytes, *,
                     trigger: str | None = None) -> str: ...


class Queues(Protocol):
    def send(self, queue_name: str, body: str, *,
             message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
             group_id: str | None = None, deduplication_id: str | None = None) -> str: ...


class DeliveryFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


Publish = Callable[[str, str], str]     # (topic logical id or ARN, message) -> MessageId


class EventRules:
    def __init__(self, graph: Graph, *, invoker: AsyncInvoker, queues: Queues,
                 queue_name_for: Callable[[str], str | None], publish: Publish,
                 rule_arn: Callable[[EventRule], str], target_arn: Callable[[RuleTarget], str],
                 clock: Clock, function_for: Callable[[str], str | None] = lambda ref: ref,
                 api_rules: Callable[[], Iterable[EventRule]] = tuple,
                 is_enabled: Callable[[EventRule], bool] = lambda rule: rule.is_enabled,
                 note: Callable[[str, str], None] = lambda fn, line: None) -> None:
        """`function_for` finds this app's function a target names (logical id or ARN);
        `api_rules` gives the rules made through the API, matched after the template's;
        `is_enabled` whether a template rule is enabled now (EnableRule/DisableRule)."""
        self.graph = graph
        self._function_for = function_for
        self._api_rules = api_rules
        self._is_enabled = is_enabled
        self._invoker = invoker
        self._queues = queues
        self._queue_name_for = queue_name_for
        self._publish = publish
        self._rule_arn = rule_arn
        self._target_arn = target_arn
        self._clock = clock
        self._note = note

    def update(self, graph: Graph) -> None:
        self.graph = graph

    def on_event(self, bus: str, event: dict[str, Any]) -> int:
        """Deliver `event` (put on `bus`) to the targets of every matching rule; how many
        targets it went to."""
        delivered = 0
        for rule in self.matching_rules(bus, event):
            for target in rule.targets:
                delivered += self.deliver(rule, target, event)
        return delivered

    def matching_rules(self, bus: str, event: Mapping[str, Any]) -> list[EventRule]:
        template = [r for r in self.graph.event_rules if self._is_enabled(r)]
        return [r for r in (*template, *(r for r in self._api_rules() if r.is_enabled))
                if r.bus == bus and _matches(r.pattern, event)]

    def deliver(self, rule: EventRule, target: RuleTarget, event: Mapping[str, Any]) -> int:
        ingestion = datetime.fromtimestamp(self._clock.now(), tz=UTC)
        text = target_input(event, target, rule_arn=self._rule_arn(rule),
                            rule_name=rule.logical_id,
                            ingestion_time=ingestion.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z")
        try:
            self._send(target, text, str(event.get("id", "")), trigger=trigger_of(rule))
        except DeliveryFailed as exc:
            self._dead_letter(rule, target, event, exc)
            return 0
        return 1

    def _send(self, target: RuleTarget, text: str, event_id: str, *, trigger: str) -> None:
        if target.kind == "lambda":
            function = self._function_for(target.target)
            if function is None:
                raise DeliveryFailed("Lambda.ResourceNotFoundException",
                                     f"{target.target} is not a function of this app")
            try:
                self._invoker.invoke_async(function, text.encode(), trigger=trigger)
            except api_errors.LambdaApiError as exc:
                raise DeliveryFailed(exc.error_type, exc.message) from exc
        elif target.kind == "sqs":
            queue = self._queue_name_for(target.target)
            if queue is None:
                raise DeliveryFailed("SQS.QueueDoesNotExist",
                                     f"{target.target} is not a local queue")
            fifo = queue.endswith(".fifo")
            try:
                # SqsParameters.MessageGroupId is for "an Amazon SQS fair or FIFO queue"
                # (EventBridge API reference): a standard queue keeps it too.
                self._queues.send(queue, text, group_id=target.message_group_id,
                                  deduplication_id=event_id if fifo else None)
            except Exception as exc:   # the queue's own error (SqsError)
                raise DeliveryFailed("SQS.Error", str(exc)) from exc
        elif target.kind == "sns":
            try:
                self._publish(target.target, text)
            except Exception as exc:   # the topic's own error (SnsError)
                raise DeliveryFailed("SNS.Error", str(exc)) from exc

    def _dead_letter(self, rule: EventRule, target: RuleTarget, event: Mapping[str, Any],
                     failure: DeliveryFailed) -> None:
        where = (self._function_for(target.target) or SYSTEM_LOG) if target.kind == "lambda" \
            else SYSTEM_LOG
        queue = (self._queue_name_for(target.dead_letter_queue)
                 if target.dead_letter_queue else None)
        why = f"{failure.code}: {failure}"
        if queue is None:
            dropped = (f"dropped: its dead-letter queue {target.dead_letter_queue} is not a "
                       "local queue" if target.dead_letter_queue
                       else "dropped: the target has no dead-letter queue")
            self._note(where, f"samlite: event {event.get('id')} not delivered by rule "
                              f"{rule.logical_id} to {target.target}: {why}; {dropped}")
            return
        attributes = {name: {"DataType": "String", "StringValue": value} for name, value in (
            ("RULE_ARN", self._rule_arn(rule)), ("TARGET_ARN", self._target_arn(target)),
            ("ERROR_CODE", failure.code), ("ERROR_MESSAGE", str(failure)))}
        try:
            self._queues.send(queue, json.dumps(event), message_attributes=attributes)
        except Exception as exc:   # the dead-letter queue's own error
            self._note(where, f"samlite: event {event.get('id')} lost: {why}; {exc}")
            return
        self._note(where, f"samlite: event {event.get('id')} sent to dead-letter queue "
                          f"{queue} by rule {rule.logical_id}: {why}")


def trigger_of(rule: EventRule) -> str:
    """Who invoked, as the dashboard shows it: the target's input may be anything (Input,
    InputPath, InputTransformer), so the event's shape cannot tell."""
    return f"eventbridge rule {rule.logical_id} on {rule.bus}"


def _matches(pattern: str, event: Mapping[str, Any]) -> bool:
    parsed = _pattern(pattern)
    return parsed is not None and parsed.matches(event)


@functools.lru_cache(maxsize=256)
def _pattern(text: str) -> EventFilter | None:
    """A rule's pattern, parsed once; None (matches nothing) when it cannot be parsed."""
    try:
        return EventFilter.from_patterns([text])
    except ValueError:
        return None
