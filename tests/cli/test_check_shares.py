"""A big template's checks shared between this process and a forked child report exactly what
one process reports: the same problems in the same order, and a check's bug still shows."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from samlite.cli.check_shares import from_plain, run_shares_at_once, to_plain
from samlite.errors import Mark, Problem, UnreadableFile
from samlite.validation.pipeline import (
    MIN_BYTES_TO_SHARE_BEFORE_LOADING,
    MIN_RESOURCES_TO_SHARE,
    validate_file,
)

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


# The tests that a fork happens run in a fresh interpreter: a process with other threads
# alive (as pytest's, after some tests) never forks, by design.
FORK_ON_IDLE = """
import os, sys
from samlite.cli import check_shares
from samlite.errors import Mark, Problem
check_shares.has_idle_core = lambda: sys.argv[1] == "a core is idle"
here = os.getpid()
def where():
    return [[Problem(code="W3010", message=str(os.getpid() == here), at=Mark("t.yaml"))]]
_, [[second]] = check_shares.run_shares_on_idle_cores(lambda: [], where)
print(second.message)
"""


def in_fresh_interpreter(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", script, *args], check=True,
                          capture_output=True, text=True, timeout=120)
    return done.stdout.strip()


@pytest.mark.parametrize(("idle", "second_runs_here"), [("a core is idle", False),
                                                        ("every core is busy", True)])
def test_the_child_is_forked_only_while_a_core_is_idle(idle: str,
                                                       second_runs_here: bool) -> None:
    assert in_fresh_interpreter(FORK_ON_IDLE, idle) == str(second_runs_here)


def test_a_child_killed_midway_is_replaced_by_running_its_share_here() -> None:
    here = os.getpid()

    def second() -> list[list[Problem]]:
        if os.getpid() != here:
            os.kill(os.getpid(), signal.SIGKILL)
        return [[Problem(code="W3010", message="here", at=Mark("t.yaml"))]]

    assert run_shares_at_once(lambda: [], second)[1][0][0].message == "here"


def big_file(tmp_path: Path, text: str) -> Path:
    """`text` made a file big enough to be shared before loading, by a trailing comment."""
    padding = "# " + "x" * 78 + "\n"
    template = tmp_path / "template.yaml"
    template.write_text(text + padding * (MIN_BYTES_TO_SHARE_BEFORE_LOADING // 80 + 1),
                        encoding="utf-8")
    return template


LOADED_BY_BOTH = """
import os, sys
from pathlib import Path
from samlite.cli.check_shares import run_shares_at_once
from samlite.validation import pipeline
template, record = Path(sys.argv[1]), Path(sys.argv[2])
alone = pipeline.validate_file(template).problems
load = pipeline.load_template
def recording_load(path, *, name=None):   # each process that loads the file notes its pid
    with record.open("a", encoding="ascii") as out:
        out.write(f"{os.getpid()}\\n")
    return load(path, name=name)
pipeline.load_template = recording_load
shared = pipeline.validate_file(template, run_shares=run_shares_at_once).problems
print(shared == alone, len(alone))
"""


def test_a_big_file_is_loaded_by_both_processes_and_reported_as_one_does(
        tmp_path: Path) -> None:
    template = big_file(tmp_path, big_template(tmp_path).read_text(encoding="utf-8"))
    record = tmp_path / "loaded-by"
    same, problems = in_fresh_interpreter(LOADED_BY_BOTH, str(template), str(record)).split()
    assert same == "True" and int(problems) > 0
    assert len(set(record.read_text(encoding="ascii").split())) == 2   # the child loaded it too


@pytest.mark.parametrize(("case", "text"), [
    ("syntax error", "Resources:\n  A: [unclosed\n"),
    ("not a mapping", "- a list\n"),
])
def test_a_big_file_that_does_not_load_reports_its_problems_once(
        case: str, text: str, tmp_path: Path) -> None:
    template = big_file(tmp_path, text)
    alone = validate_file(template).problems
    shared = validate_file(template, run_shares=run_shares_at_once).problems
    assert shared == alone
    assert len(shared) == len({(p.code, p.at) for p in shared}) >= 1


def test_a_big_file_that_cannot_be_read_raises_here(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_bytes(b"Resources: {}\n" + b"\xff" * MIN_BYTES_TO_SHARE_BEFORE_LOADING)
    with pytest.raises(UnreadableFile, match="is not UTF-8 text"):
        validate_file(template, run_shares=run_shares_at_once)
