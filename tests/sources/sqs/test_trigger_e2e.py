"""`samlite trigger` of an SQS event (the pytest plugin's `.trigger`, the same code): the
trigger's queue gets a sample message, which its poller hands to the function as any
message; a name two functions' SQS events share lists full ids that each fire."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from samlite.errors import UsageError
from samlite.testing import RunningApp

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.12, Handler: app.handler, CodeUri: src/}
Resources:
  Orders: {Type: AWS::SQS::Queue}
  Refunds: {Type: AWS::SQS::Queue}
  OrderWorker:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        SQSEvent:
          Type: SQS
          Properties:
            Queue: !GetAtt Orders.Arn
            FilterCriteria:
              Filters: [{Pattern: '{"body": {"kind": ["order"]}}'}]
  RefundWorker:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        SQSEvent: {Type: SQS, Properties: {Queue: !GetAtt Refunds.Arn}}
"""

HANDLER = """\
def handler(event, context):
    for record in event["Records"]:
        print("BODY " + record["body"])
"""


@pytest.fixture
def app(tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> RunningApp:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return samlite_app_factory(tmp_path / "template.yaml", http_port=None, aws_port=0)


def bodies(app: RunningApp, function: str) -> list[object]:
    return [json.loads(line.split("BODY ", 1)[1]) for line in app.logs(function)
            if "BODY " in line]


def test_each_full_id_a_shared_name_lists_fires_its_own_queue(app: RunningApp) -> None:
    with pytest.raises(UsageError) as refused:
        app.trigger("SQSEvent")
    assert "OrderWorkerSQSEvent, RefundWorkerSQSEvent" in str(refused.value)
    app.trigger("OrderWorkerSQSEvent")
    # The sample body passes the mapping's filter, so the function gets it.
    assert app.wait_for(lambda: bodies(app, "OrderWorker")) == [{"kind": "order"}]
    app.trigger("RefundWorkerSQSEvent")
    assert app.wait_for(lambda: bodies(app, "RefundWorker")) == [{"samlite": "trigger"}]
    assert bodies(app, "OrderWorker") == [{"kind": "order"}]
