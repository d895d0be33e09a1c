"""Secrets Manager secrets and dynamic references as CloudFormation takes them: a secret's
SecretString or GenerateSecretString, not both ("AWS::SecretsManager::Secret" reference);
SecretStringTemplate and GenerateStringKey together, the template a JSON object
("AWS::SecretsManager::Secret GenerateSecretString"); `{{resolve:...}}` references in the
patterns of "Get values stored in other services using dynamic references". Works on the
raw nodes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from samlite.errors import Problem
from samlite.validation.checks.context import Check, CheckContext
from samlite.validation.checks.references import problem, properties_of, resources_of

__all__ = ["CHECKS", "check_dynamic_references", "check_secrets"]

SECRET_TYPE = "AWS::SecretsManager::Secret"   # noqa: S105 (a resource type)


def check_secrets(ctx: CheckContext) -> Iterator[Problem]:
    for logical_id, resource in resources_of(ctx).items():
        if resource.get("Type") != SECRET_TYPE:
            continue
        props = properties_of(resource)
        path = ("Resources", logical_id, "Properties")
        if "SecretString" in props and "GenerateSecretString" in props:
            yield problem(ctx, "E3801", "give SecretString or GenerateSecretString, not both "
                          "(CloudFormation refuses a secret with both)",
                          (*path, "GenerateSecretString"), resource=logical_id)
        spec = props.get("GenerateSecretString")
        if not isinstance(spec, dict):
            continue
        template, key = spec.get("SecretStringTemplate"), spec.get("GenerateStringKey")
        spec_path = (*path, "GenerateSecretString")
        if (template is None) != (key is None):
            given, missing = (("SecretStringTemplate", "GenerateStringKey") if key is None
                              else ("GenerateStringKey", "SecretStringTemplate"))
            yield problem(ctx, "E3802", f"{given} needs {missing}: the password goes into the "
                          "template's JSON object under that key",
                          (*spec_path, given), resource=logical_id)
        if isinstance(template, str) and not _is_json_object(template):
            yield problem(ctx, "E3803", "SecretStringTemplate must be a JSON object, e.g. "
                          f"'{{\"username\": \"admin\"}}' (got {template!r})",
                          (*spec_path, "SecretStringTemplate"), resource=logical_id)


def check_dynamic_references(ctx: CheckContext) -> Iterator[Problem]:
    for logical_id, resource in resources_of(ctx).items():
        if not _mentions_reference(resource):
            continue
        # Imported only for a template with a dynamic reference: most have none.
        from samlite.dialects.dynamic_references import MalformedReference, find_references

        for path, text in _strings(resource, ("Resources", logical_id)):
            try:
                find_references(text)
            except MalformedReference as exc:
                yield problem(ctx, "E3804", f"dynamic reference {exc}", path,
                              resource=logical_id)


def _mentions_reference(value: Any) -> bool:
    """Whether any string under `value` has a dynamic reference: a walk that builds no paths,
    so the resources without one (nearly all) cost little."""
    if isinstance(value, str):
        return "{{resolve:" in value
    if isinstance(value, dict):
        return any(map(_mentions_reference, value.values()))
    if isinstance(value, list):
        return any(map(_mentions_reference, value))
    return False


def _strings(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(value, str):
        if "{{resolve:" in value:
            yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, str(index)))


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


CHECKS: tuple[Check, ...] = (check_secrets, check_dynamic_references)
