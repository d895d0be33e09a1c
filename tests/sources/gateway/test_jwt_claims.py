"""JWT / Cognito claim checks as API Gateway makes them ("Control access to HTTP APIs with JWT
authorizers"; "Control access to REST APIs using Amazon Cognito user pools as an authorizer"),
with the time given (a ManualClock's), and the answers and identity they lead to."""

from __future__ import annotations

import json
from typing import Any

import pytest

from samlite.clock import ManualClock
from samlite.errors import Mark
from samlite.graph.model import JwtAuthorizer
from samlite.sources.gateway.events import Flavor, HttpRequest
from samlite.sources.gateway.jwt_claims import (
    BAD_AUDIENCE,
    BAD_ISSUER,
    EXPIRED,
    ISSUED_LATER,
    NOT_YET_VALID,
    WRONG_USE,
    Check,
    cognito_context,
    http_jwt_context,
    judge_claims,
    jwt_refusal,
    token_of,
)

AT = Mark(file="template.yaml", line=1, column=1)
ISSUER = "https://issuer.example"
CLOCK = ManualClock()
NOW = CLOCK.now()
JWT = JwtAuthorizer(name="Oauth", issuers=(ISSUER,), audiences=("api",), at=AT)
COGNITO = JwtAuthorizer(name="Pool", is_cognito=True,
                        issuers=("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x",),
                        at=AT)


def claims(**extra: Any) -> dict[str, Any]:
    found = {"iss": ISSUER, "aud": "api", "exp": NOW + 60, "iat": NOW - 1, **extra}
    return {k: v for k, v in found.items() if v is not None}


CASES = [
    ("valid", claims(), (), Check.ALLOW, None),
    ("aud as a list", claims(aud=["other", "api"]), (), Check.ALLOW, None),
    ("client_id instead of aud", claims(aud=None, client_id="api"), (), Check.ALLOW, None),
    ("other audience", claims(aud="other"), (), Check.UNAUTHORIZED, BAD_AUDIENCE),
    ("other issuer", claims(iss="https://evil.example"), (), Check.UNAUTHORIZED, BAD_ISSUER),
    ("expired", claims(exp=NOW - 1), (), Check.UNAUTHORIZED, EXPIRED),
    ("exp is now", claims(exp=NOW), (), Check.UNAUTHORIZED, EXPIRED),
    ("no exp", claims(exp=None), (), Check.UNAUTHORIZED, EXPIRED),
    ("not before later", claims(nbf=NOW + 5), (), Check.UNAUTHORIZED, NOT_YET_VALID),
    ("issued later", claims(iat=NOW + 5), (), Check.UNAUTHORIZED, ISSUED_LATER),
    ("scope holds one", claims(scope="read write"), ("write", "admin"), Check.ALLOW, None),
    ("scp list holds one", claims(scp=["admin"]), ("write", "admin"), Check.ALLOW, None),
    ("scope missing", claims(scope="read"), ("write",), Check.FORBIDDEN, "insufficient scope"),
]


@pytest.mark.parametrize(("token_claims", "scopes", "check", "description"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_jwt_claims(token_claims: dict[str, Any], scopes: tuple[str, ...], check: Check,
                    description: str | None) -> None:
    verdict = judge_claims(JWT, token_claims, now_s=NOW, scopes=scopes)
    assert (verdict.check, verdict.description) == (check, description)


def test_a_token_valid_now_expires_as_the_clock_moves() -> None:
    clock = ManualClock()
    token_claims = {"iss": ISSUER, "aud": "api", "exp": clock.now() + 30}
    assert judge_claims(JWT, token_claims, now_s=clock.now(), scopes=()).check is Check.ALLOW
    clock.advance(seconds=30)
    assert judge_claims(JWT, token_claims, now_s=clock.now(), scopes=()).check \
        is Check.UNAUTHORIZED


def test_cognito_wants_an_id_token_without_scopes_and_an_access_token_with_them() -> None:
    base = {"iss": COGNITO.issuers[0], "exp": NOW + 60}
    id_token = {**base, "token_use": "id", "aud": "any-client"}
    access = {**base, "token_use": "access", "client_id": "c", "scope": "orders/read"}
    assert judge_claims(COGNITO, id_token, now_s=NOW, scopes=()).check is Check.ALLOW
    assert judge_claims(COGNITO, access, now_s=NOW, scopes=()).description == WRONG_USE
    assert judge_claims(COGNITO, access, now_s=NOW, scopes=("orders/read",)).check \
        is Check.ALLOW
    # REST answers 401, not 403, for a Cognito token without the method's scope
    assert judge_claims(COGNITO, access, now_s=NOW, scopes=("orders/write",)).check \
        is Check.UNAUTHORIZED


@pytest.mark.parametrize(("header", "token"), [
    ("Bearer abc.def.ghi", "abc.def.ghi"), ("bearer abc.def.ghi", "abc.def.ghi"),
    ("abc.def.ghi", "abc.def.ghi"), ("", None), ("Bearer ", None)])
def test_token_is_read_with_or_without_bearer(header: str, token: str | None) -> None:
    request = HttpRequest(method="GET", path="/", raw_query="",
                          headers=(("Authorization", header),), body=b"")
    assert token_of(JWT, request) == token


def test_refusal_carries_api_gateways_www_authenticate() -> None:
    verdict = judge_claims(JWT, claims(aud="other"), now_s=NOW, scopes=("read",))
    response = jwt_refusal(verdict, flavor=Flavor.HTTP_V2, request_id="r", scopes=("read",))
    assert (response.status, response.body) == (401, b'{"message":"Unauthorized"}')
    assert dict(response.headers)["www-authenticate"] == (
        'Bearer scope="read" error="invalid_token" '
        'error_description="the token does not have a valid audience"')
    forbidden = judge_claims(JWT, claims(scope="read"), now_s=NOW, scopes=("write",))
    response = jwt_refusal(forbidden, flavor=Flavor.HTTP_V2, request_id="r", scopes=("write",))
    assert (response.status, response.body) == (403, b'{"message":"Forbidden"}')


def test_handler_context_payload_2_0_and_1_0() -> None:
    verdict = judge_claims(JWT, claims(scope="read write", admin=True), now_s=NOW, scopes=())
    v2 = http_jwt_context(verdict, Flavor.HTTP_V2)
    assert v2["jwt"]["scopes"] == ["read", "write"]
    assert v2["jwt"]["claims"]["admin"] == "true"
    assert v2["jwt"]["claims"]["exp"] == str(int(NOW + 60))
    assert http_jwt_context(verdict, Flavor.HTTP_V1) == v2["jwt"]


def test_cognito_claims_are_strings_with_dates_as_rest_shows_them() -> None:
    verdict = judge_claims(COGNITO, {"iss": COGNITO.issuers[0], "token_use": "id",
                                     "exp": 1781499381 + 3600, "iat": 1781499381,
                                     "auth_time": 1781499381, "email_verified": True},
                           now_s=1781499381, scopes=())
    seen = cognito_context(verdict)["claims"]
    # the shapes of a captured REST event's claims
    assert seen["iat"] == "Mon Jun 15 04:56:21 UTC 2026"
    assert seen["exp"] == "Mon Jun 15 05:56:21 UTC 2026"
    assert (seen["auth_time"], seen["email_verified"]) == ("1781499381", "true")
    assert json.dumps(seen)   # all plain strings
