"""orders-service end to end: the app runs in-process from ../template.yaml (the samlite
pytest plugin finds it), with real HTTP requests, the real worker and boto3 against the
local endpoint. Each test gets fresh buckets and queues."""

import json

import pytest

# With the template's production values a poison order takes minutes to reach the DLQ
# (3 tries, 60 s apart); these keep it to seconds. Without a batching window the visibility
# timeout still leaves room for a cold start, so a good order is not received twice.
pytestmark = pytest.mark.samlite(parameter_overrides={
    "WorkerTimeout": "2", "QueueVisibilityTimeout": "2", "BatchingWindow": "0",
    "MaxReceiveCount": "2"})

COFFEE_ORDER = {"customer": "ada", "items": [{"sku": "COFFEE-250G", "quantity": 2},
                                             {"sku": "MUG", "quantity": 1}]}


def post_order(app, order):
    reply = app.request("POST", "/orders", body=json.dumps(order),
                        headers={"Content-Type": "application/json"})
    assert reply.status == 202, reply.text
    return reply.json()["orderId"]


def confirmed(app, order_id):
    """The order once the worker has confirmed it (None until then)."""
    order = app.get(f"/orders/{order_id}").json()
    return order if order["status"] == "CONFIRMED" else None


def test_an_order_is_accepted_and_then_confirmed_by_the_worker(samlite_app):
    reply = samlite_app.request("POST", "/orders", body=json.dumps(COFFEE_ORDER))
    assert reply.status == 202
    order_id = reply.json()["orderId"]
    assert reply.headers["location"] == f"/orders/{order_id}"

    # Accepted orders can be read at once; the worker confirms them a moment later.
    assert samlite_app.get(f"/orders/{order_id}").status == 200
    order = samlite_app.wait_for(lambda: confirmed(samlite_app, order_id), timeout_s=10)
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
    assert samlite_app.request("POST", "/orders", body="not json").status == 400


def test_an_unknown_order_is_not_found(samlite_app):
    assert samlite_app.get("/orders/" + "0" * 32).status == 404
    assert samlite_app.get("/orders/..%2Fsecrets").status == 404


def test_a_poison_order_ends_in_the_dlq_and_the_good_orders_are_confirmed(samlite_app):
    good = [post_order(samlite_app, COFFEE_ORDER) for _ in range(2)]
    poison = post_order(samlite_app, {"customer": "bob", "items": [{"sku": "UNICORN",
                                                                    "quantity": 1}]})
    for order_id in good:
        samlite_app.wait_for(lambda order_id=order_id: confirmed(samlite_app, order_id))

    dlq = samlite_app.queue_url("OrdersDLQ")

    def dead_letters():
        reply = samlite_app.sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10,
                                                WaitTimeSeconds=1)
        return reply.get("Messages")

    # Only the poison order is dead-lettered: the worker reported it alone as failed.
    [dead] = samlite_app.wait_for(dead_letters, timeout_s=15)
    assert json.loads(dead["Body"])["orderId"] == poison
    assert samlite_app.get(f"/orders/{poison}").json()["status"] == "PENDING"
    # It was tried MaxReceiveCount (2) times before SQS moved it.
    assert "\n".join(samlite_app.logs("WorkerFunction")).count("UnknownSku") == 2


def test_the_worker_reports_each_failed_message_on_its_own(samlite_app):
    """Invoke the worker directly with an SQS event, as `samlite invoke` would."""
    def record(message_id, body):
        return {"messageId": message_id, "receiptHandle": "h", "body": body,
                "eventSource": "aws:sqs", "attributes": {}, "messageAttributes": {}}

    order = json.dumps({"orderId": "1" * 32, "status": "PENDING", **COFFEE_ORDER})
    event = {"Records": [record("ok-1", order), record("bad-1", "not an order")]}
    result = samlite_app.invoke("WorkerFunction", event)
    assert result.function_error is None
    assert result.payload == {"batchItemFailures": [{"itemIdentifier": "bad-1"}]}
    bucket = samlite_app.bucket_name("OrdersBucket")
    stored = samlite_app.s3.get_object(Bucket=bucket, Key=f"orders/{'1' * 32}.json")
    assert json.loads(stored["Body"].read())["status"] == "CONFIRMED"
