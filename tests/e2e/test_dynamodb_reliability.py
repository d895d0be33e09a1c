"""Issue 16's reliability test, in the shape of the SQS one (test_sqs_reliability.py): 10,000
items written to a table whose stream feeds a function that fails 10 % of its batches, with
`samlite up` killed by SIGKILL mid-run and started again on the same state directory.
Nothing may be lost: every record ends processed (in an invocation that succeeded) or
inside the DDBStreamBatchInfo range of an on-failure record in the OnFailure queue.
Duplicates are counted (Lambda reads streams at least once) and printed (`pytest -s`).

Which batches fail: those whose first record's number hashes into a fixed tenth, every time
they are invoked, so they exhaust MaximumRetryAttempts and go to the OnFailure queue; a run
is reproducible. The worker appends, per invocation, one block of lines with a single
O_APPEND write to a file of its own:
  R <n> <sequence number> <request id>   a record the invocation got
  S <request id>                         the invocation returned success
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from samlite.testing import wait_for
from tests.e2e.test_sqs_reliability import Up, client, free_port, workers_of

ITEMS = 10_000
WAIT_S = 180.0

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Events:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: events
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{{AttributeName: n, KeyType: HASH}}]
      AttributeDefinitions: [{{AttributeName: n, AttributeType: N}}]
      StreamSpecification: {{StreamViewType: NEW_IMAGE}}
  GivenUp:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: given-up
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: worker.handler
      Environment:
        Variables:
          OUT_DIR: {out}
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Events.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
            MaximumRetryAttempts: 1
            Enabled: {enabled}
            DestinationConfig:
              OnFailure:
                Destination: !GetAtt GivenUp.Arn
"""

WORKER = """\
import hashlib, os

_fd = None

def _write(lines):
    global _fd
    if _fd is None:
        path = os.path.join(os.environ["OUT_DIR"], f"worker-{os.getpid()}.log")
        _fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.write(_fd, "".join(line + "\\n" for line in lines).encode())

def fails(n):
    return hashlib.sha256(str(n).encode()).digest()[0] % 10 == 0

def handler(event, context):
    rid = context.aws_request_id
    records = event["Records"]
    lines = [f"R {r['dynamodb']['NewImage']['n']['N']} {r['dynamodb']['SequenceNumber']} {rid}"
             for r in records]
    first = int(records[0]["dynamodb"]["NewImage"]["n"]["N"])
    if fails(first):
        _write(lines)
        raise RuntimeError(f"batch from {first} failed")
    _write(lines + [f"S {rid}"])
"""


@dataclass(slots=True)
class Ledger:
    out: Path
    offsets: dict[Path, int] = field(default_factory=dict)
    sequence: dict[int, int] = field(default_factory=dict)          # n -> sequence number
    by_invocation: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    succeeded: set[str] = field(default_factory=set)
    processed: Counter[int] = field(default_factory=Counter)
    deliveries: int = 0

    def read(self) -> Ledger:
        for path in sorted(self.out.glob("worker-*.log")):
            with path.open("rb") as f:
                f.seek(self.offsets.get(path, 0))
                data = f.read()
            end = data.rfind(b"\n") + 1
            self.offsets[path] = self.offsets.get(path, 0) + end
            for line in data[:end].decode().splitlines():
                parts = line.split()
                if parts[0] == "R":
                    n, rid = int(parts[1]), parts[3]
                    self.sequence[n] = int(parts[2])
                    self.deliveries += 1
                    self.by_invocation[rid].append(n)
                elif parts[0] == "S":
                    self.succeeded.add(parts[1])
                    self.processed.update(self.by_invocation.pop(parts[1], ()))
        return self


