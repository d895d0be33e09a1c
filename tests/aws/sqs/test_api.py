"""The local SQS through real boto3 clients (JSON protocol, as botocore and the aws cli send
it today) and through query-protocol form posts (Action=...&Version=2012-11-05, as SDKs
before SQS's JSON protocol and the aws cli of that time send them)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from samlite.aws.sqs.service import LocalSqs
from samlite.clock import ManualClock, SystemClock
from samlite.http.server import Endpoint
from samlite.testing import wait_for

ACCOUNT = "123456789012"
REGION = "us-east-1"
XMLNS = "{http://queue.amazonaws.com/doc/2012-11-05/}"


@dataclass
class Local:
    sqs: LocalSqs
    endpoint: Endpoint
    client: Any
    clock: ManualClock | SystemClock


def sqs_client(url: str, *, region: str = REGION, key_id: str = "AKIAFAKEFAKEFAKEFAKE") -> Any:
    return boto3.client("sqs", endpoint_url=url, region_name=region,
                        aws_access_key_id=key_id, aws_secret_access_key="fake")  # noqa: S106


def _start(clock: ManualClock | SystemClock) -> Iterator[Local]:
    sqs = LocalSqs(db_path=None, account_id=ACCOUNT, region=REGION, clock=clock)
    endpoint = Endpoint([sqs.route()])
    endpoint.start()
    client = sqs_client(endpoint.url)
    try:
        yield Local(sqs=sqs, endpoint=endpoint, client=client, clock=clock)
    finally:
        endpoint.stop()
        sqs.close()


@pytest.fixture
def local() -> Iterator[Local]:
    yield from _start(SystemClock())


@pytest.fixture
def manual() -> Iterator[Local]:
    yield from _start(ManualClock())


def receive(client: Any, url: str, n: int = 10, **kw: Any) -> list[dict[str, Any]]:
    return client.receive_message(QueueUrl=url, MaxNumberOfMessages=n, **kw).get("Messages",
                                                                                  [])


def test_create_get_url_list_and_attributes(local: Local) -> None:
    c = local.client
    url = c.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "45"},
                         tags={"team": "a"})["QueueUrl"]
    assert url == f"{local.endpoint.url}/{ACCOUNT}/orders"
    assert c.get_queue_url(QueueName="orders")["QueueUrl"] == url
    c.create_queue(QueueName="other")
    assert c.list_queues(QueueNamePrefix="ord")["QueueUrls"] == [url]
    c.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "3"})
    attributes = c.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "45"
    assert attributes["DelaySeconds"] == "3"
    assert attributes["QueueArn"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders"
    assert c.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a"}


def test_account_and_region_are_the_apps_whatever_the_credentials(local: Local) -> None:
    other = sqs_client(local.endpoint.url, region="eu-west-1", key_id="AKIAOTHEROTHEROTHER1")
    url = other.create_queue(QueueName="q")["QueueUrl"]
    arn = local.client.get_queue_attributes(QueueUrl=url,
                                            AttributeNames=["QueueArn"])["Attributes"]
    assert arn["QueueArn"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"


def test_aws_form_queue_url_reaches_the_local_queue(local: Local) -> None:
    c = local.client
    c.create_queue(QueueName="jobs")
    aws_url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/jobs"
    c.send_message(QueueUrl=aws_url, MessageBody="via the template's Ref")
    [m] = receive(c, f"{local.endpoint.url}/{ACCOUNT}/jobs")
    assert m["Body"] == "via the template's Ref"
    assert local.sqs.queue_name_for(aws_url) == "jobs"
    assert local.sqs.queue_name_for(f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs") == "jobs"
    assert local.sqs.queue_name_for("missing") is None


def test_send_receive_delete_with_attributes(local: Local) -> None:
    c = local.client
    url = c.create_queue(QueueName="jobs")["QueueUrl"]
    sent = c.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "greeting"},
        "raw": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}})
    [m] = receive(c, url, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"])
    assert m["MessageId"] == sent["MessageId"]
    assert m["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert m["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert m["MessageAttributes"]["raw"]["BinaryValue"] == b"\x00\xff"
    assert m["Attributes"]["ApproximateReceiveCount"] == "1"
    c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    attributes = c.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    assert attributes == {"ApproximateNumberOfMessages": "0",
                          "ApproximateNumberOfMessagesNotVisible": "0"}


def test_batches_report_each_entry(local: Local) -> None:
    c = local.client
    url = c.create_queue(QueueName="jobs")["QueueUrl"]
    sent = c.send_message_batch(QueueUrl=url, Entries=[
        {"Id": str(i), "MessageBody": f"m{i}"} for i in range(10)])
    assert sorted(e["Id"] for e in sent["Successful"]) == sorted(str(i) for i in range(10))
    messages = receive(c, url)
    assert sorted(m["Body"] for m in messages) == sorted(f"m{i}" for i in range(10))
    entries = [{"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]}
               for i, m in enumerate(messages)]
    entries.append({"Id": "bad", "ReceiptHandle": "not-a-handle"})
    deleted = c.delete_message_batch(QueueUrl=url, Entries=entries)
    assert len(deleted["Successful"]) == 10
    assert [(f["Id"], f["Code"]) for f in deleted["Failed"]] == [("bad",
                                                                   "ReceiptHandleIsInvalid")]


TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def test_aws_trace_header_and_a_fair_queues_group_are_handed_out(local: Local) -> None:
    # SendMessage(Batch): MessageSystemAttributes' AWSTraceHeader is "the only supported
    # message system attribute"; on a standard queue MessageGroupId makes it a fair queue
    # (SQS developer guide, "Amazon SQS fair queues"). ReceiveMessage returns both.
    c = local.client
    url = c.create_queue(QueueName="tenants")["QueueUrl"]
    trace = {"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}}
    c.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="tenant-a",
                   MessageSystemAttributes=trace)
    c.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "two", "MessageBody": "two", "MessageGroupId": "tenant-b",
         "MessageSystemAttributes": trace},
        {"Id": "three", "MessageBody": "three"}])
    got = {m["Body"]: m.get("Attributes", {})
           for m in receive(c, url, MessageSystemAttributeNames=["All"])}
    assert (got["one"]["AWSTraceHeader"], got["one"]["MessageGroupId"]) == (TRACE, "tenant-a")
    assert (got["two"]["AWSTraceHeader"], got["two"]["MessageGroupId"]) == (TRACE, "tenant-b")
    assert "AWSTraceHeader" not in got["three"] and "MessageGroupId" not in got["three"]


def test_errors_are_aws_errors(local: Local) -> None:
    c = local.client
    with pytest.raises(c.exceptions.QueueDoesNotExist):
        c.get_queue_url(QueueName="missing")
    url = c.create_queue(QueueName="jobs")["QueueUrl"]
    with pytest.raises(ClientError) as caught:
        c.delete_message(QueueUrl=url, ReceiptHandle="nonsense")
    assert caught.value.response["Error"]["Code"] == "ReceiptHandleIsInvalid"
    with pytest.raises(ClientError) as caught:
        c.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=901)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_visibility_timeout_and_change_visibility(manual: Local) -> None:
    c = manual.client
    url = c.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    c.send_message(QueueUrl=url, MessageBody="a")
    c.send_message(QueueUrl=url, MessageBody="b")
    first = receive(c, url)
    assert len(first) == 2
    assert receive(c, url) == []
    handles = {m["Body"]: m["ReceiptHandle"] for m in first}
    c.change_message_visibility(QueueUrl=url, ReceiptHandle=handles["a"], VisibilityTimeout=0)
    [again] = receive(c, url)
    assert again["Body"] == "a"
    c.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
    result = c.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "b", "ReceiptHandle": handles["b"], "VisibilityTimeout": 100}])
    assert [e["Id"] for e in result["Successful"]] == ["b"]
    manual.clock.advance(seconds=99)
    assert [m["Body"] for m in receive(c, url)] == []
    manual.clock.advance(seconds=1)
    assert [m["Body"] for m in receive(c, url)] == ["b"]


def test_purge(local: Local) -> None:
    c = local.client
    url = c.create_queue(QueueName="jobs")["QueueUrl"]
    for i in range(3):
        c.send_message(QueueUrl=url, MessageBody=str(i))
    c.purge_queue(QueueUrl=url)
    assert receive(c, url) == []


def test_fifo_order_and_deduplication(local: Local) -> None:
    c = local.client
    url = c.create_queue(QueueName="orders.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    first = c.send_message(QueueUrl=url, MessageBody="o1", MessageGroupId="g")
    duplicate = c.send_message(QueueUrl=url, MessageBody="o1", MessageGroupId="g")
    assert duplicate["MessageId"] == first["MessageId"]
    for body in ("o2", "o3"):
        c.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    c.send_message(QueueUrl=url, MessageBody="x1", MessageGroupId="other",
                   MessageDeduplicationId="explicit")
    got = receive(c, url, 2, MessageSystemAttributeNames=["All"])
    assert [m["Body"] for m in got] == ["o1", "o2"]
    assert got[0]["Attributes"]["MessageGroupId"] == "g"
    assert int(got[1]["Attributes"]["SequenceNumber"]) > int(
        got[0]["Attributes"]["SequenceNumber"])
    # Group g is in flight; only the other group can deliver.
    assert [m["Body"] for m in receive(c, url)] == ["x1"]
    with pytest.raises(ClientError) as caught:
        c.send_message(QueueUrl=url, MessageBody="no group")
    assert caught.value.response["Error"]["Code"] == "MissingParameter"


def test_redrive_to_dead_letter_queue(local: Local) -> None:
    c = local.client
    dlq_url = c.create_queue(QueueName="dead")["QueueUrl"]
    dlq_arn = c.get_queue_attributes(QueueUrl=dlq_url,
                                     AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = c.create_queue(QueueName="jobs", Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})})["QueueUrl"]
    sent = c.send_message(QueueUrl=url, MessageBody="poison")
    for _ in range(2):
        [m] = receive(c, url)
        c.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                    VisibilityTimeout=0)
    assert receive(c, url) == []
    [dead] = receive(c, dlq_url)
    assert dead["MessageId"] == sent["MessageId"]
    assert c.list_dead_letter_source_queues(QueueUrl=dlq_url)["queueUrls"] == [url]


def test_long_poll_wakes_on_send(local: Local) -> None:
    c = local.client
    url = c.create_queue(QueueName="jobs")["QueueUrl"]
    received: list[list[dict[str, Any]]] = []

    def poll() -> None:
        received.append(receive(c, url, WaitTimeSeconds=20))

    thread = threading.Thread(target=poll)
    thread.start()
    wait_for(lambda: local.sqs.backend.store.waiting_receives("jobs") == 1, timeout_s=10,
             interval_s=0.001, message="the long poll to be waiting")
    sender = sqs_client(local.endpoint.url)
    sender.send_message(QueueUrl=url, MessageBody="wake up")
    # Woken, the poll answers with the message; unwoken, it would wait out its 20 s and
    # answer empty, so half of that is a margin no loaded machine reaches. How soon it wakes
    # is benchmarks/sqs_store.py's figure.
    thread.join(10)
    assert not thread.is_alive()
    [messages] = received
    assert [m["Body"] for m in messages] == ["wake up"]


# -- query protocol ---------------------------------------------------------------------------


def post_form(local: Local, path: str = "/", **form: str) -> tuple[int, ET.Element]:
    data = urllib.parse.urlencode({"Version": "2012-11-05", **form}).encode()
    request = urllib.request.Request(  # noqa: S310 (our endpoint's http:// URL)
        local.endpoint.url + path, data=data,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, ET.fromstring(response.read())  # noqa: S314
    except urllib.error.HTTPError as error:
        return error.code, ET.fromstring(error.read())  # noqa: S314


def test_query_protocol_round_trip(local: Local) -> None:
    status, created = post_form(local, Action="CreateQueue", QueueName="jobs", **{
        "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "40"})
    assert status == 200
    url = created.findtext(f".//{XMLNS}QueueUrl")
    assert url == f"{local.endpoint.url}/{ACCOUNT}/jobs"
    _, sent = post_form(local, Action="SendMessage", QueueUrl=url, MessageBody="hi", **{
        "MessageAttribute.1.Name": "k", "MessageAttribute.1.Value.DataType": "String",
        "MessageAttribute.1.Value.StringValue": "v"})
    message_id = sent.findtext(f".//{XMLNS}MessageId")
    # Older SDKs post to the queue URL itself instead of naming it in the form.
    _, got = post_form(local, f"/{ACCOUNT}/jobs", Action="ReceiveMessage",
                       **{"AttributeName.1": "All", "MessageAttributeName.1": "All"})
    assert got.findtext(f".//{XMLNS}MessageId") == message_id
    assert got.findtext(f".//{XMLNS}Body") == "hi"
    handle = got.findtext(f".//{XMLNS}ReceiptHandle")
    assert handle
    status, _ = post_form(local, Action="DeleteMessage", QueueUrl=url, ReceiptHandle=handle)
    assert status == 200
    _, attributes = post_form(local, Action="GetQueueAttributes", QueueUrl=url,
                              **{"AttributeName.1": "All"})
    values = {a.findtext(f"{XMLNS}Name"): a.findtext(f"{XMLNS}Value")
              for a in attributes.iter(f"{XMLNS}Attribute")}
    assert values["VisibilityTimeout"] == "40"
    assert values["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_query_protocol_error(local: Local) -> None:
    status, error = post_form(local, Action="GetQueueUrl", QueueName="missing")
    assert status == 400
    assert error.findtext(f".//{XMLNS}Code") == "AWS.SimpleQueueService.NonExistentQueue"


def test_route_claims_only_sqs(local: Local) -> None:
    from samlite.http.messages import Request

    route = local.sqs.route()
    assert route.handles(Request(method="POST", path="/", headers={
        "x-amz-target": "AmazonSQS.SendMessage"}))
    assert not route.handles(Request(method="POST", path="/", headers={
        "x-amz-target": "DynamoDB_20120810.GetItem"}))
    assert not route.handles(Request(method="PUT", path="/bucket/key", body=b"Action=x"))
    assert route.handles(Request(method="GET", path="/", query={"Action": ("ListQueues",)}))


# -- the in-process facade ----------------------------------------------------------------


def test_ensure_queue_applies_template_attributes(local: Local) -> None:
    sqs, c = local.sqs, local.client
    dlq_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs-dlq.fifo"
    sqs.ensure_queue("jobs-dlq.fifo", {"FifoQueue": "true", "RedriveAllowPolicy": json.dumps(
        {"redrivePermission": "allowAll"})})
    sqs.ensure_queue("jobs.fifo", {
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "60",
        "MessageRetentionPeriod": "3600", "DelaySeconds": "5",
        "ReceiveMessageWaitTimeSeconds": "2",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})})
    url = c.get_queue_url(QueueName="jobs.fifo")["QueueUrl"]
    attributes = c.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert {k: attributes[k] for k in ("FifoQueue", "ContentBasedDeduplication",
                                       "VisibilityTimeout", "MessageRetentionPeriod",
                                       "DelaySeconds", "ReceiveMessageWaitTimeSeconds")} == {
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "60",
        "MessageRetentionPeriod": "3600", "DelaySeconds": "5",
        "ReceiveMessageWaitTimeSeconds": "2"}
    assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn,
                                                       "maxReceiveCount": 3}
    dlq_url = c.get_queue_url(QueueName="jobs-dlq.fifo")["QueueUrl"]
    allow = c.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["RedriveAllowPolicy"])
    assert json.loads(allow["Attributes"]["RedriveAllowPolicy"]) == {
        "redrivePermission": "allowAll"}

    # Started again with a changed template: the queue follows it.
    sqs.ensure_queue("jobs.fifo", {"FifoQueue": "true", "VisibilityTimeout": "10"})
    attributes = c.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "10"
    assert attributes["DelaySeconds"] == "0"
    assert "RedrivePolicy" not in attributes


def test_in_process_send_receive_match_the_wire(local: Local) -> None:
    sqs, c = local.sqs, local.client
    sqs.ensure_queue("jobs", {})
    url = c.get_queue_url(QueueName="jobs")["QueueUrl"]
    message_id = sqs.send("jobs", "from a source", message_attributes={
        "k": {"DataType": "String", "StringValue": "v"}})
    [wire] = receive(c, url, MessageAttributeNames=["All"], VisibilityTimeout=0)
    [local_message] = sqs.receive("jobs", max_messages=1, wait_s=0)
    assert wire["MessageId"] == local_message.message_id == message_id
    assert wire["MD5OfMessageAttributes"] == local_message.md5_of_message_attributes
    assert local_message.attributes["ApproximateReceiveCount"] == "2"
    sqs.change_visibility("jobs", local_message.receipt_handle, 0)
    [again] = sqs.receive("jobs", max_messages=1, wait_s=0)
    sqs.delete("jobs", again.receipt_handle)
    assert sqs.receive("jobs", max_messages=1, wait_s=0) == []


def test_in_process_errors_carry_sqs_codes(local: Local) -> None:
    from samlite.aws.sqs.service import SqsError

    with pytest.raises(SqsError) as caught:
        local.sqs.send("missing", "x")
    assert caught.value.code == "AWS.SimpleQueueService.NonExistentQueue"
    local.sqs.ensure_queue("o.fifo", {"FifoQueue": "true"})
    with pytest.raises(SqsError) as caught:
        local.sqs.send("o.fifo", "no group")
    assert caught.value.code == "MissingParameter"


def test_importing_the_facade_does_not_import_moto() -> None:
    import subprocess
    import sys

    code = ("import sys, samlite.aws.sqs.service; "
            "sys.exit(any(m == 'moto' or m.startswith('moto.') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_ensure_queue_leaves_out_a_redrive_policy_to_a_queue_not_here(local: Local) -> None:
    local.sqs.ensure_queue("jobs", {"RedrivePolicy": json.dumps({
        "deadLetterTargetArn": "arn:aws:sqs:us-east-1:999999999999:elsewhere",
        "maxReceiveCount": 3})})
    url = local.client.get_queue_url(QueueName="jobs")["QueueUrl"]
    attributes = local.client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    assert "RedrivePolicy" not in attributes["Attributes"]


def test_message_move_tasks_are_reported_as_unsupported(local: Local) -> None:
    c = local.client
    c.create_queue(QueueName="dead")
    with pytest.raises(c.exceptions.UnsupportedOperation,
                       match="StartMessageMoveTask locally; redrive from the dashboard"):
        c.start_message_move_task(SourceArn=f"arn:aws:sqs:{REGION}:{ACCOUNT}:dead")



@pytest.mark.parametrize(("action", "params", "missing"), [
    ("SendMessage", {}, "MessageBody"),
    ("DeleteMessage", {}, "ReceiptHandle"),
    ("ChangeMessageVisibility", {"ReceiptHandle": "x"}, "VisibilityTimeout"),
])
def test_a_call_without_a_required_member_is_a_400_naming_it(
        local: Local, action: str, params: dict[str, object], missing: str) -> None:
    """SDKs never send one; a hand-made JSON call (or an HTTP API integration) may."""
    url = local.client.create_queue(QueueName="missing-members")["QueueUrl"]
    body = json.dumps({"QueueUrl": url, **params}).encode()
    request = urllib.request.Request(  # noqa: S310 - the loopback endpoint
        local.endpoint.url + "/", method="POST", data=body,
        headers={"X-Amz-Target": f"AmazonSQS.{action}",
                 "Content-Type": "application/x-amz-json-1.0"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310 - the loopback endpoint
    assert refused.value.code == 400
    assert f"The request must contain the parameter {missing}." in refused.value.read().decode()
