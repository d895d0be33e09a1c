"""CloudFormation template quotas and Lambda environment variable rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samlite.errors import Problem
from samlite.template.load import parse_template
from samlite.validation.checks.context import CheckContext
from samlite.validation.checks.limits import CHECKS


def run(text: str) -> list[Problem]:
    ctx = CheckContext(loaded=parse_template(text, name="template.yaml"), resolved=None,
                       project_dir=Path())
    return [p for check in CHECKS for p in check(ctx)]


def template(**sections: dict) -> str:
    body = {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, **sections}
    return json.dumps(body)


def many(count: int, value: object) -> dict:
    return {f"N{i}": value for i in range(count)}


@pytest.mark.parametrize(("section", "count", "value", "code"), [
    ("Resources", 501, {"Type": "AWS::SQS::Queue"}, "E5002"),
    ("Parameters", 201, {"Type": "String"}, "E5003"),
    ("Outputs", 201, {"Value": "x"}, "E5004"),
    ("Mappings", 201, {"A": {"B": "c"}}, "E5005"),
], ids=["resources", "parameters", "outputs", "mappings"])
def test_section_counts_over_the_quota(section: str, count: int, value: object,
                                       code: str) -> None:
    problem, = run(template(**{section: many(count, value)}))
    assert problem.code == code
    assert f"declares {count} entries" in problem.message


@pytest.mark.parametrize(("section", "value"), [
    ("Resources", {"Type": "AWS::SQS::Queue"}),
    ("Parameters", {"Type": "String"}),
    ("Outputs", {"Value": "x"}),
    ("Mappings", {"A": {"B": "c"}}),
], ids=["resources", "parameters", "outputs", "mappings"])
def test_section_counts_at_the_quota_pass(section: str, value: object) -> None:
    limit = {"Resources": 500}.get(section, 200)
    assert run(template(**{section: many(limit, value)})) == []


def test_mapping_with_too_many_keys() -> None:
    problem, = run(template(Mappings={"Big": {f"k{i}": {"v": "1"} for i in range(201)}}))
    assert (problem.code, problem.path) == ("E5007", "Mappings.Big")


def test_long_names_and_description() -> None:
    problems = run(template(Parameters={"P" * 256: {"Type": "String"}}, Description="d" * 1025))
    assert sorted(p.code for p in problems) == ["E5006", "E5008"]


def test_template_over_one_megabyte() -> None:
    text = template(Description="x") + " " * (1024 * 1024)
    problem, = run(text)
    assert problem.code == "E5001"
    assert "CloudFormation accepts at most 1 MB" in problem.message


def function(variables: str, globals_: str = "") -> str:
    return f"""\
{globals_}Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
{variables}
"""


@pytest.mark.parametrize("key", ["AWS_REGION", "AWS_DEFAULT_REGION", "_HANDLER", "TZ",
                                 "AWS_LAMBDA_FUNCTION_NAME", "LAMBDA_TASK_ROOT",
                                 "AWS_SESSION_TOKEN"])
def test_reserved_keys_are_refused(key: str) -> None:
    problem, = run(function(f"          {key}: x\n          TABLE: t"))
    assert problem.code == "E5101"
    assert f"Reserved keys used in this request: {key}" in problem.message
    assert problem.path == f"Resources.Fn.Properties.Environment.Variables.{key}"


@pytest.mark.parametrize("key", ["LANG", "PATH", "PYTHONPATH", "AWS_XRAY_CONTEXT_MISSING",
                                 "REGION"])
def test_unreserved_keys_pass(key: str) -> None:
    assert run(function(f"          {key}: x")) == []


def test_reserved_key_in_globals() -> None:
    text = function("          A: b", "Globals:\n  Function:\n    Environment:\n"
                                      "      Variables:\n        AWS_REGION: x\n")
    problem, = run(text)
    assert problem.path == "Globals.Function.Environment.Variables.AWS_REGION"


def test_environment_over_4_kb_counts_keys_and_values_as_json() -> None:
    # {"BIG":"x…x"} is 10 bytes of JSON around the value
    assert run(function(f"          BIG: {'x' * (4096 - 10)}")) == []
    problem, = run(function(f"          BIG: {'x' * (4096 - 9)}"))
    assert problem.code == "E5102"
    assert "4,097 bytes" in problem.message


def test_globals_variables_count_toward_each_function() -> None:
    text = function("          OWN: y", "Globals:\n  Function:\n    Environment:\n"
                                        f"      Variables:\n        SHARED: {'x' * 4090}\n")
    problem, = run(text)
    assert (problem.code, problem.resource) == ("E5102", "Fn")


def test_intrinsic_values_count_as_empty() -> None:
    assert run(function(f"          A: !Ref {'X' * 5000}")) == []
