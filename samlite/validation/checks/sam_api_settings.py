"""SAM's rules for the settings of AWS::Serverless::Api and HttpApi that it writes into the
API's definition or turns into other resources: what needs an inline DefinitionBody, custom
domains, Auth and usage plans, gateway responses, private endpoints, StageName, the
definition's own tags and CORS extension. Follows samtranslator (model/api/api_generator.py,
http_api_generator.py, apiv2_generator.py, model/apigateway.py, open_api/open_api.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from samlite.errors import Problem
from samlite.validation.checks.sam_api_rules import api_events, api_of
from samlite.validation.checks.sam_common import API, HTTP_API, Path, SamView, is_intrinsic, is_map

# What SAM can only write into a definition it holds inline (not a DefinitionUri file).
INLINE_ONLY = {
    API: ("GatewayResponses", "Models", "DisableExecuteApiEndpoint"),
    HTTP_API: ("Tags", "Description", "Name", "DisableExecuteApiEndpoint"),
}
AUTH_KEYS = {
    API: ("Authorizers", "DefaultAuthorizer", "InvokeRole", "AddDefaultAuthorizerToCorsPreflight",
          "AddApiKeyRequiredToCorsPreflight", "ApiKeyRequired", "ResourcePolicy", "UsagePlan"),
    HTTP_API: ("Authorizers", "DefaultAuthorizer", "EnableIamAuthorizer"),
}
USAGE_PLAN_KEYS = ("CreateUsagePlan", "Description", "Quota", "Tags", "Throttle",
                   "UsagePlanName")
USAGE_PLAN_KINDS = ("SHARED", "PER_API", "NONE")
GATEWAY_RESPONSE_KEYS = ("ResponseParameters", "ResponseTemplates", "StatusCode")
RESPONSE_PARAMETER_KINDS = ("Headers", "Paths", "QueryStrings")
DOMAIN_ENDPOINTS = {API: ("EDGE", "REGIONAL", "PRIVATE"), HTTP_API: ("REGIONAL",)}
MUTUAL_TLS_KEYS = ("TruststoreUri", "TruststoreVersion")
# The title SAM gives a definition it makes; a Name may replace only that one.
DEFAULT_TITLE = {"Ref": "AWS::StackName"}


def _apis(view: SamView) -> Iterator[tuple[str, str, Mapping[str, Any], Path]]:
    for api_id, props in view.of_type(API, HTTP_API):
        yield api_id, str(view.type_of(api_id)), props, ("Resources", api_id, "Properties")


def check_inline_only(view: SamView) -> Iterator[Problem]:
    """GatewayResponses, Models, DisableExecuteApiEndpoint (Api) and Tags, Description, Name,
    DisableExecuteApiEndpoint (HttpApi) need an inline definition; MergeDefinitions merges
    one, so it cannot go with DefinitionUri."""
    for api_id, kind, props, base in _apis(view):
        if props.get("DefinitionUri") is None or props.get("DefinitionBody") is not None:
            continue
        spec = "Swagger" if kind == API else "OpenApi"
        for name in INLINE_ONLY[kind]:
            value = props.get(name)
            if value is not None and (value or name == "DisableExecuteApiEndpoint"):
                yield view.problem("E7409", f"{name} works only with inline {spec} specified in "
                                            "'DefinitionBody' property, not with DefinitionUri",
                                   (*base, name), api_id)
        if kind == API and props.get("MergeDefinitions") is True:
            yield view.problem("E7409", "MergeDefinitions cannot be true with DefinitionUri: SAM "
                                        "merges only an inline DefinitionBody",
                               (*base, "MergeDefinitions"), api_id)


def check_http_api_info(view: SamView) -> Iterator[Problem]:
    """An HttpApi's Description and Name go into its definition's info, so an inline
    DefinitionBody may not set them itself."""
    for api_id, kind, props, base in _apis(view):
        body = props.get("DefinitionBody")
        if kind != HTTP_API or not is_map(body):
            continue
        info = body.get("info")
        info = info if is_map(info) else {}
        if props.get("Description") and info.get("description"):
            yield view.problem("E7425", "Description is set both here and in DefinitionBody "
                                        "info.description; keep one", (*base, "Description"),
                               api_id)
        if props.get("Name") and info.get("title") != DEFAULT_TITLE:
            yield view.problem("E7425", "Name is set both here and in DefinitionBody info.title; "
                                        "keep one (SAM sets the title from Name)",
                               (*base, "Name"), api_id)


def check_domain(view: SamView) -> Iterator[Problem]:
    """Domain: an EndpointConfiguration the API type takes, only TruststoreUri and
    TruststoreVersion in MutualTlsAuthentication, a hosted zone for Route53."""
    for api_id, kind, props, base in _apis(view):
        domain = props.get("Domain")
        if not is_map(domain):
            continue
        path = (*base, "Domain")
        endpoint = domain.get("EndpointConfiguration")
        allowed = DOMAIN_ENDPOINTS[kind]
        if endpoint is not None and not is_intrinsic(endpoint) and endpoint not in allowed:
            yield view.problem("E7423", f"Domain EndpointConfiguration must be one of "
                                        f"{', '.join(allowed)}, got {endpoint!r}",
                               (*path, "EndpointConfiguration"), api_id)
        tls = domain.get("MutualTlsAuthentication")
        unknown = [key for key in tls if key not in MUTUAL_TLS_KEYS] if is_map(tls) else []
        if unknown:
            yield view.problem("E7423", f"MutualTlsAuthentication takes only "
                                        f"{', '.join(MUTUAL_TLS_KEYS)}, got {', '.join(unknown)}",
                               (*path, "MutualTlsAuthentication"), api_id)
        route53 = domain.get("Route53")
        if is_map(route53) and route53.get("HostedZoneId") is None and route53.get(
                "HostedZoneName") is None:
            yield view.problem("E7423", "Route53 needs HostedZoneId or HostedZoneName to create "
                                        "the domain's record", (*path, "Route53"), api_id)


def check_auth_settings(view: SamView) -> Iterator[Problem]:
    """Auth has only the keys SAM knows for the API type; a UsagePlan is a map of its known
    keys with CreateUsagePlan SHARED, PER_API or NONE."""
    for api_id, kind, props, base in _apis(view):
        auth = props.get("Auth")
        if not is_map(auth):
            continue
        path = (*base, "Auth")
        for key in auth:
            if key not in AUTH_KEYS[kind]:
                yield view.problem("E7424", f"Invalid key '{key}' in 'Auth'; expected one of "
                                            f"{', '.join(AUTH_KEYS[kind])}", (*path, key), api_id)
        plan = auth.get("UsagePlan")
        if kind == API and plan is not None and not is_intrinsic(plan):
            yield from _usage_plan(view, api_id, plan, (*path, "UsagePlan"))


def _usage_plan(view: SamView, api_id: str, plan: Any, path: Path) -> Iterator[Problem]:
    if not isinstance(plan, dict):
        yield view.problem("E7424", "'UsagePlan' must be a map", path, api_id)
        return
    for key in plan:
        if key not in USAGE_PLAN_KEYS:
            yield view.problem("E7424", f"Invalid key '{key}' in 'UsagePlan'; expected one of "
                                        f"{', '.join(USAGE_PLAN_KEYS)}", (*path, key), api_id)
    create = plan.get("CreateUsagePlan")
    if create is None:
        yield view.problem("E7424", "'CreateUsagePlan' is required in UsagePlan (SHARED, PER_API "
                                    "or NONE)", path, api_id)
    elif not is_intrinsic(create) and create not in USAGE_PLAN_KINDS:
        yield view.problem("E7424", f"'CreateUsagePlan' must be one of "
                                    f"{', '.join(USAGE_PLAN_KINDS)}, got {create!r}",
                           (*path, "CreateUsagePlan"), api_id)


def check_gateway_responses(view: SamView) -> Iterator[Problem]:
    """Each GatewayResponses entry is a written-out map of ResponseParameters,
    ResponseTemplates and StatusCode; ResponseParameters holds Headers, Paths, QueryStrings."""
    for api_id, kind, props, base in _apis(view):
        responses = props.get("GatewayResponses")
        if kind != API or not is_map(responses):
            continue
        for name, response in responses.items():
            path = (*base, "GatewayResponses", name)
            if is_intrinsic(response) or not isinstance(response, dict):
                what = "an intrinsic function" if is_intrinsic(response) else repr(response)
                yield view.problem("E7413", f"GatewayResponses entry {name} must be a map written "
                                            f"out (SAM reads it), got {what}", path, api_id)
                continue
            for key in response:
                if key not in GATEWAY_RESPONSE_KEYS:
                    yield view.problem("E7413", f"Invalid property '{key}' in GatewayResponses "
                                                f"entry {name}; expected one of "
                                                f"{', '.join(GATEWAY_RESPONSE_KEYS)}",
                                       (*path, key), api_id)
            parameters = response.get("ResponseParameters")
            for key in parameters if is_map(parameters) else ():
                if key not in RESPONSE_PARAMETER_KINDS:
                    yield view.problem("E7413", f"Invalid gateway response parameter '{key}'; "
                                                f"expected {', '.join(RESPONSE_PARAMETER_KINDS)}",
                                       (*path, "ResponseParameters", key), api_id)


def check_api_endpoint(view: SamView) -> Iterator[Problem]:
    """A REST API's EndpointConfiguration takes VPCEndpointIds or VpcEndpointIds, not both."""
    for api_id, kind, props, base in _apis(view):
        endpoint = props.get("EndpointConfiguration")
        if kind == API and is_map(endpoint) and {"VPCEndpointIds", "VpcEndpointIds"} <= set(
                endpoint):
            yield view.problem("E7426", "'VPCEndpointIds' and 'VpcEndpointIds' cannot be used "
                                        "together in EndpointConfiguration; keep one",
                               (*base, "EndpointConfiguration"), api_id)


