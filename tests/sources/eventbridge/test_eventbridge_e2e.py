"""EventBridge through boto3 against the local endpoint: PutEvents' answer as the API
reference words it, and each event matched by rules on its bus and delivered to Lambda, SQS
and SNS targets with Input, InputPath and InputTransformer ("Amazon EventBridge input
transformation"), undeliverable events to the target's dead-letter queue."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from samlite.testing import RunningApp

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders: {Type: AWS::Events::EventBus, Properties: {Name: orders}}
  Shipped: {Type: AWS::SQS::Queue, Properties: {QueueName: shipped}}
  Fixed: {Type: AWS::SQS::Queue, Properties: {QueueName: fixed}}
  Dlq: {Type: AWS::SQS::Queue, Properties: {QueueName: dlq}}
  Fanout: {Type: AWS::SQS::Queue, Properties: {QueueName: fanout}}
  Alerts: {Type: AWS::SNS::Topic, Properties: {TopicName: alerts}}
  AlertsToFanout:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Alerts
      Protocol: sqs
      Endpoint: !GetAtt Fanout.Arn
      RawMessageDelivery: true
  OnShipped:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Orders
      EventPattern:
        source: [shop]
        detail-type: [shipped]
        detail: {total: [{numeric: [">", 10]}]}
      Targets:
        - Id: transformed
          Arn: !GetAtt Shipped.Arn
          InputTransformer:
            InputPathsMap: {id: $.detail.id, total: $.detail.total, first: "$.detail.items[0]"}
            InputTemplate: >-
              {"order": <id>, "text": "order <id> costs <total>", "first": <first>,
              "rule": "<aws.events.rule-name>"}
        - Id: fixed
          Arn: !GetAtt Fixed.Arn
          Input: '{"fixed": true}'
        - Id: ghost
          Arn: arn:aws:sqs:us-east-1:123456789012:ghost
          DeadLetterConfig: {Arn: !GetAtt Dlq.Arn}
        - Id: lost
          Arn: arn:aws:sqs:us-east-1:123456789012:nowhere
        - Id: alert
          Arn: !Ref Alerts
          InputPath: $.detail.id
  Handler:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Everything:
          Type: EventBridgeRule
          Properties:
            Pattern: {source: [{prefix: app.}]}
        Details:
          Type: EventBridgeRule
          Properties:
            Pattern: {detail-type: [{equals-ignore-case: DETAIL}]}
            InputPath: $.detail
"""

HANDLER = """\
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
"""


