"""Stopping while something runs (issue 16): no new work is taken, invocations already
running finish with the AWS endpoint still up, and work cut short by the stop comes back
after a restart instead of being lost or hidden."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from samlite.testing import RunningApp

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Work: {Type: AWS::SQS::Queue, Properties: {VisibilityTimeout: 600}}
  Done: {Type: AWS::SQS::Queue}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      Timeout: 60
      Environment: {Variables: {DONE_URL: !Ref Done}}
      Events:
        Jobs: {Type: SQS, Properties: {Queue: !GetAtt Work.Arn, BatchSize: 1}}
"""

# "quick" jobs take a moment and then call the AWS endpoint; "slow" ones outlast any grace.
HANDLER = """\
import os, time, boto3

def handler(event, context):
    body = event["Records"][0]["body"]
    print("started " + body, flush=True)
    time.sleep(0.3 if body == "quick" else 50)
    boto3.client("sqs").send_message(QueueUrl=os.environ["DONE_URL"], MessageBody=body)
    print("sent " + body, flush=True)
"""


def project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return tmp_path / "template.yaml"


def started(app: RunningApp, body: str) -> Callable[[], bool]:
    return lambda: f"started {body}" in app.logs("Worker")


def test_an_invocation_running_at_stop_finishes_and_its_aws_calls_are_served(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    state = tmp_path / "state"
    first = samlite_app_factory(project(tmp_path), state_dir=state, http_port=None, aws_port=0)
    first.sqs.send_message(QueueUrl=first.queue_url("Work"), MessageBody="quick")
    first.wait_for(started(first, "quick"))

    first.app.stop()

    assert "sent quick" in first.logs("Worker")
    assert not any("Error" in line for line in first.logs("Worker")), first.logs("Worker")
    again = samlite_app_factory(tmp_path / "template.yaml", state_dir=state, http_port=None,
                                aws_port=0)
    [done] = again.sqs.receive_message(QueueUrl=again.queue_url("Done"))["Messages"]
    assert done["Body"] == "quick"
    # It succeeded, so Lambda deleted it: the job does not run a second time.
    assert again.sqs.get_queue_attributes(
        QueueUrl=again.queue_url("Work"), AttributeNames=["All"])["Attributes"][
        "ApproximateNumberOfMessagesNotVisible"] == "0"


def test_a_batch_cut_short_by_the_stop_is_visible_again_after_a_restart(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    state = tmp_path / "state"
    first = samlite_app_factory(project(tmp_path), state_dir=state, http_port=None, aws_port=0)
    first.sqs.send_message(QueueUrl=first.queue_url("Work"), MessageBody="slow")
    first.wait_for(started(first, "slow"))

    first.app.stop(grace_s=0.5)

    again = samlite_app_factory(tmp_path / "template.yaml", state_dir=state, http_port=None,
                                aws_port=0)
    # Not hidden for the queue's 600 s VisibilityTimeout: the next start runs it again.
    again.wait_for(started(again, "slow"), message="the cut-short job, run again")
