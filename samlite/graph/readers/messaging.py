"""SNS and EventBridge resources -> topics, subscriptions, buses and event-pattern rules:
AWS::SNS::Topic (its Subscription property too), AWS::SNS::Subscription,
AWS::Events::EventBus, AWS::Events::Rule with an EventPattern, and SAM's `SNS`,
`EventBridgeRule` and `CloudWatchEvent` events expanded as SAM's translator expands them
(samtranslator/model/eventsources/push.py: an SNS event is a subscription named
<Function><Event>; with SqsSubscription, a queue <Function><Event>Queue and an SQS mapping
between them). Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from samlite.errors import Mark
from samlite.graph.messaging import (
    DEFAULT_BUS,
    EventBus,
    EventRule,
    InputTransformer,
    RuleTarget,
    Subscription,
    Topic,
)
from samlite.graph.model import EdgeKind, NotRunLocally, Queue, Trigger, TriggerKind
from samlite.graph.parts import FUNCTION_TYPES, GraphParts
from samlite.graph.values import (
    as_bool,
    as_int,
    as_list,
    as_map,
    as_text,
    sqs_settings,
    state_enabled,
)
from samlite.template.model import Resource

LOCAL_PROTOCOLS = ("lambda", "sqs")
LOCAL_TARGETS = ("lambda", "sqs", "sns")
_KINDS_BY_TYPE = {"AWS::SQS::Queue": "sqs", "AWS::SNS::Topic": "sns",
                  **dict.fromkeys(FUNCTION_TYPES, "lambda")}


# --- SNS ------------------------------------------------------------------------------------
def read_topic(parts: GraphParts, res: Resource) -> None:
    props, raw = parts.props(res)
    values = parts.refs.identities.get(res.logical_id, [])
    arn = next((v for v in values if v.startswith("arn:")), None)
    name = as_text(props.get("TopicName")) or (arn.rsplit(":", 1)[-1] if arn else
                                               res.logical_id)
    pseudo = parts.resolved.pseudo
    arn = arn or f"arn:{pseudo.partition}:sns:{pseudo.region}:{pseudo.account_id}:{name}"
    parts.messaging.topics.append(Topic(
        logical_id=res.logical_id, topic_name=name, arn=arn,
        is_fifo=as_bool(props.get("FifoTopic"), False) or name.endswith(".fifo"),
        content_based_deduplication=as_bool(props.get("ContentBasedDeduplication"), False),
        at=res.at))
    for index, item in enumerate(as_list(props.get("Subscription"))):
        entry = as_map(item)
        raw_entry = parts.refs.dig(raw, "Subscription", index)
        _add_subscription(parts, Subscription(
            logical_id=f"{res.logical_id}.Subscription[{index}]", topic=res.logical_id,
            protocol=(as_text(entry.get("Protocol")) or "").lower(),
            endpoint=parts.refs.target_or_text(parts.refs.dig(raw_entry, "Endpoint"),
                                               entry.get("Endpoint")) or "",
            at=res.at))


def read_subscription(parts: GraphParts, res: Resource) -> None:
    props, raw = parts.props(res)
    topic = parts.refs.target_or_text(parts.refs.dig(raw, "TopicArn"), props.get("TopicArn"))
    redrive = _json_map(props.get("RedrivePolicy"))
    dlq = parts.refs.target_or_text(parts.refs.dig(raw, "RedrivePolicy", "deadLetterTargetArn"),
                                    redrive.get("deadLetterTargetArn"))
    _add_subscription(parts, Subscription(
        logical_id=res.logical_id, topic=topic or "",
        protocol=(as_text(props.get("Protocol")) or "").lower(),
        endpoint=parts.refs.target_or_text(parts.refs.dig(raw, "Endpoint"),
                                           props.get("Endpoint")) or "",
        filter_policy=_json_text(props.get("FilterPolicy")),
        filter_policy_scope=as_text(props.get("FilterPolicyScope")) or "MessageAttributes",
        is_raw=as_bool(props.get("RawMessageDelivery"), False),
        dead_letter_queue=dlq, at=res.at))


def sns_event(parts: GraphParts, fid: str, event_id: str, topic: str | None,
              props: Mapping[str, Any], raw: Any, at: Mark) -> Trigger:
    """A SAM `SNS` event: a lambda subscription, or with SqsSubscription a queue (made here
    when it is `true`), an sqs subscription to it and an SQS trigger of the function."""
    logical_id = fid + event_id
    sqs = props.get("SqsSubscription")
    redrive = _json_map(props.get("RedrivePolicy"))
    common = {"logical_id": logical_id, "topic": topic or "",
              "filter_policy": _json_text(props.get("FilterPolicy")),
              "filter_policy_scope": as_text(props.get("FilterPolicyScope"))
              or "MessageAttributes", "event": event_id, "at": at,
              "dead_letter_queue": parts.refs.target_or_text(
                  parts.refs.dig(raw, "RedrivePolicy", "deadLetterTargetArn"),
                  redrive.get("deadLetterTargetArn"))}
    parts.generated[logical_id] = "AWS::SNS::Subscription"
    if not as_bool(sqs, False) and not isinstance(sqs, dict):
        _add_subscription(parts, Subscription(protocol="lambda", endpoint=fid, **common))
        return Trigger(logical_id=event_id, kind=TriggerKind.SNS, event_type="SNS",
                       function=fid, source=topic, runs_locally=True, at=at)
    if isinstance(sqs, dict):
        queue = parts.refs.target_or_text(parts.refs.dig(raw, "SqsSubscription", "QueueArn"),
                                          sqs.get("QueueArn")) or ""
    else:
        queue = logical_id + "Queue"
        parts.generated[queue] = "AWS::SQS::Queue"
        pseudo = parts.resolved.pseudo
        parts.queues.append(Queue(
            logical_id=queue, queue_name=queue,
            url=f"{pseudo.endpoint_url}/{pseudo.account_id}/{queue}",
            arn=f"arn:{pseudo.partition}:sqs:{pseudo.region}:{pseudo.account_id}:{queue}",
            at=at))
    _add_subscription(parts, Subscription(protocol="sqs", endpoint=queue, **common))
    parts.edge(queue, fid, EdgeKind.TRIGGER, event_id)
    return Trigger(logical_id=event_id, kind=TriggerKind.SQS, event_type="SNS", function=fid,
                   source=queue, runs_locally=True, at=at, sqs=sqs_settings(as_map(sqs)))


def _add_subscription(parts: GraphParts, subscription: Subscription) -> None:
    parts.messaging.subscriptions.append(subscription)
    is_function = subscription.endpoint in parts.resources and \
        parts.resources[subscription.endpoint].type in FUNCTION_TYPES
    if subscription.protocol == "lambda" and subscription.event is None and is_function:
        # A plain subscription is one of the function's triggers, as a SAM SNS event is.
        parts.add_trigger(Trigger(
            logical_id=subscription.logical_id, kind=TriggerKind.SNS,
            event_type="AWS::SNS::Subscription", function=subscription.endpoint,
            source=subscription.topic, runs_locally=True, at=subscription.at))
    if subscription.protocol not in LOCAL_PROTOCOLS:
        parts.not_local.append(NotRunLocally(
            subject=subscription.logical_id, type="AWS::SNS::Subscription", at=subscription.at,
            reason=f"{subscription.protocol or 'this'} subscriptions get no deliveries "
                   "locally (lambda and sqs ones do)"))
    parts.edge(subscription.topic, subscription.endpoint, EdgeKind.TRIGGER,
               subscription.event or "")


# --- EventBridge ----------------------------------------------------------------------------
def read_event_bus(parts: GraphParts, res: Resource) -> None:
    props, _ = parts.props(res)
    values = parts.refs.identities.get(res.logical_id, [])
    name = as_text(props.get("Name")) or (values[0] if values else res.logical_id)
    pseudo = parts.resolved.pseudo
    parts.messaging.buses.append(EventBus(
        logical_id=res.logical_id, name=name, at=res.at,
        arn=f"arn:{pseudo.partition}:events:{pseudo.region}:{pseudo.account_id}:"
            f"event-bus/{name}"))


def read_pattern_rule(parts: GraphParts, res: Resource) -> bool:
    """An AWS::Events::Rule with an EventPattern; False when it has no target."""
    props, raw = parts.props(res)
    targets = []
    for index, target in enumerate(as_list(props.get("Targets"))):
        if isinstance(target, dict):
            targets.append(_rule_target(parts, res.logical_id, target,
                                        parts.refs.dig(raw, "Targets", index),
                                        as_text(target.get("Id")) or str(index)))
    if not targets:
        return False
    rule = EventRule(logical_id=res.logical_id, bus=_bus_name(props.get("EventBusName")),
                     pattern=_json_text(props.get("EventPattern")) or "{}",
                     is_enabled=state_enabled(props), targets=tuple(targets), at=res.at)
    _add_rule(parts, rule, event_type=res.type)
    return True


_TARGET_ID_MAX = 64    # EventBridge API reference, "Target": Id, 1 to 64 characters


def lambda_target_id(rule: str) -> str:
    """The Id SAM's translator gives the function target of the rule it makes for a
    Schedule or EventBridgeRule event: <Rule>LambdaTarget, the rule's id cut so the whole
    stays within EventBridge's 64 characters for a target Id."""
    suffix = "LambdaTarget"
    return rule + suffix if len(rule) + len(suffix) <= _TARGET_ID_MAX else \
        rule[:_TARGET_ID_MAX - len(suffix)] + suffix


