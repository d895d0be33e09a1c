"""Reading and verifying JWTs: each issuer's signing keys, found as API Gateway finds them
({issuer}/.well-known/openid-configuration -> jwks_uri, "Control access to HTTP APIs with
JWT authorizers"), and the signature checked with them. The one home of PyJWT.

An issuer whose keys cannot be fetched is remembered as such (the gateway says so at startup)
and asked again when its tokens arrive; until its keys are known its tokens are not
signature-checked (the gateway logs each one), their claims still are (jwt_claims.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from samlite.clock import Clock, SystemClock

# PyJWT (with cryptography, ~35 ms to import) is imported where a token is read, so an app
# without JWT authorizers never imports it.
if TYPE_CHECKING:
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
    import jwt

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


# At most one fetch per issuer in this many seconds: a down issuer or a stream of tokens with
# an unknown kid must not turn every request into a fetch.
REFETCH_INTERVAL_S = 5.0


class _Issuer:
    """What is known of one issuer: its keys once fetched, else why not; when it was last
    asked (monotonic seconds)."""

    def __init__(self) -> None:
        self.keys: jwt.PyJWKSet | None = None
        self.reason = ""
        self.fetched_at: float | None = None


class IssuerKeys:
    """Signing keys per issuer, fetched when first needed and again, at most every
    REFETCH_INTERVAL_S, while they are unknown (the issuer was down) or when a token names a
    kid they lack (the issuer rotated its keys)."""

    def __init__(self, *, clock: Clock | None = None, timeout_s: float = 3.0,
                 refetch_interval_s: float = REFETCH_INTERVAL_S) -> None:
        self._clock = clock or SystemClock()
        self._timeout_s = timeout_s
        self._interval_s = refetch_interval_s
        self._issuers: dict[str, _Issuer] = {}
        self._lock = threading.Lock()

    def status(self, issuer: str) -> KeyStatus:
        found = self._known(issuer, refetch=False)
        return KeyStatus(True) if found.keys is not None else KeyStatus(False, found.reason)

    def verify(self, issuer: str, token: str) -> bool:
        """Whether the token's signature holds with the issuer's keys. Raises TokenError when
        it does not; False when the issuer's keys are not known (nothing was checked)."""
        import jwt

        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise TokenError(str(exc)) from exc
        found = self._known(issuer, refetch=True)
        if found.keys is None:
            return False
        key = _key_of(found.keys, kid)
        if key is None:   # perhaps rotated: ask again (rate-limited)
            found = self._known(issuer, refetch=True, stale=True)
            key = _key_of(found.keys, kid) if found.keys is not None else None
        if key is None:
            raise TokenError(f"no signing key with kid {kid!r} in the issuer's JWKS")
        try:
            jwt.decode(token, key.key, algorithms=list(ALGORITHMS), options=_SIGNATURE_ONLY)
        except jwt.PyJWTError as exc:
            raise TokenError(str(exc)) from exc
        return True

    def _known(self, issuer: str, *, refetch: bool, stale: bool = False) -> _Issuer:
        """The issuer's state, fetched first when never asked, or (`refetch`) when its keys
        are unknown or `stale` and the last fetch is REFETCH_INTERVAL_S old."""
        with self._lock:
            found = self._issuers.setdefault(issuer, _Issuer())
            now = self._clock.monotonic()
            due = found.fetched_at is None or (
                refetch and (found.keys is None or stale)
                and now - found.fetched_at >= self._interval_s)
            if due:
                found.fetched_at = now
                keys = self._fetch(issuer)
                if isinstance(keys, str):
                    if found.keys is None:   # keys once known stay usable
                        found.reason = keys
                else:
                    found.keys, found.reason = keys, ""
            return found

    def _fetch(self, issuer: str) -> jwt.PyJWKSet | str:
        import urllib.request

        import jwt

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
        try:
            return jwt.PyJWKClient(jwks_uri, cache_jwk_set=False,
                                   timeout=self._timeout_s).get_jwk_set()
        except jwt.PyJWTError as exc:   # unreachable, or no usable key in it
            return f"{jwks_uri} could not be read: {exc}"


def _key_of(keys: jwt.PyJWKSet, kid: object) -> jwt.PyJWK | None:
    """The key the token's kid names; without a kid, the set's only key."""
    if kid is None:
        return keys.keys[0] if len(keys.keys) == 1 else None
    return next((k for k in keys.keys if k.key_id == kid), None)
