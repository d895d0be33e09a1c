"""Secrets' SecretString / GenerateSecretString rules and malformed dynamic references."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.errors import Problem
from samlite.template.load import parse_template
from samlite.validation.checks.context import CheckContext
from samlite.validation.checks.secrets import CHECKS


def run(text: str) -> list[Problem]:
    ctx = CheckContext(loaded=parse_template(text, name="template.yaml"), resolved=None,
                       project_dir=Path())
    return [p for check in CHECKS for p in check(ctx)]


HEAD = "Resources:\n  S:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n"


@pytest.mark.parametrize(("case", "properties", "codes"), [
    ("both values", "      SecretString: x\n      GenerateSecretString: {}\n", ["E3801"]),
    ("template without key",
     "      GenerateSecretString: {SecretStringTemplate: '{\"u\": 1}'}\n", ["E3802"]),
    ("template not an object",
     "      GenerateSecretString: {SecretStringTemplate: '[1]', GenerateStringKey: p}\n",
     ["E3803"]),
    ("fine", "      GenerateSecretString: {SecretStringTemplate: '{}', GenerateStringKey: p}\n",
     []),
])
def test_secret_rules(case: str, properties: str, codes: list[str]) -> None:
    assert [p.code for p in run(HEAD + properties)] == codes


def test_a_malformed_dynamic_reference_is_named_where_it_is() -> None:
    [found] = run("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                  "      QueueName: '{{resolve:ssm:/name:latest}}'\n")
    assert found.code == "E3804"
    assert found.at.line == 5
    assert "must be a number" in found.message
