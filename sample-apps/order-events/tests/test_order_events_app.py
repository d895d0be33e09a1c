"""order-events end to end: the app runs in-process from ../template.yaml (the samlite
pytest plugin finds it), each test with its own tables, topic, queues and bus. Every hop
writes what it did to the activity table, so the tests read each hop's effect there (or
through GET /orders/{id}) with boto3 and a real HTTP client."""

import json
import socket

import pytest


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


# The extension's port is the template's ExtensionPort parameter (2773 by default, as on AWS):
# each test module run takes a free one, so no test depends on a fixed port.
pytestmark = pytest.mark.samlite(parameter_overrides={"ExtensionPort": _free_port()})

HIGH = 120      # at least the template's HighValueThreshold (100): priority "high"
NORMAL = 20


def place(app, customer, total):
    reply = app.request("POST", "/orders", body=json.dumps({"customer": customer, "total": total}),
                        headers={"content-type": "application/json"})
    assert reply.status == 201, reply.text
    return reply.json()["orderId"]


def activity(app, order_id):
    """hop name -> the item that hop wrote for the order, as the boto3 client returns it."""
    items = app.dynamodb.query(
        TableName=app.table_name("ActivityTable"),
        KeyConditionExpression="orderId = :id",
        ExpressionAttributeValues={":id": {"S": order_id}}, ConsistentRead=True)["Items"]
    return {item["hop"]["S"]: item for item in items}


def hops(app, order_id, *wanted):
    """The order's activity once every `wanted` hop is in it (None until then)."""
    found = activity(app, order_id)
    return found if set(wanted) <= set(found) else None


def test_a_placed_order_is_announced_to_both_subscribers(samlite_app):
    order_id = place(samlite_app, "ada", HIGH)

    done = samlite_app.wait_for(
        lambda: hops(samlite_app, order_id, "announced", "high-value", "fulfilment"))
    assert done["announced"]["priority"] == {"S": "high"}
    assert done["announced"]["announcements"] == {"N": "1"}
    # The SNS record reached the function: its subject and message attribute; the signature
    # made with the {{resolve:secretsmanager:...}} value checks out against the key the
    # subscriber read through the Parameters and Secrets extension on localhost:2773.
    assert done["high-value"]["subject"] == {"S": "order placed"}
    assert done["high-value"]["priority"] == {"S": "high"}
    assert done["high-value"]["verified"] == {"BOOL": True}
    # Raw delivery: the queue's body was the announcement itself and the attribute an SQS
    # message attribute (the envelope would have failed the consumer's parsing).
    assert done["fulfilment"]["customer"] == {"S": "ada"}
    assert done["fulfilment"]["priority"] == {"S": "high"}

    reply = samlite_app.get(f"/orders/{order_id}")
    assert reply.status == 200
    body = reply.json()
    assert body["order"] == {"orderId": order_id, "customer": "ada", "total": HIGH,
                             "status": "PLACED", "placedAt": body["order"]["placedAt"]}
    assert {"announced", "high-value", "fulfilment"} <= set(body["activity"])


def test_a_normal_order_does_not_pass_the_high_value_filter_policy(samlite_app):
    normal = place(samlite_app, "bo", NORMAL)
    high = place(samlite_app, "cy", HIGH)

    # The announcer publishes `normal` first (one shard, in order), and SNS applies the
    # filter policy when it publishes: once `high` is in, `normal` was already decided.
    samlite_app.wait_for(lambda: hops(samlite_app, high, "high-value"))
    done = samlite_app.wait_for(lambda: hops(samlite_app, normal, "announced", "fulfilment"))
    assert done["announced"]["priority"] == {"S": "normal"}
    assert done["fulfilment"]["priority"] == {"S": "normal"}   # the queue has no filter
    assert "high-value" not in done


def test_paying_an_order_sends_a_transformed_event_to_the_receipt_function(samlite_app):
    order_id = place(samlite_app, "ada", HIGH)

    reply = samlite_app.request("POST", f"/orders/{order_id}/pay")
    assert (reply.status, reply.json()) == (200, {"orderId": order_id, "status": "PAID"})

    # (The fan-out's hops too: the app stops sooner with nothing in flight.)
    done = samlite_app.wait_for(
        lambda: hops(samlite_app, order_id, "receipt", "high-value", "fulfilment"))
    receipt = done["receipt"]
    # The rule's InputTransformer: <orderId> inside a JSON string is text, <total> outside
    # one is the number, <paidAt> the event's `time`.
    assert receipt["line"] == {"S": f"Order {order_id} paid: {HIGH}"}
    assert receipt["amount"] == {"S": str(HIGH)}
    assert receipt["paidAt"]["S"].endswith("Z")
    # The dashboard's trigger names the rule and its bus: the transformed event does not.
    [run] = samlite_app.wait_for(lambda: samlite_app.invocations("ReceiptFunction"))
    assert run.trigger == "eventbridge rule ReceiptFunctionOrderPaid on order-events"

    again = samlite_app.request("POST", f"/orders/{order_id}/pay")
    assert again.status == 409
    assert again.json() == {"error": f"order {order_id} is not waiting for payment"}
    assert samlite_app.request("POST", "/orders/no-such-order/pay").status == 404


