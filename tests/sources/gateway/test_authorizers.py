"""Lambda authorizer verdicts and their cache, without sockets: IAM policy evaluation against
the method ARN, simple responses, and caching by identity under a ManualClock."""

from __future__ import annotations

import json
from typing import Any

import pytest

from samlite.clock import ManualClock
from samlite.errors import Mark
from samlite.graph.model import LambdaAuthorizer
from samlite.runtime.invocation import Result
from samlite.sources.gateway.authorize import Authorizing
from samlite.sources.gateway.authorizer_cache import AuthorizerCache
from samlite.sources.gateway.authorizers import Outcome, judge, policy_outcome
from samlite.sources.gateway.events import HttpRequest

ARN = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/Prod/GET/pets/7"
AT = Mark(file="template.yaml", line=1, column=1)
TOKEN = LambdaAuthorizer(name="Tok", function="AuthFn", identity_headers=("Authorization",),
                         ttl_s=300, at=AT)


def statement(effect: str, resource: Any, action: Any = "execute-api:Invoke") -> dict[str, Any]:
    return {"Effect": effect, "Action": action, "Resource": resource}


@pytest.mark.parametrize(("case", "statements", "expected"), [
    ("exact allow", [statement("Allow", ARN)], Outcome.ALLOW),
    ("star covers the path", [statement("Allow", ARN.rsplit("/", 2)[0] + "/*")], Outcome.ALLOW),
    ("question mark is one character", [statement("Allow", ARN[:-1] + "?")], Outcome.ALLOW),
    ("question mark needs a character", [statement("Allow", ARN + "?")],
     Outcome.IMPLICIT_DENY),
    ("another method", [statement("Allow", ARN.replace("/GET/", "/POST/"))],
     Outcome.IMPLICIT_DENY),
    ("another action", [statement("Allow", ARN, "execute-api:ManageConnections")],
     Outcome.IMPLICIT_DENY),
    ("action wildcard, resource list", [statement("Allow", ["arn:x", ARN], "execute-api:*")],
     Outcome.ALLOW),
    ("explicit deny wins", [statement("Allow", "*"), statement("Deny", ARN)],
     Outcome.EXPLICIT_DENY),
    ("deny elsewhere does not matter", [statement("Allow", "*"),
                                        statement("Deny", ARN + "/x")], Outcome.ALLOW),
    ("no statements", [], Outcome.IMPLICIT_DENY),
], ids=lambda v: v if isinstance(v, str) else "")
def test_policy_outcome(case: str, statements: list[dict[str, Any]], expected: Outcome) -> None:
    assert policy_outcome({"Version": "2012-10-17", "Statement": statements}, ARN) is expected


def test_a_rest_context_with_an_object_value_fails_the_authorizer() -> None:
    answer = {"principalId": "u", "policyDocument": {"Statement": [statement("Allow", "*")]},
              "context": {"nested": {"a": 1}}}
    assert judge(TOKEN, answer, ARN).outcome is Outcome.FAILED


def test_simple_responses_need_a_boolean() -> None:
    simple = LambdaAuthorizer(name="S", function="AuthFn", payload_type="REQUEST",
                              payload_format_version="2.0", simple_responses=True, at=AT)
    assert judge(simple, {"isAuthorized": True}, ARN).outcome is Outcome.ALLOW
    assert judge(simple, {"isAuthorized": False}, ARN).outcome is Outcome.IMPLICIT_DENY
    assert judge(simple, {"isAuthorized": "yes"}, ARN).outcome is Outcome.FAILED


class Counting:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, function: str, payload: bytes) -> Result:
        self.calls += 1
        answer = {"principalId": "ada",
                  "policyDocument": {"Statement": [statement("Allow", "*")]}}
        return Result(request_id="r", payload=json.dumps(answer).encode())


def check(authorizing: Authorizing, token: str, authorizer: LambdaAuthorizer = TOKEN) -> Outcome:
    request = HttpRequest(method="GET", path="/pets/7", headers=(("Authorization", token),))
    return authorizing.check(authorizer, api="Api", request=request, route_event={}, arn=ARN,
                             rest=True).outcome


def test_answers_are_cached_by_token_until_the_ttl_passes() -> None:
    clock, invoke = ManualClock(), Counting()
    authorizing = Authorizing(invoke, AuthorizerCache(clock), lambda _f, _l: None)
    assert check(authorizing, "a") is Outcome.ALLOW
    assert check(authorizing, "a") is Outcome.ALLOW
    assert invoke.calls == 1                       # the second answer came from the cache
    assert check(authorizing, "b") is Outcome.ALLOW
    assert invoke.calls == 2                       # another token is another key
    clock.advance(seconds=299)
    check(authorizing, "a")
    assert invoke.calls == 2
    clock.advance(seconds=1)
    check(authorizing, "a")
    assert invoke.calls == 3                       # 300 s later the authorizer runs again


def test_a_ttl_of_zero_asks_every_time() -> None:
    clock, invoke = ManualClock(), Counting()
    authorizing = Authorizing(invoke, AuthorizerCache(clock), lambda _f, _l: None)
    uncached = LambdaAuthorizer(name="Tok", function="AuthFn",
                                identity_headers=("Authorization",), ttl_s=0, at=AT)
    check(authorizing, "a", uncached)
    check(authorizing, "a", uncached)
    assert invoke.calls == 2


def test_a_token_the_validation_expression_refuses_is_unauthorized_uninvoked() -> None:
    invoke = Counting()
    authorizing = Authorizing(invoke, AuthorizerCache(ManualClock()), lambda _f, _l: None)
    strict = LambdaAuthorizer(name="Tok", function="AuthFn", identity_headers=("Authorization",),
                              validation_expression="Bearer [a-z]+", at=AT)
    assert check(authorizing, "Basic xyz", strict) is Outcome.UNAUTHORIZED
    assert check(authorizing, "Bearer xyz", strict) is Outcome.ALLOW
    assert invoke.calls == 1
