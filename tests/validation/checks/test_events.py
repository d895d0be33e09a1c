"""S3 event buckets and SQS visibility timeouts, on small inline templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.errors import Problem
from samlite.template.load import parse_template
from samlite.validation.checks.context import CheckContext
from samlite.validation.checks.events import CHECKS


def run(text: str) -> list[Problem]:
    ctx = CheckContext(loaded=parse_template(text, name="template.yaml"), resolved=None,
                       project_dir=Path())
    return [p for check in CHECKS for p in check(ctx)]


def s3_template(bucket: str) -> str:
    return f"""\
Parameters:
  Name: {{Type: String}}
Resources:
  Uploads:
    Type: AWS::S3::Bucket
  Jobs:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: {bucket}
            Events: s3:ObjectCreated:*
"""


def test_s3_event_on_a_bucket_of_the_template_passes() -> None:
    assert run(s3_template("!Ref Uploads")) == []


@pytest.mark.parametrize(("bucket", "found"), [
    ("my-bucket", "got 'my-bucket'"),
    ("!Ref Name", "Name is not a resource of this template"),
    ("!Ref Jobs", "Jobs is a AWS::SQS::Queue"),
    ("!Ref Missing", "Missing is not a resource of this template"),
    ("!GetAtt Uploads.Arn", "got Fn::GetAtt"),
], ids=["plain-name", "parameter", "queue", "missing", "getatt"])
def test_s3_event_must_reference_a_bucket_of_the_template(bucket: str, found: str) -> None:
    problem, = run(s3_template(bucket))
    assert problem.code == "E4001"
    assert problem.message.startswith(
        "Event with id [Upload] is invalid. S3 events must reference an S3 bucket in the same "
        "template.")
    assert found in problem.message
    assert problem.resource == "Fn"
    assert problem.path == "Resources.Fn.Properties.Events.Upload.Properties.Bucket"
    assert problem.at.line == 17


def sqs_template(*, visibility: str = "", timeout: str = "", global_timeout: str = "",
                 queue: str = "!GetAtt Jobs.Arn") -> str:
    globals_ = f"Globals:\n  Function:\n    Timeout: {global_timeout}\n" if global_timeout else ""
    vis = f"\n    Properties:\n      VisibilityTimeout: {visibility}" if visibility else ""
    fn_timeout = f"\n      Timeout: {timeout}" if timeout else ""
    return f"""\
{globals_}Resources:
  Jobs:
    Type: AWS::SQS::Queue{vis}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12{fn_timeout}
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: {queue}
"""


@pytest.mark.parametrize("kwargs", [
    {},                                             # 30 s default vs 3 s default
    {"timeout": "30"},                              # equal is fine
    {"visibility": "900", "timeout": "900"},
    {"visibility": "60", "global_timeout": "45"},
    {"visibility": "10", "timeout": "!Ref T"},      # unknown values are skipped
    {"timeout": "120", "queue": "arn:aws:sqs:us-east-1:123456789012:elsewhere"},
], ids=["defaults", "equal", "max", "globals", "intrinsic", "queue-elsewhere"])
def test_queue_visibility_at_least_function_timeout_passes(kwargs: dict[str, str]) -> None:
    assert run(sqs_template(**kwargs)) == []


@pytest.mark.parametrize(("kwargs", "visibility", "timeout"), [
    ({"timeout": "60"}, 30, 60),
    ({"visibility": "10", "timeout": "11"}, 10, 11),
    ({"visibility": "20", "global_timeout": "25"}, 20, 25),
    ({"visibility": "'20'", "timeout": "'40'"}, 20, 40),
    ({"visibility": "20", "global_timeout": "5", "timeout": "25"}, 20, 25),
], ids=["default-visibility", "explicit", "globals-timeout", "strings", "function-wins"])
def test_queue_visibility_shorter_than_function_timeout(kwargs: dict[str, str], visibility: int,
                                                        timeout: int) -> None:
    problem, = run(sqs_template(**kwargs))
    assert problem.code == "E4002"
    assert problem.message.startswith(
        f"Queue visibility timeout: {visibility} seconds is less than Function timeout: "
        f"{timeout} seconds.")
    assert problem.path == "Resources.Fn.Properties.Events.Work.Properties.Queue"


def test_event_source_mapping_is_checked_too() -> None:
    text = """\
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: 60}
  Worker:
    Type: AWS::Lambda::Function
    Properties: {Timeout: 120, Handler: app.handler, Runtime: python3.12}
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt [Jobs, Arn]
      FunctionName: !Ref Worker
"""
    problem, = run(text)
    assert problem.code == "E4002"
    assert problem.resource == "Mapping"
    assert "60 seconds is less than Function timeout: 120 seconds" in problem.message


FILTERED = """\
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            FilterCriteria:
              Filters:
                - Pattern: '{"body": {"kind": ["order"]}}'
                - Pattern: '%s'
"""


def test_valid_filter_patterns_pass() -> None:
    assert run(FILTERED % '{"body": {"n": [{"numeric": [">", 10]}]}}') == []


@pytest.mark.parametrize(("pattern", "why"), [
    ('{"body": {"n": [{"numeric": [">", "ten"]}]}}', "needs a number"),
    ('{"body": "order"}', "body"),
    ("not json", "JSON"),
], ids=["numeric-text", "not-a-list", "not-json"])
def test_invalid_filter_patterns_are_reported_at_the_pattern(pattern: str, why: str) -> None:
    problem, = run(FILTERED % pattern)
    assert problem.code == "W4003"
    assert problem.path == \
        "Resources.Fn.Properties.Events.Work.Properties.FilterCriteria.Filters[1].Pattern"
    assert problem.at.line == 17
    assert why in problem.message


def test_queue_visibility_from_parameters_is_checked(tmp_path: Path) -> None:
    from samlite.validation.pipeline import validate_file

    (tmp_path / "template.yaml").write_text("""\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Vis: {Type: Number, Default: 5}
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: !Ref Vis}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      InlineCode: "def handler(e, c): pass"
      Timeout: 30
      Events:
        Work: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn}}
""")
    result = validate_file(tmp_path / "template.yaml")
    assert [p.code for p in result.problems if p.is_error] == ["E4002"]
    fixed = validate_file(tmp_path / "template.yaml", parameter_overrides={"Vis": "30"})
    assert not [p for p in fixed.problems if p.is_error]
