"""ProcessDocument: S3 ObjectCreated event on the Inbox -> JSON summary in the Outbox.

Plain boto3: on AWS it talks to S3; under samlite, AWS_ENDPOINT_URL points it at the local
endpoint, so the same code runs unchanged.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.parse

import boto3
import docstats  # from the SharedLayer (layers/shared/python/docstats.py)

logger = logging.getLogger("process_document")   # not the root: keeps boto3 quiet
logger.setLevel(logging.INFO)

s3 = boto3.client("s3")   # created once per execution environment, reused by warm starts
OUTBOX = os.environ["OUTBOX_BUCKET"]


def handler(event, context):
    written = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        # Keys arrive URL-encoded in S3 events ("meeting notes.txt" -> "meeting+notes.txt").
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        logger.info("processing s3://%s/%s", bucket, key)
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        # A DocumentError propagates: Lambda retries the event, then sends it to OnFailure.
        stats = docstats.analyse(key, body)
        summary = {"source": {"bucket": bucket, "key": key, "bytes": len(body)}, **stats}
        out_key = f"summaries/{key}.json"
        s3.put_object(Bucket=OUTBOX, Key=out_key, ContentType="application/json",
                      Body=json.dumps(summary, ensure_ascii=False, indent=2).encode())
        logger.info("wrote s3://%s/%s", OUTBOX, out_key)
        written.append(out_key)
    return {"written": written}
