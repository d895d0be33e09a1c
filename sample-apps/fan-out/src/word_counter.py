"""The worker: counts the words of one document in DocumentsBucket.

It is invoked asynchronously, so what it returns goes to its OnSuccess destination and an
exception it raises is retried (MaximumRetryAttempts), then sent to OnFailure, each wrapped
in Lambda's invocation record. See "Capturing records of Lambda asynchronous invocations"
in the Lambda developer guide."""

import os
import re
from collections import Counter
from functools import cache

import boto3

WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


@cache
def _s3():
    return boto3.client("s3")


def count_words(event, context):
    # A missing document raises NoSuchKey here; Lambda retries it, then gives up.
    body = _s3().get_object(Bucket=os.environ["DOCUMENTS_BUCKET"], Key=event["key"])["Body"]
    summary = summarize(body.read().decode("utf-8"))
    print(f"{event['key']}: {summary['words']} words")
    return {"jobId": event["jobId"], "key": event["key"], **summary}


def summarize(text: str) -> dict:
    words = [word.lower() for word in WORD.findall(text)]
    return {
        "words": len(words),
        "lines": len(text.splitlines()),
        "top": [word for word, _ in Counter(words).most_common(3)],
    }
