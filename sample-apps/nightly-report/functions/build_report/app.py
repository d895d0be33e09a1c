"""BuildReport: on Scheduler's nightly event, read yesterday's orders from the Orders bucket
and write reports/YYYY-MM-DD.json to the Reports bucket.

Plain boto3: on AWS it talks to S3; under samlite, AWS_ENDPOINT_URL points it at the local
endpoint, so the same code runs unchanged.
"""

from __future__ import annotations

import json
import logging
import os
from zoneinfo import ZoneInfo

import boto3
from report import report_day, summarise

logger = logging.getLogger("build_report")
logger.setLevel(logging.INFO)

s3 = boto3.client("s3")   # created once per execution environment, reused by warm starts
ORDERS = os.environ["ORDERS_BUCKET"]
REPORTS = os.environ["REPORTS_BUCKET"]
ZONE = ZoneInfo(os.environ.get("REPORT_TIMEZONE", "UTC"))


def handler(event, context):
    day, scheduled = report_day(event, ZONE)
    logger.info("report for %s (scheduled for %s)", day, scheduled.isoformat())
    orders = list(read_orders(f"orders/{day.isoformat()}/"))
    report = summarise(day, scheduled, orders)
    key = f"reports/{day.isoformat()}.json"
    s3.put_object(Bucket=REPORTS, Key=key, ContentType="application/json",
                  Body=json.dumps(report, indent=2).encode())
    logger.info("wrote s3://%s/%s: %d orders, revenue %s", REPORTS, key, report["orders"],
                report["revenue"])
    return {"report": key, "orders": report["orders"]}


def read_orders(prefix: str):
    """Every order object under `prefix`, page by page (a busy day has more than 1000)."""
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=ORDERS, Prefix=prefix):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=ORDERS, Key=item["Key"])["Body"].read()
            yield json.loads(body)
