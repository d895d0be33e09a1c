"""SNS and EventBridge resources and SAM events -> topics, subscriptions, buses and rules."""

from __future__ import annotations

import json

import pytest

from samlite.graph.messaging import InputTransformer
from samlite.graph.model import EdgeKind, TriggerKind
from tests.graph.test_build import graph_of


def test_topics_and_their_subscriptions() -> None:
    graph = graph_of("""
        Resources:
          Orders:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: orders.fifo
              FifoTopic: true
              Subscription: [{Protocol: lambda, Endpoint: !GetAtt Fn.Arn}]
          Audit: {Type: AWS::SQS::Queue}
          Dead: {Type: AWS::SQS::Queue}
          ToAudit:
            Type: AWS::SNS::Subscription
            Properties:
              TopicArn: !Ref Orders
              Protocol: sqs
              Endpoint: !GetAtt Audit.Arn
              RawMessageDelivery: true
              FilterPolicyScope: MessageBody
              FilterPolicy: {kind: [paid]}
              RedrivePolicy: {deadLetterTargetArn: !GetAtt Dead.Arn}
          Mail:
            Type: AWS::SNS::Subscription
            Properties: {TopicArn: !Ref Orders, Protocol: email, Endpoint: a@b.c}
          Fn: {Type: AWS::Serverless::Function, Properties: {Handler: a.b, Runtime: python3.12}}
    """)
    [topic] = graph.topics
    assert (topic.topic_name, topic.is_fifo) == ("orders.fifo", True)
    assert topic.arn == "arn:aws:sns:us-east-1:123456789012:orders.fifo"
    by_id = {s.logical_id: s for s in topic.subscriptions}
    assert (by_id["Orders.Subscription[0]"].protocol,
            by_id["Orders.Subscription[0]"].endpoint) == ("lambda", "Fn")
    audit = by_id["ToAudit"]
    assert (audit.endpoint, audit.is_raw, audit.filter_policy_scope,
            audit.dead_letter_queue) == ("Audit", True, "MessageBody", "Dead")
    assert json.loads(audit.filter_policy or "") == {"kind": ["paid"]}
    assert [(n.subject, n.type) for n in graph.not_run_locally] == [
        ("Mail", "AWS::SNS::Subscription")]
    assert graph.node("Orders") is topic


def test_sam_sns_events_subscribe_the_function_or_a_queue_of_its_own() -> None:
    graph = graph_of("""
        Resources:
          Alerts: {Type: AWS::SNS::Topic}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Events:
                Direct:
                  Type: SNS
                  Properties:
                    Topic: !Ref Alerts
                    FilterPolicy: {level: [high]}
                Buffered:
                  Type: SNS
                  Properties: {Topic: !Ref Alerts, SqsSubscription: true}
    """)
    [topic] = graph.topics
    subs = {s.logical_id: s for s in topic.subscriptions}
    assert (subs["FnDirect"].protocol, subs["FnDirect"].endpoint) == ("lambda", "Fn")
    assert (subs["FnBuffered"].protocol, subs["FnBuffered"].endpoint) == ("sqs",
                                                                          "FnBufferedQueue")
    direct, buffered = graph.function("Fn").events
    assert (direct.kind, direct.source, direct.runs_locally) == (TriggerKind.SNS, "Alerts", True)
    assert (buffered.kind, buffered.source) == (TriggerKind.SQS, "FnBufferedQueue")
    assert buffered.sqs is not None and buffered.sqs.batch_size == 10
    assert graph.queue("FnBufferedQueue").queue_name == "FnBufferedQueue"
    assert graph.not_run_locally == ()


