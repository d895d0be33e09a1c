"""W4006: an SNS sqs subscription or EventBridge SQS target whose queue no QueuePolicy lets
the topic or rule send to (on AWS nothing arrives; locally everything does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.template.load import parse_template
from samlite.validation.pipeline import validate_loaded

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Alerts: {Type: AWS::SNS::Topic}
  Other: {Type: AWS::SNS::Topic}
  Inbox: {Type: AWS::SQS::Queue}
  ToInbox:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Alerts, Protocol: sqs, Endpoint: !GetAtt Inbox.Arn}
  Paid:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {source: [shop]}
      Targets: [{Id: inbox, Arn: !GetAtt Inbox.Arn}]
%s"""

POLICY = """\
  InboxPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Inbox]
      PolicyDocument:
        Statement:
%s"""

ALLOW_SNS = """\
          - Effect: Allow
            Principal: {Service: sns.amazonaws.com}
            Action: sqs:SendMessage
            Resource: !GetAtt Inbox.Arn
            Condition: {ArnEquals: {aws:SourceArn: !Ref %s}}
"""

ALLOW_EVENTS = """\
          - Effect: Allow
            Principal: {Service: events.amazonaws.com}
            Action: [sqs:SendMessage]
            Resource: !GetAtt Inbox.Arn
"""


def warnings(policy: str) -> list[tuple[str, str, int]]:
    loaded = parse_template(TEMPLATE % policy, name="template.yaml")
    problems = validate_loaded(loaded, project_dir=Path()).problems
    return [(p.code, p.resource or "", p.at.line) for p in problems if p.code == "W4006"]


@pytest.mark.parametrize(("case", "policy", "expected"), [
    ("no policy at all", "", [("W4006", "ToInbox", 6), ("W4006", "Paid", 9)]),
    ("the topic and the rule allowed",
     POLICY % (ALLOW_SNS % "Alerts" + ALLOW_EVENTS), []),
    ("only the rule allowed", POLICY % ALLOW_EVENTS, [("W4006", "ToInbox", 6)]),
    ("SNS allowed for another topic only",
     POLICY % (ALLOW_SNS % "Other" + ALLOW_EVENTS), [("W4006", "ToInbox", 6)]),
])
def test_a_queue_policy_must_let_the_topic_or_rule_send(
        case: str, policy: str, expected: list[tuple[str, str, int]]) -> None:
    assert warnings(policy) == expected, case


def test_the_warning_says_what_differs_locally() -> None:
    loaded = parse_template(TEMPLATE % "", name="template.yaml")
    [first, _] = [p for p in validate_loaded(loaded, project_dir=Path()).problems
                  if p.code == "W4006"]
    assert first.message == (
        "no AWS::SQS::QueuePolicy lets topic Alerts send to queue Inbox (Allow "
        "sns.amazonaws.com sqs:SendMessage, aws:SourceArn the topic): on AWS its messages "
        "never arrive; locally they do")
