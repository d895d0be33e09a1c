"""`samlite policy FUNCTION`: the function's effective policy, with the template lines."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from samlite.cli.main import main

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Inbox: {Type: AWS::S3::Bucket, Properties: {BucketName: inbox}}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: worker
      Handler: app.handler
      Runtime: python3.12
      InlineCode: "def handler(e, c): pass"
      Policies:
        - S3ReadPolicy: {BucketName: !Ref Inbox}
        - arn:aws:iam::aws:policy/SomethingNew
"""


def test_policy_prints_each_policy_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    result = CliRunner().invoke(main, ["policy", "-t", str(tmp_path / "template.yaml"),
                                       "worker"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Worker: arn:aws:sts::123456789012:assumed-role/")
    assert lines[0].endswith("/worker")
    assert f"{tmp_path / 'template.yaml'}:12 S3ReadPolicy: {{BucketName: inbox}}" in lines
    assert "  Allow s3:GetObject, s3:ListBucket, s3:GetBucketLocation, s3:GetObjectVersion, " \
           "s3:GetLifecycleConfiguration on arn:aws:s3:::inbox, arn:aws:s3:::inbox/*" in lines
    assert any("SomethingNew is not one samlite knows" in line for line in lines)


def test_an_unknown_function_names_the_ones_there_are(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    result = CliRunner().invoke(main, ["policy", "-t", str(tmp_path / "template.yaml"),
                                       "Nope"])
    assert result.exit_code == 2
    assert "has no function 'Nope' (functions: Worker)" in result.output
