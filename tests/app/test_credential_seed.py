"""The seed of the functions' credentials is kept in the state dir: a second App on the
same project (`samlite invoke` beside `up`) gives each function the same credentials."""

from __future__ import annotations

from pathlib import Path

from samlite.app.root import credential_seed
from samlite.runtime.credentials import credentials_for


def test_the_seed_is_made_once_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / ".samlite" / "credential-seed"
    first = credential_seed(path)
    assert credential_seed(path) == first and len(first) == 32
    assert path.stat().st_mode & 0o777 == 0o600
    assert credentials_for("Fn", seed=credential_seed(path)) == \
        credentials_for("Fn", seed=first)


def test_a_damaged_seed_is_made_again(tmp_path: Path) -> None:
    path = tmp_path / "credential-seed"
    path.write_bytes(b"short")
    seed = credential_seed(path)
    assert len(seed) == 32 and path.read_bytes() == seed


def test_a_state_dir_that_cannot_be_made_gets_a_seed_for_this_run(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("x")
    path = tmp_path / "not-a-folder" / "credential-seed"
    assert len(credential_seed(path)) == 32
    assert not path.exists()