def eventbridge_event(parts: GraphParts, fid: str, event_id: str, event_type: str,
                      props: Mapping[str, Any], raw: Any, at: Mark) -> str:
    """A SAM `EventBridgeRule` / `CloudWatchEvent` event: a rule <Function><Event> with the
    function as its one target (Id: Target.Id, else <Rule>LambdaTarget as SAM names it)."""
    logical_id = fid + event_id
    target_id = as_text(as_map(props.get("Target")).get("Id")) or \
        lambda_target_id(logical_id)
    target = _rule_target(parts, logical_id, {**props, "Arn": None}, raw, target_id,
                          function=fid)
    rule = EventRule(logical_id=logical_id, bus=_bus_name(props.get("EventBusName")),
                     pattern=_json_text(props.get("Pattern")) or "{}",
                     is_enabled=state_enabled(props), targets=(target,), event=event_id,
                     at=at)
    parts.messaging.rules.append(rule)
    return logical_id


def _add_rule(parts: GraphParts, rule: EventRule, *, event_type: str) -> None:
    parts.messaging.rules.append(rule)
    for target in rule.targets:
        if target.kind not in LOCAL_TARGETS:
            parts.not_local.append(NotRunLocally(
                subject=f"{rule.logical_id}.Targets.{target.target_id}", type=event_type,
                at=rule.at, reason=f"{target.kind} targets are not run locally (Lambda, SQS "
                                   "and SNS ones in this template are)"))
        if target.kind == "lambda":
            parts.add_trigger(Trigger(
                logical_id=rule.logical_id, kind=TriggerKind.EVENTBRIDGE, event_type=event_type,
                function=target.target, source=rule.logical_id, runs_locally=True,
                at=rule.at))
        else:
            parts.edge(rule.logical_id, target.target, EdgeKind.TRIGGER, target.target_id)


