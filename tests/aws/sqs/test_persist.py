"""Queues and messages outlive the process: after close() and after a SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import boto3

from samlite.aws.sqs.service import LocalSqs
from samlite.clock import ManualClock, SystemClock

ACCOUNT = "123456789012"
REGION = "us-east-1"
REPO = Path(__file__).resolve().parents[3]


def open_sqs(db: Path, clock: ManualClock | SystemClock | None = None) -> LocalSqs:
    return LocalSqs(db_path=db, account_id=ACCOUNT, region=REGION,
                    clock=clock or SystemClock())


def test_messages_survive_close_and_reopen(tmp_path: Path) -> None:
    db = tmp_path / "sqs.sqlite3"
    sqs = open_sqs(db)
    sqs.ensure_queue("jobs", {"VisibilityTimeout": "600"})
    for i in range(5):
        sqs.send("jobs", f"m{i}", message_attributes={
            "n": {"DataType": "Number", "StringValue": str(i)},
            "b": {"DataType": "Binary", "BinaryValue": bytes([i])}})
    done, in_flight = sqs.receive("jobs", max_messages=2, wait_s=0)
    sqs.delete("jobs", done.receipt_handle)
    sqs.close()

    again = open_sqs(db)
    got = again.receive("jobs", max_messages=10, wait_s=0)
    again.close()
    # The one in flight at close is visible again, its receive count kept; order kept.
    assert [m.body for m in got] == ["m1", "m2", "m3", "m4"]
    assert got[0].message_id == in_flight.message_id
    assert got[0].attributes["ApproximateReceiveCount"] == "2"
    assert got[1].attributes["ApproximateReceiveCount"] == "1"
    assert got[2].message_attributes == {"n": {"DataType": "Number", "StringValue": "3"},
                                         "b": {"DataType": "Binary", "BinaryValue": b"\x03"}}


def test_a_delay_outlives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "sqs.sqlite3"
    clock = ManualClock()
    sqs = open_sqs(db, clock)
    sqs.ensure_queue("later", {"DelaySeconds": "60"})
    sqs.send("later", "x")
    sqs.close()
    clock.advance(seconds=30)
    again = open_sqs(db, clock)
    assert again.receive("later", max_messages=1, wait_s=0) == []
    clock.advance(seconds=30)
    assert [m.body for m in again.receive("later", max_messages=1, wait_s=0)] == ["x"]
    again.close()


def test_receipt_handle_from_before_a_restart_still_deletes(tmp_path: Path) -> None:
    db = tmp_path / "sqs.sqlite3"
    sqs = open_sqs(db)
    sqs.ensure_queue("jobs", {})
    sqs.send("jobs", "x")
    [m] = sqs.receive("jobs", max_messages=1, wait_s=0)
    sqs.close()
    again = open_sqs(db)
    again.delete("jobs", m.receipt_handle)
    assert again.receive("jobs", max_messages=1, wait_s=0) == []
    again.close()


def test_queues_created_through_the_api_come_back_with_attributes(tmp_path: Path) -> None:
    db = tmp_path / "sqs.sqlite3"
    sqs = open_sqs(db)
    backend = sqs.backend
    backend.create_queue("dead", {"team": "a"})
    dlq_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:dead"
    # Created before its dead-letter queue would be on a name-sorted restore.
    backend.create_queue("a-source", None, RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}), VisibilityTimeout="0")
    backend.set_queue_attributes("dead", {"MessageRetentionPeriod": "600"})
    sqs.send("a-source", "poison")
    sqs.close()

    again = open_sqs(db)
    attributes = again.backend.get_queue_attributes("dead", ["All"])
    assert attributes["MessageRetentionPeriod"] == 600
    assert again.backend.get_queue("dead").tags == {"team": "a"}
    assert again.receive("a-source", max_messages=1, wait_s=0)[0].body == "poison"
    assert again.receive("a-source", max_messages=1, wait_s=0) == []   # moved to "dead"
    assert [m.body for m in again.receive("dead", max_messages=1, wait_s=0)] == ["poison"]
    again.close()


def test_deleted_queue_stays_deleted(tmp_path: Path) -> None:
    db = tmp_path / "sqs.sqlite3"
    sqs = open_sqs(db)
    sqs.ensure_queue("gone", {})
    sqs.send("gone", "x")
    sqs.backend.delete_queue("gone")
    sqs.close()
    again = open_sqs(db)
    assert again.queue_name_for("gone") is None
    again.close()


def test_fifo_deduplication_and_order_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "sqs.sqlite3"
    clock = ManualClock()
    sqs = open_sqs(db, clock)
    sqs.ensure_queue("o.fifo", {"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    first = sqs.send("o.fifo", "one", group_id="g")
    sqs.send("o.fifo", "two", group_id="g")
    sqs.close()
    again = open_sqs(db, clock)
    assert again.send("o.fifo", "one", group_id="g") == first    # still a duplicate
    assert [m.body for m in again.receive("o.fifo", max_messages=10, wait_s=0)] == \
        ["one", "two"]
    again.close()


_CHILD = textwrap.dedent("""
    import sys, threading
    from pathlib import Path
    from samlite.aws.sqs.service import LocalSqs
    from samlite.clock import SystemClock
    from samlite.http.server import Endpoint
    sqs = LocalSqs(db_path=Path(sys.argv[1]), account_id="123456789012",
                   region="us-east-1", clock=SystemClock())
    endpoint = Endpoint([sqs.route()])
    endpoint.start()
    print(endpoint.url, flush=True)
    threading.Event().wait()
