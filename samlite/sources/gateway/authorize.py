"""Running a route's Lambda authorizer before its function: the identity check, the cache,
the invoke and the verdict. The event shapes and what answers mean live in authorizers.py;
this module only calls the Lambda service and the cache.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from samlite.graph.model import LambdaAuthorizer
from samlite.runtime.api_errors import LambdaApiError
from samlite.runtime.invocation import Result
from samlite.sources.gateway.authorizer_cache import AuthorizerCache
from samlite.sources.gateway.authorizers import (
    Outcome,
    Verdict,
    identity_values,
    judge,
    request_event,
    rest_token_event,
    token_is_valid,
)
from samlite.sources.gateway.events import HttpRequest

Invoke = Callable[[str, bytes], Result]
LogSink = Callable[[str, str], None]     # (function logical id, line)
# A REST authorizer that fails with this message asks for a 401 ("Use API Gateway Lambda
# authorizers": the example raises Exception('Unauthorized') to "return a 401 response").
UNAUTHORIZED_ERROR = "Unauthorized"


class Authorizing:
    def __init__(self, invoke: Invoke, cache: AuthorizerCache, log: LogSink) -> None:
        self._invoke = invoke
        self._cache = cache
        self._log = log

    def check(self, authorizer: LambdaAuthorizer, *, api: str, request: HttpRequest,
              route_event: Mapping[str, Any], arn: str, rest: bool) -> Verdict:
        identity = identity_values(authorizer, request)
        if identity is None:
            return Verdict(outcome=Outcome.UNAUTHORIZED)
        if authorizer.is_token and not token_is_valid(authorizer, identity[0]):
            self._log(authorizer.function or authorizer.name,
                      f"samlite: the token does not match authorizer {authorizer.name}'s "
                      f"ValidationExpression {authorizer.validation_expression!r}; the "
                      "client gets 401")
            return Verdict(outcome=Outcome.UNAUTHORIZED)
        key = (api, authorizer.name, identity)
        answer = self._cache.get(key)
        if answer is not None:
            return judge(authorizer, answer, arn)
        event = rest_token_event(identity[0], arn) if authorizer.is_token \
            else request_event(authorizer, route_event, identity, arn)
        answer, verdict = self._ask(authorizer, event, arn, rest=rest)
        if verdict.outcome is Outcome.FAILED:
            self._log(authorizer.function or authorizer.name,
                      f"samlite: authorizer {authorizer.name} failed ({verdict.reason}); "
                      "the client gets 500")
        elif answer is not None:
            self._cache.put(key, answer, authorizer.ttl_s)
        return verdict

    def _ask(self, authorizer: LambdaAuthorizer, event: Mapping[str, Any], arn: str, *,
             rest: bool) -> tuple[Any, Verdict]:
        function = authorizer.function
        if function is None:
            return None, Verdict(outcome=Outcome.FAILED, reason="no function of this template")
        try:
            result = self._invoke(function, json.dumps(event).encode())
        except LambdaApiError as exc:
            return None, Verdict(outcome=Outcome.FAILED,
                                 reason=f"{exc.error_type}: {exc.message}")
        try:
            answer = json.loads(result.payload)
        except (ValueError, UnicodeDecodeError):
            return None, Verdict(outcome=Outcome.FAILED, reason="its answer is not JSON")
        if result.function_error:
            message = answer.get("errorMessage") if isinstance(answer, dict) else None
            if rest and message == UNAUTHORIZED_ERROR:
                return None, Verdict(outcome=Outcome.UNAUTHORIZED)
            return None, Verdict(outcome=Outcome.FAILED, reason=f"function error: {message}")
        return answer, judge(authorizer, answer, arn)
