"""The startup table `samlite up` prints: buckets and queues with the functions they feed."""

from __future__ import annotations

from pathlib import Path

from samlite.app.root import AppOptions, load_graph
from samlite.cli.summary import startup_lines
from samlite.graph.render import render_text
from tests.e2e.test_aws_app import HANDLERS, TEMPLATE


def test_startup_lists_buckets_and_queues_with_their_functions(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLERS)
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE.format(out=tmp_path))
    graph, _ = load_graph(template, AppOptions())
    lines = startup_lines(graph, [], runtime_kind="process", route_lines=[],
                          function_urls={}, endpoint_url="http://127.0.0.1:3001",
                          state_dir=".samlite")
    assert ("AWS endpoint (S3, SQS, DynamoDB, Lambda, SNS, EventBridge, STS, Secrets "
            "Manager, Parameter Store): http://127.0.0.1:3001; data kept in .samlite") in lines
    buckets = lines.index("Buckets (2)")
    assert lines[buckets + 1].split() == ["BUCKET", "NAME", "EVENTS", "FUNCTION", "TRIGGER"]
    assert lines[buckets + 2].split() == ["Uploads", "uploads-bucket", "s3:ObjectCreated:*",
                                          "prefix=in/", "OnUpload", "Put", "or", "OnUploadPut"]
    queues = lines.index("Queues (6)")
    orders = next(line for line in lines[queues:] if line.split()[0] == "Orders")
    name = next(q.queue_name for q in graph.queues if q.logical_id == "Orders")
    assert orders.split() == ["Orders", name, "Worker", "(batch", "10)", "OrdersDlq", "after",
                              "2", "receives", "-"]
    assert not any("later samlite version" in line for line in lines)


def test_startup_names_what_is_not_run_locally_with_its_place(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text("Resources:\n  Orders:\n    Type: AWS::Kinesis::Stream\n")
    graph, _ = load_graph(template, AppOptions())
    lines = startup_lines(graph, [], runtime_kind="process", route_lines=[], function_urls={})
    at = lines.index("Not run locally")
    assert lines[at + 1].endswith(
        "template.yaml:2: Orders (AWS::Kinesis::Stream): Kinesis is not served by the local "
        "AWS endpoint (calls to it get NotImplemented)")


def test_startup_lists_secrets_and_parameters_by_name(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text("Resources:\n"
                        "  Db:\n    Type: AWS::SecretsManager::Secret\n"
                        "    Properties: {Name: prod/db, GenerateSecretString: {}}\n"
                        "  Url:\n    Type: AWS::SSM::Parameter\n"
                        "    Properties: {Name: /app/url, Type: String, Value: x}\n")
    graph, _ = load_graph(template, AppOptions())
    lines = startup_lines(graph, [], runtime_kind="process", route_lines=[], function_urls={})
    at = lines.index("Secrets and parameters (2)")
    assert [line.split() for line in lines[at + 1:at + 4]] == [
        ["RESOURCE", "KIND", "NAME"], ["Db", "secret", "prod/db"],
        ["Url", "parameter", "(String)", "/app/url"]]


def test_startup_lists_tables_with_their_stream_readers(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text("""\
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
      KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: sk, KeyType: RANGE}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S},
                             {AttributeName: sk, AttributeType: N}]
      StreamSpecification: {StreamViewType: NEW_IMAGE}
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: .
      Handler: app.handler
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Orders.StreamArn
            StartingPosition: TRIM_HORIZON
""")
    (tmp_path / "app.py").write_text("def handler(event, context):\n    pass\n")
    graph, _ = load_graph(template, AppOptions())
    lines = startup_lines(graph, [], runtime_kind="process", route_lines=[], function_urls={})
    at = lines.index("Tables (1)")
    assert lines[at + 2].split() == ["Orders", "orders", "pk", "HASH,", "sk", "RANGE",
                                     "NEW_IMAGE", "Reader", "(Changes,", "TRIM_HORIZON,",
                                     "batch", "100)", "Changes", "or", "ReaderChanges"]
    # graph's Tables row names the reader in the same words.
    assert "stream NEW_IMAGE -> Reader (Changes, TRIM_HORIZON, batch 100)" in render_text(graph)
    assert "Not run locally" not in lines


ORDER_EVENTS = Path(__file__).parents[2] / "sample-apps" / "order-events" / "template.yaml"


def test_startup_and_graph_say_the_same_about_topics_tables_and_failure_queues() -> None:
    """What a user of order-events saw differ between `samlite up` and `samlite graph`."""
    graph, _ = load_graph(ORDER_EVENTS, AppOptions())
    up = "\n".join(startup_lines(graph, [], runtime_kind="process", route_lines=[],
                                 function_urls={}))
    shown = render_text(graph)
    for both in ("Topics (1)",    # topics counted, not their subscriptions
                 "lambda, filter policy on MessageAttributes",
                 "sqs, raw",
                 "AnnouncerFunction (NewOrders, TRIM_HORIZON, batch 10, 1 filter(s), "
                 "on failure -> AnnouncerFailuresQueue)",
                 "OnFailure destination of AnnouncerFunction (NewOrders)",
                 "dead-letter queue of FulfilmentQueue"):
        assert both in up, both
        assert both in shown, both


def test_startup_names_queue_and_topic_policies_as_not_evaluated(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text("""\
Resources:
  Alerts: {Type: AWS::SNS::Topic}
  AlertsPolicy:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics: [!Ref Alerts]
      PolicyDocument: {Statement: []}
""")
    graph, _ = load_graph(template, AppOptions())
    lines = startup_lines(graph, [], runtime_kind="process", route_lines=[], function_urls={})
    assert any(line.startswith(f"  {template}:3: AlertsPolicy (AWS::SNS::TopicPolicy): not "
                               "evaluated: EventBridge rules and S3 notifications publish")
               for line in lines), lines
    graph, _ = load_graph(ORDER_EVENTS, AppOptions())
    up = startup_lines(graph, [], runtime_kind="process", route_lines=[], function_urls={})
    assert any("FulfilmentQueuePolicy (AWS::SQS::QueuePolicy): not evaluated: SNS topics and "
               "EventBridge rules deliver to its queues whether it allows them or not" in line
               for line in up)


def test_startup_shows_versions_and_aliases_and_names_deployment_preference(
        tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    template = tmp_path / "template.yaml"
    template.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n"
                        "  Orders:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                        "      {Handler: app.handler, Runtime: python3.12, CodeUri: src}\n"
                        "  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                        "      Handler: app.handler\n      Runtime: python3.12\n"
                        "      CodeUri: src\n      AutoPublishAlias: live\n"
                        "      DeploymentPreference: {Type: AllAtOnce}\n")
    graph, _ = load_graph(template, AppOptions())
    lines = startup_lines(graph, [], runtime_kind="process", route_lines=[], function_urls={})
    at = lines.index("Versions and aliases (1)")
    assert lines[at + 1] == ("  Worker: version 1 (one more per reload); alias live -> "
                             "version 1; event sources invoke live")
    assert any(line.endswith("template.yaml:14: Worker.DeploymentPreference "
                             "(AWS::Serverless::Function): gradual deployments are not run "
                             "locally: no CodeDeploy traffic shifting, alarms or "
                             "PreTraffic/PostTraffic hooks; the alias points at the new "
                             "version at once on each reload. Invoke the hook functions "
                             "yourself (samlite invoke) to test them") for line in lines)
