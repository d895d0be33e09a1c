"""What EventBridge keeps across a restart of the same state directory: buses, rules and
targets made through the API, and what clients did to the template's rules (DisableRule) until
the template changes them; a rule made through the API keeps delivering. `--reset` forgets it
all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest

from samlite.app.root import App, AppOptions
from samlite.cli.summary import startup_lines
from samlite.state import StateDir
from samlite.testing import FAKE_CREDENTIALS, wait_for

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Inbox: {Type: AWS::SQS::Queue, Properties: {QueueName: inbox}}
  Fanout: {Type: AWS::SQS::Queue, Properties: {QueueName: fanout}}
  Alerts: {Type: AWS::SNS::Topic, Properties: {TopicName: alerts}}
  AlertsToFanout:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Alerts
      Protocol: sqs
      Endpoint: !GetAtt Fanout.Arn
      RawMessageDelivery: true
  Orders: {Type: AWS::Events::EventBus, Properties: {Name: orders}}
  OnOrder:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Orders
      EventPattern: {source: [shop]}
      Targets: [{Id: inbox, Arn: !GetAtt Inbox.Arn}]
  Handler:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      FunctionName: ticker
      Events:
        Hourly: {Type: Schedule, Properties: {Schedule: rate(1 hour)}}
"""

HANDLER = """\
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
"""

INBOX_ARN = "arn:aws:sqs:us-east-1:123456789012:inbox"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:ticker"


@contextmanager
def started(folder: Path, template: str = TEMPLATE,
            said: list[str] | None = None) -> Iterator[App]:
    (folder / "src").mkdir(exist_ok=True)
    (folder / "src" / "app.py").write_text(HANDLER)
    (folder / "template.yaml").write_text(template)
    app = App(folder / "template.yaml",
              AppOptions(runtime="process", aws_port=0, http_port=0,
                         state_dir=folder / ".samlite"),
              log=lambda fn, line: said.append(line) if said is not None else None)
    with app:
        yield app


def client(app: App, service: str):  # type: ignore[no-untyped-def]
    return boto3.client(service, endpoint_url=app.endpoint_url, region_name="us-east-1",
                        **FAKE_CREDENTIALS)


def bodies(app: App, queue: str) -> list[str]:
    sqs = client(app, "sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    return [m["Body"] for m in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1,
                                                   MaxNumberOfMessages=10)
            .get("Messages", [])]


def scheduled(app: App) -> set[str]:
    assert app.scheduler is not None
    return {name for name, _function, _when in app.scheduler.next_fires()}


def test_buses_rules_and_targets_made_through_the_api_survive_a_restart_and_deliver(
        tmp_path: Path) -> None:
    with started(tmp_path) as app:
        events = client(app, "events")
        events.create_event_bus(Name="audit")
        events.create_event_bus(Name="scratch")
        events.put_rule(Name="to-inbox", EventBusName="audit",
                        EventPattern=json.dumps({"source": ["audit"]}))
        events.put_targets(Rule="to-inbox", EventBusName="audit", Targets=[
            {"Id": "inbox", "Arn": INBOX_ARN, "InputPath": "$.detail"},
            {"Id": "gone", "Arn": INBOX_ARN},
            {"Id": "fn", "Arn": FUNCTION_ARN},
            {"Id": "topic", "Arn": "arn:aws:sns:us-east-1:123456789012:alerts",
             "Input": '"alert"'}])
        events.remove_targets(Rule="to-inbox", EventBusName="audit", Ids=["gone"])
        events.put_rule(Name="dropped", EventPattern=json.dumps({"source": ["x"]}))
        events.delete_rule(Name="dropped")
        events.delete_event_bus(Name="scratch")
        events.put_rule(Name="paused", EventBusName="audit", State="DISABLED",
                        EventPattern=json.dumps({"source": ["audit"]}))
        events.put_targets(Rule="paused", EventBusName="audit",
                           Targets=[{"Id": "inbox", "Arn": INBOX_ARN}])
    said: list[str] = []
    with started(tmp_path, said=said) as app:
        events = client(app, "events")
        assert {b["Name"] for b in events.list_event_buses()["EventBuses"]} == {
            "default", "orders", "audit"}
        assert {r["Name"]: r["State"] for r in events.list_rules(EventBusName="audit")[
            "Rules"]} == {"to-inbox": "ENABLED", "paused": "DISABLED"}
        assert "dropped" not in {r["Name"] for r in events.list_rules()["Rules"]}
        targets = events.list_targets_by_rule(Rule="to-inbox", EventBusName="audit")[
            "Targets"]
        assert [t["Id"] for t in targets] == ["inbox", "fn", "topic"]
        assert targets[0] == {"Id": "inbox", "Arn": INBOX_ARN, "InputPath": "$.detail"}
        events.put_events(Entries=[{"Source": "audit", "DetailType": "t",
                                    "Detail": '{"n": 1}', "EventBusName": "audit"}])
        assert wait_for(lambda: bodies(app, "inbox")) == ['{"n": 1}']   # not by "paused"
        assert wait_for(lambda: bodies(app, "fanout")) == ['"alert"']
        [event] = wait_for(lambda: [json.loads(line.split("EVENT ", 1)[1]) for line in said
                                    if "EVENT " in line])
        assert (event["source"], event["detail"]) == ("audit", {"n": 1})


