"""The local Parameter Store through boto3: String, StringList and SecureString parameters,
paths, versions and labels, values kept across a restart; SSM's other parts are said to be
not run locally."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from samlite.aws.ssm.service import LocalParameters
from samlite.http.server import Endpoint

ACCOUNT = "123456789012"
REGION = "us-east-1"


class Local:
    def __init__(self, db: Path | None) -> None:
        self.parameters = LocalParameters(db_path=db, account_id=ACCOUNT, region=REGION)
        self.endpoint = Endpoint([self.parameters.route()])
        self.endpoint.start()
        self.client: Any = boto3.client(
            "ssm", endpoint_url=self.endpoint.url, region_name=REGION,
            aws_access_key_id="test", aws_secret_access_key="test")  # noqa: S106

    def stop(self) -> None:
        self.endpoint.stop()
        self.parameters.close()


@pytest.fixture
def local(tmp_path: Path) -> Iterator[Local]:
    running = Local(tmp_path / "parameters.sqlite3")
    try:
        yield running
    finally:
        running.stop()


def test_put_get_versions_and_overwrite(local: Local) -> None:
    assert local.client.put_parameter(Name="/app/url", Value="a", Type="String")["Version"] == 1
    with pytest.raises(ClientError) as raised:
        local.client.put_parameter(Name="/app/url", Value="b", Type="String")
    assert raised.value.response["Error"]["Code"] == "ParameterAlreadyExists"
    local.client.put_parameter(Name="/app/url", Value="b", Type="String", Overwrite=True)
    parameter = local.client.get_parameter(Name="/app/url")["Parameter"]
    assert (parameter["Value"], parameter["Version"]) == ("b", 2)
    assert parameter["ARN"] == f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/url"
    assert local.client.get_parameter(Name="/app/url:1")["Parameter"]["Value"] == "a"


def test_get_parameters_and_by_path(local: Local) -> None:
    local.client.put_parameter(Name="/app/db/host", Value="h", Type="String")
    local.client.put_parameter(Name="/app/db/ports", Value="1,2", Type="StringList")
    local.client.put_parameter(Name="/app/key", Value="k", Type="SecureString")
    found = local.client.get_parameters(Names=["/app/key", "/nope"], WithDecryption=True)
    assert [p["Value"] for p in found["Parameters"]] == ["k"]
    assert found["InvalidParameters"] == ["/nope"]
    shallow = local.client.get_parameters_by_path(Path="/app")["Parameters"]
    assert [p["Name"] for p in shallow] == ["/app/key"]
    deep = local.client.get_parameters_by_path(Path="/app", Recursive=True,
                                               WithDecryption=True)["Parameters"]
    assert sorted((p["Name"], p["Type"], p["Value"]) for p in deep) == [
        ("/app/db/host", "String", "h"), ("/app/db/ports", "StringList", "1,2"),
        ("/app/key", "SecureString", "k")]


def test_delete_parameter(local: Local) -> None:
    local.client.put_parameter(Name="gone", Value="x", Type="String")
    local.client.delete_parameter(Name="gone")
    with pytest.raises(ClientError) as raised:
        local.client.get_parameter(Name="gone")
    assert raised.value.response["Error"]["Code"] == "ParameterNotFound"


def test_parameters_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "parameters.sqlite3"
    first = Local(db)
    try:
        first.client.put_parameter(Name="/a", Value="1", Type="String")
        first.client.put_parameter(Name="/a", Value="2", Type="String", Overwrite=True)
        first.client.label_parameter_version(Name="/a", ParameterVersion=1, Labels=["old"])
        first.client.put_parameter(Name="/b", Value="x", Type="String")
        first.client.delete_parameter(Name="/b")
    finally:
        first.stop()
    second = Local(db)
    try:
        assert second.client.get_parameter(Name="/a")["Parameter"]["Version"] == 2
        assert second.client.get_parameter(Name="/a:old")["Parameter"]["Value"] == "1"
        assert second.client.get_parameters(Names=["/b"])["InvalidParameters"] == ["/b"]
    finally:
        second.stop()


def test_template_parameter_follows_the_template(local: Local) -> None:
    local.parameters.ensure_parameter(name="/t", value="one", type_="String")
    local.parameters.ensure_parameter(name="/t", value="one", type_="String")
    assert local.client.get_parameter(Name="/t")["Parameter"]["Version"] == 1
    local.parameters.ensure_parameter(name="/t", value="two", type_="String")
    assert local.client.get_parameter(Name="/t")["Parameter"]["Value"] == "two"


def test_other_ssm_actions_are_not_run_locally(local: Local) -> None:
    with pytest.raises(ClientError) as raised:
        local.client.list_documents()
    assert raised.value.response["Error"]["Code"] == "NotImplemented"
    assert "AWS_ENDPOINT_URL_SSM" in raised.value.response["Error"]["Message"]


def test_a_restart_keeps_a_value_put_through_the_api_while_the_template_is_unchanged(
        tmp_path: Path) -> None:
    # docs/aws.md: the template's value is put as a new version only when it changes.
    db = tmp_path / "parameters.sqlite3"
    first = Local(db)
    try:
        first.parameters.ensure_parameter(name="/t", value="template", type_="String")
        first.client.put_parameter(Name="/t", Value="api", Type="String", Overwrite=True)
    finally:
        first.stop()
    second = Local(db)
    try:
        second.parameters.ensure_parameter(name="/t", value="template", type_="String")
        parameter = second.client.get_parameter(Name="/t")["Parameter"]
        assert (parameter["Value"], parameter["Version"]) == ("api", 2)
        second.parameters.ensure_parameter(name="/t", value="edited", type_="String")
        parameter = second.client.get_parameter(Name="/t")["Parameter"]
        assert (parameter["Value"], parameter["Version"]) == ("edited", 3)
    finally:
        second.stop()
