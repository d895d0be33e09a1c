"""The local AWS endpoint as `samlite up` assembles it (Invoke API, SQS, S3), against a fake
Lambda service: half-sent requests, oversized bodies, browser pages and malformed headers get
AWS's own answers, and nothing runs."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from samlite.app.root import App, AppOptions
from tests.http.raw import exchange, status_of
from tests.sources.fakes import FakeService, fake_factory

TEMPLATE = """Transform: AWS::Serverless-2016-10-31
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: python3.12, CodeUri: src/}
  Photos:
    Type: AWS::S3::Bucket
    Properties: {BucketName: photos}
  Jobs:
    Type: AWS::SQS::Queue
    Properties: {QueueName: jobs}
"""
SIGNED = ("AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/{}/aws4_request, "
          "SignedHeaders=host, Signature=0")


class Running:
    def __init__(self, app: App, service: FakeService) -> None:
        self.app = app
        self.service = service
        url = app.endpoint_url
        assert url is not None
        self.url = url
        host, port = url.removeprefix("http://").split(":")
        self.address = (host, int(port))
        self.host = f"{host}:{port}"

    def client(self, name: str) -> Any:
        return boto3.client(name, endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id="AKIDLOCAL",
                            aws_secret_access_key="fake",  # noqa: S106 (loopback, unchecked)
                            config=Config(retries={"max_attempts": 1}))

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(*self.address, timeout=10)
        try:
            conn.request("POST", path, body=body, headers=headers)
            reply = conn.getresponse()
            return reply.status, reply.read()
        finally:
            conn.close()


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(e, c):\n    return e\n")
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    service = FakeService()
    app = App(template, AppOptions(aws_port=0, state_dir=tmp_path / ".samlite"),
              service_factory=fake_factory(service), environments=lambda settings: None)
    with app:
        yield Running(app, service)


def test_a_cross_site_send_message_is_refused_and_sends_nothing(running: Running) -> None:
    sqs = running.client("sqs")
    queue_url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
    form = f"Action=SendMessage&QueueUrl={queue_url}&MessageBody=pwned".encode()
    status, _ = running.post("/", form, {
        "Origin": "https://evil.example",
        "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)


def test_sdks_send_no_origin_and_are_served(running: Running) -> None:
    sqs = running.client("sqs")
    queue_url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody="hi")
    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)["Messages"]
    assert [m["Body"] for m in messages] == ["hi"]


def test_a_rebound_host_name_is_refused(running: Running) -> None:
    port = running.address[1]
    status, body = running.post("/2015-03-31/functions/HelloFunction/invocations", b"{}",
                                {"Host": f"attacker.example:{port}"})
    assert status == 403
    assert b"names another site" in body
    assert running.service.calls == []


def test_an_s3_put_shorter_than_its_content_length_is_incomplete_body(
        running: Running) -> None:
    reply = exchange(running.address, (
        f"PUT /photos/cut.txt HTTP/1.1\r\nHost: {running.host}\r\n"
        f"Authorization: {SIGNED.format('s3')}\r\nContent-Length: 1000\r\n\r\nhello").encode())
    assert status_of(reply) == 400
    assert b"<Code>IncompleteBody</Code><Message>You did not provide the number of bytes " \
        b"specified by the Content-Length HTTP header.</Message>" in reply
    listed = running.client("s3").list_objects_v2(Bucket="photos")
    assert listed.get("KeyCount") == 0


def test_a_malformed_authorization_header_is_a_clean_s3_error(
        running: Running, caplog: pytest.LogCaptureFixture) -> None:
    conn = http.client.HTTPConnection(*running.address, timeout=10)
    conn.request("GET", "/photos", headers={"Authorization": "AWS4-HMAC-SHA256 Credential=x"})
    reply = conn.getresponse()
    body = reply.read()
    assert reply.status == 400
    assert b"<Code>AuthorizationHeaderMalformed</Code>" in body
    assert not [r for r in caplog.records if r.exc_info]


def test_a_50_mb_invoke_is_refused_from_its_content_length(running: Running) -> None:
    reply = exchange(running.address, (
        f"POST /2015-03-31/functions/HelloFunction/invocations HTTP/1.1\r\n"
        f"Host: {running.host}\r\nContent-Length: {50 * 1024 * 1024}\r\n\r\nnot json").encode())
    assert status_of(reply) == 413
    assert b"X-Amzn-ErrorType: RequestTooLargeException" in reply
    assert running.service.calls == []


def test_an_oversized_non_json_invoke_is_413_not_400(running: Running) -> None:
    status, body = running.post("/2015-03-31/functions/HelloFunction/invocations",
                                b"x" * (7 * 1024 * 1024), {})
    assert status == 413
    assert b"Request must be smaller than 6291456 bytes" in body
    assert running.service.calls == []


def test_an_oversized_async_invoke_is_413(running: Running) -> None:
    status, _ = running.post("/2015-03-31/functions/HelloFunction/invocations",
                             b'"' + b"x" * (1024 * 1024) + b'"',
                             {"X-Amz-Invocation-Type": "Event"})
    assert status == 413
    assert running.service.calls == []

