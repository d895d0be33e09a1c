"""Reads the orders table's stream (DynamoDB event; the mapping's FilterCriteria lets only
INSERT records through) and publishes one signed "order placed" message per new order,
with a `priority` message attribute the topic's subscribers can filter on.

A record it cannot announce (an item without a customer or total, e.g. written by hand) is
returned in batchItemFailures: Lambda retries from it, then gives the batch to the
mapping's OnFailure queue. It stops at the first such record, so the records after it are
announced once, when Lambda retries them."""

import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

import boto3
from boto3.dynamodb.types import TypeDeserializer
from signing import signature

_deserializer = TypeDeserializer()


@cache
def _sns():
    return boto3.client("sns")


@cache
def _activity():
    return boto3.resource("dynamodb").Table(os.environ["ACTIVITY_TABLE"])


def handler(event, context):
    for record in event["Records"]:
        image = record["dynamodb"].get("NewImage", {})
        order = {name: _deserializer.deserialize(value) for name, value in image.items()}
        if not isinstance(order.get("customer"), str) or not isinstance(order.get("total"),
                                                                         Decimal):
            print(f"cannot announce {record['eventID']}: no customer or total")
            return {"batchItemFailures": [
                {"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}
        announce(order)
    return {"batchItemFailures": []}


def announce(order):
    total = str(order["total"])
    high = order["total"] >= Decimal(os.environ["HIGH_VALUE_THRESHOLD"])
    priority = "high" if high else "normal"
    message = {"orderId": order["orderId"], "customer": order["customer"], "total": total,
               "signature": signature(os.environ["SIGNING_KEY"], order["orderId"], total)}
    _sns().publish(TopicArn=os.environ["TOPIC_ARN"], Subject="order placed",
                   Message=json.dumps(message),
                   MessageAttributes={"priority": {"DataType": "String",
                                                   "StringValue": priority}})
    # ADD counts announcements, so a record handed over twice would show as 2.
    _activity().update_item(
        Key={"orderId": order["orderId"], "hop": "announced"},
        UpdateExpression="SET priority = :priority, #at = :at ADD announcements :one",
        ExpressionAttributeNames={"#at": "at"},
        ExpressionAttributeValues={":priority": priority, ":one": 1,
                                   ":at": datetime.now(UTC).isoformat()})
