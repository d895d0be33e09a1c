"""SNS and EventBridge deliveries: an App started in-process as `samlite up` starts it (process
runtime, HTTP gateway, AWS endpoint, state directory on disk), real boto3 clients on loopback,
no-op handlers written to a temporary folder.

Prints p50/p95/max of, one message or event at a time:
- SNS publish -> Lambda handler start: the handler's first statement reads time.time() and
  sends it by UDP; latency = that time - time.time() just before `publish`. Each publish
  waits for the last invocation's REPORT, so a warm environment takes it (the first one,
  cold, is shown apart).
- SNS publish -> SQS: a raw subscription's queue, long-polled by one thread; latency = the
  time its receive_message returned the message - time.time() just before `publish`.
- EventBridge PutEvents -> Lambda handler start, and PutEvents -> SQS, the same way, through
  an event-pattern rule on a custom bus.

- Startup: `samlite up` (a subprocess) to its ready line, for one function alone and for the
  same function with a table, a topic, a subscription, a bus and a rule; after one warm-up
  start of each, median of 5 interleaved starts each: wall clock, and up's CPU by its ready
  line (user + system of all its threads, which a busy machine barely moves).

Targets (issue 16): SNS publish -> Lambda and -> SQS p50 <= 20 ms, PutEvents -> target p50
<= 20 ms; a table, a topic and a bus add <= 150 ms to startup.
Run:  python3 benchmarks/messaging.py     (--quick: fewer messages, for CI's smoke run;
      --startup [--starts N]: the startup figure alone)
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cpu_split import cpu_ticks

HANDLER = '''\
import json, os, socket, time

_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
_to = ("127.0.0.1", int(os.environ["BENCH_PORT"]))


def on_event(event, context):
    started = time.time()
    if "Records" in event:
        key = event["Records"][0]["Sns"]["Message"]
    else:
        key = event["detail"]["key"]
    _sock.sendto(json.dumps({"key": key, "t": started}).encode(), _to)
'''

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Topic: {{Type: AWS::SNS::Topic, Properties: {{TopicName: bench}}}}
  Bus: {{Type: AWS::Events::EventBus, Properties: {{Name: bench}}}}
  SnsQueue: {{Type: AWS::SQS::Queue, Properties: {{QueueName: from-sns}}}}
  EventsQueue: {{Type: AWS::SQS::Queue, Properties: {{QueueName: from-events}}}}
  ToQueue:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt SnsQueue.Arn
      RawMessageDelivery: true
      FilterPolicyScope: MessageAttributes
      FilterPolicy: {{to: [queue]}}
  Receiver:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.on_event
      Environment: {{Variables: {{BENCH_PORT: "{port}"}}}}
      Events:
        FromTopic:
          Type: SNS
          Properties: {{Topic: !Ref Topic, FilterPolicy: {{to: [lambda]}}}}
        FromBus:
          Type: EventBridgeRule
          Properties:
            EventBusName: bench
            Pattern: {{source: [bench], detail-type: [lambda]}}
  ToEventsQueue:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: bench
      EventPattern: {{source: [bench], detail-type: [queue]}}
      Targets: [{{Id: q, Arn: !GetAtt EventsQueue.Arn}}]
"""


class Reports:
    def __init__(self) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.problems: list[str] = []

    def log(self, function: str, line: str) -> None:
        if line.startswith("REPORT"):
            self.lines.put(line)
        elif line.startswith("samlite:") or "error" in line.lower():
            self.problems.append(f"{function}: {line}")


@contextmanager
def running(folder: Path, port: int) -> Iterator[tuple[Any, Reports]]:
    from samlite.app.root import App, AppOptions

    (folder / "src").mkdir(parents=True, exist_ok=True)
    (folder / "src" / "app.py").write_text(HANDLER, encoding="utf-8")
    template = folder / "template.yaml"
    template.write_text(TEMPLATE.format(port=port), encoding="utf-8")
    reports = Reports()
    app = App(template, AppOptions(runtime="process", aws_port=0, http_port=0,
                                   state_dir=folder / ".samlite"), log=reports.log)
    with app:
        yield app, reports


