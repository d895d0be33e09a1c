"""The SQS queue store on its own, and a long poll woken through the local endpoint.

Prints:
- 10,000 messages sent, then received 10 at a time and deleted, in one thread, on the
  in-memory store (no HTTP): the whole round trip's time and messages/s.
- A long poll (WaitTimeSeconds 20) woken by a send: the time from just before the send to the
  poll's return, p50/max over N polls, on the store itself and through the local endpoint with
  boto3 (one client polling from a thread, another sending).
Targets (the bounds tests/aws/sqs asserted before speed left the tests): 10,000 messages round
trip < 2 s; a woken long poll returns < 100 ms after the send.
Run:  python3 benchmarks/sqs_store.py        (--quick: fewer polls, for CI's smoke run)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

MESSAGES = 10_000
LONG_POLL_S = 20


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def spread(samples: list[float]) -> str:
    return f"p50 {ms(statistics.median(samples))}, max {ms(max(samples))}"


def round_trip_s() -> float:
    from samlite.aws.sqs.model import QueueConfig
    from samlite.aws.sqs.store import QueueStore
    from samlite.clock import SystemClock

    store = QueueStore(clock=SystemClock())
    store.configure(QueueConfig(name="jobs", arn="arn:aws:sqs:us-east-1:1:jobs"))
    started = time.perf_counter()
    for i in range(MESSAGES):
        store.send("jobs", f"m{i}")
    seen = 0
    while batch := store.receive("jobs", max_messages=10):
        for message in batch:
            store.delete("jobs", message.receipt_handle)
        seen += len(batch)
    seconds = time.perf_counter() - started
    store.close()
    if seen != MESSAGES:
        raise SystemExit(f"only {seen} of {MESSAGES} messages came back")
    return seconds


def wake_s(poll: Callable[[], object], is_waiting: Callable[[], bool],
           send: Callable[[], None]) -> float:
    """Start `poll` in a thread, send once it waits; seconds from the send to its return."""
    returned: list[float] = []
    thread = threading.Thread(target=lambda: (poll(), returned.append(time.perf_counter())))
    thread.start()
    while not is_waiting():
        time.sleep(0.0005)
    sent_at = time.perf_counter()
    send()
    thread.join(LONG_POLL_S + 5)
    if not returned:
        raise SystemExit("a long poll did not return")
    return returned[0] - sent_at


def store_wakes(polls: int) -> list[float]:
    from samlite.aws.sqs.model import QueueConfig
    from samlite.aws.sqs.store import QueueStore
    from samlite.clock import SystemClock

    store = QueueStore(clock=SystemClock())
    store.configure(QueueConfig(name="jobs", arn="arn:aws:sqs:us-east-1:1:jobs"))
    try:
        return [wake_s(lambda: store.receive("jobs", max_messages=10, wait_s=LONG_POLL_S),
                       lambda: store.waiting_receives("jobs") == 1,
                       lambda: store.send("jobs", "wake")) for _ in range(polls)]
    finally:
        store.close()


def endpoint_wakes(polls: int) -> list[float]:
    import boto3

    from samlite.aws.sqs.service import LocalSqs
    from samlite.clock import SystemClock
    from samlite.http.server import Endpoint

    sqs = LocalSqs(db_path=None, account_id="123456789012", region="us-east-1",
                   clock=SystemClock())
    endpoint = Endpoint([sqs.route()], port=0)
    endpoint.start()
    try:
        def client() -> Any:
            return boto3.client("sqs", endpoint_url=endpoint.url, region_name="us-east-1",
                                aws_access_key_id="bench",
                                aws_secret_access_key="bench")  # noqa: S106
        poller, sender = client(), client()
        url = poller.create_queue(QueueName="jobs")["QueueUrl"]
        store = sqs.backend.store
        return [wake_s(lambda: poller.receive_message(
                           QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=LONG_POLL_S),
                       lambda: store.waiting_receives("jobs") == 1,
                       lambda: sender.send_message(
                           QueueUrl=url, MessageBody="wake"))
                for _ in range(polls)]
    finally:
        endpoint.stop()
        sqs.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer polls (CI smoke)")
    args = parser.parse_args()
    polls = 5 if args.quick else 50

    seconds = round_trip_s()
    print(f"SQS store, {MESSAGES:,} messages sent, received 10 at a time and deleted: "
          f"{ms(seconds)} ({MESSAGES / seconds:,.0f} messages/s; target < 2 s)")
    print(f"SQS store, long poll woken by a send, {polls} polls: {spread(store_wakes(polls))} "
          f"(target < 100 ms)")
    print(f"SQS endpoint (boto3), long poll woken by send_message, {polls} polls: "
          f"{spread(endpoint_wakes(polls))} (target < 100 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
