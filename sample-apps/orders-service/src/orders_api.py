"""The orders API: POST /orders validates an order, records it as PENDING and queues it for
the worker; GET /orders/{id} returns the order's current state. HTTP API events (payload
format 2.0) in, proxy responses out.

Plain boto3: on AWS it reaches the real services; under `samlite up` the AWS_ENDPOINT_URL
variable points it at samlite's local S3 and SQS."""

import base64
import json
import os
import re
import uuid
from datetime import UTC, datetime
from functools import cache

import boto3
from botocore.exceptions import ClientError

MAX_ITEMS = 50
MAX_QUANTITY = 100
ORDER_ID = re.compile(r"^[0-9a-f]{32}$")


@cache
def _s3():
    # Created on first use and kept for the environment's life (warm invocations reuse it).
    return boto3.client("s3")


@cache
def _sqs():
    return boto3.client("sqs")


def create_order(event, context):
    try:
        order = json.loads(request_body(event))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _response(400, {"error": "the body must be a JSON object"})
    problems = validate_order(order)
    if problems:
        return _response(400, {"error": "invalid order", "problems": problems})
    order_id = uuid.uuid4().hex
    record = {
        "orderId": order_id,
        "status": "PENDING",
        "customer": order["customer"],
        "items": order["items"],
        "createdAt": datetime.now(UTC).isoformat(),
    }
    # Recorded before it is queued, so GET never answers 404 for an order we accepted.
    save_order(record)
    _sqs().send_message(QueueUrl=os.environ["ORDERS_QUEUE_URL"], MessageBody=json.dumps(record))
    return _response(202, {"orderId": order_id, "status": "PENDING"},
                     headers={"Location": f"/orders/{order_id}"})


def get_order(event, context):
    order_id = (event.get("pathParameters") or {}).get("id", "")
    if not ORDER_ID.match(order_id):
        return _response(404, {"error": f"no order {order_id!r}"})
    try:
        reply = _s3().get_object(Bucket=os.environ["ORDERS_BUCKET"], Key=order_key(order_id))
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
            return _response(404, {"error": f"no order {order_id!r}"})
        raise
    return _response(200, json.loads(reply["Body"].read()))


def request_body(event) -> str:
    """The request body as text. HTTP APIs base64-encode bodies they do not take for text
    (curl -d without a JSON Content-Type sends application/x-www-form-urlencoded)."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body).decode("utf-8")
    return body


def validate_order(order) -> list[str]:
    """What is wrong with an order's shape (empty when it may be queued). Whether each SKU
    exists is the worker's business: it owns the catalog."""
    if not isinstance(order, dict):
        return ["the body must be a JSON object"]
    problems = []
    customer = order.get("customer")
    if not isinstance(customer, str) or not customer.strip():
        problems.append("customer must be a non-empty string")
    items = order.get("items")
    if not isinstance(items, list) or not items:
        problems.append("items must be a non-empty list")
        return problems
    if len(items) > MAX_ITEMS:
        problems.append(f"at most {MAX_ITEMS} items per order")
    for n, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("sku"), str):
            problems.append(f"items[{n}].sku must be a string")
            continue
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) \
                or not 1 <= quantity <= MAX_QUANTITY:
            problems.append(f"items[{n}].quantity must be a whole number from 1 to "
                            f"{MAX_QUANTITY}")
    return problems


def order_key(order_id: str) -> str:
    return f"orders/{order_id}.json"


def save_order(record: dict) -> None:
    _s3().put_object(Bucket=os.environ["ORDERS_BUCKET"], Key=order_key(record["orderId"]),
                     Body=json.dumps(record).encode(), ContentType="application/json")


def _response(status: int, body: dict, headers: dict | None = None) -> dict:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps(body),
    }
