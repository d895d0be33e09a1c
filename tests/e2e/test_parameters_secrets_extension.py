"""The AWS Parameters and Secrets Lambda Extension served locally: a function naming its
layer ARN reads a secret and a parameter through the extension's HTTP API with urllib, as
AWS's pages show it; the token header is checked. The port comes from
PARAMETERS_SECRETS_EXTENSION_HTTP_PORT (a free one per test, never a fixed port)."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.app.root import App, AppOptions, invoke_function

LAYER = ("arn:aws:lambda:us-east-1:177933569100:layer:"
         "AWS-Parameters-and-Secrets-Lambda-Extension:12")

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  ApiKey:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: app/api-key
      SecretString: '{{"key": "k-1"}}'
  Mode:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /app/mode
      Type: String
      Value: fast
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      Timeout: 10
      Layers: [{layer}]
      Environment:
        Variables:
          PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '{port}'
  Writer:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      Timeout: 10
      Layers: [{layer}]
      Environment:
        Variables:
          PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '{port}'
"""

HANDLER = """\
import json, os, urllib.parse, urllib.request

def _get(path, **query):
    port = os.environ["PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"]
    url = f"http://localhost:{port}{path}?" + urllib.parse.urlencode(query)
    request = urllib.request.Request(
        url, headers={"X-Aws-Parameters-Secrets-Token": os.environ["AWS_SESSION_TOKEN"]})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())

def handler(event, context):
    secret = _get("/secretsmanager/get", secretId="app/api-key")
    parameter = _get("/systemsmanager/parameters/get", name="/app/mode")
    return {"secret": secret, "parameter": parameter}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def port(tmp_path: Path) -> int:
    return free_port()


@pytest.fixture
def app(tmp_path: Path, port: int) -> Iterator[App]:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE.format(layer=LAYER, port=port))
    app = App(tmp_path / "template.yaml", AppOptions(
        runtime="process", aws_port=0, state_dir=tmp_path / ".samlite"))
    app.start()
    yield app
    app.stop()


def test_handler_reads_a_secret_and_a_parameter_through_the_extension(app: App) -> None:
    result = app.invoke("Reader", b"{}")
    assert not result.is_error, result.payload
    answer = json.loads(result.payload)
    secret, parameter = answer["secret"], answer["parameter"]
    assert secret["Name"] == "app/api-key"
    assert json.loads(secret["SecretString"]) == {"key": "k-1"}
    assert secret["VersionStages"] == ["AWSCURRENT"]
    assert secret["ARN"] == next(s.arn for s in app.graph.secrets)
    assert (parameter["Parameter"]["Name"], parameter["Parameter"]["Value"]) == (
        "/app/mode", "fast")


def test_the_startup_table_says_where_the_extension_answers(app: App, port: int) -> None:
    assert ("Reader", "AWS-Parameters-and-Secrets-Lambda-Extension:12",
            f"its HTTP API on localhost:{port}, served by samlite") in app.layer_rows


def test_two_functions_on_one_port_share_one_server(app: App) -> None:
    for name in ("Reader", "Writer"):
        result = app.invoke(name, b"{}")
        assert not result.is_error, result.payload
        assert json.loads(result.payload)["parameter"]["Parameter"]["Value"] == "fast"


def test_a_request_without_the_functions_token_is_refused(app: App, port: int) -> None:
    url = f"http://127.0.0.1:{port}/secretsmanager/get?secretId=app/api-key"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)
    assert refused.value.code == 401


def test_a_missing_secret_is_the_services_own_error(app: App, port: int) -> None:
    credentials = app.functions[0].credentials   # each function has a token of its own
    assert credentials is not None
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/secretsmanager/get?secretId=nope",
        headers={"X-Aws-Parameters-Secrets-Token": credentials.session_token})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["__type"] == "ResourceNotFoundException"


def test_a_busy_port_is_named_with_the_functions_it_leaves_out(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / "app.py").write_text(HANDLER)
        (tmp_path / "template.yaml").write_text(TEMPLATE.format(layer=LAYER, port=port))
        app = App(tmp_path / "template.yaml", AppOptions(runtime="process", aws_port=0))
        try:
            notes = [n for n in app.graph.not_run_locally if n.subject.endswith(".Layers")]
        finally:
            app.close()
    assert [n.subject for n in notes] == ["Reader.Layers", "Writer.Layers"]
    assert f"port {port} on 127.0.0.1 is already in use" in notes[0].reason
    assert "Reader, Writer get connection errors" in notes[0].reason


def test_a_reload_that_adds_the_layer_serves_the_extension(tmp_path: Path, port: int) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    template = tmp_path / "template.yaml"
    with_layer = TEMPLATE.format(layer=LAYER, port=port)
    template.write_text(with_layer.replace(f"Layers: [{LAYER}]", "Layers: []"))
    app = App(template, AppOptions(runtime="process", aws_port=0,
                                   state_dir=tmp_path / ".samlite"))
    app.start()
    try:
        assert app.invoke("Reader", b"{}").is_error      # nothing answers on the port yet
        template.write_text(with_layer)
        app.reload(frozenset({template}))
        result = app.invoke("Reader", b"{}")
        assert not result.is_error, result.payload
        assert json.loads(result.payload)["parameter"]["Parameter"]["Value"] == "fast"
    finally:
        app.stop()


def test_an_invoke_beside_the_up_serving_the_port_uses_its_extension(
        app: App, tmp_path: Path) -> None:
    notices: list[str] = []
    beside = AppOptions(runtime="process", aws_endpoint_url=app.endpoint_url)
    result = invoke_function(tmp_path / "template.yaml", "Reader", b"{}", beside,
                             log=lambda _fn, _line: None, notice=notices.append)
    assert not result.is_error, result.payload
    assert json.loads(result.payload)["parameter"]["Parameter"]["Value"] == "fast"
    assert notices == []
