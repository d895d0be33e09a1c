"""Code in S3 (`CodeUri: s3://…`, `Code.S3Bucket/S3Key`) is not fetched: the function is
named under "Not run locally" with its file:line and does not run (never the project folder,
which SAM CLI would run instead)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from samlite.app.root import AppOptions, load_graph
from samlite.cli.main import main
from samlite.cli.summary import startup_lines
from samlite.runtime.spec import function_specs
from samlite.template.model import PseudoParameters

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  SamInS3:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      CodeUri: s3://artifacts/sam.zip
  PlainInS3:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code:
        S3Bucket: artifacts
        S3Key: plain.zip
  Local:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code: ./src
"""

# What runs if samlite fell back to the project folder, as SAM CLI does.
ROOT_HANDLER = "def handler(event, context):\n    return 'the project folder ran'\n"


def write(tmp_path: Path) -> Path:
    (tmp_path / "index.py").write_text(ROOT_HANDLER)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "index.py").write_text(
        "def handler(event, context):\n    return 'src ran'\n")
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    return template


def test_code_in_s3_is_named_with_its_line_at_startup(tmp_path: Path) -> None:
    template = write(tmp_path)
    graph, _ = load_graph(template, AppOptions())
    specs = function_specs(graph, project_dir=tmp_path, pseudo=PseudoParameters())
    lines = startup_lines(graph, specs, runtime_kind="process", route_lines=[],
                          function_urls={})
    named = [line for line in lines if "does not fetch" in line]
    assert named == [
        f"  {template}:9: SamInS3.CodeUri (AWS::Serverless::Function): its code is in S3 "
        "(s3://artifacts/sam.zip), which samlite does not fetch, so it does not run here; "
        "point it at the code on this machine: CodeUri: ./src (a folder) or ./app.zip",
        f"  {template}:16: PlainInS3.Code (AWS::Lambda::Function): its code is in S3 "
        "(s3://artifacts/plain.zip), which samlite does not fetch, so it does not run here; "
        "point it at the code on this machine: Code: ./src (a folder or .zip, as sam local "
        "reads it)"]


def test_a_function_whose_code_is_in_s3_does_not_run(tmp_path: Path) -> None:
    template = write(tmp_path)
    runner = CliRunner()
    for name in ("SamInS3", "PlainInS3"):
        result = runner.invoke(main, ["invoke", name, "-t", str(template)])
        assert result.exit_code == 1
        assert "the project folder ran" not in result.stdout
        assert f"Error: {name}: its code is in S3 (s3://artifacts/" in result.stderr
    local = runner.invoke(main, ["invoke", "Local", "-t", str(template)])
    assert (local.exit_code, local.stdout.strip()) == (0, '"src ran"')
