"""What Lambda sends when an asynchronous invocation ends: the invocation record for an
OnSuccess/OnFailure destination, and the message attributes of a dead-letter queue message
(whose body is the event itself). Pure mapping: no queues, no clock reads.

Follows the Lambda developer guide, "Asynchronous invocation": "Configuring destinations for
asynchronous invocation" (the example invocation record) and "Dead-letter queues" (the
RequestID, ErrorCode and ErrorMessage attributes).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

RECORD_VERSION = "1.0"
EXECUTED_VERSION = "$LATEST"
ERROR_MESSAGE_LIMIT_BYTES = 1024        # "the first 1 KB of the error message"
Condition = Literal["Success", "RetriesExhausted", "EventAgeExceeded"]


def invocation_record(*, request_id: str, function_arn: str, condition: Condition,
                      approximate_invoke_count: int, request_payload: bytes,
                      status_code: int | None, function_error: str | None,
                      response_payload: bytes | None, timestamp: float,
                      executed_version: str = EXECUTED_VERSION) -> dict[str, Any]:
    """The record an asynchronous invocation destination receives (Lambda developer guide,
    "Configuring destinations for asynchronous invocation", example invocation record).

    `function_arn` is qualified with $LATEST when it has no qualifier, as in AWS's example.
    `executed_version`: the version that ran (a number when an alias or version was invoked).
    `status_code` None means the function never ran (an event that aged out while throttled):
    the record then has no responseContext and no responsePayload."""
    record: dict[str, Any] = {
        "version": RECORD_VERSION,
        "timestamp": _iso_ms(timestamp),
        "requestContext": {
            "requestId": request_id,
            "functionArn": _qualified(function_arn),
            "condition": condition,
            "approximateInvokeCount": approximate_invoke_count,
        },
        "requestPayload": _json_or_text(request_payload),
    }
    if status_code is None:
        return record
    response_context: dict[str, Any] = {"statusCode": status_code,
                                        "executedVersion": executed_version}
    if function_error is not None:
        response_context["functionError"] = function_error
    record["responseContext"] = response_context
    if response_payload is not None:
        record["responsePayload"] = _json_or_text(response_payload)
    return record


def dead_letter_attributes(*, request_id: str, error_code: int,
                           error_message: str) -> dict[str, dict[str, str]]:
    """The message attributes Lambda adds to a dead-letter queue message, in SQS
    SendMessage's shape: RequestID (String), ErrorCode (Number: the HTTP status code of the
    last attempt, 200 for a function error) and ErrorMessage (String, its first 1 KB)."""
    return {
        "RequestID": {"DataType": "String", "StringValue": request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": str(error_code)},
        "ErrorMessage": {"DataType": "String",
                         "StringValue": _first_bytes(error_message, ERROR_MESSAGE_LIMIT_BYTES)},
    }


def _qualified(function_arn: str) -> str:
    # arn:aws:lambda:region:account:function:name[:qualifier]
    return function_arn if function_arn.count(":") >= 7 else f"{function_arn}:{EXECUTED_VERSION}"


def _iso_ms(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _json_or_text(payload: bytes) -> Any:
    """The payload as JSON; one that is not JSON travels as a string rather than being lost."""
    text = payload.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def _first_bytes(text: str, limit: int) -> str:
    # Cut on a character boundary so the attribute stays valid UTF-8.
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
