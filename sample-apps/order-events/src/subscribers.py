"""The three ends of the fan-out, each recording what it received in the activity table:

- high_value: an SNS subscriber (only "high" announcements pass its filter policy); it
  checks the signature with the key read through the AWS Parameters and Secrets Lambda
  Extension (its HTTP API on localhost:2773).
- fulfil: the SQS consumer of the topic's raw-delivery subscription: each body is the
  announcement itself, its `priority` an SQS message attribute.
- receipt: the EventBridge rule's target: the rule's InputTransformer has already cut the
  OrderPaid event down to {"orderId", "amount", "paidAt", "line"}."""

import hmac
import json
import os
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from functools import cache

import boto3
from signing import signature


@cache
def _activity():
    return boto3.resource("dynamodb").Table(os.environ["ACTIVITY_TABLE"])


def high_value(event, context):
    for record in event["Records"]:
        announcement = json.loads(record["Sns"]["Message"])
        expected = signature(_signing_key(), announcement["orderId"], announcement["total"])
        _record(announcement["orderId"], "high-value",
                verified=hmac.compare_digest(expected, announcement["signature"]),
                subject=record["Sns"]["Subject"],
                priority=record["Sns"]["MessageAttributes"]["priority"]["Value"])


def fulfil(event, context):
    for record in event["Records"]:
        announcement = json.loads(record["body"])
        _record(announcement["orderId"], "fulfilment", customer=announcement["customer"],
                priority=record["messageAttributes"]["priority"]["stringValue"])


def receipt(event, context):
    _record(event["orderId"], "receipt", line=event["line"], amount=str(event["amount"]),
            paidAt=event["paidAt"])


@cache
def _signing_key():
    """The key, from the extension's cache on AWS (from samlite's Secrets Manager here)."""
    port = os.environ.get("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "2773")
    query = urllib.parse.urlencode({"secretId": os.environ["SIGNING_KEY_SECRET"]})
    request = urllib.request.Request(
        f"http://localhost:{port}/secretsmanager/get?{query}",
        headers={"X-Aws-Parameters-Secrets-Token": os.environ["AWS_SESSION_TOKEN"]})
    with urllib.request.urlopen(request, timeout=5) as reply:   # noqa: S310 (fixed URL)
        return json.loads(json.loads(reply.read())["SecretString"])["key"]


def _record(order_id, hop, **details):
    _activity().put_item(Item={"orderId": order_id, "hop": hop,
                               "at": datetime.now(UTC).isoformat(), **details})
