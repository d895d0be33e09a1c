"""The orders API (HTTP API events, payload format 2.0):

- POST /orders {"customer": "ada", "total": 120} writes the order as PLACED; 201 and its id.
- GET /orders/{id} returns the order and what each hop did with it (the activity table).
- POST /orders/{id}/pay marks a PLACED order PAID and puts an OrderPaid event on the bus.

Plain boto3: on AWS it reaches the real services; under `samlite up` the AWS_ENDPOINT_URL
variable points it at samlite's local DynamoDB and EventBridge."""

import base64
import binascii
import json
import os
import uuid
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import cache

import boto3
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError


@cache
def _dynamodb():
    return boto3.resource("dynamodb")


@cache
def _events():
    return boto3.client("events")


def handler(event, context):
    route = event["routeKey"]
    if route == "POST /orders":
        return place_order(event)
    if route == "GET /orders/{id}":
        return get_order(event["pathParameters"]["id"])
    if route == "POST /orders/{id}/pay":
        return pay_order(event["pathParameters"]["id"])
    return _response(404, {"error": f"no route {route}"})


def place_order(event):
    try:
        order = json.loads(request_body(event), parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError, binascii.Error):
        return _response(400, {"error": "the body must be a JSON object"})
    problem = order_problem(order)
    if problem:
        return _response(400, {"error": problem})
    item = {"orderId": uuid.uuid4().hex, "customer": order["customer"],
            "total": Decimal(str(order["total"])), "status": "PLACED",
            "placedAt": datetime.now(UTC).isoformat()}
    _orders().put_item(Item=item)
    return _response(201, {"orderId": item["orderId"], "status": "PLACED"})


def request_body(event):
    """The body as text. HTTP APIs base64-encode bodies they do not take for text (curl's
    default form content type among them), so honour isBase64Encoded."""
    body = event.get("body") or ""
    return base64.b64decode(body).decode() if event.get("isBase64Encoded") else body


def order_problem(order):
    """Why `order` cannot be placed, or None."""
    if not isinstance(order, dict):
        return "the body must be a JSON object"
    if not isinstance(order.get("customer"), str) or not order["customer"]:
        return "customer must be a non-empty string"
    total = order.get("total")
    try:
        valid_total = not isinstance(total, bool) and Decimal(str(total)) > 0
    except InvalidOperation:
        valid_total = False
    return None if valid_total else "total must be a positive number"


def get_order(order_id):
    order = _orders().get_item(Key={"orderId": order_id}).get("Item")
    if order is None:
        return _response(404, {"error": f"no order {order_id}"})
    hops = _activity().query(KeyConditionExpression=Key("orderId").eq(order_id))["Items"]
    return _response(200, {"order": order, "activity": {hop.pop("hop"): hop for hop in hops}})


def pay_order(order_id):
    try:
        paid = _orders().update_item(
            Key={"orderId": order_id},
            UpdateExpression="SET #status = :paid, paidAt = :now",
            ConditionExpression="#status = :placed",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":paid": "PAID", ":placed": "PLACED",
                                       ":now": datetime.now(UTC).isoformat()},
            ReturnValues="ALL_NEW")["Attributes"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        exists = "Item" in _orders().get_item(Key={"orderId": order_id})
        return (_response(409, {"error": f"order {order_id} is not waiting for payment"})
                if exists else _response(404, {"error": f"no order {order_id}"}))
    detail = {"orderId": order_id, "customer": paid["customer"], "total": paid["total"]}
    reply = _events().put_events(Entries=[{
        "Source": "order-events", "DetailType": "OrderPaid",
        "Detail": json.dumps(detail, default=_number), "EventBusName": os.environ["ORDERS_BUS"]}])
    if reply["FailedEntryCount"]:
        raise RuntimeError(f"OrderPaid event not accepted: {reply['Entries']}")
    return _response(200, {"orderId": order_id, "status": "PAID"})


def _orders():
    return _dynamodb().Table(os.environ["ORDERS_TABLE"])


def _activity():
    return _dynamodb().Table(os.environ["ACTIVITY_TABLE"])


def _number(value):
    """DynamoDB numbers come back as Decimal; JSON wants int or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _response(status, body):
    return {"statusCode": status, "headers": {"content-type": "application/json"},
            "body": json.dumps(body, default=_number)}
