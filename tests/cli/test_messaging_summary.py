"""The startup table's topics and event rules."""

from __future__ import annotations

from samlite.cli.messaging_summary import messaging_lines
from tests.graph.test_build import graph_of


def test_topics_and_rules_are_listed_with_their_wiring() -> None:
    graph = graph_of("""
        Resources:
          Alerts: {Type: AWS::SNS::Topic, Properties: {TopicName: alerts}}
          Audit: {Type: AWS::SQS::Queue}
          ToAudit:
            Type: AWS::SNS::Subscription
            Properties:
              TopicArn: !Ref Alerts
              Protocol: sqs
              Endpoint: !GetAtt Audit.Arn
              RawMessageDelivery: true
              FilterPolicy: {kind: [a]}
          Bus: {Type: AWS::Events::EventBus, Properties: {Name: orders}}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Events:
                Paid:
                  Type: EventBridgeRule
                  Properties: {Pattern: {source: [shop]}, EventBusName: orders}
    """)
    lines = [line.split() for line in messaging_lines(graph)]
    assert ["Topics", "(1)"] in lines
    assert ["Alerts", "alerts", "Audit", "sqs,", "raw,", "filter", "policy", "on",
            "MessageAttributes", "ToAudit"] in lines
    assert ["Event", "rules", "(1;", "buses:", "default,", "orders)"] in lines
    assert ["FnPaid", "orders", "Fn", "(lambda)", "Paid", "or", "FnPaid"] in lines
    assert messaging_lines(graph_of("Resources: {}")) == []
