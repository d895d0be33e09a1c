"""Signatures checked against an issuer's JWKS, found through its OpenID discovery document
(a local provider on 127.0.0.1 port 0)."""

from __future__ import annotations

import pytest

from samlite.clock import ManualClock
from samlite.sources.gateway.jwt_keys import REFETCH_INTERVAL_S, IssuerKeys, TokenError
from tests.sources.gateway.oidc_provider import new_key, oidc_provider


def test_a_token_signed_by_the_issuer_verifies() -> None:
    with oidc_provider() as provider:
        keys = IssuerKeys()
        assert keys.status(provider.issuer).can_verify
        assert keys.verify(provider.issuer, provider.token(aud="api")) is True


@pytest.mark.parametrize("forge", ["other key", "unknown kid"])
def test_a_forged_token_is_refused(forge: str) -> None:
    with oidc_provider() as provider:
        token = provider.token(key=new_key()) if forge == "other key" \
            else provider.token(kid="nobody")
        with pytest.raises(TokenError):
            IssuerKeys().verify(provider.issuer, token)


def test_an_issuer_without_discovery_is_named_and_not_verified() -> None:
    with oidc_provider() as provider:
        issuer = f"{provider.issuer}/nowhere"
        keys = IssuerKeys()
        status = keys.status(issuer)
        assert not status.can_verify
        assert "/nowhere/.well-known/openid-configuration" in status.reason
        assert keys.verify(issuer, provider.token()) is False   # nothing was checked


def test_an_issuer_down_at_first_is_asked_again_once_the_interval_passed() -> None:
    clock = ManualClock()
    with oidc_provider() as provider:
        provider.is_up = False
        keys = IssuerKeys(clock=clock)
        assert not keys.status(provider.issuer).can_verify
        provider.is_up = True
        token = provider.token(aud="api")
        assert keys.verify(provider.issuer, token) is False   # within the interval: not asked
        clock.advance(seconds=REFETCH_INTERVAL_S)
        assert keys.verify(provider.issuer, token) is True
        with pytest.raises(TokenError):
            keys.verify(provider.issuer, provider.token(key=new_key()))


def test_a_rotated_key_is_fetched_on_its_unknown_kid_rate_limited() -> None:
    clock = ManualClock()
    with oidc_provider() as provider:
        keys = IssuerKeys(clock=clock)
        assert keys.verify(provider.issuer, provider.token()) is True
        provider.rotate("key-2")
        rotated = provider.token(kid="key-2")
        with pytest.raises(TokenError):   # the last fetch is too recent to ask again
            keys.verify(provider.issuer, rotated)
        fetches = provider.fetches
        clock.advance(seconds=REFETCH_INTERVAL_S)
        assert keys.verify(provider.issuer, rotated) is True
        assert provider.fetches == fetches + 1
        with pytest.raises(TokenError):   # a kid nobody has: refused, no fetch storm
            keys.verify(provider.issuer, provider.token(kid="nobody"))
        assert provider.fetches == fetches + 1
