"""Qualifier -> the version that runs and the ARN the handler sees, with Lambda's errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.runtime import api_errors
from samlite.runtime.async_records import invocation_record
from samlite.runtime.qualifiers import alias_version, resolve
from samlite.runtime.spec import AliasSpec, FunctionSpec

ARN = "arn:aws:lambda:us-east-1:123456789012:function:Orders"
SPEC = FunctionSpec(logical_id="OrdersFunction", function_name="Orders", handler="app.handler",
                    runtime="python3.12", code_dir=Path("/code"), publishes_versions=True,
                    aliases=(AliasSpec(name="live"),
                             AliasSpec(name="dev", on_published_version=False)))


@pytest.mark.parametrize(("case", "qualifier", "version", "invoked_arn"), [
    ("unqualified runs $LATEST, ARN unqualified", None, "$LATEST", ARN),
    ("$LATEST keeps its qualifier", "$LATEST", "$LATEST", f"{ARN}:$LATEST"),
    ("the newest version", "3", "3", f"{ARN}:3"),
    ("an alias runs the newest version", "live", "3", f"{ARN}:live"),
    ("an alias on $LATEST", "dev", "$LATEST", f"{ARN}:dev"),
])
def test_a_qualifier_names_a_version_and_the_invoked_arn(
        case: str, qualifier: str | None, version: str, invoked_arn: str) -> None:
    target = resolve(SPEC, qualifier, newest=3)
    assert (target.version, target.spec.version, target.invoked_arn) == (
        version, version, invoked_arn)


@pytest.mark.parametrize(("case", "qualifier"), [
    ("an unknown alias", "nope"),
    ("a version never published", "4"),
    ("version zero", "0"),
])
def test_an_unknown_qualifier_is_lambdas_resource_not_found(case: str, qualifier: str) -> None:
    with pytest.raises(api_errors.ResourceNotFound) as raised:
        resolve(SPEC, qualifier, newest=3)
    assert raised.value.error_type == "ResourceNotFoundException"
    assert raised.value.message == f"Function not found: {ARN}:{qualifier}"


def test_an_older_version_says_it_is_not_kept_and_what_runs() -> None:
    with pytest.raises(api_errors.VersionNotKept) as raised:
        resolve(SPEC, "2", newest=3)
    assert raised.value.status == 501
    assert raised.value.message.startswith(f"{ARN}:2 is not kept locally: samlite runs only "
                                           "the newest version (3)")
    assert "Invoke $LATEST, version 3 or an alias instead." in raised.value.message


def test_get_alias_wording_for_an_unknown_alias() -> None:
    assert alias_version(SPEC, "live", newest=2) == "2"
    with pytest.raises(api_errors.ResourceNotFound,
                       match=rf"^Cannot find alias arn: {ARN}:beta$"):
        alias_version(SPEC, "beta", newest=2)


def test_a_destination_record_carries_the_version_that_ran() -> None:
    record = invocation_record(request_id="r", function_arn=f"{ARN}:live", condition="Success",
                               approximate_invoke_count=1, request_payload=b"{}",
                               status_code=200, function_error=None, response_payload=b"1",
                               timestamp=0.0, executed_version="3")
    assert record["requestContext"]["functionArn"] == f"{ARN}:live"
    assert record["responseContext"]["executedVersion"] == "3"
