from __future__ import annotations

import random
import uuid

import pytest

from samlite.runtime import ids

SAMPLES = [random.Random(seed).getrandbits(128) for seed in range(50)]   # noqa: S311


@pytest.mark.parametrize("bits", [0, (1 << 128) - 1, *SAMPLES], ids=lambda bits: f"{bits:x}")
def test_uuid4_of_writes_what_uuid_writes(bits: int) -> None:
    assert ids.uuid4_of(bits) == str(uuid.UUID(int=bits, version=4))


def test_uuid4_is_a_version_4_uuid() -> None:
    made = {ids.uuid4() for _ in range(1000)}
    assert len(made) == 1000
    assert all(uuid.UUID(text).version == 4 and str(uuid.UUID(text)) == text for text in made)
