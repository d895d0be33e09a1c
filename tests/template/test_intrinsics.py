"""Intrinsic functions as a template author sees them: a property value in, a value out."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from samlite.template.load import parse_template
from samlite.template.model import ResolvedTemplate, Unresolved
from samlite.template.resolve import resolve

TEMPLATE = """\
Parameters:
  Stage: {{Type: String, Default: dev}}
  Subnets: {{Type: CommaDelimitedList, Default: "a, b,c"}}
  Memory: {{Type: Number, Default: 512}}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Equals [dev, !Ref Stage]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Condition NotProd]
  Either: !Or [!Condition IsProd, !Equals [true, "true"]]
Mappings:
  Sizes:
    dev: {{Memory: 128}}
Resources:
  Queue: {{Type: AWS::SQS::Queue, Properties: {{QueueName: jobs}}}}
  Thing:
    Type: AWS::Serverless::Function
    Properties:
      Value: {expression}
"""


def resolved(expression: str) -> ResolvedTemplate:
    text = TEMPLATE.format(expression=expression)
    return resolve(parse_template(text, name="template.yaml"))


def value_of(expression: str) -> Any:
    result = resolved(expression)
    errors = [str(p) for p in result.problems if p.is_error]
    assert errors == []
    return result.resources["Thing"].properties.get("Value", "<removed>")


@pytest.mark.parametrize(("expression", "expected"), [
    pytest.param("!Ref Stage", "dev", id="ref-parameter"),
    pytest.param("!Ref Memory", 512, id="ref-number-parameter-is-a-number"),
    pytest.param("!Ref Subnets", ["a", "b", "c"], id="ref-list-parameter-is-trimmed-list"),
    pytest.param("!Ref AWS::Region", "us-east-1", id="ref-region"),
    pytest.param("!Ref AWS::AccountId", "123456789012", id="ref-account"),
    pytest.param("!Ref AWS::Partition", "aws", id="ref-partition"),
    pytest.param("!Ref AWS::URLSuffix", "amazonaws.com", id="ref-url-suffix"),
    pytest.param("!Ref AWS::StackName", "samlite", id="ref-stack-name"),
    pytest.param("!Ref AWS::NotificationARNs", [], id="ref-notification-arns"),
    pytest.param("!Ref AWS::NoValue", "<removed>", id="novalue-removes-the-key"),
    pytest.param('!Sub "${Stage}-${AWS::Region}"', "dev-us-east-1", id="sub-string"),
    pytest.param('!Sub "${!Literal}-${Stage}"', "${Literal}-dev", id="sub-literal"),
    pytest.param('!Sub ["${A}-${Stage}", {A: x}]', "x-dev", id="sub-with-variables"),
    pytest.param('!Sub "${Queue.Arn}"', "arn:aws:sqs:us-east-1:123456789012:jobs",
                 id="sub-getatt"),
    pytest.param("!Sub '${Queue}'", "http://127.0.0.1:3001/123456789012/jobs",
                 id="sub-ref-resource"),
    pytest.param('!Join ["-", [a, !Ref Stage, 3]]', "a-dev-3", id="join"),
    pytest.param("!Select [1, !Ref Subnets]", "b", id="select"),
    pytest.param('!Select ["0", [x, y]]', "x", id="select-index-as-text"),
    pytest.param('!Split [",", "x,y"]', ["x", "y"], id="split"),
    pytest.param("!Base64 hi", "aGk=", id="base64"),
    pytest.param('!Cidr ["10.0.0.0/16", 3, 8]', ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
                 id="cidr-ipv4"),
    pytest.param('!Cidr ["2001:db8::/56", 2, 64]', ["2001:db8::/64", "2001:db8:0:1::/64"],
                 id="cidr-ipv6"),
    pytest.param('!GetAZs ""', ["us-east-1a", "us-east-1b", "us-east-1c"], id="getazs"),
    pytest.param("!GetAZs eu-west-1", ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
                 id="getazs-named-region"),
    pytest.param("!If [IsProd, big, small]", "small", id="if-false"),
    pytest.param("!If [IsDev, big, small]", "big", id="if-true"),
    pytest.param("!If [Both, on-both, off]", "on-both", id="if-and-not"),
    pytest.param("!If [Either, either, neither]", "either", id="if-or-compares-as-text"),
    pytest.param("!If [IsProd, big, !Ref AWS::NoValue]", "<removed>", id="if-novalue"),
    pytest.param("!FindInMap [Sizes, !Ref Stage, Memory]", 128, id="findinmap"),
    pytest.param('{"Fn::FindInMap": [Sizes, prod, Memory, {DefaultValue: 64}]}', 64,
                 id="findinmap-default-value"),
    pytest.param('{"Fn::Length": [1, 2, 3]}', 3, id="length"),
    pytest.param('{"Fn::ToJsonString": {a: 1, b: [x]}}', '{"a":1,"b":["x"]}',
                 id="to-json-string"),
    pytest.param("[a, !Ref AWS::NoValue, b]", ["a", "b"], id="novalue-removes-list-item"),
    pytest.param("{a: 1, b: !Ref AWS::NoValue}", {"a": 1}, id="novalue-in-mapping"),
    pytest.param('{"Fn::GetAtt": "Queue.QueueName"}', "jobs", id="getatt-string-form"),
    pytest.param("!GetAtt [Queue, !Sub 'Arn']", "arn:aws:sqs:us-east-1:123456789012:jobs",
                 id="getatt-attribute-from-intrinsic"),
])
def test_intrinsic_value(expression: str, expected: Any) -> None:
    assert value_of(expression) == expected


@pytest.mark.parametrize(("expression", "expected"), [
    pytest.param("!ImportValue Shared", Unresolved("Fn::ImportValue Shared"), id="importvalue"),
    pytest.param("!GetAtt Queue.Nonsense", Unresolved("Queue.Nonsense"),
                 id="attribute-aws-invents"),
    pytest.param('!Sub "x-${AWS::Region}-${Queue.Nonsense}"',
                 Unresolved("x-us-east-1-${Queue.Nonsense}"), id="sub-with-unknowable-part"),
    pytest.param('{"Fn::Transform": {Name: "AWS::Include", Parameters: {Location: a.yaml}}}',
                 Unresolved("Fn::Transform AWS::Include"), id="transform-include"),
])
def test_values_that_cannot_be_known_locally_are_unresolved(expression: str,
                                                            expected: Unresolved) -> None:
    assert value_of(expression) == expected


@pytest.mark.parametrize(("expression", "code", "words"), [
    pytest.param("!Ref Stag", "E3201", "did you mean Stage?", id="ref-unknown-with-hint"),
    pytest.param("!Ref AWS::Regoin", "E3201", "AWS::Region", id="ref-unknown-pseudo"),
    pytest.param("!GetAtt Queu.Arn", "E3202", "did you mean Queue?", id="getatt-unknown"),
    pytest.param("!GetAtt Stage.Arn", "E3202", "a parameter, not a resource",
                 id="getatt-on-parameter"),
    pytest.param('!Sub "${Nope}"', "E3201", "Nope", id="sub-unknown-variable"),
    pytest.param("!If [IsProdd, a, b]", "E3203", "did you mean IsProd?",
                 id="if-unknown-condition"),
    pytest.param("!If [IsProd, a]", "E3207", "a list of 3 items", id="if-two-arguments"),
    pytest.param("!FindInMap [Sizes, prod, Memory]", "E3208", "no key 'prod'",
                 id="findinmap-missing-key"),
    pytest.param("!FindInMap [Sizez, dev, Memory]", "E3208", "no map 'Sizez'",
                 id="findinmap-missing-map"),
    pytest.param("!Select [5, [a]]", "E3209", "out of range", id="select-out-of-range"),
    pytest.param('!Cidr ["10.0.0.0/30", 4, 8]', "E3209", "cannot carve",
                 id="cidr-too-big"),
    pytest.param('{"Fn::Ref": Stage}', "E3210", "not an intrinsic function",
                 id="unknown-function"),
    pytest.param('!Join ["-", [a, [b]]]', "E3209", "can only join strings",
                 id="join-of-a-list"),
])
def test_intrinsic_problems(expression: str, code: str, words: str) -> None:
    problems = resolved(expression).problems
    assert [p.code for p in problems] == [code]
    assert words in problems[0].message
    assert problems[0].resource == "Thing"
    assert problems[0].at.line == 19   # the line of `Value:` in TEMPLATE


def test_problem_points_at_the_intrinsic_not_the_template_top() -> None:
    text = textwrap.dedent("""\
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Environment:
                Variables:
                  TABLE: !Ref Tabel
        """)
    (problem,) = resolve(parse_template(text, name="template.yaml")).problems
    assert str(problem) == (
        "template.yaml:7:18: error E3201 Resources.Fn.Properties.Environment.Variables.TABLE.Ref:"
        " Ref to Tabel, which is not a parameter or resource of this template")
