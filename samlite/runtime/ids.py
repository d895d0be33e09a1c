"""Random ids for requests and traces (request ids, X-Ray trace headers, API Gateway's short
ids): drawn from one generator seeded once by the OS, not read from the OS for each request.

They need to be unique, not secret, and os.urandom is a system call that lets go of the GIL:
under load each one costs a thread switch, three per gateway request. Secrets (runtime
tokens) still come from `secrets`."""

from __future__ import annotations

import os
import random
import uuid

_random = random.Random(os.urandom(32))   # noqa: S311 - ids, not secrets


def random_bytes(count: int) -> bytes:
    return _random.randbytes(count)


def uuid4() -> str:
    """A version-4 UUID as text, like str(uuid.uuid4())."""
    return str(uuid.UUID(int=_random.getrandbits(128), version=4))
