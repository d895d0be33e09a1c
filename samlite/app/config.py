"""SAM CLI's settings: samconfig.toml, `--parameter-overrides` and the pseudo parameters.

Reads samconfig.toml (the only file read here) as the AWS SAM CLI developer guide describes
it ("AWS SAM CLI configuration file"): `version = 0.1`, tables `[<env>.<command>.parameters]`
with `global` for every command, sub-commands written `local_invoke`; a command's table wins
over `global`. Parameter overrides use SAM CLI's syntax: `Key=Value Key2="a value"` or
`ParameterKey=Key,ParameterValue=Value`, as one string or a TOML list of such items.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samlite.errors import ConfigError
from samlite.template.pseudo import PseudoParameters

CONFIG_FILE = "samconfig.toml"
DEFAULT_REGION = "us-east-1"
_KEY = re.compile(r"[A-Za-z0-9]+")   # CloudFormation parameter names are alphanumeric
_LONG_FORM = re.compile(r"ParameterKey=(?P<key>[^,]*),ParameterValue=(?P<value>.*)", re.DOTALL)


@dataclass(frozen=True, slots=True, kw_only=True)
class SamConfig:
    """The settings one command sees: `[<env>.global.parameters]` overlaid with
    `[<env>.<command>.parameters]`. `path` is None when there is no samconfig.toml."""

    path: Path | None = None
    config_env: str = "default"
    command: str = "validate"
    values: Mapping[str, Any] = field(default_factory=dict)
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)

    @property
    def template_file(self) -> str | None:
        return _text_or_none(self.values.get("template_file") or self.values.get("template"))

    @property
    def region(self) -> str | None:
        return _text_or_none(self.values.get("region"))

    @property
    def stack_name(self) -> str | None:
        return _text_or_none(self.values.get("stack_name"))


def parse_parameter_overrides(value: str | Iterable[str] | None) -> dict[str, str]:
    """`Key=Value Key2="quoted value"` or `ParameterKey=K,ParameterValue=V` (SAM CLI's two
    forms), given as one string or as a list whose items are one pair each."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            items = shlex.split(value)
        except ValueError as exc:   # an unclosed quote
            raise ConfigError(f"--parameter-overrides {value!r}: {exc}") from exc
    else:
        items = [_unquote(str(item).strip()) for item in value]
    overrides: dict[str, str] = {}
    for item in items:
        key, val = _pair(item)
        overrides[key] = val
    return overrides


def _pair(item: str) -> tuple[str, str]:
    match = _LONG_FORM.fullmatch(item)
    if match:
        key, value = match["key"], _unquote(match["value"])
    else:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--parameter-overrides: {item!r} is not Key=Value "
                              "(or ParameterKey=Key,ParameterValue=Value)")
        value = _unquote(value)
    if not _KEY.fullmatch(key):
        raise ConfigError(f"--parameter-overrides: {key!r} is not a parameter name "
                          "(names are letters and digits)")
    return key, value


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def read_samconfig(project_dir: Path, config_env: str = "default", command: str = "validate",
                   *, config_file: Path | None = None) -> SamConfig:
    """The settings `command` sees in `project_dir`/samconfig.toml (or `config_file`).

    Parameter overrides come from `[<env>.deploy.parameters]` (where `sam deploy --guided`
    writes them), then `global`, then the command's own table, later ones winning per key, so
    that validate and local runs use the values the stack is deployed with. No file: empty
    settings. A file that is not valid TOML, or lacks a requested non-default environment,
    is a ConfigError naming the file (and line)."""
    path = config_file or project_dir / CONFIG_FILE
    if not path.is_file():
        if config_file is not None:
            raise ConfigError(f"{path}: no such config file")
        return SamConfig(config_env=config_env, command=command)
    data = _load_toml(path)
    env = data.get(config_env)
    if env is None:
        if config_env != "default":
            known = ", ".join(sorted(k for k, v in data.items() if isinstance(v, dict)))
            raise ConfigError(f"{path}: no [{config_env}] environment (found: {known or 'none'})")
        env = {}
    if not isinstance(env, dict):
        raise ConfigError(f"{path}: [{config_env}] must be a table")
    command_key = command.replace(" ", "_").replace("-", "_")
    values: dict[str, Any] = {}
    overrides: dict[str, str] = {}
    tables = ["global", command_key] if command_key != "global" else ["global"]
    for table in ["deploy", *tables] if command_key != "deploy" else tables:
        parameters = _parameters_table(path, env, config_env, table)
        if table in tables:
            values.update(parameters)
        try:
            overrides.update(parse_parameter_overrides(parameters.get("parameter_overrides")))
        except ConfigError as exc:
            where = f"[{config_env}.{table}.parameters] parameter_overrides"
            raise ConfigError(f"{path}: {where}: {exc}") from exc
    values.pop("parameter_overrides", None)
    return SamConfig(path=path, config_env=config_env, command=command, values=values,
                     parameter_overrides=overrides)


def option_values(project_dir: Path, config_env: str, commands: Iterable[str], *,
                  config_file: Path | None = None) -> tuple[Path | None, dict[str, Any]]:
    """The samconfig file and the option values it gives a command that reads `commands`'
    tables: `[<env>.global.parameters]`, then each command's own table, a later one winning
    per key (`global` never overrides a command's table)."""
    path = config_file or project_dir / CONFIG_FILE
    if not path.is_file():
        if config_file is not None:
            raise ConfigError(f"{path}: no such config file")
        return None, {}
    read_samconfig(project_dir, config_env, config_file=config_file)   # the file's own errors
    env = _load_toml(path).get(config_env) or {}
    values: dict[str, Any] = {}
    for table in ("global", *(c.replace(" ", "_").replace("-", "_") for c in commands)):
        values.update(_parameters_table(path, env, config_env, table))
    return path, values


