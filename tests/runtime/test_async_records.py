"""Asynchronous invocation records and dead-letter attributes, checked against the Lambda
developer guide's example record (tests/fixtures/events/async-invocation-record-aws-docs.json)
and its list of dead-letter queue message attributes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from samlite.runtime.async_records import dead_letter_attributes, invocation_record

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "events"
FUNCTION_ARN = "arn:aws:lambda:us-east-2:123456789012:function:my-function"
WHEN = datetime(2019, 11, 14, 18, 16, 5, 568000, tzinfo=UTC).timestamp()


def fixture(name: str) -> dict[str, Any]:
    doc = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    assert doc.pop("_source")
    return doc


def test_failure_record_is_the_documented_example() -> None:
    expected = fixture("async-invocation-record-aws-docs.json")
    record = invocation_record(
        request_id="e4b46cbf-b738-xmpl-8880-a18cdf61200e", function_arn=FUNCTION_ARN,
        condition="RetriesExhausted", approximate_invoke_count=3,
        request_payload=json.dumps(expected["requestPayload"]).encode(),
        status_code=200, function_error="Unhandled",
        response_payload=json.dumps(expected["responsePayload"]).encode(), timestamp=WHEN)
    assert record == expected
    assert json.dumps(record) == json.dumps(expected)    # AWS's key order too


def test_success_record_has_no_function_error() -> None:
    record = invocation_record(
        request_id="r", function_arn=FUNCTION_ARN + ":live", condition="Success",
        approximate_invoke_count=1, request_payload=b'{"k": "v"}', status_code=200,
        function_error=None, response_payload=b'{"ok": true}', timestamp=0.0)
    assert record["timestamp"] == "1970-01-01T00:00:00.000Z"
    assert record["requestContext"]["functionArn"] == FUNCTION_ARN + ":live"
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["requestPayload"] == {"k": "v"}
    assert record["responsePayload"] == {"ok": True}


def test_a_function_returning_nothing_has_a_null_payload() -> None:
    record = invocation_record(
        request_id="r", function_arn=FUNCTION_ARN, condition="Success",
        approximate_invoke_count=1, request_payload=b"{}", status_code=200,
        function_error=None, response_payload=b"null", timestamp=0.0)
    assert "responsePayload" in record
    assert record["responsePayload"] is None


def test_event_that_never_ran_has_no_response() -> None:
    record = invocation_record(
        request_id="r", function_arn=FUNCTION_ARN, condition="EventAgeExceeded",
        approximate_invoke_count=0, request_payload=b'{"a": 1}', status_code=None,
        function_error=None, response_payload=None, timestamp=0.0)
    assert list(record) == ["version", "timestamp", "requestContext", "requestPayload"]
    assert record["requestContext"]["condition"] == "EventAgeExceeded"


def test_dead_letter_attributes_follow_the_guide() -> None:
    attributes = dead_letter_attributes(request_id="e4b46cbf", error_code=200,
                                        error_message="boom")
    assert attributes == {
        "RequestID": {"DataType": "String", "StringValue": "e4b46cbf"},
        "ErrorCode": {"DataType": "Number", "StringValue": "200"},
        "ErrorMessage": {"DataType": "String", "StringValue": "boom"},
    }


def test_dead_letter_error_message_keeps_the_first_kilobyte() -> None:
    message = "é" * 600                                  # 1200 bytes in UTF-8
    kept = dead_letter_attributes(request_id="r", error_code=200,
                                  error_message=message)["ErrorMessage"]["StringValue"]
    assert kept == "é" * 512
    assert len(kept.encode()) == 1024
