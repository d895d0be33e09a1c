"""Versions and aliases end to end: a real app running a real Python handler, called through
the local AWS endpoint with boto3, as a deployed function would be."""

from __future__ import annotations

import json
import queue
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from samlite.app.root import App, AppOptions, invoke_function
from samlite.errors import SamliteError

HANDLER = '''
import os

def handler(event, context):
    print("invoked as", context.invoked_function_arn, flush=True)
    return {"arn": context.invoked_function_arn, "code": "CODE",
            "env_version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"],
            "context_version": context.function_version}
'''

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: orders
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      AutoPublishAlias: live
      ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 1}
      Events:
        Work:
          Type: SQS
          Properties: {Queue: !GetAtt Jobs.Arn}
"""
ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders"


def write_project(root: Path, code: str = "first") -> Path:
    (root / "src").mkdir(exist_ok=True)
    (root / "src" / "app.py").write_text(HANDLER.replace("CODE", code), encoding="utf-8")
    (root / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    return root / "template.yaml"


def client(app: App, service: str = "lambda") -> object:
    return boto3.client(service, endpoint_url=str(app.endpoint_url), region_name="us-east-1",
                        aws_access_key_id="samlite", aws_secret_access_key="samlite",  # noqa: S106
                        config=Config(retries={"total_max_attempts": 1}, read_timeout=30))


class Running:
    def __init__(self, template: Path) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.app = App(template, AppOptions(aws_port=0, state_dir=template.parent / ".samlite"),
                       log=lambda _fn, line: self.lines.put(line))
        self.app.start()
        self.aws: object = client(self.app)

    def invoke(self, **qualifier: str) -> dict[str, object]:
        response = self.aws.invoke(FunctionName="orders", **qualifier)  # type: ignore[attr-defined]
        body = json.loads(response["Payload"].read())
        return {**body, "executed": response["ExecutedVersion"]}

    def forget_lines(self) -> None:
        while not self.lines.empty():
            self.lines.get_nowait()

    def line_with(self, text: str, *, wait_s: float = 20.0) -> str:
        """The first log line containing `text`, waiting for it (bounded)."""
        while True:
            line = self.lines.get(timeout=wait_s)
            if text in line:
                return line


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    app = Running(write_project(tmp_path_factory.mktemp("versions")))
    yield app
    app.app.stop(grace_s=0.5)


@pytest.mark.parametrize(("case", "qualifier", "arn", "version"), [
    ("unqualified", {}, ARN, "$LATEST"),
    ("$LATEST", {"Qualifier": "$LATEST"}, f"{ARN}:$LATEST", "$LATEST"),
    ("version number", {"Qualifier": "1"}, f"{ARN}:1", "1"),
    ("alias", {"Qualifier": "live"}, f"{ARN}:live", "1"),
])
def test_boto3_invoke_with_each_qualifier_kind(running: Running, case: str,
                                               qualifier: dict[str, str], arn: str,
                                               version: str) -> None:
    assert running.invoke(**qualifier) == {
        "arn": arn, "code": "first", "env_version": version, "context_version": version,
        "executed": version}


def test_an_unknown_qualifier_is_resource_not_found(running: Running) -> None:
    with pytest.raises(ClientError) as raised:
        running.invoke(Qualifier="staging")
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "ResourceNotFoundException", f"Function not found: {ARN}:staging")


def test_versions_and_aliases_are_listed_as_lambda_lists_them(running: Running) -> None:
    aws = running.aws
    versions = aws.list_versions_by_function(FunctionName="orders")["Versions"]  # type: ignore[attr-defined]
    assert [(v["Version"], v["FunctionArn"]) for v in versions] == [
        ("$LATEST", f"{ARN}:$LATEST"), ("1", f"{ARN}:1")]
    [alias] = aws.list_aliases(FunctionName="orders")["Aliases"]  # type: ignore[attr-defined]
    assert (alias["Name"], alias["AliasArn"], alias["FunctionVersion"]) == (
        "live", f"{ARN}:live", "1")
    assert aws.get_alias(FunctionName="orders", Name="live")["FunctionVersion"] == "1"  # type: ignore[attr-defined]
    config = aws.get_function_configuration(FunctionName="orders", Qualifier="live")  # type: ignore[attr-defined]
    assert config["Version"] == "1"
    with pytest.raises(ClientError, match=f"Cannot find alias arn: {ARN}:beta"):
        aws.get_alias(FunctionName="orders", Name="beta")  # type: ignore[attr-defined]


def test_an_event_source_invokes_the_alias(running: Running) -> None:
    sqs = client(running.app, "sqs")
    url = sqs.list_queues()["QueueUrls"][0]  # type: ignore[attr-defined]
    running.forget_lines()
    sqs.send_message(QueueUrl=url, MessageBody="work")  # type: ignore[attr-defined]
    assert running.line_with("invoked as").endswith(f"invoked as {ARN}:live")


def test_provisioned_concurrency_warms_the_alias_version(tmp_path: Path) -> None:
    project = Running(write_project(tmp_path))
    try:
        project.invoke(Qualifier="live")
        warm = project.line_with("REPORT RequestId")
        project.invoke()
        cold = project.line_with("REPORT RequestId")
    finally:
        project.app.stop(grace_s=0.5)
    assert "Init Duration" not in warm      # the alias's version 1 was started ahead
    assert "Init Duration" in cold          # $LATEST has environments of its own


def test_a_reload_publishes_version_2_and_version_1_is_not_kept(tmp_path: Path) -> None:
    project = Running(write_project(tmp_path))
    try:
        write_project(tmp_path, code="second")
        assert project.app.reload(frozenset({tmp_path / "src" / "app.py"})) is not None
        after = project.invoke(Qualifier="live")
        listed = project.aws.list_versions_by_function(FunctionName="orders")["Versions"]  # type: ignore[attr-defined]
        with pytest.raises(ClientError) as raised:
            project.invoke(Qualifier="1")
    finally:
        project.app.stop(grace_s=0.5)
    assert (after["arn"], after["code"], after["executed"]) == (f"{ARN}:live", "second", "2")
    assert [v["Version"] for v in listed] == ["$LATEST", "2"]
    error = raised.value.response["Error"]
    assert error["Code"] == "NotImplemented"
    assert error["Message"].startswith(f"{ARN}:1 is not kept locally: samlite runs only the "
                                       "newest version (2)")


def test_samlite_invoke_takes_a_qualifier(tmp_path: Path) -> None:
    result = invoke_function(write_project(tmp_path), "Orders", b"{}", AppOptions(),
                             log=lambda _fn, _line: None, qualifier="live")
    assert json.loads(result.payload)["arn"] == f"{ARN}:live"
    assert result.executed_version == "1"


def test_samlite_invoke_beside_a_running_up_means_the_versions_up_published(
        tmp_path: Path) -> None:
    project = Running(write_project(tmp_path))
    try:
        for code in ("second", "third"):   # two saves: up publishes versions 2 and 3
            write_project(tmp_path, code=code)
            project.app.reload(frozenset({tmp_path / "src" / "app.py"}))
        options = AppOptions(aws_endpoint_url=project.app.endpoint_url)

        def invoke(qualifier: str) -> tuple[str, str | None]:
            result = invoke_function(tmp_path / "template.yaml", "Orders", b"{}", options,
                                     log=lambda _fn, _line: None, qualifier=qualifier,
                                     versions_from=project.app.endpoint_url)
            return json.loads(result.payload)["arn"], result.executed_version

        by_number, by_alias = invoke("3"), invoke("live")
        with pytest.raises(SamliteError) as older:
            invoke("1")
    finally:
        project.app.stop(grace_s=0.5)
    assert by_number == (f"{ARN}:3", "3")
    assert by_alias == (f"{ARN}:live", "3")
    assert str(older.value).startswith(f"Orders: NotImplemented: {ARN}:1 is not kept locally")


def test_a_save_publishes_a_version_only_when_the_code_changed(tmp_path: Path) -> None:
    project = Running(write_project(tmp_path))
    saved = tmp_path / "src" / "app.py"
    try:
        project.app.watch(on_reload=lambda _line: None)
        write_project(tmp_path)                   # the same bytes again, as an editor saves
        same = project.app.reload(frozenset({saved}))
        write_project(tmp_path, code="second")
        changed = project.app.reload(frozenset({saved}))
        listed = project.aws.list_versions_by_function(FunctionName="orders")["Versions"]  # type: ignore[attr-defined]
    finally:
        project.app.stop(grace_s=0.5)
    assert same is None
    assert changed == "Orders: src/app.py changed\nOrders: published version 2; alias live -> 2"
    assert [v["Version"] for v in listed] == ["$LATEST", "2"]
