"""What IAM costs the local endpoint.

Prints:
- Per call: a function's request checked by the endpoint's guard (SigV4 verification with
  botocore's signer, the operation's IAM actions, evaluation against the function's policies
  and the resource's policy), p50/p90 over N calls, for SQS SendMessage (JSON protocol), S3
  PutObject and DynamoDB PutItem, plus the signature check and the evaluation alone. The
  guard keeps each decision, so a repeated call skips the evaluation (its first costs it).
- SQS throughput through the endpoint with boto3 signing as the function: 10,000 messages sent
  10 per SendMessageBatch, received 10 at a time and deleted in batches, with --iam enforce
  and with --iam off (best of R rounds each), and their ratio.
Targets (issue 18): verification + evaluation <= 100 us p50 per call; enforce >= 90 % of off.
Run:  python3 benchmarks/iam.py        (--quick: fewer calls and messages, for a smoke run)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties: {QueueName: bench-jobs}
  Inbox:
    Type: AWS::S3::Bucket
    Properties: {BucketName: bench-inbox}
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: bench-orders
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: python3.12
      InlineCode: "def handler(event, context): return event"
      Policies:
        - SQSPollerPolicy: {QueueName: !GetAtt Jobs.QueueName}
        - SQSSendMessagePolicy: {QueueName: !GetAtt Jobs.QueueName}
        - S3CrudPolicy: {BucketName: !Ref Inbox}
        - DynamoDBCrudPolicy: {TableName: !Ref Orders}
"""


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.0f} us"


def spread(samples: list[float]) -> str:
    ordered = sorted(samples)
    return (f"p50 {us(statistics.median(ordered))}, "
            f"p90 {us(ordered[int(len(ordered) * 0.9)])}")


class _Captured(Exception):
    def __init__(self, request: Any) -> None:
        self.request = request


def signed_request(service: str, operation: str, credentials: Any, **params: Any) -> Any:
    """The request boto3 sends, signed with the function's credentials, as the endpoint
    reads it."""
    from urllib.parse import parse_qs, urlsplit

    import boto3

    from samlite.http.messages import Request

    client = boto3.client(service, endpoint_url="http://127.0.0.1:3001",
                          region_name="us-east-1",
                          aws_access_key_id=credentials.access_key_id,
                          aws_secret_access_key=credentials.secret_access_key,
                          aws_session_token=credentials.session_token)

    def capture(request: Any, **_: Any) -> None:
        raise _Captured(request)

    client.meta.events.register("before-send", capture)
    try:
        getattr(client, operation)(**params)
    except _Captured as captured:
        sent = captured.request
    url = urlsplit(sent.url)
    headers = {"host": url.netloc, **{k.lower(): v.decode() if isinstance(v, bytes) else v
                                      for k, v in sent.headers.items()}}
    body = sent.body or b""
    if not isinstance(body, bytes):
        body = body.read() if hasattr(body, "read") else str(body).encode()
    return Request(method=sent.method, path=url.path, raw_query=url.query,
                   query={k: tuple(v) for k, v in parse_qs(url.query).items()},
                   headers=headers, body=body, raw_headers=tuple(headers.items()))


