"""DynamoDB tables and their stream mappings in the graph: what runs, with which settings,
and what is named under Not run locally."""

from __future__ import annotations

from samlite.graph.build import build_graph
from samlite.graph.model import Graph, StreamSettings
from samlite.template.load import parse_template
from samlite.template.resolve import resolve

HEAD = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
      TimeToLiveSpecification: {AttributeName: expires, Enabled: true}
  Failed:
    Type: AWS::SQS::Queue
  Alerts:
    Type: AWS::SNS::Topic
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: .
      Handler: app.handler
"""


def graph_of(extra: str) -> Graph:
    return build_graph(resolve(parse_template(HEAD + extra,
                                              name="template.yaml")))


def test_a_table_and_a_sam_dynamodb_event_with_its_settings() -> None:
    graph = graph_of("""\
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Orders.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 5
            BisectBatchOnFunctionError: true
            MaximumRetryAttempts: 2
            MaximumRecordAgeInSeconds: 60
            ParallelizationFactor: 2
            FunctionResponseTypes: [ReportBatchItemFailures]
            FilterCriteria: {Filters: [{Pattern: '{"eventName": ["INSERT"]}'}]}
            DestinationConfig: {OnFailure: {Destination: !GetAtt Failed.Arn}}
  Simple:
    Type: AWS::Serverless::SimpleTable
""")
    orders, simple = graph.tables
    assert (orders.key_schema, orders.stream_view_type, orders.ttl_attribute) == (
        (("pk", "HASH"),), "NEW_AND_OLD_IMAGES", "expires")
    assert orders.table_name.startswith("samlite-Orders-")    # CloudFormation-style name
    assert (simple.key_schema, simple.attribute_definitions, simple.billing_mode) == (
        (("id", "HASH"),), (("id", "S"),), "PAY_PER_REQUEST")
    [trigger] = graph.triggers
    assert trigger.runs_locally and trigger.source == "Orders"
    assert trigger.stream == StreamSettings(
        starting_position="TRIM_HORIZON", batch_size=5, bisects_on_error=True,
        max_retry_attempts=2, max_record_age_s=60, parallelization_factor=2,
        reports_batch_item_failures=True, filter_patterns=('{"eventName": ["INSERT"]}',),
        on_failure="Failed")
    assert [n for n in graph.not_run_locally
            if n.subject.startswith(("Orders", "Reader", "Simple"))] == []


def test_an_event_source_mapping_on_a_table_stream_runs() -> None:
    graph = graph_of("""\
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Reader
      EventSourceArn: !GetAtt Orders.StreamArn
      StartingPosition: LATEST
""")
    [trigger] = graph.triggers
    assert (trigger.logical_id, trigger.runs_locally) == ("Mapping", True)
    assert trigger.stream is not None and trigger.stream.batch_size == 100


def test_what_is_not_run_is_named() -> None:
    graph = graph_of("""\
      Events:
        Elsewhere:
          Type: DynamoDB
          Properties:
            Stream: arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2020-01-01T00:00:00.000
            StartingPosition: LATEST
        ToTopic:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Orders.StreamArn
            StartingPosition: LATEST
            TumblingWindowInSeconds: 30
            DestinationConfig: {OnFailure: {Destination: !Ref Alerts}}
""")
    reasons = {n.subject: [] for n in graph.not_run_locally}
    for n in graph.not_run_locally:
        reasons[n.subject].append(n.reason)
    assert "is not a table of this template" in reasons["Reader.Events.Elsewhere"][0]
    assert [r.split(":")[0].split(" ")[0] for r in reasons["Reader.Events.ToTopic"]] == [
        "DestinationConfig.OnFailure", "TumblingWindowInSeconds"]
    assert [t.runs_locally for t in graph.triggers] == [False, True]


def test_a_stream_that_does_not_run_gets_one_true_line() -> None:
    graph = build_graph(resolve(parse_template(HEAD.replace(
        "      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}\n", "") + """\
      Events:
        NoStream:
          Type: DynamoDB
          Properties: {Stream: !GetAtt Orders.StreamArn, StartingPosition: LATEST}
        Elsewhere:
          Type: DynamoDB
          Properties:
            Stream: arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2020-01-01T00:00:00.000
            StartingPosition: LATEST
""", name="template.yaml")))
    reasons = [(n.subject, n.reason) for n in graph.not_run_locally]
    assert [subject for subject, _ in reasons] == ["Reader.Events.NoStream",
                                                   "Reader.Events.Elsewhere"]
    assert "has no StreamSpecification.StreamViewType" in reasons[0][1]
    assert "is not a table of this template" in reasons[1][1]
    assert not any("not emulated" in reason for _, reason in reasons)
