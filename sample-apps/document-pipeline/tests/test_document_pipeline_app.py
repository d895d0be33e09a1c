"""The whole pipeline under samlite: upload to the Inbox, read the summary from the Outbox.

`samlite_app` (the samlite pytest plugin) starts this folder's template.yaml for each test
with its own empty buckets and queues; `.s3` and `.sqs` are boto3 clients bound to it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest


def summary_of(app: Any, key: str) -> dict[str, Any] | None:
    """The Outbox summary for Inbox object `key`, or None while it is not there yet."""
    try:
        reply = app.s3.get_object(Bucket=app.bucket_name("Outbox"), Key=f"summaries/{key}.json")
    except app.s3.exceptions.NoSuchKey:
        return None
    return json.loads(reply["Body"].read())


def test_an_uploaded_text_file_gets_a_summary(samlite_app: Any) -> None:
    inbox = samlite_app.bucket_name("Inbox")
    samlite_app.s3.put_object(Bucket=inbox, Key="minutes/team meeting.txt",
                              Body=b"We shipped the pipeline. The pipeline counts words.\n")

    summary = samlite_app.wait_for(lambda: summary_of(samlite_app, "minutes/team meeting.txt"))

    assert summary["source"] == {"bucket": inbox, "key": "minutes/team meeting.txt",
                                 "bytes": 52}
    assert summary["words"] == 8
    assert summary["top_words"][0] == {"word": "pipeline", "count": 2}
    assert summary["summary"] == "We shipped the pipeline."


def test_a_csv_file_gets_its_columns_and_row_count(samlite_app: Any) -> None:
    samlite_app.s3.put_object(Bucket=samlite_app.bucket_name("Inbox"), Key="sales.csv",
                              Body=b"region,total\nnorth,10\nsouth,12\neast,7\n")

    summary = samlite_app.wait_for(lambda: summary_of(samlite_app, "sales.csv"))

    assert summary["columns"] == ["region", "total"]
    assert summary["rows"] == 3


def test_other_file_types_do_not_invoke_the_function(samlite_app: Any) -> None:
    inbox = samlite_app.bucket_name("Inbox")
    samlite_app.s3.put_object(Bucket=inbox, Key="photo.jpg", Body=b"\xff\xd8\xff")
    samlite_app.s3.put_object(Bucket=inbox, Key="after.md", Body=b"# After\n\nDone.\n")

    samlite_app.wait_for(lambda: summary_of(samlite_app, "after.md"))

    assert summary_of(samlite_app, "photo.jpg") is None
    starts = [line for line in samlite_app.logs("ProcessDocument") if line.startswith("START")]
    assert len(starts) == 1


@pytest.mark.parametrize(("key", "body", "error"), [
    ("latin1.txt", "caf\xe9 cr\xe8me".encode("latin-1"), "not UTF-8 text (byte 3)"),
    ("ragged.csv", b"a,b\n1,2\n3\n", "row 3 has 1 fields, the header has 2"),
], ids=["not-utf8", "ragged-csv"])
def test_a_bad_document_is_retried_then_lands_in_failed_documents(
        samlite_app: Any, key: str, body: bytes, error: str) -> None:
    samlite_app.s3.put_object(Bucket=samlite_app.bucket_name("Inbox"), Key=key, Body=body)

    def failure() -> list[dict[str, Any]]:
        reply = samlite_app.sqs.receive_message(
            QueueUrl=samlite_app.queue_url("FailedDocuments"), WaitTimeSeconds=1)
        return reply.get("Messages", [])

    record = json.loads(samlite_app.wait_for(failure)[0]["Body"])

    # Lambda's OnFailure record: the original S3 event, the error, how often it was tried.
    assert record["requestPayload"]["Records"][0]["s3"]["object"]["key"] == key
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2   # 1 + MaximumRetryAttempts
    assert record["responsePayload"]["errorType"] == "DocumentError"
    assert record["responsePayload"]["errorMessage"] == error
    assert summary_of(samlite_app, key) is None


def test_invoking_directly_with_a_missing_object_reports_the_error(samlite_app: Any) -> None:
    # The same event S3 sends (`samlite generate-event s3 put` prints one), invoked directly.
    event = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                          "s3": {"bucket": {"name": samlite_app.bucket_name("Inbox")},
                                 "object": {"key": "missing.txt", "size": 0}}}]}

    result = samlite_app.invoke("ProcessDocument", event)

    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "NoSuchKey"
    assert any("NoSuchKey" in line for line in samlite_app.logs("ProcessDocument"))
