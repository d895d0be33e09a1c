"""The orders worker: prices each queued order and writes it back as CONFIRMED.

An order that cannot be processed (a SKU missing from the catalog, a message that is not an
order) is reported in batchItemFailures, so only that message returns to the queue; the rest
of the batch is deleted. After the queue's maxReceiveCount tries SQS moves it to the DLQ.
See "Handling errors for an SQS event source in Lambda" in the Lambda developer guide."""

import json
import os
from datetime import UTC, datetime
from functools import cache

import boto3

# Prices in cents. A real service would read these from a table; a dict keeps the sample small.
CATALOG = {
    "COFFEE-250G": 1250,
    "MUG": 900,
    "FILTERS-100": 450,
    "GRINDER": 4900,
}


class UnknownSku(ValueError):
    pass


@cache
def _s3():
    return boto3.client("s3")


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            confirmed = price(json.loads(record["body"]))
        except (UnknownSku, ValueError, KeyError, TypeError) as exc:
            # Logged with the message id, so the DLQ message can be matched to its cause.
            print(f"order message {record['messageId']} failed: {exc!r}")
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        _s3().put_object(Bucket=os.environ["ORDERS_BUCKET"],
                         Key=f"orders/{confirmed['orderId']}.json",
                         Body=json.dumps(confirmed).encode(), ContentType="application/json")
        print(f"order {confirmed['orderId']} confirmed: {confirmed['totalCents']} cents")
    print(f"batch of {len(event['Records'])}: {len(failures)} failed")
    return {"batchItemFailures": failures}


def price(order: dict) -> dict:
    """The order with a price on each line and a total; UnknownSku for a SKU not sold here."""
    lines = []
    for item in order["items"]:
        if item["sku"] not in CATALOG:
            raise UnknownSku(f"unknown SKU {item['sku']!r}")
        unit = CATALOG[item["sku"]]
        lines.append({**item, "unitCents": unit, "lineCents": unit * item["quantity"]})
    return {
        **order,
        "items": lines,
        "totalCents": sum(line["lineCents"] for line in lines),
        "status": "CONFIRMED",
        "confirmedAt": datetime.now(UTC).isoformat(),
    }
