"""One problem, one line: a value inherited from Globals, a condition that is not defined and
a value both the schema and a SAM rule refuse are each reported once."""

from __future__ import annotations

import textwrap
from pathlib import Path

from samlite.validation.pipeline import validate_file


def errors(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(text))
    return [f"{p.at.line} {p.code} {p.path}" for p in validate_file(path).problems
            if p.is_error]


def test_a_globals_error_is_reported_once_at_globals(tmp_path: Path) -> None:
    found = errors(tmp_path, """\
        Globals:
          Function:
            AutoPublishAlias: ''
            Runtime: python3.12
            Handler: app.handler
            CodeUri: s3://bucket/key
        Resources:
          One:
            Type: AWS::Serverless::Function
          Two:
            Type: AWS::Serverless::Function
        """)
    assert found == ["3 E7104 Globals.Function.AutoPublishAlias"]


def test_a_missing_condition_in_a_function_has_one_code(tmp_path: Path) -> None:
    found = errors(tmp_path, """\
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: s3://bucket/key
              Handler: app.handler
              Runtime: python3.12
              Timeout: !If [IsProd, 30, 3]
        """)
    assert found == ["8 E3007 Resources.Fn.Properties.Timeout.Fn::If[0]"]


def test_a_value_the_schema_and_a_sam_rule_refuse_is_one_line(tmp_path: Path) -> None:
    found = errors(tmp_path, """\
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: s3://bucket/key
              Handler: app.handler
              Runtime: python3.12
              EventInvokeConfig:
                DestinationConfig:
                  OnSuccess: {Type: Kinesis, Destination: arn:aws:kinesis:us-east-1:1:stream/s}
        """)
    path = "Resources.Fn.Properties.EventInvokeConfig.DestinationConfig.OnSuccess.Type"
    assert found == [f"10 E7108 {path}"]


def test_a_globals_section_of_the_wrong_type_is_one_line(tmp_path: Path) -> None:
    found = errors(tmp_path, """\
        Globals:
          Function: [Timeout]
        Resources:
          Topic:
            Type: AWS::SNS::Topic
        """)
    assert found == ["2 E7203 Globals.Function"]