def check_stage_name(view: SamView) -> Iterator[Problem]:
    """An AWS::Serverless::Api names its stage (here or in Globals.Api)."""
    for api_id, kind, props, base in _apis(view):
        if kind == API and props.get("StageName") is None:
            yield view.problem("E7427", "Missing required property 'StageName' (here or in "
                                        "Globals.Api)", base, api_id)


def check_cors_shape(view: SamView) -> Iterator[Problem]:
    """An Api's Cors is an origin string or a map."""
    for api_id, kind, props, base in _apis(view):
        cors = props.get("Cors")
        if kind == API and cors is not None and not isinstance(cors, str | dict):
            yield view.problem("E7408", f"'Cors' must be an origin string or a map, got {cors!r}",
                               (*base, "Cors"), api_id)


def check_definition_extensions(view: SamView) -> Iterator[Problem]:
    """SAM adds to an HttpApi's inline definition: its tags (for Tags) must be a list, its
    x-amazon-apigateway-cors (for CorsConfiguration) a map, and the security of an operation
    an event with Auth routes to (SAM adds the authorizer there) a list."""
    for api_id, kind, props, base in _apis(view):
        body = props.get("DefinitionBody")
        if kind != HTTP_API or not is_map(body):
            continue
        path = (*base, "DefinitionBody")
        tags = body.get("tags")
        if props.get("Tags") and tags is not None and not isinstance(tags, list):
            yield view.problem("E7411", "tags in the DefinitionBody must be a list for SAM to add "
                                        "Tags", (*path, "tags"), api_id)
        yield from _security_lists(view, api_id, body, path)
        cors = body.get("x-amazon-apigateway-cors")
        if props.get("CorsConfiguration") and cors is not None and not is_map(cors):
            yield view.problem("E7411", "x-amazon-apigateway-cors in the DefinitionBody must be a "
                                        "map for SAM to add CorsConfiguration",
                               (*path, "x-amazon-apigateway-cors"), api_id)


def _security_lists(view: SamView, api_id: str, body: Mapping[str, Any],
                   path: Path) -> Iterator[Problem]:
    """The operations an HttpApi event with Auth routes to: SAM adds to their security."""
    paths = body.get("paths")
    for _, _, kind, props in api_events(view):
        route, method = props.get("Path"), props.get("Method")
        if kind != "HttpApi" or api_of(kind, props) != api_id or not is_map(props.get("Auth")) \
                or not props["Auth"] or not isinstance(route, str) or not isinstance(method, str):
            continue
        item = paths.get(route) if is_map(paths) else None
        method = method.lower()
        operation = item.get(method) if is_map(item) else None
        security = operation.get("security") if is_map(operation) else None
        if security is not None and not isinstance(security, list):
            yield view.problem("E7411", f"security of {method} {route} in the DefinitionBody "
                                        "must be a list for SAM to add the event's authorizer",
                               (*path, "paths", route, method, "security"), api_id)


CHECKS_ON_VIEW = (
    check_inline_only, check_http_api_info, check_domain, check_auth_settings,
    check_gateway_responses, check_api_endpoint, check_stage_name, check_cors_shape,
    check_definition_extensions,
)
