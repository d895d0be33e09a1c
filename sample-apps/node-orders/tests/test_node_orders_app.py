"""node-orders end to end through the samlite pytest plugin: both functions run in Node.js
processes (samlite's runtime client, the AWS SDK v3 Lambda includes), with real HTTP
requests, the real SQS poller and the local DynamoDB. Each test gets a fresh table and
queues."""

import json

import pytest

# A poison order reaches the DLQ in seconds instead of minutes (3 tries, 60 s apart).
pytestmark = pytest.mark.samlite(parameter_overrides={
    "WorkerTimeout": "2", "QueueVisibilityTimeout": "2", "MaxReceiveCount": "2"})

COFFEE_ORDER = {"customer": "ada", "items": [{"sku": "COFFEE-250G", "quantity": 2},
                                             {"sku": "MUG", "quantity": 1}]}


def post_order(app, order):
    reply = app.request("POST", "/orders", body=json.dumps(order),
                        headers={"Content-Type": "application/json"})
    assert reply.status == 202, reply.text
    return reply.json()["orderId"]


def confirmed(app, order_id):
    order = app.get(f"/orders/{order_id}").json()
    return order if order["status"] == "CONFIRMED" else None


def test_an_order_is_accepted_then_priced_by_the_worker(samlite_app):
    order_id = post_order(samlite_app, COFFEE_ORDER)
    assert samlite_app.get(f"/orders/{order_id}").json()["status"] in ("PENDING", "CONFIRMED")
    order = samlite_app.wait_for(lambda: confirmed(samlite_app, order_id), timeout_s=15)
    assert order["customer"] == "ada"
    assert order["totalCents"] == 2 * 1250 + 900
    assert [line["lineCents"] for line in order["items"]] == [2500, 900]


def test_an_invalid_order_is_refused_with_every_problem(samlite_app):
    bad = {"customer": "", "items": [{"sku": "MUG", "quantity": 0}, {"quantity": 1}]}
    reply = samlite_app.request("POST", "/orders", body=json.dumps(bad))
    assert reply.status == 400
    assert reply.json()["problems"] == [
        "customer must be a non-empty string",
        "items[0].quantity must be a whole number from 1 to 100",
        "items[1].sku must be a string",
    ]
    assert samlite_app.get("/orders/" + "0" * 32).status == 404


def test_an_order_the_worker_cannot_price_ends_in_the_dead_letter_queue(samlite_app):
    order_id = post_order(samlite_app, {"customer": "bob", "items": [{"sku": "TEAPOT",
                                                                      "quantity": 1}]})
    dlq = samlite_app.queue_url("OrdersDLQ")

    def dead_letters():
        return samlite_app.sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages")

    [message] = samlite_app.wait_for(dead_letters, timeout_s=30)
    assert json.loads(message["Body"]) == {"id": order_id}
    assert samlite_app.get(f"/orders/{order_id}").json()["status"] == "PENDING"


def test_the_worker_alone_reports_a_failed_record(samlite_app):
    event = {"Records": [{"messageId": "m-1", "body": json.dumps({"id": "missing"})}]}
    result = samlite_app.invoke("WorkerFunction", event)
    assert result.function_error is None
    assert result.payload == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
