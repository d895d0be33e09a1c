"""SAM's translation rules for AWS::Serverless::Api and HttpApi and the events that add routes
to them: RestApiId / ApiId must name a resource of the template, a method and path once per
API, Cors and Auth only where SAM can write them (an inline DefinitionBody), authorizers that
exist, a DefinitionBody SAM can edit. Rules and wording follow samtranslator
(model/api/api_generator.py, http_api_generator.py, eventsources/push.py, swagger/*.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from samlite.errors import Problem
from samlite.validation.checks.sam_common import (
    API,
    HTTP_API,
    IMPLICIT_API,
    IMPLICIT_HTTP_API,
    Path,
    SamView,
    event_path,
    is_intrinsic,
    is_map,
    ref_target,
)

ANY_METHOD = "x-amazon-apigateway-any-method"
API_CORS_KEYS = ("AllowMethods", "AllowHeaders", "AllowOrigin", "MaxAge", "AllowCredentials")
HTTP_CORS_KEYS = ("AllowOrigins", "AllowCredentials", "AllowHeaders", "AllowMethods", "MaxAge",
                  "ExposeHeaders")
BUILT_IN_AUTHORIZERS = ("AWS_IAM", "NONE")
REST_BODY_EDITS = ("Auth", "Cors", "GatewayResponses", "Models", "DisableExecuteApiEndpoint")
_REQUEST_PARAMETER = re.compile(r"^method\.request\.(querystring|path|header)\.")
_OPENAPI_VERSION = re.compile(r"^[23](\.\d+){1,2}$")
# Keys of a Swagger / OpenAPI path item that are not operations.
_PATH_ITEM_KEYS = frozenset({"parameters", "summary", "description", "servers", "$ref"})


def _method(value: Any) -> str:
    method = str(value).lower()
    return ANY_METHOD if method == "any" else method


def api_events(view: SamView) -> Iterator[tuple[str, str, str, Mapping[str, Any]]]:
    """(function id, event id, event type, Properties) of Api and HttpApi events."""
    for fid, event_id, event, props in view.events():
        if event.get("Type") in ("Api", "HttpApi"):
            yield fid, event_id, event["Type"], props


def check_api_references(view: SamView) -> Iterator[Problem]:
    """RestApiId / ApiId (a logical id or Ref) names a resource of this template, of any type:
    a plain AWS::ApiGateway::RestApi or AWS::ApiGatewayV2::Api too. Only an Api event naming
    an AWS::Serverless::HttpApi is refused besides. This is the translator's whole rule
    (samtranslator/plugins/api/implicit_api_plugin.py, _add_api_to_swagger, SAM commit
    7000d0a3); anything stricter refuses templates SAM deploys."""
    for fid, event_id, kind, props in api_events(view):
        name, wanted, code = ("RestApiId", API, "E7401") if kind == "Api" else (
            "ApiId", HTTP_API, "E7402")
        if name not in props:
            continue
        target = ref_target(props[name])
        found_type = view.type_of(target)
        if found_type is not None and not (kind == "Api" and found_type == HTTP_API):
            continue
        found = f"{target}, which is {found_type or 'not a resource of the template'}"
        if target is None:
            found = "neither a logical id nor a Ref"
        yield view.problem(code, f"{name} must be a valid reference to an '{wanted}' resource "
                                 f"in same template (a logical id or Ref); got {found}",
                           event_path(fid, event_id, name), fid)


def api_of(kind: str, props: Mapping[str, Any]) -> str | None:
    name, implicit = ("RestApiId", IMPLICIT_API) if kind == "Api" else ("ApiId",
                                                                         IMPLICIT_HTTP_API)
    return ref_target(props[name]) if name in props else implicit


def check_routes(view: SamView) -> Iterator[Problem]:
    """Path and Method are both given (HttpApi: or both left out, for $default), and each
    method and path is defined once per API."""
    seen: dict[tuple[str, str, str], tuple[str, str]] = {}
    for fid, event_id, kind, props in api_events(view):
        path, method = props.get("Path"), props.get("Method")
        if kind == "HttpApi" and path is None and method is None:
            path, method = "$default", ANY_METHOD
        for name, value in (("Path", path), ("Method", method)):
            if value is None:
                yield view.problem("E7404", f"Property '{name}' is required for {kind} event "
                                            f"{event_id}", event_path(fid, event_id), fid)
        api = api_of(kind, props)
        if not (isinstance(path, str) and isinstance(method, str) and api):
            continue
        key = (api, path, _method(method))
        if key in seen:
            first_fid, first_event = seen[key]
            yield view.problem(
                "E7403", f"API method '{key[2]}' defined multiple times for path '{path}' of "
                         f"{api} (also by event {first_event} of {first_fid})",
                event_path(fid, event_id, "Method" if "Method" in props else "Path"), fid)
        else:
            seen[key] = (fid, event_id)


def check_request_parameters(view: SamView) -> Iterator[Problem]:
    """Api event RequestParameters: 'method.request.{querystring|path|header}.Name' strings or
    {Name: {Required, Caching}} maps."""
    for fid, event_id, kind, props in api_events(view):
        parameters = props.get("RequestParameters")
        if kind != "Api" or not isinstance(parameters, list):
            continue
        for index, entry in enumerate(parameters):
            path = event_path(fid, event_id, "RequestParameters", index)
            message = _request_parameter_problem(entry)
            if message:
                yield view.problem("E7405", f"Invalid value for 'RequestParameters' property: "
                                            f"{message}", path, fid)


def _request_parameter_problem(entry: Any) -> str | None:
    name_rule = ("keys must be in the format 'method.request.[querystring|path|header].{value}',"
                 " e.g. 'method.request.header.Authorization'")
    if isinstance(entry, str):
        return None if _REQUEST_PARAMETER.match(entry) else name_rule
    if not is_map(entry):
        return "each entry must be either a string or an object"
    for name, settings in entry.items():
        if not _REQUEST_PARAMETER.match(str(name)):
            return name_rule
        if not is_map(settings) or not set(settings) <= {"Required", "Caching"}:
            return "values must be an object, e.g. { Required: true, Caching: false }"
    return None


def check_api_properties(view: SamView) -> Iterator[Problem]:
    """StageName, OpenApiVersion, DefinitionUri with DefinitionBody, GatewayResponses."""
    for api_id, props in view.of_type(API, HTTP_API):
        base: Path = ("Resources", api_id, "Properties")
        if props.get("StageName") == "":
            yield view.problem("E7406", "StageName cannot be empty", (*base, "StageName"), api_id)
        version = props.get("OpenApiVersion")
        if isinstance(version, str) and not _OPENAPI_VERSION.match(version):
            yield view.problem("E7407", f"The OpenApiVersion value must be of the format "
                                        f"'3.0.0', got {version!r}", (*base, "OpenApiVersion"),
                               api_id)
        if props.get("DefinitionUri") is not None and props.get("DefinitionBody") is not None:
            yield view.problem("E7410", "Specify either 'DefinitionUri' or 'DefinitionBody' "
                                        "property and not both", (*base, "DefinitionUri"), api_id)
        if props.get("DefinitionUri") is not None:
            from samlite.validation.checks.sam_function_rules import artifact_uri
            yield from artifact_uri(view, api_id, props, "DefinitionUri", base)
        responses = props.get("GatewayResponses")
        for name, response in (responses.items() if is_map(responses) else ()):
            status = response.get("StatusCode") if is_map(response) else None
            if status is not None and not is_intrinsic(status) and not str(status).isdigit():
                yield view.problem("E7413", f"Property 'StatusCode' must be numeric, got "
                                            f"{status!r}",
                                   (*base, "GatewayResponses", name, "StatusCode"), api_id)


def check_cors(view: SamView) -> Iterator[Problem]:
    """Api Cors / HttpApi CorsConfiguration: known keys, an origin, no credentials with '*',
    and an inline DefinitionBody (SAM adds CORS to it; it cannot edit a DefinitionUri)."""
    for api_id, props in view.of_type(API, HTTP_API):
        rest = view.type_of(api_id) == API
        name = "Cors" if rest else "CorsConfiguration"
        if props.get(name) is None:
            continue
        path: Path = ("Resources", api_id, "Properties", name)
        if props.get("DefinitionUri") is not None and props.get("DefinitionBody") is None:
            spec = "Swagger" if rest else "OpenApi"
            yield view.problem("E7409", f"Cors works only with inline {spec} specified in "
                                        f"'DefinitionBody' property, not with DefinitionUri",
                               path, api_id)
        yield from _cors_value(view, props[name], path, api_id, rest, "")
    globals_api = globals_section(view, "Api")
    if is_map(globals_api) and "Cors" in globals_api and _has_implicit(view, "Api"):
        yield from _cors_value(view, globals_api["Cors"], ("Globals", "Api", "Cors"), None,
                               True, f" (for the implicit API {IMPLICIT_API})")


def _cors_value(view: SamView, cors: Any, path: Path, api_id: str | None, rest: bool,
                note: str) -> Iterator[Problem]:
    if not is_map(cors):
        return
    keys = API_CORS_KEYS if rest else HTTP_CORS_KEYS
    for key in cors:
        if key not in keys:
            yield view.problem("E7408", f"Invalid key '{key}' for 'Cors' property{note}; "
                                        f"expected one of {list(keys)}", (*path, key), api_id)
    if not rest:
        return
    origin = cors.get("AllowOrigin")
    if origin is None or origin == "":
        yield view.problem("E7408", f"Value for AllowOrigin is required in 'Cors'{note}",
                           path, api_id)
    elif cors.get("AllowCredentials") is True and origin == "'*'":
        yield view.problem("E7408", f"Unable to add Cors configuration{note} because "
                                    "'AllowCredentials' can not be true when 'AllowOrigin' is "
                                    "\"'*'\" or not set", (*path, "AllowCredentials"), api_id)


def globals_section(view: SamView, name: str) -> Any:
    sections = view.root.get("Globals")
    return sections.get(name) if isinstance(sections, dict) else None


def _has_implicit(view: SamView, kind: str) -> bool:
    implicit = IMPLICIT_API if kind == "Api" else IMPLICIT_HTTP_API
    return any(k == kind and api_of(k, p) == implicit for _, _, k, p in api_events(view))


def check_definition_body(view: SamView) -> Iterator[Problem]:
    """Auth needs an inline DefinitionBody SAM can edit; its paths and methods must be maps
    (a path may be an Fn::If of two path items)."""
    routes = {(api_of(k, p), p.get("Path", "$default"), _method(p.get("Method", "any")))
              for _, _, k, p in api_events(view)
              if isinstance(p.get("Path", ""), str) and isinstance(p.get("Method", ""), str)}
    routed = {api for api, _, _ in routes}
    for api_id, props in view.of_type(API, HTTP_API):
        rest = view.type_of(api_id) == API
        spec = "Swagger" if rest else "OpenApi"
        base: Path = ("Resources", api_id, "Properties")
        body = props.get("DefinitionBody")
        if props.get("Auth") is not None and body is None and props.get(
                "DefinitionUri") is not None:
            yield view.problem("E7409", f"Auth works only with inline {spec} specified in "
                                        "'DefinitionBody' property, not with DefinitionUri",
                               (*base, "Auth"), api_id)
        if not is_map(body):
            continue
        edited = props.get("Auth") is not None or props.get("Cors") is not None or (
            props.get("CorsConfiguration") is not None) or api_id in routed
        # What SAM writes into a REST definition itself refuses one it cannot read.
        rest_edits = any(props.get(name) is not None for name in REST_BODY_EDITS)
        edited = edited or (rest and rest_edits) or (not rest and bool(props.get("Tags")))
        paths = body.get("paths")
        versioned = "swagger" in body or "openapi" in body
        if edited and (not versioned or not is_map(paths)) and (not rest or rest_edits):
            yield view.problem("E7411", f"'DefinitionBody' does not contain a valid {spec} "
                                        "definition: it needs 'openapi' (or 'swagger') and a "
                                        "'paths' map for SAM to add Auth, Cors or routes",
                               (*base, "DefinitionBody"), api_id)
        if versioned and is_map(paths):
            added = {(path, method) for api, path, method in routes if api == api_id}
            yield from _paths(view, api_id, paths, (*base, "DefinitionBody", "paths"), added)


def _paths(view: SamView, api_id: str, paths: Mapping[str, Any], base: Path,
           added: set[tuple[Any, str]]) -> Iterator[Problem]:
    """`added`: (path, method) an event of this API defines; SAM fills those in itself."""
    for path, item in paths.items():
        where = (*base, path)
        if isinstance(item, dict) and set(item) == {"Fn::If"}:
            arguments = item["Fn::If"]
            if not isinstance(arguments, list) or len(arguments) != 3:
                yield view.problem("E7005", f"Value of Fn::If for path '{path}' must be a list "
                                            "[condition, value if true, value if false]",
                                   (*where, "Fn::If"), api_id)
            continue
        if not is_map(item):
            yield view.problem("E7411", f"Value of '{path}' path must be a dictionary according "
                                        "to Swagger spec", where, api_id)
            continue
        for method, operation in item.items():
            if method in _PATH_ITEM_KEYS or (str(method).startswith("x-") and method != ANY_METHOD):
                continue
            if not isinstance(operation, dict) and (path, _method(method)) not in added:
                yield view.problem("E7411", f"Definition of method '{method}' for path '{path}' "
                                            "should be a map", (*where, method), api_id)


def auth_of(view: SamView, kind: str, api: str | None) -> Any:
    if api in (IMPLICIT_API, IMPLICIT_HTTP_API):
        section = globals_section(view, kind)
        return section.get("Auth") if is_map(section) else None
    resource = view.resources.get(api) if isinstance(api, str) else None
    props = resource.get("Properties") if isinstance(resource, dict) else None
    return props.get("Auth") if is_map(props) else None


def check_event_authorizers(view: SamView) -> Iterator[Problem]:
    """An event's Auth.Authorizer is one its API defines (or AWS_IAM; NONE needs a
    DefaultAuthorizer), and AuthorizationScopes come with an authorizer."""
    for fid, event_id, kind, props in api_events(view):
        auth = props.get("Auth")
        if not is_map(auth):
            continue
        api = api_of(kind, props)
        api_auth = auth_of(view, kind, api)
        api_auth = api_auth if is_map(api_auth) else {}
        authorizers = api_auth.get("Authorizers")
        authorizers = authorizers if is_map(authorizers) else {}
        default = api_auth.get("DefaultAuthorizer")
        path = event_path(fid, event_id, "Auth")
        route = f"{props.get('Method', 'ANY')} {props.get('Path', '$default')}"
        name = auth.get("Authorizer")
        if name is None:
            if kind == "Api" and auth.get("AuthorizationScopes") is not None and not default:
                yield view.problem("E7412", "AuthorizationScopes works only when Authorizer is "
                                            "set (here or as the API's DefaultAuthorizer)",
                                   (*path, "AuthorizationScopes"), fid)
        elif not isinstance(name, str):
            yield view.problem("E7412", f"Unable to set the authorizer on {route}: Authorizer "
                                        "must be a string naming one of the API's Authorizers",
                               (*path, "Authorizer"), fid)
        elif name == "NONE":
            if not default:
                yield view.problem("E7412", f"Unable to set Authorizer on {route}: 'NONE' is "
                                            "only a valid value when a DefaultAuthorizer on the "
                                            "API is specified", (*path, "Authorizer"), fid)
        elif name != "AWS_IAM" and not authorizers:
            yield view.problem("E7412", f"Unable to set Authorizer [{name}] on {route} because "
                                        f"the related API {api} does not define any Authorizers",
                               (*path, "Authorizer"), fid)
        elif name != "AWS_IAM" and name not in authorizers:
            yield view.problem("E7412", f"Unable to set Authorizer [{name}] on {route} because "
                                        f"it wasn't defined in the Authorizers of {api}",
                               (*path, "Authorizer"), fid)
        scopes = auth.get("AuthorizationScopes")
        if kind == "HttpApi" and scopes is not None and not isinstance(scopes, list):
            yield view.problem("E7412", "'AuthorizationScopes' must be a list of strings",
                               (*path, "AuthorizationScopes"), fid)


def check_api_authorizers(view: SamView) -> Iterator[Problem]:
    """DefaultAuthorizer is one of Authorizers; Lambda authorizers are complete."""
    for api_id, props in view.of_type(API, HTTP_API):
        auth = props.get("Auth")
        if not is_map(auth):
            continue
        rest = view.type_of(api_id) == API
        path: Path = ("Resources", api_id, "Properties", "Auth")
        authorizers = auth.get("Authorizers")
        if not is_map(authorizers) or not authorizers:
            continue
        default = auth.get("DefaultAuthorizer")
        if isinstance(default, str) and default != "AWS_IAM" and default not in authorizers:
            yield view.problem("E7412", f"Unable to set DefaultAuthorizer because '{default}' "
                                        f"was not defined in 'Authorizers'",
                               (*path, "DefaultAuthorizer"), api_id)
        elif rest and default is not None and not isinstance(default, str):
            yield view.problem("E7412", "DefaultAuthorizer must be a string naming one of the "
                                        "Authorizers", (*path, "DefaultAuthorizer"), api_id)
        for name, authorizer in authorizers.items():
            where = (*path, "Authorizers", name)
            if not is_map(authorizer):
                if not is_intrinsic(authorizer):
                    yield view.problem("E7412", f"Authorizer {name} must be a map",
                                       where, api_id)
                continue
            identity = authorizer.get("Identity")
            if identity is not None and not is_map(identity) and not is_intrinsic(identity):
                yield view.problem("E7412", f"{name} Authorizer's Identity must be a map",
                                   (*where, "Identity"), api_id)
            check = _rest_authorizer if rest else _http_authorizer
            for message in check(name, authorizer):
                yield view.problem("E7412", message, where, api_id)


def _rest_authorizer(name: str, authorizer: Mapping[str, Any]) -> Iterator[str]:
    expression = authorizer.get("Identity", {}).get("ValidationExpression") \
        if is_map(authorizer.get("Identity")) else None
    if isinstance(expression, str):
        try:   # the local gateway matches tokens against it
            re.compile(expression)
        except re.error as exc:
            yield (f"{name} Authorizer's Identity.ValidationExpression is not a regular "
                   f"expression: {exc}")
    if "FunctionArn" not in authorizer:
        return
    payload = authorizer.get("FunctionPayloadType", "TOKEN")
    if payload not in ("TOKEN", "REQUEST") and not is_intrinsic(payload):
        yield f"{name} Authorizer has invalid 'FunctionPayloadType': {payload} (TOKEN or REQUEST)"
    identity = authorizer.get("Identity")
    identity = identity if is_map(identity) else {}
    sources = ("Headers", "QueryStrings", "StageVariables", "Context")
    if payload == "REQUEST" and identity.get("ReauthorizeEvery") != 0 and not any(
            identity.get(s) for s in sources):
        yield (f"{name} Authorizer must specify Identity with at least one of Headers, "
               "QueryStrings, StageVariables, or Context")


# HTTP API authorizer properties by kind: JWT (OAuth2) ones and Lambda ones.
JWT_ONLY = ("AuthorizationScopes", "IdentitySource")
LAMBDA_ONLY = ("FunctionArn", "FunctionInvokeRole", "Identity",
               "AuthorizerPayloadFormatVersion", "EnableSimpleResponses",
               "EnableFunctionDefaultPermissions")


def _http_authorizer(name: str, authorizer: Mapping[str, Any]) -> Iterator[str]:
    if "OpenIdConnectUrl" in authorizer:
        yield (f"'OpenIdConnectUrl' is no longer a supported property for authorizer '{name}'; "
               "use JwtConfiguration.issuer")
    scopes = authorizer.get("AuthorizationScopes")
    if scopes is not None and not isinstance(scopes, list) and not is_intrinsic(scopes):
        yield f"{name} Authorizer's AuthorizationScopes must be a list"
    if authorizer.get("JwtConfiguration") is not None:
        for key in LAMBDA_ONLY:
            if authorizer.get(key) is not None:
                yield f"{key} is only supported for Lambda Authorizer (not {name}, a JWT one)"
        if not authorizer.get("IdentitySource"):
            yield f"{name} OAuth2 Authorizer must define 'IdentitySource'"
        return
    if name == "AWS_IAM":
        return
    for key in JWT_ONLY:
        if authorizer.get(key) is not None:
            yield f"{key} is only supported for OAuth2 (JWT) Authorizer, not the Lambda one {name}"
    for required in ("FunctionArn", "AuthorizerPayloadFormatVersion"):
        if authorizer.get(required) is None:
            yield f"{name} Lambda Authorizer must define '{required}'"


CHECKS_ON_VIEW = (
    check_api_references, check_routes, check_request_parameters, check_api_properties,
    check_cors, check_definition_body, check_event_authorizers, check_api_authorizers,
)
