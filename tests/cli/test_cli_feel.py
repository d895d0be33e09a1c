"""What makes the command line pleasant: --version, coloured log prefixes, JSON logs for
machines, progress of long work, and the notice about a Python runtime this machine lacks."""

from __future__ import annotations

import io
import json
import sys

import pytest
from click.testing import CliRunner

from samlite import __version__
from samlite.cli.console import ConsoleLog, ConsoleProgress
from samlite.cli.main import main
from samlite.runtime.environments.python import python_mismatch


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"samlite, version {__version__}"


def captured(log: ConsoleLog, monkeypatch: pytest.MonkeyPatch) -> str:
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    log.flush()
    return err.getvalue()


def test_each_function_keeps_its_own_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    log = ConsoleLog(color=True, interval_s=60)
    log("Api", "one")
    log("Worker", "two")
    log("Api", "three")
    lines = captured(log, monkeypatch).splitlines()
    assert lines[0] == "\x1b[36mApi\x1b[0m | one"
    assert lines[1] == "\x1b[33mWorker\x1b[0m | two"
    assert lines[2].startswith("\x1b[36mApi")


def test_plain_prefixes_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    log = ConsoleLog(interval_s=60)
    log("Api", "hello\n")
    assert captured(log, monkeypatch) == "Api | hello\n"


def test_samlites_own_notes_carry_its_name_once(monkeypatch: pytest.MonkeyPatch) -> None:
    log = ConsoleLog(interval_s=60)
    log("samlite", "samlite: event 1 not delivered by rule R to Q: SQS.Error: gone")
    log("Worker", "samlite: a note in a function's log keeps its mark")
    assert captured(log, monkeypatch) == (
        "samlite | event 1 not delivered by rule R to Q: SQS.Error: gone\n"
        "Worker | samlite: a note in a function's log keeps its mark\n")


def test_json_log_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    log = ConsoleLog(as_json=True, interval_s=60)
    log("Api", "START RequestId: 1 Version: $LATEST")
    [line] = captured(log, monkeypatch).splitlines()
    record = json.loads(line)
    assert record["function"] == "Api"
    assert record["message"] == "START RequestId: 1 Version: $LATEST"
    assert record["time"].endswith("Z")


def test_progress_lines_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    with ConsoleProgress(as_json=False, live=False).task("Building image x for Fn"):
        pass
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "Building image x for Fn..."
    assert err[1].startswith("Building image x for Fn: done in ")


def test_progress_as_json_says_when_it_failed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RuntimeError), \
            ConsoleProgress(as_json=True, live=False).task("Starting 5 environments"):
        raise RuntimeError("boom")
    started, ended = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert (started["state"], ended["state"]) == ("started", "failed")
    assert ended["task"] == "Starting 5 environments"


def test_a_python_runtime_this_machine_lacks_is_named_with_the_fix() -> None:
    ours = f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert python_mismatch(ours) is None
    why = python_mismatch("python3.99")
    assert why is not None
    assert "no working python3.99, so they run on" in why
    assert "so it runs on" in (python_mismatch("python3.99", one=True) or "")
    assert "--runtime docker" in why
