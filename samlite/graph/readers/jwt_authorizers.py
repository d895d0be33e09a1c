"""JWT and Cognito user pool authorizers -> graph.JwtAuthorizer, from SAM's Auth.Authorizers
and from an OpenAPI document's x-amazon-apigateway-authorizer. Pure.

Follows the SAM specification (HttpApiAuth / OAuth2Authorizer: JwtConfiguration, IdentitySource,
AuthorizationScopes; ApiAuth / CognitoAuthorizer: UserPoolArn, Identity) and the API Gateway
developer guide ("x-amazon-apigateway-authorizer object": type jwt with jwtConfiguration and
identitySource, type cognito_user_pools with providerARNs). A Cognito pool's issuer is
https://cognito-idp.{region}.amazonaws.com/{userPoolId} ("Verifying a JSON Web Token",
Amazon Cognito developer guide).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import JwtAuthorizer
from samlite.graph.parts import GraphParts
from samlite.graph.values import as_list, as_map, as_text, as_texts, key_at

COGNITO_POOL = "AWS::Cognito::UserPool"
HEADER_SOURCE = "$request.header."


def sam_jwt_authorizers(parts: GraphParts, auth: Any, raw_auth: Any,
                        at: Mark) -> tuple[JwtAuthorizer, ...]:
    """The authorizers of an Auth map that name a JwtConfiguration (HttpApi) or a
    UserPoolArn (Api)."""
    declared = as_map(as_map(auth).get("Authorizers"))
    found = []
    for name, config in declared.items():
        settings = as_map(config)
        where = key_at(declared, name, at)
        if "JwtConfiguration" in settings:
            jwt = as_map(settings.get("JwtConfiguration"))
            found.append(JwtAuthorizer(
                name=name, issuers=as_texts(jwt.get("issuer")),
                audiences=as_texts(jwt.get("audience")),
                identity_header=header_of(as_text(settings.get("IdentitySource"))),
                scopes=as_texts(settings.get("AuthorizationScopes")), at=where))
        elif "UserPoolArn" in settings:
            raw = parts.refs.dig(raw_auth, "Authorizers", name, "UserPoolArn")
            identity = as_map(settings.get("Identity"))
            found.append(JwtAuthorizer(
                name=name, is_cognito=True,
                issuers=pool_issuers(parts, raw, settings.get("UserPoolArn")),
                identity_header=as_text(identity.get("Header")) or "Authorization",
                scopes=as_texts(settings.get("AuthorizationScopes")),
                validation_expression=as_text(identity.get("ValidationExpression")),
                at=where))
    return tuple(found)


def openapi_jwt_authorizer(parts: GraphParts, name: str, scheme: Mapping[str, Any],
                           raw_scheme: Any, at: Mark) -> JwtAuthorizer | None:
    """A security scheme whose x-amazon-apigateway-authorizer is of type jwt or
    cognito_user_pools (None for any other)."""
    authorizer = as_map(scheme.get("x-amazon-apigateway-authorizer"))
    kind = (as_text(authorizer.get("type")) or "").lower()
    if kind == "jwt":
        jwt = as_map(authorizer.get("jwtConfiguration"))
        sources = as_texts(authorizer.get("identitySource"))
        return JwtAuthorizer(name=name, issuers=as_texts(jwt.get("issuer")),
                             audiences=as_texts(jwt.get("audience")),
                             identity_header=header_of(sources[0] if sources else None),
                             at=at)
    if kind == "cognito_user_pools":
        raw = parts.refs.dig(raw_scheme, "x-amazon-apigateway-authorizer", "providerARNs")
        # Swagger's apiKey scheme says where the token is: {"in": "header", "name": ...}
        header = as_text(scheme.get("name")) if scheme.get("in") == "header" else None
        return JwtAuthorizer(name=name, is_cognito=True,
                             issuers=pool_issuers(parts, raw, authorizer.get("providerARNs")),
                             identity_header=header or "Authorization", at=at)
    return None


def header_of(identity_source: str | None) -> str:
    """The header an identity source names: "$request.header.Authorization" (HTTP APIs,
    the default) or "method.request.header.Authorization" (REST)."""
    text = identity_source or f"{HEADER_SOURCE}Authorization"
    for prefix in (HEADER_SOURCE, "method.request.header."):
        if text.startswith(prefix):
            return text.removeprefix(prefix)
    return text


def pool_issuers(parts: GraphParts, raw: Any, value: Any) -> tuple[str, ...]:
    """Issuers of one UserPoolArn or a list of them: a pool of this template by its Ref
    (samlite's local pool id), an ARN arn:aws:cognito-idp:{region}:{account}:userpool/{id}."""
    region = parts.resolved.pseudo.region
    raws = as_list(parts.refs.choose(raw)) if isinstance(value, list) else [raw]
    values = value if isinstance(value, list) else [value]
    issuers = []
    for one_raw, one in zip(raws + [None] * len(values), values, strict=False):
        pool = parts.refs.target(one_raw, one)
        if pool is not None and parts.resources[pool].type == COGNITO_POOL:
            issuers.append(cognito_issuer(region, parts.ref_name(parts.resources[pool])))
            continue
        arn = as_text(one) or ""
        if ":userpool/" in arn:
            arn_region = arn.split(":")[3] or region
            issuers.append(cognito_issuer(arn_region, arn.rpartition("/")[2]))
    return tuple(issuers)


def cognito_issuer(region: str, pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
