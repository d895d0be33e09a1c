"""The credentials each function's execution environment gets, as Lambda gives a function its
role's temporary credentials (AWS_ACCESS_KEY_ID starting "ASIA", AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN; "Defined runtime environment variables", Lambda developer guide). Derived
from the app's random seed and the function's logical id, so the endpoint knows which function
signed a request and can check the signature, and a reload gives the same keys. Pure."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"   # access key ids are upper-case base32


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str

    def as_variables(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.access_key_id,
                "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
                "AWS_SESSION_TOKEN": self.session_token}


def _digest(seed: bytes, purpose: str, logical_id: str) -> bytes:
    return hmac.new(seed, f"{purpose}\0{logical_id}".encode(), hashlib.sha256).digest()


def credentials_for(logical_id: str, *, seed: bytes) -> FunctionCredentials:
    key = base64.b32encode(_digest(seed, "key", logical_id)).decode()[:16]
    secret = base64.b64encode(_digest(seed, "secret", logical_id)[:30]).decode()
    token = base64.b64encode(_digest(seed, "token", logical_id)
                             + _digest(seed, "token2", logical_id)).decode()
    return FunctionCredentials(access_key_id=f"ASIA{key}", secret_access_key=secret,
                               session_token=token)
