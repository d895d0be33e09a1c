"""Plain CloudFormation resources that wire functions: AWS::Events::Rule,
AWS::Scheduler::Schedule, AWS::Lambda::EventSourceMapping, Url and EventInvokeConfig. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.graph.model import (
    EdgeKind,
    FunctionUrl,
    NotRunLocally,
    Schedule,
    ScheduleTarget,
    Trigger,
    TriggerKind,
)
from samlite.graph.parts import GraphParts
from samlite.graph.readers import functions, messaging, sam_events, tables
from samlite.graph.values import (
    as_list,
    as_map,
    as_text,
    http_cors,
    key_at,
    sqs_settings,
    state_enabled,
)
from samlite.template.model import Resource

# An event source mapping's source, by the ARN's service or the named resource's type.
ESM_KINDS: Mapping[str, TriggerKind] = {
    "sqs": TriggerKind.SQS, "AWS::SQS::Queue": TriggerKind.SQS,
    "kinesis": TriggerKind.KINESIS, "AWS::Kinesis::Stream": TriggerKind.KINESIS,
    "dynamodb": TriggerKind.DYNAMODB, "AWS::DynamoDB::Table": TriggerKind.DYNAMODB,
    "kafka": TriggerKind.MSK, "AWS::MSK::Cluster": TriggerKind.MSK,
    "mq": TriggerKind.MQ, "AWS::AmazonMQ::Broker": TriggerKind.MQ,
    "rds": TriggerKind.DOCUMENTDB, "AWS::DocDB::DBCluster": TriggerKind.DOCUMENTDB,
}


def read_events_rule(parts: GraphParts, res: Resource) -> bool:
    props, raw = parts.props(res)
    if as_text(props.get("ScheduleExpression")) is None:
        return messaging.read_pattern_rule(parts, res)
    targets = []
    for index, target in enumerate(as_list(props.get("Targets"))):
        if not isinstance(target, dict):
            continue
        fid = parts.function_id(parts.refs.dig(raw, "Targets", index, "Arn"),
                                target.get("Arn"))
        if fid:
            targets.append((fid, target, parts.refs.dig(raw, "Targets", index)))
        else:   # the scheduler invokes functions only: said, not skipped in silence
            parts.not_local.append(NotRunLocally(
                subject=f"{res.logical_id}.Targets.{as_text(target.get('Id')) or index}",
                type=res.type, at=res.at,
                reason="a schedule's targets other than functions are not run locally"))
    expression = as_text(props.get("ScheduleExpression")) or ""
    if not targets:
        return False
    first_target, first_raw = targets[0][1], targets[0][2]
    parts.schedules.append(Schedule(
        logical_id=res.logical_id, source=res.type, expression=expression,
        is_enabled=state_enabled(props), name=as_text(props.get("Name")),
        targets=tuple(ScheduleTarget(function=fid, input=as_text(t.get("Input")),
                                     target_id=as_text(t.get("Id")) or f"{fid}Target")
                      for fid, t, _ in targets),
        at=res.at, **sam_events.retry_settings(parts, first_target, first_raw, res.logical_id)))
    for fid, _target, _raw in targets:
        parts.add_trigger(Trigger(
            logical_id=res.logical_id, kind=TriggerKind.SCHEDULE, event_type=res.type,
            function=fid, source=res.logical_id, runs_locally=True, at=res.at))
    return True


def read_scheduler_schedule(parts: GraphParts, res: Resource) -> bool:
    props, raw = parts.props(res)
    target = as_map(props.get("Target"))
    fid = parts.function_id(parts.refs.dig(raw, "Target", "Arn"), target.get("Arn"))
    if fid is None:
        return False
    parts.schedules.append(Schedule(
        logical_id=res.logical_id, source=res.type,
        expression=as_text(props.get("ScheduleExpression")) or "",
        timezone=as_text(props.get("ScheduleExpressionTimezone")),
        is_enabled=state_enabled(props),
        targets=(ScheduleTarget(function=fid, input=as_text(target.get("Input"))),),
        start_date=as_text(props.get("StartDate")), end_date=as_text(props.get("EndDate")),
        name=as_text(props.get("Name")), group=as_text(props.get("GroupName")),
        at=res.at, **sam_events.retry_settings(parts, target, parts.refs.dig(raw, "Target"),
                                                res.logical_id)))
    parts.add_trigger(Trigger(
        logical_id=res.logical_id, kind=TriggerKind.SCHEDULE_V2, event_type=res.type,
        function=fid, source=res.logical_id, runs_locally=True, at=res.at))
    return True


def read_event_source_mapping(parts: GraphParts, res: Resource) -> bool:
    props, raw = parts.props(res)
    fid = parts.function_id(parts.refs.dig(raw, "FunctionName"), props.get("FunctionName"))
    if fid is None:
        return False
    source = parts.refs.target_or_text(parts.refs.dig(raw, "EventSourceArn"),
                                       props.get("EventSourceArn"))
    if source in parts.resources:
        kind = ESM_KINDS.get(parts.resources[source].type, TriggerKind.OTHER)
    elif source and source.startswith("arn:") and source.count(":") >= 2:
        kind = ESM_KINDS.get(source.split(":")[2], TriggerKind.OTHER)
    elif "SelfManagedEventSource" in props:
        kind = TriggerKind.SELF_MANAGED_KAFKA
    else:
        kind = TriggerKind.OTHER
    is_sqs = kind is TriggerKind.SQS
    if kind is TriggerKind.DYNAMODB:
        return _stream_mapping(parts, res, fid, source, props, raw)
    parts.add_trigger(Trigger(
        logical_id=res.logical_id, kind=kind, event_type=res.type, function=fid,
        source=source, runs_locally=is_sqs, sqs=sqs_settings(props) if is_sqs else None,
        at=res.at))
    if not is_sqs:
        parts.not_local.append(NotRunLocally(
            subject=res.logical_id, type=res.type, at=res.at,
            reason=f"{kind.value} event source mappings are not emulated locally; "
                   "the function can still be invoked directly"))
    return True


def _stream_mapping(parts: GraphParts, res: Resource, fid: str, source: str | None,
                    props: Mapping[str, Any], raw: Any) -> bool:
    """An event source mapping of a DynamoDB stream: run when the table is this template's."""
    why_not = tables.why_stream_not_run(parts, source)
    settings = tables.stream_settings(parts, props, raw) if why_not is None else None
    parts.add_trigger(Trigger(
        logical_id=res.logical_id, kind=TriggerKind.DYNAMODB, event_type=res.type,
        function=fid, source=source, runs_locally=why_not is None, stream=settings,
        at=res.at))
    if settings is not None:
        parts.edge(fid, settings.on_failure, EdgeKind.ON_FAILURE, res.logical_id)
        for caveat in tables.stream_caveats(parts, settings, props):
            parts.not_local.append(NotRunLocally(subject=res.logical_id, type=res.type,
                                                 at=res.at, reason=caveat))
    if why_not is not None:
        parts.not_local.append(NotRunLocally(subject=res.logical_id, type=res.type,
                                             at=res.at, reason=why_not))
    return True


