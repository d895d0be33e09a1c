"""The command line as a user sees it: output and exit codes (logic is tested below the CLI)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from samlite.cli.main import main

PROJECT = Path(__file__).resolve().parents[2]
HELLO = PROJECT / "sample-apps" / "hello-api" / "template.yaml"

GOOD = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(e, c): return 1"
      Handler: index.handler
      Runtime: python3.12
"""
BAD_MEMORY = GOOD.replace("      Runtime: python3.12\n",
                          "      Runtime: python3.12\n      MemorySize: 64\n")


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    old = Path.cwd()
    try:
        if cwd:
            os.chdir(cwd)
        result = runner.invoke(main, list(args))
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str, name: str = "template.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_template_exits_0() -> None:
    code, out, _ = run("validate", str(HELLO))
    assert code == 0, out
    assert out.strip().endswith("valid")


def test_problems_exit_1_with_file_line_column(tmp_path: Path) -> None:
    code, out, _ = run("validate", str(write(tmp_path, BAD_MEMORY)))
    assert code == 1
    assert (f"{tmp_path / 'template.yaml'}:10:19: error E2001 "
            "Resources.HelloFunction.Properties.MemorySize: MemorySize must be an integer "
            "from 128 to 10240, got 64") in out


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    text = BAD_MEMORY.replace("Runtime: python3.12", "Runtime: python3.12\n      Timeout: 0")
    code, out, _ = run("validate", str(write(tmp_path, text)))
    assert code == 1
    assert "MemorySize" in out
    assert "Timeout" in out


@pytest.mark.parametrize("name", ["template.yaml", "template.yml", "template.json"])
def test_finds_the_template_like_sam_cli(tmp_path: Path, name: str) -> None:
    text = GOOD if not name.endswith("json") else json.dumps(
        {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    write(tmp_path, text, name)
    code, out, _ = run("validate", cwd=tmp_path)
    assert code == 0, out
    assert name in out


def test_no_template_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("validate", cwd=tmp_path)
    assert code == 2
    assert "no template found" in err


@pytest.mark.parametrize(("case", "content"), [
    ("missing", None), ("binary", b"\x00\x01\x02"),
])
def test_unreadable_file_exits_2_without_traceback(tmp_path: Path, case: str,
                                                   content: bytes | None) -> None:
    path = tmp_path / "template.yaml"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run("validate", str(path))
    assert code == 2
    assert "Traceback" not in out + err
    [line, verdict] = out.splitlines()
    assert line.startswith(f"{path}:1:1: error E0011 ")
    assert verdict == f"{path}: invalid (1 error, 0 warnings)"


@pytest.mark.parametrize("fmt", ["junit", "json"])
def test_an_unreadable_file_is_a_failure_in_machine_reports(tmp_path: Path, fmt: str) -> None:
    code, out, _ = run("validate", "--format", fmt, str(tmp_path / "missing.yaml"))
    assert code == 2
    if fmt == "junit":
        assert '<failure type="E0011"' in out and 'failures="1"' in out
    else:
        assert [p["code"] for p in json.loads(out)] == ["E0011"]


@pytest.mark.parametrize("fmt", ["json", "sarif", "github"])
def test_machine_formats(tmp_path: Path, fmt: str) -> None:
    code, out, _ = run("validate", "--format", fmt, str(write(tmp_path, BAD_MEMORY)))
    assert code == 1
    if fmt == "github":
        assert out.startswith("::error file=")
    else:
        assert "E2001" in json.dumps(json.loads(out))


def test_parameter_overrides_are_checked(tmp_path: Path) -> None:
    code, out, _ = run("validate", str(HELLO), "--parameter-overrides", "Greeting=Yo")
    assert code == 1
    assert "Greeting" in out


def test_samconfig_parameters_are_read(tmp_path: Path) -> None:
    template = write(tmp_path, HELLO.read_text())
    (tmp_path / "hello").mkdir()
    (tmp_path / "hello" / "app.py").write_text("def hello(e, c): pass\ndef greet(e, c): pass\n")
    (tmp_path / "samconfig.toml").write_text(
        'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "Greeting=Nope"\n')
    code, out, _ = run("validate", str(template))
    assert code == 1
    assert "Greeting" in out


def test_to_json_prints_the_converted_template() -> None:
    code, out, _ = run("validate", "--to-json", str(HELLO))
    assert code == 0
    assert json.loads(out)["Resources"]["HelloFunction"]["Type"] == "AWS::Serverless::Function"


@pytest.mark.parametrize("fmt", ["text", "mermaid", "dot", "json"])
def test_graph_formats(fmt: str) -> None:
    code, out, _ = run("graph", "-t", str(HELLO), "--format", fmt)
    assert code == 0, out
    assert "HelloFunction" in out


def test_graph_of_an_invalid_template_shows_problems(tmp_path: Path) -> None:
    code, _, err = run("graph", "-t", str(write(tmp_path, BAD_MEMORY)))
    assert code == 1
    assert "MemorySize" in err


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert "samlite" in out
