"""JWT (HTTP API) and Cognito user pool (REST) authorizers end to end: a real app, a local
OpenID provider on 127.0.0.1 port 0 and a real HTTP client. Answers as API Gateway gives them
("Control access to HTTP APIs with JWT authorizers", "Troubleshooting issues with HTTP API
JWT authorizers", "Control access to REST APIs using Amazon Cognito user pools")."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from samlite.cli.summary import startup_lines
from samlite.testing import RunningApp
from tests.sources.gateway.oidc_provider import Provider, new_key, oidc_provider

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {{Runtime: python3.12, Handler: index.handler}}
Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Oidc
        Authorizers:
          Oidc:
            IdentitySource: $request.header.Authorization
            JwtConfiguration: {{issuer: "{issuer}", audience: [api]}}
          Elsewhere:
            IdentitySource: $request.header.Authorization
            JwtConfiguration: {{issuer: "{issuer}/nowhere", audience: [api]}}
  Pool:
    Type: AWS::Cognito::UserPool
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Auth:
        DefaultAuthorizer: Users
        Authorizers:
          Users: {{UserPoolArn: !GetAtt Pool.Arn}}
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        import json
        def handler(event, context):
            return {{"statusCode": 200,
                    "body": json.dumps(event["requestContext"].get("authorizer"))}}
      Events:
        Jwt:
          Type: HttpApi
          Properties: {{ApiId: !Ref Http, Path: /jwt, Method: get}}
        Scoped:
          Type: HttpApi
          Properties: {{ApiId: !Ref Http, Path: /scoped, Method: get,
                       Auth: {{AuthorizationScopes: [orders/write]}}}}
        Old:
          Type: HttpApi
          Properties: {{ApiId: !Ref Http, Path: /v1, Method: get, PayloadFormatVersion: "1.0"}}
        Unverified:
          Type: HttpApi
          Properties: {{ApiId: !Ref Http, Path: /unverified, Method: get,
                       Auth: {{Authorizer: Elsewhere}}}}
        Cognito:
          Type: Api
          Properties: {{RestApiId: !Ref Rest, Path: /cognito, Method: get}}
        CognitoScoped:
          Type: Api
          Properties: {{RestApiId: !Ref Rest, Path: /cognito-scoped, Method: get,
                       Auth: {{AuthorizationScopes: [orders/read]}}}}
"""


# Cognito's token_use claim ("id" tokens carry aud, "access" ones client_id and scope)
ID_TOKEN = {"token_use": "id"}
ACCESS_TOKEN = {"token_use": "access"}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with oidc_provider() as found:
        yield found


@pytest.fixture
def app(tmp_path: Path, provider: Provider,
        samlite_app_factory: Callable[..., RunningApp]) -> RunningApp:
    (tmp_path / "template.yaml").write_text(TEMPLATE.format(issuer=provider.issuer))
    return samlite_app_factory(tmp_path / "template.yaml", aws_port=None, http_port=0)


def get(app: RunningApp, path: str, token: str | None = None) -> Answer:
    where = urlsplit(app.url)
    assert where.hostname == "127.0.0.1"
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"}
                           if token else {})
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                      response.read())
    finally:
        connection.close()


def pool_issuer(app: RunningApp) -> str:
    rest = next(a for a in app.app.graph.apis if a.logical_id == "Rest")
    return rest.jwt_authorizers[0].issuers[0]


def test_a_valid_token_reaches_the_handler_with_its_claims(app: RunningApp,
                                                           provider: Provider) -> None:
    response = get(app, "/jwt", provider.token(aud="api", sub="ada", scope="orders/read"))
    assert response.status == 200
    seen = response.json()["jwt"]
    assert (seen["claims"]["sub"], seen["scopes"]) == ("ada", ["orders/read"])


def test_payload_1_0_has_claims_and_scopes_at_the_top(app: RunningApp,
                                                      provider: Provider) -> None:
    seen = get(app, "/v1", provider.token(aud="api", sub="ada")).json()
    assert (seen["claims"]["sub"], seen["scopes"]) == ("ada", None)


