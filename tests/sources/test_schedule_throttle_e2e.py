"""A schedule whose function takes no invocations (ReservedConcurrentExecutions: 0): the
event Lambda holds is not silent; the function's log says each throttle and its retry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from samlite.testing import RunningApp

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Report:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      ReservedConcurrentExecutions: 0
      Events:
        EventSchedule: {Type: Schedule, Properties: {Schedule: rate(1 day)}}
"""


def test_a_throttled_scheduled_event_says_when_it_is_retried(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    app = samlite_app_factory(tmp_path / "template.yaml", aws_port=0)
    request_id = app.trigger("EventSchedule")
    said = app.wait_for(lambda: [line for line in app.logs("Report") if "throttled" in line])
    assert f"samlite: event {request_id} throttled " \
           "(ReservedFunctionConcurrentInvocationLimitExceeded); retry in" in said[0]
