"""Reading and verifying JWTs: each issuer's signing keys, found as API Gateway finds them
({issuer}/.well-known/openid-configuration -> jwks_uri, "Control access to HTTP APIs with
JWT authorizers"), and the signature checked with them. The one home of PyJWT.

An issuer whose keys cannot be fetched is remembered as such (the gateway says so at startup)
and its tokens are not signature-checked; their claims still are (jwt_claims.py).
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt

# "Currently, only RSA-based algorithms are supported" (JWT authorizers for HTTP APIs)
ALGORITHMS = ("RS256", "RS384", "RS512")
DISCOVERY = "/.well-known/openid-configuration"
# Claims are jwt_claims.py's business: PyJWT checks only the signature here.
_SIGNATURE_ONLY = {"verify_signature": True, "verify_exp": False, "verify_nbf": False,
                   "verify_iat": False, "verify_aud": False, "verify_iss": False,
                   "verify_sub": False, "verify_jti": False}


class TokenError(Exception):
    """A token that cannot be read or whose signature does not hold."""


def read_claims(token: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """(header, claims) of a token, unverified."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise TokenError(str(exc)) from exc
    if not isinstance(claims, dict):
        raise TokenError("the claims are not an object")
    return header, claims


@dataclass(frozen=True, slots=True)
class KeyStatus:
    can_verify: bool
    reason: str = ""          # why not, in words for the startup line


class IssuerKeys:
    """Signing keys per issuer, fetched once (PyJWKClient refreshes them on an unknown kid)."""

    def __init__(self, *, timeout_s: float = 3.0) -> None:
        self._timeout_s = timeout_s
        self._clients: dict[str, jwt.PyJWKClient | str] = {}   # issuer -> client or reason
        self._lock = threading.Lock()

    def status(self, issuer: str) -> KeyStatus:
        found = self._client(issuer)
        return KeyStatus(True) if isinstance(found, jwt.PyJWKClient) else KeyStatus(False, found)

    def verify(self, issuer: str, token: str) -> bool:
        """Whether the token's signature holds with the issuer's keys. Raises TokenError when
        it does not; False when the issuer's keys are not known (nothing was checked)."""
        client = self._client(issuer)
        if not isinstance(client, jwt.PyJWKClient):
            return False
        try:
            key = client.get_signing_key_from_jwt(token)
            jwt.decode(token, key.key, algorithms=list(ALGORITHMS), options=_SIGNATURE_ONLY)
        except jwt.PyJWTError as exc:   # PyJWKClientError (unknown kid) included
            raise TokenError(str(exc)) from exc
        return True

    def _client(self, issuer: str) -> jwt.PyJWKClient | str:
        with self._lock:
            if issuer not in self._clients:
                self._clients[issuer] = self._discover(issuer)
            return self._clients[issuer]

    def _discover(self, issuer: str) -> jwt.PyJWKClient | str:
        url = issuer.rstrip("/") + DISCOVERY
        if not url.startswith(("https://", "http://")):
            return f"the issuer {issuer!r} is not an http(s) URL"
        try:
            with urllib.request.urlopen(url, timeout=self._timeout_s) as answer:  # noqa: S310
                document = json.loads(answer.read())
        except (OSError, ValueError) as exc:
            return f"{url} could not be read: {exc}"
        jwks_uri = document.get("jwks_uri") if isinstance(document, dict) else None
        if not isinstance(jwks_uri, str):
            return f"{url} names no jwks_uri"
        return jwt.PyJWKClient(jwks_uri, timeout=self._timeout_s)