def layer_mappings_for(project_dir: Path, config_env: str, command: str,
                       flags: Iterable[str], *, cwd: Path,
                       config_file: Path | None = None) -> dict[str, Path]:
    """Layer ARN -> local folder or requirements file: samconfig.toml's `layer` lists
    (`[<env>.global.parameters]`, `[<env>.up.parameters]`, then the command's own table;
    paths from the project folder), then the `--layer ARN=PATH` flags (paths from `cwd`).
    A later mapping of the same ARN wins."""
    from samlite.build.layer_arns import layer_mappings

    mapped: dict[str, Path] = {}
    for table in ("up", command) if command != "up" else ("up",):
        config = read_samconfig(project_dir, config_env, table, config_file=config_file)
        items = config.values.get("layer") or []
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f"{config.path}: layer must be a list of \"ARN=PATH\" strings")
        mapped.update(layer_mappings(items, base=project_dir, where=f"{config.path}: layer"))
    mapped.update(layer_mappings(list(flags), base=cwd))
    return mapped


IAM_MODES = ("enforce", "warn", "off")
DEFAULT_IAM_MODE = "warn"


@dataclass(frozen=True, slots=True, kw_only=True)
class IamChoice:
    """The IAM mode a run uses and where it came from, as the `IAM:` line shows it."""

    mode: str = DEFAULT_IAM_MODE
    source: str = "the default"    # "--iam", "samconfig.toml [default.up.parameters]"...


def iam_line(mode: str, source: str) -> str:
    """The one line `up` and the pytest plugin's log print, so a run shows its IAM mode."""
    return f"IAM: {mode} (from {source}; enforce|warn|off, docs/iam.md)"


def iam_mode_for(project_dir: Path, config_env: str, command: str, flag: str | None, *,
                 config_file: Path | None = None) -> IamChoice:
    """`--iam`, else samconfig.toml's `iam` (the command's table, then `up`'s), else warn."""
    if flag:
        return IamChoice(mode=flag, source="--iam")
    for table in (command, "up"):
        config = read_samconfig(project_dir, config_env, table, config_file=config_file)
        value = config.values.get("iam")
        if value is None:
            continue
        if value not in IAM_MODES:
            raise ConfigError(f"{config.path}: iam must be one of {', '.join(IAM_MODES)} "
                              f"(got {value!r})")
        where = _table_with(config, "iam")
        return IamChoice(mode=str(value), source=f"{config.path.name} {where}"
                         if config.path else "samconfig.toml")
    return IamChoice()


def _table_with(config: SamConfig, key: str) -> str:
    """The table of `config` that sets `key`: the command's own wins over `global`."""
    data = _load_toml(config.path) if config.path else {}
    env = data.get(config.config_env, {})
    for table in (config.command.replace(" ", "_").replace("-", "_"), "global"):
        section = env.get(table, {}) if isinstance(env, dict) else {}
        parameters = section.get("parameters", {}) if isinstance(section, dict) else {}
        if isinstance(parameters, dict) and key in parameters:
            return f"[{config.config_env}.{table}.parameters]"
    return f"[{config.config_env}.global.parameters]"


def _load_toml(path: Path) -> dict[str, Any]:
    import tomllib  # here: only a project with a samconfig.toml pays for it

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib ends its message with "(at line L, column C)"; put the place first.
        message = str(exc)
        place = re.search(r"\(at line (\d+), column (\d+)\)$", message)
        if place:
            message = message[: place.start()].strip()
            raise ConfigError(f"{path}:{place[1]}:{place[2]}: not valid TOML: {message}") from exc
        raise ConfigError(f"{path}: not valid TOML: {message}") from exc


def _parameters_table(path: Path, env: Mapping[str, Any], config_env: str,
                      table: str) -> dict[str, Any]:
    section = env.get(table, {})
    parameters = section.get("parameters", {}) if isinstance(section, dict) else None
    if not isinstance(parameters, dict):
        raise ConfigError(f"{path}: [{config_env}.{table}.parameters] must be a table")
    return parameters


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def stack_name_for(project_dir: Path) -> str:
    """A CloudFormation stack name from the project folder's name: letters, digits and
    hyphens, starting with a letter, at most 128 characters."""
    name = re.sub(r"[^A-Za-z0-9-]+", "-", project_dir.resolve().name).strip("-")
    if not name or not name[0].isalpha():
        name = "samlite-" + name if name else "samlite"
    return name[:128].rstrip("-")


def pseudo_parameters(project_dir: Path, environ: Mapping[str, str], *,
                      config: SamConfig | None = None,
                      region: str | None = None) -> PseudoParameters:
    """The pseudo parameters samlite uses for a project: AWS::Region from `region`, else
    samconfig's region, else AWS_REGION / AWS_DEFAULT_REGION in `environ`, else us-east-1;
    AWS::StackName from samconfig's stack_name, else the project folder; the partition and
    URL suffix of the region (China and GovCloud differ)."""
    chosen = (region or (config.region if config else None) or environ.get("AWS_REGION")
              or environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION)
    partition, suffix = "aws", "amazonaws.com"
    if chosen.startswith("cn-"):
        partition, suffix = "aws-cn", "amazonaws.com.cn"
    elif chosen.startswith("us-gov-"):
        partition = "aws-us-gov"
    stack = (config.stack_name if config else None) or stack_name_for(project_dir)
    return PseudoParameters(region=chosen, stack_name=stack, partition=partition,
                            url_suffix=suffix)
