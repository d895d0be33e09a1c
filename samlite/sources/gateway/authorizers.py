"""Lambda authorizers, pure: the event API Gateway sends an authorizer, and what its answer
means (allow with an identity context, deny, or a broken answer). No invoking, no clock.

Follows the API Gateway developer guide: "Use API Gateway Lambda authorizers" (TOKEN and
REQUEST input, "Output from an API Gateway Lambda authorizer": principalId, policyDocument,
context of string, number and boolean values) and "Control access to HTTP APIs with AWS
Lambda authorizers" (payload formats 1.0 and 2.0, simple responses, identity sources).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from samlite.graph.model import LambdaAuthorizer
from samlite.sources.gateway.events import Flavor, HttpRequest, HttpResponse, request_id_header

INVOKE_ACTION = "execute-api:Invoke"


class Outcome(StrEnum):
    ALLOW = "allow"
    UNAUTHORIZED = "unauthorized"     # no identity, a token the expression refuses, "Unauthorized"
    IMPLICIT_DENY = "implicit_deny"   # no statement allows the method
    EXPLICIT_DENY = "explicit_deny"   # a Deny statement matches (it wins over any Allow)
    FAILED = "failed"                 # the authorizer failed or answered nonsense


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    outcome: Outcome
    principal_id: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""                  # why it failed, for the log


def identity_values(authorizer: LambdaAuthorizer, request: HttpRequest) -> tuple[str, ...] | None:
    """The identity sources' values in order, or None when one is missing or empty (API
    Gateway then answers 401 without invoking the authorizer)."""
    query = dict(parse_qsl(request.raw_query, keep_blank_values=True))
    values = [request.header(h) for h in authorizer.identity_headers]
    values += [query.get(q) for q in authorizer.identity_query_strings]
    if any(not v for v in values):
        return None
    return tuple(v for v in values if v)


def token_is_valid(authorizer: LambdaAuthorizer, token: str) -> bool:
    """TOKEN authorizers refuse a token that does not match ValidationExpression (401)."""
    pattern = authorizer.validation_expression
    return pattern is None or re.fullmatch(pattern, token) is not None


def execute_api_arn(*, region: str, account_id: str, api_id: str, stage: str, method: str,
                    path: str) -> str:
    """methodArn / routeArn: arn:aws:execute-api:{region}:{account}:{api}/{stage}/{verb}/{path}."""
    return f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{method}{path}"


def rest_token_event(token: str, method_arn: str) -> dict[str, Any]:
    return {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}


def request_event(authorizer: LambdaAuthorizer, route_event: Mapping[str, Any],
                  identity: tuple[str, ...], arn: str) -> dict[str, Any]:
    """A REQUEST authorizer's event: the route's proxy event without its body, plus the type,
    the method/route ARN and (HTTP APIs) the identity source values."""
    rest = {k: v for k, v in route_event.items() if k not in ("body", "isBase64Encoded")}
    if route_event.get("version") == "2.0":
        return {"version": "2.0", "type": "REQUEST", "routeArn": arn,
                "identitySource": list(identity), **rest}
    head: dict[str, Any] = {"type": "REQUEST", "methodArn": arn}
    if route_event.get("version") == "1.0":   # HTTP API payload 1.0
        joined = ",".join(identity)
        head = {"version": "1.0", **head, "identitySource": joined,
                "authorizationToken": joined}
    return {**head, **{k: v for k, v in rest.items() if k != "version"}}


def judge(authorizer: LambdaAuthorizer, answer: Any, arn: str) -> Verdict:
    """What the authorizer's answer means for the request to `arn`."""
    if not isinstance(answer, dict):
        return Verdict(outcome=Outcome.FAILED, reason="the authorizer did not return an object")
    if authorizer.simple_responses:
        allowed = answer.get("isAuthorized")
        if not isinstance(allowed, bool):
            return Verdict(outcome=Outcome.FAILED,
                           reason="a simple response needs a boolean isAuthorized")
        context = answer.get("context") or {}
        if not isinstance(context, dict):
            return Verdict(outcome=Outcome.FAILED, reason="context must be an object")
        return Verdict(outcome=Outcome.ALLOW if allowed else Outcome.IMPLICIT_DENY,
                       context=context)
    policy = answer.get("policyDocument")
    principal = answer.get("principalId")
    if not isinstance(policy, dict):
        return Verdict(outcome=Outcome.FAILED, reason="the answer has no policyDocument")
    context = answer.get("context") or {}
    if not isinstance(context, dict):
        return Verdict(outcome=Outcome.FAILED, reason="context must be an object")
    if authorizer.payload_format_version == "1.0" and any(
            isinstance(v, dict | list) for v in context.values()):
        # REST's context takes only string, number and boolean values; others fail the call
        return Verdict(outcome=Outcome.FAILED,
                       reason="context values must be strings, numbers or booleans")
    outcome = policy_outcome(policy, arn)
    return Verdict(outcome=outcome, context=context,
                   principal_id=None if principal is None else str(principal))


