"""What the graph builder collects while it reads a template: the model's parts before they are
frozen into a Graph, the edges between them, and the reference lookups every reader shares.
Mutable on purpose and private to graph/: readers/ fill it, build.py freezes it. Pure.

References are found from the raw intrinsic first (Ref, GetAtt, ${X.Arn} in a Sub; Fn::If
follows the resolved condition), else by looking the resolved name, ARN or URL up through
samlite.template.names, which also covers values merged from Globals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from samlite.errors import Mark
from samlite.graph.messaging import MessagingParts
from samlite.graph.model import (
    IMPLICIT_HTTP_API,
    IMPLICIT_REST_API,
    Api,
    ApiKey,
    Bucket,
    BucketNotification,
    Edge,
    EdgeKind,
    EventInvoke,
    Function,
    FunctionAlias,
    FunctionUrl,
    Layer,
    ListenerRule,
    LoadBalancerListener,
    LoadBalancerTarget,
    NotRunLocally,
    Parameter,
    Queue,
    Route,
    Schedule,
    Secret,
    Table,
    Trigger,
)
from samlite.graph.values import References, as_map
from samlite.template.model import ResolvedTemplate, Resource

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
FUNCTION_TYPES = (SERVERLESS_FUNCTION, LAMBDA_FUNCTION)
LAMBDA_ALIAS = "AWS::Lambda::Alias"
LAMBDA_VERSION = "AWS::Lambda::Version"


@dataclass(slots=True)
class Pending:
    """What other resources add to a function before it is frozen."""

    triggers: list[Trigger] = field(default_factory=list)
    event_invoke: EventInvoke | None = None
    url: FunctionUrl | None = None
    aliases: list[FunctionAlias] = field(default_factory=list)    # AWS::Lambda::Alias
    versions: list[str] = field(default_factory=list)   # its AWS::Lambda::Version ids
    provisioned: tuple[int, str | None] | None = None   # (environments, alias or version)
    qualifiers: list[str] = field(default_factory=list)   # what references to it name


class GraphParts:
    def __init__(self, resolved: ResolvedTemplate) -> None:
        self.resolved = resolved
        self.resources = resolved.resources
        self.refs = References(resolved)
        self.pending: dict[str, Pending] = {}
        self.functions: list[Function] = []
        self.layers: list[Layer] = []
        self.buckets: list[Bucket] = []
        self.notifications: dict[str, list[BucketNotification]] = {}
        self.queues: list[Queue] = []
        self.secrets: list[Secret] = []
        self.parameters: list[Parameter] = []
        self.tables: list[Table] = []
        self.schedules: list[Schedule] = []
        self.apis: list[Api] = []
        self.implicit_apis: dict[str, Mark] = {}
        self.routes: list[Route] = []
        self.definition_routes: list[Route] = []
        self.plain_routes: list[Route] = []       # plain API Gateway Methods and Routes
        self.urls: list[FunctionUrl] = []
        self.api_keys: list[ApiKey] = []
        self.load_balancer_targets: list[LoadBalancerTarget] = []
        self.load_balancer_listeners: list[LoadBalancerListener] = []
        self.listener_rules: list[tuple[str, ListenerRule]] = []   # (listener, rule)
        self.edges: dict[Edge, None] = {}
        self.generated: dict[str, str] = {}
        self.not_local: list[NotRunLocally] = []
        self.messaging = MessagingParts()     # topics, buses, rules (readers/messaging.py)
        self.others: dict[str, int] = {}

    def props(self, res: Resource) -> tuple[Mapping[str, Any], Any]:
        """A resource's resolved Properties, and the raw node (intrinsics unevaluated)."""
        return as_map(res.properties), self.refs.dig(res.raw, "Properties")

    def edge(self, source: str | None, target: str | None, kind: EdgeKind,
             label: str = "") -> None:
        if source and target and self.is_known(source) and self.is_known(target):
            self.edges[Edge(source=source, target=target, kind=kind, label=label)] = None

    def is_known(self, logical_id: str) -> bool:
        return (logical_id in self.resources or logical_id in self.generated
                or logical_id in (IMPLICIT_REST_API, IMPLICIT_HTTP_API))

    def pending_for(self, function: str) -> Pending:
        return self.pending.setdefault(function, Pending())

    def function_id(self, raw: Any, value: Any) -> str | None:
        """The logical id of this template's function that `raw`/`value` names, if any: the
        function itself, one of its aliases or versions, or its ARN with a qualifier. A
        qualifier is noted (Pending.qualifiers): the event source invokes that alias."""
        found = self.function_target(raw, value)
        if found is None:
            return None
        fid, qualifier = found
        if qualifier is not None:
            self.pending_for(fid).qualifiers.append(qualifier)
        return fid

    def function_target(self, raw: Any, value: Any) -> tuple[str, str | None] | None:
        """(function logical id, qualifier or None) for what `raw`/`value` names."""
        found = self.refs.target(raw, value)
        kind = self.resources[found].type if found else None
        if found and kind in FUNCTION_TYPES:
            return found, _qualifier_of(value)
        if found and kind in (LAMBDA_ALIAS, LAMBDA_VERSION):
            props, raw_props = self.props(self.resources[found])
            fid = self.function_target(self.refs.dig(raw_props, "FunctionName"),
                                       props.get("FunctionName"))
            if fid is None:
                return None
            qualifier = as_map(props).get("Name") if kind == LAMBDA_ALIAS else "1"
            return fid[0], qualifier if isinstance(qualifier, str) else None
        qualifier = _qualifier_of(value)
        if qualifier is not None:   # `!Ref Fn.Alias`, `${Fn.Arn}:live`
            base = self.refs.lookup(str(value).rsplit(":", 1)[0])
            if base and self.resources[base].type in FUNCTION_TYPES:
                return base, qualifier
        return None

    def add_trigger(self, trigger: Trigger) -> None:
        self.pending_for(trigger.function).triggers.append(trigger)
        # A rule or schedule is both the trigger and the source: no need to say it twice.
        label = "" if trigger.logical_id == trigger.source else trigger.logical_id
        self.edge(trigger.source, trigger.function, EdgeKind.TRIGGER, label)

    def ref_name(self, res: Resource) -> str:
        values = self.refs.identities.get(res.logical_id)
        return values[0] if values else res.logical_id

    def other_nodes(self) -> tuple[tuple[str, str], ...]:
        """Resources the edges reach that the model does not represent, with their types."""
        modelled = {n.logical_id for group in (self.functions, self.layers, self.buckets,
                                                self.queues, self.tables, self.secrets,
                                                self.parameters,
                                                self.schedules, self.apis,
                                                self.urls, self.load_balancer_targets,
                                                self.load_balancer_listeners,
                                                self.messaging.topics, self.messaging.buses,
                                                self.messaging.rules)
                    for n in group}
        out: dict[str, str] = {}
        for edge in self.edges:
            for end in (edge.source, edge.target):
                if end not in modelled and end not in out:
                    res = self.resources.get(end)
                    out[end] = res.type if res else self.generated.get(end, "")
        return tuple(out.items())


def _qualifier_of(value: Any) -> str | None:
    """`arn:aws:lambda:region:account:function:name:qualifier` -> the qualifier."""
    parts = value.split(":") if isinstance(value, str) else []
    return parts[7] if len(parts) == 8 and parts[:1] == ["arn"] and parts[5] == "function" \
        else None
