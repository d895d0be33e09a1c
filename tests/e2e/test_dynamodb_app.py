"""A table with a stream and a function reading it, end to end: an App started in-process
from a template (process runtime), boto3 against its endpoint, the record the handler got
compared with AWS's sample event (tests/fixtures/events/dynamodb-sam-cli-update.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from samlite.app.root import App, AppOptions
from samlite.testing import wait_for

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Example:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ExampleTableWithStream
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{AttributeName: Id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: Id, AttributeType: N}]
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
  Failed:
    Type: AWS::SQS::Queue
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      Environment:
        Variables:
          OUT: {out}
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Example.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
            MaximumRetryAttempts: 0
            DestinationConfig:
              OnFailure:
                Destination: !GetAtt Failed.Arn
  Items:
    Type: AWS::Serverless::SimpleTable
"""

HANDLER = """\
import json, os

def handler(event, context):
    with open(os.environ["OUT"], "a") as out:
        out.write(json.dumps(event) + "\\n")
    if any(r["dynamodb"].get("NewImage", {}).get("Message", {}).get("S") == "fail"
           for r in event["Records"]):
        raise RuntimeError("told to fail")
"""

# An index key AttributeDefinitions lacks: CreateTable refuses it.
REFUSED_TABLE = """\
Resources:
  Broken:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: other, AttributeType: S}]
"""

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "events" / \
    "dynamodb-sam-cli-update.json"


