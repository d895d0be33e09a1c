"""Schedule expressions and time zones in every place a template can hold them."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.errors import Problem
from samlite.template.load import parse_template
from samlite.validation.checks.context import CheckContext
from samlite.validation.checks.schedules import CHECKS


def run(text: str) -> list[Problem]:
    ctx = CheckContext(loaded=parse_template(text, name="template.yaml"), resolved=None,
                       project_dir=Path())
    return [p for check in CHECKS for p in check(ctx)]


def function_event(event_type: str, props: str) -> str:
    return f"""\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Events:
        Tick:
          Type: {event_type}
          Properties: {props}
"""


def rule(expression: str) -> str:
    return f"""\
Resources:
  Rule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: "{expression}"
"""


def scheduler(props: str) -> str:
    return f"""\
Resources:
  Schedule:
    Type: AWS::Scheduler::Schedule
    Properties: {props}
"""


@pytest.mark.parametrize("text", [
    function_event("Schedule", "{Schedule: rate(1 minute)}"),
    function_event("Schedule", "{Schedule: 'cron(0 12 * * ? *)'}"),
    function_event("Schedule", "{Schedule: !Ref Expr}"),
    function_event("ScheduleV2", "{ScheduleExpression: 'at(2027-01-01T00:00:00)', "
                                 "ScheduleExpressionTimezone: Europe/Paris}"),
    function_event("ScheduleV2", "{ScheduleExpression: rate(5 minutes), "
                                 "ScheduleExpressionTimezone: UTC}"),
    rule("rate(2 hours)"),
    scheduler("{ScheduleExpression: 'cron(0 9 ? * MON-FRI *)', "
              "ScheduleExpressionTimezone: America/New_York}"),
], ids=["schedule-rate", "schedule-cron", "schedule-intrinsic", "v2-at", "v2-rate", "rule",
        "scheduler"])
def test_valid_schedules_pass(text: str) -> None:
    assert run(text) == []


@pytest.mark.parametrize(("text", "path", "message_part"), [
    (function_event("Schedule", "{Schedule: rate(1 minutes)}"),
     "Resources.Fn.Properties.Events.Tick.Properties.Schedule", "rate(1 minute)"),
    (function_event("Schedule", "{Schedule: rate(5 minute)}"),
     "Resources.Fn.Properties.Events.Tick.Properties.Schedule", "rate(5 minutes)"),
    (function_event("Schedule", "{Schedule: 'cron(0 12 * * * *)'}"),
     "Resources.Fn.Properties.Events.Tick.Properties.Schedule", "must be '?'"),
    (function_event("Schedule", "{Schedule: 'at(2027-01-01T00:00:00)'}"),
     "Resources.Fn.Properties.Events.Tick.Properties.Schedule", "only in EventBridge Scheduler"),
    (function_event("ScheduleV2", "{ScheduleExpression: 'cron(0 25 * * ? *)'}"),
     "Resources.Fn.Properties.Events.Tick.Properties.ScheduleExpression", "hours takes 0-23"),
    (rule("cron(0 12 * * ?)"), "Resources.Rule.Properties.ScheduleExpression", "6 fields"),
    (scheduler("{ScheduleExpression: 'at(2027-13-01T00:00:00)'}"),
     "Resources.Schedule.Properties.ScheduleExpression", "not a real date"),
], ids=["rate-singular", "rate-plural", "cron-question-mark", "at-in-schedule",
        "v2-hours", "rule-fields", "scheduler-at"])
def test_bad_expressions_are_reported(text: str, path: str, message_part: str) -> None:
    problem, = run(text)
    assert (problem.code, problem.path) == ("E4101", path)
    assert message_part in problem.message


@pytest.mark.parametrize(("text", "hint"), [
    (function_event("ScheduleV2", "{ScheduleExpression: rate(1 day), "
                                  "ScheduleExpressionTimezone: Europe/Pariss}"),
     "did you mean \"Europe/Paris\"?"),
    (scheduler("{ScheduleExpression: rate(1 day), ScheduleExpressionTimezone: CEST}"), ""),
    (scheduler("{ScheduleExpression: rate(1 day), ScheduleExpressionTimezone: ../etc/passwd}"),
     ""),
], ids=["typo", "abbreviation", "path"])
def test_time_zones_must_be_iana_names(text: str, hint: str) -> None:
    problem, = run(text)
    assert problem.code == "E4102"
    assert problem.path.endswith("ScheduleExpressionTimezone")
    assert "is not an IANA time zone name" in problem.message
    assert hint in problem.message
