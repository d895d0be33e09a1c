"""Dynamic references taken apart as CloudFormation's user guide describes them."""

from __future__ import annotations

import pytest

from samlite.dialects.dynamic_references import (
    DynamicReference,
    MalformedReference,
    find_references,
    substitute,
)

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"


@pytest.mark.parametrize(("case", "text", "expected"), [
    ("ssm name", "{{resolve:ssm:/app/url}}",
     DynamicReference(text="{{resolve:ssm:/app/url}}", service="ssm", name="/app/url")),
    ("ssm version", "{{resolve:ssm:/app/url:3}}",
     DynamicReference(text="{{resolve:ssm:/app/url:3}}", service="ssm", name="/app/url",
                      version="3")),
    ("ssm-secure", "{{resolve:ssm-secure:key}}",
     DynamicReference(text="{{resolve:ssm-secure:key}}", service="ssm-secure", name="key")),
    ("whole secret", "{{resolve:secretsmanager:prod/db}}",
     DynamicReference(text="{{resolve:secretsmanager:prod/db}}", service="secretsmanager",
                      name="prod/db")),
    ("json key", "{{resolve:secretsmanager:prod/db:SecretString:password}}",
     DynamicReference(text="{{resolve:secretsmanager:prod/db:SecretString:password}}",
                      service="secretsmanager", name="prod/db", json_key="password")),
    ("stage, no key", "{{resolve:secretsmanager:prod/db:SecretString::AWSPREVIOUS}}",
     DynamicReference(text="{{resolve:secretsmanager:prod/db:SecretString::AWSPREVIOUS}}",
                      service="secretsmanager", name="prod/db", version_stage="AWSPREVIOUS")),
    ("arn with key", f"{{{{resolve:secretsmanager:{ARN}:SecretString:user}}}}",
     DynamicReference(text=f"{{{{resolve:secretsmanager:{ARN}:SecretString:user}}}}",
                      service="secretsmanager", name=ARN, json_key="user")),
])
def test_references_are_taken_apart(case: str, text: str, expected: DynamicReference) -> None:
    assert find_references(f"x {text} y") == (expected,)


@pytest.mark.parametrize(("case", "text", "says"), [
    ("unknown service", "{{resolve:vault:x}}", "not one of"),
    ("ssm version not a number", "{{resolve:ssm:/a:latest}}", "must be a number"),
    ("not SecretString", "{{resolve:secretsmanager:a:SecretBinary}}", "must be SecretString"),
    ("stage and id", "{{resolve:secretsmanager:a:SecretString:k:AWSCURRENT:v1}}", "not both"),
])
def test_malformed_references_say_why(case: str, text: str, says: str) -> None:
    with pytest.raises(MalformedReference, match=says):
        find_references(text)


def test_substitute_replaces_each_reference() -> None:
    text = "postgres://{{resolve:ssm:/db/user}}:{{resolve:secretsmanager:db:SecretString:pw}}@h"
    assert substitute(text, lambda r: r.name.upper()) == "postgres:///DB/USER:DB@h"
