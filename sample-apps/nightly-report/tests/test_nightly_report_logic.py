"""Unit tests for the report's logic (functions/build_report/report.py): no samlite needed."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

# Loaded by path under its own name, so the tests need no sys.path changes.
REPORT_MODULE = Path(__file__).resolve().parents[1] / "functions/build_report/report.py"
_spec = importlib.util.spec_from_file_location("nightly_report_logic", REPORT_MODULE)
assert _spec and _spec.loader
report = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(report)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("time", "day", "local"), [
    # 02:00 in Berlin is 01:00 UTC in winter (CET) and 00:00 UTC in summer (CEST)
    ("2026-11-26T01:00:00Z", date(2026, 11, 25), "2026-11-26T02:00:00+01:00"),
    ("2026-07-15T00:00:00Z", date(2026, 7, 14), "2026-07-15T02:00:00+02:00"),
    # just after midnight UTC is still the same Berlin day as the evening before it
    ("2026-01-01T00:30:00Z", date(2025, 12, 31), "2026-01-01T01:30:00+01:00"),
], ids=["winter", "summer", "new-year"])
def test_a_scheduled_run_reports_on_the_day_before_in_the_reports_zone(
        time: str, day: date, local: str) -> None:
    event = {"source": "aws.scheduler", "detail-type": "Scheduled Event", "time": time}

    reported, scheduled = report.report_day(event, BERLIN)

    assert reported == day
    assert scheduled.isoformat() == local


def test_a_manual_run_names_its_day() -> None:
    reported, _ = report.report_day({"date": "2026-02-28"}, BERLIN)

    assert reported == date(2026, 2, 28)


def test_summarise_totals_revenue_and_products() -> None:
    orders = [
        {"id": "o-1", "amount": "19.90", "items": [{"sku": "mug", "quantity": 2}]},
        {"id": "o-2", "amount": "5.10", "items": [{"sku": "tea", "quantity": 1},
                                                   {"sku": "mug", "quantity": 1}]},
    ]
    scheduled = report.report_day({"time": "2026-11-26T01:00:00Z"}, BERLIN)[1]

    summary = report.summarise(date(2026, 11, 25), scheduled, orders)

    assert summary["orders"] == 2
    assert summary["revenue"] == "25.00"
    assert summary["average_order"] == "12.50"
    assert summary["top_products"] == [{"sku": "mug", "quantity": 3},
                                       {"sku": "tea", "quantity": 1}]


def test_a_day_without_orders_still_gets_a_report() -> None:
    scheduled = report.report_day({"time": "2026-11-26T01:00:00Z"}, BERLIN)[1]

    summary = report.summarise(date(2026, 11, 25), scheduled, [])

    assert (summary["orders"], summary["revenue"], summary["average_order"]) == (0, "0", "0.00")
