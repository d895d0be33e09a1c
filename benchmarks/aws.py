"""Queues, buckets and schedules feeding functions: an App started in-process as `samlite up`
starts it (process runtime, HTTP gateway, AWS endpoint, state directory on disk), real boto3
clients on loopback, no-op handlers written to a temporary folder.

Prints:
- SQS, end to end: N messages sent with send_message_batch (4 sender threads) to a queue
  whose function (BatchSize 10) is already polling; messages/s from the moment before the
  first send to the end of the handler call that took the last message. Each handler call
  appends "<records> <time.time()>" to a file; the benchmark reads it.
- SQS, filled first: N messages sent to a second queue whose mapping is `Enabled: false`,
  then the template is saved with `Enabled: true` and reloaded (`app.reload`, what hot
  reload calls); messages/s from the moment before that reload to the last handler call
  (so it includes the reload and the environments' cold starts), and from the first
  handler call to the last.
- S3: put_object -> handler start. The handler's first statement reads time.time() and sends
  it by UDP to the benchmark; latency = that time - time.time() just before put_object.
  p50/p95/max over the timed puts, one at a time (each after the last invocation's REPORT);
  the first put, with a cold environment, is shown apart.
- Schedules: a ScheduleV2 `cron(* * * * ? *)` under clock speed 60 (one fire per real
  second). A cron fires at whole minutes, so the event's "time" field (whole seconds) is
  the exact scheduled time on the scaled clock. The benchmark reads the scheduler's clock
  and time.monotonic() together once; a scaled time S then falls at real monotonic time
  m_ref + (S - S_ref) / speed. The handler's first statement reads time.monotonic() (one
  system-wide clock on Linux, so comparable across processes) and sends it with the
  event's time; error = handler start - scheduled real time, in real ms (positive = late).
  The function is warmed by a synchronous invoke first, so a fire does not pay a cold start;
  fires due before that reference reading are not counted (and their number is shown).
- After each section: the full garbage collections of this process (which runs the app)
  and the longest; they pause every samlite thread, so they explain the worst figures.

Targets (issue 7): >= 1,000 messages/s, <= 50 ms put-to-handler, fires within 100 ms of
their time.
Run:  python3 benchmarks/aws.py        (--quick: fewer messages, puts and fires, for CI's smoke
run)
"""

from __future__ import annotations

import argparse
import gc
import json
import queue
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HANDLERS = '''\
import json, os, socket, time

_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
_to = ("127.0.0.1", int(os.environ.get("BENCH_PORT") or 9))


def on_batch(event, context):
    with open(os.environ["BATCH_LOG"], "a") as log:
        log.write(f"{len(event['Records'])} {time.time()}\\n")


def on_put(event, context):
    started = time.time()
    key = event["Records"][0]["s3"]["object"]["key"]
    _sock.sendto(json.dumps({"key": key, "t": started}).encode(), _to)


def on_tick(event, context):
    started = time.monotonic()
    if "time" in event:   # not the warm-up invoke
        _sock.sendto(json.dumps({"time": event["time"], "mono": started}).encode(), _to)
'''

HEADER = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    CodeUri: src/
    Timeout: 30
    Environment:
      Variables:
        BENCH_PORT: "{port}"
        BATCH_LOG: {batch_log}
Resources:
"""

SQS_TEMPLATE = """\
  Live:
    Type: AWS::SQS::Queue
  Backlog:
    Type: AWS::SQS::Queue
  LiveConsumer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.on_batch
      Environment:
        Variables:
          BATCH_LOG: {live_log}
      Events:
        Live:
          Type: SQS
          Properties:
            Queue: !GetAtt Live.Arn
            BatchSize: 10
  BacklogConsumer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.on_batch
      Events:
        Backlog:
          Type: SQS
          Properties:
            Queue: !GetAtt Backlog.Arn
            BatchSize: 10
            Enabled: {enabled}
"""

S3_TEMPLATE = """\
  Uploads:
    Type: AWS::S3::Bucket
  OnPut:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.on_put
      Events:
        Put:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
"""

SCHEDULE_TEMPLATE = """\
  Tick:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.on_tick
      Events:
        EveryMinute:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(* * * * ? *)
