"""SAM translator rules samlite had not enforced (issue 17, point 4): one small template per
rule, written from the rule, and the problem a user sees. The templates SAM accepts that sit
next to a rule are in CLEAN, so a rule cannot pass by refusing everything."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from samlite.errors import Problem
from samlite.template.load import parse_template
from samlite.validation.checks.context import CheckContext
from samlite.validation.checks.sam_rules import CHECKS

PARAMETERS = """
Parameters:
  Alias:
    Type: String
    Default: live
  Stage:
    Type: String
"""


def problems(tmp_path: Path, text: str) -> list[Problem]:
    loaded = parse_template(text, name="template.yaml")
    ctx = CheckContext(loaded=loaded, resolved=None, project_dir=tmp_path)
    return [p for check in CHECKS for p in check(ctx) if p.is_error]


def fn(extra: str = "", *, after: str = "", code: str = "CodeUri: s3://bucket/key") -> str:
    """One function `Fn` (Properties extended by `extra`), then the resources in `after`."""
    props = textwrap.indent(f"{code}\nHandler: app.handler\nRuntime: python3.12\n"
                            + textwrap.dedent(extra), " " * 6)
    return (f"{PARAMETERS}Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
            f"    Properties:\n{props}\n{textwrap.dedent(after)}")


def events(body: str, *, after: str = "") -> str:
    """`Fn` with the Events `body` (YAML under Events:)."""
    return fn("Events:\n" + textwrap.indent(textwrap.dedent(body), "  "), after=after)


P = "Resources.Fn.Properties"
E = f"{P}.Events.E.Properties"

# (rule, template, code, path)
RULES = [
    # -- function (sam_function_rules.py)
    ("alias-name-with-a-dot", fn("AutoPublishAlias: my.alias"), "E7114", f"{P}.AutoPublishAlias"),
    ("alias-name-all-digits", fn("AutoPublishAlias: '2024'"), "E7114", f"{P}.AutoPublishAlias"),
    ("alias-name-from-parameter-default-with-space",
     fn("AutoPublishAlias: !Ref Alias").replace("Default: live", "Default: my alias"),
     "E7114", f"{P}.AutoPublishAlias"),
    ("alias-from-sub", fn("AutoPublishAlias: !Sub '${Alias}-x'"), "E7115", f"{P}.AutoPublishAlias"),
    ("provisioned-concurrency-without-alias",
     fn("ProvisionedConcurrencyConfig:\n  ProvisionedConcurrentExecutions: 2"),
     "E7116", f"{P}.ProvisionedConcurrencyConfig"),
    ("code-sha256-not-a-string",
     fn("AutoPublishAlias: live\nAutoPublishCodeSha256: !GetAtt Fn.Arn"),
     "E7117", f"{P}.AutoPublishCodeSha256"),
    ("tenancy-with-provisioned-concurrency",
     fn("AutoPublishAlias: live\nTenancyConfig: {TenantIsolationMode: PER_TENANT}\n"
        "ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 1}"),
     "E7112", f"{P}.ProvisionedConcurrencyConfig"),
    ("tenancy-with-function-url",
     fn("TenancyConfig: {TenantIsolationMode: PER_TENANT}\nFunctionUrlConfig: {AuthType: NONE}"),
     "E7112", f"{P}.FunctionUrlConfig"),
    ("tenancy-with-snapstart",
     fn("TenancyConfig: {TenantIsolationMode: PER_TENANT}\n"
        "SnapStart: {ApplyOn: PublishedVersions}"), "E7112", f"{P}.SnapStart"),
    ("image-function-with-handler",
     fn("PackageType: Image\nImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1",
        code="Description: image"), "E7118", f"{P}.Handler"),
    ("zip-function-with-image-config",
     fn("ImageConfig: {Command: [app.handler]}"), "E7119", f"{P}.ImageConfig"),
    ("deployment-preference-without-type",
     fn("AutoPublishAlias: live\nDeploymentPreference: {Enabled: true}"),
     "E7120", f"{P}.DeploymentPreference"),
    ("reserved-tag-key", fn("Tags: {'lambda:createdBy': me}"), "E7121",
     f"{P}.Tags.lambda:createdBy"),
    ("code-uri-s3-scheme-with-one-slash", fn(code="CodeUri: s3:/bucket/key"), "E7107",
     f"{P}.CodeUri"),
    ("code-uri-bucket-empty", fn(code="CodeUri: {Bucket: '', Key: app.zip}"), "E7107",
     f"{P}.CodeUri"),
    ("code-uri-intrinsic", fn(code="CodeUri: !Sub 's3://bucket/${Stage}.zip'"), "E7107",
     f"{P}.CodeUri"),
    ("code-uri-number", fn(code="CodeUri: 12"), "E7107", f"{P}.CodeUri"),
    # -- policies (sam_policy_rules.py)
    ("policy-if-mixes-managed-and-document",
     fn("Policies:\n  - !If [IsProd, AWSLambdaBasicExecutionRole,"
        " {Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]}]")
     .replace("Resources:", "Conditions:\n  IsProd: !Equals [a, a]\nResources:"),
     "E7110", f"{P}.Policies[0]"),
    ("policy-template-unknown", fn("Policies:\n  - QueuePollerPolicy: {QueueName: q}"),
     "E7110", f"{P}.Policies[0]"),
    ("policy-template-missing-parameter", fn("Policies:\n  - SQSPollerPolicy: {Queue: q}"),
     "E7122", f"{P}.Policies[0]"),
    ("policy-template-without-values", fn("Policies:\n  - SQSPollerPolicy:"),
     "E7122", f"{P}.Policies[0]"),
]

CLEAN = [
    ("alias-with-dash-and-underscore", fn("AutoPublishAlias: live-2_a")),
    ("alias-from-parameter", fn("AutoPublishAlias: !Ref Alias")),
    ("alias-from-parameter-without-default", fn("AutoPublishAlias: !Ref Stage")),
    ("provisioned-concurrency-with-alias",
     fn("AutoPublishAlias: live\nProvisionedConcurrencyConfig:\n"
        "  ProvisionedConcurrentExecutions: 2")),
    ("disabled-deployment-preference-without-type",
     fn("AutoPublishAlias: live\nDeploymentPreference: {Enabled: false}")),
    ("code-uri-uppercase-s3-scheme", fn(code="CodeUri: S3://bucket/key")),
    ("code-uri-with-version", fn(code="CodeUri: s3://bucket/key?versionId=3")),
    ("code-uri-local-folder", fn(code="CodeUri: src/")),
    ("policy-template-without-parameters", fn("Policies:\n  - CloudWatchPutMetricPolicy: {}")),
    ("policy-if-template-or-nothing",
     fn("Policies:\n  - !If [IsProd, {SQSPollerPolicy: {QueueName: q}}, !Ref AWS::NoValue]")
     .replace("Resources:", "Conditions:\n  IsProd: !Equals [a, a]\nResources:")),
]


@pytest.mark.parametrize(("text", "code", "path"), [r[1:] for r in RULES],
                         ids=[r[0] for r in RULES])
def test_rule_is_reported_at_its_property(tmp_path: Path, text: str, code: str,
                                          path: str) -> None:
    found = problems(tmp_path, text)
    assert any(p.code == code and p.path == path for p in found), "\n".join(map(str, found))
    match = next(p for p in found if p.code == code and p.path == path)
    assert match.resource is not None
    assert match.at.line > 1


@pytest.mark.parametrize("text", [c[1] for c in CLEAN], ids=[c[0] for c in CLEAN])
def test_what_sam_accepts_next_to_a_rule_stays_clean(tmp_path: Path, text: str) -> None:
    assert [str(p) for p in problems(tmp_path, text)] == []
