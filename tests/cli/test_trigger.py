"""`samlite trigger NAME` fires a schedule, rule or topic now in a running app, over loopback,
by the event's own name or its full id."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from click.testing import CliRunner

from samlite.app.root import App, AppOptions
from samlite.cli.main import main

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}
Resources:
  Ticker:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Nightly:
          Type: Schedule
          Properties:
            Schedule: cron(0 3 * * ? *)
        Hourly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 hour)
  Tocker:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Nightly:
          Type: Schedule
          Properties:
            Schedule: cron(0 4 * * ? *)
"""


def test_trigger_fires_a_schedule_by_its_event_name_or_its_full_id(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "def handler(event, context):\n    print('tick', event['detail-type'])\n")
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    ticks: list[str] = []
    both = threading.Event()

    def log(function: str, line: str) -> None:
        if line == "tick Scheduled Event":
            ticks.append(function)
            if len(ticks) == 2:
                both.set()

    app = App(tmp_path / "template.yaml",
              AppOptions(runtime="process", aws_port=0, http_port=0), log=log)
    with app:
        port = app.endpoint_url.rsplit(":", 1)[1]  # type: ignore[union-attr]
        runner = CliRunner()
        for name in ("Hourly", "TickerNightly"):
            fired = runner.invoke(main, ["trigger", name, "--aws-port", port])
            assert fired.exit_code == 0, fired.output
            assert fired.output.startswith(f"{name} fired: RequestId ")
        assert both.wait(10)
        shared = runner.invoke(main, ["trigger", "Nightly", "--aws-port", port])
        assert shared.exit_code == 2
        assert ("'Nightly' names 2 triggers: TickerNightly, TockerNightly; name one of them "
                "as written here") in shared.output
        unknown = runner.invoke(main, ["trigger", "Nope", "--aws-port", port])
        assert unknown.exit_code == 2
        assert ("no schedule, S3, DynamoDB or SQS trigger, rule or topic 'Nope' (triggers: "
                "Hourly or TickerHourly, TickerNightly, TockerNightly)") in unknown.output
    assert ticks == ["Ticker", "Ticker"]


MESSAGING = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Alerts: {Type: AWS::SNS::Topic}
  Watcher:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      Events:
        Paid:
          Type: EventBridgeRule
          Properties:
            Pattern: {source: [shop], detail-type: [paid], detail: {total: [{numeric: [">", 9]}]}}
        Alert:
          Type: SNS
          Properties:
            Topic: !Ref Alerts
            FilterPolicy: {level: [high], size: [{numeric: [">", 3]}]}
"""


def test_trigger_fires_an_eventbridge_rule_and_an_sns_topic(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "def handler(event, context):\n"
        "    if 'Records' in event:\n"
        "        print('sns', event['Records'][0]['Sns']['Subject'])\n"
        "    else:\n"
        "        print('rule', event['source'], event['detail-type'], event['detail'])\n")
    (tmp_path / "template.yaml").write_text(MESSAGING)
    seen: list[str] = []
    both = threading.Event()

    def log(function: str, line: str) -> None:
        if line.startswith(("sns ", "rule ")):
            seen.append(line)
            if len(seen) == 2:
                both.set()

    app = App(tmp_path / "template.yaml",
              AppOptions(runtime="process", aws_port=0, http_port=0), log=log)
    with app:
        port = app.endpoint_url.rsplit(":", 1)[1]  # type: ignore[union-attr]
        runner = CliRunner()
        said = {}
        for name in ("Paid", "Watcher.Alert"):
            fired = runner.invoke(main, ["trigger", name, "--aws-port", port])
            assert fired.exit_code == 0, fired.output
            said[name] = fired.output
        assert both.wait(10)
    # A rule is put an event and a topic published a message: the ids are theirs, no
    # invocation's (SNS's Publish answers a MessageId; an EventBridge event has an id).
    assert re.fullmatch(r"Paid put: EventId [0-9a-f-]{36}\n", said["Paid"])
    assert re.fullmatch(r"Watcher\.Alert published: MessageId [0-9a-f-]{36}\n",
                        said["Watcher.Alert"])
    assert sorted(seen) == ["rule shop paid {'total': 10.0}", "sns samlite trigger"]


def test_trigger_without_a_running_app_says_so() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = CliRunner().invoke(main, ["trigger", "X", "--aws-port", str(port)])
    assert result.exit_code == 2
    assert f"no samlite up answers on 127.0.0.1:{port}" in result.output

NOTHING_RECEIVES = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Watcher:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      Events:
        Paused:
          Type: EventBridgeRule
          Properties:
            State: DISABLED
            Pattern: {source: [shop]}
  ToStepFunctions:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {source: [shop]}
      Targets:
        - Id: flow
          Arn: arn:aws:states:us-east-1:123456789012:stateMachine:flow
          RoleArn: arn:aws:iam::123456789012:role/events
"""


def test_trigger_refuses_a_disabled_rule_and_one_nothing_local_receives(
        tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    pass\n")
    (tmp_path / "template.yaml").write_text(NOTHING_RECEIVES)
    app = App(tmp_path / "template.yaml",
              AppOptions(runtime="process", aws_port=0, http_port=0))
    with app:
        port = app.endpoint_url.rsplit(":", 1)[1]  # type: ignore[union-attr]
        runner = CliRunner()
        paused = runner.invoke(main, ["trigger", "WatcherPaused", "--aws-port", port])
        assert paused.exit_code == 2
        assert "WatcherPaused" in paused.output
        assert "is disabled (State: DISABLED)" in paused.output
        ghost = runner.invoke(main, ["trigger", "ToStepFunctions", "--aws-port", port])
        assert ghost.exit_code == 2
        assert "no target of it runs locally (targets: flow " \
               "(arn:aws:states:us-east-1:123456789012:stateMachine:flow))" in ghost.output
