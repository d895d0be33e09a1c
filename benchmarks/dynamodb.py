"""DynamoDB on the local endpoint: `samlite up` (a subprocess, as a test or a handler calls
it) on a temporary project with two tables and a no-op stream handler; a real boto3 client
in this process on loopback.

Prints:
- PutItem/s and GetItem/s: N calls one after another from one boto3 client (each PutItem
  committed to the state directory before it answers). Beside them, DescribeLimits/s on the
  same client (moto answers it with constants): the rate of boto3 and the endpoint alone,
  the ceiling any call here can reach; the client's CPU per call (boto3's own share of each
  call's time); and PutItem/s made in-process (LocalDynamoDb.call: moto's action, the change
  capture and the commit, no HTTP, no boto3).
- PutItem/s and GetItem/s from CLIENTS boto3 clients at once, each in its own process (as
  concurrent handlers call the table): the endpoint's throughput, which one client cannot
  show here because boto3 alone takes ~0.9 ms of CPU per call on this machine (the
  DescribeLimits ceiling above is under 1,000/s whatever the endpoint does). Beside it, the
  endpoint's own CPU per call (`samlite up`'s user + system time from /proc over the run).
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
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from cpu_split import cpu_ticks

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
    """Calls per second; with `cpu`, also this thread's CPU seconds per call (boto3's)."""
    started, client_cpu = time.perf_counter(), time.thread_time()
    for i in range(count):
        call(i)
    elapsed = time.perf_counter() - started
    if cpu is not None:
        cpu["client"] = (time.thread_time() - client_cpu) / count
    return count / elapsed


def calls_per_second(ddb: Any, count: int,
                     cpu: dict[str, dict[str, float]] | None = None) -> dict[str, float]:
    cpu = {} if cpu is None else cpu
    return {name: per_second(call, count, cpu.setdefault(name, {}))
            for name, call in _calls(ddb).items()}


def _calls(ddb: Any) -> dict[str, Any]:
    return {
        "PutItem": lambda i: ddb.put_item(
            TableName="items", Item={"id": {"S": f"k{i}"}, **ITEM}),
        "GetItem": lambda i: ddb.get_item(TableName="items", Key={"id": {"S": f"k{i}"}}),
        "DescribeLimits": lambda i: ddb.describe_limits(),
    }


CLIENTS = 4


def _client_process(url: str, name: str, first: int, count: int,
                    ready: Any, results: Any) -> None:
    """One of the concurrent clients: warm up, wait for the others, make `count` calls."""
    ddb = client(url)
    call = _calls(ddb)[name]
    for i in range(20):
        call(first + i)
    ready.wait()
    started = time.time()
    for i in range(count):
        call(first + i)
    results.put((started, time.time()))


def concurrent_per_second(url: str, up_pid: int, count: int) -> dict[str, tuple[float, float]]:
    """Per call name: (calls per second of CLIENTS client processes together, the endpoint's
    CPU microseconds per call). Each process makes `count` calls of its own keys."""
    spawn = multiprocessing.get_context("spawn")
    out = {}
    for name in ("PutItem", "GetItem"):
        ready, results = spawn.Barrier(CLIENTS + 1), spawn.Queue()
        workers = [spawn.Process(target=_client_process,
                                 args=(url, name, n * count, count, ready, results))
                   for n in range(CLIENTS)]
        for worker in workers:
            worker.start()
        ready.wait()
        up_before = _cpu_seconds(up_pid)
        spans = [results.get(timeout=600) for _ in workers]
        up_used = _cpu_seconds(up_pid) - up_before
        for worker in workers:
            worker.join(30)
        total = CLIENTS * count
        elapsed = max(end for _, end in spans) - min(start for start, _ in spans)
        out[name] = (total / elapsed, up_used / total * 1e6)
    return out


def _cpu_seconds(pid: int) -> float:
    return cpu_ticks(pid) / os.sysconf("SC_CLK_TCK")


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


def start_up(template: Path) -> tuple[subprocess.Popen[str], str]:
    """`samlite up` on the template; the process and its AWS endpoint's URL."""
    exe = Path(sys.executable).parent / "samlite"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "samlite.cli"]
    command += ["up", "-t", str(template), "--port", "0", "--aws-port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    for line in process.stdout or ():
        if line.startswith("samlite is ready"):
            found = re.search(r"AWS endpoint (http://\S+)", line)
            if found is None:
                raise RuntimeError(f"no AWS endpoint in: {line}")
            # keep reading, so a chatty app never blocks on a full pipe
            threading.Thread(target=process.stdout.read, daemon=True).start()  # type: ignore[union-attr]
            return process, found.group(1)
    raise RuntimeError("samlite up ended before it was ready")


def in_process_puts(folder: Path, count: int) -> float:
    from samlite.aws.dynamodb.service import LocalDynamoDb
    from samlite.clock import SystemClock
    from samlite.errors import Mark
    from samlite.graph.model import Table

    local = LocalDynamoDb(db_path=folder / "in-process.db", account_id="123456789012",
                          region="us-east-1", clock=SystemClock())
    local.ensure_table(Table(
        logical_id="Items", resource_type="AWS::DynamoDB::Table", table_name="items",
        key_schema=(("id", "HASH"),), attribute_definitions=(("id", "S"),),
        billing_mode="PAY_PER_REQUEST", at=Mark(file="template.yaml", line=1, column=1)))
    try:
        return per_second(lambda i: local.call("PutItem", {
            "TableName": "items", "Item": {"id": {"S": f"p{i}"}, **ITEM}}), count)
    finally:
        local.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="fewer calls and writes (CI's smoke run)")
    args = parser.parse_args()
    calls, writes = (300, 20) if args.quick else (3000, 200)

    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(30)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "src").mkdir()
        (root / "src" / "app.py").write_text(HANDLER)
        (root / "template.yaml").write_text(TEMPLATE.format(port=listener.getsockname()[1]))
        process, url = start_up(root / "template.yaml")
        try:
            ddb = client(url)
            per_second(lambda i: ddb.describe_limits(), calls // 10)   # warm-up
            cpu: dict[str, dict[str, float]] = {}
            rates = calls_per_second(ddb, calls, cpu)
            together = concurrent_per_second(url, process.pid, calls // CLIENTS * 2)
            latencies = stream_latencies(ddb, listener, writes)
        finally:
            process.terminate()
            process.wait(30)
        rates["in-process PutItem"] = in_process_puts(root, calls)
    cold, timed = latencies[0], sorted(latencies[1:])
    p95 = timed[min(len(timed) - 1, int(len(timed) * 0.95))]
    print(f"PutItem: {rates['PutItem']:,.0f}/s, GetItem: {rates['GetItem']:,.0f}/s "
          f"({calls} calls each, one boto3 client; target >= 1,000/s); the same client's "
          f"DescribeLimits (boto3 + endpoint alone): {rates['DescribeLimits']:,.0f}/s; "
          f"PutItem in-process: {rates['in-process PutItem']:,.0f}/s")
    print(f"{CLIENTS} boto3 clients at once, one process each: " + ", ".join(
        f"{name} {rate:,.0f}/s" for name, (rate, _) in together.items())
        + " (target >= 1,000/s); the endpoint's CPU per call (us): " + ", ".join(
        f"{name} {used:.0f}" for name, (_, used) in together.items()))
    print("boto3's CPU per call (us): " + ", ".join(
        f"{name} {c['client'] * 1e6:.0f}" for name, c in cpu.items()))
    print(f"stream write -> handler start: p50 {statistics.median(timed) * 1000:.1f} ms, "
          f"p95 {p95 * 1000:.1f} ms, max {timed[-1] * 1000:.1f} ms over {len(timed)} writes "
          f"(first, cold: {cold * 1000:.0f} ms; target p50 <= 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
