"""SNS through boto3 against the local endpoint: template topics and subscriptions exist
under the names Ref gives, and each published message reaches Lambda (the record of "Using
AWS Lambda with Amazon SNS") and SQS (the JSON envelope of "Amazon SNS message and JSON
formats", or the raw message) as SNS delivers it, filter policies included."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from samlite.testing import RunningApp

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::SNS::Topic
    Properties: {TopicName: orders}
  Audit: {Type: AWS::SQS::Queue, Properties: {QueueName: audit}}
  Raw: {Type: AWS::SQS::Queue, Properties: {QueueName: raw}}
  Paid: {Type: AWS::SQS::Queue, Properties: {QueueName: paid}}
  ToAudit:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Orders, Protocol: sqs, Endpoint: !GetAtt Audit.Arn}
  ToRaw:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Orders
      Protocol: sqs
      Endpoint: !GetAtt Raw.Arn
      RawMessageDelivery: true
  PaidOnly:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Orders
      Protocol: sqs
      Endpoint: !GetAtt Paid.Arn
      RawMessageDelivery: true
      FilterPolicyScope: MessageBody
      FilterPolicy: {status: [paid], total: [{numeric: [">", 100]}]}
  Notify:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Loud:
          Type: SNS
          Properties:
            Topic: !Ref Orders
            FilterPolicy: {level: [{prefix: hi}]}
"""

HANDLER = """\
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
"""