"""

SENDERS = 4


# --- the app -------------------------------------------------------------------------------
def write_project(folder: Path, body: str, *, port: int) -> Path:
    (folder / "src").mkdir(parents=True, exist_ok=True)
    (folder / "src" / "app.py").write_text(HANDLERS, encoding="utf-8")
    template = folder / "template.yaml"
    template.write_text(HEADER.format(port=port, batch_log=folder / "batches.log") + body,
                        encoding="utf-8")
    return template


@dataclass(slots=True)
class Running:
    """A started app, and what its functions logged that the benchmark reads."""

    app: Any
    problems: list[str] = field(default_factory=list)   # why a handler may never report
    reports: queue.Queue[str] = field(default_factory=queue.Queue)   # REPORT lines
    cold_starts: int = 0

    def log(self, function: str, line: str) -> None:
        if line.startswith("REPORT"):
            self.cold_starts += "Init Duration" in line
            self.reports.put(line)
        elif "error" in line.lower() or line.startswith("samlite:"):
            self.problems.append(f"{function}: {line}")

    def said(self) -> str:
        return f"app said: {self.problems[-5:]}"


@contextmanager
def running(template: Path, **options: Any) -> Iterator[Running]:
    """The app as `samlite up` runs it, its state kept in the project's .samlite."""
    from samlite.app.root import App, AppOptions

    run = Running(app=None)
    run.app = App(template, AppOptions(runtime="process", aws_port=0, http_port=0,
                                       state_dir=template.parent / ".samlite", **options),
                  log=run.log)
    with run.app:
        yield run


class GcPauses:
    """The full (generation 2) garbage collections of this process, which runs the app:
    they stop every samlite thread at once, so they explain the worst latencies."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._hear)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._hear)

    def _hear(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self._started)

    def __str__(self) -> str:
        if not self.pauses:
            return "no full GC"
        return f"{len(self.pauses)} full GC(s), longest {ms(max(self.pauses))}"


def client(app: Any, service: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(service, endpoint_url=app.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x",  # noqa: S106 - loopback
                        config=Config(max_pool_connections=SENDERS))


def queue_url(app: Any, logical_id: str) -> str:
    return next(q.url for q in app.graph.queues if q.logical_id == logical_id)


def udp_listener() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind(("127.0.0.1", 0))
    return sock


def receive(sock: socket.socket, timeout_s: float, run: Running) -> dict[str, Any]:
    sock.settimeout(timeout_s)
    try:
        return json.loads(sock.recv(65536))
    except TimeoutError:
        raise RuntimeError(f"no handler report within {timeout_s} s; {run.said()}") from None


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def spread(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {ms(statistics.median(ordered))}, p95 {ms(p95)}, max {ms(ordered[-1])}"


# --- SQS -----------------------------------------------------------------------------------
def send_all(app: Any, queue: str, count: int) -> float:
    """Send `count` messages in batches of 10 from SENDERS threads; seconds it took."""
    url = queue_url(app, queue)
    clients = [client(app, "sqs") for _ in range(SENDERS)]
    batches = [range(start, min(start + 10, count)) for start in range(0, count, 10)]
    failures: list[str] = []

    def run(sqs: Any, mine: list[range]) -> None:
        for numbers in mine:
            reply = sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(n), "MessageBody": json.dumps({"n": n})} for n in numbers])
            failures.extend(f["Message"] for f in reply.get("Failed", []))

    threads = [threading.Thread(target=run, args=(sqs, batches[index::SENDERS]))
               for index, sqs in enumerate(clients)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} sends failed, e.g. {failures[0]}")
    return time.perf_counter() - begin


def handled(batch_log: Path) -> list[tuple[int, float]]:
    """(records, time the handler call wrote its line) for each complete line."""
    if not batch_log.exists():
        return []
    rows = []
    for line in batch_log.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.endswith("\n"):
            count, at = line.split()
            rows.append((int(count), float(at)))
    return rows


def wait_handled(batch_log: Path, count: int, run: Running, timeout_s: float) -> list[float]:
    """Wait until handler calls took `count` records; the times of those calls."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        rows = handled(batch_log)
        if sum(n for n, _ in rows) >= count:
            return [at for _, at in rows]
        time.sleep(0.01)
    done = sum(n for n, _ in handled(batch_log))
    raise RuntimeError(f"{done} of {count} messages handled within {timeout_s} s; "
                       f"{run.said()}")


def bench_sqs(folder: Path, count: int) -> None:
    template = write_project(folder, SQS_TEMPLATE.replace("{enabled}", "false").replace(
        "{live_log}", str(folder / "live.log")), port=9)
    with running(template) as run:
        app = run.app
        begin = time.time()
        send_s = send_all(app, "Live", count)
        times = wait_handled(folder / "live.log", count, run, timeout_s=120)
        total = max(times) - begin
        print(f"SQS end to end, {count:,} messages (BatchSize 10, sent while consuming): "
              f"{count / total:,.0f} messages/s ({total:.2f} s; sending alone took "
              f"{send_s:.2f} s, {count / send_s:,.0f}/s; {run.cold_starts} environments) "
              "(target >= 1,000/s)")
        live_starts = run.cold_starts

        send_s = send_all(app, "Backlog", count)
        queued = client(app, "sqs").get_queue_attributes(
            QueueUrl=queue_url(app, "Backlog"), AttributeNames=["ApproximateNumberOfMessages"])
        waiting = int(queued["Attributes"]["ApproximateNumberOfMessages"])
        if waiting != count or handled(folder / "batches.log"):
            raise RuntimeError(f"the disabled mapping consumed: {waiting} of {count} queued")
        template.write_text(template.read_text(encoding="utf-8").replace(
            "Enabled: false", "Enabled: true"), encoding="utf-8")
        begin = time.time()
        app.reload(frozenset({template}))
        times = wait_handled(folder / "batches.log", count, run, timeout_s=120)
        total, busy = max(times) - begin, max(times) - min(times)
        print(f"SQS filled first, {count:,} messages queued in {send_s:.2f} s, then the "
              f"mapping enabled by a template reload: {count / total:,.0f} "
              f"messages/s from the reload ({total:.2f} s), {count / busy:,.0f} messages/s "
              f"from the first handler call to the last ({run.cold_starts - live_starts} "
              "environments) (target >= 1,000/s)")


