"""The stream event source mapping against the local DynamoDB (in memory) and a function
that answers in-process: order, checkpoints, partial batch responses, retries, bisection,
record age, filters and the on-failure record. Steps are driven one by one (no threads)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from samlite.aws.dynamodb.service import LocalDynamoDb
from samlite.clock import ManualClock
from samlite.errors import Mark
from samlite.graph.model import StreamSettings, Table
from samlite.runtime.invocation import Result
from samlite.sources.dynamodb.poller import StreamMapping, StreamReader

AT = Mark(file="template.yaml", line=1, column=1)


@dataclass
class Function:
    """Records what it got; `answer(records)` says what it returns (None: success)."""

    answer: Callable[[list[dict[str, Any]]], Any] = lambda records: None
    calls: list[list[dict[str, Any]]] = field(default_factory=list)

    def invoke(self, function: str, payload: bytes) -> Result:
        records = json.loads(payload)["Records"]
        self.calls.append(records)
        outcome = self.answer(records)
        if outcome == "error":
            return Result(request_id=f"r{len(self.calls)}", function_error="Unhandled",
                          payload=b'{"errorMessage": "boom"}')
        return Result(request_id=f"r{len(self.calls)}",
                      payload=json.dumps(outcome).encode() if outcome is not None else b"")


@pytest.fixture
def dynamodb() -> Iterator[LocalDynamoDb]:
    service = LocalDynamoDb(db_path=None, account_id="123456789012", region="us-east-1",
                            clock=ManualClock())
    service.ensure_table(Table(
        logical_id="T", resource_type="AWS::DynamoDB::Table", table_name="t",
        key_schema=(("pk", "HASH"), ("n", "RANGE")),
        attribute_definitions=(("pk", "S"), ("n", "N")), billing_mode="PAY_PER_REQUEST",
        stream_view_type="NEW_IMAGE", at=AT))
    yield service
    service.close()


def put(dynamodb: LocalDynamoDb, n: int, pk: str = "a", **extra: Any) -> None:
    item = {"pk": {"S": pk}, "n": {"N": str(n)}}
    item.update({k: {"S": v} for k, v in extra.items()})
    dynamodb.call("PutItem", {"TableName": "t", "Item": item})


def reader(dynamodb: LocalDynamoDb, function: Function, failures: list[dict[str, Any]],
           notes: list[str] | None = None, waits: list[float] | None = None,
           **settings: Any) -> StreamReader:
    """`notes` gets the function's samlite log lines, `waits` the retry waits (none is
    really waited)."""
    values: dict[str, Any] = {"starting_position": "TRIM_HORIZON", "batch_size": 10}
    values.update(settings)
    mapping = StreamMapping(trigger="Changes", function="Fn", function_name="fn",
                            table_name="t", settings=StreamSettings(**values))
    notes = [] if notes is None else notes
    waits = [] if waits is None else waits
    return StreamReader(mapping, streams=dynamodb, invoker=function,
                        deliver_failure=lambda m, record: failures.append(record) or "kept",
                        function_arn="arn:aws:lambda:us-east-1:123456789012:function:fn",
                        clock=dynamodb._clock, note=lambda function, line: notes.append(line),
                        pause=waits.append)


def numbers(records: list[dict[str, Any]]) -> list[int]:
    return [int(r["dynamodb"]["NewImage"]["n"]["N"]) for r in records]


def run(r: StreamReader, steps: int, lane: int = 0) -> None:
    done = r.start_position(lane)
    for _ in range(steps):
        done = r.step(lane, done)


def test_batches_in_order_and_a_restart_resumes_after_the_checkpoint(
        dynamodb: LocalDynamoDb) -> None:
    for n in range(25):
        put(dynamodb, n)
    function, failures = Function(), []
    run(reader(dynamodb, function, failures), 2)
    assert [numbers(c) for c in function.calls] == [list(range(10)), list(range(10, 20))]
    again = Function()
    run(reader(dynamodb, again, failures), 1)        # a new reader: the checkpoint is kept
    assert [numbers(c) for c in again.calls] == [list(range(20, 25))]
    assert function.calls[0][0]["eventSourceARN"] == dynamodb.stream_arn("t")


def test_latest_starts_after_what_was_written_before_the_mapping(
        dynamodb: LocalDynamoDb) -> None:
    put(dynamodb, 0)
    function = Function()
    r = reader(dynamodb, function, [], starting_position="LATEST")
    done = r.start_position(0)
    put(dynamodb, 1)
    r.step(0, done)
    assert [numbers(c) for c in function.calls] == [[1]]


def test_report_batch_item_failures_retries_from_the_first_failed_record(
        dynamodb: LocalDynamoDb) -> None:
    for n in range(5):
        put(dynamodb, n)
    failed_once: set[int] = set()

    def answer(records: list[dict[str, Any]]) -> Any:
        for record in records:
            n = numbers([record])[0]
            if n == 2 and n not in failed_once:
                failed_once.add(n)
                return {"batchItemFailures": [
                    {"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}
        return {"batchItemFailures": []}

    function = Function(answer)
    run(reader(dynamodb, function, [], reports_batch_item_failures=True), 1)
    assert [numbers(c) for c in function.calls] == [[0, 1, 2, 3, 4], [2, 3, 4]]


def test_retries_run_out_and_the_batch_goes_to_the_on_failure_destination(
        dynamodb: LocalDynamoDb) -> None:
    for n in range(3):
        put(dynamodb, n)
    put(dynamodb, 3)
    function, failures = Function(lambda records: "error"), []
    run(reader(dynamodb, function, failures, max_retry_attempts=2, batch_size=3), 2)
    assert [numbers(c) for c in function.calls] == [[0, 1, 2]] * 3 + [[3]] * 3
    first = failures[0]
    assert first["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert first["requestContext"]["approximateInvokeCount"] == 3
    assert first["responseContext"]["functionError"] == "Unhandled"
    info = first["DDBStreamBatchInfo"]
    assert (info["batchSize"], info["streamArn"]) == (3, dynamodb.stream_arn("t"))
    assert int(info["endSequenceNumber"]) - int(info["startSequenceNumber"]) == 2


def test_bisect_narrows_a_failure_down_to_the_poison_record(dynamodb: LocalDynamoDb) -> None:
    for n in range(8):
        put(dynamodb, n)
    function, failures = Function(lambda rs: "error" if 5 in numbers(rs) else None), []
    run(reader(dynamodb, function, failures, bisects_on_error=True, max_retry_attempts=0), 1)
    assert [f["DDBStreamBatchInfo"]["batchSize"] for f in failures] == [1]
    processed = {n for c in function.calls if 5 not in numbers(c) for n in numbers(c)}
    assert processed == set(range(8)) - {5}


def test_records_past_their_age_are_given_up_without_an_invoke(
        dynamodb: LocalDynamoDb) -> None:
    put(dynamodb, 0)
    clock = dynamodb._clock
    assert isinstance(clock, ManualClock)
    clock.advance(seconds=120)
    function, failures = Function(), []
    run(reader(dynamodb, function, failures, max_record_age_s=60), 1)
    assert function.calls == []
    assert failures[0]["requestContext"]["condition"] == "RecordAgeExceeded"


def test_a_filter_skips_records_without_an_invoke(dynamodb: LocalDynamoDb) -> None:
    put(dynamodb, 0, kind="order")
    put(dynamodb, 1, kind="note")
    pattern = json.dumps({"dynamodb": {"NewImage": {"kind": {"S": ["order"]}}}})
    function = Function()
    run(reader(dynamodb, function, [], filter_patterns=(pattern,)), 1)
    assert [numbers(c) for c in function.calls] == [[0]]


def test_parallel_lanes_keep_each_partition_keys_order(dynamodb: LocalDynamoDb) -> None:
    for n in range(40):
        put(dynamodb, n, pk=f"k{n % 4}")
    function = Function()
    r = reader(dynamodb, function, [], parallelization_factor=3, batch_size=5)
    for lane in range(3):
        run(r, 10, lane)
    seen = [n for c in function.calls for n in numbers(c)]
    assert sorted(seen) == list(range(40))                 # each record once
    for key in range(4):
        mine = [n for n in seen if n % 4 == key]
        assert mine == sorted(mine)                        # in order per partition key


def test_a_batching_window_gathers_records_written_while_it_is_open(
        dynamodb: LocalDynamoDb) -> None:
    import threading

    put(dynamodb, 0)
    function = Function()
    r = reader(dynamodb, function, [], batch_size=3, batching_window_s=300)
    done = r.start_position(0)
    stepping = threading.Thread(target=r.step, args=(0, done))
    stepping.start()
    put(dynamodb, 1)
    put(dynamodb, 2)
    stepping.join(30)
    assert not stepping.is_alive()
    assert [numbers(c) for c in function.calls] == [[0, 1, 2]]   # one batch, once full


def test_a_batch_that_fails_as_the_reader_stops_is_read_again_not_given_up(
        dynamodb: LocalDynamoDb) -> None:
    put(dynamodb, 0)
    failures: list[dict[str, Any]] = []
    readers: list[StreamReader] = []

    def cut_short(records: list[dict[str, Any]]) -> Any:
        readers[0].stop()       # the app stops while the batch runs, and the run fails
        return "error"

    readers.append(reader(dynamodb, Function(cut_short), failures, max_retry_attempts=0))
    run(readers[0], 1)
    assert failures == []
    again = Function()
    run(reader(dynamodb, again, failures), 1)
    assert [numbers(c) for c in again.calls] == [[0]]


def test_a_batch_that_succeeds_as_the_reader_stops_is_checkpointed(
        dynamodb: LocalDynamoDb) -> None:
    put(dynamodb, 0)
    readers: list[StreamReader] = []

    def finishes(records: list[dict[str, Any]]) -> Any:
        readers[0].stop()       # the app stops while the batch runs; the run succeeds
        return None

    readers.append(reader(dynamodb, Function(finishes), []))
    run(readers[0], 1)
    again = Function()
    run(reader(dynamodb, again, []), 1)
    assert again.calls == []


def test_a_poison_record_is_retried_ever_more_slowly_and_each_retry_is_logged(
        dynamodb: LocalDynamoDb) -> None:
    put(dynamodb, 0)
    put(dynamodb, 1)
    readers: list[StreamReader] = []
    calls = 0

    def poison(records: list[dict[str, Any]]) -> Any:
        nonlocal calls
        calls += 1
        if calls == 10:
            readers[0].stop()           # end the (default: unlimited) retries
        failed = [r for r in records if numbers([r]) == [1]]
        return {"batchItemFailures": [
            {"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in failed]}

    notes: list[str] = []
    waits: list[float] = []
    readers.append(reader(dynamodb, Function(poison), [], notes, waits,
                          reports_batch_item_failures=True))
    run(readers[0], 1)
    assert waits == [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]
    assert notes[0] == ("samlite: stream batch of 1 failed (attempt 1 of unlimited); "
                        "retrying in 0.05 s")
    assert notes[-1] == ("samlite: stream batch of 1 failed (attempt 9 of unlimited); "
                         "retrying in 5 s")


def test_the_retry_wait_starts_again_for_the_next_batch(dynamodb: LocalDynamoDb) -> None:
    put(dynamodb, 0)
    failed_once: set[int] = set()

    def fails_once(records: list[dict[str, Any]]) -> Any:
        first = numbers(records)[0]
        if first in failed_once:
            return None
        failed_once.add(first)
        return "error"

    notes: list[str] = []
    waits: list[float] = []
    r = reader(dynamodb, Function(fails_once), [], notes, waits, max_retry_attempts=3)
    done = r.start_position(0)
    done = r.step(0, done)
    put(dynamodb, 1)
    r.step(0, done)
    assert waits == [0.05, 0.05]
    assert notes == ["samlite: stream batch of 1 failed (attempt 1 of 4); retrying in 0.05 s"] * 2