@pytest.fixture
def app(tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> RunningApp:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return samlite_app_factory(tmp_path / "template.yaml", http_port=None, aws_port=0)


def events_of(app: RunningApp, function: str) -> list[dict[str, Any]]:
    return [json.loads(line.split("EVENT ", 1)[1]) for line in app.logs(function)
            if "EVENT " in line]


def receive(app: RunningApp, queue: str) -> list[dict[str, Any]]:
    return app.sqs.receive_message(QueueUrl=app.queue_url(queue), MaxNumberOfMessages=10,
                                   MessageAttributeNames=["All"],
                                   WaitTimeSeconds=1).get("Messages", [])


def test_template_topics_and_subscriptions_are_listed(app: RunningApp) -> None:
    sns = app.client("sns")
    arn = "arn:aws:sns:us-east-1:123456789012:orders"
    assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == [arn]
    subs = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    assert sorted((s["Protocol"], s["Endpoint"].rsplit(":", 1)[-1]) for s in subs) == [
        ("lambda", "Notify"), ("sqs", "audit"), ("sqs", "paid"), ("sqs", "raw")]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["TopicArn"] == arn


def test_publish_reaches_lambda_with_the_sns_record(app: RunningApp) -> None:
    sns = app.client("sns")
    arn = "arn:aws:sns:us-east-1:123456789012:orders"
    message_id = sns.publish(TopicArn=arn, Message="hello", Subject="greeting",
                             MessageAttributes={
                                 "level": {"DataType": "String", "StringValue": "high"}}
                             )["MessageId"]
    [event] = app.wait_for(lambda: events_of(app, "Notify"))
    [record] = event["Records"]
    assert set(record) == {"EventSource", "EventVersion", "EventSubscriptionArn", "Sns"}
    assert (record["EventSource"], record["EventVersion"]) == ("aws:sns", "1.0")
    assert record["EventSubscriptionArn"].startswith(arn + ":")
    sns_part = record["Sns"]
    assert set(sns_part) == {"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
                             "SignatureVersion", "Signature", "SigningCertUrl",
                             "UnsubscribeUrl", "MessageAttributes"}
    assert (sns_part["Type"], sns_part["MessageId"], sns_part["TopicArn"],
            sns_part["Subject"], sns_part["Message"]) == (
        "Notification", message_id, arn, "greeting", "hello")
    assert sns_part["MessageAttributes"] == {"level": {"Type": "String", "Value": "high"}}
    assert sns_part["Timestamp"].endswith("Z") and sns_part["SignatureVersion"] == "1"


def test_a_filter_policy_on_attributes_keeps_other_messages_out(app: RunningApp) -> None:
    sns = app.client("sns")
    arn = "arn:aws:sns:us-east-1:123456789012:orders"
    sns.publish(TopicArn=arn, Message="quiet",
                MessageAttributes={"level": {"DataType": "String", "StringValue": "low"}})
    sns.publish(TopicArn=arn, Message="no attributes")
    sns.publish(TopicArn=arn, Message="loud",
                MessageAttributes={"level": {"DataType": "String", "StringValue": "highest"}})
    [event] = app.wait_for(lambda: events_of(app, "Notify"))
    assert event["Records"][0]["Sns"]["Message"] == "loud"
    # Every message reached the unfiltered queue, so the two before "loud" were judged.
    assert len(app.wait_for(lambda: receive(app, "Audit"))) >= 1


def test_sqs_gets_the_envelope_or_the_raw_message(app: RunningApp) -> None:
    sns = app.client("sns")
    arn = "arn:aws:sns:us-east-1:123456789012:orders"
    message_id = sns.publish(TopicArn=arn, Message='{"status": "new"}',
                             MessageAttributes={
                                 "n": {"DataType": "Number", "StringValue": "7"}})["MessageId"]
    [wrapped] = app.wait_for(lambda: receive(app, "Audit"))
    envelope = json.loads(wrapped["Body"])
    assert (envelope["Type"], envelope["MessageId"], envelope["TopicArn"],
            envelope["Message"]) == ("Notification", message_id, arn, '{"status": "new"}')
    assert "Subject" not in envelope
    assert {"SigningCertURL", "UnsubscribeURL", "Signature", "Timestamp"} <= set(envelope)
    assert envelope["MessageAttributes"] == {"n": {"Type": "Number", "Value": "7"}}
    [raw] = app.wait_for(lambda: receive(app, "Raw"))
    assert raw["Body"] == '{"status": "new"}'
    assert raw["MessageAttributes"]["n"] == {"DataType": "Number", "StringValue": "7"}


def test_a_filter_policy_on_the_body(app: RunningApp) -> None:
    sns = app.client("sns")
    arn = "arn:aws:sns:us-east-1:123456789012:orders"
    for body in ('{"status": "paid", "total": 50}', '{"status": "new", "total": 500}',
                 "not json", '{"status": "paid", "total": 150}'):
        sns.publish(TopicArn=arn, Message=body)
    assert len(app.wait_for(lambda: receive(app, "Raw"))) >= 1
    assert [m["Body"] for m in receive(app, "Paid")] == ['{"status": "paid", "total": 150}']


def test_subscribe_publish_batch_and_errors_in_snss_words(app: RunningApp) -> None:
    sns = app.client("sns")
    arn = sns.create_topic(Name="later")["TopicArn"]
    queue_arn = app.sqs.get_queue_attributes(QueueUrl=app.queue_url("Audit"),
                                             AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]
    sub = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn,
                        Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
    answer = sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "one"}, {"Id": "b", "Message": "two"}])
    assert sorted(e["Id"] for e in answer["Successful"]) == ["a", "b"]
    bodies: list[str] = []
    app.wait_for(lambda: bodies.extend(m["Body"] for m in receive(app, "Audit"))
                 or len(bodies) >= 2)
    assert sorted(bodies) == ["one", "two"]
    sns.unsubscribe(SubscriptionArn=sub)
    assert sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"] == []
    with pytest.raises(ClientError) as caught:
        sns.publish(TopicArn="arn:aws:sns:us-east-1:123456789012:nope", Message="x")
    assert caught.value.response["Error"]["Code"] == "NotFound"


SQS_SUBSCRIPTION = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::SNS::Topic
    Properties: {TopicName: orders.fifo, FifoTopic: true, ContentBasedDeduplication: true}
  Plain: {Type: AWS::SNS::Topic, Properties: {TopicName: plain}}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Buffered:
          Type: SNS
          Properties:
            Topic: !Ref Plain
            SqsSubscription: true
            FilterPolicyScope: MessageBody
            FilterPolicy: {kind: [order]}
