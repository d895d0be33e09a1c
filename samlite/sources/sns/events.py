"""What an SNS subscriber receives. Pure mapping, no I/O.

- Lambda: the record of the Lambda developer guide, "Using AWS Lambda with Amazon SNS"
  (EventSource aws:sns, EventVersion 1.0, EventSubscriptionArn, Sns.{Type, MessageId,
  TopicArn, Subject (null when none), Message, Timestamp, SignatureVersion, Signature,
  SigningCertUrl, UnsubscribeUrl, MessageAttributes {Type, Value}}).
- SQS: the JSON envelope of the SNS developer guide, "Amazon SNS message and JSON formats"
  (SigningCertURL / UnsubscribeURL spelled so there; Subject and MessageAttributes only when
  the message has them), or with RawMessageDelivery the message itself with its attributes
  as SQS message attributes ("Amazon SNS raw message delivery").
- Filter policies ("Amazon SNS message filtering"): the operators are EventBridge's, so the
  one pattern engine (dialects/event_patterns.py) decides; MessageAttributes scope matches
  attribute values (Number as numbers, String.Array as its list), MessageBody scope the
  message parsed as JSON.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from samlite.aws.sns.model import PublishedMessage, SubscriptionView
from samlite.dialects.event_patterns import EventFilter

SIGNATURE_VERSION = "1"
# Not a real signature: samlite does not hold SNS's signing key. Handlers that verify
# signatures must skip that check locally.
LOCAL_SIGNATURE = base64.b64encode(b"samlite local SNS: not signed").decode()


def timestamp(seconds: float) -> str:
    """SNS's Timestamp: ISO 8601 UTC with milliseconds ("2019-01-02T12:45:07.000Z")."""
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def message_for(message: PublishedMessage, protocol: str) -> str:
    """The text a subscriber of `protocol` gets: with MessageStructure json, its protocol's
    entry, else "default" (SNS's Publish reference)."""
    if not message.is_json_structure:
        return message.message
    try:
        document = json.loads(message.message)
    except ValueError:
        return message.message
    if not isinstance(document, dict):
        return message.message
    return str(document.get(protocol, document.get("default", "")))


def passes_filter(subscription: SubscriptionView, message: PublishedMessage) -> bool:
    """Whether the subscription's FilterPolicy lets the message through (no policy: all)."""
    policy = subscription.attributes.get("FilterPolicy")
    if not policy:
        return True
    try:
        matcher = EventFilter.from_patterns([str(policy)])
    except ValueError:
        return False    # SetSubscriptionAttributes refused it; a bad template one matches none
    if subscription.attributes.get("FilterPolicyScope") == "MessageBody":
        try:
            body = json.loads(message_for(message, subscription.protocol))
        except ValueError:
            return False
        return isinstance(body, dict) and matcher.matches(body)
    return matcher.matches(_attribute_view(message.message_attributes))


def _attribute_view(attributes: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    view: dict[str, Any] = {}
    for name, attribute in attributes.items():
        kind = str(attribute.get("Type", "String"))
        value = attribute.get("Value")
        if kind.startswith("Number"):
            try:
                view[name] = float(value)   # type: ignore[arg-type]
            except (TypeError, ValueError):
                view[name] = value
        elif kind == "String.Array":
            try:
                view[name] = json.loads(str(value))
            except ValueError:
                view[name] = value
        elif kind.startswith("String"):
            view[name] = value
    return view


def _urls(subscription: SubscriptionView, region: str) -> tuple[str, str]:
    host = f"https://sns.{region}.amazonaws.com"
    return (f"{host}/SimpleNotificationService-samlite.pem",
            f"{host}/?Action=Unsubscribe&SubscriptionArn={subscription.arn}")


def lambda_event(message: PublishedMessage, subscription: SubscriptionView,
                 region: str) -> dict[str, Any]:
    cert_url, unsubscribe_url = _urls(subscription, region)
    return {"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription.arn,
        "Sns": {
            "Type": "Notification",
            "MessageId": message.message_id,
            "TopicArn": message.topic_arn,
            "Subject": message.subject,
            "Message": message_for(message, "lambda"),
            "Timestamp": timestamp(message.timestamp_s),
            "SignatureVersion": SIGNATURE_VERSION,
            "Signature": LOCAL_SIGNATURE,
            "SigningCertUrl": cert_url,
            "UnsubscribeUrl": unsubscribe_url,
            "MessageAttributes": {name: {"Type": a.get("Type"), "Value": a.get("Value")}
                                  for name, a in message.message_attributes.items()},
        },
    }]}


def sqs_envelope(message: PublishedMessage, subscription: SubscriptionView,
                 region: str) -> str:
    cert_url, unsubscribe_url = _urls(subscription, region)
    envelope: dict[str, Any] = {"Type": "Notification", "MessageId": message.message_id,
                                "TopicArn": message.topic_arn}
    if message.subject is not None:
        envelope["Subject"] = message.subject
    envelope.update({
        "Message": message_for(message, "sqs"),
        "Timestamp": timestamp(message.timestamp_s),
        "SignatureVersion": SIGNATURE_VERSION,
        "Signature": LOCAL_SIGNATURE,
        "SigningCertURL": cert_url,
        "UnsubscribeURL": unsubscribe_url,
    })
    if message.message_attributes:
        envelope["MessageAttributes"] = {
            name: {"Type": a.get("Type"), "Value": a.get("Value")}
            for name, a in message.message_attributes.items()}
    return json.dumps(envelope)


def raw_sqs_attributes(message: PublishedMessage) -> dict[str, dict[str, Any]]:
    """The message's attributes as SendMessage's MessageAttributes (raw delivery)."""
    out: dict[str, dict[str, Any]] = {}
    for name, attribute in message.message_attributes.items():
        kind = str(attribute.get("Type", "String"))
        value = attribute.get("Value")
        if kind.startswith("Binary"):
            out[name] = {"DataType": kind, "BinaryValue": value}
        else:
            out[name] = {"DataType": kind, "StringValue": str(value)}
    return out
