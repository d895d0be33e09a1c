"""--env-vars files in SAM CLI's format, and the errors a broken one gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.app.env_vars import parse_env_vars, read_env_vars
from samlite.errors import ConfigError


def test_reads_parameters_and_function_scopes(tmp_path: Path) -> None:
    path = tmp_path / "env.json"
    path.write_text('{"Parameters": {"TABLE": "dev"}, "HelloFunction": {"GREETING": "Hi"}}',
                    encoding="utf-8")
    assert read_env_vars(path) == {"Parameters": {"TABLE": "dev"},
                                   "HelloFunction": {"GREETING": "Hi"}}


def test_scalars_become_strings_as_sam_cli_writes_them() -> None:
    text = '{"Fn": {"N": 3, "F": 1.5, "T": true, "OFF": false, "NONE": null, "S": "x"}}'
    assert parse_env_vars(text, name="env.json") == {
        "Fn": {"N": "3", "F": "1.5", "T": "true", "OFF": "false", "NONE": "", "S": "x"}}


@pytest.mark.parametrize(("case", "text", "expected"), [
    ("not JSON", '{\n  "Fn": {"A": "1",}\n}', r"^env\.json:2:\d+: not valid JSON: "),
    ("not an object", '["A"]', r"^env\.json:1:1: --env-vars must be a JSON object"),
    ("scope not an object", '{\n  "Parameters": {},\n  "Fn": "A=1"\n}',
     r"^env\.json:3: 'Fn' must be an object of variable names to values \(got a string\)"),
    ("value not a scalar", '{\n  "Fn": {\n    "A": "1",\n    "B": [1]\n  }\n}',
     r"^env\.json:4: Fn\.B must be a string, number or boolean \(got a list\)"),
])
def test_broken_files_name_file_and_line(case: str, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        parse_env_vars(text, name="env.json")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.json: no such --env-vars file"):
        read_env_vars(tmp_path / "nope.json")