@pytest.fixture
def app(tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> RunningApp:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return samlite_app_factory(tmp_path / "template.yaml", http_port=None, aws_port=0)


def events_of(app: RunningApp, function: str) -> list[dict[str, Any]]:
    return [json.loads(line.split("EVENT ", 1)[1]) for line in app.logs(function)
            if "EVENT " in line]


def receive(app: RunningApp, queue: str) -> list[dict[str, Any]]:
    return app.sqs.receive_message(QueueUrl=app.queue_url(queue), MaxNumberOfMessages=10,
                                   MessageAttributeNames=["All"],
                                   WaitTimeSeconds=1).get("Messages", [])


def test_put_events_reaches_lambda_with_the_eventbridge_envelope(app: RunningApp) -> None:
    events = app.client("events")
    answer = events.put_events(Entries=[{"Source": "app.orders", "DetailType": "created",
                                         "Detail": '{"id": 7}', "Resources": ["arn:x"]}])
    assert answer["FailedEntryCount"] == 0
    [entry] = answer["Entries"]
    [event] = app.wait_for(lambda: events_of(app, "Handler"))
    assert set(event) == {"version", "id", "detail-type", "source", "account", "time",
                          "region", "resources", "detail"}
    assert (event["version"], event["id"], event["detail-type"], event["source"],
            event["account"], event["region"], event["resources"], event["detail"]) == (
        "0", entry["EventId"], "created", "app.orders", "123456789012", "us-east-1",
        ["arn:x"], {"id": 7})
    assert event["time"].endswith("Z") and len(event["time"]) == len("2015-11-11T21:29:54Z")


def test_input_path_sends_part_of_the_event(app: RunningApp) -> None:
    app.client("events").put_events(Entries=[
        {"Source": "other", "DetailType": "Detail", "Detail": '{"id": 8, "ok": true}'}])
    [event] = app.wait_for(lambda: events_of(app, "Handler"))
    assert event == {"id": 8, "ok": True}
    # The dashboard names the rule: the event it got no longer looks like EventBridge's.
    [run] = app.wait_for(lambda: app.invocations("Handler"))
    assert run.trigger == "eventbridge rule HandlerDetails on default"


def test_invalid_entries_are_answered_per_entry_in_eventbridges_words(
        app: RunningApp) -> None:
    answer = app.client("events").put_events(Entries=[
        {"Source": "app.x", "DetailType": "t", "Detail": "not json"},
        {"DetailType": "t", "Detail": "{}"},
        {"Source": "app.x", "DetailType": "t", "Detail": '{"ok": 1}'}])
    assert answer["FailedEntryCount"] == 2
    first, second, third = answer["Entries"]
    assert first == {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    assert second == {"ErrorCode": "InvalidArgument", "ErrorMessage":
                      "Parameter Source is not valid. Reason: Source is a required argument."}
    assert set(third) == {"EventId"}


def test_rules_on_a_custom_bus_deliver_to_sqs_and_sns_with_their_input(
        app: RunningApp) -> None:
    events = app.client("events")
    detail = {"id": "o-1", "total": 25, "items": [{"sku": "a"}]}
    events.put_events(Entries=[
        {"Source": "shop", "DetailType": "shipped", "Detail": json.dumps({**detail,
                                                                           "total": 5}),
         "EventBusName": "orders"},
        {"Source": "shop", "DetailType": "shipped", "Detail": json.dumps(detail),
         "EventBusName": "orders"},
        {"Source": "shop", "DetailType": "shipped", "Detail": json.dumps(detail)}])
    [transformed] = app.wait_for(lambda: receive(app, "Shipped"))
    assert json.loads(transformed["Body"]) == {
        "order": "o-1", "text": "order o-1 costs 25", "first": {"sku": "a"},
        "rule": "OnShipped"}
    [fixed] = app.wait_for(lambda: receive(app, "Fixed"))
    assert fixed["Body"] == '{"fixed": true}'
    [alert] = app.wait_for(lambda: receive(app, "Fanout"))
    assert alert["Body"] == '"o-1"'
    [dead] = app.wait_for(lambda: receive(app, "Dlq"))
    assert json.loads(dead["Body"])["detail"] == detail
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes["RULE_ARN"] == "arn:aws:events:us-east-1:123456789012:rule/orders/OnShipped"
    assert attributes["TARGET_ARN"] == "arn:aws:sqs:us-east-1:123456789012:ghost"
    assert set(attributes) == {"RULE_ARN", "TARGET_ARN", "ERROR_CODE", "ERROR_MESSAGE"}
    # With no dead-letter queue the log says the event is dropped, not only undelivered.
    app.wait_for(lambda: "dropped: the target has no dead-letter queue" in app.log_text(),
                 message="the undeliverable event's log line")


def test_an_unknown_bus_is_refused(app: RunningApp) -> None:
    with pytest.raises(ClientError) as caught:
        app.client("events").put_events(Entries=[
            {"Source": "a", "DetailType": "b", "Detail": "{}", "EventBusName": "nope"}])
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_the_plugin_triggers_a_rule_with_a_sample_its_pattern_matches(app: RunningApp) -> None:
    event_id = app.trigger("Everything")
    [event] = app.wait_for(lambda: events_of(app, "Handler"))
    assert event["id"] == event_id and event["source"].startswith("app.")


def test_rules_made_through_the_api_deliver_too(app: RunningApp) -> None:
    events = app.client("events")
    events.put_rule(Name="api-made", EventBusName="orders",
                    EventPattern=json.dumps({"source": ["api"]}))
    events.put_targets(Rule="api-made", EventBusName="orders", Targets=[
        {"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:fixed",
         "InputPath": "$.detail"},
        {"Id": "fn", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:"
                            + app.app.function("Handler").function_name}])
    events.put_events(Entries=[{"Source": "api", "DetailType": "x", "Detail": '{"n": 1}',
                                "EventBusName": "orders"}])
    [message] = app.wait_for(lambda: receive(app, "Fixed"))
    assert json.loads(message["Body"]) == {"n": 1}
    [event] = app.wait_for(lambda: events_of(app, "Handler"))
    assert (event["source"], event["detail"]) == ("api", {"n": 1})


def test_a_targets_message_group_reaches_a_fair_standard_queue(app: RunningApp) -> None:
    # SqsParameters: "for a target that is an Amazon SQS fair or FIFO queue" (EventBridge
    # API reference); a standard queue with a MessageGroupId is a fair queue.
    events = app.client("events")
    events.put_rule(Name="fair", EventBusName="orders",
                    EventPattern=json.dumps({"source": ["fair"]}))
    events.put_targets(Rule="fair", EventBusName="orders", Targets=[
        {"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:fixed",
         "SqsParameters": {"MessageGroupId": "tenant-a"}}])
    events.put_events(Entries=[{"Source": "fair", "DetailType": "x", "Detail": "{}",
                                "EventBusName": "orders"}])
    [message] = app.wait_for(lambda: app.sqs.receive_message(
        QueueUrl=app.queue_url("Fixed"), MessageSystemAttributeNames=["MessageGroupId"],
        WaitTimeSeconds=1).get("Messages", []))
    assert message["Attributes"]["MessageGroupId"] == "tenant-a"


def test_test_event_pattern_answers_with_the_rule_engine(app: RunningApp) -> None:
    events = app.client("events")
    event = json.dumps({"version": "0", "id": "1", "detail-type": "shipped", "source": "shop",
                        "account": "123456789012", "time": "2026-01-01T00:00:00Z",
                        "region": "us-east-1", "resources": [], "detail": {"total": 12}})
    matching = {"source": ["shop"], "detail": {"total": [{"numeric": [">", 10]}]}}
    assert events.test_event_pattern(EventPattern=json.dumps(matching), Event=event)[
        "Result"] is True
    other = {"source": [{"prefix": "app."}]}
    assert events.test_event_pattern(EventPattern=json.dumps(other), Event=event)[
        "Result"] is False
    with pytest.raises(ClientError) as caught:
        events.test_event_pattern(EventPattern='{"source": "shop"}', Event=event)
    assert caught.value.response["Error"]["Code"] == "InvalidEventPatternException"
    assert caught.value.response["Error"]["Message"].startswith("Event pattern is not valid.")


def test_template_rules_are_what_the_api_lists_and_disabling_one_stops_it(
        app: RunningApp) -> None:
    events = app.client("events")
    assert [r["Name"] for r in events.list_rules(EventBusName="orders")["Rules"]] == [
        "OnShipped"]
    rule = events.describe_rule(Name="OnShipped", EventBusName="orders")
    assert (rule["State"], json.loads(rule["EventPattern"])["source"]) == ("ENABLED", ["shop"])
    assert rule["Arn"] == "arn:aws:events:us-east-1:123456789012:rule/orders/OnShipped"
    targets = events.list_targets_by_rule(Rule="OnShipped", EventBusName="orders")["Targets"]
    assert {t["Id"]: t["Arn"] for t in targets}["fixed"] == \
        "arn:aws:sqs:us-east-1:123456789012:fixed"
    assert next(t for t in targets if t["Id"] == "fixed")["Input"] == '{"fixed": true}'
    assert events.list_rule_names_by_target(
        TargetArn="arn:aws:sqs:us-east-1:123456789012:fixed", EventBusName="orders")[
        "RuleNames"] == ["OnShipped"]
    default_names = {r["Name"] for r in events.list_rules()["Rules"]}
    assert {"HandlerEverything", "HandlerDetails"} <= default_names

    shipped = {"Source": "shop", "DetailType": "shipped", "EventBusName": "orders",
               "Detail": json.dumps({"id": 1, "total": 20, "items": [1]})}
    events.disable_rule(Name="OnShipped", EventBusName="orders")
    assert events.describe_rule(Name="OnShipped", EventBusName="orders")["State"] == "DISABLED"
    events.put_events(Entries=[shipped])
    events.enable_rule(Name="OnShipped", EventBusName="orders")
    events.put_events(Entries=[{**shipped, "Detail": json.dumps(
        {"id": 2, "total": 30, "items": [2]})}])
    [message] = app.wait_for(lambda: receive(app, "Shipped"))
    assert json.loads(message["Body"])["order"] == 2   # the event put while disabled: none
