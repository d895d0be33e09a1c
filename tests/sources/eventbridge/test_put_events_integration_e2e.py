"""An HTTP API route with an EventBridge-PutEvents integration ("Integration subtype
reference") puts the request's event on the local EventBridge, whose rules deliver it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from samlite.testing import RunningApp

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Bus: {Type: AWS::Events::EventBus, Properties: {Name: app-bus}}
  Inbox: {Type: AWS::SQS::Queue, Properties: {QueueName: inbox}}
  Forward:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: app-bus
      EventPattern: {source: [api]}
      Targets: [{Id: inbox, Arn: !GetAtt Inbox.Arn}]
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: "3.0.1"
        info: {title: events, version: "1"}
        paths:
          /events:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                integrationSubtype: EventBridge-PutEvents
                payloadFormatVersion: "1.0"
                requestParameters:
                  Source: api
                  DetailType: $request.header.x-kind
                  Detail: $request.body
                  EventBusName: app-bus
"""


def test_put_events_integration_reaches_the_rules(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    app = samlite_app_factory(tmp_path / "template.yaml", http_port=0, aws_port=0)
    reply = app.request("POST", "/events", body='{"order": 42}',
                        headers={"x-kind": "created", "content-type": "application/json"})
    assert reply.status == 200, reply.text
    answer = reply.json()
    assert answer["FailedEntryCount"] == 0 and set(answer["Entries"][0]) == {"EventId"}
    messages = app.wait_for(lambda: app.sqs.receive_message(
        QueueUrl=app.queue_url("Inbox"), WaitTimeSeconds=1).get("Messages"))
    event = json.loads(messages[0]["Body"])
    assert (event["id"], event["source"], event["detail-type"], event["detail"]) == (
        answer["Entries"][0]["EventId"], "api", "created", {"order": 42})
