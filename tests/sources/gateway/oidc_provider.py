"""A small OpenID Connect provider on 127.0.0.1 port 0 for JWT authorizer tests: it serves
/.well-known/openid-configuration and its JWKS, and signs tokens with its RSA key."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KID = "test-key"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    return {**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": kid, "use": "sig",
            "alg": "RS256"}


class Provider:
    def __init__(self, issuer: str, key: rsa.RSAPrivateKey) -> None:
        self.issuer = issuer
        self.key = key
        self.jwks = [public_jwk(key, KID)]   # what /jwks.json serves
        self.is_up = True                    # False: every document answers 503
        self.fetches = 0                     # JWKS requests served

    def rotate(self, kid: str) -> None:
        """Sign with a new key named `kid` from now on; the JWKS lists it too."""
        self.key = new_key()
        self.jwks = [*self.jwks, public_jwk(self.key, kid)]

    def token(self, *, key: rsa.RSAPrivateKey | None = None, kid: str = KID,
              **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": self.issuer, "iat": now, "exp": now + 3600, **claims}
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": kid})


@contextmanager
def oidc_provider() -> Iterator[Provider]:
    provider: Provider

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            documents = {"/.well-known/openid-configuration":
                         {"issuer": base, "jwks_uri": f"{base}/jwks.json"},
                         "/jwks.json": {"keys": provider.jwks}}
            found = documents.get(self.path) if provider.is_up else None
            provider.fetches += self.path == "/jwks.json"
            body = json.dumps(found).encode()
            self.send_response(503 if not provider.is_up else 200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    provider = Provider(f"http://127.0.0.1:{server.server_address[1]}", new_key())
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
