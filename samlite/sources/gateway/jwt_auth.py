"""Running a route's JWT or Cognito user pool authorizer: the token, its signature (when the
issuer's keys are known, jwt_keys.py), its claims (jwt_claims.py) and the identity the
handler gets. Also the startup lines saying what is and is not verified.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from samlite.clock import Clock
from samlite.graph.model import Api, JwtAuthorizer, Route
from samlite.sources.gateway.events import Flavor, HttpRequest, HttpResponse
from samlite.sources.gateway.jwt_claims import (
    BAD_SIGNATURE,
    MALFORMED,
    NO_SEGMENTS,
    Check,
    JwtVerdict,
    cognito_context,
    has_segments,
    http_jwt_context,
    judge_claims,
    jwt_refusal,
    token_of,
)
from samlite.sources.gateway.jwt_keys import (
    REFETCH_INTERVAL_S,
    IssuerKeys,
    TokenError,
    read_claims,
)

LogSink = Callable[[str, str], None]     # (function logical id, line)

def jwt_authorizer_of(api: Api, route: Route) -> JwtAuthorizer | None:
    name = api.authorizer_for(route)
    return api.jwt_authorizer(name) if name is not None else None


def route_scopes(authorizer: JwtAuthorizer, route: Route) -> tuple[str, ...]:
    """A route's own AuthorizationScopes override the authorizer's (SAM's rule)."""
    return authorizer.scopes if route.authorization_scopes is None \
        else route.authorization_scopes


class JwtAuthorizing:
    def __init__(self, clock: Clock, keys: IssuerKeys | None = None,
                 log: LogSink | None = None) -> None:
        """`log(function, line)` hears of each token let through unverified."""
        self._clock = clock
        self._keys = keys or IssuerKeys(clock=clock)
        self._log: LogSink = log or (lambda _fn, _line: None)

    def check(self, authorizer: JwtAuthorizer, route: Route, request: HttpRequest,
              event: dict[str, Any], *, flavor: Flavor, request_id: str) -> HttpResponse | None:
        """None lets the request on with the claims in `event`; else the refusal."""
        scopes = route_scopes(authorizer, route)
        verdict, unverified = self._verdict(authorizer, request, scopes, route.function)
        if unverified is not None and verdict.check is Check.ALLOW:
            self._log(route.function, f"samlite: {request.method} {request.path}: the token's "
                      f"signature was not verified ({unverified}); its claims were checked")
        if verdict.check is not Check.ALLOW:
            return jwt_refusal(verdict, flavor=flavor, request_id=request_id, scopes=scopes)
        event["requestContext"]["authorizer"] = (
            cognito_context(verdict) if flavor is Flavor.REST
            else http_jwt_context(verdict, flavor))
        return None

    def _verdict(self, authorizer: JwtAuthorizer, request: HttpRequest,
                 scopes: tuple[str, ...], function: str | None) -> tuple[JwtVerdict, str | None]:
        """The verdict, and why the signature went unchecked when it did (for the log)."""
        token = token_of(authorizer, request)
        if token is None:
            return JwtVerdict(check=Check.UNAUTHORIZED), None
        if not has_segments(token):
            return JwtVerdict(check=Check.UNAUTHORIZED, description=NO_SEGMENTS), None
        if authorizer.validation_expression is not None and \
                re.fullmatch(authorizer.validation_expression, token) is None:
            self._log(function or authorizer.name,
                      f"samlite: the token does not match authorizer {authorizer.name}'s "
                      f"ValidationExpression {authorizer.validation_expression!r}; the "
                      "client gets 401")
            return JwtVerdict(check=Check.UNAUTHORIZED, description=MALFORMED), None
        try:
            _, claims = read_claims(token)
        except TokenError:
            return JwtVerdict(check=Check.UNAUTHORIZED, description=MALFORMED), None
        issuer = claims.get("iss")
        unverified = None   # Cognito's are never verified, as startup says once
        if not authorizer.is_cognito and issuer in authorizer.issuers:
            try:
                if not self._keys.verify(str(issuer), token):
                    unverified = self._keys.status(str(issuer)).reason
            except TokenError:
                return JwtVerdict(check=Check.UNAUTHORIZED, description=BAD_SIGNATURE), None
        return judge_claims(authorizer, claims, now_s=self._clock.now(), scopes=scopes), \
            unverified

    def notes(self, in_use: Iterable[tuple[Api, JwtAuthorizer]]) -> list[str]:
        """One line per authorizer: which issuer, and whether signatures are verified."""
        lines = []
        for api, authorizer in in_use:
            label = f"{api.logical_id} {authorizer.name}"
            if not authorizer.issuers:
                lines.append(f"{label}: no issuer could be read from the template, so every "
                             "token is refused (401)")
            for issuer in authorizer.issuers:
                if authorizer.is_cognito:
                    lines.append(f"{label} (Cognito user pool, issuer {issuer}): signatures "
                                 "are not verified (a local user pool has no signing keys); "
                                 "issuer, token use, expiry and scopes are checked")
                    continue
                status = self._keys.status(issuer)
                if status.can_verify:
                    lines.append(f"{label} (JWT, issuer {issuer}): signatures verified with "
                                 "the issuer's JWKS; audience, expiry and scopes checked")
                else:
                    lines.append(f"{label} (JWT, issuer {issuer}): signatures are not "
                                 f"verified yet ({status.reason}); the keys are fetched again "
                                 "when a token arrives (at most every "
                                 f"{REFETCH_INTERVAL_S:g} s), and each token let through "
                                 "unverified is logged; issuer, audience, expiry and scopes "
                                 "are checked")
        return lines
