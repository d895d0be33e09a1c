"""EventBridge patterns and SNS filter policies AWS refuses are errors at the pattern."""

from __future__ import annotations

from pathlib import Path

from samlite.errors import Problem
from samlite.template.load import parse_template
from samlite.validation.checks.context import CheckContext
from samlite.validation.checks.messaging import CHECKS


def run(text: str) -> list[Problem]:
    ctx = CheckContext(loaded=parse_template(text, name="template.yaml"), resolved=None,
                       project_dir=Path())
    return [p for check in CHECKS for p in check(ctx)]


TEMPLATE = """\
Resources:
  T: {Type: AWS::SNS::Topic}
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: %s
  Sub:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref T
      Protocol: sqs
      Endpoint: arn:aws:sqs:us-east-1:123456789012:q
      FilterPolicy: %s
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: a.b
      Runtime: python3.12
      Events:
        Ev:
          Type: EventBridgeRule
          Properties: {Pattern: %s}
"""


def test_valid_patterns_and_policies_pass() -> None:
    good = '{"source": [{"prefix": "app."}]}'
    assert run(TEMPLATE % (good, '{"n": [{"numeric": [">", 1]}]}', good)) == []


def test_invalid_ones_are_named_where_they_are_written() -> None:
    problems = run(TEMPLATE % ('{"source": "app"}', '{"n": [{"numeric": [">", "one"]}]}',
                               '{"detail": {"n": [{"wildcard": 1}]}}'))
    assert [(p.code, p.path, p.at.line) for p in problems] == [
        ("W4004", "Resources.Rule.Properties.EventPattern", 6),
        ("W4004", "Resources.Fn.Properties.Events.Ev.Properties.Pattern", 22),
        ("W4005", "Resources.Sub.Properties.FilterPolicy", 13)]
    assert all("AWS would refuse it" in p.message for p in problems)
