"""The composition root: template -> validated graph -> specs -> service + endpoint, against a
fake service (the seam), then end to end with the real LambdaService and real handlers."""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from samlite.app.root import (
    App,
    AppOptions,
    RuntimeChoice,
    choose_runtime,
    debug_runtime,
    invoke_function,
    read_event,
    runtime_notice,
)
from samlite.errors import (
    DockerUnavailable,
    SamliteError,
    TemplateError,
    UnreadableFile,
    UsageError,
)
from samlite.runtime.api_errors import reserved_concurrency_exceeded
from samlite.runtime.spec import FunctionSpec
from tests.runtime.conftest import PYTHON_IMAGE, require_docker
from tests.sources.fakes import FakeService, fake_factory

RUNTIME = "python3.12"
HANDLERS = '''
import json, os

def hello(event, context):
    print("hello from", context.function_name)
    return {"greeting": os.environ.get("GREETING"), "event": event}

def boom(event, context):
    raise ValueError("no " + event.get("what", "thing"))
'''


def write_app(root: Path, *functions: str, extra: str = "") -> Path:
    (root / "src").mkdir(exist_ok=True)
    (root / "src" / "app.py").write_text(HANDLERS, encoding="utf-8")
    resources = "".join(f"""
  {name}:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.{'boom' if 'Boom' in name else 'hello'}
{extra}""" for name in functions)
    template = root / "template.yaml"
    template.write_text(f"""AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting:
    Type: String
    Default: Hello
Globals:
  Function:
    Runtime: {RUNTIME}
    CodeUri: src/
    Environment:
      Variables:
        GREETING: !Ref Greeting
        TABLE: none
Resources:{resources}""", encoding="utf-8")
    return template


def fake_app(template: Path, options: AppOptions | None = None,
             service: FakeService | None = None) -> tuple[App, FakeService]:
    service = service or FakeService()
    app = App(template, options, service_factory=fake_factory(service),
              environments=lambda settings: None)
    return app, service


def test_builds_specs_with_parameters_and_env_vars(tmp_path: Path) -> None:
    template = write_app(tmp_path, "HelloFunction", "GreetFunction")
    options = AppOptions(parameter_overrides={"Greeting": "Howdy"},
                         env_vars={"Parameters": {"TABLE": "dev"},
                                   "GreetFunction": {"GREETING": "Hi", "UNDECLARED": "x"}})
    _, service = fake_app(template, options)
    variables = {spec.logical_id: dict(spec.variables) for spec in service.functions}
    assert variables == {"HelloFunction": {"GREETING": "Howdy", "TABLE": "dev"},
                         "GreetFunction": {"GREETING": "Hi", "TABLE": "dev"}}
    assert service.functions[0].code_dir == (tmp_path / "src").resolve()
    assert service.options["endpoint_url"] is None      # no --aws-port: no endpoint


def test_up_starts_an_environment_of_each_function_ahead_and_one_shot_none(
        tmp_path: Path) -> None:
    template = write_app(tmp_path, "HelloFunction", "GreetFunction")
    up, up_service = fake_app(template, AppOptions(http_port=0))
    with up:
        assert sorted(up_service.prewarmed) == ["GreetFunction", "HelloFunction"]
    one_shot, one_shot_service = fake_app(template)
    with one_shot:
        assert one_shot_service.prewarmed == []


def test_an_invalid_template_is_a_template_error(tmp_path: Path) -> None:
    template = write_app(tmp_path, "HelloFunction")
    template.write_text(template.read_text().replace("CodeUri: src/", "CodeUri: missing/"))
    with pytest.raises(TemplateError, match="missing"):
        fake_app(template)


def test_docker_runtime_without_an_engine_is_docker_unavailable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    template = write_app(tmp_path, "HelloFunction")
    with pytest.raises(DockerUnavailable, match=r"no Docker engine answers at "
                       r"unix:///nonexistent/docker.sock .*or use --runtime process"):
        App(template, AppOptions(runtime="docker"), service_factory=fake_factory(FakeService()))


def test_auto_runs_processes_when_no_engine_answers_and_says_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    template = write_app(tmp_path, "HelloFunction")
    app = App(template, AppOptions(), service_factory=fake_factory(FakeService()))
    assert app.runtime_kind == "process"
    assert runtime_notice(app.runtime_choice) == (
        "Runtime: process (auto: no Docker engine answers at unix:///nonexistent/docker.sock, "
        "so functions run as local processes); --runtime docker runs them in Lambda's images "
        "instead")


