"""The local STS through boto3 and the aws cli: the app's account, assumed roles that are
who they say when they ask, and STS's own errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from samlite.aws.sts.route import StsRoute
from samlite.aws.sts.service import LocalSts
from samlite.clock import ManualClock
from samlite.http.server import Endpoint

ACCOUNT = "210987654321"


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    endpoint = Endpoint([StsRoute(LocalSts(account_id=ACCOUNT, clock=ManualClock()))])
    endpoint.start()
    try:
        yield endpoint.url
    finally:
        endpoint.stop()


def sts(url: str, **credentials: str) -> Any:
    credentials = credentials or {"aws_access_key_id": "AKIDLOCAL",
                                  "aws_secret_access_key": "x"}
    return boto3.client("sts", endpoint_url=url, region_name="us-east-1", **credentials)


def test_caller_identity_is_the_apps_account(url: str) -> None:
    identity = sts(url).get_caller_identity()
    assert identity["Account"] == ACCOUNT
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


def test_assumed_role_credentials_are_the_role(url: str) -> None:
    role = sts(url).assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/path/Reader",
                                RoleSessionName="alice", DurationSeconds=900)
    credentials = role["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert credentials["Expiration"].timestamp() == ManualClock().now() + 900
    assert role["AssumedRoleUser"]["Arn"] == \
        f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/alice"
    as_role = sts(url, aws_access_key_id=credentials["AccessKeyId"],
                  aws_secret_access_key=credentials["SecretAccessKey"],
                  aws_session_token=credentials["SessionToken"])
    identity = as_role.get_caller_identity()
    assert identity["Arn"] == role["AssumedRoleUser"]["Arn"]
    assert identity["UserId"] == role["AssumedRoleUser"]["AssumedRoleId"]


def test_session_token(url: str) -> None:
    credentials = sts(url).get_session_token()["Credentials"]
    assert credentials["Expiration"].timestamp() == ManualClock().now() + 43_200


@pytest.mark.parametrize(("case", "arguments", "code"), [
    ("role arn not an iam role", {"RoleArn": "arn:aws:s3:::some-bucket", "RoleSessionName": "ok"},
     "ValidationError"),
    ("duration too long", {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/R",
                           "RoleSessionName": "ok", "DurationSeconds": 50_000},
     "ValidationError"),
])
def test_assume_role_errors_are_sts_errors(url: str, case: str, arguments: dict[str, Any],
                                           code: str) -> None:
    with pytest.raises(ClientError) as raised:
        sts(url).assume_role(**arguments)
    assert raised.value.response["Error"]["Code"] == code


def test_other_actions_are_invalid_action(url: str) -> None:
    with pytest.raises(ClientError) as raised:
        sts(url).decode_authorization_message(EncodedMessage="x")
    assert raised.value.response["Error"]["Code"] == "InvalidAction"


@pytest.mark.skipif(shutil.which("aws") is None, reason="the aws cli is not installed")
def test_aws_cli_get_caller_identity(url: str) -> None:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1"}
    done = subprocess.run(["aws", "sts", "get-caller-identity", "--endpoint-url", url],
                          capture_output=True, text=True, env=env, timeout=60, check=True)
    assert json.loads(done.stdout)["Account"] == ACCOUNT
