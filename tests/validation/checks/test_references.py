"""Ref / GetAtt / Sub / DependsOn / Condition checks, on small inline templates."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from samlite.errors import Problem
from samlite.template.load import parse_template
from samlite.validation.checks.context import CheckContext
from samlite.validation.checks.references import CHECKS

BASE = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Bucket:
    Type: AWS::S3::Bucket
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      AutoPublishAlias: live
      Events:
        Get:
          Type: Api
          Properties: {Path: /, Method: get}
"""


def run(extra: str) -> list[Problem]:
    loaded = parse_template(BASE + extra, name="template.yaml")
    ctx = CheckContext(loaded=loaded, resolved=None, project_dir=Path())
    return [p for check in CHECKS for p in check(ctx)]


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def resource(name: str, body: str) -> str:
    return f"  {name}:\n" + "".join(f"    {line}\n" for line in dedent(body).splitlines())


def topic(name: str) -> str:
    """A topic whose TopicName is `name` (YAML text, often an intrinsic)."""
    return resource("Topic", f"Type: AWS::SNS::Topic\nProperties: {{TopicName: {name}}}")


@pytest.mark.parametrize("extra", [
    topic("!Ref Stage"),
    topic("!Ref AWS::StackName"),
    topic("!Ref Queue"),
    topic("!GetAtt Queue.QueueName"),
    topic("!Sub '${Stage}-${Queue.QueueName}-${AWS::Region}'"),
    topic("!Sub ['${X}-${!Literal}', {X: !Ref Stage}]"),
    topic("!Ref HelloFunctionRole"),
    topic("!Ref HelloFunction.Alias"),
    topic("!Ref ServerlessRestApi"),
    topic("!Ref ServerlessRestApi.Stage"),
    topic("!Ref HelloFunctionGetPermission"),
    topic("!GetAtt HelloFunction.Alias.Name"),
    topic("!GetAtt Other.Anything")
    + resource("Other", "Type: AWS::EC2::VPC"),
    resource("Topic", "Type: AWS::SNS::Topic\nDependsOn: [Queue, Bucket]"),
    resource("Topic", "Type: AWS::SNS::Topic\nCondition: IsProd"),
    topic("!If [IsProd, a, b]"),
    resource("Topic", "Type: AWS::SNS::Topic\nMetadata: {Note: !Ref NotChecked}"),
], ids=["ref-param", "ref-pseudo", "ref-resource", "getatt", "sub", "sub-vars-and-literal",
        "sam-role", "sam-alias", "implicit-api", "implicit-api-stage", "event-permission",
        "getatt-alias-attribute", "getatt-unknown-type", "depends-on", "condition", "fn-if",
        "metadata-ignored"])
def test_valid_references_pass(extra: str) -> None:
    assert run(extra) == []


@pytest.mark.parametrize(("extra", "code", "message_part"), [
    (topic("!Ref Queu"),
     "E3001", "Ref names 'Queu', which is not a resource, parameter or pseudo parameter "
              "of this template (did you mean \"Queue\"?)"),
    (topic("!Ref AWS::Regoin"),
     "E3001", "did you mean \"AWS::Region\"?"),
    (topic("!GetAtt Buckett.Arn"),
     "E3002", "Fn::GetAtt names 'Buckett', which is not a resource of this template "
              "(did you mean \"Bucket\"?)"),
    (topic("!GetAtt Stage.Arn"),
     "E3002", "(it is a parameter; use Ref)"),
    (topic("!GetAtt Queue.Url"),
     "W3003", "Queue (AWS::SQS::Queue) has no attribute 'Url'"),
    (topic("!GetAtt [Bucket, Arnn]"),
     "W3003", "(did you mean \"Arn\"?)"),
    (topic("!Sub '${Stag}-x'"),
     "E3004", "Fn::Sub ${Stag} names nothing in this template"),
    (topic("!Sub '${Queue.Nope}'"),
     "W3003", "has no attribute 'Nope'"),
    (topic("!Sub '${Quue.Arn}'"),
     "E3002", "Fn::Sub ${Quue.Arn} names 'Quue'"),
    (resource("Topic", "Type: AWS::SNS::Topic\nDependsOn: Queu"),
     "E3005", "DependsOn names 'Queu', which is not a resource of this template "
              "(did you mean \"Queue\"?)"),
    (resource("Topic", "Type: AWS::SNS::Topic\nDependsOn: [Queue, Stage]"),
     "E3005", "it is a parameter; DependsOn takes resources only"),
    (resource("Topic", "Type: AWS::SNS::Topic\nCondition: IsProdd"),
     "E3007", "Condition names condition 'IsProdd', which is not in Conditions "
              "(did you mean \"IsProd\"?)"),
    (topic("!If [Nope, a, b]"),
     "E3007", "Fn::If names condition 'Nope'"),
    (topic("!Ref ServerlessHttpApi"),
     "E3001", "'ServerlessHttpApi'"),
], ids=["ref-typo", "ref-pseudo-typo", "getatt-typo", "getatt-parameter", "getatt-attribute",
        "getatt-attribute-list-form", "sub-typo", "sub-attribute", "sub-resource-typo",
        "depends-on-typo", "depends-on-parameter", "condition-typo", "fn-if-typo",
        "implicit-http-api-without-event"])
