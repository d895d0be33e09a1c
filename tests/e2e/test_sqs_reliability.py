"""Issue 7's reliability test: 10,000 messages into a queue whose worker fails 10 % of them,
with and without ReportBatchItemFailures, and with `samlite up` killed by SIGKILL mid-run
and started again on the same state directory. Nothing may be lost: every message sent ends
processed or in the dead-letter queue; duplicates are counted (SQS and Lambda promise
at-least-once) and printed (`pytest -s`).

Which messages fail: a seeded RNG picks 10 % of the message numbers up front and the body
carries the fate, so a run is reproducible and the expected outcome is known exactly:
  - 5 % are "poison": they fail on every receive, so they must end in the DLQ after
    maxReceiveCount receives and never count as processed;
  - 5 % are "transient": they fail on their first receive only, so they must be processed
    on a later one and never reach the DLQ (with ReportBatchItemFailures).
Without ReportBatchItemFailures a failure raises and fails its whole batch: the records
handled before it were processed (side effects) and come back (duplicates), and good
messages that shared maxReceiveCount failing batches end in the DLQ too, as on AWS.

The worker appends, per invocation, one block of lines with a single O_APPEND write to a
file of its own (atomic against the other workers):
  R <n> <receive count> <request id>   a record the invocation got
  P <n> <receive count> <request id>   a record it processed (its side effect happened)
  S <request id>                       the invocation returned success
A message counts as processed when a P line of it belongs to an invocation with an S line
(the poller deletes those); P lines of failed invocations are side effects only.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from samlite.app.root import App, AppOptions
from samlite.testing import wait_for

MESSAGES = 10_000
SEED = 7
MAX_RECEIVE_COUNT = 3
WAIT_S = 120.0          # for the queue to drain, per run

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Work:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: work
      VisibilityTimeout: 2
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt WorkDlq.Arn
        maxReceiveCount: {max_receive_count}
  WorkDlq:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: work-dlq
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: worker.handler
      Timeout: 1            # the queue's VisibilityTimeout may not be shorter
      Environment:
        Variables:
          OUT_DIR: {out}
          REPORT_FAILURES: "{report}"
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt Work.Arn
            BatchSize: 10
            Enabled: {enabled}
{response_types}"""

WORKER = """\
import json, os

_fd = None

def _write(lines):
    global _fd
    if _fd is None:
        path = os.path.join(os.environ["OUT_DIR"], f"worker-{os.getpid()}.log")
        _fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.write(_fd, "".join(line + "\\n" for line in lines).encode())

def handler(event, context):
    report = os.environ["REPORT_FAILURES"] == "1"
    rid = context.aws_request_id
    lines, failures = [], []
    for record in event["Records"]:
        body = json.loads(record["body"])
        count = int(record["attributes"]["ApproximateReceiveCount"])
        lines.append(f"R {body['n']} {count} {rid}")
    for record in event["Records"]:
        body = json.loads(record["body"])
        count = int(record["attributes"]["ApproximateReceiveCount"])
        fails = body["fate"] == "poison" or (body["fate"] == "transient" and count == 1)
        if fails and not report:
            _write(lines)
            raise RuntimeError(f"message {body['n']} failed")
        if fails:
            failures.append({"itemIdentifier": record["messageId"]})
        else:
            lines.append(f"P {body['n']} {count} {rid}")
    _write(lines + [f"S {rid}"])
    return {"batchItemFailures": failures}
"""


def fates() -> dict[int, str]:
    """Message number -> "poison" | "transient" | "ok", the same on every run."""
    # A seeded RNG for reproducible test data, not for secrets.
    chosen = random.Random(SEED).sample(range(MESSAGES), MESSAGES // 10)  # noqa: S311
    fate = dict.fromkeys(range(MESSAGES), "ok")
    for index, n in enumerate(chosen):
        fate[n] = "poison" if index % 2 == 0 else "transient"
    return fate


@dataclass(slots=True)
class Ledger:
    """What the workers wrote, read incrementally (a block may be read in two halves)."""

    out: Path
    offsets: dict[Path, int] = field(default_factory=dict)
    received: Counter[int] = field(default_factory=Counter)        # n -> deliveries
    side_effects: Counter[int] = field(default_factory=Counter)    # n -> P lines
    by_invocation: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    succeeded: set[str] = field(default_factory=set)
    processed: Counter[int] = field(default_factory=Counter)       # n -> acknowledged P lines
    receive_counts: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))

    def read(self) -> Ledger:
        for path in sorted(self.out.glob("worker-*.log")):
            with path.open("rb") as f:
                f.seek(self.offsets.get(path, 0))
                data = f.read()
            end = data.rfind(b"\n") + 1
            self.offsets[path] = self.offsets.get(path, 0) + end
            for line in data[:end].decode().splitlines():
                self._take(line.split())
        return self

    def _take(self, parts: list[str]) -> None:
        if parts[0] == "R":
            self.received[int(parts[1])] += 1
        elif parts[0] == "P":
            n, rid = int(parts[1]), parts[3]
            self.side_effects[n] += 1
            self.receive_counts[n].append(int(parts[2]))
            if rid in self.succeeded:
                self.processed[n] += 1
            else:
                self.by_invocation[rid].append(n)
        elif parts[0] == "S":
            self.succeeded.add(parts[1])
            for n in self.by_invocation.pop(parts[1], ()):
                self.processed[n] += 1


