"""No growth per request: an app started in-process takes 20,000 mixed S3, SQS and HTTP
requests, and its memory and moto's objects stay where they were after a warm-up. Bounds are
on bytes and objects counted, never on time.

Not collected by itself (no test_ prefix): test_soak.py runs it in a fresh pytest process,
whose memory only this app and its requests move."""

from __future__ import annotations

import gc
import http.client
import json
import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from samlite.aws.s3.backend import tracked_instances
from samlite.testing import RunningApp

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Files:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: soak-files
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: soak-jobs
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      Events:
        Get:
          Type: HttpApi
          Properties: {Path: /hello, Method: GET}
"""

HANDLER = """\
def handler(event, context):
    return {"statusCode": 200, "body": "hi"}
"""

WARM_UP_OPS = 2_000
SOAK_OPS = 20_000
KEYS = 50
# Before the fix each PUT kept ~3.9 KB (3 ops in 8 are PUTs: ~29 MB over the soak); after
# it the whole soak grows well under 1 MB. The bound leaves room for allocator noise.
MAX_GROWTH_BYTES_PER_OP = 500
# S3 and SQS clients sign requests; the endpoint reads only the access key id from it.
AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDSOAK/20260101/us-east-1/s3/aws4_request, "
        "SignedHeaders=host, Signature=0")


def _rss_bytes() -> int:
    """Resident memory now (Linux); elsewhere the peak, which a leak raises as well."""
    statm = Path("/proc/self/statm")
    if statm.is_file():
        return int(statm.read_text().split()[1]) * resource.getpagesize()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


class _Client:
    """One kept-alive connection, as SDKs use them; every answer must be a success."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._connection = http.client.HTTPConnection(str(parts.hostname), parts.port,
                                                      timeout=30)

    def call(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> bytes:
        self._connection.request(method, path, body=body,
                                 headers={"Authorization": AUTH, **(headers or {})})
        reply = self._connection.getresponse()
        data = reply.read()
        assert reply.status < 300, (method, path, reply.status, data[:300])
        return data

    def close(self) -> None:
        self._connection.close()


def _operations(app: RunningApp) -> tuple[Callable[[int], None], Callable[[], None]]:
    aws, gateway = _Client(app.endpoint_url), _Client(app.url)

    def sqs(action: str, **params: Any) -> dict[str, Any]:
        body = aws.call("POST", "/", json.dumps(params).encode(),
                        {"X-Amz-Target": f"AmazonSQS.{action}",
                         "Content-Type": "application/x-amz-json-1.0"})
        return dict(json.loads(body))

    queue_url = sqs("GetQueueUrl", QueueName="soak-jobs")["QueueUrl"]

    def operate(i: int) -> None:
        kind = i % 8
        if kind < 3:      # replacing keys is what leaked
            aws.call("PUT", f"/soak-files/k{i % KEYS}", b"x" * 1024)
        elif kind == 3:
            aws.call("GET", f"/soak-files/k{(i - 1) % KEYS}")
        elif kind == 4:
            aws.call("DELETE", f"/soak-files/k{(i + 7) % KEYS}")
        elif kind == 5:
            sqs("SendMessage", QueueUrl=queue_url, MessageBody="m" * 200)
        elif kind == 6:
            received = sqs("ReceiveMessage", QueueUrl=queue_url, MaxNumberOfMessages=10)
            for message in received.get("Messages", []):
                sqs("DeleteMessage", QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        else:
            gateway.call("GET", "/hello")

    def close() -> None:
        aws.close()
        gateway.close()

    return operate, close


def _live(kind: type) -> int:
    return sum(1 for thing in gc.get_objects() if type(thing) is kind)


@pytest.fixture
def soak_app(tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> RunningApp:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return samlite_app_factory(tmp_path / "template.yaml")


def test_twenty_thousand_mixed_requests_grow_neither_memory_nor_objects(
        soak_app: RunningApp) -> None:
    operate, close = _operations(soak_app)
    try:
        for i in range(WARM_UP_OPS):
            operate(i)
        assert soak_app.app.aws is not None
        soak_app.s3.put_object(Bucket="soak-files", Key="probe", Body=b"p")
        key_type = type(soak_app.app.aws.s3.backend.latest("soak-files", "probe"))
        gc.collect()
        rss_before, keys_before = _rss_bytes(), _live(key_type)
        tracked_before = tracked_instances()

        for i in range(WARM_UP_OPS, WARM_UP_OPS + SOAK_OPS):
            operate(i)
        gc.collect()
        rss_after, keys_after = _rss_bytes(), _live(key_type)
        tracked_after = tracked_instances()
    finally:
        close()

    growth = rss_after - rss_before
    print(f"soak: {SOAK_OPS} ops; RSS {rss_before / 2**20:.1f} -> {rss_after / 2**20:.1f} MiB "
          f"({growth / SOAK_OPS:+.0f} B/op); moto S3 objects tracked {tracked_before} -> "
          f"{tracked_after}; live keys {keys_before} -> {keys_after}")
    # Objects first: a replaced or deleted key is gone, whatever holds memory besides.
    assert tracked_after <= tracked_before
    assert 0 < keys_after <= keys_before + KEYS
    assert growth < MAX_GROWTH_BYTES_PER_OP * SOAK_OPS
