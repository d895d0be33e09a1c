"""Build the app graph (graph/model.py) from a resolved template. Pure.

Each resource family is read by one module of readers/ into GraphParts (parts.py); this module
decides the order (functions after everything that adds to them, buckets after the events that
notify them) and freezes the result.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from samlite.graph import support
from samlite.graph.model import Graph, NotRunLocally
from samlite.graph.parts import FUNCTION_TYPES, GraphParts
from samlite.graph.readers import (
    api_throttling,
    apigateway,
    apigatewayv2,
    apis,
    cloudformation,
    functions,
    load_balancers,
    messaging,
    secrets,
    storage,
    tables,
    unrun_settings,
    versions,
)
from samlite.iam.app_access import app_access
from samlite.template.model import ResolvedTemplate, Resource
from samlite.template.schema import modelled_types

# Non-function resources with a reader; a reader returns False when the resource turned out
# not to concern the app's functions (counted as an other resource).
READERS: dict[str, Callable[[GraphParts, Resource], bool | None]] = {
    "AWS::Serverless::LayerVersion": storage.read_layer,
    "AWS::Lambda::LayerVersion": storage.read_layer,
    "AWS::SQS::Queue": storage.read_queue,
    secrets.SECRET_TYPE: secrets.read_secret,
    secrets.PARAMETER_TYPE: secrets.read_parameter,
    **dict.fromkeys(tables.TABLE_TYPES, tables.read_table),
    "AWS::Serverless::Api": apis.read_api,
    "AWS::Serverless::HttpApi": apis.read_api,
    apigateway.REST_API: apigateway.read_rest_api,
    apigateway.API_KEY: apigateway.read_api_key,
    **dict.fromkeys(apigateway.CHILD_TYPES, apigateway.read_child),
    apigatewayv2.HTTP_API: apigatewayv2.read_http_api,
    **dict.fromkeys(apigatewayv2.CHILD_TYPES, apigatewayv2.read_child),
    "AWS::Events::Rule": cloudformation.read_events_rule,
    "AWS::Events::EventBus": messaging.read_event_bus,
    "AWS::SNS::Topic": messaging.read_topic,
    "AWS::SNS::Subscription": messaging.read_subscription,
    "AWS::Scheduler::Schedule": cloudformation.read_scheduler_schedule,
    "AWS::Lambda::EventSourceMapping": cloudformation.read_event_source_mapping,
    "AWS::Lambda::Url": cloudformation.read_lambda_url,
    "AWS::Lambda::EventInvokeConfig": cloudformation.read_lambda_event_invoke,
    "AWS::Lambda::Version": versions.read_version,
    "AWS::Lambda::Alias": versions.read_alias,
    load_balancers.TARGET_GROUP: load_balancers.read_target_group,
    load_balancers.LISTENER: load_balancers.read_listener,
    load_balancers.LISTENER_RULE: load_balancers.read_listener_rule,
}


def build_graph(resolved: ResolvedTemplate) -> Graph:
    """The graph of one resolved template. Never raises on odd values: what cannot be read
    keeps its default, because `validate` reports it."""
    parts = GraphParts(resolved)
    function_resources: list[Resource] = []
    buckets: list[Resource] = []
    for res in parts.resources.values():
        unrun_settings.name_unrun_settings(parts, res)
        if res.type in FUNCTION_TYPES:
            function_resources.append(res)
        elif res.type == "AWS::S3::Bucket":
            buckets.append(res)
            storage.read_bucket_notifications(parts, res)
        elif not _read(parts, res):
            parts.others[res.type] = parts.others.get(res.type, 0) + 1
    for res in function_resources:
        functions.read_function(parts, res)
    apis.merge_definition_routes(parts)
    apis.merge_plain_routes(parts)
    for res in buckets:
        storage.read_bucket(parts, res)
    apis.add_implicit_apis(parts)
    apis.link_authorizers(parts)
    load_balancers.finish(parts)
    _name_services_not_served(parts)
    _name_types_not_modelled(parts)
    api_throttling.name_throttling(parts)
    secrets.name_unresolved_references(parts)
    secrets.link_dynamic_references(parts)
    topics, event_buses, event_rules = messaging.finish(parts)
    versions.link_event_qualifiers(parts)
    return Graph(
        functions=tuple(parts.functions), layers=tuple(parts.layers),
        buckets=tuple(parts.buckets), queues=tuple(parts.queues),
        secrets=tuple(parts.secrets), parameters=tuple(parts.parameters),
        tables=tuple(parts.tables),
        schedules=tuple(parts.schedules), apis=tuple(parts.apis), routes=tuple(parts.routes),
        function_urls=tuple(parts.urls),
        load_balancer_targets=tuple(parts.load_balancer_targets),
        load_balancer_listeners=tuple(parts.load_balancer_listeners),
        api_keys=tuple(parts.api_keys), topics=topics, event_buses=event_buses,
        event_rules=event_rules, edges=tuple(parts.edges),
        not_run_locally=tuple(parts.not_local),
        other_resources=tuple(sorted(parts.others.items())),
        other_nodes=parts.other_nodes(), access_of=partial(app_access, resolved))


def _name_services_not_served(parts: GraphParts) -> None:
    """Resources an app's functions would call that no local service stands behind."""
    for res in parts.resources.values():
        reason = support.NOT_SERVED.get(res.type) or support.NOT_ENFORCED.get(res.type)
        if reason is not None:
            parts.not_local.append(NotRunLocally(subject=res.logical_id, type=res.type,
                                                 reason=reason, at=res.at))


def _name_types_not_modelled(parts: GraphParts) -> None:
    """Resources of a type samlite does not model at all (a third-party or custom type, a real
    one samlite has no model of, a misspelt one): nothing stands for them locally."""
    modelled = modelled_types()
    for res in parts.resources.values():
        if res.type not in modelled:
            parts.not_local.append(NotRunLocally(
                subject=res.logical_id, type=res.type, at=res.at,
                reason="samlite does not model this resource type, so nothing is made for it "
                       "locally; an app that calls it needs a real one"))


def _read(parts: GraphParts, res: Resource) -> bool:
    """Model one non-function resource; False when it is not modelled."""
    reader = READERS.get(res.type)
    return bool(reader and reader(parts, res) is not False)