def client(app: Any, service: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=app.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x")  # noqa: S106


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def spread(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {ms(statistics.median(ordered))}, p95 {ms(p95)}, max {ms(ordered[-1])}"


def to_lambda(send: Callable[[str], None], sock: socket.socket, reports: Reports,
              key: str) -> float:
    begin = time.time()
    send(key)
    sock.settimeout(30)
    try:
        report = json.loads(sock.recv(65536))
    except TimeoutError:
        raise RuntimeError(f"no handler report; app said {reports.problems[-5:]}") from None
    if report["key"] != key:
        raise RuntimeError(f"handler saw {report['key']!r}, expected {key!r}")
    reports.lines.get(timeout=30)   # the invocation ended: the next one finds it warm
    return float(report["t"]) - begin


class QueueWatcher:
    """One thread long-polling a queue; the time each message body arrived."""

    def __init__(self, app: Any, queue_name: str) -> None:
        self._sqs = client(app, "sqs")
        self._url = self._sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        self.arrived: queue.Queue[tuple[str, float]] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.is_set():
            got = self._sqs.receive_message(QueueUrl=self._url, WaitTimeSeconds=1,
                                            MaxNumberOfMessages=10).get("Messages", [])
            now = time.time()
            for message in got:
                self.arrived.put((message["Body"], now))
                self._sqs.delete_message(QueueUrl=self._url,
                                         ReceiptHandle=message["ReceiptHandle"])

    def latency(self, send: Callable[[str], None], key: str, expect: str) -> float:
        begin = time.time()
        send(key)
        body, at = self.arrived.get(timeout=30)
        if body != expect:
            raise RuntimeError(f"queue got {body!r}, expected {expect!r}")
        return at - begin

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)


ALONE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.on_event
"""
WITH_MESSAGING = ALONE + """\
      Events:
        Alert: {Type: SNS, Properties: {Topic: !Ref Alerts}}
        Paid: {Type: EventBridgeRule, Properties: {EventBusName: orders, Pattern: {source: [s]}}}
  Alerts: {Type: AWS::SNS::Topic}
  Orders: {Type: AWS::Events::EventBus, Properties: {Name: orders}}
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
"""


def ready_s(folder: Path, body: str) -> tuple[float, float]:
    """`samlite up` to its ready line: seconds of wall clock, and of up's CPU (user + system,
    all its threads) by then, which a busy machine barely moves; the process is stopped
    after."""
    (folder / "src").mkdir(parents=True, exist_ok=True)
    (folder / "src" / "app.py").write_text(HANDLER, encoding="utf-8")
    (folder / "template.yaml").write_text(body, encoding="utf-8")
    exe = Path(sys.executable).parent / "samlite"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "samlite.cli"]
    command += ["up", "-t", str(folder / "template.yaml"), "--port", "0", "--aws-port", "0",
                "--reset"]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1",
                                               "BENCH_PORT": "9"})
    try:
        for line in process.stdout or ():
            if line.startswith("samlite is ready"):
                return (time.perf_counter() - start,
                        cpu_ticks(process.pid) / os.sysconf("SC_CLK_TCK"))
        raise RuntimeError("samlite up ended before it was ready")
    finally:
        process.terminate()
        process.wait(30)


def bench_startup(starts: int) -> None:
    alone: list[tuple[float, float]] = []
    more: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        ready_s(Path(tmp) / "alone", ALONE)              # warm-up: bytecode caches, page cache
        ready_s(Path(tmp) / "messaging", WITH_MESSAGING)
        for _ in range(starts):    # interleaved, so a busy moment weighs on both
            alone.append(ready_s(Path(tmp) / "alone", ALONE))
            more.append(ready_s(Path(tmp) / "messaging", WITH_MESSAGING))
    for index, what in ((0, "wall clock"), (1, "up's CPU")):
        base = statistics.median(s[index] for s in alone)
        extra = statistics.median(s[index] for s in more)
        print(f"samlite up to ready ({what}), median of {starts}: one function {ms(base)}; "
              f"with a table, a topic, a subscription, a bus and a rule {ms(extra)}: "
              f"{(extra - base) * 1000:+.1f} ms" + (" (target <= 150 ms)" if index == 0 else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20 of each (CI smoke)")
    parser.add_argument("--startup", action="store_true", help="the startup figure alone")
    parser.add_argument("--starts", type=int, help="interleaved starts of each app (5)")
    args = parser.parse_args()
    starts = args.starts or (3 if args.quick else 5)
    if args.startup:
        bench_startup(starts)
        return 0
    count = 20 if args.quick else 200
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    with tempfile.TemporaryDirectory() as tmp, \
            running(Path(tmp), sock.getsockname()[1]) as (app, reports):
        sns, events = client(app, "sns"), client(app, "events")
        topic = "arn:aws:sns:us-east-1:123456789012:bench"

        def publish(to: str) -> Callable[[str], None]:
            return lambda key: sns.publish(TopicArn=topic, Message=key, MessageAttributes={
                "to": {"DataType": "String", "StringValue": to}})

        def put(detail_type: str) -> Callable[[str], None]:
            return lambda key: events.put_events(Entries=[{
                "Source": "bench", "DetailType": detail_type, "EventBusName": "bench",
                "Detail": json.dumps({"key": key})}])

        cold = to_lambda(publish("lambda"), sock, reports, "cold")
        samples = [to_lambda(publish("lambda"), sock, reports, f"m{i}") for i in range(count)]
        print(f"SNS publish -> Lambda handler start, {count} messages one at a time: "
              f"{spread(samples)} (target p50 <= 20 ms); the first, cold environment: "
              f"{ms(cold)}")
        samples = [to_lambda(put("lambda"), sock, reports, f"e{i}") for i in range(count)]
        print(f"EventBridge PutEvents -> Lambda handler start, {count} events one at a time: "
              f"{spread(samples)} (target p50 <= 20 ms)")
        watcher = QueueWatcher(app, "from-sns")
        samples = [watcher.latency(publish("queue"), f"q{i}", f"q{i}") for i in range(count)]
        watcher.close()
        print(f"SNS publish -> SQS receive (raw), {count} messages one at a time: "
              f"{spread(samples)} (target p50 <= 20 ms)")
        watcher = QueueWatcher(app, "from-events")
        samples = []
        for i in range(count):
            begin = time.time()
            put("queue")(f"x{i}")
            body, at = watcher.arrived.get(timeout=30)
            if json.loads(body)["detail"]["key"] != f"x{i}":
                raise RuntimeError(f"queue got {body!r}")
            samples.append(at - begin)
        watcher.close()
        print(f"EventBridge PutEvents -> SQS receive, {count} events one at a time: "
              f"{spread(samples)} (target p50 <= 20 ms)")
    sock.close()
    bench_startup(starts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
