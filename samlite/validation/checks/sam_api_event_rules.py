"""SAM's rules for the Api and HttpApi events of a function that depend on the API they add a
route to: Path and Method written out, request models the API defines, API keys and auth
overrides the API allows, an authorizer for an HttpApi event's Auth. Follows samtranslator
(model/eventsources/push.py, Api and HttpApi). The API resources' own rules: sam_api_rules.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from samlite.errors import Problem
from samlite.validation.checks.sam_api_rules import api_events, api_of, globals_section
from samlite.validation.checks.sam_common import (
    IMPLICIT_API,
    IMPLICIT_HTTP_API,
    SamView,
    event_path,
    is_intrinsic,
    is_map,
)


def _api_properties(view: SamView, kind: str, api: str | None) -> Mapping[str, Any]:
    """The Properties of the API an event adds its route to (Globals for an implicit one)."""
    if api in (IMPLICIT_API, IMPLICIT_HTTP_API):
        section = globals_section(view, kind)
        return section if is_map(section) else {}
    resource = view.resources.get(api) if isinstance(api, str) else None
    props = resource.get("Properties") if isinstance(resource, dict) else None
    return props if is_map(props) else {}


def _api_auth(props: Mapping[str, Any]) -> Mapping[str, Any]:
    auth = props.get("Auth")
    return auth if is_map(auth) else {}


def check_route_values(view: SamView) -> Iterator[Problem]:
    """SAM writes Path and Method into the API's definition, so they are strings, not
    intrinsic functions."""
    for fid, event_id, kind, props in api_events(view):
        for name in ("Path", "Method"):
            if name in props and not isinstance(props[name], str):
                yield view.problem("E7404", f"Property '{name}' of {kind} event {event_id} "
                                            f"must be a string, got {props[name]!r}",
                                   event_path(fid, event_id, name), fid)


def check_request_models(view: SamView) -> Iterator[Problem]:
    """An Api event's RequestModel.Model is one of its API's Models."""
    for fid, event_id, kind, props in api_events(view):
        request_model = props.get("RequestModel")
        model = request_model.get("Model") if is_map(request_model) else None
        if kind != "Api" or model is None or is_intrinsic(model):
            continue
        api = api_of(kind, props)
        models = _api_properties(view, kind, api).get("Models")
        if is_intrinsic(models):
            continue
        if not is_map(models) or not models.get(model):
            where = "defines no Models" if not is_map(models) or not models else \
                "has no model of that name in Models"
            yield view.problem("E7420", f"Unable to set RequestModel {model!r}: the API {api} "
                                        f"{where}", event_path(fid, event_id, "RequestModel",
                                                               "Model"), fid)


def check_event_auth_overrides(view: SamView) -> Iterator[Problem]:
    """Api events: ApiKeyRequired false needs an API that requires keys; OverrideApiAuth (on
    an API without DefinitionUri) needs Authorizer, ApiKeyRequired or ResourcePolicy.
    HttpApi events: an Auth section needs an Authorizer or the API's DefaultAuthorizer."""
    for fid, event_id, kind, props in api_events(view):
        auth = props.get("Auth")
        if not is_map(auth) or not auth:
            continue
        api = api_of(kind, props)
        api_props = _api_properties(view, kind, api)
        api_auth = _api_auth(api_props)
        path = event_path(fid, event_id, "Auth")
        if kind == "HttpApi":
            if not auth.get("Authorizer") and not api_auth.get("DefaultAuthorizer"):
                yield view.problem("E7412", "An HttpApi event's 'Auth' needs an Authorizer, or a "
                                            f"DefaultAuthorizer on the API {api}", path, fid)
            continue
        if auth.get("ApiKeyRequired") is False and not api_auth.get("ApiKeyRequired"):
            yield view.problem("E7422", f"Unable to set ApiKeyRequired false: the API {api} does "
                                        "not require API keys (its Auth.ApiKeyRequired)",
                               (*path, "ApiKeyRequired"), fid)
        # SAM edits the definition it has inline (DefinitionBody, or the one it makes when
        # there is no DefinitionUri).
        if auth.get("OverrideApiAuth") and api_props.get("DefinitionUri") is None and not (
                auth.get("Authorizer") or auth.get("ApiKeyRequired")
                or auth.get("ResourcePolicy")):
            yield view.problem("E7421", "OverrideApiAuth needs one of Authorizer, ApiKeyRequired "
                                        "or ResourcePolicy in the event's Auth",
                               (*path, "OverrideApiAuth"), fid)


CHECKS_ON_VIEW = (check_route_values, check_request_models, check_event_auth_overrides)
