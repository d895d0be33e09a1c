"""The local Secrets Manager through boto3: the data plane handlers use, values kept across
a restart, template secrets (given, generated, generated into a JSON template)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from samlite.aws.secretsmanager.service import GeneratedSecret, LocalSecrets
from samlite.http.server import Endpoint

ACCOUNT = "123456789012"
REGION = "eu-west-1"


class Local:
    def __init__(self, db: Path | None) -> None:
        self.secrets = LocalSecrets(db_path=db, account_id=ACCOUNT, region=REGION)
        self.endpoint = Endpoint([self.secrets.route()])
        self.endpoint.start()
        self.client: Any = boto3.client(
            "secretsmanager", endpoint_url=self.endpoint.url, region_name=REGION,
            aws_access_key_id="test", aws_secret_access_key="test")  # noqa: S106

    def stop(self) -> None:
        self.endpoint.stop()
        self.secrets.close()


@pytest.fixture
def local(tmp_path: Path) -> Iterator[Local]:
    running = Local(tmp_path / "parameters.sqlite3")
    try:
        yield running
    finally:
        running.stop()


def test_create_get_put_describe_list(local: Local) -> None:
    created = local.client.create_secret(Name="db/password", SecretString="s3cret",
                                         Description="the db")
    assert created["ARN"].startswith(f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db/")
    assert local.client.get_secret_value(SecretId="db/password")["SecretString"] == "s3cret"
    local.client.put_secret_value(SecretId=created["ARN"], SecretString="next")
    value = local.client.get_secret_value(SecretId="db/password")
    assert value["SecretString"] == "next"
    assert value["VersionStages"] == ["AWSCURRENT"]
    previous = local.client.get_secret_value(SecretId="db/password",
                                             VersionStage="AWSPREVIOUS")
    assert previous["SecretString"] == "s3cret"
    assert local.client.describe_secret(SecretId="db/password")["Description"] == "the db"
    names = [s["Name"] for s in local.client.list_secrets()["SecretList"]]
    assert names == ["db/password"]


def test_missing_secret_is_resource_not_found(local: Local) -> None:
    with pytest.raises(ClientError) as raised:
        local.client.get_secret_value(SecretId="nope")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_secrets_and_versions_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "parameters.sqlite3"
    first = Local(db)
    try:
        created = first.client.create_secret(Name="api-key", SecretString="one")
        put = first.client.put_secret_value(SecretId="api-key", SecretString="two")
    finally:
        first.stop()
    second = Local(db)
    try:
        value = second.client.get_secret_value(SecretId=created["ARN"])
        assert (value["SecretString"], value["VersionId"]) == ("two", put["VersionId"])
        assert second.client.describe_secret(SecretId="api-key")["ARN"] == created["ARN"]
    finally:
        second.stop()


def test_rotation_is_said_to_be_not_run(local: Local) -> None:
    local.client.create_secret(Name="r", SecretString="x")
    with pytest.raises(ClientError, match="does not run RotateSecret locally"):
        local.client.rotate_secret(SecretId="r", RotationLambdaARN="arn:aws:lambda:x")


ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app-Db-AbCdEf"


def test_template_secret_with_a_value_follows_the_template(local: Local) -> None:
    local.secrets.ensure_secret(name="app-Db", arn=ARN, value="v1", generated=None,
                                description=None)
    assert local.client.describe_secret(SecretId=ARN)["Name"] == "app-Db"
    local.secrets.ensure_secret(name="app-Db", arn=ARN, value="v2", generated=None,
                                description=None)
    assert local.client.get_secret_value(SecretId=ARN)["SecretString"] == "v2"


def test_generated_secret_into_a_json_template_is_made_once(local: Local) -> None:
    generated = GeneratedSecret(
        options={"PasswordLength": 20, "ExcludeCharacters": "\"@/\\"},
        template='{"username": "admin"}', key="password")
    local.secrets.ensure_secret(name="app-Db", arn=ARN, value=None, generated=generated,
                                description=None)
    value = json.loads(local.client.get_secret_value(SecretId="app-Db")["SecretString"])
    assert value["username"] == "admin"
    assert len(value["password"]) == 20
    assert not set(value["password"]) & set("\"@/\\")
    local.secrets.ensure_secret(name="app-Db", arn=ARN, value=None, generated=generated,
                                description=None)
    again = json.loads(local.client.get_secret_value(SecretId="app-Db")["SecretString"])
    assert again == value


def test_not_found_is_a_400_as_secrets_manager_answers_it(local: Local) -> None:
    with pytest.raises(ClientError) as raised:
        local.client.describe_secret(SecretId="nope")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_restart_keeps_a_value_put_through_the_api_while_the_template_is_unchanged(
        tmp_path: Path) -> None:
    db = tmp_path / "secrets.sqlite3"
    first = Local(db)
    try:
        first.secrets.ensure_secret(name="app-Db", arn=ARN, value="template", generated=None,
                                    description=None)
        first.client.put_secret_value(SecretId=ARN, SecretString="api")
    finally:
        first.stop()
    second = Local(db)
    try:
        second.secrets.ensure_secret(name="app-Db", arn=ARN, value="template", generated=None,
                                     description=None)
        assert second.client.get_secret_value(SecretId=ARN)["SecretString"] == "api"
        second.secrets.ensure_secret(name="app-Db", arn=ARN, value="edited", generated=None,
                                     description=None)
        assert second.client.get_secret_value(SecretId=ARN)["SecretString"] == "edited"
    finally:
        second.stop()
