"""A SAM function's Events -> triggers: routes, queues, buckets and schedules, as the SAM
specification's "EventSource" pages describe them. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import (
    LOCAL_KINDS,
    BucketNotification,
    EdgeKind,
    NotRunLocally,
    S3Settings,
    Schedule,
    ScheduleTarget,
    Trigger,
    TriggerKind,
)
from samlite.graph.parts import GraphParts
from samlite.graph.readers import apis, messaging, tables
from samlite.graph.values import (
    as_int,
    as_map,
    as_text,
    as_texts,
    filter_rules,
    key_at,
    sqs_settings,
    state_enabled,
)
from samlite.template.model import Resource
from samlite.template.schema import modelled_types

# SAM event Type -> kind, and the property that names the event's source.
EVENT_KINDS: Mapping[str, tuple[TriggerKind, str | None]] = {
    "Api": (TriggerKind.API, "RestApiId"),
    "HttpApi": (TriggerKind.HTTP_API, "ApiId"),
    "S3": (TriggerKind.S3, "Bucket"),
    "SQS": (TriggerKind.SQS, "Queue"),
    "Schedule": (TriggerKind.SCHEDULE, None),
    "ScheduleV2": (TriggerKind.SCHEDULE_V2, None),
    "CloudWatchEvent": (TriggerKind.EVENTBRIDGE, None),
    "EventBridgeRule": (TriggerKind.EVENTBRIDGE, None),
    "SNS": (TriggerKind.SNS, "Topic"),
    "Kinesis": (TriggerKind.KINESIS, "Stream"),
    "DynamoDB": (TriggerKind.DYNAMODB, "Stream"),
    "CloudWatchLogs": (TriggerKind.CLOUDWATCH_LOGS, "LogGroupName"),
    "IoTRule": (TriggerKind.IOT, None),
    "AlexaSkill": (TriggerKind.ALEXA, None),
    "Cognito": (TriggerKind.COGNITO, "UserPool"),
    "MSK": (TriggerKind.MSK, "Stream"),
    "MQ": (TriggerKind.MQ, "Broker"),
    "SelfManagedKafka": (TriggerKind.SELF_MANAGED_KAFKA, None),
    "DocumentDB": (TriggerKind.DOCUMENTDB, "Cluster"),
}


# Resources SAM generates for an event, named function id + event id.
GENERATED_SOURCE_TYPES: Mapping[str, str] = {
    "CloudWatchEvent": "AWS::Events::Rule",
    "EventBridgeRule": "AWS::Events::Rule",
    "IoTRule": "AWS::IoT::TopicRule",
}


def read_events(parts: GraphParts, res: Resource, props: Mapping[str, Any],
                raw: Any) -> list[Trigger]:
    events = props.get("Events")
    raw_events = parts.refs.dig(raw, "Events")
    out = []
    for event_id, event in as_map(events).items():
        if not isinstance(event, dict):
            continue
        event_type = as_text(event.get("Type")) or ""
        at = key_at(events, event_id, key_at(raw_events, event_id, res.at))
        event_props = as_map(event.get("Properties"))
        raw_props = parts.refs.dig(raw_events, event_id, "Properties")
        trigger = _without_unmodelled_source(parts, res.logical_id, event_id, _event(
            parts, res.logical_id, event_id, event_type, event_props, raw_props, at))
        out.append(trigger)
        parts.edge(trigger.source, trigger.function, EdgeKind.TRIGGER, event_id)
        subject = f"{res.logical_id}.Events.{event_id}"
        # One line per event: a reader that already said why it does not run said it better.
        if not trigger.runs_locally and not any(n.subject == subject for n in parts.not_local):
            parts.not_local.append(NotRunLocally(
                subject=subject, type=event_type or "?",
                reason=f"{event_type or 'this'} events are not emulated locally; "
                       "the function can still be invoked directly", at=at))
    return out


def _without_unmodelled_source(parts: GraphParts, fid: str, event_id: str,
                               trigger: Trigger) -> Trigger:
    """A trigger whose source (its Queue, Topic, Bucket, ...) is a resource of a type samlite
    does not model (W1017: a misspelt or third-party type) has nothing locally to fire it:
    named, and not run, rather than left waiting in silence."""
    source = parts.resources.get(trigger.source or "")
    if not trigger.runs_locally or source is None or source.type in modelled_types():
        return trigger
    parts.not_local.append(NotRunLocally(
        subject=f"{fid}.Events.{event_id}", type=trigger.event_type, at=trigger.at,
        reason=f"its source {source.logical_id} has type {source.type}, which samlite does "
               f"not model, so nothing sends this {trigger.event_type} event locally; with "
               "the type corrected it runs, and the function can still be invoked directly"))
    return replace(trigger, runs_locally=False)


def _event(parts: GraphParts, fid: str, event_id: str, event_type: str, props: Mapping[str, Any],
           raw: Any, at: Mark) -> Trigger:
    kind, source_key = EVENT_KINDS.get(event_type, (TriggerKind.OTHER, None))
    source = (parts.refs.target_or_text(parts.refs.dig(raw, source_key), props.get(source_key))
              if source_key else None)
    extra: dict[str, Any] = {}
    if event_type in GENERATED_SOURCE_TYPES:
        source = fid + event_id
        parts.generated[source] = GENERATED_SOURCE_TYPES[event_type]
    if kind in (TriggerKind.API, TriggerKind.HTTP_API):
        route = apis.event_route(parts, fid, event_id, kind, source, props, at)
        source = route.api
        extra["route"] = route
    elif kind is TriggerKind.SQS:
        extra["sqs"] = sqs_settings(props)
    elif kind is TriggerKind.DYNAMODB:
        extra["stream"] = tables.stream_settings(parts, props, raw)
        parts.edge(fid, extra["stream"].on_failure, EdgeKind.ON_FAILURE, event_id)
        why_not = tables.why_stream_not_run(parts, source)
        if why_not is not None:
            extra.pop("stream")
            parts.not_local.append(NotRunLocally(
                subject=f"{fid}.Events.{event_id}", type=event_type, reason=why_not, at=at))
            return Trigger(logical_id=event_id, kind=kind, event_type=event_type,
                           function=fid, source=source, runs_locally=False, at=at)
        for caveat in tables.stream_caveats(parts, extra["stream"], props):
            parts.not_local.append(NotRunLocally(
                subject=f"{fid}.Events.{event_id}", type=event_type, reason=caveat, at=at))
    elif kind is TriggerKind.S3:
        settings = S3Settings(bucket=source or "", events=as_texts(props.get("Events")),
                              filter_rules=filter_rules(props))
        extra["s3"] = settings
        parts.notifications.setdefault(settings.bucket, []).append(BucketNotification(
            function=fid, events=settings.events, filter_rules=settings.filter_rules,
            event=event_id))
    elif kind is TriggerKind.SNS:
        return messaging.sns_event(parts, fid, event_id, source, props, raw, at)
    elif kind is TriggerKind.EVENTBRIDGE:
        source = messaging.eventbridge_event(parts, fid, event_id, event_type, props, raw, at)
    elif kind in (TriggerKind.SCHEDULE, TriggerKind.SCHEDULE_V2):
        source = _event_schedule(parts, fid, event_id, event_type, props, raw, at)
    return Trigger(logical_id=event_id, kind=kind, event_type=event_type, function=fid,
                   source=source, runs_locally=kind in LOCAL_KINDS, at=at, **extra)


def _event_schedule(parts: GraphParts, fid: str, event_id: str, event_type: str,
                    props: Mapping[str, Any], raw: Any, at: Mark) -> str:
    is_v2 = event_type == "ScheduleV2"
    expression = props.get("ScheduleExpression" if is_v2 else "Schedule")
    parts.generated[fid + event_id] = ("AWS::Scheduler::Schedule" if is_v2
                                       else "AWS::Events::Rule")
    schedule = Schedule(
        logical_id=fid + event_id, source=event_type, expression=as_text(expression) or "",
        timezone=as_text(props.get("ScheduleExpressionTimezone")) if is_v2 else None,
        is_enabled=state_enabled(props),
        targets=(ScheduleTarget(function=fid, input=as_text(props.get("Input")),
                                target_id=None if is_v2
                                else messaging.lambda_target_id(fid + event_id)),),
        start_date=as_text(props.get("StartDate")) if is_v2 else None,
        end_date=as_text(props.get("EndDate")) if is_v2 else None,
        name=as_text(props.get("Name")),
        group=as_text(props.get("GroupName")) if is_v2 else None,
        event=event_id, at=at, **retry_settings(parts, props, raw, fid + event_id))
    parts.schedules.append(schedule)
    return schedule.logical_id


def retry_settings(parts: GraphParts, config: Mapping[str, Any], raw: Any,
                   source: str) -> dict[str, Any]:
    """RetryPolicy and DeadLetterConfig of a rule target or schedule, as Schedule fields."""
    retry = as_map(config.get("RetryPolicy"))
    dlq = as_map(config.get("DeadLetterConfig"))
    target = parts.refs.target_or_text(parts.refs.dig(raw, "DeadLetterConfig", "Arn"),
                                       dlq.get("Arn"))
    parts.edge(source, target, EdgeKind.DEAD_LETTER)
    return {"dead_letter": target,
            "max_retry_attempts": as_int(retry.get("MaximumRetryAttempts")),
            "max_event_age_s": as_int(retry.get("MaximumEventAgeInSeconds"))}
