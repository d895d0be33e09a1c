"""The report itself: which day to report on and the totals of its orders. Pure Python with
no AWS calls, so it is unit-tested without anything running."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo


def report_day(event: dict, zone: ZoneInfo) -> tuple[date, datetime]:
    """The business day to report on, and when the run was scheduled (in `zone`).

    A manual run may name the day ({"date": "2026-11-20"}); a scheduled run reports on the
    day before its scheduled time, read on the wall clock of `zone`."""
    if "date" in event:
        day = date.fromisoformat(event["date"])
        return day, datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
    # Scheduler's default event: "time" is the scheduled time in UTC, e.g. 2026-11-26T01:00:00Z
    scheduled = datetime.fromisoformat(event["time"].replace("Z", "+00:00")).astimezone(zone)
    return scheduled.date() - timedelta(days=1), scheduled


def summarise(day: date, scheduled: datetime, orders: list[dict]) -> dict:
    """Totals for one day's orders (amounts are decimal strings, as money should be)."""
    revenue = sum((Decimal(str(order["amount"])) for order in orders), Decimal("0"))
    products: Counter[str] = Counter()
    for order in orders:
        for item in order.get("items", []):
            products[item["sku"]] += int(item.get("quantity", 1))
    ranked = sorted(products.items(), key=lambda item: (-item[1], item[0]))
    return {
        "date": day.isoformat(),
        "scheduled_for": scheduled.isoformat(),
        "orders": len(orders),
        "revenue": str(revenue),
        "average_order": str((revenue / len(orders)).quantize(Decimal("0.01")))
        if orders else "0.00",
        "top_products": [{"sku": sku, "quantity": n} for sku, n in ranked[:5]],
    }
