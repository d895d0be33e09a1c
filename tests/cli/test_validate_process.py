"""`samlite validate` as its own process (`python -m samlite.cli`, as the console script runs
it): the process ends without tearing the interpreter down, so what it prints, writes and
exits with must be complete and the same as in process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from samlite.cli.main import main

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

INVALID = """\
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {DelaySeconds: soon}
"""


def as_process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "samlite.cli", "validate", *args], cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=120)


def in_process(*args: str, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(main, ["validate", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_a_problem_report_is_whole_and_exits_1(tmp_path: Path, fmt: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "template.yaml").write_text(INVALID, encoding="utf-8")
    done = as_process("--format", fmt, cwd=tmp_path)
    assert (done.returncode, done.stdout) == in_process("--format", fmt, cwd=tmp_path,
                                                        monkeypatch=monkeypatch)
    assert done.returncode == 1


def test_a_long_report_is_printed_to_its_last_line(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from generate import write_app
    finally:
        sys.path.remove(str(BENCHMARKS))
    write_app(tmp_path)
    done = as_process(cwd=tmp_path)
    assert (done.returncode, done.stdout) == in_process(cwd=tmp_path, monkeypatch=monkeypatch)
    assert done.stdout.endswith("template.yaml: valid (0 errors, 166 warnings)\n")


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(INVALID, encoding="utf-8")
    done = as_process("--output", "report.xml", "--format", "junit", cwd=tmp_path)
    assert done.returncode == 1
    assert (tmp_path / "report.xml").read_text(encoding="utf-8").rstrip().endswith(
        "</testsuites>")


def test_an_unreadable_template_exits_2(tmp_path: Path) -> None:
    done = as_process("missing.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert "missing.yaml" in done.stdout + done.stderr
