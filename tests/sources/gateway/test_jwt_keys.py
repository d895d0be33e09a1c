"""Signatures checked against an issuer's JWKS, found through its OpenID discovery document
(a local provider on 127.0.0.1 port 0)."""

from __future__ import annotations

import pytest

from samlite.sources.gateway.jwt_keys import IssuerKeys, TokenError
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
