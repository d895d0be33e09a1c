"""Random ids for requests and traces (request ids, X-Ray trace headers, API Gateway's short
ids): drawn from one generator seeded once by the OS, not read from the OS for each request.

They need to be unique, not secret, and os.urandom is a system call that lets go of the GIL:
under load each one costs a thread switch, three per gateway request. Secrets (runtime
tokens) still come from `secrets`."""

from __future__ import annotations

import os
import random

_random = random.Random(os.urandom(32))   # noqa: S311 - ids, not secrets

# RFC 4122's version-4 layout: the version nibble (bits 76-79) is 4, the variant's two top
# bits (62-63) are 10. Set with masks and formatted directly: a uuid.UUID object and its
# str() cost ~3x as much, twice per gateway request.
_KEEP = ~((0xF000 << 64) | (0xC000 << 48))
_SET = (0x4000 << 64) | (0x8000 << 48)


def random_bytes(count: int) -> bytes:
    return _random.randbytes(count)


def uuid4() -> str:
    """A version-4 UUID as text, like str(uuid.uuid4())."""
    return uuid4_of(_random.getrandbits(128))


def uuid4_of(bits: int) -> str:
    """The version-4 UUID text of these 128 random bits, as str(uuid.UUID(int=bits,
    version=4)) writes it."""
    text = ((bits & _KEEP) | _SET).to_bytes(16, "big").hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