@dataclass(slots=True)
class GivenUp:
    """The on-failure records, received (and hidden for 10 minutes) as they arrive."""

    endpoint: str
    ranges: list[tuple[int, int, int]] = field(default_factory=list)   # (start, end, size)

    def read(self) -> GivenUp:
        sqs = client(self.endpoint, "sqs")
        url = sqs.get_queue_url(QueueName="given-up")["QueueUrl"]
        while True:
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                           VisibilityTimeout=600).get("Messages", [])
            if not messages:
                return self
            for message in messages:
                info = json.loads(message["Body"])["DDBStreamBatchInfo"]
                self.ranges.append((int(info["startSequenceNumber"]),
                                    int(info["endSequenceNumber"]), info["batchSize"]))

    def covers(self, sequence: int) -> bool:
        return any(start <= sequence <= end for start, end, _ in self.ranges)


def write_project(root: Path, *, enabled: bool) -> Path:
    out = root / "out"
    out.mkdir(exist_ok=True)
    (root / "src").mkdir(exist_ok=True)
    (root / "src" / "worker.py").write_text(WORKER)
    (root / "template.yaml").write_text(TEMPLATE.format(out=out,
                                                        enabled=str(enabled).lower()))
    return root / "template.yaml"


def write_all(endpoint: str) -> None:
    """Every item, 25 per BatchWriteItem from 4 threads."""
    ddb = client(endpoint, "dynamodb")

    def write(first: int) -> None:
        requests = [{"PutRequest": {"Item": {"n": {"N": str(n)}}}}
                    for n in range(first, min(first + 25, ITEMS))]
        reply = ddb.batch_write_item(RequestItems={"events": requests})
        assert not reply.get("UnprocessedItems"), reply["UnprocessedItems"]

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(0, ITEMS, 25)))


def test_sigkill_mid_stream_loses_no_record(tmp_path: Path) -> None:
    """Run 0 (mapping disabled) writes every item and stops; run 1 reads the stream until
    30 % are processed and is killed with SIGKILL; run 2, on the same state directory and
    AWS port, finishes."""
    template = write_project(tmp_path, enabled=False)
    out = tmp_path / "out"
    up = Up(template=template, aws_port=free_port(), log=tmp_path / "up.log")
    ledger, given_up = Ledger(out), GivenUp(up.endpoint)

    def accounted() -> int:
        ledger.read()
        given_up.read()
        return sum(1 for n in range(ITEMS) if n in ledger.processed
                   or (n in ledger.sequence and given_up.covers(ledger.sequence[n])))

    try:
        up.start()
        write_all(up.endpoint)
        up.stop()
        assert up.process is not None and up.process.returncode == 0
        write_project(tmp_path, enabled=True)
        started = time.monotonic()
        up.start()
        wait_for(lambda: len(ledger.read().processed) >= ITEMS * 3 // 10, timeout_s=WAIT_S,
                 interval_s=0.1, message="30 % processed")
        up.kill()
        at_kill = len(ledger.read().processed)
        up.start()
        wait_for(lambda: accounted() == ITEMS, timeout_s=WAIT_S, interval_s=0.2,
                 message="every record processed or given up")
        seconds = time.monotonic() - started
    finally:
        up.stop()
        up.kill()
        for pid in workers_of(out):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    processed = set(ledger.processed)
    dead = {n for n in range(ITEMS) if n not in processed and n in ledger.sequence
            and given_up.covers(ledger.sequence[n])}
    duplicates = sum(ledger.processed.values()) - len(processed)
    print(f"\n[DynamoDB stream, SIGKILL at {at_kill} processed] processed {len(processed)} + "
          f"given up {len(dead)} of {ITEMS} in {len(given_up.ranges)} on-failure records; "
          f"duplicate processings {duplicates}, deliveries {ledger.deliveries}; "
          f"{seconds:.1f} s")
    assert at_kill < ITEMS // 2, f"killed at {at_kill} processed: too late to be mid-run"
    assert processed | dead == set(range(ITEMS))
    assert given_up.ranges, "no batch was given up: the failing tenth did not fail"
    # The checkpoint follows each finished batch: at most the batch in flight at the kill
    # is processed twice.
    assert duplicates <= 10
