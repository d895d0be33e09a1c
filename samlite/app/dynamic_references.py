"""`{{resolve:...}}` in functions' environment variables, replaced with what the local
Secrets Manager and Parameter Store hold before any function starts: a handler sees the
value, as it would on AWS (CloudFormation resolves them when it deploys), never the
reference. A secret or parameter the template does not create comes from the secrets file
(`--secrets-file`, or `secrets_file` in samconfig.toml), put into the local services at
start; one that is nowhere is a ConfigError naming the function, the variable and the
reference.

The secrets file, JSON: {"secretsmanager": {"<name>": "<SecretString>" or {<JSON object>}},
"ssm": {"<parameter name>": "<value>"}}.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samlite.dialects.dynamic_references import (
    DynamicReference,
    MalformedReference,
    has_references,
    substitute,
)
from samlite.errors import ConfigError
from samlite.graph.model import Graph
from samlite.runtime.spec import FunctionSpec
from samlite.template.model import PseudoParameters

if TYPE_CHECKING:
    from samlite.app.aws import AwsServices
    from samlite.aws.secretsmanager.service import LocalSecrets
    from samlite.aws.ssm.service import LocalParameters

SAMCONFIG_KEY = "secrets_file"
_SECTIONS = ("secretsmanager", "ssm")


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretsFile:
    path: Path
    secrets: Mapping[str, str]          # name -> SecretString
    parameters: Mapping[str, str]       # name -> value


def read_secrets_file(path: Path) -> SecretsFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: the secrets file cannot be read ({exc.strerror})") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{path}: the secrets file is not JSON ({exc})") from exc
    if not isinstance(data, dict) or set(data) - set(_SECTIONS):
        raise ConfigError(f"{path}: the secrets file must be a JSON object with "
                          '"secretsmanager" and/or "ssm" (name -> value) objects')
    sections: dict[str, dict[str, str]] = {}
    for section in _SECTIONS:
        entries = data.get(section, {})
        if not isinstance(entries, dict):
            raise ConfigError(f"{path}: {section} must be an object of name -> value")
        values: dict[str, str] = {}
        for name, value in entries.items():
            if section == "secretsmanager" and isinstance(value, dict):
                value = json.dumps(value)
            if not isinstance(value, str):
                kind = "a string or a JSON object" if section == "secretsmanager" else \
                    "a string"
                raise ConfigError(f"{path}: {section}.{name} must be {kind}")
            values[name] = value
        sections[section] = values
    return SecretsFile(path=path, secrets=sections["secretsmanager"],
                       parameters=sections["ssm"])


def secrets_file_for(project_dir: Path, config_env: str, command: str, flag: str | None, *,
                     cwd: Path, config_file: Path | None = None) -> Path | None:
    """`--secrets-file` (from `cwd`), else samconfig.toml's `secrets_file` (the command's
    table, then `up`'s; from the project folder), else None."""
    from samlite.app.config import read_samconfig

    if flag:
        return (cwd / flag).resolve()
    for table in (command, "up"):
        config = read_samconfig(project_dir, config_env, table, config_file=config_file)
        value = config.values.get(SAMCONFIG_KEY)
        if value is None:
            continue
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{config.path}: {SAMCONFIG_KEY} must be a file name")
        return (project_dir / value).resolve()
    return None


def needs_values(specs: Sequence[FunctionSpec]) -> bool:
    return any(has_references(value) for spec in specs for value in spec.variables.values())


def put_secrets_file(file: SecretsFile, *, secrets: Callable[[], LocalSecrets],
                     parameters: Callable[[], LocalParameters]) -> None:
    """The file's secrets and parameters exist in the local services with its values (a
    service the file gives nothing to is not made)."""
    from samlite.aws.in_process import ServiceError

    try:
        for name, value in file.secrets.items():
            service = secrets()
            if not service.has_secret(name):
                service.call("CreateSecret", {"Name": name, "SecretString": value})
            elif service.secret_string(name) != value:
                service.call("PutSecretValue", {"SecretId": name, "SecretString": value})
        for name, value in file.parameters.items():
            parameters().ensure_parameter(name=name, value=value, type_="String")
    except ServiceError as exc:
        raise ConfigError(f"{file.path}: {exc.message or exc.code}") from exc


