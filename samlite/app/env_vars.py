"""Read an `--env-vars` file in SAM CLI's format; applying it is runtime/spec.py's job.

The file is a JSON object: `"Parameters"` holds values for every function, and an object
named after a function's logical id (or its FunctionName) holds values for that function:
{"Parameters": {"TABLE": "dev"}, "HelloFunction": {"GREETING": "Hi"}}. Values are strings;
numbers and booleans are written as SAM CLI writes them ("1", "true"), null as "".
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from samlite.errors import ConfigError

EnvOverrides = dict[str, dict[str, str]]


def read_env_vars(path: Path) -> EnvOverrides:
    """The overrides in `path`. Anything but a readable object of objects of scalars is a
    ConfigError naming the file and, where it can, the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such --env-vars file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from exc
    return parse_env_vars(text, name=str(path))


def parse_env_vars(text: str, *, name: str) -> EnvOverrides:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{name}:1:1: --env-vars must be a JSON object such as "
                          '{"Parameters": {"NAME": "value"}, "HelloFunction": {"NAME": "value"}} '
                          f"(got {_kind(data)})")
    overrides: EnvOverrides = {}
    for scope, variables in data.items():
        line = _line_of(text, scope)
        if not isinstance(variables, dict):
            raise ConfigError(f"{name}:{line}: {scope!r} must be an object of variable names "
                              f"to values (got {_kind(variables)})")
        overrides[scope] = {}
        for variable, value in variables.items():
            if isinstance(value, dict | list):
                raise ConfigError(f"{name}:{_line_of(text, variable, after=line)}: "
                                  f"{scope}.{variable} must be a string, number or boolean "
                                  f"(got {_kind(value)})")
            overrides[scope][variable] = _text(value)
    return overrides


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
             type(None): "null"}
    return names.get(type(value), "a number")


def _line_of(text: str, key: str, *, after: int = 1) -> int:
    """The line where `"key":` first appears at or after line `after` (json keeps no marks;
    a key is quoted and followed by a colon, which values are not)."""
    pattern = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:")
    lines = text.splitlines()
    for number in range(after, len(lines) + 1):
        if pattern.search(lines[number - 1]):
            return number
    return after
