"""Conformance on AWS SAM's own translator test inputs (../shared/corpus/sam-translator).

valid/: every template validates without errors, except the ones listed in REJECTED_VALID
with the reason. invalid/: at least 90 % are rejected, each with an error at a resource AWS's
expected message names, and (where that message is about a property samlite models) an error
naming that property. The rates are printed (pytest -s shows them).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from samlite.errors import Problem
from samlite.validation.pipeline import validate_file
from tests.conftest import CORPUS

VALID = sorted(CORPUS.glob("sam-translator/valid/*.yaml"))
INVALID = sorted(CORPUS.glob("sam-translator/invalid/*.yaml"))

# A runtime AWS already refuses to create functions with (python2.7, nodejs12.x, …) makes the
# deploy fail, so it is an error here; a valid template may fail with that error alone.
BLOCKED_RUNTIME = "E6002"

# Valid SAM input that samlite rejects on purpose, with why: the translator does not look at
# references, but CloudFormation rejects a template whose references name nothing.
REJECTED_VALID: dict[str, str] = {
    "api_with_any_method_in_swagger.yaml": "StageName: !Ref Stage, and there is no Stage",
    "function_with_event_dest_basic.yaml": "Fn::If on condition SomeCondition, not defined",
    "http_api_existing_openapi.yaml": "Fn::Sub ${DifferentFunction.Arn}, no such resource",
    "intrinsic_functions.yaml": "Fn::GetAtt [..., Fn::Ref ...]: Fn::Ref is no intrinsic",
    "layers_with_intrinsics.yaml": "Ref LayerRuntimeString, no such parameter or resource",
}

# Invalid SAM input that samlite accepts on purpose (counted as misses in the rate), with why.
ACCEPTED_INVALID: dict[str, str] = {
    "error_function_no_codeuri.yaml": "no CodeUri and no InlineCode: like SAM CLI, samlite "
    "packages the template's folder (apps/textract-lambda-sam-python relies on it); W7101",
}

# Properties samlite models: where AWS's message quotes one of these, our error must name it.
MODELED = {
    "Handler", "Runtime", "CodeUri", "InlineCode", "MemorySize", "Timeout", "Layers", "Role",
    "Events", "Queue", "Bucket", "ImageUri", "FunctionUrlConfig", "AuthType", "Cors",
    "DeadLetterQueue", "Properties", "Auth", "DefinitionBody", "RestApiId", "ApiId",
    "StageName", "Method", "Path", "Tags", "NotificationConfiguration", "DependsOn",
    "ContentUri", "LicenseInfo", "AutoPublishAlias", "DeploymentPreference", "Resources",
    "Globals", "Mappings", "Parameters", "Fn::If", "Fn::Sub", "FindInMap", "Fn::FindInMap",
    "StatusCode", "OpenApiVersion", "VersionDeletionPolicy",
}


@cache
def expected_messages() -> dict[str, str]:
    return json.loads((CORPUS / "sam-translator/invalid/expected.json").read_text())


@cache
def errors_of(path: Path) -> tuple[Problem, ...]:
    return tuple(p for p in validate_file(path, name=path.name).problems if p.is_error)


def is_accepted(path: Path) -> bool:
    """No error, or only errors for runtimes AWS no longer lets anyone create."""
    return all(p.code == BLOCKED_RUNTIME for p in errors_of(path))


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_templates_have_no_errors(path: Path) -> None:
    if path.name in REJECTED_VALID:
        assert not is_accepted(path), f"{path.name} is listed as rejected but validates"
        return
    assert is_accepted(path), "\n".join(map(str, errors_of(path)))


def test_blocked_runtimes_are_the_only_error_of_the_templates_that_use_them() -> None:
    blocked = [p.name for p in VALID if errors_of(p) and is_accepted(p)]
    print(f"\n{len(blocked)} valid templates fail only for runtimes AWS blocks: "
          + ", ".join(blocked))
    runtimes = {re.search(r"functions with (\S+) \(blocked", p.message)[1]
                for path in VALID for p in errors_of(path) if p.code == BLOCKED_RUNTIME}
    print("blocked runtimes met:", ", ".join(sorted(runtimes)))
    assert {"nodejs12.x", "python2.7", "python3.7"} <= runtimes


def _resources_named(message: str) -> set[str]:
    return set(re.findall(r"(?:Resource|resource) with id \[([^\]]+)\]", message))


def _mentions(problem: Problem, resource: str) -> bool:
    return problem.resource == resource or f".{resource}." in f".{problem.path}." or (
        resource in problem.message)


def judge(path: Path) -> str:
    """'ok', or why the template does not pass as invalid."""
    errors = errors_of(path)
    if not errors:
        return "accepted"
    message = expected_messages()[path.name]
    resources = _resources_named(message)
    if resources and not any(_mentions(p, r) for p in errors for r in resources):
        return f"errors name none of {sorted(resources)}: {errors[0]}"
    quoted = set(re.findall(r"'([A-Za-z:]+)'", message)) & MODELED
    text = " ".join(f"{p.path} {p.message}" for p in errors)
    if quoted and not any(q in text for q in quoted):
        return f"errors name none of the properties {sorted(quoted)}: {errors[0]}"
    return "ok"


def test_invalid_templates_are_rejected_at_the_right_resource() -> None:
    verdicts = {path.name: judge(path) for path in INVALID}
    misses = {name: why for name, why in verdicts.items() if why != "ok"}
    valid_ok = sum(is_accepted(p) or p.name in REJECTED_VALID for p in VALID)
    rate = 1 - len(misses) / len(INVALID)
    print(f"\nconformance: valid accepted {valid_ok}/{len(VALID)} "
          f"({valid_ok / len(VALID):.0%}); invalid rejected at the right place "
          f"{len(INVALID) - len(misses)}/{len(INVALID)} ({rate:.0%})")
    for name, why in sorted(misses.items()):
        print(f"  miss {name}: {ACCEPTED_INVALID.get(name, why)}")
    assert set(misses) - set(ACCEPTED_INVALID) == set(), misses
    assert rate >= 0.90, "\n".join(f"{n}: {w}" for n, w in sorted(misses.items()))


def test_every_app_template_validates() -> None:
    apps = sorted(CORPUS.glob("apps/*/template.y*ml"))
    assert len(apps) == 15
    failing = {p.parent.name: errors_of(p) for p in apps}
    assert {k: list(map(str, v)) for k, v in failing.items() if v} == {}
