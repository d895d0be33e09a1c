"""An Api's / HttpApi's `Auth.Authorizers` -> the Lambda authorizers the gateway runs. Pure.

Follows the SAM specification (ApiAuth / ApiFunctionAuth / FunctionRequestIdentity for
AWS::Serverless::Api, HttpApiAuth / LambdaAuthorizer / LambdaAuthorizationIdentity for
AWS::Serverless::HttpApi). Cognito, JWT and IAM authorizers are not read here: the gateway
names them as not run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import ApiKind, LambdaAuthorizer
from samlite.graph.parts import GraphParts
from samlite.graph.values import as_bool, as_int, as_map, as_text, as_texts, key_at

# API Gateway caches authorizer results for 300 s unless told otherwise (AuthorizerResultTtl-
# InSeconds in the API Gateway and API Gateway V2 API references: "the default value is 300").
DEFAULT_TTL_S = 300


def lambda_authorizers(parts: GraphParts, auth: Any, raw_auth: Any, kind: ApiKind,
                       at: Mark) -> tuple[LambdaAuthorizer, ...]:
    """The authorizers of `auth` (an Auth map) that name a FunctionArn."""
    declared = as_map(as_map(auth).get("Authorizers"))
    found = []
    for name, config in declared.items():
        settings = as_map(config)
        if "FunctionArn" not in settings:
            continue
        raw_arn = parts.refs.dig(raw_auth, "Authorizers", name, "FunctionArn")
        function = parts.function_id(raw_arn, settings.get("FunctionArn"))
        where = key_at(declared, name, at)
        found.append(_rest(name, function, settings, where) if kind is ApiKind.REST
                     else _http(name, function, settings, where))
    return tuple(found)


def _rest(name: str, function: str | None, settings: Mapping[str, Any],
          at: Mark) -> LambdaAuthorizer:
    payload = (as_text(settings.get("FunctionPayloadType")) or "TOKEN").upper()
    identity = as_map(settings.get("Identity"))
    if payload == "TOKEN":   # SAM's default token source is the Authorization header
        headers = (as_text(identity.get("Header")) or "Authorization",)
        queries: tuple[str, ...] = ()
    else:
        headers = as_texts(identity.get("Headers"))
        queries = as_texts(identity.get("QueryStrings"))
    return LambdaAuthorizer(
        name=name, function=function, payload_type=payload, payload_format_version="1.0",
        identity_headers=headers, identity_query_strings=queries,
        ttl_s=_ttl(identity), at=at,
        validation_expression=as_text(identity.get("ValidationExpression"))
        if payload == "TOKEN" else None)


def _http(name: str, function: str | None, settings: Mapping[str, Any],
          at: Mark) -> LambdaAuthorizer:
    identity = as_map(settings.get("Identity"))
    version = as_text(settings.get("AuthorizerPayloadFormatVersion")) or "2.0"
    return LambdaAuthorizer(
        name=name, function=function, payload_type="REQUEST", payload_format_version=version,
        # simple responses exist only in payload format 2.0
        simple_responses=version == "2.0" and as_bool(settings.get("EnableSimpleResponses"),
                                                      False),
        identity_headers=as_texts(identity.get("Headers")),
        identity_query_strings=as_texts(identity.get("QueryStrings")),
        ttl_s=_ttl(identity), at=at)


def _ttl(identity: Mapping[str, Any]) -> int:
    ttl = as_int(identity.get("ReauthorizeEvery"))
    return DEFAULT_TTL_S if ttl is None else max(ttl, 0)
