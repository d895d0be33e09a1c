"""A REST API's resource policy -> graph.IpRanges, and "Not run locally" for the rest. Pure.

SAM's Api `Auth.ResourcePolicy` becomes policy statements (samtranslator's swagger editor,
add_resource_policy): IpRangeWhitelist an Allow plus a Deny on NotIpAddress aws:SourceIp,
IpRangeBlacklist a Deny on IpAddress aws:SourceIp. Those depend only on the client's address,
so the local gateway decides them. VPC and account conditions cannot be decided for a
request from this machine, and custom statements, a plain RestApi `Policy` and an OpenAPI
x-amazon-apigateway-policy are not evaluated: each is named, and requests are let through.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import IpRanges, NotRunLocally
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


def name_policy(parts: GraphParts, res: Resource, container: Any, key: str, at: Mark) -> None:
    """A whole policy document (RestApi Policy, x-amazon-apigateway-policy): not evaluated."""
    if as_map(container).get(key) is None:
        return
    parts.not_local.append(NotRunLocally(
        subject=f"{res.logical_id}.{key}", type=res.type, at=key_at(container, key, at),
        reason="the resource policy is not evaluated locally (only SAM's Auth.ResourcePolicy "
               f"IP ranges are); {_LET_THROUGH}"))
