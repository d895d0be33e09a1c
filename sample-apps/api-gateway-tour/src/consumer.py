"""Consumes MessagesQueue: each message that POST /messages put there (API Gateway's SQS
integration, no function in between) is stored in MessagesBucket as messages/<id>.json."""

import json
import os
from functools import cache

import boto3


@cache
def _s3():
    return boto3.client("s3")


def handler(event, context):
    for record in event["Records"]:
        sent_by = record["messageAttributes"].get("sentBy", {}).get("stringValue")
        stored = {"messageId": record["messageId"], "body": record["body"], "sentBy": sent_by}
        _s3().put_object(Bucket=os.environ["MESSAGES_BUCKET"],
                         Key=f"messages/{record['messageId']}.json",
                         Body=json.dumps(stored).encode(), ContentType="application/json")
        print(f"stored message {record['messageId']}")