def image_function(image: str) -> FunctionSpec:
    return FunctionSpec(logical_id="Fn", function_name="Fn", handler="", runtime="",
                        code_dir=Path("/nowhere"), package_type="Image", image_uri=image)


def test_auto_runs_processes_when_an_image_is_not_here() -> None:
    require_docker()
    choice = choose_runtime("auto", [image_function("samlite-test/absent:0")])
    assert choice == RuntimeChoice(
        kind="process", reason="auto: the image samlite-test/absent:0 is not on this machine "
                               "(`docker pull samlite-test/absent:0`), so functions run as "
                               "local processes")


def test_auto_runs_docker_when_the_engine_and_every_image_are_here() -> None:
    require_docker()
    choice = choose_runtime("auto", [image_function(PYTHON_IMAGE)])
    assert runtime_notice(choice) == ("Runtime: docker (auto: the Docker engine answers and "
                                      "every function's image is here); --runtime process runs "
                                      "them as local processes instead")


def test_explicit_runtimes_are_taken_as_said() -> None:
    assert choose_runtime("process", []) == RuntimeChoice(kind="process",
                                                          reason="--runtime process")
    assert runtime_notice(choose_runtime("process", [])) == (
        "Runtime: process (--runtime process); --runtime docker runs them in Lambda's images, "
        "--runtime auto in Docker when the engine answers and every image is here")
    with pytest.raises(UsageError, match="--runtime must be one of auto, process, docker"):
        choose_runtime("podman", [])


def test_under_debug_auto_runs_processes_and_docker_is_taken_as_said() -> None:
    notice = runtime_notice(debug_runtime(AppOptions(debug_functions=("Fn",))))
    assert notice == ("Runtime: process (--debug: debugged functions run as local processes); "
                      "--runtime docker runs them in Lambda's images, debuggers included")
    assert debug_runtime(AppOptions(debug_functions=("Fn",), runtime="docker")) is None


@pytest.mark.parametrize(("case", "functions", "name", "expected"), [
    ("only function needs no name", ("HelloFunction",), None, "HelloFunction"),
    ("by logical id", ("HelloFunction", "GreetFunction"), "GreetFunction", "GreetFunction"),
])
def test_choosing_a_function(tmp_path: Path, case: str, functions: tuple[str, ...],
                             name: str | None, expected: str) -> None:
    app, _ = fake_app(write_app(tmp_path, *functions))
    assert app.function(name).logical_id == expected


@pytest.mark.parametrize(("case", "name", "expected"), [
    ("several and no name", None, r"has 2 functions; name the one to invoke "
                                  r"\(GreetFunction, HelloFunction\)"),
    ("unknown name", "Nope", r"has no function 'Nope' \(functions: GreetFunction, HelloFunction\)"),
])
def test_choosing_a_function_fails_clearly(tmp_path: Path, case: str, name: str | None,
                                           expected: str) -> None:
    app, _ = fake_app(write_app(tmp_path, "HelloFunction", "GreetFunction"))
    with pytest.raises(UsageError, match=expected):
        app.function(name)


