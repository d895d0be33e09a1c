"""What real SQS refuses, the local SQS refuses too, with SQS's code: through boto3 (JSON
protocol) and through query-protocol form posts (XML answers). Each case cites the SQS API
Reference page or Developer Guide page the rule comes from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from samlite.clock import SystemClock
from tests.aws.sqs.test_api import XMLNS, Local, _start, post_form


@pytest.fixture
def local() -> Iterator[Local]:
    yield from _start(SystemClock())


def _attr(value: str, data_type: str = "String") -> dict[str, str]:
    return {"DataType": data_type, "StringValue": value}


def _error(call: Any, **kwargs: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"],
            response["Error"]["Message"])


# (case, SendMessage arguments beyond QueueUrl, error code, a phrase of SQS's message)
REFUSED_SENDS = [
    # "SendMessage": the minimum size is one character (localstack#12317 quotes SQS's answer).
    ("empty body", {"MessageBody": ""}, "MissingParameter",
     "The request must contain the parameter MessageBody."),
    # "MessageAttributeValue": name, type, value and body must not be empty (elasticmq#373).
    ("empty string attribute", {"MessageBody": "x", "MessageAttributes": {"src": _attr("")}},
     "InvalidParameterValue",
     "Message (user) attribute 'src' must contain a non-empty value of type 'String'."),
    ("empty number attribute",
     {"MessageBody": "x", "MessageAttributes": {"n": _attr("", "Number")}},
     "InvalidParameterValue", "must contain a non-empty value of type 'Number'."),
    ("empty binary attribute",
     {"MessageBody": "x",
      "MessageAttributes": {"b": {"DataType": "Binary", "BinaryValue": b""}}},
     "InvalidParameterValue", "must contain a non-empty value of type 'Binary'."),
    # "SendMessage": characters outside the allowed set are refused with InvalidMessageContents.
    ("control character in body", {"MessageBody": "a\x01b"}, "InvalidMessageContents", "#x1"),
    ("control character in attribute",
     {"MessageBody": "x", "MessageAttributes": {"k": _attr("a\x08")}},
     "InvalidMessageContents", "#x8"),
    # "Amazon SQS message quotas": up to 10 message attributes.
    ("eleven attributes",
     {"MessageBody": "x", "MessageAttributes": {f"a{i}": _attr("v") for i in range(11)}},
     "InvalidParameterValue", "Number of message attributes [11] exceeds the allowed maximum"),
    # "Amazon SQS message attributes": the rules for a name.
    ("reserved AWS. prefix", {"MessageBody": "x", "MessageAttributes": {"AWS.x": _attr("v")}},
     "InvalidParameterValue", "'AWS.x' is invalid"),
    ("reserved amazon. prefix, any case",
     {"MessageBody": "x", "MessageAttributes": {"aMaZoN.x": _attr("v")}},
     "InvalidParameterValue", "is invalid"),
    ("two periods in a row", {"MessageBody": "x", "MessageAttributes": {"a..b": _attr("v")}},
     "InvalidParameterValue", "'a..b' is invalid"),
    ("trailing period", {"MessageBody": "x", "MessageAttributes": {"a.": _attr("v")}},
     "InvalidParameterValue", "'a.' is invalid"),
    ("name of 257 characters",
     {"MessageBody": "x", "MessageAttributes": {"a" * 257: _attr("v")}},
     "InvalidParameterValue", "is invalid"),
    ("unknown type", {"MessageBody": "x", "MessageAttributes": {"k": _attr("v", "Date")}},
     "InvalidParameterValue", "The message attribute 'k' has an invalid message attribute "
     "type, the set of supported type prefixes is Binary, Number, and String."),
    # "SendMessage": the maximum size is 1 MiB (1,048,576 bytes), counted in bytes, and
    # "MessageAttributeValue": attributes count toward it.
    ("body of 1 MiB in two-byte characters", {"MessageBody": "é" * 524_289},
     "InvalidParameterValue", "Message must be shorter than 1048576 bytes."),
    ("body of 1 MiB plus an attribute",
     {"MessageBody": "x" * 1_048_576, "MessageAttributes": {"k": _attr("v")}},
     "InvalidParameterValue", "Message must be shorter than 1048576 bytes."),
    # "SendMessage": DelaySeconds 0 to 900.
    ("delay of 901 s", {"MessageBody": "x", "DelaySeconds": 901}, "InvalidParameterValue",
     "DelaySeconds must be >= 0 and <= 900."),
]


@pytest.mark.parametrize(("arguments", "code", "phrase"),
                         [case[1:] for case in REFUSED_SENDS],
                         ids=[case[0] for case in REFUSED_SENDS])
def test_send_message_refuses_what_sqs_refuses(local: Local, arguments: dict[str, Any],
                                               code: str, phrase: str) -> None:
    url = local.client.create_queue(QueueName="jobs")["QueueUrl"]
    status, got_code, message = _error(local.client.send_message, QueueUrl=url, **arguments)
    assert (status, got_code) == (400, code)
    assert phrase in message
    assert local.client.receive_message(QueueUrl=url).get("Messages", []) == []


def test_the_limits_themselves_are_accepted(local: Local) -> None:
    url = local.client.create_queue(QueueName="jobs")["QueueUrl"]
    body = "x" * (1_048_576 - len("k") - len("String") - len("v"))
    local.client.send_message(QueueUrl=url, MessageBody=body,
                              MessageAttributes={"k": _attr("v")})
    local.client.send_message(QueueUrl=url, MessageBody="\t\n\r \ud7ff\ue000\U0010ffff",
                              MessageAttributes={f"a.b-{i}_c": _attr("v") for i in range(10)})
    assert len(local.client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
               ["Messages"]) == 2


def test_a_queue_maximum_message_size_is_its_limit(local: Local) -> None:
    url = local.client.create_queue(QueueName="small",
                                    Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    status, code, message = _error(local.client.send_message, QueueUrl=url,
                                   MessageBody="x" * 1025)
    assert (status, code) == (400, "InvalidParameterValue")
    assert "shorter than 1024 bytes" in message


def test_batch_entries_fail_one_by_one_with_their_own_error(local: Local) -> None:
    # "SendMessageBatch": the result of sending each message is reported individually.
    url = local.client.create_queue(QueueName="jobs")["QueueUrl"]
    answer = local.client.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "empty", "MessageBody": ""},
        {"Id": "fine", "MessageBody": "ok"},
        {"Id": "blank", "MessageBody": "x", "MessageAttributes": {"src": _attr("")}},
        {"Id": "late", "MessageBody": "x", "DelaySeconds": 1000},
    ])
    assert [s["Id"] for s in answer["Successful"]] == ["fine"]
    failed = {f["Id"]: (f["Code"], f["Message"], f["SenderFault"]) for f in answer["Failed"]}
    assert failed["empty"] == ("MissingParameter",
                               "The request must contain the parameter MessageBody.", True)
    assert failed["blank"][0] == "InvalidParameterValue"
    assert "'src' must contain a non-empty value" in failed["blank"][1]
    assert failed["late"][0] == "InvalidParameterValue"
    assert "Value 1000 for parameter DelaySeconds" in failed["late"][1]
    bodies = [m["Body"] for m in local.client.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
    assert bodies == ["ok"]


def test_batch_ids_are_checked_when_every_entry_fails(local: Local) -> None:
    url = local.client.create_queue(QueueName="jobs")["QueueUrl"]
    _, code, _ = _error(local.client.send_message_batch, QueueUrl=url, Entries=[
        {"Id": "a", "MessageBody": ""}, {"Id": "a", "MessageBody": ""}])
    assert code == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"


RECEIVE_RANGES = [
    # "ReceiveMessage": MaxNumberOfMessages 1 to 10, WaitTimeSeconds 0 to 20,
    # VisibilityTimeout 0 to 43,200 (12 hours).
    ({"MaxNumberOfMessages": 0}, "Value 0 for parameter MaxNumberOfMessages is invalid."),
    ({"MaxNumberOfMessages": 11}, "Value 11 for parameter MaxNumberOfMessages is invalid."),
    ({"WaitTimeSeconds": 21}, "Value 21 for parameter WaitTimeSeconds is invalid."),
    ({"WaitTimeSeconds": -1}, "Value -1 for parameter WaitTimeSeconds is invalid."),
    ({"VisibilityTimeout": -1}, "Value -1 for parameter VisibilityTimeout is invalid."),
    ({"VisibilityTimeout": 43201}, "Value 43201 for parameter VisibilityTimeout is invalid."),
]


@pytest.mark.parametrize(("arguments", "message"), RECEIVE_RANGES)
def test_receive_message_ranges(local: Local, arguments: dict[str, int], message: str) -> None:
    url = local.client.create_queue(QueueName="jobs")["QueueUrl"]
    status, code, got = _error(local.client.receive_message, QueueUrl=url, **arguments)
    assert (status, code) == (400, "InvalidParameterValue")
    assert got.startswith(message)


@pytest.mark.parametrize("timeout", [-1, 43201])
def test_change_message_visibility_range(local: Local, timeout: int) -> None:
    # "ChangeMessageVisibility": VisibilityTimeout 0 to 43,200 seconds.
    url = local.client.create_queue(QueueName="jobs")["QueueUrl"]
    local.client.send_message(QueueUrl=url, MessageBody="x")
    handle = local.client.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    status, code, _ = _error(local.client.change_message_visibility, QueueUrl=url,
                             ReceiptHandle=handle, VisibilityTimeout=timeout)
    assert (status, code) == (400, "InvalidParameterValue")


def test_fifo_needs_a_group_and_a_deduplication_id(local: Local) -> None:
    # "SendMessage": MessageGroupId is required for FIFO queues; without content-based
    # deduplication a MessageDeduplicationId must be given.
    url = local.client.create_queue(QueueName="jobs.fifo",
                                    Attributes={"FifoQueue": "true"})["QueueUrl"]
    assert _error(local.client.send_message, QueueUrl=url, MessageBody="x")[1] == \
        "MissingParameter"
    assert _error(local.client.send_message, QueueUrl=url, MessageBody="x",
                  MessageGroupId="g")[1] == "InvalidParameterValue"


def test_query_protocol_refuses_the_same(local: Local) -> None:
    _, created = post_form(local, Action="CreateQueue", QueueName="jobs")
    url = created.findtext(f".//{XMLNS}QueueUrl")
    assert url
    status, error = post_form(local, Action="SendMessage", QueueUrl=url, MessageBody="")
    assert status == 400
    assert error.findtext(f".//{XMLNS}Code") == "MissingParameter"
    status, error = post_form(local, Action="SendMessage", QueueUrl=url, MessageBody="x", **{
        "MessageAttribute.1.Name": "src", "MessageAttribute.1.Value.DataType": "String",
        "MessageAttribute.1.Value.StringValue": ""})
    assert status == 400
    assert error.findtext(f".//{XMLNS}Code") == "InvalidParameterValue"
    assert "'src' must contain a non-empty value" in (error.findtext(f".//{XMLNS}Message")
                                                       or "")
    status, error = post_form(local, Action="ReceiveMessage", QueueUrl=url,
                              MaxNumberOfMessages="11")
    assert status == 400
    assert error.findtext(f".//{XMLNS}Code") == "InvalidParameterValue"
    status, answer = post_form(local, Action="SendMessageBatch", QueueUrl=url, **{
        "SendMessageBatchRequestEntry.1.Id": "empty",
        "SendMessageBatchRequestEntry.1.MessageBody": "",
        "SendMessageBatchRequestEntry.2.Id": "fine",
        "SendMessageBatchRequestEntry.2.MessageBody": "ok"})
    assert status == 200
    failed = answer.find(f".//{XMLNS}BatchResultErrorEntry")
    assert failed is not None
    assert failed.findtext(f"{XMLNS}Id") == "empty"
    assert failed.findtext(f"{XMLNS}Code") == "MissingParameter"
    assert failed.findtext(f"{XMLNS}SenderFault") == "true"


def test_a_batch_over_1_mib_in_bytes_is_refused_whole(local: Local) -> None:
    # "SendMessageBatch": the total payload of the batched messages is at most 1 MiB.
    url = local.client.create_queue(QueueName="jobs")["QueueUrl"]
    half = "é" * 262_144   # 512 KiB in UTF-8, half that in characters
    _, code, _ = _error(local.client.send_message_batch, QueueUrl=url, Entries=[
        {"Id": "a", "MessageBody": half}, {"Id": "b", "MessageBody": half},
        {"Id": "c", "MessageBody": "x"}])
    assert code == "AWS.SimpleQueueService.BatchRequestTooLong"
    assert local.client.receive_message(QueueUrl=url).get("Messages", []) == []


def test_batch_limits_moto_keeps(local: Local) -> None:
    # "SendMessageBatch": 1 to 10 entries, each Id alphanumeric, - or _, at most 80.
    url = local.client.create_queue(QueueName="jobs")["QueueUrl"]
    eleven = [{"Id": f"m{i}", "MessageBody": "x"} for i in range(11)]
    assert _error(local.client.send_message_batch, QueueUrl=url, Entries=eleven)[1] == \
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
    assert _error(local.client.send_message_batch, QueueUrl=url, Entries=[])[1] == \
        "AWS.SimpleQueueService.EmptyBatchRequest"
    assert _error(local.client.send_message_batch, QueueUrl=url,
                  Entries=[{"Id": "a" * 81, "MessageBody": "x"}])[1] == \
        "AWS.SimpleQueueService.InvalidBatchEntryId"


def test_change_visibility_batch_entry_out_of_range_fails_alone(local: Local) -> None:
    url = local.client.create_queue(QueueName="jobs")["QueueUrl"]
    for body in ("a", "b"):
        local.client.send_message(QueueUrl=url, MessageBody=body)
    handles = [m["ReceiptHandle"] for m in local.client.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    answer = local.client.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "bad", "ReceiptHandle": handles[0], "VisibilityTimeout": 43201},
        {"Id": "good", "ReceiptHandle": handles[1], "VisibilityTimeout": 60}])
    assert [s["Id"] for s in answer["Successful"]] == ["good"]
    assert [(f["Id"], f["Code"]) for f in answer["Failed"]] == \
        [("bad", "InvalidParameterValue")]
