"""Suppressions as a user writes them: on the command line, in samconfig.toml, in
pyproject.toml, in the template and in one resource; and the report formats CI reads."""

from __future__ import annotations

import json
import os
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from samlite.cli.main import main

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Legacy:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.7
      Handler: index.handler
      InlineCode: "def handler(event, context): return 1"
  Small:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      MemorySize: 64
      InlineCode: "def handler(event, context): return 1"
"""


def run(folder: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(main, ["validate", *args], env=env)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    return tmp_path


def codes(out: str) -> list[str]:
    return [line.split()[2] for line in out.splitlines()
            if line.startswith("template.yaml:") and line[len("template.yaml:")].isdigit()]


def test_without_suppressions_both_errors_fail_the_run(project: Path) -> None:
    code, out = run(project)
    assert code == 1 and codes(out) == ["E6002", "E2001"]


def test_ignore_on_the_command_line_leaves_codes_out_and_counts_them(project: Path) -> None:
    code, out = run(project, "--ignore", "E6002", "--ignore", "e2001")
    assert code == 0 and codes(out) == []
    assert out.splitlines()[-1] == "template.yaml: valid (2 suppressed)"


def test_warn_downgrades_an_error_and_the_run_passes(project: Path) -> None:
    code, out = run(project, "--warn", "E6002,E2001")
    assert code == 0
    assert "template.yaml:7:16: warning E6002" in out
    assert out.splitlines()[-1] == "template.yaml: valid (0 errors, 2 warnings)"


def test_samconfig_validate_parameters_suppress(project: Path) -> None:
    (project / "samconfig.toml").write_text(
        'version = 0.1\n[default.validate.parameters]\nignore = ["E6002"]\nwarn = "E2001"\n',
        encoding="utf-8")
    code, out = run(project)
    assert code == 0 and codes(out) == ["E2001"] and "warning E2001" in out


def test_pyproject_above_the_template_suppresses(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.samlite.validate]\nignore = ["E6002", "E2001"]\n', encoding="utf-8")
    app = tmp_path / "infra"
    app.mkdir()
    (app / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    code, out = run(app)
    assert code == 0 and codes(out) == []


def test_a_resources_metadata_suppresses_only_its_own_problems(project: Path) -> None:
    text = TEMPLATE.replace("  Legacy:\n    Type: AWS::Serverless::Function\n",
                            "  Legacy:\n    Type: AWS::Serverless::Function\n"
                            "    Metadata:\n      samlite:\n        ignore: [E6002, E2001]\n")
    (project / "template.yaml").write_text(text, encoding="utf-8")
    code, out = run(project)
    assert code == 1 and codes(out) == ["E2001"]   # Small's MemorySize is still reported


def test_the_templates_own_metadata_suppresses_everywhere(project: Path) -> None:
    text = TEMPLATE.replace("Resources:\n", "Metadata:\n  samlite:\n    warn: E6002\n"
                            "    ignore: E2001\nResources:\n", 1)
    (project / "template.yaml").write_text(text, encoding="utf-8")
    code, out = run(project)
    assert code == 0 and "warning E6002" in out and "E2001" not in out


@pytest.mark.parametrize("where", ["command line", "samconfig", "template"])
def test_an_unknown_code_is_a_warning_where_it_was_written(project: Path, where: str) -> None:
    args: tuple[str, ...] = ()
    if where == "command line":
        args = ("--ignore", "E6002,E9999")
    elif where == "samconfig":
        (project / "samconfig.toml").write_text(
            'version = 0.1\n\n[default.validate.parameters]\nignore = ["E6002", "E9999"]\n',
            encoding="utf-8")
    else:
        text = TEMPLATE.replace("Resources:\n", "Metadata:\n  samlite:\n"
                                "    ignore: [E6002, E9999]\nResources:\n", 1)
        (project / "template.yaml").write_text(text, encoding="utf-8")
    _, out = run(project) if where != "command line" else run(project, *args)
    [line] = [line for line in out.splitlines() if "W0011" in line]
    assert "E9999 is not a samlite problem code" in line
    assert "E6002" not in codes(out)   # the known code in the same list still works
    expected = {"command line": "template.yaml:1:1", "samconfig": "samconfig.toml:4:1",
                "template": "template.yaml:5:13"}[where]
    assert line.startswith(expected)


def test_junit_has_one_testcase_per_template_and_a_failure_per_error(project: Path) -> None:
    (project / "clean.yaml").write_text(TEMPLATE.split("  Small:")[0].replace(
        "python3.7", "python3.12"), encoding="utf-8")
    code, out = run(project, "template.yaml", "clean.yaml", "--format", "junit")
    assert code == 1
    suites = ElementTree.fromstring(out)   # noqa: S314 (our own output)
    assert suites.tag == "testsuites" and suites.get("tests") == "2"
    assert suites.get("failures") == "1"
    cases = {case.get("name"): case for case in suites.iter("testcase")}
    assert set(cases) == {"template.yaml", "clean.yaml"}
    failures = cases["template.yaml"].findall("failure")
    assert [f.get("type") for f in failures] == ["E6002", "E2001"]
    assert failures[1].get("message", "").startswith("E2001 line 15: ")
    assert cases["clean.yaml"].find("failure") is None


def test_sarif_rules_carry_descriptions_and_a_link_to_the_rule(project: Path) -> None:
    _, out = run(project, "--format", "sarif")
    rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["helpUri"].endswith(f"docs/rules.md#{rule['id'].lower()}")


def test_github_annotations_are_the_default_under_github_actions(project: Path) -> None:
    _, out = run(project, env={"GITHUB_ACTIONS": "true"})
    assert out.startswith("::error file=template.yaml,line=7,")
    _, plain = run(project, env={"GITHUB_ACTIONS": ""})
    assert plain.startswith("template.yaml:7:16: error E6002")


def test_output_writes_the_report_to_a_file(project: Path) -> None:
    code, out = run(project, "--format", "json", "--output", "report.json")
    assert code == 1 and out == ""
    found = json.loads((project / "report.json").read_text(encoding="utf-8"))
    assert [p["code"] for p in found] == ["E6002", "E2001"]
