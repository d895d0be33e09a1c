"""AWS_IAM authorization end to end: requests signed with botocore's SigV4 signer (as the SDKs
sign them) through a real HTTP client. Answers as API Gateway gives them ("Control access to
a REST API with IAM permissions", gateway responses MISSING_AUTHENTICATION_TOKEN and
INVALID_SIGNATURE; "Control access to HTTP APIs with IAM authorization")."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from samlite.testing import RunningApp

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.12, Handler: index.handler}
Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Auth: {DefaultAuthorizer: AWS_IAM}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth: {EnableIamAuthorizer: true, DefaultAuthorizer: AWS_IAM}
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        import json
        def handler(event, context):
            ctx = event["requestContext"]
            return {"statusCode": 200, "body": json.dumps(
                {"identity": ctx.get("identity"), "authorizer": ctx.get("authorizer")})}
      Events:
        Rest:
          Type: Api
          Properties: {RestApiId: !Ref Rest, Path: /rest, Method: post}
        Http:
          Type: HttpApi
          Properties: {ApiId: !Ref Http, Path: /http, Method: post}
"""
SAMLITE_KEYS = Credentials("samlite", "samlite")   # what samlite hands its functions
MISSING = b'{"message":"Missing Authentication Token"}'


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


@pytest.fixture
def app(tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> RunningApp:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return samlite_app_factory(tmp_path / "template.yaml", aws_port=None, http_port=0)


def send(app: RunningApp, path: str, *, credentials: Credentials | None = SAMLITE_KEYS,
         service: str = "execute-api", presign: bool = False) -> Answer:
    where = urlsplit(app.url)
    assert where.hostname == "127.0.0.1"
    url = f"{app.url}{path}"
    body = b'{"hello": "world"}'
    request = AWSRequest(method="POST", url=url, data=body,
                         headers={"Content-Type": "application/json"})
    if credentials is not None:
        signer = SigV4QueryAuth(credentials, service, "us-east-1", expires=300) if presign \
            else SigV4Auth(credentials, service, "us-east-1")
        signer.add_auth(request)
    prepared = request.prepare()
    target = urlsplit(prepared.url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    try:
        connection.request("POST", target.path + (f"?{target.query}" if target.query else ""),
                           body=body, headers=dict(prepared.headers))
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                      response.read())
    finally:
        connection.close()


def test_unsigned_rest_request_is_missing_authentication_token(app: RunningApp) -> None:
    response = send(app, "/rest", credentials=None)
    assert (response.status, response.content) == (403, MISSING)
    assert response.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"


def test_signed_rest_request_reaches_the_handler_with_its_identity(app: RunningApp) -> None:
    response = send(app, "/rest")
    assert response.status == 200
    identity = response.json()["identity"]
    assert (identity["accessKey"], identity["accountId"]) == ("samlite", "123456789012")
    assert identity["userArn"] == "arn:aws:iam::123456789012:user/samlite"


def test_presigned_url_is_accepted(app: RunningApp) -> None:
    assert send(app, "/rest", presign=True).status == 200


def test_a_wrong_secret_for_samlites_key_is_an_invalid_signature(app: RunningApp) -> None:
    response = send(app, "/rest", credentials=Credentials("samlite", "wrong"))
    assert response.status == 403
    assert response.json()["message"].startswith(
        "The request signature we calculated does not match the signature you provided.")
    assert response.headers["x-amzn-errortype"] == "InvalidSignatureException"


def test_a_signature_for_another_service_is_refused(app: RunningApp) -> None:
    response = send(app, "/rest", service="s3")
    assert response.status == 403
    assert "execute-api" in response.json()["message"]


def test_other_keys_are_accepted_unverified_and_said_so(app: RunningApp) -> None:
    assert send(app, "/rest", credentials=Credentials("AKIAOTHER", "x")).status == 200
    assert app.app.gateway is not None
    assert app.app.gateway.skipped_authorizers == []
    [note] = app.app.gateway.authorizer_notes
    assert "POST /rest" in note and "POST /http" in note
    assert "other key (e.g. test/test) is accepted unverified" in note
    # The note names the credentials whose signatures it verifies, so a user can sign with them.
    assert "access key id 'samlite' with secret 'samlite'" in note


def test_http_api_unsigned_is_forbidden_and_signed_carries_iam(app: RunningApp) -> None:
    refused = send(app, "/http", credentials=None)
    assert (refused.status, refused.content) == (403, b'{"message":"Forbidden"}')
    allowed = send(app, "/http")
    assert allowed.status == 200
    iam = allowed.json()["authorizer"]["iam"]
    assert (iam["accessKey"], iam["accountId"], iam["userId"]) == (
        "samlite", "123456789012", "samlite")
