"""The composition root's SNS and EventBridge part: the local SNS and EventBridge made on first
need, the template's topics, subscriptions and buses made to exist under the names Ref gives,
published messages handed to sources/sns/ and put events to sources/eventbridge/ for
delivery. app/aws.py holds one of these.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samlite.app.rule_specs import API_SCHEDULE, api_schedules, rule_name, template_rules
from samlite.clock import Clock
from samlite.errors import UsageError
from samlite.graph.messaging import DEFAULT_BUS, EventRule, RuleTarget, Subscription, Topic
from samlite.graph.model import Graph, Schedule
from samlite.http.messages import Request, Response, Route
from samlite.sources.control import Fired
from samlite.sources.eventbridge.rules import EventRules
from samlite.sources.schedule import is_scheduler
from samlite.sources.sns.deliveries import SYSTEM_LOG, SnsDeliveries

if TYPE_CHECKING:
    from samlite.aws.events.model import RuleSpec
    from samlite.aws.events.service import LocalEvents
    from samlite.aws.sns.service import LocalSns

LogSink = Callable[[str, str], None]


class Messaging:
    def __init__(self, graph: Graph, *, service: Any, queues: Any,
                 queue_name_for: Callable[[str], str | None], account_id: str, region: str,
                 clock: Clock, note: LogSink, sns_db: Path | None = None,
                 events_db: Path | None = None) -> None:
        """`service` is the LambdaService (invoke_async); `queues` the local SQS; `sns_db`
        and `events_db` where SNS and EventBridge keep what the API made (None: nothing
        kept)."""
        from samlite.aws.journal import has_client_calls

        self.graph = graph
        self._db_path = sns_db
        self._events_db = events_db
        # What clients changed at an earlier start can turn a schedule off or add one: then
        # EventBridge is made at start, not on first need.
        self._has_kept_events = has_client_calls(events_db, "events")
        self._rule_listeners: list[Callable[[], None]] = []
        self._said: set[str] = set()
        self._account_id = account_id
        self._region = region
        self._clock = clock
        self._queue_name_for = queue_name_for
        self._queues = queues
        self._note = note
        self._lock = threading.RLock()
        self._sns: LocalSns | None = None
        self._events: LocalEvents | None = None
        self.sns_deliveries = SnsDeliveries(
            invoker=service, queues=queues, queue_name_for=self._queue_name_for,
            function_for=self.function_for, region=region, note=note)
        self.rules = EventRules(graph, invoker=service, queues=queues,
                                queue_name_for=self._queue_name_for, publish=self._publish,
                                rule_arn=self.rule_arn, target_arn=self.target_arn,
                                clock=clock, function_for=self.function_for,
                                api_rules=self._api_rules, is_enabled=self._is_enabled,
                                note=note)

    # --- the services, made on first need ----------------------------------------------
    @property
    def sns(self) -> LocalSns:
        with self._lock:
            if self._sns is None:
                from samlite.aws.sns.service import LocalSns

                self._sns = LocalSns(account_id=self._account_id, region=self._region,
                                     clock=self._clock,
                                     on_publish=self.sns_deliveries.on_publish,
                                     db_path=self._db_path)
                self._ensure_topics(self._sns)
            return self._sns

    @property
    def events(self) -> LocalEvents:
        with self._lock:
            if self._events is None:
                from samlite.aws.events.service import LocalEvents

                events = LocalEvents(account_id=self._account_id, region=self._region,
                                     clock=self._clock, on_event=self.rules.on_event,
                                     db_path=self._events_db, on_change=self._rules_changed)
                try:
                    problems = events.restore([bus.name for bus in self.graph.event_buses],
                                              self._rule_specs())
                except BaseException:
                    events.close()
                    raise
                self._say(problems)
                self._events = events
            return self._events

    def on_rules_change(self, listener: Callable[[], None]) -> None:
        """`listener` hears when a client changes a rule (its state, or a rule put or
        deleted), after the change."""
        self._rule_listeners.append(listener)

    def routes(self) -> list[Route]:
        return [_SnsRoute(self), _EventsRoute(self)]

    def close(self) -> None:
        with self._lock:
            sns, events = self._sns, self._events
        if sns is not None:
            sns.close()
        if events is not None:
            events.close()

    # --- lifecycle --------------------------------------------------------------------------
    def ensure_resources(self, graph: Graph) -> None:
        """The template's topics, subscriptions and buses exist once SNS or EventBridge is
        first used (a request, a publish, `samlite trigger`): made then, and again on each
        template change after. Making them at start would cost every start moto's SNS and
        EventBridge, which a run that never publishes does not need."""
        self.graph = graph
        self.rules.update(graph)
        with self._lock:
            sns, events = self._sns, self._events
        if events is not None:
            for bus in graph.event_buses:
                events.ensure_event_bus(bus.name)
            self._ensure_rules(events)
        if sns is not None:
            self._ensure_topics(sns)

    def _ensure_rules(self, events: LocalEvents) -> None:
        """The template's rules are what the EventBridge API lists and can disable, as
        deployed rules are (deliveries stay with sources/eventbridge/, schedules with
        sources/schedule.py, which both ask the API's state)."""
        self._say(events.ensure_template_rules(self._rule_specs()))

    def _say(self, problems: list[str]) -> None:
        for problem in problems:
            self._note(SYSTEM_LOG, f"samlite: {problem}")

    def schedule_is_enabled(self, schedule: Schedule) -> bool:
        """A schedule's state now: a rule's as the EventBridge API left it (DisableRule,
        EnableRule), else the template's."""
        if is_scheduler(schedule) or schedule.source == API_SCHEDULE:
            return schedule.is_enabled
        events = self._events_if_used()
        if events is None:
            return schedule.is_enabled
        return events.is_enabled(DEFAULT_BUS, rule_name(schedule), default=schedule.is_enabled)

    def api_schedules(self) -> tuple[Schedule, ...]:
        """The rules with a ScheduleExpression clients made through the API, as schedules
        of their targets that are this app's functions (a target of another kind is said
        once in the log: it is not fired here)."""
        events = self._events_if_used()
        if events is None:
            return ()
        schedules, unfired = api_schedules(events.api_schedule_rules(),
                                           function_for=self.function_for)
        for line in unfired:
            self._say_once(line)
        return schedules

    def _rule_specs(self) -> list[RuleSpec]:
        return template_rules(self.graph, target_arn=self.target_arn,
                              function_arn=self._function_arn_of, queue_arn=self._queue_arn)

    def _function_arn_of(self, logical_id: str) -> str:
        fn = next((f for f in self.graph.functions if f.logical_id == logical_id), None)
        return self.function_arn(fn.function_name) if fn else logical_id

    def _events_if_used(self) -> LocalEvents | None:
        """The local EventBridge if it is made, or has state kept from an earlier start
        (then made now)."""
        with self._lock:
            events = self._events
        if events is None and self._has_kept_events:
            return self.events
        return events

    def _rules_changed(self) -> None:
        for listener in list(self._rule_listeners):
            listener()

    def _say_once(self, line: str) -> None:
        if line not in self._said:
            self._said.add(line)
            self._note(SYSTEM_LOG, f"samlite: {line}")

    def _is_enabled(self, rule: EventRule) -> bool:
        """A template rule's state: the template's, or what DisableRule/EnableRule set."""
        with self._lock:
            events = self._events
        if events is None:
            return rule.is_enabled
        return events.is_enabled(rule.bus, rule.logical_id, default=rule.is_enabled)

    def _ensure_topics(self, sns: LocalSns) -> None:
        """The graph's topics and their subscriptions exist (a topic outside the template
        that a subscription names is made here too, under its ARN's name)."""
        from samlite.aws.sns.backend import SnsError

        for topic in self.graph.topics:
            try:
                arn = sns.ensure_topic(topic.topic_name, is_fifo=topic.is_fifo,
                                            content_based_deduplication=(
                                                topic.content_based_deduplication))
            except SnsError as exc:   # a name SNS refuses: said, the rest of the app runs
                self._note(SYSTEM_LOG, f"samlite: {topic.at.file}:{topic.at.line}: "
                                       f"{topic.logical_id}: topic not made: "
                                       f"{_first_line(exc.message)}")
                continue
            for subscription in topic.subscriptions:
                try:
                    self._ensure_subscription(sns, arn, subscription)
                except SnsError as exc:   # e.g. a FilterPolicy SNS refuses (W4005)
                    self._note(SYSTEM_LOG, f"samlite: {subscription.at.file}:"
                                           f"{subscription.at.line}: {subscription.logical_id}"
                                           f": subscription not made: {_first_line(exc.message)}")

    def _ensure_subscription(self, sns: LocalSns, topic_arn: str,
                             subscription: Subscription) -> None:
        from samlite.aws.sns.service import subscription_attributes

        if subscription.protocol not in ("lambda", "sqs"):
            return
        endpoint = self.endpoint_arn(subscription)
        dead_letter = (self._queue_arn(subscription.dead_letter_queue)
                       if subscription.dead_letter_queue else None)
        sns.ensure_subscription(topic_arn, subscription.protocol, endpoint,
                                subscription_attributes(
                                    filter_policy=subscription.filter_policy,
                                    filter_policy_scope=subscription.filter_policy_scope,
                                    is_raw=subscription.is_raw, dead_letter_arn=dead_letter))

    # --- samlite trigger -------------------------------------------------------------------
    def fire(self, full_id: str) -> Fired | None:
        """`samlite trigger` of an event-pattern rule (a sample event its pattern matches goes
        to its targets; the event id), a subscription or a topic (a sample message is
        published; the MessageId), by its full id (graph/trigger_names.py resolves the names
        a user may type). None when it is none of these."""
        from samlite.sources.eventbridge.sample import sample_event

        for rule in self.graph.event_rules:
            if full_id == rule.logical_id:
                receivers = self._receivers_of(rule)
                event = sample_event(rule.pattern, account_id=self._account_id,
                                     region=self._region, now_s=self._clock.now())
                for target in receivers:
                    self.rules.deliver(rule, target, event)
                return Fired.put(str(event["id"]))
        for topic in self.graph.topics:
            if full_id == topic.logical_id:
                return Fired.published(self._publish_sample(topic, None))
            for sub in topic.subscriptions:
                if full_id == sub.logical_id:
                    if sub.protocol not in ("lambda", "sqs"):
                        raise UsageError(f"{sub.logical_id} ({sub.at.file}:{sub.at.line}): "
                                         f"{sub.protocol or 'this'} subscriptions get no "
                                         "deliveries locally (lambda and sqs ones do)")
                    return Fired.published(self._publish_sample(topic, sub))
        return None

    def _receivers_of(self, rule: EventRule) -> tuple[RuleTarget, ...]:
        """The rule's targets that receive an event here; UsageError when the rule is
        disabled (EventBridge sends a disabled rule nothing) or none would."""
        where = f"{rule.at.file}:{rule.at.line}"
        if not self._is_enabled(rule):
            raise UsageError(f"{rule.logical_id} ({where}) is disabled (State: DISABLED): "
                             "EventBridge sends it no events; enable it to fire it")
        receivers = tuple(t for t in rule.targets if self._receives_here(t))
        if not receivers:
            named = ", ".join(f"{t.target_id} ({t.target})" for t in rule.targets) or "none"
            raise UsageError(f"{rule.logical_id} ({where}): no target of it runs locally "
                             f"(targets: {named}); nothing would receive the event")
        return receivers

    def _receives_here(self, target: RuleTarget) -> bool:
        if target.kind == "lambda":
            return self.function_for(self.target_arn(target)) is not None
        if target.kind == "sqs":
            return self._queue_name_for(self.target_arn(target)) is not None
        if target.kind == "sns":
            return any(t.arn == self.topic_arn(target.target) for t in self.graph.topics)
        return False

    def _publish_sample(self, topic: Topic, subscription: Subscription | None) -> str:
        """A sample message the subscription's filter policy lets through (any message
        when there is none), for that subscription only; for a topic, to all of them."""
        from samlite.sources.eventbridge.sample import sample_fields

        policy = subscription.filter_policy if subscription is not None else None
        fields = sample_fields(policy) if policy else {}
        message, attributes = '{"samlite": "trigger"}', {}
        if fields and subscription is not None \
                and subscription.filter_policy_scope == "MessageBody":
            message = json.dumps(fields)
        elif fields:
            attributes = {name: ({"Type": "Number", "Value": str(value)}
                                 if isinstance(value, int | float) else
                                 {"Type": "String", "Value": str(value)})
                          for name, value in fields.items() if not isinstance(value, dict)}
        group = {"group_id": "samlite-trigger", "deduplication_id": str(uuid.uuid4())} \
            if topic.is_fifo else {}
        if subscription is None:
            return self.sns.publish(topic.arn, message, subject="samlite trigger",
                                    message_attributes=attributes, **group)
        from samlite.aws.sns.backend import SnsError

        try:
            return self.sns.publish_to(topic.arn, subscription.protocol,
                                       self.endpoint_arn(subscription), message,
                                       subject="samlite trigger",
                                       message_attributes=attributes, **group)
        except SnsError as exc:   # e.g. the subscription was removed through the API
            raise UsageError(f"{subscription.logical_id}: {exc}") from exc

    # --- names ------------------------------------------------------------------------------
    def endpoint_arn(self, subscription: Subscription) -> str:
        if subscription.protocol == "lambda":
            fn = next((f for f in self.graph.functions
                       if f.logical_id == subscription.endpoint), None)
            return self.function_arn(fn.function_name) if fn else subscription.endpoint
        return self._queue_arn(subscription.endpoint)

    def function_arn(self, function_name: str) -> str:
        return f"arn:aws:lambda:{self._region}:{self._account_id}:function:{function_name}"

    def _queue_arn(self, reference: str) -> str:
        queue = next((q for q in self.graph.queues
                      if reference in (q.logical_id, q.arn, q.url, q.queue_name)), None)
        if queue is not None:
            return queue.arn
        if reference.startswith("arn:"):
            return reference
        return f"arn:aws:sqs:{self._region}:{self._account_id}:{reference}"

    # --- schedules' dead-letter queues (sources/schedule.DeadLetters) ------------------------
    def send_dead_letter(self, queue: str, body: str, attributes: Mapping[str, str]) -> str:
        name = self._queue_name_for(queue)
        if name is None:
            raise LookupError(f"its dead-letter queue {queue} is not a local queue")
        return self._queues.send(name, body, message_attributes={
            key: {"DataType": "String", "StringValue": value}
            for key, value in attributes.items()})

    def target_arn_of(self, function: str) -> str:
        return self._function_arn_of(function)

    def function_for(self, arn: str) -> str | None:
        """This app's function a function ARN (with or without qualifier) or name names."""
        parts = arn.split(":")
        name = parts[6] if arn.startswith("arn:") and len(parts) >= 7 else arn
        fn = next((f for f in self.graph.functions if name in (f.function_name, f.logical_id)),
                  None)
        return fn.logical_id if fn else None

    def topic(self, logical_id: str) -> Topic | None:
        return next((t for t in self.graph.topics if t.logical_id == logical_id), None)

    def topic_arn(self, reference: str) -> str:
        topic = next((t for t in self.graph.topics if reference in (t.logical_id, t.arn)), None)
        return topic.arn if topic is not None else reference

    def rule_arn(self, rule: EventRule) -> str:
        path = rule.logical_id if rule.bus == DEFAULT_BUS else f"{rule.bus}/{rule.logical_id}"
        return f"arn:aws:events:{self._region}:{self._account_id}:rule/{path}"

    def target_arn(self, target: RuleTarget) -> str:
        if target.kind == "lambda":
            fn = next((f for f in self.graph.functions if f.logical_id == target.target), None)
            return self.function_arn(fn.function_name) if fn else target.target
        if target.kind == "sqs":
            return self._queue_arn(target.target)
        if target.kind == "sns":
            return self.topic_arn(target.target)
        return target.target

    def to_topic(self, topic: str, message: str,
                 attributes: Mapping[str, Mapping[str, Any]] | None) -> str | None:
        """An asynchronous invocation's destination record or dead-lettered event, published
        to a topic of this app (SQS-style attributes become message attributes); None when
        the topic is not here."""
        arn = self.topic_arn(topic)
        if not any(t.arn == arn for t in self.graph.topics):
            return None
        converted = {name: {"Type": a.get("DataType", "String"),
                            "Value": a.get("StringValue", a.get("BinaryValue"))}
                     for name, a in (attributes or {}).items()}
        group = {"group_id": "samlite", "deduplication_id": str(uuid.uuid4())} \
            if arn.endswith(".fifo") else {}
        return self.sns.publish(arn, message, message_attributes=converted, **group)

    def _api_rules(self) -> tuple[EventRule, ...]:
        with self._lock:
            events = self._events
        return events.api_rules() if events is not None else ()

    def _publish(self, topic: str, message: str) -> str:
        return self.sns.publish(self.topic_arn(topic), message)


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else text


class _SnsRoute:
    def __init__(self, messaging: Messaging) -> None:
        self._messaging = messaging

    def handles(self, request: Request) -> bool:
        from samlite.aws.sns.route import is_sns_request

        return is_sns_request(request)

    def handle(self, request: Request) -> Response:
        return self._messaging.sns.route().handle(request)


class _EventsRoute:
    def __init__(self, messaging: Messaging) -> None:
        self._messaging = messaging

    def handles(self, request: Request) -> bool:
        from samlite.aws.events.route import is_events_request

        return is_events_request(request)

    def handle(self, request: Request) -> Response:
        return self._messaging.events.route().handle(request)
