"""--iam, else samconfig.toml's iam (the command's table, then up's), else warn."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.app.config import IamChoice, iam_mode_for
from samlite.errors import ConfigError


def samconfig(folder: Path, table: str, value: str) -> None:
    (folder / "samconfig.toml").write_text(
        f'version = 0.1\n[default.{table}.parameters]\niam = "{value}"\n')


def test_the_default_is_warn(tmp_path: Path) -> None:
    assert iam_mode_for(tmp_path, "default", "up", None) == IamChoice(mode="warn",
                                                                     source="the default")


def test_samconfig_sets_it_and_the_flag_wins(tmp_path: Path) -> None:
    samconfig(tmp_path, "up", "enforce")
    assert iam_mode_for(tmp_path, "default", "local invoke", None) == IamChoice(
        mode="enforce", source="samconfig.toml [default.up.parameters]")
    assert iam_mode_for(tmp_path, "default", "up", "off") == IamChoice(mode="off",
                                                                      source="--iam")


def test_a_bad_value_names_the_file(tmp_path: Path) -> None:
    samconfig(tmp_path, "up", "strict")
    with pytest.raises(ConfigError) as refused:
        iam_mode_for(tmp_path, "default", "up", None)
    assert str(refused.value).endswith(
        "samconfig.toml: iam must be one of enforce, warn, off (got 'strict')")
