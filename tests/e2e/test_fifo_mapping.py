"""A FIFO queue behind an SQS event source mapping: the function sees each message group's
messages in the order they were sent, even with several pollers and a failing batch."""

from __future__ import annotations

import json
from pathlib import Path

import boto3

from samlite.app.root import App, AppOptions
from samlite.testing import wait_for

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Steps:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: steps.fifo
      FifoQueue: true
      ContentBasedDeduplication: true
      VisibilityTimeout: 2
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Timeout: 2
      Environment:
        Variables:
          OUT: {out}
      Events:
        Steps:
          Type: SQS
          Properties:
            Queue: !GetAtt Steps.Arn
            BatchSize: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
"""

HANDLER = """\
import json, os

failed_once = set()

def handler(event, context):
    failures = []
    for record in event["Records"]:
        body = json.loads(record["body"])
        if failures:                      # after a failure, the rest of the batch waits too
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        if body["n"] == 3 and body["group"] not in failed_once:
            failed_once.add(body["group"])   # fail once: it must come back before n=4 runs
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        with open(os.environ["OUT"], "a") as out:
            out.write(json.dumps(body) + "\\n")
    return {"batchItemFailures": failures}
"""


def test_each_group_is_processed_in_order(tmp_path: Path) -> None:
    out = tmp_path / "seen.jsonl"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE.format(out=out))
    app = App(tmp_path / "template.yaml", AppOptions(
        runtime="process", aws_port=0, http_port=0, state_dir=tmp_path / ".samlite"))
    app.start()
    try:
        sqs = boto3.client("sqs", endpoint_url=app.endpoint_url, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")  # noqa: S106
        url = sqs.get_queue_url(QueueName="steps.fifo")["QueueUrl"]
        for n in range(1, 11):
            for group in ("a", "b", "c"):
                sqs.send_message(QueueUrl=url, MessageGroupId=group,
                                 MessageBody=json.dumps({"group": group, "n": n}))
        def seen_all() -> list[dict]:
            seen = [json.loads(line) for line in out.read_text().splitlines()] \
                if out.exists() else []
            return seen if len(seen) >= 30 else []

        seen = wait_for(seen_all, timeout_s=30, interval_s=0.05)
    finally:
        app.stop()
    for group in ("a", "b", "c"):
        assert [s["n"] for s in seen if s["group"] == group] == list(range(1, 11))
