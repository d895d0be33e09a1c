"""An issuer whose JWKS is down when the gateway starts is asked again when its tokens
arrive: until then each token let through unverified is logged; once its keys are known,
signatures are checked. Through the gateway on port 0 with a real HTTP client."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from samlite.clock import ManualClock
from samlite.sources.gateway.jwt_keys import REFETCH_INTERVAL_S
from samlite.sources.gateway.server import HttpGateway
from tests.sources.gateway.oidc_provider import Provider, new_key, oidc_provider
from tests.sources.gateway.test_server import Scripted, call, graph_of

TEMPLATE = """
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Oidc
        Authorizers:
          Oidc:
            IdentitySource: $request.header.Authorization
            JwtConfiguration: {{issuer: "{issuer}", audience: [api]}}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      CodeUri: src
      Events:
        Get:
          Type: HttpApi
          Properties: {{ApiId: !Ref Api, Path: /me, Method: get}}
"""


@pytest.fixture
def down_at_start() -> Iterator[tuple[Provider, HttpGateway, ManualClock, list[str]]]:
    lines: list[str] = []
    # The tokens' iat/exp are real time: a minute on, a token made later is not from the
    # future, and an hour's expiry is far off.
    clock = ManualClock(start=time.time() + 60)
    with oidc_provider() as provider:
        provider.is_up = False
        gateway = HttpGateway(graph_of(TEMPLATE.format(issuer=provider.issuer)), Scripted(),
                              port=0, clock=clock, log=lambda _fn, line: lines.append(line))
        with gateway:
            [note] = gateway.authorizer_notes     # startup asks the issuer, which is down
            assert "signatures are not verified yet" in note
            yield provider, gateway, clock, lines


def status(gateway: HttpGateway, token: str) -> int:
    return call(gateway.url, path="/me", headers={"Authorization": f"Bearer {token}"})[0]


def test_a_forged_token_passes_unverified_and_is_logged_while_the_issuer_is_down(
        down_at_start: tuple[Provider, HttpGateway, ManualClock, list[str]]) -> None:
    provider, gateway, _, lines = down_at_start
    forged = Provider(provider.issuer, new_key()).token(aud="api")
    assert status(gateway, forged) == 200
    assert any("GET /me: the token's signature was not verified" in line for line in lines)


def test_once_the_issuer_is_up_its_keys_are_fetched_and_forgeries_refused(
        down_at_start: tuple[Provider, HttpGateway, ManualClock, list[str]]) -> None:
    provider, gateway, clock, lines = down_at_start
    provider.is_up = True
    clock.advance(seconds=REFETCH_INTERVAL_S)
    assert status(gateway, provider.token(aud="api")) == 200
    assert status(gateway, Provider(provider.issuer, new_key()).token(aud="api")) == 401
    assert not any("not verified" in line for line in lines)
    assert "signatures verified" in gateway.authorizer_notes[0]
