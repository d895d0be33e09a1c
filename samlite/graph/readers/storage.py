"""Layers, queues and buckets (with their NotificationConfiguration) -> the graph's model. Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from samlite.graph.model import (
    Bucket,
    BucketNotification,
    EdgeKind,
    Layer,
    NotRunLocally,
    Queue,
    Redrive,
    S3Settings,
    Trigger,
    TriggerKind,
)
from samlite.graph.parts import GraphParts
from samlite.graph.values import (
    as_bool,
    as_int,
    as_list,
    as_map,
    as_text,
    as_texts,
    filter_rules,
    key_at,
    s3_uri,
)
from samlite.template.model import Resource

LAYER_TYPES = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")


def read_layer(parts: GraphParts, res: Resource) -> None:
    props, _ = parts.props(res)
    is_sam = res.type == "AWS::Serverless::LayerVersion"
    content = (s3_uri(props.get("ContentUri"), "Bucket", "Key") if is_sam
               else s3_uri(props.get("Content"), "S3Bucket", "S3Key"))
    parts.layers.append(Layer(
        logical_id=res.logical_id, resource_type=res.type,
        layer_name=as_text(props.get("LayerName")) or res.logical_id, content_uri=content,
        compatible_runtimes=as_texts(props.get("CompatibleRuntimes")),
        compatible_architectures=as_texts(props.get("CompatibleArchitectures")),
        build_method=as_text(as_map(res.metadata).get("BuildMethod")), at=res.at))


def read_queue(parts: GraphParts, res: Resource) -> None:
    props, raw = parts.props(res)
    redrive_value = props.get("RedrivePolicy")
    raw_redrive = parts.refs.dig(raw, "RedrivePolicy")
    if isinstance(redrive_value, str):   # the property is JSON; text is allowed too
        try:
            redrive_value = json.loads(redrive_value)
        except ValueError:
            redrive_value = None
    redrive = None
    if isinstance(redrive_value, dict):
        dlq = parts.refs.target_or_text(parts.refs.dig(raw_redrive, "deadLetterTargetArn"),
                                        redrive_value.get("deadLetterTargetArn"))
        if dlq:
            redrive = Redrive(dead_letter_queue=dlq,
                              max_receive_count=as_int(redrive_value.get("maxReceiveCount")))
            parts.edge(res.logical_id, dlq, EdgeKind.REDRIVE)
    name, url, arn = _queue_identity(parts, res, props)
    parts.queues.append(Queue(
        logical_id=res.logical_id, queue_name=name, url=url, arn=arn,
        is_fifo=as_bool(props.get("FifoQueue"), False) or name.endswith(".fifo"),
        visibility_timeout_s=as_int(props.get("VisibilityTimeout"), 30) or 0,
        message_retention_s=as_int(props.get("MessageRetentionPeriod"), 345600) or 0,
        delay_s=as_int(props.get("DelaySeconds"), 0) or 0,
        receive_wait_s=as_int(props.get("ReceiveMessageWaitTimeSeconds"), 0) or 0,
        content_based_deduplication=as_bool(props.get("ContentBasedDeduplication"), False),
        maximum_message_size_bytes=as_int(props.get("MaximumMessageSize")),
        redrive_allow_policy=_json_text(props.get("RedriveAllowPolicy")),
        redrive=redrive, at=res.at))
    if props.get("RedriveAllowPolicy") is not None:
        parts.not_local.append(NotRunLocally(
            subject=f"{res.logical_id}.RedriveAllowPolicy", type=res.type,
            at=key_at(props, "RedriveAllowPolicy", res.at),
            reason="kept and returned by GetQueueAttributes, not enforced: any queue of "
                   "the template may use this one as its dead-letter queue"))


def _queue_identity(parts: GraphParts, res: Resource,
                    props: Mapping[str, Any]) -> tuple[str, str, str]:
    values = parts.refs.identities.get(res.logical_id, [])
    url = next((v for v in values if v.startswith(("http://", "https://"))), None)
    arn = next((v for v in values if v.startswith("arn:")), None)
    name = as_text(props.get("QueueName")) or (url.rsplit("/", 1)[-1] if url else None) \
        or res.logical_id
    pseudo = parts.resolved.pseudo
    url = url or f"{pseudo.endpoint_url}/{pseudo.account_id}/{name}"
    arn = arn or f"arn:{pseudo.partition}:sqs:{pseudo.region}:{pseudo.account_id}:{name}"
    return name, url, arn


def read_bucket_notifications(parts: GraphParts, res: Resource) -> None:
    props, raw = parts.props(res)
    notification = as_map(props.get("NotificationConfiguration"))
    configs = as_list(notification.get("LambdaConfigurations"))
    for index, config in enumerate(configs):
        if not isinstance(config, dict):
            continue
        raw_function = parts.refs.dig(raw, "NotificationConfiguration",
                                      "LambdaConfigurations", index, "Function")
        fid = parts.function_id(raw_function, config.get("Function"))
        if fid is None:
            continue
        rules = filter_rules(config)
        events = as_texts(config.get("Event"))
        parts.notifications.setdefault(res.logical_id, []).append(
            BucketNotification(function=fid, events=events, filter_rules=rules))
        parts.add_trigger(Trigger(
            logical_id=res.logical_id, kind=TriggerKind.S3, event_type=res.type,
            function=fid, source=res.logical_id, runs_locally=True,
            s3=S3Settings(bucket=res.logical_id, events=events, filter_rules=rules),
            at=res.at))


def read_bucket(parts: GraphParts, res: Resource) -> None:
    props, _ = parts.props(res)
    values = parts.refs.identities.get(res.logical_id, [])
    name = as_text(props.get("BucketName")) or next(
        (v for v in values if not v.startswith("arn:")), res.logical_id)
    parts.buckets.append(Bucket(
        logical_id=res.logical_id, bucket_name=name,
        notifications=tuple(parts.notifications.get(res.logical_id, ())), at=res.at))


def _json_text(value: Any) -> str | None:
    """A property CloudFormation takes as JSON or as an object, as JSON text."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)
