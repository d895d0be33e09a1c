"""A misspelt resource type does not pass as "some other resource": `samlite validate` calls
an AWS::Serverless:: type SAM does not define an error (E1017) and an AWS:: type a small edit
from one samlite knows a warning (W1017); `samlite up` refuses the first, and names every
resource of a type it does not model under "Not run locally" with its file:line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from samlite.app.root import AppOptions, load_graph
from samlite.cli.main import main
from samlite.cli.summary import startup_lines
from samlite.runtime.spec import function_specs
from samlite.template.model import PseudoParameters

SAM = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n"

FUNCTION = """\
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return "ran"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(text)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


MISSPELT_SAM = SAM + "Resources:\n  Orders:\n    Type: AWS::Serverless::SimpleTabel\n" + FUNCTION


def test_validate_refuses_a_sam_type_sam_does_not_define(tmp_path: Path) -> None:
    template = write(tmp_path, MISSPELT_SAM)
    code, out, err = run("validate", str(template))
    assert code == 1
    assert (f"{template}:5:11: error E1017 Resources.Orders.Type: resource Orders has type "
            "AWS::Serverless::SimpleTabel: SAM does not define it; did you mean "
            "AWS::Serverless::SimpleTable?") in out + err
    assert f"{template}: invalid (1 error, 0 warnings)" in out + err


def test_a_sam_type_close_to_none_lists_the_types_sam_defines(tmp_path: Path) -> None:
    template = write(tmp_path, SAM + "Resources:\n  Odd:\n    Type: AWS::Serverless::Queue\n")
    code, out, err = run("validate", str(template))
    assert code == 1
    assert (f"{template}:5:11: error E1017 Resources.Odd.Type: resource Odd has type "
            "AWS::Serverless::Queue: SAM does not define it; SAM defines AWS::Serverless::Api, "
            "AWS::Serverless::Application, AWS::Serverless::Connector, ") in out + err


NEAR_MISSES = SAM + """\
Resources:
  Orders:
    Type: AWS::DynamoDB::Tabel
  Jobs:
    Type: AWS::SQS::Queu
  Logs:
    Type: AWS::logs::LogGroup
"""


def test_validate_warns_of_an_aws_type_a_small_edit_from_a_known_one(tmp_path: Path) -> None:
    template = write(tmp_path, NEAR_MISSES)
    code, out, err = run("validate", str(template))
    assert code == 0
    tail = ("samlite does not know it; did you mean {}? (samlite knows only the types it "
            "models, so this may still be a real type)")
    lines = [line for line in (out + err).splitlines() if "W1017" in line]
    assert lines == [
        f"{template}:5:11: warning W1017 Resources.Orders.Type: resource Orders has type "
        "AWS::DynamoDB::Tabel: " + tail.format("AWS::DynamoDB::Table"),
        f"{template}:7:11: warning W1017 Resources.Jobs.Type: resource Jobs has type "
        "AWS::SQS::Queu: " + tail.format("AWS::SQS::Queue"),
        f"{template}:9:11: warning W1017 Resources.Logs.Type: resource Logs has type "
        "AWS::logs::LogGroup: " + tail.format("AWS::Logs::LogGroup")]


@pytest.mark.parametrize("rtype", [
    "Custom::Tabel",                        # custom resources: any name
    "AWS::CloudFormation::CustomResource",
    "Acme::DynamoDB::Tabel",                # a third-party registry type
    "AWS::IoT::Policy",                     # real, and IoT is not a typo of IAM
    "AWS::ApiGatewayV2::Model",             # real, beside AWS::ApiGateway::Model
    "AWS::EC2::VPC",                        # real, far from every known type
    "AWS::Foo::Bar",                        # far from every known type: may be real
])
def test_other_types_are_left_alone(tmp_path: Path, rtype: str) -> None:
    template = write(tmp_path, SAM + f"Resources:\n  Thing:\n    Type: {rtype}\n" + FUNCTION)
    code, out, err = run("validate", str(template))
    assert code == 0, out + err
    assert "1017" not in out + err


def test_up_refuses_a_sam_type_sam_does_not_define(tmp_path: Path) -> None:
    template = write(tmp_path, MISSPELT_SAM)
    code, out, err = run("up", "--port", "0", "--aws-port", "0", "--no-watch",
                         "-t", str(template))
    assert code != 0
    assert "ready" not in out
    assert (f"{template}:5:11: error E1017 Resources.Orders.Type: resource Orders has type "
            "AWS::Serverless::SimpleTabel: SAM does not define it; did you mean "
            "AWS::Serverless::SimpleTable?") in err


UNMODELLED = SAM + """\
Resources:
  Thing:
    Type: AWS::Foo::Bar
  Files:
    Type: AWS::EFS::FileSystem
  Orders:
    Type: AWS::DynamoDB::Tabel
  Hook:
    Type: Custom::Seed
    Properties:
      ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:seed
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}
""" + FUNCTION


def test_up_names_every_resource_of_a_type_it_does_not_model(tmp_path: Path) -> None:
    template = write(tmp_path, UNMODELLED)
    graph, _ = load_graph(template, AppOptions())
    specs = function_specs(graph, project_dir=tmp_path, pseudo=PseudoParameters())
    lines = startup_lines(graph, specs, runtime_kind="process", route_lines=[],
                          function_urls={})
    reason = ("samlite does not model this resource type, so nothing is made for it locally; "
              "an app that calls it needs a real one")
    named = [line for line in lines if "does not model" in line]
    assert named == [f"  {template}:{line}: {name} ({rtype}): {reason}"
                     for line, name, rtype in [(4, "Thing", "AWS::Foo::Bar"),
                                               (6, "Files", "AWS::EFS::FileSystem"),
                                               (8, "Orders", "AWS::DynamoDB::Tabel"),
                                               (10, "Hook", "Custom::Seed")]]