"""


def test_sam_sqs_subscription_puts_a_queue_between_topic_and_function(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(SQS_SUBSCRIPTION)
    app = samlite_app_factory(tmp_path / "template.yaml", http_port=None, aws_port=0)
    sns = app.client("sns")
    plain = "arn:aws:sns:us-east-1:123456789012:plain"
    [sub] = sns.list_subscriptions_by_topic(TopicArn=plain)["Subscriptions"]
    assert (sub["Protocol"], sub["Endpoint"]) == (
        "sqs", "arn:aws:sqs:us-east-1:123456789012:WorkerBufferedQueue")
    sns.publish(TopicArn=plain, Message='{"kind": "noise"}')
    message_id = sns.publish(TopicArn=plain, Message='{"kind": "order"}')["MessageId"]
    [event] = app.wait_for(lambda: events_of(app, "Worker"))
    [record] = event["Records"]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(":WorkerBufferedQueue")
    envelope = json.loads(record["body"])     # not raw: SAM's subscription is not
    assert (envelope["Type"], envelope["MessageId"], envelope["Message"]) == (
        "Notification", message_id, '{"kind": "order"}')


def test_fifo_topics_need_a_group_id(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(SQS_SUBSCRIPTION)
    app = samlite_app_factory(tmp_path / "template.yaml", http_port=None, aws_port=0)
    sns = app.client("sns")
    fifo = "arn:aws:sns:us-east-1:123456789012:orders.fifo"
    queue = app.sqs.create_queue(QueueName="audit.fifo", Attributes={"FifoQueue": "true"})
    queue_arn = "arn:aws:sqs:us-east-1:123456789012:audit.fifo"
    sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=queue_arn,
                  Attributes={"RawMessageDelivery": "true"})
    with pytest.raises(ClientError) as caught:
        sns.publish(TopicArn=fifo, Message="no group")
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "InvalidParameter",
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
    numbers = [sns.publish(TopicArn=fifo, Message=body, MessageGroupId="g1")["SequenceNumber"]
               for body in ("first", "second")]
    assert numbers[0].isdigit() and int(numbers[1]) > int(numbers[0])
    got = app.sqs.receive_message(QueueUrl=queue["QueueUrl"], MaxNumberOfMessages=10,
                                  AttributeNames=["MessageGroupId"], WaitTimeSeconds=1)
    assert [(m["Body"], m["Attributes"]["MessageGroupId"]) for m in got["Messages"]] == [
        ("first", "g1"), ("second", "g1")]


def test_content_based_deduplication_on_a_fifo_topic(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(SQS_SUBSCRIPTION)
    app = samlite_app_factory(tmp_path / "template.yaml", http_port=None, aws_port=0)
    sns = app.client("sns")
    fifo = "arn:aws:sns:us-east-1:123456789012:orders.fifo"
    queue = app.sqs.create_queue(QueueName="dedup.fifo", Attributes={"FifoQueue": "true"})
    sns.subscribe(TopicArn=fifo, Protocol="sqs", Attributes={"RawMessageDelivery": "true"},
                  Endpoint="arn:aws:sqs:us-east-1:123456789012:dedup.fifo")
    for body in ("same", "same", "other"):
        sns.publish(TopicArn=fifo, Message=body, MessageGroupId="g")
    got = app.sqs.receive_message(QueueUrl=queue["QueueUrl"], MaxNumberOfMessages=10,
                                  WaitTimeSeconds=1)
    assert [m["Body"] for m in got["Messages"]] == ["same", "other"]


def _error(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_publish_refuses_what_sns_refuses_in_snss_words(app: RunningApp) -> None:
    sns = app.client("sns")
    arn = "arn:aws:sns:us-east-1:123456789012:orders"
    assert _error(lambda: sns.publish(TopicArn=arn, Message="")) == (
        "InvalidParameter", "Invalid parameter: Empty message")
    assert _error(lambda: sns.publish(TopicArn=arn, MessageStructure="json",
                                      Message='{"sqs": "x"}')) == (
        "InvalidParameter",
        "Invalid parameter: Message Structure - No default entry in JSON message body")
    assert _error(lambda: sns.publish(TopicArn=arn, MessageStructure="json",
                                      Message="not json")) == (
        "InvalidParameter",
        "Invalid parameter: Message Structure - JSON message body failed to parse")
    assert _error(lambda: sns.publish(TopicArn=arn, Message="x" * (262_144 + 1))) == (
        "InvalidParameter", "Invalid parameter: Message too long")
    for subject in ("", "s" * 101, "two\nlines", " space first", "caf\u00e9"):
        assert _error(lambda s=subject: sns.publish(TopicArn=arn, Message="m", Subject=s)) \
            == ("InvalidParameter", "Invalid parameter: Subject")
    assert _error(lambda: sns.publish(
        TopicArn=arn, Message="m",
        MessageAttributes={"n": {"DataType": "Number", "StringValue": "abc"}})) == (
        "ParameterValueInvalid", "Could not cast message attribute 'n' value to number.")
    answer = sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": "empty", "Message": ""},
        {"Id": "nodefault", "Message": '{"sqs": "x"}', "MessageStructure": "json"},
        {"Id": "good", "Message": '{"default": "d"}', "MessageStructure": "json"}])
    assert [e["Id"] for e in answer["Successful"]] == ["good"]
    assert {e["Id"]: (e["Code"], e["Message"], e["SenderFault"]) for e in answer["Failed"]} == {
        "empty": ("InvalidParameter", "Invalid parameter: Empty message", True),
        "nodefault": ("InvalidParameter", "Invalid parameter: Message Structure - "
                      "No default entry in JSON message body", True)}
    bodies: list[str] = []
    app.wait_for(lambda: bodies.extend(m["Body"] for m in receive(app, "Raw")) or bodies)
    assert bodies == ["d"]      # only the good entry was delivered, as its default message


def test_triggering_one_subscription_delivers_to_it_only(app: RunningApp) -> None:
    # `samlite trigger Loud`: the function's subscription gets a message its filter policy
    # lets through; the topic's queues get nothing.
    app.trigger("Loud")
    [event] = app.wait_for(lambda: events_of(app, "Notify"))
    assert event["Records"][0]["Sns"]["MessageAttributes"]["level"]["Value"].startswith("hi")
    assert [receive(app, q) for q in ("Audit", "Raw", "Paid")] == [[], [], []]


def test_triggering_a_topic_publishes_to_every_subscription(app: RunningApp) -> None:
    app.trigger("Orders")
    assert [len(receive(app, q)) for q in ("Audit", "Raw")] == [1, 1]


def test_a_call_signed_for_sns_without_an_sns_action_is_refused_in_snss_words(
        app: RunningApp) -> None:
    # What an SDK sends when it signs for SNS but names another service's operation (or
    # none): AWS's common errors for query APIs, as XML the SDK reads.
    import urllib.error
    import urllib.request

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    def call(body: str) -> tuple[int, str]:
        request = AWSRequest(method="POST", url=app.endpoint_url + "/", data=body.encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        SigV4Auth(Credentials("testing", "testing"), "sns", "us-east-1").add_auth(request)
        prepared = request.prepare()
        try:
            with urllib.request.urlopen(urllib.request.Request(  # noqa: S310 - loopback
                    prepared.url, data=prepared.body, headers=dict(prepared.headers),
                    method="POST")) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    status, body = call("Action=SendMessage&Version=2010-03-31")
    assert status == 400 and "<Code>InvalidAction</Code>" in body
    status, body = call("Version=2010-03-31")
    assert status == 400 and "<Code>MissingAction</Code>" in body