def client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",  # noqa: S106
                        config=Config(retries={"max_attempts": 2}, max_pool_connections=8))


def send_all(endpoint: str, fate: dict[int, str]) -> float:
    """Every message, 10 per SendMessageBatch from 4 threads; the seconds it took."""
    started = time.monotonic()
    sqs = client(endpoint, "sqs")
    url = sqs.get_queue_url(QueueName="work")["QueueUrl"]

    def send(first: int) -> None:
        entries = [{"Id": str(n), "MessageBody": json.dumps({"n": n, "fate": fate[n]})}
                   for n in range(first, first + 10)]
        reply = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        assert not reply.get("Failed"), reply["Failed"]
        assert len(reply["Successful"]) == 10

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(send, range(0, MESSAGES, 10)))
    return time.monotonic() - started


def queue_left(endpoint: str, name: str) -> int:
    sqs = client(endpoint, "sqs")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
             "ApproximateNumberOfMessagesDelayed"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes[a]) for a in names)


def dead_letters(endpoint: str) -> Counter[int]:
    """Message number -> copies in the DLQ, received (and hidden for 10 minutes) until
    none is left."""
    sqs = client(endpoint, "sqs")
    url = sqs.get_queue_url(QueueName="work-dlq")["QueueUrl"]
    expected = queue_left(endpoint, "work-dlq")
    found: Counter[int] = Counter()
    while sum(found.values()) < expected:
        reply = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                    VisibilityTimeout=600, WaitTimeSeconds=1)
        messages = reply.get("Messages", [])
        assert messages, f"the DLQ said {expected} messages, gave {sum(found.values())}"
        found.update(json.loads(m["Body"])["n"] for m in messages)
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    processed: frozenset[int]
    dead: frozenset[int]
    duplicates: int          # acknowledged processings beyond the first
    side_effects: int        # P lines beyond the first per message, failed invocations too
    deliveries: int


def account(ledger: Ledger, dead: Counter[int], *, seconds: float, label: str) -> Outcome:
    """Check nothing is lost, and print the figures."""
    processed, dead_set = frozenset(ledger.processed), frozenset(dead)
    outcome = Outcome(
        processed=processed, dead=dead_set,
        duplicates=sum(ledger.processed.values()) - len(processed),
        side_effects=sum(ledger.side_effects.values()) - len(ledger.side_effects),
        deliveries=sum(ledger.received.values()))
    print(f"\n[{label}] processed {len(processed)} + DLQ {len(dead_set)} "
          f"(both: {len(processed & dead_set)}) of {MESSAGES}; duplicate processings "
          f"{outcome.duplicates}, duplicate side effects {outcome.side_effects}, "
          f"deliveries {outcome.deliveries}, successful invocations {len(ledger.succeeded)}; "
          f"{seconds:.1f} s, {MESSAGES / seconds:.0f} messages/s")
    assert [n for n, copies in dead.items() if copies > 1] == []
    lost = set(range(MESSAGES)) - processed - dead_set
    assert not lost, f"{len(lost)} messages lost, e.g. {sorted(lost)[:10]}"
    return outcome


# -- the app in-process, with and without ReportBatchItemFailures ----------------------------

def write_project(root: Path, *, report: bool, enabled: bool = True) -> Path:
    out = root / "out"
    out.mkdir(exist_ok=True)
    (root / "src").mkdir(exist_ok=True)
    (root / "src" / "worker.py").write_text(WORKER)
    response_types = "            FunctionResponseTypes: [ReportBatchItemFailures]\n" \
        if report else ""
    (root / "template.yaml").write_text(TEMPLATE.format(
        out=out, report="1" if report else "0", response_types=response_types,
        max_receive_count=MAX_RECEIVE_COUNT, enabled=str(enabled).lower()))
    return root / "template.yaml"


@pytest.mark.parametrize("report", [True, False],
                         ids=["ReportBatchItemFailures", "whole-batch-failures"])
