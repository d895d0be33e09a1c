"""Each operation the endpoint serves, sent by boto3, read as the IAM action(s) and resource
ARN(s) the Service Authorization Reference gives it."""

from __future__ import annotations

from typing import Any

import pytest

from samlite.aws.access.operations import Place, operation_of
from tests.aws.access.wire import wire

PLACE = Place(account_id="123456789012", region="us-east-1",
              secret_arn=lambda name: f"arn:aws:secretsmanager:us-east-1:123456789012:"
                                      f"secret:{name}-AbCdEf" if name == "db" else None)
Q = "http://127.0.0.1:3001/123456789012/jobs"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:jobs"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"
TOPIC = "arn:aws:sns:us-east-1:123456789012:news"
FN = "arn:aws:lambda:us-east-1:123456789012:function:Worker"
ITEM = {"id": {"S": "1"}}

CASES: list[tuple[str, str, str, dict[str, Any], list[tuple[str, str]]]] = [
    ("s3 get object", "s3", "get_object", {"Bucket": "inbox", "Key": "a/b.txt"},
     [("s3:GetObject", "arn:aws:s3:::inbox/a/b.txt")]),
    ("s3 head object is GetObject", "s3", "head_object", {"Bucket": "inbox", "Key": "k"},
     [("s3:GetObject", "arn:aws:s3:::inbox/k")]),
    ("s3 key with spaces", "s3", "put_object", {"Bucket": "inbox", "Key": "a b/c+d.txt",
                                                "Body": b"x"},
     [("s3:PutObject", "arn:aws:s3:::inbox/a b/c+d.txt")]),
    ("s3 versioned get", "s3", "get_object", {"Bucket": "inbox", "Key": "k", "VersionId": "3"},
     [("s3:GetObjectVersion", "arn:aws:s3:::inbox/k")]),
    ("s3 delete object", "s3", "delete_object", {"Bucket": "inbox", "Key": "k"},
     [("s3:DeleteObject", "arn:aws:s3:::inbox/k")]),
    ("s3 list is a bucket action", "s3", "list_objects_v2", {"Bucket": "inbox"},
     [("s3:ListBucket", "arn:aws:s3:::inbox")]),
    ("s3 list buckets", "s3", "list_buckets", {}, [("s3:ListAllMyBuckets", "*")]),
    ("s3 copy reads and writes", "s3", "copy_object",
     {"Bucket": "outbox", "Key": "k", "CopySource": {"Bucket": "inbox", "Key": "a"}},
     [("s3:PutObject", "arn:aws:s3:::outbox/k"), ("s3:GetObject", "arn:aws:s3:::inbox/a")]),
    ("s3 multipart start is PutObject", "s3", "create_multipart_upload",
     {"Bucket": "inbox", "Key": "big"}, [("s3:PutObject", "arn:aws:s3:::inbox/big")]),
    ("s3 delete objects: each key", "s3", "delete_objects",
     {"Bucket": "inbox", "Delete": {"Objects": [{"Key": "a"}, {"Key": "b&c"}]}},
     [("s3:DeleteObject", "arn:aws:s3:::inbox/a"), ("s3:DeleteObject", "arn:aws:s3:::inbox/b&c")]),
    ("s3 bucket notification", "s3", "get_bucket_notification_configuration",
     {"Bucket": "inbox"}, [("s3:GetBucketNotification", "arn:aws:s3:::inbox")]),
    ("s3 object tagging", "s3", "put_object_tagging",
     {"Bucket": "inbox", "Key": "k", "Tagging": {"TagSet": []}},
     [("s3:PutObjectTagging", "arn:aws:s3:::inbox/k")]),
    ("sqs send", "sqs", "send_message", {"QueueUrl": Q, "MessageBody": "hi"},
     [("sqs:SendMessage", QUEUE)]),
    ("sqs send batch is SendMessage", "sqs", "send_message_batch",
     {"QueueUrl": Q, "Entries": [{"Id": "1", "MessageBody": "x"}]},
     [("sqs:SendMessage", QUEUE)]),
    ("sqs receive", "sqs", "receive_message", {"QueueUrl": Q}, [("sqs:ReceiveMessage", QUEUE)]),
    ("sqs delete batch is DeleteMessage", "sqs", "delete_message_batch",
     {"QueueUrl": Q, "Entries": [{"Id": "1", "ReceiptHandle": "r"}]},
     [("sqs:DeleteMessage", QUEUE)]),
    ("sqs queue url by name", "sqs", "get_queue_url", {"QueueName": "jobs"},
     [("sqs:GetQueueUrl", QUEUE)]),
    ("sqs list queues", "sqs", "list_queues", {}, [("sqs:ListQueues", "*")]),
    ("dynamodb put", "dynamodb", "put_item", {"TableName": "Orders", "Item": ITEM},
     [("dynamodb:PutItem", TABLE)]),
    ("dynamodb query an index", "dynamodb", "query",
     {"TableName": "Orders", "IndexName": "byDay", "KeyConditionExpression": "d = :d",
      "ExpressionAttributeValues": {":d": {"S": "x"}}},
     [("dynamodb:Query", f"{TABLE}/index/byDay")]),
    ("dynamodb batch write: each table", "dynamodb", "batch_write_item",
     {"RequestItems": {"Orders": [{"PutRequest": {"Item": ITEM}}],
                       "Audit": [{"PutRequest": {"Item": ITEM}}]}},
     [("dynamodb:BatchWriteItem", TABLE),
      ("dynamodb:BatchWriteItem", TABLE.replace("Orders", "Audit"))]),
    ("dynamodb transaction: each item's own action", "dynamodb", "transact_write_items",
     {"TransactItems": [{"Put": {"TableName": "Orders", "Item": ITEM}},
                        {"ConditionCheck": {"TableName": "Audit", "Key": ITEM,
                                            "ConditionExpression": "attribute_exists(id)"}}]},
     [("dynamodb:PutItem", TABLE),
      ("dynamodb:ConditionCheckItem", TABLE.replace("Orders", "Audit"))]),
    ("dynamodb PartiQL select", "dynamodb", "execute_statement",
     {"Statement": 'SELECT * FROM "Orders" WHERE id = 1'}, [("dynamodb:PartiQLSelect", TABLE)]),
    ("dynamodb list tables", "dynamodb", "list_tables", {}, [("dynamodb:ListTables", "*")]),
    ("sns publish", "sns", "publish", {"TopicArn": TOPIC, "Message": "m"},
     [("sns:Publish", TOPIC)]),
    ("sns publish batch is Publish", "sns", "publish_batch",
     {"TopicArn": TOPIC, "PublishBatchRequestEntries": [{"Id": "1", "Message": "m"}]},
     [("sns:Publish", TOPIC)]),
    ("sns subscribe", "sns", "subscribe", {"TopicArn": TOPIC, "Protocol": "sqs",
                                           "Endpoint": QUEUE}, [("sns:Subscribe", TOPIC)]),
    ("events put events: each bus", "events", "put_events",
     {"Entries": [{"Source": "shop", "DetailType": "Order", "Detail": "{}"},
                  {"Source": "shop", "DetailType": "Order", "Detail": "{}",
                   "EventBusName": "orders"}]},
     [("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/default"),
      ("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/orders")]),
    ("secret by name gets its ARN", "secretsmanager", "get_secret_value", {"SecretId": "db"},
     [("secretsmanager:GetSecretValue",
       "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf")]),
    ("ssm parameter", "ssm", "get_parameter", {"Name": "/app/url"},
     [("ssm:GetParameter", "arn:aws:ssm:us-east-1:123456789012:parameter/app/url")]),
    ("ssm parameters: each name", "ssm", "get_parameters", {"Names": ["a", "/b"]},
     [("ssm:GetParameters", "arn:aws:ssm:us-east-1:123456789012:parameter/a"),
      ("ssm:GetParameters", "arn:aws:ssm:us-east-1:123456789012:parameter/b")]),
    ("ssm by path", "ssm", "get_parameters_by_path", {"Path": "/app"},
     [("ssm:GetParametersByPath", "arn:aws:ssm:us-east-1:123456789012:parameter/app")]),
    ("sts assume role", "sts", "assume_role",
     {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "ses"},
     [("sts:AssumeRole", "arn:aws:iam::123456789012:role/r")]),
    ("lambda invoke by name", "lambda", "invoke", {"FunctionName": "Worker"},
     [("lambda:InvokeFunction", FN)]),
    ("lambda invoke an alias", "lambda", "invoke", {"FunctionName": "Worker",
                                                    "Qualifier": "live"},
     [("lambda:InvokeFunction", f"{FN}:live")]),
    ("lambda invoke by ARN", "lambda", "invoke", {"FunctionName": FN},
     [("lambda:InvokeFunction", FN)]),
    ("lambda invoke with response stream", "lambda", "invoke_with_response_stream",
     {"FunctionName": "Worker", "Qualifier": "live"},
     [("lambda:InvokeFunction", f"{FN}:live")]),
    ("lambda get function", "lambda", "get_function", {"FunctionName": "Worker"},
     [("lambda:GetFunction", FN)]),
]


@pytest.mark.parametrize(("service", "operation", "params", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_operation_needs(service: str, operation: str, params: dict[str, Any],
                         expected: list[tuple[str, str]]) -> None:
    found = operation_of(wire(service, operation, **params), service, PLACE)
    assert found is not None
    assert [(a.action, a.resource) for a in found.authorizations] == expected


def test_get_caller_identity_needs_no_permission() -> None:
    assert operation_of(wire("sts", "get_caller_identity"), "sts", PLACE) is None


def test_list_objects_carries_its_prefix_as_a_condition_key() -> None:
    found = operation_of(wire("s3", "list_objects_v2", Bucket="inbox", Prefix="reports/"),
                         "s3", PLACE)
    assert found is not None
    assert found.authorizations[0].keys["s3:prefix"] == ("reports/",)


def test_put_events_carries_source_and_detail_type() -> None:
    found = operation_of(wire("events", "put_events", Entries=[
        {"Source": "shop", "DetailType": "Order", "Detail": "{}"}]), "events", PLACE)
    assert found is not None
    assert found.authorizations[0].keys == {"events:source": ("shop",),
                                            "events:detail-type": ("Order",)}
