"""Who invoked a function, in a few words for the dashboard ("GET /hello/{name}",
"s3 photos/cat.jpg", "sqs Jobs batch of 3", "schedule Nightly", "eventbridge rule Paid on
orders", "async retry 2 of 3").
Pure: a source that knows sets Invocation.trigger; otherwise the event's shape tells, as the
Lambda developer guide's event examples show them; anything else is "invoke"."""

from __future__ import annotations

import json
from typing import Any

from samlite.runtime.invocation import Invocation

UNKNOWN = "invoke"


def describe(invocation: Invocation) -> str:
    base = invocation.trigger or from_event(invocation.payload)
    if invocation.attempt > 1:
        return f"{base} · async retry {invocation.attempt - 1} of " \
               f"{max(invocation.attempts_allowed - 1, invocation.attempt - 1)}"
    return base


def from_event(payload: bytes) -> str:
    try:
        event = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return UNKNOWN
    return of_event(event)


def of_event(event: object) -> str:
    """The same from an event not yet encoded: a source that built it says who invoked
    without the service decoding the payload again (a warm invoke's largest cost after the
    encoding itself)."""
    if not isinstance(event, dict):
        return UNKNOWN
    return _from_records(event) or _from_http(event) or _from_destination(event) \
        or _from_envelope(event) or UNKNOWN


def _from_records(event: dict[str, Any]) -> str | None:
    records = event.get("Records")
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        return None
    first = records[0]
    source = first.get("eventSource") or first.get("EventSource")
    if source == "aws:s3":
        s3 = first.get("s3", {})
        bucket = s3.get("bucket", {}).get("name", "?")
        key = s3.get("object", {}).get("key", "?")
        return f"s3 {first.get('eventName', '')} {bucket}/{key}".replace("  ", " ")
    if source == "aws:sqs":
        queue = str(first.get("eventSourceARN", "")).rsplit(":", 1)[-1]
        return f"sqs {queue} batch of {len(records)}"
    if source == "aws:sns":
        topic = str(first.get("Sns", {}).get("TopicArn", "")).rsplit(":", 1)[-1]
        return f"sns {topic}"
    if source == "aws:dynamodb":
        return f"dynamodb stream batch of {len(records)}"
    return None


def _from_http(event: dict[str, Any]) -> str | None:
    context = event.get("requestContext")
    if not isinstance(context, dict):
        return None
    http = context.get("http")
    if isinstance(http, dict):   # payload format 2.0, function URLs
        return f"{http.get('method', '')} {http.get('path', '')}"
    if "httpMethod" in event:    # payload format 1.0, REST APIs, ALB
        return f"{event['httpMethod']} {event.get('path', '')}"
    return None


def _from_destination(event: dict[str, Any]) -> str | None:
    """An asynchronous invocation record, as a Lambda destination receives it (Lambda
    developer guide, "Configuring destinations for asynchronous invocation")."""
    context = event.get("requestContext")
    if not isinstance(context, dict) or "condition" not in context:
        return None
    arn_parts = str(context.get("functionArn", "")).split(":")
    function = arn_parts[6] if len(arn_parts) > 6 else "?"
    where = "OnSuccess" if context["condition"] == "Success" else "OnFailure"
    return f"{where} destination of {function} ({context['condition']})"


def _from_envelope(event: dict[str, Any]) -> str | None:
    if event.get("detail-type") == "Scheduled Event":
        resources = event.get("resources") or [""]
        return f"schedule {str(resources[0]).rsplit('/', 1)[-1]}"
    if "detail-type" in event and "source" in event:
        return f"eventbridge {event['source']}"
    return None