def test_ten_thousand_messages_end_processed_or_dead(tmp_path: Path, report: bool) -> None:
    template = write_project(tmp_path, report=report)
    fate = fates()
    app = App(template, AppOptions(runtime="process", aws_port=0, http_port=None,
                                   state_dir=tmp_path / ".samlite"))
    app.start()
    try:
        endpoint = app.endpoint_url
        started = time.monotonic()
        sent_s = send_all(endpoint, fate)
        wait_for(lambda: queue_left(endpoint, "work") == 0, timeout_s=WAIT_S,
                 interval_s=0.1, message="the queue to drain")
        seconds = time.monotonic() - started
        dead = dead_letters(endpoint)
    finally:
        app.stop()
    ledger = Ledger(tmp_path / "out").read()
    print(f"\n[{'report' if report else 'whole batch'}] sent in {sent_s:.1f} s")
    outcome = account(ledger, dead, seconds=seconds,
                      label="ReportBatchItemFailures" if report else "whole-batch failures")
    poison = {n for n, f in fate.items() if f == "poison"}
    transient = {n for n, f in fate.items() if f == "transient"}
    # No restart and no slow invocation: a processed message was deleted, so it is not dead,
    # and processed + dead adds up to every message.
    assert not outcome.processed & outcome.dead
    assert len(outcome.processed) + len(outcome.dead) == MESSAGES
    assert outcome.dead >= poison
    assert not outcome.processed & poison
    assert all(ledger.received[n] >= MAX_RECEIVE_COUNT for n in poison)
    assert all(min(ledger.receive_counts[n]) >= 2 for n in transient & outcome.processed)
    if report:
        # Only the failing record returns: exactly the poison messages die, nothing else
        # is delivered twice once processed.
        assert outcome.dead == poison
        assert outcome.processed == set(range(MESSAGES)) - poison
        assert outcome.duplicates == 0
    else:
        # A good message dies only after maxReceiveCount deliveries in failing batches.
        assert all(ledger.received[n] >= MAX_RECEIVE_COUNT for n in outcome.dead - poison)
        assert outcome.side_effects > 0


# -- `samlite up` killed with SIGKILL mid-run, then started again -----------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def workers_of(out: Path) -> list[int]:
    """Pids of the runtime processes running our worker (they carry OUT_DIR=<out>); they
    run in sessions of their own, so they outlive a killed samlite for a moment."""
    marker = f"OUT_DIR={out}\0".encode()
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if marker in (proc / "environ").read_bytes():
                    pids.append(int(proc.name))
    return pids


@dataclass(slots=True)
class Up:
    """One `samlite up` process on a fixed AWS port and state directory."""

    template: Path
    aws_port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.aws_port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "samlite.cli", "up", "-t", str(self.template),
                   "--port", "0", "--aws-port", str(self.aws_port), "--runtime", "process",
                   "--state-dir", str(self.template.parent / "state"), "--no-watch"]
        seen = self.log.read_text().count("samlite is ready") if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        process = self.process

        def ready() -> bool:
            assert process.poll() is None, self.log.read_text()[-3000:]
            return self.log.read_text().count("samlite is ready") > seen

        wait_for(ready, timeout_s=30, interval_s=0.1, message="samlite up ready")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.mark.parametrize("report", [True, False],
                         ids=["ReportBatchItemFailures", "whole-batch-failures"])
def test_sigkill_mid_run_loses_nothing(tmp_path: Path, report: bool) -> None:
    """Run 0 (mapping disabled) fills the queue and stops; run 1 processes until 30 % are
    done and is killed with SIGKILL; run 2, on the same state directory and AWS port,
    finishes. Filling first makes the kill land mid-run however fast the worker is."""
    template = write_project(tmp_path, report=report, enabled=False)
    out, fate = tmp_path / "out", fates()
    up = Up(template=template, aws_port=free_port(), log=tmp_path / "up.log")
    ledger = Ledger(out)
    try:
        up.start()
        send_all(up.endpoint, fate)
        up.stop()
        assert up.process is not None and up.process.returncode == 0
        write_project(tmp_path, report=report, enabled=True)
        started = time.monotonic()
        up.start()
        wait_for(lambda: len(ledger.read().processed) >= MESSAGES * 3 // 10,
                 timeout_s=WAIT_S, interval_s=0.1, message="30 % processed")
        running = workers_of(out)
        up.kill()
        at_kill = len(ledger.read().processed)
        orphans = workers_of(out)
        up.start()
        wait_for(lambda: queue_left(up.endpoint, "work") == 0, timeout_s=WAIT_S,
                 interval_s=0.1, message="the queue to drain")
        seconds = time.monotonic() - started
        dead = dead_letters(up.endpoint)
    finally:
        up.stop()
        up.kill()
        for pid in workers_of(out):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert at_kill < MESSAGES // 2, f"killed at {at_kill} processed: too late to be mid-run"
    print(f"\n[SIGKILL] killed at {at_kill} processed; of {len(running)} runtime processes, "
          f"{len(orphans)} outlived samlite")
    assert running, "the worker's runtime processes were not found"   # workers_of works
    outcome = account(ledger.read(), dead, seconds=seconds,
                      label=f"SIGKILL, {'ReportBatchItemFailures' if report else 'whole batch'}")
    poison = {n for n, f in fate.items() if f == "poison"}
    assert not outcome.processed & poison
    assert outcome.dead >= poison
    # Duplicate processings come from the kill only: invocations whose success was not yet
    # followed by the delete, at most the pollers' batches in flight (5 x 10).
    assert outcome.duplicates <= 50
    if report:
        # One kill loses at most one receive of a message: a transient message still
        # succeeds by its third, so exactly the poison messages die.
        assert outcome.dead == poison
        assert outcome.processed == set(range(MESSAGES)) - poison
