"""Received SQS messages -> the event Lambda's SQS event source mapping sends, and the
function's partial batch response -> which messages failed. Pure mapping: no queues.

Follows the Lambda developer guide: "Using Lambda with Amazon SQS" (the example event) and
"Handling errors for an SQS event source in Lambda", section "Implementing partial batch
responses" (its success and failure conditions).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from samlite.aws.sqs.message import ReceivedMessage

# The system attributes Lambda puts in each record's "attributes", in AWS's order; the FIFO
# ones and AWSTraceHeader/DeadLetterQueueSourceArn only when SQS returned them.
_ATTRIBUTE_ORDER = ("ApproximateReceiveCount", "SentTimestamp", "SenderId",
                    "ApproximateFirstReceiveTimestamp", "SequenceNumber", "MessageGroupId",
                    "MessageDeduplicationId", "AWSTraceHeader", "DeadLetterQueueSourceArn")


def sqs_event(messages: Sequence[ReceivedMessage], *, queue_arn: str,
              region: str) -> dict[str, Any]:
    """The event Lambda invokes a function with for one batch of `messages` (Lambda
    developer guide, "Using Lambda with Amazon SQS", example event)."""
    return {"Records": [sqs_record(m, queue_arn=queue_arn, region=region) for m in messages]}


def sqs_record(message: ReceivedMessage, *, queue_arn: str, region: str) -> dict[str, Any]:
    """One record of an SQS event; also what a FilterCriteria pattern is matched against."""
    record: dict[str, Any] = {
        "messageId": message.message_id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": _attributes(message.attributes),
        "messageAttributes": {name: _message_attribute(value)
                              for name, value in message.message_attributes.items()},
        "md5OfBody": message.md5_of_body,
    }
    if message.message_attributes and message.md5_of_message_attributes:
        record["md5OfMessageAttributes"] = message.md5_of_message_attributes
    record["eventSource"] = "aws:sqs"
    record["eventSourceARN"] = queue_arn
    record["awsRegion"] = region
    return record


def _attributes(attributes: Mapping[str, str]) -> dict[str, str]:
    known = {name: attributes[name] for name in _ATTRIBUTE_ORDER if name in attributes}
    return known | {name: value for name, value in attributes.items() if name not in known}


def _message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    """SQS's {"DataType", "StringValue" | "BinaryValue"} -> Lambda's lower-camel shape, which
    always carries both list fields and base64-encodes binary values."""
    out: dict[str, Any] = {}
    if "StringValue" in value:
        out["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        out["binaryValue"] = _base64(value["BinaryValue"])
    out["stringListValues"] = list(value.get("StringListValues", ()))
    out["binaryListValues"] = [_base64(v) for v in value.get("BinaryListValues", ())]
    out["dataType"] = value["DataType"]
    return out


def _base64(value: bytes | str) -> str:
    if isinstance(value, str):       # already base64, as SQS's JSON protocol carries it
        return value
    return base64.b64encode(value).decode("ascii")


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchResult:
    """What Lambda makes of a partial batch response."""

    failed_ids: tuple[str, ...] = ()     # messages that go back to the queue, batch order
    is_batch_failure: bool = False       # every message of the batch goes back
    reason: str | None = None            # why the whole batch failed, for the log

    def failed(self, message_ids: Sequence[str]) -> tuple[str, ...]:
        """The ids of `message_ids` that return to the queue."""
        return tuple(message_ids) if self.is_batch_failure else self.failed_ids


def batch_item_failures(response_payload: bytes, *, message_ids: Sequence[str],
                        is_fifo: bool = False) -> BatchResult:
    """Read a function's response under ReportBatchItemFailures for the batch `message_ids`
    (Lambda developer guide, "Implementing partial batch responses").

    Complete success: an empty or null response, a null or empty batchItemFailures list.
    Complete failure: a response that is not valid JSON (samlite also counts any JSON that
    is not an object or null), an itemIdentifier that is empty, null, missing or not a
    message of this batch. For a FIFO queue every message after the first failed one is
    returned too, so a message group keeps its order."""
    text = response_payload.decode("utf-8", errors="replace").strip()
    if not text:
        return BatchResult()
    try:
        response = json.loads(text)
    except ValueError:
        return _whole("the response is not valid JSON")
    if response is None:
        return BatchResult()
    if not isinstance(response, dict):
        return _whole("the response is not a JSON object")
    failures = response.get("batchItemFailures")
    if failures is None:
        return BatchResult()
    if not isinstance(failures, list):
        return _whole("batchItemFailures is not a list")
    in_batch = set(message_ids)
    failed: set[str] = set()
    for item in failures:
        if not isinstance(item, dict) or "itemIdentifier" not in item:
            return _whole("a batchItemFailures entry has no itemIdentifier")
        identifier = item["itemIdentifier"]
        if identifier is None or identifier == "":
            return _whole("an itemIdentifier is empty or null")
        if not isinstance(identifier, str) or identifier not in in_batch:
            return _whole(f"itemIdentifier {identifier!r} is not a message of this batch")
        failed.add(identifier)
    ordered = [m for m in message_ids if m in failed]
    if is_fifo and ordered:
        first = list(message_ids).index(ordered[0])
        ordered = list(message_ids)[first:]
    return BatchResult(failed_ids=tuple(ordered))


def _whole(reason: str) -> BatchResult:
    return BatchResult(is_batch_failure=True, reason=reason)