def shape(value: Any) -> Any:
    """Keys and value types, not values (nor the order of an item's attributes)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


def test_stream_records_reach_the_handler_as_aws_sends_them(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    out = tmp_path / "events.jsonl"
    (tmp_path / "template.yaml").write_text(TEMPLATE.replace("{out}", str(out)))
    app = App(tmp_path / "template.yaml", AppOptions(runtime="process", aws_port=0,
                                                      http_port=None,
                                                      state_dir=tmp_path / ".samlite"))
    app.start()
    try:
        ddb = boto3.client("dynamodb", endpoint_url=app.endpoint_url, region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="x")  # noqa: S106
        key = {"Id": {"N": "101"}}
        ddb.put_item(TableName="ExampleTableWithStream",
                     Item={**key, "Message": {"S": "New item!"}})
        ddb.update_item(TableName="ExampleTableWithStream", Key=key,
                        UpdateExpression="SET Message = :m",
                        ExpressionAttributeValues={":m": {"S": "This item has changed"}})
        ddb.delete_item(TableName="ExampleTableWithStream", Key=key)

        def records() -> list[dict[str, Any]]:
            lines = out.read_text().splitlines() if out.exists() else []
            return [r for line in lines for r in json.loads(line)["Records"]]

        wait_for(lambda: len(records()) == 3, timeout_s=30, message="three records")
        got = records()
        expected = json.loads(FIXTURE.read_text())["Records"]
        assert [shape(r) for r in got] == [shape(r) for r in expected]
        # An item's attributes have no order: shape() compares them as mappings.
        for image in ("Keys", "NewImage", "OldImage"):
            assert [r["dynamodb"].get(image) for r in got] == \
                [r["dynamodb"].get(image) for r in expected]
        assert [r["eventName"] for r in got] == ["INSERT", "MODIFY", "REMOVE"]
        assert [r["dynamodb"]["SizeBytes"] for r in got] == [26, 59, 38]
        table = ddb.describe_table(TableName="ExampleTableWithStream")["Table"]
        assert {r["eventSourceARN"] for r in got} == {table["LatestStreamArn"]}
        # The SimpleTable: PrimaryKey id (String) by default, a generated name.
        [simple] = [n for n in ddb.list_tables()["TableNames"] if "Items" in n]
        assert ddb.describe_table(TableName=simple)["Table"]["KeySchema"] == [
            {"AttributeName": "id", "KeyType": "HASH"}]

        # `samlite trigger Changes`: the newest record again, the checkpoint unmoved.
        app.fire_trigger("Changes")
        assert [r["eventName"] for r in records()] == ["INSERT", "MODIFY", "REMOVE", "REMOVE"]
        assert records()[3] == got[2]

        # A batch that fails with no retries left goes to the OnFailure queue.
        ddb.put_item(TableName="ExampleTableWithStream",
                     Item={"Id": {"N": "7"}, "Message": {"S": "fail"}})
        sqs = boto3.client("sqs", endpoint_url=app.endpoint_url, region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="x")  # noqa: S106
        [url] = [u for u in sqs.list_queues()["QueueUrls"] if "Failed" in u]
        messages: list[dict[str, Any]] = []

        def arrived() -> bool:
            messages.extend(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
                            .get("Messages", []))
            return bool(messages)

        wait_for(arrived, timeout_s=30, message="the on-failure record")
        info = json.loads(messages[0]["Body"])["DDBStreamBatchInfo"]
        assert info["batchSize"] == 1 and info["streamArn"] == table["LatestStreamArn"]
    finally:
        app.stop()


def test_a_table_dynamodb_refuses_stops_up_naming_it(tmp_path: Path) -> None:
    import pytest

    from samlite.errors import TemplateError

    (tmp_path / "template.yaml").write_text(REFUSED_TABLE)
    with pytest.raises(TemplateError) as refused:
        App(tmp_path / "template.yaml", AppOptions(runtime="process", aws_port=0,
                                                   http_port=None))
    [problem] = refused.value.problems
    assert (problem.code, problem.resource, problem.at.line) == ("E2301", "Broken", 2)
    assert "the local DynamoDB refuses table" in problem.message
    assert "ValidationException" in problem.message


def test_up_is_ready_without_moto_dynamodb_and_a_first_call_finds_the_tables(
        tmp_path: Path) -> None:
    """The tables are checked before ready and made after it: moto's DynamoDB is not imported
    on the way to ready (the queue's SQS is), and a call that comes at once waits for them
    rather than missing one."""
    import subprocess
    import sys

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE.replace("{out}", "unused"))
    probe = """\
import sys
from pathlib import Path
import boto3
from samlite.app.root import App, AppOptions
app = App(Path(sys.argv[1]), AppOptions(runtime="process", aws_port=0, http_port=None))
app.start()
try:
    print(any(m.startswith("moto.dynamodb") for m in sys.modules))
    ddb = boto3.client("dynamodb", endpoint_url=app.endpoint_url, region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="x")
    print(len(ddb.list_tables()["TableNames"]))
    print(ddb.describe_table(TableName="ExampleTableWithStream")["Table"]["TableStatus"])
finally:
    app.stop()
"""
    out = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "template.yaml")],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    assert out.splitlines()[-3:] == ["False", "2", "ACTIVE"]


def test_a_table_made_after_ready_that_dynamodb_refuses_is_said_in_the_log(
        tmp_path: Path, monkeypatch: Any) -> None:
    """Should the rules let through a table DynamoDB refuses, its creation after ready says so
    as an error in the log, naming the table."""
    import samlite.app.tables

    monkeypatch.setattr(samlite.app.tables, "refusal", lambda params: None)
    (tmp_path / "template.yaml").write_text(REFUSED_TABLE)
    lines: list[str] = []
    app = App(tmp_path / "template.yaml", AppOptions(runtime="process", aws_port=0,
                                                     http_port=None),
              log=lambda source, line: lines.append(f"{source}: {line}"))
    app.start()
    try:
        ddb = boto3.client("dynamodb", endpoint_url=app.endpoint_url, region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="x")  # noqa: S106
        assert ddb.list_tables()["TableNames"] == []
    finally:
        app.stop()
    [line] = [line for line in lines if "table not made" in line]
    assert line.startswith("samlite: error: table not made: ")
    assert "E2301" in line and "Broken" in line and "ValidationException" in line


def test_a_damaged_dynamodb_state_file_stops_up_naming_it(tmp_path: Path) -> None:
    """Opened before ready, though the tables are made after: as before, up stops."""
    import pytest

    from samlite.errors import StateFileError

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE.replace("{out}", "unused"))
    (tmp_path / ".samlite").mkdir()
    (tmp_path / ".samlite" / "dynamodb.sqlite3").write_bytes(b"not a database" * 100)
    with pytest.raises(StateFileError, match=r"dynamodb\.sqlite3 can't be used"):
        App(tmp_path / "template.yaml", AppOptions(runtime="process", aws_port=0,
                                                   http_port=None,
                                                   state_dir=tmp_path / ".samlite"))


def test_a_kept_table_dynamodb_would_not_make_again_stops_up_naming_the_file(
        tmp_path: Path) -> None:
    import pytest

    from samlite.aws.dynamodb.persist import DynamoPersistence, SavedTable
    from samlite.errors import StateFileError

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE.replace("{out}", "unused"))
    kept = DynamoPersistence(tmp_path / ".samlite" / "dynamodb.sqlite3")
    kept.save_table(SavedTable(name="old", created_ms=0, ttl_attribute=None, stream_label=None,
                               params={"TableName": "old", "BillingMode": "PAY_PER_REQUEST",
                                       "KeySchema": [{"AttributeName": "k",
                                                      "KeyType": "HASH"}],
                                       "AttributeDefinitions": []}))
    kept.close()
    with pytest.raises(StateFileError, match=r"dynamodb\.sqlite3 can't be used: .*"
                                             r"Some index key attribute"):
        App(tmp_path / "template.yaml", AppOptions(runtime="process", aws_port=0,
                                                   http_port=None,
                                                   state_dir=tmp_path / ".samlite"))


def test_hot_reload_adds_a_table_and_starts_its_reader(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    out = tmp_path / "events.jsonl"
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE.replace("{out}", str(out)).replace(
        "StartingPosition: TRIM_HORIZON", "StartingPosition: TRIM_HORIZON\n"
                                          "            Enabled: false"))
    app = App(template, AppOptions(runtime="process", aws_port=0, http_port=None,
                                   state_dir=tmp_path / ".samlite"))
    app.start()
    try:
        ddb = boto3.client("dynamodb", endpoint_url=app.endpoint_url, region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="x")  # noqa: S106
        ddb.put_item(TableName="ExampleTableWithStream", Item={"Id": {"N": "1"}})
        template.write_text(TEMPLATE.replace("{out}", str(out)) + """\
  Added:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: added
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{AttributeName: k, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: k, AttributeType: S}]
""")
        assert app.reload(frozenset({template})) is not None
        assert "added" in ddb.list_tables()["TableNames"]
        # The mapping, enabled now, starts from TRIM_HORIZON: the item written before.
        wait_for(lambda: out.exists() and '"INSERT"' in out.read_text(), timeout_s=30,
                 message="the record written while the mapping was disabled")
    finally:
        app.stop()