def test_an_update_is_not_announced_because_of_the_filter_criteria(samlite_app):
    first = place(samlite_app, "ada", HIGH)
    samlite_app.wait_for(lambda: hops(samlite_app, first, "announced"))
    assert samlite_app.request("POST", f"/orders/{first}/pay").status == 200   # a MODIFY
    second = place(samlite_app, "bo", NORMAL)

    # The stream is read in order: once the second order's INSERT is announced, the
    # first order's MODIFY before it was read too, and the filter let it by.
    samlite_app.wait_for(lambda: hops(samlite_app, second, "announced", "fulfilment"))
    samlite_app.wait_for(lambda: hops(samlite_app, first, "high-value", "fulfilment"))
    assert activity(samlite_app, first)["announced"]["announcements"] == {"N": "1"}
    # Two invocations, one per INSERT: a batch the filter empties invokes nothing.
    starts = [line for line in samlite_app.logs("AnnouncerFunction")
              if line.startswith("START RequestId")]
    assert len(starts) == 2


def test_a_record_that_cannot_be_announced_goes_to_the_on_failure_queue(samlite_app):
    table = samlite_app.table_name("OrdersTable")
    # Written by hand, without the customer and total the announcer needs.
    samlite_app.dynamodb.put_item(TableName=table, Item={"orderId": {"S": "hand-written"}})
    failures = samlite_app.queue_url("AnnouncerFailuresQueue")

    def received():
        return samlite_app.sqs.receive_message(QueueUrl=failures,
                                               WaitTimeSeconds=1).get("Messages")

    [message] = samlite_app.wait_for(received)
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3   # 1 + MaximumRetryAttempts
    batch = record["DDBStreamBatchInfo"]
    assert batch["batchSize"] == 1
    assert batch["streamArn"] == samlite_app.dynamodb.describe_table(
        TableName=table)["Table"]["LatestStreamArn"]
    # The function's log says where the batch went, not only that it was given up.
    queue = failures.rsplit("/", 1)[-1]
    assert (f"samlite: 1 stream record(s) of {table} given up (RetryAttemptsExhausted); the "
            f"on-failure record went to the OnFailure queue {queue}"
            ) in samlite_app.logs("AnnouncerFunction")

    # The shard moved on: the next order is announced.
    order_id = place(samlite_app, "ada", NORMAL)
    samlite_app.wait_for(lambda: hops(samlite_app, order_id, "announced", "fulfilment"))


def test_orders_and_the_stream_position_survive_a_restart(samlite_app_factory, tmp_path):
    state = tmp_path / "kept-state"
    first = samlite_app_factory(state_dir=state)
    before = place(first, "ada", HIGH)
    first.wait_for(lambda: hops(first, before, "announced", "high-value", "fulfilment"))
    first.app.stop(grace_s=0.5)

    second = samlite_app_factory(state_dir=state)
    reply = second.get(f"/orders/{before}")
    assert reply.status == 200
    assert reply.json()["order"]["customer"] == "ada"
    assert {"announced", "high-value", "fulfilment"} <= set(reply.json()["activity"])

    # The stream resumes after what the first run read: a new order is announced, the old
    # one is not announced again.
    after = place(second, "bo", NORMAL)
    second.wait_for(lambda: hops(second, after, "announced", "fulfilment"))
    assert activity(second, before)["announced"]["announcements"] == {"N": "1"}


@pytest.mark.parametrize(("body", "error"), [
    ("not json", "the body must be a JSON object"),
    ('{"total": 10}', "customer must be a non-empty string"),
    ('{"customer": "ada", "total": -1}', "total must be a positive number"),
    ('{"customer": "ada", "total": "ten"}', "total must be a positive number"),
])
def test_a_bad_order_is_refused(samlite_app, body, error):
    # No content type, as curl -d sends it: the HTTP API hands the body over base64-encoded.
    reply = samlite_app.request("POST", "/orders", body=body)
    assert (reply.status, reply.json()) == (400, {"error": error})
    assert samlite_app.dynamodb.scan(TableName=samlite_app.table_name("OrdersTable"))["Count"] == 0


@pytest.mark.samlite(parameter_overrides={"FulfilmentTimeout": "2",
                                          "FulfilmentVisibilityTimeout": "2"})
def test_an_announcement_fulfilment_cannot_read_ends_in_its_dlq(samlite_app):
    # Published by hand: no orderId and no priority attribute.
    samlite_app.sns.publish(TopicArn=samlite_app.topic_arn("OrderPlacedTopic"),
                            Message=json.dumps({"note": "not an order"}))
    dlq = samlite_app.queue_url("FulfilmentDLQ")

    def dead_letters():
        return samlite_app.sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages")

    [message] = samlite_app.wait_for(dead_letters, timeout_s=20)
    assert json.loads(message["Body"]) == {"note": "not an order"}   # raw: no envelope
    tries = [line for line in samlite_app.logs("FulfilmentFunction")
             if line.startswith("START RequestId")]
    assert len(tries) == 3   # the queue's maxReceiveCount
    # Without a priority attribute the filter policy kept it from the high-value function.
    assert samlite_app.logs("HighValueFunction") == []