def policy_outcome(policy: Mapping[str, Any], arn: str) -> Outcome:
    """IAM's rule for the policy an authorizer returns: an explicit Deny wins, then an
    Allow, else the request is implicitly denied."""
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    allowed = False
    for statement in statements if isinstance(statements, list) else ():
        if not isinstance(statement, dict):
            continue
        if not (_any_matches(statement.get("Action"), INVOKE_ACTION, ignore_case=True)
                and _any_matches(statement.get("Resource"), arn, ignore_case=False)):
            continue
        if statement.get("Effect") == "Deny":
            return Outcome.EXPLICIT_DENY
        allowed = allowed or statement.get("Effect") == "Allow"
    return Outcome.ALLOW if allowed else Outcome.IMPLICIT_DENY


def _any_matches(patterns: Any, value: str, *, ignore_case: bool) -> bool:
    listed = [patterns] if isinstance(patterns, str) else patterns
    if not isinstance(listed, list):
        return False
    return any(isinstance(p, str) and _wildcard(p, ignore_case).fullmatch(value) is not None
               for p in listed)


@lru_cache(maxsize=1024)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM wildcards: `*` any run of characters (slashes too), `?` any one character."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def rest_context(verdict: Verdict) -> dict[str, Any]:
    """requestContext.authorizer of a REST route's event: principalId and the context's
    values, which API Gateway passes on as strings."""
    out: dict[str, Any] = {k: _as_string(v) for k, v in verdict.context.items()}
    if verdict.principal_id is not None:
        out["principalId"] = verdict.principal_id
    return out


def http_context(verdict: Verdict) -> dict[str, Any]:
    """requestContext.authorizer of an HTTP API route's event: {"lambda": context}."""
    return {"lambda": dict(verdict.context)}


def _as_string(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return str(value)


# --- the answers API Gateway gives when it stops a request ------------------------------------
# REST: the default gateway responses UNAUTHORIZED (401), ACCESS_DENIED (403) and
# AUTHORIZER_CONFIGURATION_ERROR (500) ("Gateway response types for API Gateway"); the two
# 403 wordings are the knowledge-center article "How do I troubleshoot HTTP 403 errors when I
# use a Lambda authorizer with an API Gateway REST API?".
_REST_ANSWERS: Mapping[Outcome, tuple[int, str | None, str]] = {
    Outcome.UNAUTHORIZED: (401, "Unauthorized", "UnauthorizedException"),
    Outcome.IMPLICIT_DENY: (403, "User is not authorized to access this resource",
                            "AccessDeniedException"),
    Outcome.EXPLICIT_DENY: (403, "User is not authorized to access this resource with an "
                                 "explicit deny", "AccessDeniedException"),
    Outcome.FAILED: (500, None, "AuthorizerConfigurationException"),
}
# Their gateway response types ("Gateway response types for API Gateway"). An authorizer
# whose function fails or answers no policy gets 500 with x-amzn-ErrorType
# AuthorizerConfigurationException, so AUTHORIZER_CONFIGURATION_ERROR, not AUTHORIZER_FAILURE
# ("the authorizer failed to authenticate the caller": that outcome is the 401/403 above).
_REST_TYPES: Mapping[Outcome, str] = {
    Outcome.UNAUTHORIZED: "UNAUTHORIZED", Outcome.IMPLICIT_DENY: "ACCESS_DENIED",
    Outcome.EXPLICIT_DENY: "ACCESS_DENIED", Outcome.FAILED: "AUTHORIZER_CONFIGURATION_ERROR",
}
# HTTP APIs: "Control access to HTTP APIs with AWS Lambda authorizers" and "Troubleshooting
# issues with HTTP API Lambda authorizers".
_HTTP_ANSWERS: Mapping[Outcome, tuple[int, str]] = {
    Outcome.UNAUTHORIZED: (401, "Unauthorized"),
    Outcome.IMPLICIT_DENY: (403, "Forbidden"),
    Outcome.EXPLICIT_DENY: (403, "Forbidden"),
    Outcome.FAILED: (500, "Internal Server Error"),
}


def refusal(outcome: Outcome, *, flavor: Flavor, request_id: str) -> HttpResponse:
    """The response for a request the authorizer stopped (any outcome but ALLOW)."""
    headers = [("Content-Type", "application/json")]
    if flavor is Flavor.REST:
        status, message, error_type = _REST_ANSWERS[outcome]
        headers.append(("x-amzn-ErrorType", error_type))
    else:
        status, message = _HTTP_ANSWERS[outcome]
    headers.append(request_id_header(flavor, request_id))
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return HttpResponse(status=status, headers=tuple(headers), body=body,
                        gateway_response=_REST_TYPES[outcome]
                        if flavor is Flavor.REST else None)
