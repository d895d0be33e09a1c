"""Plain CloudFormation authorizers -> graph.LambdaAuthorizer / JwtAuthorizer, and what a
Method's or Route's AuthorizationType and AuthorizerId mean for its route. Pure.

Follows the CloudFormation reference pages of AWS::ApiGateway::Authorizer (Type TOKEN, REQUEST,
COGNITO_USER_POOLS; AuthorizerUri, IdentitySource, IdentityValidationExpression,
AuthorizerResultTtlInSeconds, ProviderARNs), AWS::ApiGatewayV2::Authorizer (AuthorizerType
REQUEST, JWT; AuthorizerPayloadFormatVersion, EnableSimpleResponses, IdentitySource,
JwtConfiguration) and the AuthorizationType / AuthorizerId / AuthorizationScopes of
AWS::ApiGateway::Method and AWS::ApiGatewayV2::Route.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from samlite.graph.model import IAM_AUTHORIZER, ApiKind, JwtAuthorizer, LambdaAuthorizer
from samlite.graph.parts import GraphParts
from samlite.graph.readers.jwt_authorizers import header_of, pool_issuers
from samlite.graph.readers.openapi_authorizers import lambda_authorizer, uri_function
from samlite.graph.values import as_text, as_texts
from samlite.template.model import Resource

REST_AUTHORIZER = "AWS::ApiGateway::Authorizer"
HTTP_AUTHORIZER = "AWS::ApiGatewayV2::Authorizer"


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteAuth:
    """What a Method / Route says about its authorization."""
    authorizer: str | None = None          # an authorizer's logical id, or AWS_IAM
    scopes: tuple[str, ...] | None = None
    unrun: str | None = None               # why it is not run locally, when it is not


def read_authorizers(parts: GraphParts, resources: list[Resource], kind: ApiKind
                     ) -> tuple[tuple[LambdaAuthorizer, ...], tuple[JwtAuthorizer, ...]]:
    """The Lambda and the JWT / Cognito authorizers among an API's Authorizer resources."""
    lambdas: list[LambdaAuthorizer] = []
    jwts: list[JwtAuthorizer] = []
    for res in resources:
        props, raw = parts.props(res)
        kind_name = (as_text(props.get("Type" if kind is ApiKind.REST else "AuthorizerType"))
                     or "").upper()
        if kind_name in ("TOKEN", "REQUEST"):
            lambdas.append(lambda_authorizer(
                name=res.logical_id, kind=kind, authorizer_type=kind_name,
                function=uri_function(parts, parts.refs.dig(raw, "AuthorizerUri"),
                                      props.get("AuthorizerUri")),
                identity_source=_sources(props.get("IdentitySource")),
                ttl_s=props.get("AuthorizerResultTtlInSeconds"),
                validation_expression=as_text(props.get("IdentityValidationExpression")),
                payload_version=as_text(props.get("AuthorizerPayloadFormatVersion")),
                simple_responses=props.get("EnableSimpleResponses"), at=res.at))
        elif kind_name == "COGNITO_USER_POOLS":
            jwts.append(JwtAuthorizer(
                name=res.logical_id, is_cognito=True,
                issuers=pool_issuers(parts, parts.refs.dig(raw, "ProviderARNs"),
                                     props.get("ProviderARNs")),
                identity_header=header_of(as_text(props.get("IdentitySource"))),
                validation_expression=as_text(props.get("IdentityValidationExpression")),
                at=res.at))
        elif kind_name == "JWT":
            jwt = props.get("JwtConfiguration")
            settings: Mapping[str, Any] = jwt if isinstance(jwt, Mapping) else {}
            sources = as_texts(props.get("IdentitySource"))
            jwts.append(JwtAuthorizer(
                name=res.logical_id, issuers=as_texts(settings.get("Issuer")),
                audiences=as_texts(settings.get("Audience")),
                identity_header=header_of(sources[0] if sources else None), at=res.at))
    return tuple(lambdas), tuple(jwts)


def route_auth(parts: GraphParts, props: Mapping[str, Any], raw: Any,
               runnable: set[str]) -> RouteAuth:
    """A Method's / Route's authorization: `runnable` names the authorizers samlite runs."""
    auth = (as_text(props.get("AuthorizationType")) or "NONE").upper()
    if auth == "NONE":
        return RouteAuth()
    scopes = as_texts(props.get("AuthorizationScopes")) \
        if "AuthorizationScopes" in props else None
    if auth == IAM_AUTHORIZER:
        return RouteAuth(authorizer=IAM_AUTHORIZER)
    found = parts.refs.target(parts.refs.dig(raw, "AuthorizerId"), props.get("AuthorizerId"))
    named = found or parts.refs.target_or_text(parts.refs.dig(raw, "AuthorizerId"),
                                               props.get("AuthorizerId"))
    if found in runnable:
        return RouteAuth(authorizer=found, scopes=scopes)
    return RouteAuth(unrun=f"{auth} authorization{f' {named}' if named else ''} is not run "
                           "locally (its authorizer is not one of this template's that "
                           "samlite runs); the route serves without it")


def runnable_names(lambdas: tuple[LambdaAuthorizer, ...],
                   jwts: tuple[JwtAuthorizer, ...]) -> set[str]:
    return {a.name for a in lambdas if a.function is not None} | {a.name for a in jwts}


def _sources(value: Any) -> str | None:
    """IdentitySource: REST's comma-separated text, or HTTP APIs' list."""
    if isinstance(value, list):
        return ",".join(as_texts(value))
    return as_text(value)
