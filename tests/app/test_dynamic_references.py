"""The secrets file and where it is found: --secrets-file, else samconfig.toml's
secrets_file; a file that is not what it should be is a ConfigError naming it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samlite.app.dynamic_references import read_secrets_file, secrets_file_for
from samlite.errors import ConfigError


def test_secrets_file_reads_strings_and_json_objects(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text(json.dumps({"secretsmanager": {"a": "x", "db": {"user": "u"}},
                                "ssm": {"/p": "v"}}))
    file = read_secrets_file(path)
    assert file.secrets == {"a": "x", "db": '{"user": "u"}'}
    assert file.parameters == {"/p": "v"}


@pytest.mark.parametrize(("case", "text", "says"), [
    ("not json", "{", "not JSON"),
    ("unknown section", '{"vault": {}}', '"secretsmanager" and/or "ssm"'),
    ("parameter not a string", '{"ssm": {"/p": 1}}', "ssm./p must be a string"),
])
def test_a_bad_secrets_file_is_named(tmp_path: Path, case: str, text: str, says: str) -> None:
    path = tmp_path / "secrets.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=says) as raised:
        read_secrets_file(path)
    assert str(path) in str(raised.value)


def test_the_flag_wins_over_samconfig(tmp_path: Path) -> None:
    (tmp_path / "samconfig.toml").write_text(
        'version = 0.1\n[default.up.parameters]\nsecrets_file = "local/secrets.json"\n')
    assert secrets_file_for(tmp_path, "default", "up", None, cwd=Path("/elsewhere")) == \
        (tmp_path / "local" / "secrets.json").resolve()
    assert secrets_file_for(tmp_path, "default", "local invoke", None, cwd=tmp_path) == \
        (tmp_path / "local" / "secrets.json").resolve()
    assert secrets_file_for(tmp_path, "default", "up", "mine.json", cwd=tmp_path) == \
        (tmp_path / "mine.json").resolve()


def test_no_flag_and_no_samconfig_is_none(tmp_path: Path) -> None:
    assert secrets_file_for(tmp_path, "default", "up", None, cwd=tmp_path) is None
