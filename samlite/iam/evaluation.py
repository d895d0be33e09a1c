"""How IAM decides one request inside one account, for a role's session: an explicit Deny in
any policy wins; otherwise an Allow from an identity-based policy or from the resource's own
policy (naming the role or its session) allows; otherwise the request is implicitly denied.
Follows "Policy evaluation logic" and "Policy evaluation for requests within a single
account" (IAM user guide). SCPs, RCPs, permission boundaries and session policies are not
modelled: samlite's roles have none.

The message of a denial is AWS's own ("How to troubleshoot access denied error messages",
IAM user guide)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from samlite.iam.conditions import UnknownOperator, holds
from samlite.iam.patterns import action_matches, arn_matches
from samlite.iam.policy import Effect, Policy, Statement

# Global condition keys the local endpoint sets on every request (lower case, as IAM
# compares key names); a condition on any other key absent from the request is reported.
KNOWN_GLOBAL_KEYS = frozenset({
    "aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:userid",
    "aws:sourceip", "aws:securetransport", "aws:requestedregion", "aws:currenttime",
    "aws:epochtime", "aws:sourcearn", "aws:sourceaccount", "aws:viaawsservice",
    "aws:calledvia", "aws:principaltag", "aws:resourcetag", "aws:requesttag",
    "aws:tagkeys", "aws:principalisawsservice", "aws:multifactorauthpresent",
})


class Outcome(Enum):
    ALLOWED = "allowed"
    IMPLICIT_DENY = "because no identity-based policy allows the {action} action"
    DENIED_BY_IDENTITY = "with an explicit deny in an identity-based policy"
    DENIED_BY_RESOURCE = "with an explicit deny in a resource-based policy"


@dataclass(frozen=True, slots=True, kw_only=True)
class Caller:
    """A function's role session, as STS names it for Lambda: the session is the function."""
    account_id: str
    role_name: str
    session_name: str              # the function's name
    partition: str = "aws"

    @property
    def role_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:role/{self.role_name}"

    @property
    def session_arn(self) -> str:
        return (f"arn:{self.partition}:sts::{self.account_id}:assumed-role/"
                f"{self.role_name}/{self.session_name}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    action: str                    # "s3:PutObject"
    resource: str                  # "arn:aws:s3:::bucket/key"
    # Condition keys beyond the caller's (lower-case names; several values for a key when
    # the key has several, as aws:TagKeys does).
    keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    outcome: Outcome
    statement: Statement | None = None      # the Allow or Deny that decided (None: none)
    policy: Policy | None = None
    # Conditions that could not be judged here ("StringEquals s3:x-amz-acl"): they counted
    # as not matching; the caller says so once.
    unjudged: tuple[str, ...] = ()

    @property
    def is_allowed(self) -> bool:
        return self.outcome is Outcome.ALLOWED


def denial_message(caller: Caller, request: Request, decision: Decision, *,
                   quote_resource: bool = False) -> str:
    """AWS's wording of a denied request (S3 quotes the resource, other services do not)."""
    resource = f'"{request.resource}"' if quote_resource else request.resource
    reason = decision.outcome.value.format(action=request.action)
    return (f"User: {caller.session_arn} is not authorized to perform: {request.action} "
            f"on resource: {resource} {reason}")


def evaluate(caller: Caller, request: Request, *, identity: Sequence[Policy],
             resource_policy: Policy | None = None) -> Decision:
    context = _context(caller, request)
    unjudged: list[str] = []
    allow: tuple[Statement, Policy] | None = None
    for policy, is_resource in ((p, False) for p in identity):
        found = _scan(policy, caller, request, context, unjudged, is_resource=is_resource)
        if found is not None and found.effect is Effect.DENY:
            return Decision(outcome=Outcome.DENIED_BY_IDENTITY, statement=found,
                            policy=policy, unjudged=tuple(unjudged))
        if found is not None and allow is None:
            allow = (found, policy)
    if resource_policy is not None:
        found = _scan(resource_policy, caller, request, context, unjudged, is_resource=True)
        if found is not None and found.effect is Effect.DENY:
            return Decision(outcome=Outcome.DENIED_BY_RESOURCE, statement=found,
                            policy=resource_policy, unjudged=tuple(unjudged))
        if found is not None and allow is None:
            allow = (found, resource_policy)
    if allow is not None:
        return Decision(outcome=Outcome.ALLOWED, statement=allow[0], policy=allow[1],
                        unjudged=tuple(unjudged))
    return Decision(outcome=Outcome.IMPLICIT_DENY, unjudged=tuple(unjudged))


def _scan(policy: Policy, caller: Caller, request: Request,
          context: Mapping[str, tuple[str, ...]], unjudged: list[str], *,
          is_resource: bool) -> Statement | None:
    """The policy's first matching Deny, else its first matching Allow, else None."""
    allow = None
    for statement in policy.statements:
        if statement.effect is Effect.ALLOW and allow is not None:
            continue
        if not applies(statement, caller, request, context, unjudged,
                       is_resource=is_resource):
            continue
        if statement.effect is Effect.DENY:
            return statement
        allow = statement
    return allow


def applies(statement: Statement, caller: Caller, request: Request,
            context: Mapping[str, tuple[str, ...]], unjudged: list[str], *,
            is_resource: bool = False) -> bool:
    """Whether the statement matches the request: its action, resource, principal (resource
    policies) and every condition."""
    named = any(action_matches(p, request.action) for p in statement.actions)
    if named == statement.not_action:
        return False
    named = any(arn_matches(p, request.resource) for p in statement.resources)
    if named == statement.not_resource:
        return False
    if is_resource and not _principal_matches(statement, caller):
        return False
    for condition in statement.conditions:
        key = condition.key.lower()
        if key not in context and key not in KNOWN_GLOBAL_KEYS \
                and not key.startswith(("aws:resourcetag/", "aws:requesttag/",
                                        "aws:principaltag/")) \
                and condition.operator != "Null":
            unjudged.append(f"{condition.operator} {condition.key}")
            return False
        try:
            if not holds(condition, context):
                return False
        except UnknownOperator:
            unjudged.append(f"{condition.operator} {condition.key}")
            return False
    return True


def _principal_matches(statement: Statement, caller: Caller) -> bool:
    """A resource policy's statement is about the caller when it names anyone ("*"), the
    role or the role's session. Naming the account (its root or its id) delegates to the
    account's identity policies: it grants nothing by itself, but a Deny still applies to
    everyone in it ("Cross-account policy evaluation logic" / "AWS JSON policy elements:
    Principal")."""
    principals = statement.principals
    if principals is None:
        return True
    account = (f"arn:{caller.partition}:iam::{caller.account_id}:root", caller.account_id)
    named = any(p in ("*", caller.role_arn, caller.session_arn)
                or (statement.effect is Effect.DENY and p in account) for p in principals)
    return named != statement.not_principal


def _context(caller: Caller, request: Request) -> dict[str, tuple[str, ...]]:
    context = {
        "aws:principalarn": (caller.role_arn,),
        "aws:principalaccount": (caller.account_id,),
        "aws:principaltype": ("AssumedRole",),
        "aws:sourceip": ("127.0.0.1",),
        # The local endpoint speaks plain HTTP, but a handler's SDK reaches AWS over TLS:
        # what AWS sees is what counts (buckets often deny aws:SecureTransport false).
        "aws:securetransport": ("true",),
        "aws:multifactorauthpresent": ("false",),
    }
    context.update(request.keys)
    return context