def test_start_serves_the_invoke_api_and_stop_ends_it(tmp_path: Path) -> None:
    app, service = fake_app(write_app(tmp_path, "HelloFunction"), AppOptions(aws_port=0))
    url = app.endpoint_url
    assert url is not None and url.startswith("http://127.0.0.1:")
    assert service.options["endpoint_url"] == url
    with app:
        assert service.started
        reply = lambda_client(url).invoke(FunctionName="HelloFunction", Payload=b'{"n": 1}')
        assert json.loads(reply["Payload"].read()) == {"echo": {"n": 1}}
    assert service.stopped
    port = int(url.rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_a_busy_port_fails_before_anything_starts(tmp_path: Path) -> None:
    template = write_app(tmp_path, "HelloFunction")
    first, _ = fake_app(template, AppOptions(aws_port=0))
    port = int(str(first.endpoint_url).rsplit(":", 1)[1])
    with pytest.raises(UsageError, match=rf"port {port} .* already in use.*--aws-port"):
        fake_app(template, AppOptions(aws_port=port))
    first.close()


def test_a_failed_call_is_a_samlite_error(tmp_path: Path) -> None:
    service = FakeService(raises=reserved_concurrency_exceeded())
    app, _ = fake_app(write_app(tmp_path, "HelloFunction"), service=service)
    with app, pytest.raises(SamliteError, match=r"HelloFunction: TooManyRequestsException: "
                                                r"Rate Exceeded\. \(Reserved"):
        app.invoke(None, b"{}")


@pytest.mark.parametrize(("case", "source", "stdin", "expected"), [
    ("no event is an empty object", None, b"", b"{}"),
    ("dash reads stdin", "-", b'{"a": 1}', b'{"a": 1}'),
    ("empty stdin is an empty object", "-", b"", b"{}"),
])
def test_read_event(case: str, source: str | None, stdin: bytes, expected: bytes) -> None:
    assert read_event(source, stdin=io.BytesIO(stdin)) == expected


def test_read_event_file_and_its_errors(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text('{"k": "v"}')
    bad.write_text('{\n  "k": v\n}')
    assert read_event(str(good), stdin=io.BytesIO()) == b'{"k": "v"}'
    with pytest.raises(UsageError, match=r"bad\.json:2:8: not valid JSON"):
        read_event(str(bad), stdin=io.BytesIO())
    with pytest.raises(UnreadableFile, match=r"nope\.json: no such event file"):
        read_event(str(tmp_path / "nope.json"), stdin=io.BytesIO())


def lambda_client(url: str) -> object:
    return boto3.client("lambda", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="samlite", aws_secret_access_key="samlite",  # noqa: S106
                        config=Config(retries={"total_max_attempts": 1}, read_timeout=30))


# End to end: the real LambdaService running real Python handlers in child processes.

def test_invoke_function_runs_a_real_handler(tmp_path: Path) -> None:
    template = write_app(tmp_path, "HelloFunction")
    lines: list[tuple[str, str]] = []
    result = invoke_function(template, None, b'{"x": 1}',
                             AppOptions(env_vars={"HelloFunction": {"GREETING": "Hi"}}),
                             log=lambda fn, line: lines.append((fn, line)))
    assert json.loads(result.payload) == {"greeting": "Hi", "event": {"x": 1}}
    assert not result.is_error
    text = "\n".join(line for _, line in lines)
    assert "hello from HelloFunction" in text
    assert text.startswith("START RequestId:") and "REPORT RequestId:" in text
    assert {fn for fn, _ in lines} == {"HelloFunction"}


def test_start_lambda_end_to_end_with_boto3(tmp_path: Path) -> None:
    template = write_app(tmp_path, "HelloFunction", "BoomFunction")
    with App(template, AppOptions(aws_port=0)) as app:
        client = lambda_client(str(app.endpoint_url))
        ok = client.invoke(FunctionName="HelloFunction", Payload=b'{"a": 1}',  # type: ignore[attr-defined]
                           LogType="Tail")
        failed = client.invoke(FunctionName="BoomFunction", Payload=b'{"what": "luck"}')  # type: ignore[attr-defined]
        with pytest.raises(client.exceptions.ResourceNotFoundException):  # type: ignore[attr-defined]
            client.invoke(FunctionName="Missing")  # type: ignore[attr-defined]
    assert json.loads(ok["Payload"].read())["event"] == {"a": 1}
    import base64
    assert b"hello from HelloFunction" in base64.b64decode(ok["LogResult"])
    assert failed["FunctionError"] == "Unhandled"
    error = json.loads(failed["Payload"].read())
    assert (error["errorType"], error["errorMessage"]) == ("ValueError", "no luck")


def test_up_serves_a_function_whose_init_calls_the_endpoint_from_the_first_invoke(
        tmp_path: Path) -> None:
    # up starts functions while it is still being built, before its endpoint serves: an
    # init that calls the endpoint then waits for it instead of failing.
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "import json, os, urllib.request\n"
        "with urllib.request.urlopen(os.environ['AWS_ENDPOINT_URL'] + '/_samlite/ping',"
        " timeout=20) as reply:\n"
        "    AT_INIT = json.loads(reply.read())['samlite'] != ''\n"
        "def hello(event, context):\n    return {'endpointAnsweredInit': AT_INIT}\n",
        encoding="utf-8")
    template = tmp_path / "template.yaml"
    template.write_text(f"""Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties: {{Runtime: {RUNTIME}, CodeUri: src/, Handler: app.hello}}
""", encoding="utf-8")
    options = AppOptions(runtime="process", http_port=0, aws_port=0,
                         state_dir=tmp_path / ".samlite")
    with App(template, options) as app:
        result = app.invoke("Hello", b"{}")
    assert json.loads(result.payload) == {"endpointAnsweredInit": True}
