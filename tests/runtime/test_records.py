"""Invocation records as the dashboard and `samlite_app.invocations()` read them: one per
finished invocation with its trigger, outcome, payloads and log lines; a bounded ring; big
payloads cut and marked; kept across restarts when asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samlite.runtime.invocation import Invocation
from samlite.runtime.records import InvocationRecord, InvocationRecords, Payload, payload_of
from samlite.runtime.triggers import describe

from .conftest import ServiceMaker


def record(seq: int, *, function: str = "Fn", request_id: str | None = None
           ) -> InvocationRecord:
    return InvocationRecord(
        seq=seq, request_id=request_id or f"id-{seq}", function=function, version="$LATEST",
        trigger="invoke", is_cold=False, started_at_s=0.0, duration_ms=1.0,
        billed_duration_ms=1, memory_size_mb=128, max_memory_used_mb=30,
        init_duration_ms=None, status="ok", error_type=None,
        event=Payload(text="{}", size_bytes=2), response=Payload(text="1", size_bytes=1),
        log_lines=("START RequestId: x Version: $LATEST",))


def test_a_service_records_each_invocation_with_its_logs(make_service: ServiceMaker) -> None:
    service, _ = make_service()
    result = service.invoke("Fn", json.dumps({"print": "hi there"}).encode(),
                            trigger="test")
    [kept] = service.records.all()
    assert (kept.request_id, kept.function, kept.trigger, kept.status, kept.is_cold) == \
        (result.request_id, "Fn", "test", "ok", True)
    assert json.loads(kept.event.text) == {"print": "hi there"}
    assert kept.log_lines[0].startswith("START RequestId: ")
    assert "hi there" in kept.log_lines
    assert kept.log_lines[-1].startswith(f"REPORT RequestId: {result.request_id}\t")
    assert kept.billed_duration_ms == result.report.billed_duration_ms  # type: ignore[union-attr]


def test_a_failing_invocation_is_recorded_as_an_error(make_service: ServiceMaker) -> None:
    service, _ = make_service()
    service.invoke("Fn", json.dumps({"fail": "boom"}).encode())
    [kept] = service.records.all()
    assert kept.status == "error"
    assert "boom" in kept.response.text


def test_the_ring_keeps_the_newest() -> None:
    records = InvocationRecords(capacity=3)
    for seq in range(1, 6):
        records.add(record(seq))
    assert [r.seq for r in records.all()] == [3, 4, 5]


def test_big_payloads_are_cut_and_marked() -> None:
    kept = payload_of(b"x" * 300_000)
    assert kept.is_truncated and kept.size_bytes == 300_000
    assert len(kept.text) == 256 * 1024
    assert not payload_of(b"{}").is_truncated


def test_records_filter_by_function_and_find_by_request_id() -> None:
    records = InvocationRecords()
    records.add(record(1, function="A"))
    records.add(record(2, function="B", request_id="same"))
    records.add(record(3, function="B", request_id="same"))
    assert [r.seq for r in records.all(function="B")] == [2, 3]
    assert records.find("same").seq == 3  # type: ignore[union-attr]
    assert [r.seq for r in records.all(after_seq=2)] == [3]


def test_listeners_hear_each_new_record_until_they_stop() -> None:
    records = InvocationRecords()
    heard: list[int] = []
    stop = records.listen(lambda r: heard.append(r.seq))
    records.add(record(1))
    stop()
    records.add(record(2))
    assert heard == [1]


def test_kept_records_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "invocations.jsonl"
    first = InvocationRecords(capacity=2, persist_to=path)
    for _ in range(3):
        first.add(record(first.next_seq()))
    again = InvocationRecords(capacity=2, persist_to=path)
    assert [r.seq for r in again.all()] == [2, 3]
    assert again.next_seq() == 4
    assert again.all()[0] == record(2)


def _invocation(payload: object, **fields: object) -> Invocation:
    return Invocation(request_id="r", function="Fn", payload=json.dumps(payload).encode(),
                      invoked_function_arn="arn", trace_id="t", **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("case", "invocation", "expected"), [
    ("source says", _invocation({}, trigger="test"), "test"),
    ("http api", _invocation({"requestContext": {"http": {"method": "GET", "path": "/hi"}}}),
     "GET /hi"),
    ("rest api", _invocation({"httpMethod": "POST", "path": "/x", "requestContext": {}}),
     "POST /x"),
    ("s3", _invocation({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                                     "s3": {"bucket": {"name": "b"}, "object": {"key": "k"}}}]}),
     "s3 ObjectCreated:Put b/k"),
    ("sqs", _invocation({"Records": [{"eventSource": "aws:sqs",
                                      "eventSourceARN": "arn:aws:sqs:r:1:Jobs"}] * 2}),
     "sqs Jobs batch of 2"),
    ("schedule", _invocation({"detail-type": "Scheduled Event", "source": "aws.events",
                              "resources": ["arn:aws:events:r:1:rule/Nightly"]}),
     "schedule Nightly"),
    ("async retry", _invocation({}, attempt=2, attempts_allowed=3), "invoke · async retry 1 of 2"),
    ("a rule's retry", _invocation({"x": 1}, trigger="eventbridge rule Paid on orders",
                                   attempt=3, attempts_allowed=3),
     "eventbridge rule Paid on orders · async retry 2 of 2"),
    ("destination", _invocation({"version": "1.0", "requestContext": {
        "requestId": "r0", "condition": "RetriesExhausted", "approximateInvokeCount": 3,
        "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:Worker:$LATEST"}}),
     "OnFailure destination of Worker (RetriesExhausted)"),
    ("anything else", _invocation([1, 2]), "invoke"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_the_trigger_says_who_invoked(case: str, invocation: Invocation, expected: str) -> None:
    assert describe(invocation) == expected
