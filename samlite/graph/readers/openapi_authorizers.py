"""Authorizers an OpenAPI document declares (x-amazon-apigateway-authorizer in
securityDefinitions / components.securitySchemes) and the one each operation's `security`
names, with its scopes. Also the identity-source parsing plain AWS::ApiGateway(V2)::Authorizer
resources share. Pure.

Follows the API Gateway developer guide: "x-amazon-apigateway-authorizer object" (type token,
request, jwt, cognito_user_pools; authorizerUri, identitySource, identityValidationExpression,
authorizerResultTtlInSeconds, authorizerPayloadFormatVersion, enableSimpleResponses) and
"x-amazon-apigateway-authtype property" (awsSigv4 means IAM authorization).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import IAM_AUTHORIZER, ApiKind, JwtAuthorizer, LambdaAuthorizer
from samlite.graph.parts import FUNCTION_TYPES, GraphParts
from samlite.graph.readers.authorizers import DEFAULT_TTL_S
from samlite.graph.readers.jwt_authorizers import openapi_jwt_authorizer
from samlite.graph.values import as_bool, as_int, as_list, as_map, as_text, key_at

LAMBDA_TYPES = ("token", "request")


def schemes(body: Any) -> Mapping[str, Any]:
    doc = as_map(body)
    return {**as_map(doc.get("securityDefinitions")),
            **as_map(as_map(doc.get("components")).get("securitySchemes"))}


def body_authorizers(parts: GraphParts, body: Any, raw_body: Any, kind: ApiKind,
                     at: Mark) -> tuple[tuple[LambdaAuthorizer, ...], tuple[JwtAuthorizer, ...]]:
    """The Lambda and the JWT / Cognito authorizers of an OpenAPI document."""
    lambdas: list[LambdaAuthorizer] = []
    jwts: list[JwtAuthorizer] = []
    declared = schemes(body)
    for name, scheme in declared.items():
        settings = as_map(scheme)
        raw = _raw_scheme(parts, raw_body, name)
        where = key_at(declared, name, at)
        authorizer = as_map(settings.get("x-amazon-apigateway-authorizer"))
        if (as_text(authorizer.get("type")) or "").lower() in LAMBDA_TYPES:
            function = uri_function(
                parts, parts.refs.dig(raw, "x-amazon-apigateway-authorizer", "authorizerUri"),
                authorizer.get("authorizerUri"))
            lambdas.append(lambda_authorizer(
                name=name, function=function, kind=kind,
                authorizer_type=as_text(authorizer.get("type")) or "token",
                identity_source=_source_text(authorizer.get("identitySource"), settings),
                ttl_s=authorizer.get("authorizerResultTtlInSeconds"),
                validation_expression=as_text(authorizer.get("identityValidationExpression")),
                payload_version=as_text(authorizer.get("authorizerPayloadFormatVersion")),
                simple_responses=authorizer.get("enableSimpleResponses"), at=where))
            continue
        found = openapi_jwt_authorizer(parts, name, settings, raw, where)
        if found is not None:
            jwts.append(found)
    return tuple(lambdas), tuple(jwts)


def operation_auth(body: Any, operation: Any) -> tuple[str | None, tuple[str, ...] | None]:
    """(authorizer name, scopes) an operation's security (else the document's) names: a
    scheme with an x-amazon-apigateway-authorizer, or AWS_IAM for an awsSigv4 one."""
    doc = as_map(body)
    security = as_map(operation).get("security", doc.get("security"))
    declared = schemes(body)
    for entry in as_list(security):
        for name, scopes in as_map(entry).items():
            scheme = as_map(declared.get(name))
            if (as_text(scheme.get("x-amazon-apigateway-authtype")) or "").lower() \
                    == "awssigv4":
                return IAM_AUTHORIZER, None
            if "x-amazon-apigateway-authorizer" in scheme:
                listed = tuple(str(s) for s in as_list(scopes))
                return str(name), listed or None
    return None, None


def lambda_authorizer(*, name: str, function: str | None, kind: ApiKind, authorizer_type: str,
                      identity_source: str | None, ttl_s: Any, at: Mark,
                      validation_expression: str | None = None,
                      payload_version: str | None = None,
                      simple_responses: Any = None) -> LambdaAuthorizer:
    """A Lambda authorizer from API Gateway's own settings (not SAM's): identity sources as
    "method.request.header.Authorization, method.request.querystring.key" (REST) or
    "$request.header.X,$request.querystring.y" (HTTP APIs)."""
    headers, queries = identity_parts(identity_source)
    is_token = kind is ApiKind.REST and authorizer_type.upper() == "TOKEN"
    version = (payload_version or "2.0") if kind is ApiKind.HTTP else "1.0"
    ttl = as_int(ttl_s)
    return LambdaAuthorizer(
        name=name, function=function, payload_type="TOKEN" if is_token else "REQUEST",
        payload_format_version=version,
        simple_responses=version == "2.0" and as_bool(simple_responses, False),
        identity_headers=headers[:1] if is_token else headers,
        identity_query_strings=() if is_token else queries,
        ttl_s=DEFAULT_TTL_S if ttl is None else max(ttl, 0),
        validation_expression=validation_expression if is_token else None, at=at)


def identity_parts(identity_source: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(headers, query strings) an identity source names."""
    headers: list[str] = []
    queries: list[str] = []
    for part in (identity_source or "").split(","):
        source = part.strip()
        for prefix, into in (("method.request.header.", headers), ("$request.header.", headers),
                             ("method.request.querystring.", queries),
                             ("$request.querystring.", queries)):
            if source.startswith(prefix):
                into.append(source.removeprefix(prefix))
    return tuple(headers), tuple(queries)


def _source_text(value: Any, scheme: Mapping[str, Any]) -> str | None:
    """identitySource as text; a TOKEN authorizer without one reads the scheme's header."""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    text = as_text(value)
    if text:
        return text
    if scheme.get("in") == "header" and as_text(scheme.get("name")):
        return f"method.request.header.{as_text(scheme.get('name'))}"
    return None


def uri_function(parts: GraphParts, raw_uri: Any, uri: Any) -> str | None:
    """The function of this template an authorizer URI names: a Ref / GetAtt / ${Fn.Arn}
    inside it, else arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/
    invocations."""
    found = next((t for t in parts.refs.refs_in(raw_uri)
                  if parts.resources[t].type in FUNCTION_TYPES), None)
    if found is not None:
        return found
    text = as_text(uri) or ""
    return parts.function_id(None, text.partition("/functions/")[2].removesuffix("/invocations")
                             or text)


def _raw_scheme(parts: GraphParts, raw_body: Any, name: str) -> Any:
    found = parts.refs.dig(raw_body, "securityDefinitions", name)
    return found if found is not None else parts.refs.dig(raw_body, "components",
                                                          "securitySchemes", name)
