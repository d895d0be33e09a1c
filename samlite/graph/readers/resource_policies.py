"""A REST API's resource policy -> graph.IpRanges, and "Not run locally" for the rest. Pure.

SAM's Api `Auth.ResourcePolicy` becomes policy statements (samtranslator's swagger editor,
add_resource_policy): IpRangeWhitelist an Allow plus a Deny on NotIpAddress aws:SourceIp,
IpRangeBlacklist a Deny on IpAddress aws:SourceIp. Those depend only on the client's address,
so the local gateway decides them. VPC and account conditions cannot be decided for a
request from this machine, and custom statements are not evaluated: each is named, and
requests are let through. A policy document (a plain RestApi `Policy`, an OpenAPI
x-amazon-apigateway-policy) is read into statements about anonymous execute-api:Invoke with
their resources and aws:SourceIp conditions; a statement with another principal or
condition is named.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import IpRanges, NotRunLocally, PolicyStatement
from samlite.graph.parts import GraphParts
from samlite.graph.values import as_map, as_texts, key_at
from samlite.template.model import Resource

IP_ALLOWED, IP_DENIED = "IpRangeWhitelist", "IpRangeBlacklist"
_LET_THROUGH = "every request is let through locally; test the policy on AWS"
_WHY_NOT: dict[str, str] = {
    "SourceVpc": "a request from this machine comes through no VPC endpoint, so its "
                 "aws:SourceVpc cannot be decided",
    "IntrinsicVpc": "a request from this machine comes through no VPC endpoint, so its "
                    "aws:SourceVpc cannot be decided",
    "IntrinsicVpce": "a request from this machine comes through no VPC endpoint, so its "
                     "aws:SourceVpce cannot be decided",
    "AwsAccount": "a request here is not signed by an AWS account, so the account "
                  "condition cannot be decided",
    "CustomStatements": "custom policy statements are not evaluated locally",
}
POLICY_EXTENSION = "x-amazon-apigateway-policy"


def sam_ip_ranges(parts: GraphParts, owner: str, owner_type: str, auth: Any,
                  at: Mark) -> IpRanges | None:
    """Auth.ResourcePolicy's IP ranges (an Api's, or an Api event's for its method); its
    other keys are named under Not run locally. `owner`: "MyApi" or "Fn.Events.Get"."""
    policy = as_map(auth).get("ResourcePolicy")
    if not isinstance(policy, dict):
        return None
    policy_at = key_at(auth, "ResourcePolicy", at)
    for key in policy:
        if key in (IP_ALLOWED, IP_DENIED):
            continue
        why = next((text for prefix, text in sorted(_WHY_NOT.items(), reverse=True)
                    if str(key).startswith(prefix)), "this key is not evaluated locally")
        parts.not_local.append(NotRunLocally(
            subject=f"{owner}.Auth.ResourcePolicy.{key}", type=owner_type,
            at=key_at(policy, str(key), policy_at), reason=f"{why}; {_LET_THROUGH}"))
    allowed = _ranges(parts, owner, owner_type, policy, IP_ALLOWED, policy_at)
    denied = _ranges(parts, owner, owner_type, policy, IP_DENIED, policy_at)
    return IpRanges(allowed=allowed, denied=denied) if allowed or denied else None


def _ranges(parts: GraphParts, owner: str, owner_type: str, policy: Any, key: str,
            at: Mark) -> tuple[str, ...]:
    found = []
    for text in as_texts(as_map(policy).get(key)):
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            parts.not_local.append(NotRunLocally(
                subject=f"{owner}.Auth.ResourcePolicy.{key}", type=owner_type,
                at=key_at(policy, key, at),
                reason=f"{text!r} is not an IP address or CIDR range, so it is left out"))
            continue
        found.append(text)
    return tuple(found)


def document_policy(parts: GraphParts, res: Resource, container: Any, key: str,
                    at: Mark) -> tuple[PolicyStatement, ...] | None:
    """A policy document's statements about anonymous execute-api:Invoke (RestApi Policy,
    x-amazon-apigateway-policy). A statement whose principal or conditions cannot be decided
    for a request from this machine is named: an Allow is kept without them (it lets
    requests through), a Deny is left out."""
    document = as_map(container).get(key)
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            document = None
    if not isinstance(document, dict):
        return None
    where = key_at(container, key, at)
    statements = document.get("Statement")
    found: list[PolicyStatement] = []
    for index, statement in enumerate(
            statements if isinstance(statements, list) else [statements]):
        if not isinstance(statement, dict) or not _invokes(statement.get("Action")):
            continue
        undecided = _undecided(statement)
        allows = str(statement.get("Effect", "")).lower() == "allow"
        if undecided:
            effect = "Allow lets every request through" if allows else "Deny is not applied"
            parts.not_local.append(NotRunLocally(
                subject=f"{res.logical_id}.{key} Statement {index + 1}", type=res.type,
                at=where, reason=f"{undecided} cannot be decided locally, so this {effect}; "
                                 "test the policy on AWS"))
            if not allows:
                continue
        conditions = {} if undecided else as_map(statement.get("Condition"))
        found.append(PolicyStatement(
            allows=allows,
            resources=tuple(_pattern(r) for r in as_texts(statement.get("Resource")))
            if "Resource" in statement else () if "NotResource" in statement else ("*",),
            not_resources=tuple(_pattern(r) for r in as_texts(statement.get("NotResource"))),
            source_ips=_source_ips(conditions, "IpAddress"),
            not_source_ips=_source_ips(conditions, "NotIpAddress")))
    return tuple(found)


def _invokes(action: Any) -> bool:
    names = {a.lower() for a in as_texts(action)}
    return bool(names & {"execute-api:invoke", "execute-api:*", "*"})


def _undecided(statement: Mapping[str, Any]) -> str:
    """What in the statement cannot be decided locally ("" when nothing)."""
    principal = statement.get("Principal")
    anyone = principal == "*" or as_texts(as_map(principal).get("AWS")) == ("*",)
    if "NotPrincipal" in statement or not anyone:
        return "its principal (the caller's IAM identity)"
    for operator, values in as_map(statement.get("Condition")).items():
        keys = {str(k).lower() for k in as_map(values)}
        if operator not in ("IpAddress", "NotIpAddress") or keys != {"aws:sourceip"}:
            return f"its condition {operator} {', '.join(sorted(keys))}"
    return ""


def _source_ips(conditions: Mapping[str, Any], operator: str) -> tuple[str, ...]:
    values = as_map(conditions.get(operator))
    return tuple(ip for k, v in values.items() if str(k).lower() == "aws:sourceip"
                 for ip in as_texts(v))


def _pattern(resource: str) -> str:
    """A Resource as a pattern over "{stage}/{METHOD}/{path}": "execute-api:/Prod/GET/*" and
    "arn:aws:execute-api:region:account:api-id/Prod/GET/*" both give "Prod/GET/*" (the API
    is the one the policy is attached to)."""
    if resource == "*":
        return "*"
    if resource.startswith("execute-api:"):
        return resource.removeprefix("execute-api:").lstrip("/") or "*"
    _, slash, rest = resource.partition("/")
    return rest if slash else "*"
