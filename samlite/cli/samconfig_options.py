"""Command-line options from samconfig.toml, as SAM CLI reads them ("AWS SAM CLI configuration
file" in its developer guide): an option not given on the command line takes the value of its
key, the long flag's name with underscores (`aws_port` for `--aws-port`), from the command's
tables; a given flag wins. Options read elsewhere, with rules of their own, are left alone."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from samlite.errors import ConfigError

# parameter_overrides merges per key (options.settings); layer paths start at the project
# folder (config.layer_mappings_for); the file, environment and template pick the tables.
READ_ELSEWHERE = frozenset({"parameter_overrides", "config_file", "config_env", "template",
                            "template_file", "layer"})


def with_samconfig(ctx: click.Context, params: Mapping[str, Any], template: Path,
                   commands: tuple[str, ...]) -> dict[str, Any]:
    """`params` with each option left at its default replaced by samconfig's value."""
    from samlite.app.config import option_values

    project_dir = template.resolve().parent
    config_file = params.get("config_file")
    path, values = option_values(project_dir, params.get("config_env") or "default", commands,
                                 config_file=project_dir / config_file if config_file else None)
    chosen = dict(params)
    for param in ctx.command.params:
        key = _key(param)
        if key is None or key in READ_ELSEWHERE or key not in values \
                or param.name not in params \
                or ctx.get_parameter_source(param.name) is not ParameterSource.DEFAULT:
            continue
        try:
            chosen[param.name] = param.type_cast_value(ctx, values[key])
        except click.BadParameter as exc:
            raise ConfigError(f"{path}: {key} = {values[key]!r}: {exc.message}") from exc
    return chosen


def _key(param: click.Parameter) -> str | None:
    """An option's samconfig key: its long flag's name (`--idle-timeout`: idle_timeout)."""
    if not isinstance(param, click.Option) or not param.expose_value or param.name is None:
        return None
    long = [opt for opt in param.opts if opt.startswith("--")]
    return max(long, key=len)[2:].replace("-", "_") if long else param.name
