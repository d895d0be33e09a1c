"""SAM's policy templates as samlite reads them: every one of the packaged data file's
templates expands, with its parameters, into statements IAM accepts."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from samlite.iam.policy import PolicyError, policy_from_document
from samlite.iam.sam_templates import Pseudo, expand, parameters_of, template_names


def test_the_data_file_names_its_source() -> None:
    data = json.loads((resources.files("samlite.iam") / "sam_policy_templates.json")
                      .read_text("utf-8"))
    assert data["_source"].startswith("aws-sam-translator 1.")
    assert "policy_templates.json" in data["_source"]


@pytest.mark.parametrize("name", template_names())
def test_each_template_expands_to_a_valid_policy(name: str) -> None:
    arguments = {parameter: f"x{parameter}" for parameter in parameters_of(name)}
    statements = expand(name, arguments, Pseudo(region="eu-west-1", account_id="111"))
    policy = policy_from_document(statements, source=name)
    assert policy.statements
    text = json.dumps(statements)
    assert "${" not in text.replace("${aws:", "")    # every parameter was filled
    assert all(f"x{p}" in text for p in parameters_of(name))


def test_a_missing_parameter_is_named() -> None:
    with pytest.raises(PolicyError, match="S3ReadPolicy needs the parameter"):
        expand("S3ReadPolicy", {}, Pseudo())
