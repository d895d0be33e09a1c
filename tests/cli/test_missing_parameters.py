"""Parameters without a Default: `samlite up`, `invoke` and `start-lambda` ask for nothing and
guess nothing; they exit 2 before starting, one line per parameter saying how to give it."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from samlite.cli.main import main
from samlite.testing import RunningApp

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  DestinationBucketName:
    Type: String
  QueueSuffix:
    Type: String
  Stage:
    Type: String
    Default: dev
Resources:
  Destination:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '${DestinationBucketName}'
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub 'jobs-${QueueSuffix}'
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return "ran"
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    return path


@pytest.mark.parametrize("command", [
    pytest.param(["up", "--port", "0", "--aws-port", "0", "--no-watch"], id="up"),
    pytest.param(["invoke", "Fn"], id="invoke"),
    pytest.param(["start-lambda", "--port", "0"], id="start-lambda"),
])
def test_each_missing_parameter_is_one_line_and_nothing_starts(
        template: Path, command: list[str]) -> None:
    code, out, err = run(*command, "-t", str(template))
    assert code == 2
    assert "ran" not in out and "ready" not in out
    lines = [line for line in err.splitlines() if "has no Default" in line]
    assert lines == [
        f"{template}:4: parameter DestinationBucketName has no Default and no value: pass "
        "--parameter-overrides DestinationBucketName=VALUE, or put parameter_overrides = "
        "\"DestinationBucketName=VALUE\" under [default.deploy.parameters] (or "
        "[default.global.parameters]) in samconfig.toml",
        f"{template}:6: parameter QueueSuffix has no Default and no value: pass "
        "--parameter-overrides QueueSuffix=VALUE, or put parameter_overrides = "
        "\"QueueSuffix=VALUE\" under [default.deploy.parameters] (or "
        "[default.global.parameters]) in samconfig.toml"]
    assert "${" not in err   # no error about a name built from the missing value


def test_the_config_env_in_use_is_the_one_named(template: Path) -> None:
    (template.parent / "samconfig.toml").write_text(
        'version = 0.1\n[dev.deploy.parameters]\nparameter_overrides = "QueueSuffix=a"\n')
    code, _, err = run("invoke", "Fn", "-t", str(template), "--config-env", "dev")
    assert code == 2
    assert "QueueSuffix" not in err
    assert "[dev.deploy.parameters] (or [dev.global.parameters])" in err


def test_validate_keeps_its_warning(template: Path) -> None:
    code, out, _ = run("validate", str(template))
    assert code == 0
    assert "W2209" in out


def test_values_from_samconfig_and_the_flag_name_the_bucket_and_queue(
        template: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    (template.parent / "samconfig.toml").write_text(
        'version = 0.1\n[default.deploy.parameters]\n'
        'parameter_overrides = "DestinationBucketName=incoming-files"\n')
    code, out, _ = run("invoke", "Fn", "-t", str(template),
                       "--parameter-overrides", "QueueSuffix=night")
    assert (code, json.loads(out)) == (0, "ran")
    app = samlite_app_factory(template, parameter_overrides={
        "DestinationBucketName": "incoming-files", "QueueSuffix": "night"})
    assert [b["Name"] for b in app.s3.list_buckets()["Buckets"]] == ["incoming-files"]
    [url] = app.sqs.list_queues()["QueueUrls"]
    assert urllib.parse.urlsplit(url).path.endswith("/jobs-night")