def read_lambda_url(parts: GraphParts, res: Resource) -> bool:
    props, raw = parts.props(res)
    fid = parts.function_id(parts.refs.dig(raw, "TargetFunctionArn"),
                            props.get("TargetFunctionArn"))
    if fid is None:
        return False
    qualifier = as_text(props.get("Qualifier"))
    if qualifier:   # the URL invokes that alias
        parts.pending_for(fid).qualifiers.append(qualifier)
    url = FunctionUrl(logical_id=res.logical_id, function=fid,
                      auth_type=as_text(props.get("AuthType")) or "AWS_IAM",
                      invoke_mode=as_text(props.get("InvokeMode")) or "BUFFERED",
                      cors=http_cors(props.get("Cors")), at=res.at)
    parts.urls.append(url)
    target = parts.resources.get(fid)
    runtime = as_text(parts.props(target)[0].get("Runtime")) if target is not None else None
    functions.name_response_streaming(parts, url, res.type,
                                      at=key_at(props, "InvokeMode", res.at), runtime=runtime)
    parts.pending_for(fid).url = url
    parts.edge(res.logical_id, fid, EdgeKind.TRIGGER)
    return True


def read_lambda_event_invoke(parts: GraphParts, res: Resource) -> bool:
    props, raw = parts.props(res)
    fid = parts.function_id(parts.refs.dig(raw, "FunctionName"), props.get("FunctionName"))
    if fid is None:
        return False
    parts.pending_for(fid).event_invoke = functions.event_invoke(parts, fid, props, raw)
    return True
