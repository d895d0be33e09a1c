"""Stream records -> the event Lambda's DynamoDB event source mapping sends, and a discarded
batch -> the on-failure invocation record. Pure mapping: no streams, no queues.

Follows the Lambda developer guide: "Using AWS Lambda with Amazon DynamoDB" (the sample
event: each record as DynamoDB Streams' GetRecords gives it, plus eventSourceARN) and
"Retaining discarded records for a DynamoDB event source" (the invocation record an SQS
destination receives: requestContext, responseContext, version, timestamp,
DDBStreamBatchInfo; the records themselves are not included).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

# Why a batch was discarded (requestContext.condition).
RETRIES_EXHAUSTED = "RetryAttemptsExhausted"
RECORD_AGE_EXCEEDED = "RecordAgeExceeded"


def stream_event(records: Sequence[Mapping[str, Any]], *, stream_arn: str) -> dict[str, Any]:
    return {"Records": [lambda_record(record, stream_arn=stream_arn) for record in records]}


def lambda_record(record: Mapping[str, Any], *, stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as Lambda hands it over: with eventSourceARN, and a TTL
    deletion's userIdentity spelled as in Lambda's event (type, principalId)."""
    out = {**record, "eventSourceARN": stream_arn}
    identity = record.get("userIdentity")
    if isinstance(identity, Mapping):
        out["userIdentity"] = {"type": identity.get("Type"),
                               "principalId": identity.get("PrincipalId")}
    return out


def on_failure_record(records: Sequence[Mapping[str, Any]], *, stream_arn: str, shard_id: str,
                      function_arn: str, condition: str, invoke_count: int,
                      request_id: str, function_error: str | None, status_code: int,
                      now_s: float) -> dict[str, Any]:
    """The invocation record of a batch Lambda gave up on (oldest record first)."""
    first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
    response: dict[str, Any] = {"statusCode": status_code, "executedVersion": "$LATEST"}
    if function_error is not None:
        response["functionError"] = function_error
    return {
        "requestContext": {"requestId": request_id, "functionArn": function_arn,
                           "condition": condition, "approximateInvokeCount": invoke_count},
        "responseContext": response,
        "version": "1.0",
        "timestamp": _iso(now_s, millis=True),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": first["SequenceNumber"],
            "endSequenceNumber": last["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _iso(first["ApproximateCreationDateTime"]),
            "approximateArrivalOfLastRecord": _iso(last["ApproximateCreationDateTime"]),
            "batchSize": len(records),
            "streamArn": stream_arn,
        },
    }


def _iso(seconds: float, *, millis: bool = False) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
