"""Secrets Manager secrets and Parameter Store parameters -> the graph's model. Pure.
Names are the ones Ref gives (samlite.template.names), so the local services hold them
where the app's code will look."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from samlite.dialects.dynamic_references import MalformedReference, find_references
from samlite.graph.model import (
    EdgeKind,
    GeneratedSecretString,
    NotRunLocally,
    Parameter,
    Secret,
)
from samlite.graph.parts import FUNCTION_TYPES, GraphParts
from samlite.graph.values import as_bool, as_int, as_map, as_text
from samlite.template.model import Resource, Unresolved
from samlite.template.names import secret_arn

SECRET_TYPE = "AWS::SecretsManager::Secret"   # noqa: S105 (a resource type, not a password)
PARAMETER_TYPE = "AWS::SSM::Parameter"
# GenerateSecretString's members that GetRandomPassword takes as they are (its
# SecretStringTemplate and GenerateStringKey are CloudFormation's own).
_PASSWORD_FLAGS = ("ExcludeLowercase", "ExcludeNumbers", "ExcludePunctuation",
                   "ExcludeUppercase", "IncludeSpace", "RequireEachIncludedType")


def read_secret(parts: GraphParts, res: Resource) -> None:
    props, _ = parts.props(res)
    given = props.get("SecretString")
    if isinstance(given, Unresolved):
        parts.not_local.append(NotRunLocally(
            subject=res.logical_id, type=SECRET_TYPE, at=res.at,
            reason=f"its SecretString ({given}) cannot be known locally, so the secret is not "
                   "created; create it yourself (aws secretsmanager create-secret "
                   "--endpoint-url ...)"))
        return
    arn = parts.ref_name(res)
    name = as_text(props.get("Name")) or _name_in_arn(arn) or res.logical_id
    if not arn.startswith("arn:"):
        arn = secret_arn(name, parts.resolved.pseudo, res.logical_id)
    generate = None
    if "GenerateSecretString" in props:
        spec = as_map(props.get("GenerateSecretString"))
        options: list[tuple[str, int | bool | str]] = []
        length = as_int(spec.get("PasswordLength"))
        if length is not None:
            options.append(("PasswordLength", length))
        excluded = as_text(spec.get("ExcludeCharacters"))
        if excluded is not None:
            options.append(("ExcludeCharacters", excluded))
        options += [(flag, as_bool(spec[flag], False)) for flag in _PASSWORD_FLAGS
                    if flag in spec]
        generate = GeneratedSecretString(
            options=tuple(options),
            secret_string_template=as_text(spec.get("SecretStringTemplate")),
            generate_string_key=as_text(spec.get("GenerateStringKey")))
    parts.secrets.append(Secret(
        logical_id=res.logical_id, name=name, arn=arn,
        secret_string=as_text(given), generate=generate,
        description=as_text(props.get("Description")), at=res.at))


def read_parameter(parts: GraphParts, res: Resource) -> None:
    props, _ = parts.props(res)
    value = props.get("Value")
    if isinstance(value, Unresolved):
        parts.not_local.append(NotRunLocally(
            subject=res.logical_id, type=PARAMETER_TYPE, at=res.at,
            reason=f"its Value ({value}) cannot be known locally, so the parameter is not "
                   "created; give it a literal Value, or put the parameter yourself "
                   "(aws ssm put-parameter --endpoint-url ...)"))
        return
    parts.parameters.append(Parameter(
        logical_id=res.logical_id, name=as_text(props.get("Name")) or parts.ref_name(res),
        type=as_text(props.get("Type")) or "String",
        value=as_text(value) or "",
        description=as_text(props.get("Description")),
        allowed_pattern=as_text(props.get("AllowedPattern")),
        data_type=as_text(props.get("DataType")), tier=as_text(props.get("Tier")),
        at=res.at))


def link_dynamic_references(parts: GraphParts) -> None:
    """An environment edge from each function to the template's secrets and parameters its
    variables' `{{resolve:...}}` references name (by name or ARN)."""
    by_name = {("ssm", p.name): p.logical_id for p in parts.parameters}
    by_name |= {("ssm-secure", p.name): p.logical_id for p in parts.parameters}
    for secret in parts.secrets:
        by_name["secretsmanager", secret.name] = secret.logical_id
        by_name["secretsmanager", secret.arn] = secret.logical_id
    for fn in parts.functions:
        for name, value in fn.environment:
            try:
                references = find_references(value)
            except MalformedReference:
                continue        # samlite validate names it (E3804)
            for reference in references:
                target = by_name.get((reference.service, reference.name))
                parts.edge(fn.logical_id, target, EdgeKind.ENVIRONMENT, name)


def name_unresolved_references(parts: GraphParts) -> None:
    """`{{resolve:...}}` anywhere but a function's environment variables is used as its
    literal text locally: each one is named under "Not run locally" (once per resource)."""
    for res in parts.resources.values():
        props, _ = parts.props(res)
        skip = ("Environment",) if res.type in FUNCTION_TYPES else ()
        found = next(_references_in(props, (), skip), None)
        if found is not None:
            path, text = found
            parts.not_local.append(NotRunLocally(
                subject=res.logical_id, type="dynamic reference", at=res.at,
                reason=f"{'.'.join(path)} holds {text}, which samlite resolves only in "
                       "functions' environment variables: here its literal text is used"))


def _references_in(value: Any, path: tuple[str, ...],
                   skip: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(value, str):
        if "{{resolve:" in value:
            yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if not path and key in skip:
                continue
            yield from _references_in(item, (*path, str(key)), skip)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _references_in(item, (*path, str(index)), skip)


def _name_in_arn(arn: str) -> str | None:
    """arn:...:secret:<name>-<6 characters> -> <name>."""
    if ":secret:" not in arn:
        return None
    return arn.split(":secret:", 1)[1].rsplit("-", 1)[0]
