"""What SNS keeps across a restart of the same state directory: topics and subscriptions made
through the API (the template's are made again), and every delivery Publish accepted, which
is in Lambda's durable asynchronous queue before SNS answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3

from samlite.app.root import App, AppOptions
from samlite.testing import FAKE_CREDENTIALS, wait_for

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Inbox: {Type: AWS::SQS::Queue, Properties: {QueueName: inbox}}
  Alerts: {Type: AWS::SNS::Topic, Properties: {TopicName: alerts}}
  Stuck:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      ReservedConcurrentExecutions: 0
      Events:
        Alert: {Type: SNS, Properties: {Topic: !Ref Alerts}}
"""


@contextmanager
def started(folder: Path) -> Iterator[App]:
    app = App(folder / "template.yaml",
              AppOptions(runtime="process", aws_port=0, http_port=None,
                         state_dir=folder / ".samlite"))
    with app:
        yield app


def client(app: App, service: str):  # type: ignore[no-untyped-def]
    return boto3.client(service, endpoint_url=app.endpoint_url, region_name="us-east-1",
                        **FAKE_CREDENTIALS)


def test_api_topics_subscriptions_and_accepted_deliveries_survive_a_restart(
        tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    pass\n")
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    queue_arn = "arn:aws:sqs:us-east-1:123456789012:inbox"
    with started(tmp_path) as app:
        sns = client(app, "sns")
        topic = sns.create_topic(Name="later")["TopicArn"]
        sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                            Attributes={"RawMessageDelivery": "true",
                                        "FilterPolicy": '{"k": ["v"]}'})["SubscriptionArn"]
        # Throttled (reserved concurrency 0): the delivery waits in the durable queue.
        sns.publish(TopicArn="arn:aws:sns:us-east-1:123456789012:alerts", Message="kept")
        assert app.aws is not None and app.aws.async_events.pending() == 1
    with started(tmp_path) as app:
        sns, sqs = client(app, "sns"), client(app, "sqs")
        assert {t["TopicArn"].rsplit(":", 1)[-1] for t in sns.list_topics()["Topics"]} == {
            "alerts", "later"}
        [kept] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        assert kept["SubscriptionArn"] == sub
        attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        assert attributes["FilterPolicy"] == '{"k": ["v"]}'
        assert app.aws is not None and app.aws.async_events.pending() == 1
        sns.publish(TopicArn=topic, Message="skipped")
        sns.publish(TopicArn=topic, Message="hello", MessageAttributes={
            "k": {"DataType": "String", "StringValue": "v"}})
        url = sqs.get_queue_url(QueueName="inbox")["QueueUrl"]
        messages = wait_for(lambda: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1,
                                                        MaxNumberOfMessages=10)
                            .get("Messages"))
        assert [m["Body"] for m in messages] == ["hello"]


def test_a_subscription_sns_refuses_is_said_and_the_app_runs(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text("""\
Resources:
  Alerts: {Type: AWS::SNS::Topic, Properties: {TopicName: alerts}}
  Bad:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Alerts
      Protocol: sqs
      Endpoint: arn:aws:sqs:us-east-1:123456789012:q
      FilterPolicy: {n: [{numeric: [">", "one"]}]}
""")
    said: list[str] = []
    app = App(tmp_path / "template.yaml",
              AppOptions(runtime="process", aws_port=0, http_port=None,
                         state_dir=tmp_path / ".samlite"), log=lambda fn, line: said.append(line))
    with app:
        assert client(app, "sns").list_topics()["Topics"]
    [line] = [s for s in said if "subscription not made" in s]
    assert line.startswith("samlite: ") and ":3: Bad: subscription not made: " in line
    assert line.endswith("Value of > must be numeric")


def test_reset_forgets_the_topics_the_api_made(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    pass\n")
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    with started(tmp_path) as app:
        client(app, "sns").create_topic(Name="later")
    from samlite.state import StateDir

    StateDir(root=tmp_path / ".samlite").reset()
    with started(tmp_path) as app:
        names = {t["TopicArn"].rsplit(":", 1)[-1]
                 for t in client(app, "sns").list_topics()["Topics"]}
    assert names == {"alerts"}
