"""DynamoDB on the local endpoint: an App started in-process as `samlite up` starts it
(process runtime, AWS endpoint, state directory on disk), a real boto3 client on loopback,
a no-op stream handler written to a temporary folder.

Prints:
- PutItem/s and GetItem/s: N calls one after another from one boto3 client (each PutItem
  committed to the state directory before it answers). Beside them, DescribeLimits/s on the
  same client (moto answers it with constants): the rate of boto3 and the endpoint alone,
  the ceiling any call here can reach; and PutItem/s made in-process (LocalDynamoDb.call:
  moto's protocol layer, the change capture and the commit, no HTTP, no boto3).
- CPU per call: the client thread's (boto3) and the rest of the process's (the endpoint,
  moto, the store), which share one GIL: a call costs the two summed.
- Stream write -> handler start: the handler's first statement reads time.time() and sends
  it by UDP with the item's key; latency = that time - time.time() just before PutItem.
  p50/p95/max over the timed writes, one at a time (each after the last handler start); the
  first, with a cold environment, is shown apart.

Targets (issue 16): >= 1,000 PutItem/GetItem per second, <= 50 ms write-to-handler p50.
Run:  python3 benchmarks/dynamodb.py      (--quick: fewer calls and writes, for CI's smoke run)
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HANDLER = '''\
import json, os, socket, time

_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
_to = ("127.0.0.1", int(os.environ["BENCH_PORT"]))


def on_change(event, context):
    started = time.time()
    for record in event["Records"]:
        key = record["dynamodb"]["Keys"]["id"]["S"]
        _sock.sendto(json.dumps({"key": key, "t": started}).encode(), _to)
'''

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: items
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{{AttributeName: id, KeyType: HASH}}]
      AttributeDefinitions: [{{AttributeName: id, AttributeType: S}}]
  Watched:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: watched
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{{AttributeName: id, KeyType: HASH}}]
      AttributeDefinitions: [{{AttributeName: id, AttributeType: S}}]
      StreamSpecification: {{StreamViewType: NEW_IMAGE}}
  OnChange:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.on_change
      Environment:
        Variables:
          BENCH_PORT: "{port}"
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Watched.StreamArn
            StartingPosition: LATEST
            BatchSize: 1
"""


def client(url: str) -> Any:
    import boto3

    return boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="bench", aws_secret_access_key="bench")  # noqa: S106


ITEM = {"payload": {"S": "x" * 100}, "n": {"N": "1"}}


def per_second(call: Any, count: int, cpu: dict[str, float] | None = None) -> float:
    """Calls per second; with `cpu`, also the CPU seconds per call of this thread (the boto3
    client) and of the rest of the process (the endpoint, moto, the store) into it."""
    started, process_cpu, client_cpu = time.perf_counter(), time.process_time(), \
        time.thread_time()
    for i in range(count):
        call(i)
    elapsed = time.perf_counter() - started
    if cpu is not None:
        client = time.thread_time() - client_cpu
        cpu["client"] = client / count
        cpu["endpoint"] = (time.process_time() - process_cpu - client) / count
    return count / elapsed


def calls_per_second(ddb: Any, count: int,
                     cpu: dict[str, dict[str, float]] | None = None) -> dict[str, float]:
    cpu = {} if cpu is None else cpu
    calls = {
        "PutItem": lambda i: ddb.put_item(
            TableName="items", Item={"id": {"S": f"k{i}"}, **ITEM}),
        "GetItem": lambda i: ddb.get_item(TableName="items", Key={"id": {"S": f"k{i}"}}),
        "DescribeLimits": lambda i: ddb.describe_limits(),
    }
    return {name: per_second(call, count, cpu.setdefault(name, {}))
            for name, call in calls.items()}


def stream_latencies(ddb: Any, listener: socket.socket, count: int) -> list[float]:
    """Seconds from just before PutItem to the handler's start, one write at a time."""
    out = []
    for i in range(count + 1):
        key = f"w{i}"
        sent = time.time()
        ddb.put_item(TableName="watched", Item={"id": {"S": key}})
        while True:
            message = json.loads(listener.recv(4096))
            if message["key"] == key:
                out.append(message["t"] - sent)
                break
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="fewer calls and writes (CI's smoke run)")
    args = parser.parse_args()
    calls, writes = (300, 20) if args.quick else (3000, 200)

    from samlite.app.root import App, AppOptions

    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(30)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "src").mkdir()
        (root / "src" / "app.py").write_text(HANDLER)
        (root / "template.yaml").write_text(TEMPLATE.format(port=listener.getsockname()[1]))
        app = App(root / "template.yaml", AppOptions(runtime="process", aws_port=0,
                                                      http_port=None,
                                                      state_dir=root / ".samlite"))
        app.start()
        try:
            ddb = client(app.endpoint_url)
            cpu: dict[str, dict[str, float]] = {}
            rates = calls_per_second(ddb, calls, cpu)
            latencies = stream_latencies(ddb, listener, writes)
            if app.aws is None:
                raise SystemExit("the app has no AWS endpoint")
            local = app.aws.tables.service
            rates["in-process PutItem"] = per_second(lambda i: local.call("PutItem", {
                "TableName": "items", "Item": {"id": {"S": f"p{i}"}, **ITEM}}), calls)
        finally:
            app.stop()
    cold, timed = latencies[0], sorted(latencies[1:])
    p95 = timed[min(len(timed) - 1, int(len(timed) * 0.95))]
    print(f"PutItem: {rates['PutItem']:,.0f}/s, GetItem: {rates['GetItem']:,.0f}/s "
          f"({calls} calls each, one boto3 client; target >= 1,000/s); the same client's "
          f"DescribeLimits (boto3 + endpoint alone): {rates['DescribeLimits']:,.0f}/s; "
          f"PutItem in-process: {rates['in-process PutItem']:,.0f}/s")
    # Client and endpoint share this process (and its GIL): a call costs their CPU summed.
    print("CPU per call (us), boto3 client / endpoint (HTTP, moto, store): " + ", ".join(
        f"{name} {c['client'] * 1e6:.0f} / {c['endpoint'] * 1e6:.0f}"
        for name, c in cpu.items()))
    print(f"stream write -> handler start: p50 {statistics.median(timed) * 1000:.1f} ms, "
          f"p95 {p95 * 1000:.1f} ms, max {timed[-1] * 1000:.1f} ms over {len(timed)} writes "
          f"(first, cold: {cold * 1000:.0f} ms; target p50 <= 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