def _rule_target(parts: GraphParts, rule: str, target: Mapping[str, Any], raw: Any,
                 target_id: str, function: str | None = None) -> RuleTarget:
    """One rule target (AWS::Events::Rule Targets[], or a SAM event's properties)."""
    found = function or parts.refs.target_or_text(parts.refs.dig(raw, "Arn"),
                                                  target.get("Arn")) or ""
    res = parts.resources.get(found)
    if res is not None:
        kind = _KINDS_BY_TYPE.get(res.type, res.type)
    else:
        arn_parts = found.split(":")
        kind = arn_parts[2] if found.startswith("arn:") and len(arn_parts) > 2 else "?"
    transformer = as_map(target.get("InputTransformer"))
    retry = as_map(target.get("RetryPolicy"))
    dlq = as_map(target.get("DeadLetterConfig"))
    dead_letter = parts.refs.target_or_text(parts.refs.dig(raw, "DeadLetterConfig", "Arn"),
                                            dlq.get("Arn"))
    parts.edge(rule, dead_letter, EdgeKind.DEAD_LETTER)
    return RuleTarget(
        target_id=target_id, kind=kind, target=found,
        input=_json_text(target.get("Input")), input_path=as_text(target.get("InputPath")),
        input_transformer=InputTransformer(
            paths=tuple((k, str(v)) for k, v in
                        as_map(_json_map(transformer.get("InputPathsMap"))).items()),
            template=as_text(transformer.get("InputTemplate")) or "") if transformer else None,
        message_group_id=as_text(as_map(target.get("SqsParameters")).get("MessageGroupId")),
        max_retry_attempts=as_int(retry.get("MaximumRetryAttempts")),
        max_event_age_s=as_int(retry.get("MaximumEventAgeInSeconds")),
        dead_letter_queue=dead_letter)


