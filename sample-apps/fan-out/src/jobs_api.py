"""The jobs API: POST /jobs fans a job out, one asynchronous WorkerFunction invocation per
document; GET /jobs/{id} returns the results the collector has stored so far.

Plain boto3: on AWS it reaches the real services; under `samlite up` the AWS_ENDPOINT_URL
variable points it at samlite's local Lambda and S3."""

import base64
import json
import os
import re
import uuid
from functools import cache

import boto3

MAX_KEYS = 100
JOB_ID = re.compile(r"^[0-9a-f]{32}$")


@cache
def _lambda():
    return boto3.client("lambda")


@cache
def _s3():
    return boto3.client("s3")


def create_job(event, context):
    try:
        request = json.loads(request_body(event))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _response(400, {"error": "the body must be a JSON object"})
    problem = check_keys(request)
    if problem:
        return _response(400, {"error": problem})
    job_id = uuid.uuid4().hex
    for key in request["keys"]:
        # InvocationType Event: Lambda queues the event and answers 202 at once. Retries and
        # the OnSuccess / OnFailure destinations are the worker's EventInvokeConfig.
        _lambda().invoke(FunctionName=os.environ["WORKER_FUNCTION"], InvocationType="Event",
                         Payload=json.dumps({"jobId": job_id, "key": key}).encode())
    return _response(202, {"jobId": job_id, "dispatched": len(request["keys"])},
                     headers={"Location": f"/jobs/{job_id}"})


def get_job(event, context):
    job_id = (event.get("pathParameters") or {}).get("id", "")
    if not JOB_ID.match(job_id):
        return _response(404, {"error": f"no job {job_id!r}"})
    bucket, results = os.environ["RESULTS_BUCKET"], []
    pages = _s3().get_paginator("list_objects_v2").paginate(Bucket=bucket,
                                                           Prefix=f"results/{job_id}/")
    for page in pages:
        for item in page.get("Contents", []):
            body = _s3().get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            results.append(json.loads(body))
    return _response(200, {"jobId": job_id,
                           "results": sorted(results, key=lambda result: result["key"])})


def check_keys(request) -> str | None:
    """What is wrong with a job request (None when it may be dispatched)."""
    keys = request.get("keys") if isinstance(request, dict) else None
    if not isinstance(keys, list) or not keys:
        return "keys must be a non-empty list of object keys"
    if len(keys) > MAX_KEYS:
        return f"at most {MAX_KEYS} keys per job"
    if not all(isinstance(key, str) and key for key in keys):
        return "each key must be a non-empty string"
    return None


def request_body(event) -> str:
    """The request body as text. HTTP APIs base64-encode bodies they do not take for text
    (curl -d without a JSON Content-Type sends application/x-www-form-urlencoded)."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body).decode("utf-8")
    return body


def _response(status: int, body: dict, headers: dict | None = None) -> dict:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps(body),
    }
