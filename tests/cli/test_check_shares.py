"""A big template's checks shared between this process and a forked child report exactly what
one process reports: the same problems in the same order, and a check's bug still shows."""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
from pathlib import Path

import pytest

from samlite.cli import check_shares
from samlite.cli.check_shares import from_plain, run_shares_at_once, to_plain
from samlite.errors import Mark, Problem
from samlite.validation.pipeline import MIN_RESOURCES_TO_SHARE, validate_file

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the child process is forked on Linux only")

FUNCTION = """\
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: missing/
      Environment:
        Variables:
          QUEUE: !Ref Queue1
          OTHER: !Ref Nowhere
      Events:
        Tick:
          Type: Schedule
          Properties: {Schedule: rate(1 minutes)}
"""


def big_template(tmp_path: Path) -> Path:
    queues = "".join(f"  Queue{i}:\n    Type: AWS::SQS::Queue\n"
                     for i in range(1, MIN_RESOURCES_TO_SHARE + 1))
    text = ("Transform: AWS::Serverless-2016-10-31\nResources:\n"
            "  Queue0:\n    Type: AWS::SQS::Queue\n    Properties: {DelaySeconds: soon}\n"
            f"{FUNCTION}{queues}")
    (tmp_path / "template.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "template.yaml"


def test_shared_checks_report_what_one_process_reports(tmp_path: Path) -> None:
    template = big_template(tmp_path)
    alone = validate_file(template).problems
    shared = validate_file(template, run_shares=run_shares_at_once).problems
    assert shared == alone
    # Problems from both shares: the schema and references (child), W3010 and code (here).
    assert {"E2001", "W3010", "E3001", "W6101"} <= {p.code for p in shared}


def test_a_check_that_fails_in_the_child_fails_here_as_the_bug_it_is() -> None:
    def broken() -> list[list[Problem]]:
        raise RuntimeError("a check's bug")

    with pytest.raises(RuntimeError, match="a check's bug"):
        run_shares_at_once(lambda: [], broken)


def test_a_failure_here_does_not_wait_on_a_child_with_much_to_say() -> None:
    def first() -> list[list[Problem]]:
        raise RuntimeError("first share failed")

    many = [[Problem(code="W3010", message="x" * 1000, at=Mark("t.yaml", n))
             for n in range(1, 500)]]               # more than a pipe holds unread
    with pytest.raises(RuntimeError, match="first share failed"):
        run_shares_at_once(first, lambda: many)


def test_every_field_of_a_problem_crosses_the_pipe() -> None:
    problem = Problem(code="E2001", message="m", at=Mark("t.yaml", 3, 7), path="Resources.A",
                      resource="A", downgraded=True)
    assert {f.name for f in dataclasses.fields(Problem)} == {
        "code", "message", "at", "path", "resource", "downgraded"}, "to_plain must carry it"
    assert from_plain(to_plain([[problem], []])) == [[problem], []]


@pytest.mark.parametrize(("idle", "second_runs_here"), [("a core is idle", False),
                                                        ("every core is busy", True)])
def test_the_child_is_forked_only_while_a_core_is_idle(
        idle: str, second_runs_here: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check_shares, "has_idle_core", lambda: idle == "a core is idle")
    here = os.getpid()

    def where() -> list[list[Problem]]:
        return [[Problem(code="W3010", message=str(os.getpid() == here), at=Mark("t.yaml"))]]

    _, [[second]] = check_shares.run_shares_on_idle_cores(lambda: [], where)
    assert second.message == str(second_runs_here)


def test_a_child_killed_midway_is_replaced_by_running_its_share_here() -> None:
    here = os.getpid()

    def second() -> list[list[Problem]]:
        if os.getpid() != here:
            os.kill(os.getpid(), signal.SIGKILL)
        return [[Problem(code="W3010", message="here", at=Mark("t.yaml"))]]

    assert run_shares_at_once(lambda: [], second)[1][0][0].message == "here"