def test_broken_references_are_reported(extra: str, code: str, message_part: str) -> None:
    problems = run(extra)
    assert codes(problems) == [code]
    assert message_part in problems[0].message
    assert problems[0].resource == "Topic"


def test_problem_points_at_the_reference() -> None:
    problem, = run(resource("Topic", "Type: AWS::SNS::Topic\nProperties:\n  TopicName: !Ref Nope"))
    assert (problem.at.file, problem.at.line) == ("template.yaml", 26)
    assert problem.path == "Resources.Topic.Properties.TopicName.Ref"


@pytest.mark.parametrize(("extra", "cycle"), [
    (resource("A", "Type: AWS::SNS::Topic\nDependsOn: B")
     + resource("B", "Type: AWS::SNS::Topic\nDependsOn: A"), "A -> B -> A"),
    (resource("A", "Type: AWS::SNS::Topic\nDependsOn: A"), "A -> A"),
    (resource("C", "Type: AWS::SNS::Topic\nDependsOn: [A]")
     + resource("A", "Type: AWS::SNS::Topic\nDependsOn: [Queue, B]")
     + resource("B", "Type: AWS::SNS::Topic\nDependsOn: C"), "A -> B -> C -> A"),
], ids=["two", "self", "three"])
def test_circular_depends_on_names_the_cycle(extra: str, cycle: str) -> None:
    problems = run(extra)
    assert codes(problems) == ["E3006"]
    assert f"circular DependsOn: {cycle}" in problems[0].message


def test_conditions_in_a_loop() -> None:
    text = BASE.replace("  IsProd: !Equals [!Ref Stage, prod]\n",
                        "  IsProd: !And [!Condition IsLive, !Equals [a, a]]\n"
                        "  IsLive: !Not [!Condition IsProd]\n")
    ctx = CheckContext(loaded=parse_template(text, name="template.yaml"), resolved=None,
                       project_dir=Path())
    problems = [p for check in CHECKS for p in check(ctx)]
    assert codes(problems) == ["E3008"]
    assert "IsLive -> IsProd -> IsLive" in problems[0].message


def test_condition_naming_a_missing_condition_inside_conditions() -> None:
    text = BASE.replace("  IsProd: !Equals [!Ref Stage, prod]\n",
                        "  IsProd: !Not [!Condition IsLiv]\n  IsLive: !Equals [a, a]\n")
    ctx = CheckContext(loaded=parse_template(text, name="template.yaml"), resolved=None,
                       project_dir=Path())
    problems = [p for check in CHECKS for p in check(ctx)]
    assert codes(problems) == ["E3007"]
    assert "did you mean \"IsLive\"?" in problems[0].message


def test_outputs_are_checked_too() -> None:
    problems = run("Outputs:\n  Url:\n    Value: !GetAtt Nope.Arn\n    Condition: Missing\n")
    assert sorted(codes(problems)) == ["E3002", "E3007"]
    assert all(p.path.startswith("Outputs.Url") for p in problems)


def _table(stream: str) -> str:
    return resource("Table", "Type: AWS::DynamoDB::Table\nProperties:\n"
                    "  KeySchema: [{AttributeName: id, KeyType: HASH}]\n" + stream)


@pytest.mark.parametrize("ref", ["!GetAtt Table.StreamArn", "!Sub '${Table.StreamArn}'"],
                         ids=["getatt", "sub"])
def test_stream_arn_of_a_table_without_a_stream_is_a_warning_saying_the_deploy_fails(
        ref: str) -> None:
    problem, = run(_table("") + topic(ref))
    assert problem.code == "W3009"    # SAM translates it; CloudFormation rejects it at deploy
    assert not problem.is_error
    assert "Table has no StreamSpecification" in problem.message


def test_stream_arn_of_a_table_with_a_stream_passes() -> None:
    assert run(_table("  StreamSpecification: {StreamViewType: NEW_IMAGE}\n")
               + topic("!GetAtt Table.StreamArn")) == []
