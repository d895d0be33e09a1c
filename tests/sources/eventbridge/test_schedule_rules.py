"""Schedule rules through boto3 against the local endpoint: the template's rules with a
ScheduleExpression (AWS::Events::Rule, SAM `Schedule` events, named and targeted as SAM's
translator makes them) are on the default bus as the EventBridge API shows deployed ones, and
DisableRule / EnableRule stop and start their schedule."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from samlite.app.root import App, AppOptions
from samlite.testing import FAKE_CREDENTIALS, wait_for

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Handler:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      FunctionName: ticker
      Events:
        Hourly:
          Type: Schedule
          Properties:
            Schedule: rate(1 hour)
            Input: '{"from": "hourly"}'
            RetryPolicy: {MaximumRetryAttempts: 2}
        Paused:
          Type: Schedule
          Properties: {Schedule: rate(1 hour), Enabled: false}
  Nightly:
    Type: AWS::Events::Rule
    Properties:
      Name: nightly-report
      ScheduleExpression: cron(0 3 * * ? *)
      Targets:
        - {Id: report, Arn: !GetAtt Handler.Arn}
"""

HANDLER = """\
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
"""

FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:ticker"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    lines: list[tuple[str, str]] = []
    running = App(tmp_path / "template.yaml",
                  AppOptions(runtime="process", aws_port=0, http_port=0,
                             state_dir=tmp_path / ".samlite"),
                  log=lambda fn, line: lines.append((fn, line)))
    running.lines = lines  # type: ignore[attr-defined]
    with running:
        yield running


def events_client(app: App):  # type: ignore[no-untyped-def]
    return boto3.client("events", endpoint_url=app.endpoint_url, region_name="us-east-1",
                        **FAKE_CREDENTIALS)


def scheduled(app: App) -> set[str]:
    assert app.scheduler is not None
    return {name for name, _function, _when in app.scheduler.next_fires()}


def test_schedule_rules_are_on_the_default_bus_as_the_template_says(app: App) -> None:
    events = events_client(app)
    rules = {r["Name"]: r for r in events.list_rules()["Rules"]}
    assert {"HandlerHourly", "HandlerPaused", "nightly-report"} <= set(rules)
    hourly = events.describe_rule(Name="HandlerHourly")
    assert (hourly["ScheduleExpression"], hourly["State"], hourly["EventBusName"]) == (
        "rate(1 hour)", "ENABLED", "default")
    assert hourly["Arn"] == "arn:aws:events:us-east-1:123456789012:rule/HandlerHourly"
    assert "EventPattern" not in hourly
    assert rules["HandlerPaused"]["State"] == "DISABLED"
    assert rules["nightly-report"]["ScheduleExpression"] == "cron(0 3 * * ? *)"
    [target] = events.list_targets_by_rule(Rule="HandlerHourly")["Targets"]
    assert target == {"Id": "HandlerHourlyLambdaTarget", "Arn": FUNCTION_ARN,
                      "Input": '{"from": "hourly"}',
                      "RetryPolicy": {"MaximumRetryAttempts": 2}}
    [report] = events.list_targets_by_rule(Rule="nightly-report")["Targets"]
    assert (report["Id"], report["Arn"]) == ("report", FUNCTION_ARN)
    assert set(events.list_rule_names_by_target(TargetArn=FUNCTION_ARN)["RuleNames"]) == {
        "HandlerHourly", "HandlerPaused", "nightly-report"}


def test_disable_rule_stops_a_schedule_and_enable_rule_starts_it(app: App) -> None:
    events = events_client(app)
    assert app.scheduler is not None
    assert scheduled(app) == {"HandlerHourly", "Nightly"}
    events.disable_rule(Name="HandlerHourly")
    events.disable_rule(Name="nightly-report")
    assert scheduled(app) == set()
    later = datetime.now(UTC) + timedelta(days=2)
    assert app.scheduler.run_due(later) == 0
    events.enable_rule(Name="HandlerPaused")
    assert scheduled(app) == {"HandlerPaused"}
    assert app.scheduler.run_due(later) == 1
    lines: list[tuple[str, str]] = app.lines  # type: ignore[attr-defined]
    [event] = wait_for(lambda: [json.loads(line.split("EVENT ", 1)[1])
                                for _fn, line in lines if "EVENT " in line])
    assert (event["detail-type"], event["resources"]) == (
        "Scheduled Event", ["arn:aws:events:us-east-1:123456789012:rule/HandlerPaused"])


def test_a_schedule_rule_deleted_through_the_api_stops(app: App) -> None:
    events = events_client(app)
    events.remove_targets(Rule="nightly-report", Ids=["report"])
    events.delete_rule(Name="nightly-report")
    assert scheduled(app) == {"HandlerHourly"}
