"""POST /quotes, behind a REST `type: aws` (Lambda non-proxy) integration: the event is what
the request template made of the request, not API Gateway's proxy event, and the return
value goes back through a response template. Raising is how it says "bad input": API Gateway
matches the error message against the integration's selectionPatterns."""

import json
from decimal import Decimal

PRICES = {"ACME": Decimal("12.50"), "INITECH": Decimal("3.99")}   # per share
CURRENCIES = ("USD", "EUR")


def quote(event, context):
    """{"symbol", "quantity", "currency", "requestId"} -> the priced quote."""
    print("quote event", json.dumps(event, sort_keys=True))
    symbol = str(event.get("symbol", "")).upper()
    if symbol not in PRICES:
        raise ValueError(f"Invalid quote: unknown symbol {symbol or '(none)'}")
    quantity = str(event.get("quantity", ""))
    if not quantity.isdigit() or not 1 <= int(quantity) <= 1000:
        raise ValueError("Invalid quote: quantity must be a whole number from 1 to 1000")
    currency = event.get("currency", "")
    if currency not in CURRENCIES:
        raise ValueError(f"Invalid quote: currency must be one of {', '.join(CURRENCIES)}")
    return {"symbol": symbol, "quantity": int(quantity), "currency": currency,
            "total": str(PRICES[symbol] * int(quantity)), "requestId": event["requestId"]}