def resolved_for_app(specs: tuple[FunctionSpec, ...], graph: Graph, *,
                     aws: AwsServices | None, secrets_file: Path | None,
                     pseudo: PseudoParameters) -> tuple[FunctionSpec, ...]:
    """`specs` with their dynamic references resolved against the app's local Secrets
    Manager and Parameter Store (`aws`), or, for a one-shot invoke without an endpoint,
    ones in memory made from the template and the secrets file. The secrets file's values
    are put into `aws` even when no reference names them (boto3 and the extension see
    them)."""
    file = read_secrets_file(secrets_file) if secrets_file else None
    if aws is not None:
        if file is not None:
            put_secrets_file(file, secrets=lambda: aws.secrets,
                             parameters=lambda: aws.parameters)
        if not needs_values(specs):
            return specs
        aws.ensure_resources(graph)     # a reload's new secrets exist before they are read
        return resolve_specs(specs, graph, secrets=lambda: aws.secrets,
                             parameters=lambda: aws.parameters, secrets_file=secrets_file)
    if not needs_values(specs):
        return specs
    from samlite.app.secrets_parameters import MemoryStores

    stores = MemoryStores(graph, account_id=pseudo.account_id, region=pseudo.region)
    try:
        if file is not None:
            put_secrets_file(file, secrets=stores.secrets, parameters=stores.parameters)
        return resolve_specs(specs, graph, secrets=stores.secrets,
                             parameters=stores.parameters, secrets_file=secrets_file)
    finally:
        stores.close()


def resolve_specs(specs: Sequence[FunctionSpec], graph: Graph, *,
                  secrets: Callable[[], LocalSecrets],
                  parameters: Callable[[], LocalParameters],
                  secrets_file: Path | None) -> tuple[FunctionSpec, ...]:
    """`specs` with every dynamic reference in their variables replaced by its value."""
    where = {fn.logical_id: fn.at for fn in graph.functions}
    known = _template_values(graph)
    resolved: list[FunctionSpec] = []
    for spec in specs:
        variables = dict(spec.variables)
        for name, text in spec.variables.items():
            if not has_references(text):
                continue
            place = f"{where.get(spec.logical_id, spec.logical_id)}: {spec.logical_id}: " \
                    f"Environment.Variables.{name}"
            try:
                variables[name] = substitute(text, lambda ref, place=place: _value(
                    ref, place, known, secrets, parameters, secrets_file))
            except MalformedReference as exc:
                raise ConfigError(f"{place}: {exc}") from exc
        resolved.append(dataclasses.replace(spec, variables=variables)
                        if variables != spec.variables else spec)
    return tuple(resolved)


def _template_values(graph: Graph) -> dict[tuple[str, str], str]:
    """(service, name) -> the value the template gives: at start a template's secret or
    parameter holds just that (app/aws.py puts it), so a reference to its current value
    needs no service (and no moto import)."""
    known = {("ssm", p.name): p.value for p in graph.parameters}
    for secret in graph.secrets:
        if secret.secret_string is not None:
            known["secretsmanager", secret.name] = secret.secret_string
            known["secretsmanager", secret.arn] = secret.secret_string
    return known


def _value(reference: DynamicReference, place: str, known: Mapping[tuple[str, str], str],
           secrets: Callable[[], LocalSecrets], parameters: Callable[[], LocalParameters],
           secrets_file: Path | None) -> str:
    from samlite.aws.in_process import ServiceError

    current = reference.version is None and reference.version_id is None and \
        reference.version_stage in (None, "AWSCURRENT")
    given = known.get((reference.service, reference.name)) if current else None
    try:
        if given is not None:
            return given if reference.json_key is None else _json_key(reference, given)
        if reference.service == "secretsmanager":
            text = secrets().secret_string(reference.name, version_id=reference.version_id,
                                           version_stage=reference.version_stage)
            return text if reference.json_key is None else _json_key(reference, text)
        name = reference.name + (f":{reference.version}" if reference.version else "")
        return parameters().value(name, with_decryption=reference.service == "ssm-secure")
    except ServiceError as exc:
        raise ConfigError(f"{place}: {reference.text}: {_missing(reference, exc, secrets_file)}"
                          ) from exc
    except _NotAKey as exc:
        raise ConfigError(f"{place}: {reference.text}: {exc}") from exc


class _NotAKey(Exception):
    pass


def _json_key(reference: DynamicReference, text: str) -> str:
    try:
        document: Any = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict) or reference.json_key not in document:
        raise _NotAKey(f"the secret {reference.name} has no JSON key {reference.json_key!r}")
    value = document[reference.json_key]
    return value if isinstance(value, str) else json.dumps(value)


def _missing(reference: DynamicReference, exc: Exception, secrets_file: Path | None) -> str:
    from samlite.aws.in_process import ServiceError

    code = exc.code if isinstance(exc, ServiceError) else ""
    if code not in ("ResourceNotFoundException", "ParameterNotFound",
                    "ParameterVersionNotFound"):
        return str(getattr(exc, "message", exc))
    section = "secretsmanager" if reference.service == "secretsmanager" else "ssm"
    kind = "secret" if section == "secretsmanager" else "parameter"
    file = f"add it to {secrets_file}" if secrets_file else \
        "give it in a secrets file (--secrets-file secrets.json, or secrets_file in " \
        "samconfig.toml)"
    return (f"the {kind} {reference.name} is not in this template nor on the local "
            f"{'Secrets Manager' if kind == 'secret' else 'Parameter Store'}; {file}: "
            f'{{"{section}": {{"{reference.name}": "..."}}}}')