def test_no_token_is_401_with_a_bare_bearer_challenge(app: RunningApp) -> None:
    response = get(app, "/jwt")
    assert (response.status, response.content) == (401, b'{"message":"Unauthorized"}')
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("claims", "description"), [
    ({"aud": "other"}, "the token does not have a valid audience"),
    ({"aud": "api", "exp": 1}, "the token has expired"),
], ids=["audience", "expired"])
def test_invalid_tokens_are_401_saying_why(app: RunningApp, provider: Provider,
                                           claims: dict[str, Any], description: str) -> None:
    response = get(app, "/jwt", provider.token(**claims))
    assert (response.status, response.content) == (401, b'{"message":"Unauthorized"}')
    assert response.headers["www-authenticate"] == (
        f'Bearer scope="" error="invalid_token" error_description="{description}"')


def test_a_token_signed_by_another_key_is_refused(app: RunningApp, provider: Provider) -> None:
    response = get(app, "/jwt", provider.token(aud="api", key=new_key()))
    assert response.status == 401
    assert "valid signature" in response.headers["www-authenticate"]


def test_a_route_scope_missing_from_the_token_is_403(app: RunningApp,
                                                     provider: Provider) -> None:
    denied = get(app, "/scoped", provider.token(aud="api", scope="orders/read"))
    assert (denied.status, denied.content) == (403, b'{"message":"Forbidden"}')
    allowed = get(app, "/scoped", provider.token(aud="api", scope="orders/read orders/write"))
    assert allowed.status == 200


def test_an_issuer_without_keys_checks_claims_only_and_says_so(app: RunningApp,
                                                               provider: Provider) -> None:
    issuer = f"{provider.issuer}/nowhere"
    forged = Provider(issuer, new_key()).token(aud="api")
    assert get(app, "/unverified", forged).status == 200
    assert get(app, "/unverified", Provider(issuer, new_key()).token(aud="x")).status == 401
    assert app.app.gateway is not None
    notes = app.app.gateway.authorizer_notes
    assert any(f"issuer {issuer}): signatures are not verified" in n for n in notes)
    assert any(f"issuer {provider.issuer}): signatures verified" in n for n in notes)


def test_cognito_id_token_gives_string_claims(app: RunningApp) -> None:
    issuer = pool_issuer(app)
    assert issuer.startswith("https://cognito-idp.us-east-1.amazonaws.com/")
    token = Provider(issuer, new_key()).token(**ID_TOKEN, aud="client",
                                              email_verified=True, sub="ada")
    response = get(app, "/cognito", token)
    assert response.status == 200
    claims = response.json()["claims"]
    assert (claims["sub"], claims["email_verified"]) == ("ada", "true")
    assert claims["exp"].endswith(" UTC " + claims["exp"][-4:])   # "Mon Jun 15 05:56:21 UTC 2026"


def test_cognito_refusals_are_rest_401s(app: RunningApp, provider: Provider) -> None:
    issuer = pool_issuer(app)
    pool = Provider(issuer, new_key())
    for path, token in [("/cognito", None),
                        ("/cognito", provider.token(**ID_TOKEN)),           # other issuer
                        ("/cognito", pool.token(**ID_TOKEN, exp=1)),
                        ("/cognito", pool.token(**ACCESS_TOKEN, scope="orders/read")),
                        ("/cognito-scoped", pool.token(**ACCESS_TOKEN, scope="x"))]:
        response = get(app, path, token)
        assert (response.status, response.content) == (401, b'{"message":"Unauthorized"}'), \
            (path, token)
        assert response.headers["x-amzn-errortype"] == "UnauthorizedException"
    scoped = get(app, "/cognito-scoped", pool.token(**ACCESS_TOKEN, scope="orders/read"))
    assert scoped.status == 200


def test_startup_names_the_cognito_pool_as_unverified(app: RunningApp) -> None:
    gateway = app.app.gateway
    assert gateway is not None
    assert gateway.skipped_authorizers == []
    # what `samlite up` prints
    lines = startup_lines(app.app.graph, [], runtime_kind="process", route_lines=[],
                          function_urls={}, authorizer_notes=gateway.authorizer_notes,
                          skipped_authorizers=gateway.skipped_authorizers)
    assert "Authorizers not run (the routes serve without them)" not in lines
    section = lines[lines.index("Authorizers checked by the gateway") + 1:]
    assert f"  Rest Users (Cognito user pool, issuer {pool_issuer(app)}): signatures are not " \
           "verified (a local user pool has no signing keys); issuer, token use, expiry and " \
           "scopes are checked" in section