def _bus_name(value: Any) -> str:
    """EventBusName, as a name or an ARN; absent: the default bus."""
    text = as_text(value)
    if not text:
        return DEFAULT_BUS
    return text.rsplit("/", 1)[-1] if text.startswith("arn:") else text


# --- freezing -------------------------------------------------------------------------------
def finish(parts: GraphParts) -> tuple[tuple[Topic, ...], tuple[EventBus, ...],
                                       tuple[EventRule, ...]]:
    """The topics, each with its subscriptions (a subscription's topic named by ARN is
    matched to the topic it names; a topic ARN from outside the template becomes a topic of
    its own, named by the ARN, so local publishes to it are delivered), the buses and the
    rules."""
    by_arn = {t.arn: t.logical_id for t in parts.messaging.topics}
    owned: dict[str, list[Subscription]] = {}
    outside: dict[str, Topic] = {}
    for subscription in parts.messaging.subscriptions:
        topic = by_arn.get(subscription.topic, subscription.topic)
        if topic.startswith("arn:") and topic not in outside:
            name = topic.rsplit(":", 1)[-1]
            outside[topic] = Topic(logical_id=topic, topic_name=name, arn=topic,
                                   is_fifo=name.endswith(".fifo"), at=subscription.at)
        owned.setdefault(topic, []).append(replace(subscription, topic=topic))
    topics = tuple(replace(t, subscriptions=tuple(owned.get(t.logical_id, ())))
                   for t in (*parts.messaging.topics, *outside.values()))
    _link_buses(parts)
    return topics, tuple(parts.messaging.buses), tuple(parts.messaging.rules)


def _link_buses(parts: GraphParts) -> None:
    """A bus -> rule edge for each rule on one of the template's buses, so what puts events
    on the bus (a function whose environment or policy names it) reaches the rule's targets.
    Made here, once every bus is read: a rule may come before its bus in the template. The
    default bus is no node of the graph, so its rules get none."""
    bus_ids = {bus.name: bus.logical_id for bus in parts.messaging.buses}
    for rule in parts.messaging.rules:
        parts.edge(bus_ids.get(rule.bus), rule.logical_id, EdgeKind.TRIGGER)


def _json_map(value: Any) -> Mapping[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return as_map(value)


def _json_text(value: Any) -> str | None:
    """A property CloudFormation takes as JSON or as an object, as JSON text."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)