""")


def test_nothing_a_client_was_told_is_lost_to_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "sqs.sqlite3"
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(db)], stdout=subprocess.PIPE,
                             text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        client: Any = boto3.client("sqs", endpoint_url=url, region_name=REGION,
                                   aws_access_key_id="AKIAFAKEFAKEFAKEFAKE",
                                   aws_secret_access_key="fake")  # noqa: S106
        queue_url = client.create_queue(QueueName="jobs")["QueueUrl"]
        sent = [client.send_message(QueueUrl=queue_url, MessageBody=f"m{i}")["MessageId"]
                for i in range(20)]
        received = client.receive_message(QueueUrl=queue_url,
                                          MaxNumberOfMessages=10)["Messages"]
        for m in received[:5]:
            client.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        deleted = {m["MessageId"] for m in received[:5]}
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    again = open_sqs(db)
    left = []
    while batch := again.receive("jobs", max_messages=10, wait_s=0):
        left.extend(batch)
    again.close()
    assert sorted(m.message_id for m in left) == sorted(set(sent) - deleted)
    counts = {m.message_id: m.attributes["ApproximateReceiveCount"] for m in left}
    assert {counts[m["MessageId"]] for m in received[5:]} == {"2"}


def test_trace_header_and_group_survive_a_restart_and_a_dead_letter_move(
        tmp_path: Path) -> None:
    db = tmp_path / "sqs.sqlite3"
    sqs = open_sqs(db)
    sqs.ensure_queue("dlq", {})
    sqs.ensure_queue("jobs", {"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq", "maxReceiveCount": 1}),
        "VisibilityTimeout": "0"})
    sqs.backend.send_message("jobs", "m", group_id="tenant-a", system_attributes={
        "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-a-b"}})
    sqs.close()

    again = open_sqs(db)
    [first] = again.receive("jobs", max_messages=1, wait_s=0)
    moved = again.receive("jobs", max_messages=1, wait_s=0)   # past maxReceiveCount
    [in_dlq] = again.receive("dlq", max_messages=1, wait_s=0)
    again.close()
    for got in (first, in_dlq):
        assert (got.attributes["AWSTraceHeader"], got.attributes["MessageGroupId"]) == \
            ("Root=1-a-b", "tenant-a")
    assert moved == []


def test_a_state_file_from_before_trace_headers_is_upgraded(tmp_path: Path) -> None:
    db = tmp_path / "sqs.sqlite3"
    old = sqlite3.connect(db)
    old.executescript("""
        CREATE TABLE queues (name TEXT PRIMARY KEY, attributes TEXT NOT NULL,
                             tags TEXT NOT NULL);
        CREATE TABLE messages (seq INTEGER PRIMARY KEY, queue TEXT NOT NULL,
            message_id TEXT NOT NULL, body TEXT NOT NULL, message_attributes TEXT,
            md5_of_body TEXT NOT NULL, md5_of_message_attributes TEXT,
            sender_id TEXT NOT NULL, sent_ms INTEGER NOT NULL, group_id TEXT, dedup_id TEXT,
            sequence_number TEXT, receive_count INTEGER NOT NULL, first_receive_ms INTEGER,
            delay_until REAL NOT NULL DEFAULT 0, UNIQUE (queue, message_id));
        INSERT INTO queues VALUES ('jobs', '{}', '{}');
    """)
    old.execute("INSERT INTO messages (queue, message_id, body, md5_of_body, sender_id, "
                "sent_ms, receive_count) VALUES ('jobs', 'old-1', 'kept', 'x', 'AIDA', ?, 0)",
                (int(time.time() * 1000),))
    old.commit()
    old.close()
    sqs = open_sqs(db)
    sqs.send("jobs", "new")
    got = sqs.receive("jobs", max_messages=10, wait_s=0)
    sqs.close()
    assert [m.body for m in got] == ["kept", "new"]
