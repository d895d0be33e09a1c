"""Buckets, queues and asynchronous invocation end to end: an App started in-process from a
template, real functions (process runtime), real boto3 clients against its endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from samlite.app.root import App, AppOptions
from samlite.testing import wait_for

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    CodeUri: src/
    Timeout: 10
    Environment:
      Variables:
        OUT_DIR: {out}
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: uploads-bucket
  Results:
    Type: AWS::S3::Bucket
  OnUpload:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.on_upload
      Environment:
        Variables:
          RESULTS: !Ref Results
      Events:
        Put:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
            Filter:
              S3Key:
                Rules:
                  - Name: prefix
                    Value: in/
  Orders:
    Type: AWS::SQS::Queue
    Properties:
      # Longer than a cold start under load: a message whose visibility ran out during one
      # would be received twice, and a stale delete would leave it to the DLQ (as on AWS).
      VisibilityTimeout: 3
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt OrdersDlq.Arn
        maxReceiveCount: 2
  OrdersDlq:
    Type: AWS::SQS::Queue
  Idle:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.on_orders
      Timeout: 1            # a queue's VisibilityTimeout may not be shorter
      Events:
        Orders:
          Type: SQS
          Properties:
            Queue: !GetAtt Orders.Arn
            BatchSize: 10
            FunctionResponseTypes: [ReportBatchItemFailures]
  Failures:
    Type: AWS::SQS::Queue
  Successes:
    Type: AWS::SQS::Queue
  DeadEvents:
    Type: AWS::SQS::Queue
  Flaky:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.flaky
      DeadLetterQueue:
        Type: SQS
        TargetArn: !GetAtt DeadEvents.Arn
      EventInvokeConfig:
        MaximumRetryAttempts: 1
        DestinationConfig:
          OnSuccess:
            Type: SQS
            Destination: !GetAtt Successes.Arn
          OnFailure:
            Type: SQS
            Destination: !GetAtt Failures.Arn
"""

