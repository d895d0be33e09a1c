"""JWT and Cognito user pool authorizers, pure: the token in a request, the checks API Gateway
makes on its claims, the identity a handler sees and the answers that stop a request. No
keys, no clock of its own (the time comes in), no sockets.

Follows the API Gateway developer guide: "Control access to HTTP APIs with JWT authorizers"
(the token from the identity source, with or without "Bearer "; iss matches an issuer; aud or
client_id matches an audience; exp after, nbf and iat before the current time; scope or scp
holds one of the route's scopes), "Troubleshooting issues with HTTP API JWT authorizers" (the
www-authenticate header), "Control access to REST APIs using Amazon Cognito user pools as an
authorizer" (an identity token unless the method has OAuth scopes, then an access token whose
scopes are checked), and the payload format 1.0 / 2.0 examples of "Create AWS Lambda proxy
integrations for HTTP APIs" (requestContext.authorizer.jwt.claims / scopes).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from samlite.graph.model import JwtAuthorizer
from samlite.sources.gateway.authorizers import Outcome, refusal
from samlite.sources.gateway.events import Flavor, HttpRequest, HttpResponse, request_id_header

BEARER = "Bearer "
# Descriptions API Gateway puts in www-authenticate: "the token does not have a valid audience"
# is the developer guide's troubleshooting example; "the token has expired" and "token contains
# an invalid number of segments" are from captured HTTP API responses. The others are
# samlite's words in the same form (no capture of them was found).
NO_SEGMENTS = "token contains an invalid number of segments"
BAD_AUDIENCE = "the token does not have a valid audience"
EXPIRED = "the token has expired"
BAD_ISSUER = "the token does not have a valid issuer"
NOT_YET_VALID = "the token is not valid yet"
ISSUED_LATER = "the token was issued in the future"
BAD_SIGNATURE = "the token does not have a valid signature"
MALFORMED = "the token is malformed"
# A Cognito token of the wrong use for the method (samlite's words: REST answers 401 without
# a description)
WRONG_USE = "the token is not of the use the method accepts"


class Check(StrEnum):
    ALLOW = "allow"
    UNAUTHORIZED = "unauthorized"     # 401: no token or an invalid one
    FORBIDDEN = "forbidden"           # 403: a valid token without one of the route's scopes


@dataclass(frozen=True, slots=True, kw_only=True)
class JwtVerdict:
    check: Check
    description: str | None = None    # why a token was refused (None: no token at all)
    claims: Mapping[str, Any] = field(default_factory=dict)


def token_of(authorizer: JwtAuthorizer, request: HttpRequest) -> str | None:
    """The token in the identity source, without a "Bearer " prefix (None: no token)."""
    value = (request.header(authorizer.identity_header) or "").strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == BEARER.strip().lower():
        value = rest.strip()
    return value or None


def has_segments(token: str) -> bool:
    return token.count(".") == 2


def judge_claims(authorizer: JwtAuthorizer, claims: Mapping[str, Any], *, now_s: float,
                 scopes: tuple[str, ...]) -> JwtVerdict:
    """What API Gateway decides from a token's claims (its signature already checked, or
    not checkable) for a route needing one of `scopes`."""
    def refuse(description: str) -> JwtVerdict:
        return JwtVerdict(check=Check.UNAUTHORIZED, description=description)

    if claims.get("iss") not in authorizer.issuers:
        return refuse(BAD_ISSUER)
    if authorizer.is_cognito:
        wanted = "access" if scopes else "id"
        if claims.get("token_use") != wanted:
            return refuse(WRONG_USE)
    elif authorizer.audiences and not _audience_matches(claims, authorizer.audiences):
        return refuse(BAD_AUDIENCE)
    exp = claims.get("exp")
    if not _is_number(exp) or exp <= now_s:
        return refuse(EXPIRED)
    if "nbf" in claims and (not _is_number(claims["nbf"]) or claims["nbf"] > now_s):
        return refuse(NOT_YET_VALID)
    if "iat" in claims and (not _is_number(claims["iat"]) or claims["iat"] > now_s):
        return refuse(ISSUED_LATER)
    if scopes and not set(token_scopes(claims)) & set(scopes):
        # REST's Cognito authorizer answers 401 for missing scopes; HTTP APIs answer 403
        return JwtVerdict(check=Check.UNAUTHORIZED if authorizer.is_cognito
                          else Check.FORBIDDEN, description="insufficient scope")
    return JwtVerdict(check=Check.ALLOW, claims=claims)


def token_scopes(claims: Mapping[str, Any]) -> tuple[str, ...]:
    """`scope` (space-separated, OAuth 2.0) or `scp` (a list or text)."""
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            return tuple(value.split())
        if isinstance(value, list):
            return tuple(str(v) for v in value)
    return ()


def _audience_matches(claims: Mapping[str, Any], audiences: tuple[str, ...]) -> bool:
    aud = claims.get("aud")
    given = aud if isinstance(aud, list) else [aud]
    return any(a in audiences for a in (*given, claims.get("client_id")) if isinstance(a, str))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- what the handler sees -----------------------------------------------------------------------
def http_jwt_context(verdict: JwtVerdict, flavor: Flavor) -> dict[str, Any]:
    """requestContext.authorizer of an HTTP API route: {"jwt": {"claims", "scopes"}} in
    payload 2.0, {"claims", "scopes"} in 1.0; claim values as text."""
    scopes = token_scopes(verdict.claims)
    found = {"claims": {k: _http_text(v) for k, v in verdict.claims.items()},
             "scopes": list(scopes) if scopes else None}
    return {"jwt": found} if flavor is Flavor.HTTP_V2 else found


def cognito_context(verdict: JwtVerdict) -> dict[str, Any]:
    """requestContext.authorizer of a REST route behind a Cognito authorizer: {"claims"},
    every value a string, exp and iat as dates ("Mon Jun 15 05:56:21 UTC 2026", as captured
    REST events show them), other numbers as digits, booleans as "true"/"false"."""
    claims = {}
    for name, value in verdict.claims.items():
        if name in ("exp", "iat") and _is_number(value):
            claims[name] = datetime.fromtimestamp(value, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
        else:
            claims[name] = _rest_text(value)
    return {"claims": claims}


def _http_text(value: Any) -> str:
    # Lists are rendered as "[a b]" (samlite's choice: no capture of a list claim was found)
    if isinstance(value, list):
        return "[" + " ".join(_http_text(v) for v in value) + "]"
    return _rest_text(value)


def _rest_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(_rest_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


# --- the answers that stop a request -----------------------------------------------------------
def jwt_refusal(verdict: JwtVerdict, *, flavor: Flavor, request_id: str,
                scopes: tuple[str, ...]) -> HttpResponse:
    """REST (Cognito): the UNAUTHORIZED gateway response. HTTP APIs: 401 with
    www-authenticate ("Bearer" alone when there was no token), or 403 Forbidden."""
    if flavor is Flavor.REST:
        return refusal(Outcome.UNAUTHORIZED, flavor=flavor, request_id=request_id)
    if verdict.check is Check.FORBIDDEN:
        return refusal(Outcome.IMPLICIT_DENY, flavor=flavor, request_id=request_id)
    challenge = "Bearer" if verdict.description is None else (
        f'Bearer scope="{" ".join(scopes)}" error="invalid_token" '
        f'error_description="{verdict.description}"')
    body = b'{"message":"Unauthorized"}'
    return HttpResponse(status=401, body=body, headers=(
        ("Content-Type", "application/json"), ("www-authenticate", challenge),
        request_id_header(flavor, request_id)))
