"""Secrets and parameters end to end: an App started in-process from a template with a
secret, a parameter and `{{resolve:...}}` references in a function's environment, real
functions (process runtime), boto3 against its endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from samlite.app.root import App, AppOptions
from samlite.errors import ConfigError

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Db:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: app/db
      GenerateSecretString:
        SecretStringTemplate: '{"username": "admin"}'
        GenerateStringKey: password
        PasswordLength: 16
  Url:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /app/url
      Type: String
      Value: https://example.com
  Show:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      Timeout: 10
      Environment:
        Variables:
          DB_USER: '{{resolve:secretsmanager:app/db:SecretString:username}}'
          DB_PASSWORD: '{{resolve:secretsmanager:app/db:SecretString:password}}'
          URL: '{{resolve:ssm:/app/url}}'
          API_KEY: 'key={{resolve:secretsmanager:outside/api-key}}'
"""

HANDLER = """\
import os

def handler(event, context):
    return {k: os.environ[k] for k in ("DB_USER", "DB_PASSWORD", "URL", "API_KEY")}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / "secrets.json").write_text(json.dumps(
        {"secretsmanager": {"outside/api-key": "k-123"}}))
    return tmp_path


def start(project: Path, **options: Any) -> App:
    app = App(project / "template.yaml", AppOptions(
        runtime="process", aws_port=0, state_dir=project / ".samlite",
        secrets_file=project / "secrets.json", **options))
    app.start()
    return app


@pytest.fixture
def app(project: Path) -> Iterator[App]:
    app = start(project)
    yield app
    app.stop()


def client(app: App, service: str) -> Any:
    return boto3.client(service, endpoint_url=app.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")  # noqa: S106


def environment(app: App) -> dict[str, str]:
    result = app.invoke("Show", b"{}")
    assert not result.is_error, result.payload
    return json.loads(result.payload)


def test_handler_sees_the_values_its_references_name(app: App) -> None:
    seen = environment(app)
    stored = json.loads(client(app, "secretsmanager").get_secret_value(
        SecretId="app/db")["SecretString"])
    assert seen == {"DB_USER": "admin", "DB_PASSWORD": stored["password"],
                    "URL": "https://example.com", "API_KEY": "key=k-123"}
    assert len(stored["password"]) == 16


def test_generated_secret_survives_a_restart_and_reset_forgets_it(project: Path) -> None:
    first = start(project)
    try:
        password = environment(first)["DB_PASSWORD"]
        client(first, "ssm").put_parameter(Name="/mine", Value="v", Type="String")
    finally:
        first.stop()
    second = start(project)
    try:
        assert environment(second)["DB_PASSWORD"] == password
        assert client(second, "ssm").get_parameter(Name="/mine")["Parameter"]["Value"] == "v"
    finally:
        second.stop()
    third = start(project, reset_state=True)
    try:
        assert environment(third)["DB_PASSWORD"] != password
        with pytest.raises(client(third, "ssm").exceptions.ParameterNotFound):
            client(third, "ssm").get_parameter(Name="/mine")
    finally:
        third.stop()


def test_a_reference_nothing_gives_stops_the_start_naming_it(project: Path) -> None:
    (project / "secrets.json").write_text("{}")
    with pytest.raises(ConfigError) as raised:
        start(project)
    message = str(raised.value)
    assert "template.yaml:" in message
    assert "Show: Environment.Variables.API_KEY" in message
    assert "{{resolve:secretsmanager:outside/api-key}}" in message
    assert "secrets.json" in message
    assert raised.value.exit_code == 2


def test_a_one_shot_invoke_resolves_from_the_template_and_the_secrets_file(
        project: Path) -> None:
    app = App(project / "template.yaml", AppOptions(
        runtime="process", secrets_file=project / "secrets.json"))
    app.start()
    try:
        seen = environment(app)
    finally:
        app.stop()
    assert (seen["DB_USER"], seen["URL"], seen["API_KEY"]) == (
        "admin", "https://example.com", "key=k-123")


def test_sts_and_unserved_services_on_the_apps_endpoint(app: App) -> None:
    from botocore.exceptions import ClientError

    assert client(app, "sts").get_caller_identity()["Account"] == \
        app.options.pseudo.account_id
    with pytest.raises(ClientError) as raised:
        client(app, "cloudformation").list_stacks()   # a query-protocol service not run
    assert raised.value.response["Error"]["Code"] == "NotImplemented"
    assert "AWS_ENDPOINT_URL_CLOUDFORMATION" in raised.value.response["Error"]["Message"]