def test_a_template_rule_disabled_through_the_api_stays_so_until_the_template_changes_it(
        tmp_path: Path) -> None:
    with started(tmp_path) as app:
        events = client(app, "events")
        events.disable_rule(Name="OnOrder", EventBusName="orders")
        events.disable_rule(Name="HandlerHourly")
    with started(tmp_path) as app:
        events = client(app, "events")
        assert events.describe_rule(Name="OnOrder", EventBusName="orders")["State"] == \
            "DISABLED"
        assert events.describe_rule(Name="HandlerHourly")["State"] == "DISABLED"
        assert scheduled(app) == set()
        assert app.scheduler is not None
        table = startup_lines(app.graph, app.functions, runtime_kind="process",
                              route_lines=[], function_urls={},
                              next_fires=app.scheduler.next_fires(),
                              disabled_schedules=app.scheduler.disabled())
        [row] = [line.split() for line in table if line.split()[:1] == ["HandlerHourly"]]
        assert "disabled" in row and "never" not in row   # the NEXT column
        events.put_events(Entries=[{"Source": "shop", "DetailType": "t", "Detail": "{}",
                                    "EventBusName": "orders"}])
        assert bodies(app, "inbox") == []
    changed = TEMPLATE.replace("EventPattern: {source: [shop]}",
                               "EventPattern: {source: [shop, store]}") \
        .replace("rate(1 hour)", "rate(2 hours)")
    with started(tmp_path, changed) as app:
        events = client(app, "events")
        rule = events.describe_rule(Name="OnOrder", EventBusName="orders")
        assert (rule["State"], json.loads(rule["EventPattern"])) == (
            "ENABLED", {"source": ["shop", "store"]})
        hourly = events.describe_rule(Name="HandlerHourly")
        assert (hourly["State"], hourly["ScheduleExpression"]) == ("ENABLED", "rate(2 hours)")
        assert scheduled(app) == {"HandlerHourly"}


def test_a_rule_the_template_no_longer_has_is_gone_and_its_kept_calls_are_passed_over(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with started(tmp_path) as app:
        client(app, "events").disable_rule(Name="OnOrder", EventBusName="orders")
    without = TEMPLATE.split("  OnOrder:")[0] + "  Handler:\n" + \
        TEMPLATE.split("\n  Handler:\n")[1]
    said: list[str] = []
    with started(tmp_path, without, said) as app:
        events = client(app, "events")
        assert events.list_rules(EventBusName="orders")["Rules"] == []
        # The name is free now: a client's rule of that name is the client's, and kept.
        events.put_rule(Name="OnOrder", EventBusName="orders",
                        EventPattern=json.dumps({"source": ["client"]}))
    assert not [line for line in said if "OnOrder" in line]
    assert "refused on replay" not in caplog.text
    with started(tmp_path, without) as app:
        rule = client(app, "events").describe_rule(Name="OnOrder", EventBusName="orders")
        assert json.loads(rule["EventPattern"]) == {"source": ["client"]}


def test_a_schedule_rule_made_through_the_api_fires_its_function_after_a_restart(
        tmp_path: Path) -> None:
    with started(tmp_path) as app:
        events = client(app, "events")
        events.put_rule(Name="every-minute", ScheduleExpression="rate(1 minute)")
        events.put_targets(Rule="every-minute", Targets=[
            {"Id": "fn", "Arn": FUNCTION_ARN, "Input": '{"api": true}'},
            {"Id": "q", "Arn": INBOX_ARN}])
        assert scheduled(app) == {"HandlerHourly", "every-minute"}
    said: list[str] = []
    with started(tmp_path, said=said) as app:
        assert scheduled(app) == {"HandlerHourly", "every-minute"}
        assert [line for line in said if "not fired locally" in line] == [
            f"samlite: rule every-minute: target q ({INBOX_ARN}) is not fired locally: only "
            "a schedule's targets that are functions of this app are"]
        client(app, "events").disable_rule(Name="every-minute")
        assert scheduled(app) == {"HandlerHourly"}


def test_reset_forgets_what_the_api_made(tmp_path: Path) -> None:
    with started(tmp_path) as app:
        events = client(app, "events")
        events.create_event_bus(Name="audit")
        events.disable_rule(Name="HandlerHourly")
    StateDir(root=tmp_path / ".samlite").reset()
    with started(tmp_path) as app:
        events = client(app, "events")
        assert {b["Name"] for b in events.list_event_buses()["EventBuses"]} == {
            "default", "orders"}
        assert events.describe_rule(Name="HandlerHourly")["State"] == "ENABLED"
        assert scheduled(app) == {"HandlerHourly"}