HANDLERS = """\
import json, os, uuid
import boto3

def _record(kind, event):
    name = os.path.join(os.environ["OUT_DIR"], f"{kind}-{uuid.uuid4().hex}.json")
    with open(name + ".tmp", "w") as f:
        json.dump(event, f)
    os.replace(name + ".tmp", name)

def on_upload(event, context):
    _record("upload", event)
    record = event["Records"][0]["s3"]
    # unmodified boto3 code: AWS_ENDPOINT_URL points it at samlite
    boto3.client("s3").put_object(Bucket=os.environ["RESULTS"],
                                  Key="seen/" + record["object"]["key"], Body=b"ok")

def on_orders(event, context):
    failures = []
    for record in event["Records"]:
        if json.loads(record["body"]).get("fail"):
            failures.append({"itemIdentifier": record["messageId"]})
        else:
            _record("order", record)
    return {"batchItemFailures": failures}

def flaky(event, context):
    _record("flaky", event)
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"done": event}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLERS)
    (tmp_path / "template.yaml").write_text(TEMPLATE.format(out=out))
    return tmp_path


def start(project: Path, **options: Any) -> App:
    from samlite.app.config import pseudo_parameters

    # The pseudo parameters the CLI derives from the project folder, so generated names
    # match what `samlite invoke` resolves.
    app = App(project / "template.yaml", AppOptions(
        runtime="process", aws_port=0, http_port=0, state_dir=project / ".samlite",
        retry_delay_scale=0.002, pseudo=pseudo_parameters(project, {}, region=None),
        **options))
    app.start()
    return app


@pytest.fixture
def app(project: Path) -> Iterator[App]:
    app = start(project)
    yield app
    app.stop()


def client(app: App, service: str) -> Any:
    return boto3.client(service, endpoint_url=app.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",  # noqa: S106
                        config=Config(retries={"max_attempts": 1}))


def outputs(project: Path, kind: str) -> list[Any]:
    return [json.loads(p.read_text()) for p in sorted((project / "out").glob(f"{kind}-*.json"))]


def queue_url(app: App, name: str) -> str:
    queue = next(q for q in app.graph.queues if q.logical_id == name)
    return queue.url


def drain(app: App, name: str, expect: int, timeout_s: float = 15.0) -> list[dict]:
    sqs, got = client(app, "sqs"), []

    def more() -> bool:
        reply = sqs.receive_message(QueueUrl=queue_url(app, name), MaxNumberOfMessages=10,
                                    WaitTimeSeconds=1, MessageAttributeNames=["All"])
        got.extend(reply.get("Messages", []))
        return len(got) >= expect

    wait_for(more, timeout_s=timeout_s)
    return got


def test_an_upload_invokes_the_function_with_s3s_record(app: App, project: Path) -> None:
    s3 = client(app, "s3")
    s3.put_object(Bucket="uploads-bucket", Key="in/red flower.jpg", Body=b"12345")
    s3.put_object(Bucket="uploads-bucket", Key="elsewhere/x.txt", Body=b"1")
    [event] = wait_for(lambda: outputs(project, "upload"))
    record = event["Records"][0]
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["bucket"]["name"] == "uploads-bucket"
    assert record["s3"]["object"]["key"] == "in/red+flower.jpg"
    assert record["s3"]["object"]["size"] == 5
    results = next(b.bucket_name for b in app.graph.buckets if b.logical_id == "Results")
    wait_for(lambda: s3.list_objects_v2(Bucket=results).get("KeyCount"))
    assert s3.get_object(Bucket=results, Key="seen/in/red+flower.jpg")["Body"].read() == b"ok"
    assert len(outputs(project, "upload")) == 1     # the prefix filter kept the other out


def test_a_file_dropped_into_the_bucket_folder_is_an_upload(app: App, project: Path) -> None:
    folder = project / ".samlite" / "buckets" / "uploads-bucket" / "in"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dropped.csv").write_text("a,b\n")
    [event] = wait_for(lambda: outputs(project, "upload"))
    assert event["Records"][0]["s3"]["object"]["key"] == "in/dropped.csv"
    body = client(app, "s3").get_object(Bucket="uploads-bucket", Key="in/dropped.csv")["Body"]
    assert body.read() == b"a,b\n"


def test_queue_messages_reach_the_worker_and_failures_end_in_the_dlq(app: App,
                                                                     project: Path) -> None:
    sqs = client(app, "sqs")
    for body in ({"n": 1}, {"n": 2, "fail": True}, {"n": 3}):
        sqs.send_message(QueueUrl=queue_url(app, "Orders"), MessageBody=json.dumps(body))
    # At least once: under load a batch may time out and run again, so count distinct bodies.
    def numbers() -> set[int]:
        return {json.loads(r["body"])["n"] for r in outputs(project, "order")}

    wait_for(lambda: numbers() == {1, 3})
    processed = outputs(project, "order")
    assert processed[0]["eventSource"] == "aws:sqs"
    [dead] = drain(app, "OrdersDlq", 1, timeout_s=30)
    assert json.loads(dead["Body"]) == {"n": 2, "fail": True}


def test_async_invocations_retry_then_reach_their_destinations(app: App,
                                                               project: Path) -> None:
    lam = client(app, "lambda")
    lam.invoke(FunctionName="Flaky", InvocationType="Event", Payload=b'{"fail": true}')
    lam.invoke(FunctionName="Flaky", InvocationType="Event", Payload=b'{"ok": 1}')
    [failure] = drain(app, "Failures", 1)
    record = json.loads(failure["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestPayload"] == {"fail": True}
    assert record["responsePayload"]["errorType"] == "ValueError"
    [dead] = drain(app, "DeadEvents", 1)
    assert json.loads(dead["Body"]) == {"fail": True}
    assert dead["MessageAttributes"]["ErrorMessage"]["StringValue"] == "asked to fail"
    [success] = drain(app, "Successes", 1)
    assert json.loads(success["Body"])["responsePayload"] == {"done": {"ok": 1}}
    assert len([e for e in outputs(project, "flaky") if e.get("fail")]) == 2


def test_objects_and_messages_survive_a_restart_and_reset_forgets_them(project: Path) -> None:
    app = start(project)
    try:
        client(app, "s3").put_object(Bucket="uploads-bucket", Key="keep.txt", Body=b"kept")
        client(app, "sqs").send_message(QueueUrl=queue_url(app, "Idle"), MessageBody="later")
    finally:
        app.stop()
    assert (project / ".samlite" / "buckets" / "uploads-bucket" / "keep.txt").read_bytes() \
        == b"kept"
    app = start(project)
    try:
        body = client(app, "s3").get_object(Bucket="uploads-bucket", Key="keep.txt")["Body"]
        assert body.read() == b"kept"
        [message] = drain(app, "Idle", 1)
        assert message["Body"] == "later"
    finally:
        app.stop()
    app = start(project, reset_state=True)
    try:
        listing = client(app, "s3").list_objects_v2(Bucket="uploads-bucket")
        assert listing.get("KeyCount") == 0
    finally:
        app.stop()


def test_services_not_run_locally_get_a_clear_error(app: App) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError, match="not run locally"):
        client(app, "kinesis").list_streams()


def test_trigger_replays_the_newest_matching_object_of_an_s3_trigger(app: App,
                                                                     project: Path) -> None:
    from samlite.errors import UsageError

    with pytest.raises(UsageError, match="has no object"):
        app.fire_trigger("Put")
    s3 = client(app, "s3")
    s3.put_object(Bucket="uploads-bucket", Key="in/first.txt", Body=b"1")
    wait_for(lambda: outputs(project, "upload"))
    s3.put_object(Bucket="uploads-bucket", Key="other/newer.txt", Body=b"2")   # filtered out
    app.fire_trigger("Put")
    events = wait_for(lambda: len(outputs(project, "upload")) == 2 and outputs(project, "upload"))
    assert {e["Records"][0]["s3"]["object"]["key"] for e in events} == {"in/first.txt"}
    assert app.fire_trigger("Orders").verb == "sent"     # a sample message on its queue
    with pytest.raises(UsageError, match=r"'Nope' \(triggers: .*Put"):
        app.fire_trigger("Nope")


def test_samlite_invoke_uses_a_running_apps_endpoint(app: App, project: Path) -> None:
    from click.testing import CliRunner  # noqa: TID251 - the CLI as a user runs it

    from samlite.app.running import ping_endpoint
    from samlite.cli.main import main

    ping = ping_endpoint(app.endpoint_url or "")
    assert ping is not None
    assert (ping["template"], ping["stateDir"]) == (str((project / "template.yaml").resolve()),
                                                    str((project / ".samlite").resolve()))
    client(app, "s3").put_object(Bucket="uploads-bucket", Key="in/x.txt", Body=b"x")
    wait_for(lambda: outputs(project, "upload"))
    event = json.dumps({"Records": [{"s3": {"object": {"key": "direct.txt"}}}]})
    result = CliRunner().invoke(main, ["invoke", "OnUpload", "-t",
                                       str(project / "template.yaml"), "-e", "-",
                                       "--aws-endpoint-url", app.endpoint_url,
                                       "--runtime", "process"], input=event)
    assert result.exit_code == 0, result.output
    results = next(b.bucket_name for b in app.graph.buckets if b.logical_id == "Results")
    body = client(app, "s3").get_object(Bucket=results, Key="seen/direct.txt")["Body"]
    assert body.read() == b"ok"
