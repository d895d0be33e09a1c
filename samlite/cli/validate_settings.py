"""Where `samlite validate` finds the user's suppressions besides the template itself: the
command line, samconfig.toml (`ignore`/`warn` in `[<env>.validate.parameters]` or
`global`), and the nearest pyproject.toml at or above the template's folder
(`[tool.samlite.validate]`). Reads files; validation/suppressions.py judges the codes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from samlite.errors import ConfigError, Mark
from samlite.validation.suppressions import Suppressions, combine, from_settings

PYPROJECT = "pyproject.toml"


def suppressions_for(template: Path, *, ignore: Sequence[str], warn: Sequence[str],
                     config_file: str | None, config_env: str) -> Suppressions:
    from samlite.app.config import read_samconfig

    project_dir = template.resolve().parent
    here = Mark(str(template), 1, 1)   # where a bad code given on the command line is told
    parts = [from_settings(ignore, warn, source="--ignore/--warn", at=here)]
    config = read_samconfig(project_dir, config_env, "validate",
                            config_file=project_dir / config_file if config_file else None)
    if config.path is not None:
        parts.append(_from_table(config.values, config.path, "samconfig.toml"))
    pyproject = _nearest(project_dir, PYPROJECT)
    if pyproject is not None:
        table = _tool_table(pyproject)
        if table:
            parts.append(_from_table(table, pyproject, "[tool.samlite.validate]"))
    return combine(parts)


def _from_table(values: dict[str, Any], path: Path, source: str) -> Suppressions:
    text = path.read_text(encoding="utf-8", errors="replace")
    shown = _as_given(path)
    found = [from_settings([values.get(key)] if key == "ignore" else [],
                           [values.get(key)] if key == "warn" else [],
                           source=f"{source} {key}", at=Mark(shown, _line_of(text, key), 1))
             for key in ("ignore", "warn") if values.get(key) is not None]
    return combine(found)


def _tool_table(path: Path) -> dict[str, Any]:
    import tomllib  # here: only a project with a pyproject.toml pays for it

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    table = data.get("tool", {}).get("samlite", {}).get("validate", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.samlite.validate] must be a table")
    return table


def _nearest(start: Path, name: str) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _as_given(path: Path) -> str:
    """Relative to the working folder when it is under it, as template paths are shown
    (GitHub annotations and SARIF locations need a path from the repository's root)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _line_of(text: str, key: str) -> int:
    found = re.search(rf"^\s*{key}\s*=", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else 1
