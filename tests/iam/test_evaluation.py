"""IAM's evaluation, case by case, as the IAM user guide states it: "Policy evaluation logic",
"Policy evaluation for requests within a single account", "IAM JSON policy elements:
Condition operators" and "Action" / "NotAction" / "Resource" / "NotResource"."""

from __future__ import annotations

from typing import Any

import pytest

from samlite.iam.evaluation import Caller, Outcome, Request, denial_message, evaluate
from samlite.iam.policy import PolicyError, policy_from_document

CALLER = Caller(account_id="123456789012", role_name="WorkerRole", session_name="Worker")
BUCKET = "arn:aws:s3:::inbox"
OBJECT = "arn:aws:s3:::inbox/reports/2026.csv"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:jobs"


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


CASES = [
    # name, identity statements, resource policy statements, action, resource, keys, outcome
    ("no policy: implicit deny", [], None, "s3:GetObject", OBJECT, {}, Outcome.IMPLICIT_DENY),
    ("exact action and resource", [allow("s3:GetObject", "arn:aws:s3:::inbox/*")], None,
     "s3:GetObject", OBJECT, {}, Outcome.ALLOWED),
    ("action wildcard", [allow("s3:Get*", "arn:aws:s3:::inbox/*")], None,
     "s3:GetObject", OBJECT, {}, Outcome.ALLOWED),
    ("action case does not matter", [allow("S3:getobject", "arn:aws:s3:::inbox/*")], None,
     "s3:GetObject", OBJECT, {}, Outcome.ALLOWED),
    ("question mark is one character", [allow("s3:GetObjec?", "*")], None,
     "s3:GetObject", OBJECT, {}, Outcome.ALLOWED),
    ("other action: implicit deny", [allow("s3:GetObject", "*")], None,
     "s3:PutObject", OBJECT, {}, Outcome.IMPLICIT_DENY),
    ("resource case matters", [allow("s3:GetObject", "arn:aws:s3:::Inbox/*")], None,
     "s3:GetObject", OBJECT, {}, Outcome.IMPLICIT_DENY),
    ("object pattern does not name the bucket",
     [allow("s3:ListBucket", "arn:aws:s3:::inbox/*")], None,
     "s3:ListBucket", BUCKET, {}, Outcome.IMPLICIT_DENY),
    ("wildcard spans slashes in the key", [allow("s3:GetObject", "arn:aws:s3:::inbox/*.csv")],
     None, "s3:GetObject", OBJECT, {}, Outcome.ALLOWED),
    ("region wildcard in one ARN segment",
     [allow("sqs:SendMessage", "arn:aws:sqs:*:123456789012:jobs")], None,
     "sqs:SendMessage", QUEUE, {}, Outcome.ALLOWED),
    ("wildcard never spans ARN segments",
     [allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:*")], None,
     "sqs:SendMessage", QUEUE, {}, Outcome.IMPLICIT_DENY),
    ("explicit deny beats allow", [allow("s3:*"), deny("s3:DeleteObject")], None,
     "s3:DeleteObject", OBJECT, {}, Outcome.DENIED_BY_IDENTITY),
    ("deny of another action leaves the allow", [allow("s3:*"), deny("s3:DeleteObject")],
     None, "s3:GetObject", OBJECT, {}, Outcome.ALLOWED),
    ("NotAction allows every other action", [{"Effect": "Allow", "NotAction": "iam:*",
                                              "Resource": "*"}], None,
     "sqs:SendMessage", QUEUE, {}, Outcome.ALLOWED),
    ("NotAction does not allow the named action", [{"Effect": "Allow", "NotAction": "sqs:*",
                                                   "Resource": "*"}], None,
     "sqs:SendMessage", QUEUE, {}, Outcome.IMPLICIT_DENY),
    ("Deny with NotAction denies the rest", [allow("*"), {"Effect": "Deny",
                                                          "NotAction": "s3:GetObject",
                                                          "Resource": "*"}], None,
     "s3:PutObject", OBJECT, {}, Outcome.DENIED_BY_IDENTITY),
    ("NotResource", [{"Effect": "Allow", "Action": "s3:*",
                      "NotResource": "arn:aws:s3:::secret/*"}], None,
     "s3:GetObject", OBJECT, {}, Outcome.ALLOWED),
    ("NotResource excludes the named resource", [{"Effect": "Allow", "Action": "s3:*",
                                                  "NotResource": "arn:aws:s3:::inbox/*"}],
     None, "s3:GetObject", OBJECT, {}, Outcome.IMPLICIT_DENY),
    ("resource policy naming the role allows alone", [],
     [allow("sqs:SendMessage", QUEUE,
            Principal={"AWS": "arn:aws:iam::123456789012:role/WorkerRole"})],
     "sqs:SendMessage", QUEUE, {}, Outcome.ALLOWED),
    ("resource policy naming the session allows alone", [],
     [allow("sqs:SendMessage", QUEUE, Principal={
         "AWS": "arn:aws:sts::123456789012:assumed-role/WorkerRole/Worker"})],
     "sqs:SendMessage", QUEUE, {}, Outcome.ALLOWED),
    ("resource policy for anyone allows", [], [allow("s3:GetObject", OBJECT, Principal="*")],
     "s3:GetObject", OBJECT, {}, Outcome.ALLOWED),
    ("resource policy for a service does not allow the role", [],
     [allow("sqs:SendMessage", QUEUE, Principal={"Service": "sns.amazonaws.com"})],
     "sqs:SendMessage", QUEUE, {}, Outcome.IMPLICIT_DENY),
    ("resource policy naming the account delegates to identity policies", [],
     [allow("sqs:SendMessage", QUEUE, Principal={"AWS": "arn:aws:iam::123456789012:root"})],
     "sqs:SendMessage", QUEUE, {}, Outcome.IMPLICIT_DENY),
    ("resource policy deny beats identity allow", [allow("s3:*")],
     [deny("s3:PutObject", "arn:aws:s3:::inbox/*", Principal="*")],
     "s3:PutObject", OBJECT, {}, Outcome.DENIED_BY_RESOURCE),
    ("resource policy deny on the account applies to its roles", [allow("s3:*")],
     [deny("s3:PutObject", "arn:aws:s3:::inbox/*", Principal={"AWS": "123456789012"})],
     "s3:PutObject", OBJECT, {}, Outcome.DENIED_BY_RESOURCE),
    ("StringEquals holds", [allow("s3:GetObject", "*", Condition={
        "StringEquals": {"aws:PrincipalAccount": "123456789012"}})], None,
     "s3:GetObject", OBJECT, {}, Outcome.ALLOWED),
    ("StringEquals fails", [allow("s3:GetObject", "*", Condition={
        "StringEquals": {"aws:PrincipalAccount": "999999999999"}})], None,
     "s3:GetObject", OBJECT, {}, Outcome.IMPLICIT_DENY),
    ("any of several values", [allow("s3:GetObject", "*", Condition={
        "StringEquals": {"aws:PrincipalAccount": ["1", "123456789012"]}})], None,
     "s3:GetObject", OBJECT, {}, Outcome.ALLOWED),
    ("every key must hold", [allow("s3:GetObject", "*", Condition={
        "StringEquals": {"aws:PrincipalAccount": "123456789012",
                         "aws:RequestedRegion": "eu-west-1"}})], None,
     "s3:GetObject", OBJECT, {"aws:requestedregion": ("us-east-1",)}, Outcome.IMPLICIT_DENY),
    ("StringLike", [allow("s3:ListBucket", BUCKET, Condition={
        "StringLike": {"s3:prefix": "reports/*"}})], None,
     "s3:ListBucket", BUCKET, {"s3:prefix": ("reports/2026",)}, Outcome.ALLOWED),
    ("StringNotLike with the key missing holds", [deny("s3:ListBucket", BUCKET, Condition={
        "StringNotLike": {"aws:SourceArn": "arn:aws:sns:*"}}), allow("s3:*")], None,
     "s3:ListBucket", BUCKET, {}, Outcome.DENIED_BY_IDENTITY),
    ("a missing key fails a positive operator", [allow("s3:*", "*", Condition={
        "ArnLike": {"aws:SourceArn": "arn:aws:sns:*"}})], None,
     "s3:GetObject", OBJECT, {}, Outcome.IMPLICIT_DENY),
    ("IfExists holds when the key is missing", [allow("s3:*", "*", Condition={
        "ArnLikeIfExists": {"aws:SourceArn": "arn:aws:sns:*"}})], None,
     "s3:GetObject", OBJECT, {}, Outcome.ALLOWED),
    ("ArnLike on the principal", [allow("s3:*", "*", Condition={
        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Worker*"}})], None,
     "s3:GetObject", OBJECT, {}, Outcome.ALLOWED),
    ("Bool compares true without case", [deny("s3:*", "*", Condition={
        "Bool": {"aws:SecureTransport": "False"}}), allow("s3:*")], None,
     "s3:GetObject", OBJECT, {}, Outcome.ALLOWED),
    ("IpAddress in range", [allow("s3:*", "*", Condition={
        "IpAddress": {"aws:SourceIp": "127.0.0.0/8"}})], None,
     "s3:GetObject", OBJECT, {}, Outcome.ALLOWED),
    ("NotIpAddress out of range denies", [deny("s3:*", "*", Condition={
        "NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), allow("s3:*")], None,
     "s3:GetObject", OBJECT, {}, Outcome.DENIED_BY_IDENTITY),
    ("Null true when the key is missing", [allow("s3:*", "*", Condition={
        "Null": {"aws:SourceArn": "true"}})], None,
     "s3:GetObject", OBJECT, {}, Outcome.ALLOWED),
    ("an unknown operator does not match", [allow("s3:*", "*", Condition={
        "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}})], None,
     "s3:GetObject", OBJECT, {}, Outcome.IMPLICIT_DENY),
]


@pytest.mark.parametrize(("identity", "resource", "action", "arn", "keys", "outcome"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_evaluation(identity: list[dict[str, Any]], resource: list[dict[str, Any]] | None,
                    action: str, arn: str, keys: dict[str, tuple[str, ...]],
                    outcome: Outcome) -> None:
    policies = [policy_from_document({"Statement": identity}, source="test")] \
        if identity else []
    resource_policy = policy_from_document({"Statement": resource}, source="bucket policy",
                                           resource_based=True) if resource else None
    decision = evaluate(CALLER, Request(action=action, resource=arn, keys=keys),
                        identity=policies, resource_policy=resource_policy)
    assert decision.outcome is outcome


def test_an_unknown_condition_key_is_reported() -> None:
    policy = policy_from_document([allow("s3:PutObject", "*", Condition={
        "StringEquals": {"s3:x-amz-acl": "private"}})], source="test")
    decision = evaluate(CALLER, Request(action="s3:PutObject", resource=OBJECT),
                        identity=[policy])
    assert (decision.outcome, decision.unjudged) == (Outcome.IMPLICIT_DENY,
                                                    ("StringEquals s3:x-amz-acl",))


def test_implicit_denial_reads_as_aws_writes_it() -> None:
    request = Request(action="s3:PutObject", resource="arn:aws:s3:::bucket/key")
    decision = evaluate(CALLER, request, identity=[])
    assert denial_message(CALLER, request, decision, quote_resource=True) == (
        "User: arn:aws:sts::123456789012:assumed-role/WorkerRole/Worker is not authorized to "
        'perform: s3:PutObject on resource: "arn:aws:s3:::bucket/key" because no '
        "identity-based policy allows the s3:PutObject action")


def test_explicit_denial_names_the_policy_kind() -> None:
    request = Request(action="sqs:SendMessage", resource=QUEUE)
    policy = policy_from_document([deny("sqs:*")], source="test")
    decision = evaluate(CALLER, request, identity=[policy])
    assert denial_message(CALLER, request, decision).endswith(
        f"on resource: {QUEUE} with an explicit deny in an identity-based policy")


@pytest.mark.parametrize("document", [
    {"Statement": [{"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]},
    {"Statement": [{"Effect": "Allow", "Resource": "*"}]},
    {"Statement": [{"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:Get*",
                    "Resource": "*"}]},
    {"Statement": [{"Effect": "Allow", "Action": "s3:*"}]},
    {"Version": "2012-10-17"},
], ids=["bad effect", "no action", "action and NotAction", "no resource", "no statement"])
def test_documents_iam_refuses_are_errors(document: dict[str, Any]) -> None:
    with pytest.raises(PolicyError):
        policy_from_document(document, source="template.yaml:3")
