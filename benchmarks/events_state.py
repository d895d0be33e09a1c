"""What keeping EventBridge's API-made state costs a start: an App built and started in-process
as `samlite up` builds it (process runtime, HTTP gateway, AWS endpoint, state directory on
disk) for a template with one function and a `Schedule` event.

Prints the median of 5 build+start+stop cycles:
- with no EventBridge state kept (EventBridge is made on first need, not at start);
- with N rules made through the API kept (PutRule + PutTargets each, and one DisableRule on
  the template's schedule rule): the local EventBridge is made at start and the journal
  replayed, because a kept DisableRule can turn a schedule off.
Then checks that one kept rule still delivers (PutEvents -> SQS) and prints that latency.

Run:  python3 benchmarks/events_state.py [--rules 100]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Inbox: {Type: AWS::SQS::Queue, Properties: {QueueName: inbox}}
  Tick:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Hourly: {Type: Schedule, Properties: {Schedule: rate(1 hour)}}
"""
INBOX_ARN = "arn:aws:sqs:us-east-1:123456789012:inbox"


def app_for(folder: Path) -> Any:
    from samlite.app.root import App, AppOptions

    return App(folder / "template.yaml",
               AppOptions(runtime="process", aws_port=0, http_port=0,
                          state_dir=folder / ".samlite"))


def client(app: Any, service: str) -> Any:
    import boto3

    from samlite.testing import FAKE_CREDENTIALS

    return boto3.client(service, endpoint_url=app.endpoint_url, region_name="us-east-1",
                        **FAKE_CREDENTIALS)


def project(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("def handler(event, context):\n    pass\n")
    (root / "template.yaml").write_text(TEMPLATE)
    return root


def start_s(folder: Path) -> float:
    began = time.perf_counter()
    app = app_for(folder)
    app.start()
    took = time.perf_counter() - began
    app.stop()
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rules", type=int, default=100)
    rules = parser.parse_args().rules
    with tempfile.TemporaryDirectory() as tmp:
        fresh, kept = project(Path(tmp) / "fresh"), project(Path(tmp) / "kept")
        with app_for(kept) as app:
            events = client(app, "events")
            for n in range(rules):
                events.put_rule(Name=f"r{n}", EventPattern=json.dumps({"source": [f"s{n}"]}))
                events.put_targets(Rule=f"r{n}", Targets=[
                    {"Id": "inbox", "Arn": INBOX_ARN, "InputPath": "$.detail"}])
            events.disable_rule(Name="TickHourly")
        start_s(fresh), start_s(kept)      # warm-up: imports, pip-free process runtime
        plain = [start_s(fresh) for _ in range(5)]
        restored = [start_s(kept) for _ in range(5)]
        print(f"start, no EventBridge state kept:       "
              f"{statistics.median(plain) * 1000:.0f} ms (median of 5)")
        print(f"start, {rules} API rules + DisableRule kept: "
              f"{statistics.median(restored) * 1000:.0f} ms (median of 5)")
        with app_for(kept) as app:
            if app.scheduler is None or app.scheduler.next_fires():
                print("the kept DisableRule did not hold: the schedule is on")
                return 1
            sqs, events = client(app, "sqs"), client(app, "events")
            url = sqs.get_queue_url(QueueName="inbox")["QueueUrl"]
            for n in (1, 2):   # the first call pays botocore's first-call set-up
                began = time.time()
                events.put_events(Entries=[
                    {"Source": f"s{rules - 1}", "DetailType": "t", "Detail": f'{{"k": {n}}}'}])
                message = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"][0]
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                print(f"kept rule r{rules - 1} delivers: body {message['Body']}, "
                      f"{(time.time() - began) * 1000:.1f} ms PutEvents -> received")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