def test_event_pattern_rules_on_any_bus_with_their_targets() -> None:
    graph = graph_of("""
        Resources:
          Bus: {Type: AWS::Events::EventBus, Properties: {Name: orders}}
          Work: {Type: AWS::SQS::Queue}
          Dlq: {Type: AWS::SQS::Queue}
          OnPaid:
            Type: AWS::Events::Rule
            Properties:
              EventBusName: !Ref Bus
              EventPattern: {source: [shop], detail-type: [paid]}
              Targets:
                - Id: fn
                  Arn: !GetAtt Fn.Arn
                  InputPath: $.detail
                - Id: queue
                  Arn: !GetAtt Work.Arn
                  InputTransformer:
                    InputPathsMap: {id: $.detail.id}
                    InputTemplate: '{"order": <id>}'
                  RetryPolicy: {MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 60}
                  DeadLetterConfig: {Arn: !GetAtt Dlq.Arn}
                - Id: stream
                  Arn: arn:aws:kinesis:us-east-1:123456789012:stream/s
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Events:
                Shipped:
                  Type: EventBridgeRule
                  Properties:
                    Pattern: {detail-type: [shipped]}
                    Input: '{"x": 1}'
                    Target: {Id: ship}
    """)
    assert [(b.name, b.arn) for b in graph.event_buses] == [
        ("orders", "arn:aws:events:us-east-1:123456789012:event-bus/orders")]
    rules = {r.logical_id: r for r in graph.event_rules}
    on_paid = rules["OnPaid"]
    assert on_paid.bus == "orders"
    assert json.loads(on_paid.pattern) == {"source": ["shop"], "detail-type": ["paid"]}
    fn, queue, stream = on_paid.targets
    assert (fn.kind, fn.target, fn.input_path) == ("lambda", "Fn", "$.detail")
    assert (queue.kind, queue.target, queue.dead_letter_queue) == ("sqs", "Work", "Dlq")
    assert queue.input_transformer == InputTransformer(paths=(("id", "$.detail.id"),),
                                                       template='{"order": <id>}')
    assert (queue.max_retry_attempts, queue.max_event_age_s) == (3, 60)
    assert stream.kind == "kinesis"
    assert [n.subject for n in graph.not_run_locally] == ["OnPaid.Targets.stream"]
    shipped = rules["FnShipped"]
    assert (shipped.bus, shipped.event) == ("default", "Shipped")
    assert [(t.target_id, t.target, t.input) for t in shipped.targets] == [
        ("ship", "Fn", '{"x": 1}')]
    kinds = {(t.logical_id, t.kind, t.runs_locally) for t in graph.triggers}
    assert kinds == {("OnPaid", TriggerKind.EVENTBRIDGE, True),
                     ("Shipped", TriggerKind.EVENTBRIDGE, True)}
    assert any(e.source == "OnPaid" and e.target == "Work" and e.kind is EdgeKind.TRIGGER
               for e in graph.edges)


def test_a_schedule_rules_targets_other_than_functions_are_named() -> None:
    graph = graph_of("""
        Resources:
          Work: {Type: AWS::SQS::Queue}
          Nightly:
            Type: AWS::Events::Rule
            Properties:
              ScheduleExpression: rate(1 day)
              Targets: [{Id: q, Arn: !GetAtt Work.Arn}]
    """)
    assert [(n.subject, n.type) for n in graph.not_run_locally] == [
        ("Nightly.Targets.q", "AWS::Events::Rule")]


def test_graph_output_shows_topics_and_rules() -> None:
    from samlite.graph.render import render_mermaid, render_text

    graph = graph_of("""
        Resources:
          Alerts: {Type: AWS::SNS::Topic, Properties: {TopicName: alerts}}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Events:
                Alert: {Type: SNS, Properties: {Topic: !Ref Alerts}}
                Paid: {Type: EventBridgeRule, Properties: {Pattern: {source: [shop]}}}
    """)
    text = [line.strip() for line in render_text(graph).splitlines()]
    assert "Alerts -> Fn  (lambda)" in text
    assert any(line.split()[:4] == ["FnPaid", "bus", "default", "->"] for line in text)
    mermaid = render_mermaid(graph).splitlines()
    assert '  t_Alerts>"Alerts<br/>SNS topic"]' in mermaid
    assert '  rule_FnPaid{"FnPaid<br/>EventBridge rule on default"}' in mermaid
    assert '  t_Alerts -->|"Alert"| fn_Fn' in mermaid


@pytest.mark.parametrize("bus_name", ["!Ref OrderBus", "!GetAtt OrderBus.Arn", "orders"],
                         ids=["a Ref to the bus", "the bus's ARN", "the bus's name"])
def test_a_rule_on_a_bus_of_the_template_is_an_edge_from_the_bus(bus_name: str) -> None:
    from samlite.graph.render import render_text

    # The rule comes before its bus, as templates are free to order them.
    graph = graph_of(f"""
        Resources:
          OnPaid:
            Type: AWS::Events::Rule
            Properties:
              EventBusName: {bus_name}
              EventPattern: {{source: [shop]}}
              Targets: [{{Id: fn, Arn: !GetAtt Fn.Arn}}]
          OrderBus: {{Type: AWS::Events::EventBus, Properties: {{Name: orders}}}}
          Fn: {{Type: AWS::Serverless::Function, Properties: {{Handler: a.b, Runtime: python3.12}}}}
    """)
    edges = [line.split() for line in render_text(graph).splitlines()]
    assert ["OrderBus", "->", "OnPaid", "trigger"] in edges


def test_a_rule_on_the_default_bus_has_no_bus_edge() -> None:
    graph = graph_of("""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Events:
                Paid: {Type: EventBridgeRule, Properties: {Pattern: {source: [shop]}}}
    """)
    assert [(e.source, e.target) for e in graph.edges] == [("FnPaid", "Fn")]
