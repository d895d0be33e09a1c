"""The nightly report under samlite: seed the Orders bucket, fire the schedule, read the report.

`samlite_app` (the samlite pytest plugin) starts this folder's template.yaml for each test
with its own empty buckets; `.trigger(name)` fires a schedule now, as `samlite trigger` does.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

SCHEDULE = "BuildReportNightly"   # function BuildReport + event Nightly, as SAM names it
BERLIN = ZoneInfo("Europe/Berlin")


def put_order(app: Any, day: date, order_id: str, amount: str, *items: tuple[str, int]) -> None:
    order = {"id": order_id, "amount": amount,
             "items": [{"sku": sku, "quantity": n} for sku, n in items]}
    app.s3.put_object(Bucket=app.bucket_name("Orders"),
                      Key=f"orders/{day.isoformat()}/{order_id}.json",
                      Body=json.dumps(order).encode())


def report_of(app: Any, day: date) -> dict[str, Any] | None:
    """reports/<day>.json from the Reports bucket, or None while it is not there yet."""
    try:
        reply = app.s3.get_object(Bucket=app.bucket_name("Reports"),
                                  Key=f"reports/{day.isoformat()}.json")
    except app.s3.exceptions.NoSuchKey:
        return None
    return json.loads(reply["Body"].read())


def test_triggering_the_schedule_reports_on_yesterdays_orders(samlite_app: Any) -> None:
    # "yesterday" on Berlin's wall clock, which is what the function reports on. (A run
    # across midnight in Berlin would see another day: a window the length of this test.)
    yesterday = datetime.now(BERLIN).date() - timedelta(days=1)
    put_order(samlite_app, yesterday, "o-1", "19.90", ("mug", 2))
    put_order(samlite_app, yesterday, "o-2", "5.10", ("tea", 1), ("mug", 1))
    put_order(samlite_app, yesterday - timedelta(days=1), "o-0", "99.00", ("kettle", 1))

    samlite_app.trigger(SCHEDULE)
    report = samlite_app.wait_for(lambda: report_of(samlite_app, yesterday))

    assert report["orders"] == 2                 # the day before yesterday is not counted
    assert report["revenue"] == "25.00"
    assert report["top_products"][0] == {"sku": "mug", "quantity": 3}


def test_a_backfill_for_a_given_day_by_invoking_directly(samlite_app: Any) -> None:
    day = date(2026, 2, 28)
    put_order(samlite_app, day, "o-7", "42.00", ("teapot", 1))

    result = samlite_app.invoke("BuildReport", {"date": day.isoformat()})

    assert result.function_error is None
    assert result.payload == {"report": "reports/2026-02-28.json", "orders": 1}
    assert report_of(samlite_app, day)["revenue"] == "42.00"


def test_with_a_fast_clock_the_schedule_fires_at_two_in_the_morning_berlin_time(
        samlite_app_factory: Any) -> None:
    # `samlite up --clock-speed 100000`: schedules see a day pass in under a second.
    app = samlite_app_factory(clock_speed=100_000)
    reports = app.s3.get_paginator("list_objects_v2")

    def first_report() -> str | None:
        for page in reports.paginate(Bucket=app.bucket_name("Reports"), Prefix="reports/"):
            for item in page.get("Contents", []):
                return item["Key"]
        return None

    key = app.wait_for(first_report, timeout_s=5)
    body = app.s3.get_object(Bucket=app.bucket_name("Reports"), Key=key)["Body"].read()
    scheduled = datetime.fromisoformat(json.loads(body)["scheduled_for"])

    assert (scheduled.hour, scheduled.minute) == (2, 0)
    assert scheduled.utcoffset() in (timedelta(hours=1), timedelta(hours=2))   # CET or CEST
    assert key == f"reports/{scheduled.date() - timedelta(days=1)}.json"