# --- S3 ------------------------------------------------------------------------------------
def bench_s3(folder: Path, puts: int) -> None:
    sock = udp_listener()
    template = write_project(folder, S3_TEMPLATE, port=sock.getsockname()[1])
    with running(template) as run:
        app = run.app
        s3 = client(app, "s3")
        bucket = next(b.bucket_name for b in app.graph.buckets)

        def put(key: str) -> float:
            begin = time.time()
            s3.put_object(Bucket=bucket, Key=key, Body=b"x" * 1024)
            report = receive(sock, 30, run)
            if report["key"] != key:
                raise RuntimeError(f"handler saw {report['key']!r}, expected {key!r}")
            # One upload after another, each after the last invocation ended: a put that
            # came while the environment was still busy would start a second one (as Lambda
            # scales out) and time a cold start.
            run.reports.get(timeout=30)
            return report["t"] - begin

        cold = put("cold.txt")
        samples = [put(f"put-{index}.txt") for index in range(puts)]
        print(f"S3 put_object -> handler start, {puts} puts of 1 KiB, one at a time: "
              f"{spread(samples)} (target <= 50 ms); the first put, cold environment: "
              f"{ms(cold)}; environments started: {run.cold_starts}")
    sock.close()


# --- schedules -----------------------------------------------------------------------------
def bench_schedule(folder: Path, fires: int, speed: float) -> None:
    sock = udp_listener()
    template = write_project(folder, SCHEDULE_TEMPLATE, port=sock.getsockname()[1])
    with running(template, clock_speed=speed) as run:
        app = run.app
        app.service.invoke("Tick", b"{}")    # warm: a fire must not pay a cold start
        clock = app.scheduler.clock
        before = time.monotonic()
        scaled_ref = clock.now()
        mono_ref = (before + time.monotonic()) / 2

        def real_mono(scaled: float) -> float:
            return mono_ref + (scaled - scaled_ref) / speed

        interval = 60 / speed
        errors: list[float] = []
        seen: set[str] = set()
        early = 0
        while len(errors) < fires:
            report = receive(sock, interval + 30, run)
            if report["time"] in seen:
                raise RuntimeError(f"the occurrence at {report['time']} fired twice")
            seen.add(report["time"])
            scheduled = datetime.strptime(report["time"], "%Y-%m-%dT%H:%M:%SZ") \
                .replace(tzinfo=UTC).timestamp()
            if real_mono(scheduled) < mono_ref:
                # due while the app was starting or the warm-up invoke held the only
                # environment (that fire then started a second one): not what is measured
                early += 1
                continue
            errors.append(report["mono"] - real_mono(scheduled))
        late = sorted(errors)
        print(f"schedule fire accuracy, {fires} fires of cron(* * * * ? *) at clock speed "
              f"{speed:g} (one per {interval:g} s), handler start - scheduled time: median "
              f"{ms(statistics.median(late))}, min {ms(late[0])}, max {ms(late[-1])} "
              f"(fire #{errors.index(late[-1]) + 1}) (target within 100 ms); "
              f"{early} fire(s) due before the warm-up ended not counted")
    sock.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="2,000 messages, 10 puts, 5 fires (CI smoke)")
    parser.add_argument("--clock-speed", type=float, default=60.0,
                        help="schedules' clock speed (60: a minute cron fires every second)")
    args = parser.parse_args()
    messages, puts, fires = (2000, 10, 5) if args.quick else (10_000, 50, 30)
    sections: list[tuple[str, Callable[[Path], None]]] = [
        ("sqs", lambda folder: bench_sqs(folder, messages)),
        ("s3", lambda folder: bench_s3(folder, puts)),
        ("schedule", lambda folder: bench_schedule(folder, fires, args.clock_speed)),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, run in sections:
            with GcPauses() as pauses:
                run(Path(tmp) / name)
            print(f"  (the benchmark's process, which runs the app: {pauses})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
