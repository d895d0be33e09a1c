"""A function with TenancyConfig through the app, as its callers see it: boto3's
lambda.invoke(TenantId=...) and the testing plugin (`samlite invoke --tenant-id`:
tests/cli/test_cli_invoke.py). Lambda
developer guide, "Lambda tenant isolation": the TenantId reaches context.tenant_id; an invoke
without one is refused with InvalidParameterValueException."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from samlite.testing import RunningApp

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Isolated:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      TenancyConfig: {TenantIsolationMode: PER_TENANT}
"""

HANDLER = "def handler(event, context):\n    return {'tenant': context.tenant_id}\n"


def write_isolated_app(folder: Path) -> Path:
    (folder / "src").mkdir()
    (folder / "src" / "app.py").write_text(HANDLER)
    (folder / "template.yaml").write_text(TEMPLATE)
    return folder / "template.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_isolated_app(tmp_path)


@pytest.fixture
def app(project: Path, samlite_app_factory: Callable[..., RunningApp]) -> RunningApp:
    return samlite_app_factory(project, http_port=None, aws_port=0)


def test_boto3_tenant_id_reaches_the_handler(app: RunningApp) -> None:
    client = app.client("lambda")
    name = app.app.function("Isolated").function_name
    reply = client.invoke(FunctionName=name, TenantId="blue")
    assert json.loads(reply["Payload"].read()) == {"tenant": "blue"}
    with pytest.raises(ClientError) as refused:
        client.invoke(FunctionName=name)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_the_plugin_invokes_with_a_tenant(app: RunningApp) -> None:
    assert app.invoke("Isolated", tenant_id="green").payload == {"tenant": "green"}

