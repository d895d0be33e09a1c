"""orders-service unit tests: the handlers' pure parts, without samlite or AWS."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import orders_api
import orders_worker


@pytest.mark.parametrize(("order", "problems"), [
    pytest.param({"customer": "ada", "items": [{"sku": "MUG", "quantity": 1}]}, [],
                 id="valid"),
    pytest.param([], ["the body must be a JSON object"], id="not an object"),
    pytest.param({"customer": "ada", "items": []}, ["items must be a non-empty list"],
                 id="no items"),
    pytest.param({"customer": "ada", "items": [{"sku": "MUG", "quantity": True}]},
                 ["items[0].quantity must be a whole number from 1 to 100"],
                 id="quantity is a bool"),
    pytest.param({"customer": "ada", "items": [{"sku": "MUG", "quantity": 101}]},
                 ["items[0].quantity must be a whole number from 1 to 100"],
                 id="too many of one"),
])
def test_validate_order(order, problems):
    assert orders_api.validate_order(order) == problems


def test_a_form_encoded_body_is_read_as_text():
    event = {"body": "eyJhIjogMX0=", "isBase64Encoded": True}   # {"a": 1}
    assert orders_api.request_body(event) == '{"a": 1}'


def test_price_totals_the_lines():
    order = orders_worker.price({"orderId": "x", "items": [{"sku": "MUG", "quantity": 3}]})
    assert order["status"] == "CONFIRMED"
    assert order["totalCents"] == 2700


def test_price_refuses_an_unknown_sku():
    with pytest.raises(orders_worker.UnknownSku, match="UNICORN"):
        orders_worker.price({"items": [{"sku": "UNICORN", "quantity": 1}]})