def timed(call: Callable[[], object], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def per_call(n: int) -> None:
    from textwrap import dedent

    from samlite.aws.access.guard import AccessGuard, IamMode
    from samlite.aws.sigv4 import holds, signature_of
    from samlite.graph.build import build_graph
    from samlite.iam.evaluation import Request as Authorization
    from samlite.iam.evaluation import evaluate
    from samlite.iam.sam_templates import Pseudo
    from samlite.runtime.spec import function_specs
    from samlite.template.load import parse_template
    from samlite.template.model import PseudoParameters
    from samlite.template.resolve import resolve

    graph = build_graph(resolve(parse_template(dedent(TEMPLATE), name="template.yaml")))
    [spec] = function_specs(graph, project_dir=Path(), pseudo=PseudoParameters(),
                            credential_seed=b"bench")
    guard = AccessGuard(mode=IamMode.ENFORCE, pseudo=Pseudo(), note=lambda *_: None)
    guard.update(graph, [spec])
    creds = spec.credentials
    queue = "http://127.0.0.1:3001/123456789012/bench-jobs"
    requests = {
        "SQS SendMessage": signed_request("sqs", "send_message", creds, QueueUrl=queue,
                                          MessageBody="x" * 200),
        "S3 PutObject": signed_request("s3", "put_object", creds, Bucket="bench-inbox",
                                       Key="reports/a.json", Body=b"x" * 1024),
        "DynamoDB PutItem": signed_request("dynamodb", "put_item", creds,
                                           TableName="bench-orders",
                                           Item={"id": {"S": "1"}}),
    }
    for name, request in requests.items():
        if guard.handles(request):
            raise SystemExit(f"{name}: the guard refused an allowed call")
        print(f"  {name:18} guard (verify + evaluate): "
              f"{spread(timed(lambda r=request: guard.handles(r), n))}")
    request = requests["SQS SendMessage"]
    signature = signature_of(request)
    secret = creds.secret_access_key
    alone = timed(lambda: holds(signature, request, secret_key=secret), n)
    print(f"  {'':18} signature check alone:     {spread(alone)}")
    policy = graph.access.function("Worker")
    authorization = Authorization(action="sqs:SendMessage",
                                  resource="arn:aws:sqs:us-east-1:123456789012:bench-jobs")
    alone = timed(lambda: evaluate(policy.caller, authorization, identity=policy.policies), n)
    print(f"  {'':18} evaluation alone:          {spread(alone)}")


def sqs_round_s(mode: str, messages: int) -> float:
    import boto3

    from samlite.app.root import App, AppOptions

    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.yaml"
        template.write_text(TEMPLATE)
        app = App(template, AppOptions(runtime="process", aws_port=0, iam=mode,
                                       state_dir=Path(folder) / ".samlite"))
        app.start()
        try:
            creds = app.functions[0].credentials
            sqs = boto3.client("sqs", endpoint_url=app.endpoint_url, region_name="us-east-1",
                               aws_access_key_id=creds.access_key_id,
                               aws_secret_access_key=creds.secret_access_key,
                               aws_session_token=creds.session_token)
            # The policies grant no sqs:GetQueueUrl (neither template does), as on AWS: the
            # administrator looks the URL up, as a handler gets it from its environment.
            admin = boto3.client("sqs", endpoint_url=app.endpoint_url, region_name="us-east-1",
                                 aws_access_key_id="admin",
                                 aws_secret_access_key="admin")  # noqa: S106 (local)
            url = admin.get_queue_url(QueueName="bench-jobs")["QueueUrl"]
            started = time.perf_counter()
            for first in range(0, messages, 10):
                sqs.send_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(i), "MessageBody": f"m{first + i}"} for i in range(10)])
            seen = 0
            while seen < messages:
                batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                    "Messages", [])
                if not batch:
                    break
                sqs.delete_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(batch)])
                seen += len(batch)
            seconds = time.perf_counter() - started
        finally:
            app.stop()
    if seen != messages:
        raise SystemExit(f"{mode}: only {seen} of {messages} messages came back")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer calls and messages")
    args = parser.parse_args()
    calls, messages, rounds = (300, 1_000, 1) if args.quick else (3_000, 10_000, 3)
    print(f"Per call, {calls} calls each:")
    per_call(calls)
    print(f"SQS, {messages:,} messages through the endpoint (best of {rounds}):")
    sqs_round_s("off", messages // 10)      # warm up: moto's SQS, boto3's models
    times: dict[str, list[float]] = {"off": [], "enforce": []}
    for _ in range(rounds):                  # alternated, so drift hits both alike
        for mode, seen in times.items():
            seen.append(sqs_round_s(mode, messages))
    best = {mode: min(seen) for mode, seen in times.items()}
    for mode, seconds in best.items():
        print(f"  --iam {mode:8} {seconds:.2f} s  ({messages / seconds:,.0f} messages/s)")
    print(f"  enforce / off throughput: {best['off'] / best['enforce']:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
