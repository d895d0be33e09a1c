"""The records samlite's stream makes, handed to Lambda, against AWS's sample event
(tests/fixtures/events/dynamodb-sam-cli-update.json), and the on-failure record against the
Lambda developer guide's example."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from samlite.aws.dynamodb.model import Change, stream_record
from samlite.sources.dynamodb.events import on_failure_record, stream_event

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "events"
ARN = ("arn:aws:dynamodb:us-east-1:123456789012:table/ExampleTableWithStream/stream/"
       "2015-06-27T00:48:05.899")


def fixture(name: str) -> dict[str, Any]:
    doc = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    assert doc.pop("_source")
    return doc


def test_insert_modify_remove_are_the_sample_event() -> None:
    expected = fixture("dynamodb-sam-cli-update.json")
    key = {"Id": {"N": "101"}}
    first = {"Message": {"S": "New item!"}, "Id": {"N": "101"}}
    changed = {"Message": {"S": "This item has changed"}, "Id": {"N": "101"}}
    changes = [Change(table="ExampleTableWithStream", key=key, old=None, new=first),
               Change(table="ExampleTableWithStream", key=key, old=first, new=changed),
               Change(table="ExampleTableWithStream", key=key, old=changed, new=None)]
    records = [stream_record(c, view_type="NEW_AND_OLD_IMAGES", position=i,
                             region="us-east-1", created_s=1428537600)
               for i, c in enumerate(changes)]
    event = stream_event(records, stream_arn=ARN)
    # Ours, not AWS's: the record ids and sequence numbers (same form, other values).
    for ours, theirs in zip(event["Records"], expected["Records"], strict=True):
        assert len(ours["eventID"]) == 32 and ours["dynamodb"]["SequenceNumber"].isdigit()
        ours["eventID"] = theirs["eventID"]
        ours["dynamodb"]["SequenceNumber"] = theirs["dynamodb"]["SequenceNumber"]
    assert event == expected                              # SizeBytes too: 26, 59, 38
    assert json.dumps(event) == json.dumps(expected)      # and AWS's key order


def test_a_ttl_deletion_carries_the_service_identity_as_lambda_spells_it() -> None:
    key = {"Id": {"N": "1"}}
    record = stream_record(Change(table="t", key=key, old=key, new=None),
                           view_type="KEYS_ONLY", position=0, region="us-east-1",
                           created_s=1, is_ttl=True)
    [event_record] = stream_event([record], stream_arn=ARN)["Records"]
    assert event_record["userIdentity"] == {"type": "Service",
                                            "principalId": "dynamodb.amazonaws.com"}
    assert "OldImage" not in event_record["dynamodb"]       # KEYS_ONLY: the keys alone


def test_on_failure_record_has_the_documented_fields() -> None:
    # Lambda developer guide, "Retaining discarded records for a DynamoDB event source":
    # the example invocation record for a DynamoDB stream.
    records = [{"dynamodb": {"SequenceNumber": "800000000003126276362",
                             "ApproximateCreationDateTime": 1573690399}}]
    record = on_failure_record(
        records, stream_arn=ARN, shard_id="shardId-00000001573689847184-864758bb",
        function_arn="arn:aws:lambda:us-east-2:123456789012:function:myfunction",
        condition="RetryAttemptsExhausted", invoke_count=1,
        request_id="316aa6d0-8154-xmpl-9af7-85d5f4a6bc81", function_error="Unhandled",
        status_code=200, now_s=1573690429.717)
    assert record == {
        "requestContext": {"requestId": "316aa6d0-8154-xmpl-9af7-85d5f4a6bc81",
                           "functionArn": "arn:aws:lambda:us-east-2:123456789012:function:"
                                          "myfunction",
                           "condition": "RetryAttemptsExhausted",
                           "approximateInvokeCount": 1},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST",
                            "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": "2019-11-14T00:13:49.717Z",
        "DDBStreamBatchInfo": {
            "shardId": "shardId-00000001573689847184-864758bb",
            "startSequenceNumber": "800000000003126276362",
            "endSequenceNumber": "800000000003126276362",
            "approximateArrivalOfFirstRecord": "2019-11-14T00:13:19Z",
            "approximateArrivalOfLastRecord": "2019-11-14T00:13:19Z",
            "batchSize": 1, "streamArn": ARN}}
