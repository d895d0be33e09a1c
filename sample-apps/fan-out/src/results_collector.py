"""The OnSuccess destination: stores what each successful worker invocation returned, as
results/<jobId>/<key>.json in ResultsBucket.

The event is Lambda's invocation record: the worker's event (requestPayload), its response
(responsePayload) and how the invocation went (requestContext)."""

import json
import os
from functools import cache

import boto3


@cache
def _s3():
    return boto3.client("s3")


def store_result(record, context):
    result = result_of(record)
    _s3().put_object(Bucket=os.environ["RESULTS_BUCKET"],
                     Key=f"results/{result['jobId']}/{result['key']}.json",
                     Body=json.dumps(result).encode(), ContentType="application/json")
    return {"stored": result["key"]}


def result_of(record: dict) -> dict:
    """The worker's response, with how many tries it took and which request it was."""
    context = record["requestContext"]
    return {
        **record["responsePayload"],
        "attempts": context["approximateInvokeCount"],
        "workerRequestId": context["requestId"],
    }
