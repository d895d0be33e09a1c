"""Checks on event sources that span two resources: an S3 event's bucket must be a bucket of
this template (SAM's rule), and a queue must stay invisible at least as long as the function
it triggers may run (Lambda's CreateEventSourceMapping rule). Works on the raw nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from samlite.errors import Problem
from samlite.validation.checks.context import Check, CheckContext
from samlite.validation.checks.references import (
    events_of,
    function_property,
    problem,
    properties_of,
    resources_of,
)

__all__ = ["CHECKS", "check_filter_patterns", "check_queue_visibility", "check_s3_event_buckets"]

# samtranslator/model/eventsources/push.py (S3.resources_to_link), word for word.
S3_SAME_TEMPLATE = "S3 events must reference an S3 bucket in the same template."

DEFAULT_VISIBILITY_TIMEOUT_S = 30   # AWS::SQS::Queue VisibilityTimeout default
DEFAULT_FUNCTION_TIMEOUT_S = 3      # Lambda's default function timeout

_FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")


def check_s3_event_buckets(ctx: CheckContext) -> Iterator[Problem]:
    resources = resources_of(ctx)
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event_id, event_type, props in events_of(resource):
            if event_type != "S3" or "Bucket" not in props:
                continue
            bucket = props["Bucket"]
            target = bucket.get("Ref") if isinstance(bucket, dict) and len(bucket) == 1 \
                else None
            if isinstance(target, str) and \
                    resources.get(target, {}).get("Type") == "AWS::S3::Bucket":
                continue
            if isinstance(target, str) and target in resources:
                found = f"{target} is a {resources[target].get('Type')}"
            elif isinstance(target, str):
                found = f"{target} is not a resource of this template"
            else:
                found = f"got {_show(bucket)}"
            path = ("Resources", logical_id, "Properties", "Events", event_id, "Properties",
                    "Bucket")
            yield problem(ctx, "E4001",
                          f"Event with id [{event_id}] is invalid. {S3_SAME_TEMPLATE} "
                          f"({found}; use !Ref to an AWS::S3::Bucket declared here)",
                          path, resource=logical_id)


def check_queue_visibility(ctx: CheckContext) -> Iterator[Problem]:
    """SQS events and AWS::Lambda::EventSourceMapping: VisibilityTimeout >= function Timeout."""
    resources = resources_of(ctx)
    for logical_id, resource in resources.items():
        if resource.get("Type") == "AWS::Serverless::Function":
            for event_id, event_type, props in events_of(resource):
                if event_type != "SQS":
                    continue
                path = ("Resources", logical_id, "Properties", "Events", event_id,
                        "Properties", "Queue")
                yield from _compare(ctx, resources, props.get("Queue"), logical_id, path,
                                    logical_id)
        elif resource.get("Type") == "AWS::Lambda::EventSourceMapping":
            props = properties_of(resource)
            function_id = _function_target(props.get("FunctionName"))
            if function_id is None or \
                    resources.get(function_id, {}).get("Type") not in _FUNCTION_TYPES:
                continue
            path = ("Resources", logical_id, "Properties", "EventSourceArn")
            yield from _compare(ctx, resources, props.get("EventSourceArn"), function_id, path,
                                logical_id)


def _compare(ctx: CheckContext, resources: Mapping[str, Mapping[str, Any]], queue_ref: Any,
             function_id: str, path: tuple[str, ...], owner: str) -> Iterator[Problem]:
    queue_id = _queue_target(queue_ref)
    queue = resources.get(queue_id or "")
    if queue is None or queue.get("Type") != "AWS::SQS::Queue":
        return
    visibility = _seconds(properties_of(queue).get("VisibilityTimeout",
                                                   DEFAULT_VISIBILITY_TIMEOUT_S))
    timeout = _seconds(function_property(ctx, resources[function_id], "Timeout")
                       or DEFAULT_FUNCTION_TIMEOUT_S)
    # `!Ref Parameter` (with its default or --parameter-overrides): the resolved value.
    if visibility is None:
        visibility = _resolved_seconds(ctx, queue_id or "", "VisibilityTimeout",
                                       DEFAULT_VISIBILITY_TIMEOUT_S)
    if timeout is None:
        timeout = _resolved_seconds(ctx, function_id, "Timeout", DEFAULT_FUNCTION_TIMEOUT_S)
    if visibility is None or timeout is None or visibility >= timeout:
        return
    # The first sentence is Lambda's own InvalidParameterValueException message.
    yield problem(ctx, "E4002",
                  f"Queue visibility timeout: {visibility} seconds is less than Function "
                  f"timeout: {timeout} seconds. AWS refuses to map {queue_id} to "
                  f"{function_id}; set {queue_id}'s VisibilityTimeout to at least {timeout} "
                  f"(AWS recommends six times the function timeout, {6 * timeout})",
                  path, resource=owner)


def _resolved_seconds(ctx: CheckContext, logical_id: str, name: str,
                     default: int) -> int | None:
    resource = ctx.resolved.resources.get(logical_id) if ctx.resolved is not None else None
    if resource is None:
        return None
    return _seconds(resource.properties.get(name, default))


def _queue_target(value: Any) -> str | None:
    """The logical id in `!GetAtt Q.Arn` (an event source takes the queue's ARN)."""
    if not (isinstance(value, dict) and len(value) == 1):
        return None
    key, inner = next(iter(value.items()))
    if key == "Fn::GetAtt":
        if isinstance(inner, list) and len(inner) == 2 and inner[1] == "Arn":
            return str(inner[0])
        if isinstance(inner, str) and inner.endswith(".Arn"):
            return inner.removesuffix(".Arn")
    return None


def _function_target(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        key, inner = next(iter(value.items()))
        if key == "Ref" and isinstance(inner, str):
            return inner
        if key == "Fn::GetAtt":
            return _queue_target(value)
    return None


def _seconds(value: Any) -> int | None:
    """A plain number of seconds; None for intrinsics and anything else we cannot read."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _show(value: Any) -> str:
    if isinstance(value, dict) and len(value) == 1:
        return f"{next(iter(value))} …"
    return repr(value)


def check_filter_patterns(ctx: CheckContext) -> Iterator[Problem]:
    """FilterCriteria patterns must be patterns Lambda accepts. A warning: SAM translates
    the template, but creating the mapping would fail, and locally it does not run."""
    resources = resources_of(ctx)
    for logical_id, resource in resources.items():
        if resource.get("Type") == "AWS::Serverless::Function":
            for event_id, _event_type, props in events_of(resource):
                path = ("Resources", logical_id, "Properties", "Events", event_id,
                        "Properties", "FilterCriteria", "Filters")
                yield from _bad_patterns(ctx, props.get("FilterCriteria"), path, logical_id)
        elif resource.get("Type") == "AWS::Lambda::EventSourceMapping":
            path = ("Resources", logical_id, "Properties", "FilterCriteria", "Filters")
            yield from _bad_patterns(ctx, properties_of(resource).get("FilterCriteria"), path,
                                     logical_id)


def _bad_patterns(ctx: CheckContext, criteria: Any, path: tuple[str, ...],
                  owner: str) -> Iterator[Problem]:
    filters = criteria.get("Filters") if isinstance(criteria, dict) else None
    if not isinstance(filters, list):
        return
    # Imported only for a template with filters: most have none (~2 ms with ipaddress).
    from samlite.dialects.event_patterns import EventFilter

    for index, entry in enumerate(filters):
        pattern = entry.get("Pattern") if isinstance(entry, dict) else None
        if not isinstance(pattern, str):
            continue   # intrinsics and shapes the schema already reports
        try:
            EventFilter.from_patterns([pattern])
        except ValueError as exc:
            reason = re.sub(r"^filter pattern 1:? ", "", str(exc))
            yield problem(ctx, "W4003", f"FilterCriteria pattern is not valid: {reason}; Lambda "
                                       "would refuse the mapping, and samlite does not run it",
                          (*path, index, "Pattern"), resource=owner)


CHECKS: tuple[Check, ...] = (check_s3_event_buckets, check_queue_visibility,
                             check_filter_patterns)
