"""Writes of one item to a table without a stream are kept in dynamodb.sqlite3-log before
they are answered and folded into the database later: a samlite killed with SIGKILL comes
back with every answered write, whether folded yet or not; a line cut short by the kill is
dropped, and a damaged log is named."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from samlite.aws.dynamodb.persist import write_log_path
from samlite.aws.dynamodb.service import LocalDynamoDb
from samlite.aws.dynamodb.write_log import FOLD_EVERY
from samlite.clock import ManualClock
from samlite.errors import Mark, StateFileError
from samlite.graph.model import Table

WRITES = FOLD_EVERY + 44        # one fold on the way, and writes left in the log

# Runs in a child that is then killed: every write is answered before "written" is printed.
CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from samlite.aws.dynamodb.service import LocalDynamoDb
    from samlite.clock import ManualClock
    from tests.aws.dynamodb.test_write_log import plain, watched

    dynamodb = LocalDynamoDb(db_path=Path(sys.argv[1]), account_id="123456789012",
                             region="us-east-1", clock=ManualClock())
    dynamodb.ensure_table(plain())
    dynamodb.ensure_table(watched())
    for i in range(int(sys.argv[2])):
        dynamodb.call("PutItem", {"TableName": "plain", "Item": {"id": {"S": f"k{i}"},
                                                                 "n": {"N": str(i)}}})
        if i == 10:   # a write with a stream record: the log is folded in its transaction
            dynamodb.call("PutItem", {"TableName": "watched", "Item": {"id": {"S": "w"}}})
    dynamodb.call("PutItem", {"TableName": "plain", "Item": {"id": {"S": "k1"},
                                                             "n": {"N": "-1"}}})
    dynamodb.call("DeleteItem", {"TableName": "plain", "Key": {"id": {"S": "k2"}}})
    print("written", flush=True)
    time.sleep(60)
""")


def plain() -> Table:
    return Table(logical_id="Plain", resource_type="AWS::DynamoDB::Table", table_name="plain",
                 key_schema=(("id", "HASH"),), attribute_definitions=(("id", "S"),),
                 billing_mode="PAY_PER_REQUEST", at=Mark(file="template.yaml", line=3, column=3))


def watched() -> Table:
    return Table(logical_id="Watched", resource_type="AWS::DynamoDB::Table",
                 table_name="watched", key_schema=(("id", "HASH"),),
                 attribute_definitions=(("id", "S"),), billing_mode="PAY_PER_REQUEST",
                 stream_view_type="NEW_IMAGE", at=Mark(file="template.yaml", line=9, column=3))


def reopen(db: Path) -> LocalDynamoDb:
    return LocalDynamoDb(db_path=db, account_id="123456789012", region="us-east-1",
                         clock=ManualClock())


def items(dynamodb: LocalDynamoDb, table: str) -> dict[str, Any]:
    found = dynamodb.call("Scan", {"TableName": table})["Items"]
    return {item["id"]["S"]: item for item in found}


def test_answered_writes_survive_a_sigkill_folded_or_not(tmp_path: Path) -> None:
    db = tmp_path / "dynamodb.sqlite3"
    root = Path(__file__).resolve().parents[3]
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(WRITES)],
                             stdout=subprocess.PIPE, text=True, cwd=root,
                             env={**os.environ, "PYTHONPATH": str(root)})
    try:
        assert child.stdout is not None and child.stdout.readline() == "written\n"
        assert write_log_path(db).stat().st_size > 0      # some writes only in the log
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    dynamodb = reopen(db)
    try:
        kept = items(dynamodb, "plain")
        assert len(kept) == WRITES - 1
        assert kept["k1"]["n"] == {"N": "-1"} and "k2" not in kept
        assert kept[f"k{WRITES - 1}"] == {"id": {"S": f"k{WRITES - 1}"},
                                          "n": {"N": str(WRITES - 1)}}
        assert items(dynamodb, "watched") == {"w": {"id": {"S": "w"}}}
        [record] = dynamodb.read("watched", after=-1, limit=10)
        assert record.record["dynamodb"]["NewImage"] == {"id": {"S": "w"}}
    finally:
        dynamodb.close()


def test_a_line_cut_short_by_the_kill_is_dropped(tmp_path: Path) -> None:
    db = tmp_path / "dynamodb.sqlite3"
    first = reopen(db)
    first.ensure_table(plain())
    first.close()
    write_log_path(db).write_text('"plain"\t{"id":{"S":"a"}}\t{"id":{"S":"a"}}\n'
                                  '"plain"\t{"id":{"S":"b"}}\t{"id":{"S"')
    dynamodb = reopen(db)
    try:
        assert list(items(dynamodb, "plain")) == ["a"]
    finally:
        dynamodb.close()


def test_a_damaged_write_log_is_named(tmp_path: Path) -> None:
    db = tmp_path / "dynamodb.sqlite3"
    reopen(db).close()
    write_log_path(db).write_text("not a write\n")
    with pytest.raises(StateFileError, match=r"dynamodb\.sqlite3-log can't be used"):
        reopen(db)


def test_closing_twice_keeps_the_writes_and_says_nothing(tmp_path: Path) -> None:
    # An app stopped by its test is stopped again by the pytest plugin's teardown.
    db = tmp_path / "dynamodb.sqlite3"
    dynamodb = reopen(db)
    dynamodb.ensure_table(plain())
    dynamodb.call("PutItem", {"TableName": "plain", "Item": {"id": {"S": "a"}}})
    dynamodb.close()
    dynamodb.close()
    again = reopen(db)
    try:
        assert list(items(again, "plain")) == ["a"]
    finally:
        again.close()
