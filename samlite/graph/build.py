"""Build the app graph (graph/model.py) from a resolved template. Pure.

References are found from the raw intrinsic first (Ref, GetAtt, ${X.Arn} in a Sub; Fn::If
follows the resolved condition), else by looking the resolved name, ARN or URL up through
samlite.template.names, which also covers values merged from Globals.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import (
    IMPLICIT_HTTP_API,
    IMPLICIT_REST_API,
    LOCAL_KINDS,
    Api,
    ApiKind,
    Bucket,
    BucketNotification,
    Destination,
    Edge,
    EdgeKind,
    EventInvoke,
    Function,
    FunctionUrl,
    Graph,
    ImageBuild,
    ImageConfig,
    Layer,
    NotRunLocally,
    Queue,
    Redrive,
    Route,
    S3Settings,
    Schedule,
    ScheduleTarget,
    Trigger,
    TriggerKind,
)
from samlite.graph.values import (
    References,
    as_bool,
    as_int,
    as_list,
    as_map,
    as_text,
    as_texts,
    filter_rules,
    http_cors,
    key_at,
    rest_cors,
    s3_uri,
    sqs_settings,
    state_enabled,
)
from samlite.template.model import ResolvedTemplate, Resource

# ---------------------------------------------------------------------------------------------
# Building the graph


SERVERLESS_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
FUNCTION_TYPES = (SERVERLESS_FUNCTION, LAMBDA_FUNCTION)
LAYER_TYPES = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")

# SAM event Type -> kind, and the property that names the event's source.
EVENT_KINDS: Mapping[str, tuple[TriggerKind, str | None]] = {
    "Api": (TriggerKind.API, "RestApiId"),
    "HttpApi": (TriggerKind.HTTP_API, "ApiId"),
    "S3": (TriggerKind.S3, "Bucket"),
    "SQS": (TriggerKind.SQS, "Queue"),
    "Schedule": (TriggerKind.SCHEDULE, None),
    "ScheduleV2": (TriggerKind.SCHEDULE_V2, None),
    "CloudWatchEvent": (TriggerKind.EVENTBRIDGE, None),
    "EventBridgeRule": (TriggerKind.EVENTBRIDGE, None),
    "SNS": (TriggerKind.SNS, "Topic"),
    "Kinesis": (TriggerKind.KINESIS, "Stream"),
    "DynamoDB": (TriggerKind.DYNAMODB, "Stream"),
    "CloudWatchLogs": (TriggerKind.CLOUDWATCH_LOGS, "LogGroupName"),
    "IoTRule": (TriggerKind.IOT, None),
    "AlexaSkill": (TriggerKind.ALEXA, None),
    "Cognito": (TriggerKind.COGNITO, "UserPool"),
    "MSK": (TriggerKind.MSK, "Stream"),
    "MQ": (TriggerKind.MQ, "Broker"),
    "SelfManagedKafka": (TriggerKind.SELF_MANAGED_KAFKA, None),
    "DocumentDB": (TriggerKind.DOCUMENTDB, "Cluster"),
}

# Resources SAM generates for an event, named function id + event id.
GENERATED_SOURCE_TYPES: Mapping[str, str] = {
    "CloudWatchEvent": "AWS::Events::Rule",
    "EventBridgeRule": "AWS::Events::Rule",
    "IoTRule": "AWS::IoT::TopicRule",
}

# An event source mapping's source, by the ARN's service or the named resource's type.
ESM_KINDS: Mapping[str, TriggerKind] = {
    "sqs": TriggerKind.SQS, "AWS::SQS::Queue": TriggerKind.SQS,
    "kinesis": TriggerKind.KINESIS, "AWS::Kinesis::Stream": TriggerKind.KINESIS,
    "dynamodb": TriggerKind.DYNAMODB, "AWS::DynamoDB::Table": TriggerKind.DYNAMODB,
    "kafka": TriggerKind.MSK, "AWS::MSK::Cluster": TriggerKind.MSK,
    "mq": TriggerKind.MQ, "AWS::AmazonMQ::Broker": TriggerKind.MQ,
    "rds": TriggerKind.DOCUMENTDB, "AWS::DocDB::DBCluster": TriggerKind.DOCUMENTDB,
}


def build_graph(resolved: ResolvedTemplate) -> Graph:
    """The graph of one resolved template. Never raises on odd values: what cannot be read
    keeps its default, because `validate` reports it."""
    return GraphBuilder(resolved).build()


@dataclass(slots=True)
class _Pending:
    """What other resources add to a function before it is frozen."""

    triggers: list[Trigger] = field(default_factory=list)
    event_invoke: EventInvoke | None = None
    url: FunctionUrl | None = None


class GraphBuilder:
    def __init__(self, resolved: ResolvedTemplate) -> None:
        self.resolved = resolved
        self.resources = resolved.resources
        self.refs = References(resolved)
        self.pending: dict[str, _Pending] = {}
        self.functions: list[Function] = []
        self.layers: list[Layer] = []
        self.buckets: list[Bucket] = []
        self.notifications: dict[str, list[BucketNotification]] = {}
        self.queues: list[Queue] = []
        self.schedules: list[Schedule] = []
        self.apis: list[Api] = []
        self.implicit_apis: dict[str, Mark] = {}
        self.routes: list[Route] = []
        self.definition_routes: list[Route] = []
        self.urls: list[FunctionUrl] = []
        self.edges: dict[Edge, None] = {}
        self.generated: dict[str, str] = {}
        self.not_local: list[NotRunLocally] = []
        self.others: dict[str, int] = {}

    # ---- top level

    def build(self) -> Graph:
        functions: list[Resource] = []
        buckets: list[Resource] = []
        for res in self.resources.values():
            if res.type in FUNCTION_TYPES:
                functions.append(res)
            elif res.type == "AWS::S3::Bucket":
                buckets.append(res)
                self._bucket_notifications(res)
            elif not self._resource(res):
                self.others[res.type] = self.others.get(res.type, 0) + 1
        for res in functions:
            self._function(res)
        self._merge_definition_routes()
        for res in buckets:
            self._bucket(res)
        self._implicit_apis()
        return Graph(
            functions=tuple(self.functions), layers=tuple(self.layers),
            buckets=tuple(self.buckets), queues=tuple(self.queues),
            schedules=tuple(self.schedules), apis=tuple(self.apis), routes=tuple(self.routes),
            function_urls=tuple(self.urls), edges=tuple(self.edges),
            not_run_locally=tuple(self.not_local),
            other_resources=tuple(sorted(self.others.items())),
            other_nodes=self._other_nodes())

    def _resource(self, res: Resource) -> bool:
        """Model one non-function resource; False when it is not modelled."""
        handlers = {
            "AWS::SQS::Queue": self._queue,
            "AWS::Serverless::Api": self._api,
            "AWS::Serverless::HttpApi": self._api,
            "AWS::Events::Rule": self._events_rule,
            "AWS::Scheduler::Schedule": self._scheduler_schedule,
            "AWS::Lambda::EventSourceMapping": self._event_source_mapping,
            "AWS::Lambda::Url": self._lambda_url,
            "AWS::Lambda::EventInvokeConfig": self._lambda_event_invoke,
        }
        if res.type in LAYER_TYPES:
            self._layer(res)
            return True
        handler = handlers.get(res.type)
        return bool(handler and handler(res) is not False)

    def _props(self, res: Resource) -> tuple[Mapping[str, Any], Any]:
        return as_map(res.properties), self.refs.dig(res.raw, "Properties")

    def _edge(self, source: str | None, target: str | None, kind: EdgeKind,
              label: str = "") -> None:
        if source and target and self._known(source) and self._known(target):
            self.edges[Edge(source=source, target=target, kind=kind, label=label)] = None

    def _known(self, logical_id: str) -> bool:
        return (logical_id in self.resources or logical_id in self.generated
                or logical_id in (IMPLICIT_REST_API, IMPLICIT_HTTP_API))

    def _pending(self, function: str) -> _Pending:
        return self.pending.setdefault(function, _Pending())

    def _function_id(self, raw: Any, value: Any) -> str | None:
        found = self.refs.target(raw, value)
        return found if found and self.resources[found].type in FUNCTION_TYPES else None

    def _add_trigger(self, trigger: Trigger) -> None:
        self._pending(trigger.function).triggers.append(trigger)
        # A rule or schedule is both the trigger and the source: no need to say it twice.
        label = "" if trigger.logical_id == trigger.source else trigger.logical_id
        self._edge(trigger.source, trigger.function, EdgeKind.TRIGGER, label)

    def _other_nodes(self) -> tuple[tuple[str, str], ...]:
        modelled = {n.logical_id for group in (self.functions, self.layers, self.buckets,
                                                self.queues, self.schedules, self.apis,
                                                self.urls) for n in group}
        out: dict[str, str] = {}
        for edge in self.edges:
            for end in (edge.source, edge.target):
                if end not in modelled and end not in out:
                    res = self.resources.get(end)
                    out[end] = res.type if res else self.generated.get(end, "")
        return tuple(out.items())

    # ---- functions

    def _function(self, res: Resource) -> None:
        props, raw = self._props(res)
        fid = res.logical_id
        pending = self._pending(fid)
        is_sam = res.type == SERVERLESS_FUNCTION
        events = self._events(res, props, raw) if is_sam else []
        code = props.get("Code")
        image_uri = as_text(props.get("ImageUri") if is_sam else as_map(code).get("ImageUri"))
        package_type = as_text(props.get("PackageType")) or ("Image" if image_uri else "Zip")
        if is_sam:
            code_uri = s3_uri(props.get("CodeUri"), "Bucket", "Key")
            inline = as_text(props.get("InlineCode"))
        else:
            code_uri = s3_uri(code, "S3Bucket", "S3Key") if "ZipFile" not in as_map(code) \
                else None
            inline = as_text(as_map(code).get("ZipFile"))
        dead_letter = self._dead_letter(fid, props, raw, is_sam)
        url = self._sam_function_url(res, props) if is_sam else None
        function = Function(
            logical_id=fid, resource_type=res.type,
            function_name=as_text(props.get("FunctionName")) or self._ref_name(res),
            handler=as_text(props.get("Handler")), runtime=as_text(props.get("Runtime")),
            code_uri=code_uri, inline_code=inline,
            memory_mb=as_int(props.get("MemorySize"), 128) or 128,
            timeout_s=as_int(props.get("Timeout"), 3) or 3,
            ephemeral_storage_mb=as_int(as_map(props.get("EphemeralStorage")).get("Size"), 512)
            or 512,
            architectures=as_texts(props.get("Architectures")) or ("x86_64",),
            package_type=package_type, image_uri=image_uri,
            image_build=image_build(res.metadata) if package_type == "Image" else None,
            image_config=image_config(props.get("ImageConfig")),
            environment=self._environment(fid, props, raw),
            layers=self._layers(fid, props, raw),
            reserved_concurrency=as_int(props.get("ReservedConcurrentExecutions")),
            provisioned_concurrency=as_int(as_map(props.get("ProvisionedConcurrencyConfig"))
                                           .get("ProvisionedConcurrentExecutions"), 0) or 0,
            auto_publish_alias=as_text(props.get("AutoPublishAlias")) if is_sam else None,
            dead_letter=dead_letter,
            event_invoke=self._event_invoke(fid, props.get("EventInvokeConfig"),
                                            self.refs.dig(raw, "EventInvokeConfig"))
            or pending.event_invoke,
            function_url=url or pending.url,
            events=(*events, *pending.triggers),
            **self._policies(fid, props, raw),
            at=res.at)
        self.functions.append(function)

    def _ref_name(self, res: Resource) -> str:
        values = self.refs.identities.get(res.logical_id)
        return values[0] if values else res.logical_id

    def _environment(self, fid: str, props: Mapping[str, Any],
                     raw: Any) -> tuple[tuple[str, str], ...]:
        variables = as_map(as_map(props.get("Environment")).get("Variables"))
        raw_vars = self.refs.dig(raw, "Environment", "Variables")
        out = []
        for name, value in variables.items():
            out.append((name, as_text(value) or ""))
            raw_value = self.refs.dig(raw_vars, name)
            targets = self.refs.refs_in(raw_value) if raw_value is not None else []
            found = self.refs.lookup(value)
            for target in targets or ([found] if found else []):
                if target != fid:
                    self._edge(fid, target, EdgeKind.ENVIRONMENT, name)
        return tuple(out)

    def _layers(self, fid: str, props: Mapping[str, Any], raw: Any) -> tuple[str, ...]:
        out = []
        for index, value in enumerate(as_list(props.get("Layers"))):
            layer = self.refs.target_or_text(self.refs.dig(raw, "Layers", index), value)
            if layer:
                out.append(layer)
                self._edge(fid, layer, EdgeKind.LAYER)
        return tuple(out)

    def _policies(self, fid: str, props: Mapping[str, Any], raw: Any) -> dict[str, Any]:
        """SAM Policies: a managed policy name/ARN, a list of them, policy templates
        ({"SQSSendMessagePolicy": {"QueueName": ...}}) and inline policy documents."""
        value = props.get("Policies")
        entries = value if isinstance(value, list) else [value] if value is not None else []
        raw_value = self.refs.dig(raw, "Policies")
        names: list[str] = []
        targets: list[str] = []
        for index, entry in enumerate(entries):
            raw_entry = self.refs.dig(raw_value, index) if isinstance(raw_value, list) \
                else raw_value
            if not isinstance(entry, dict):
                if (text := as_text(entry)) is not None:
                    names.append(text)
                continue
            is_document = "Statement" in entry
            labels = ["inline policy"] if is_document else list(entry)
            names.extend(labels)
            for label in labels:
                part = raw_entry if is_document else self.refs.dig(raw_entry, label)
                found = self.refs.refs_in(part)
                if not found and not is_document:
                    found = [t for v in as_map(entry.get(label)).values()
                             if (t := self.refs.lookup(v))]
                for target in found:
                    if target != fid:
                        targets.append(target)
                        self._edge(fid, target, EdgeKind.POLICY, label)
        return {"policies": tuple(names), "policy_resources": tuple(dict.fromkeys(targets))}

    def _dead_letter(self, fid: str, props: Mapping[str, Any], raw: Any,
                     is_sam: bool) -> Destination | None:
        key = "DeadLetterQueue" if is_sam else "DeadLetterConfig"
        config = as_map(props.get(key))
        target = self.refs.target_or_text(self.refs.dig(raw, key, "TargetArn"),
                                          config.get("TargetArn"))
        if not target:
            return None
        self._edge(fid, target, EdgeKind.DEAD_LETTER)
        return Destination(type=as_text(config.get("Type")), target=target)

    def _event_invoke(self, fid: str, value: Any, raw: Any) -> EventInvoke | None:
        if not isinstance(value, dict):
            return None
        destinations = as_map(value.get("DestinationConfig"))
        found: dict[str, Destination | None] = {}
        for key, kind in (("OnSuccess", EdgeKind.ON_SUCCESS), ("OnFailure", EdgeKind.ON_FAILURE)):
            config = as_map(destinations.get(key))
            target = self.refs.target_or_text(
                self.refs.dig(raw, "DestinationConfig", key, "Destination"),
                config.get("Destination"))
            kind_text = as_text(config.get("Type"))
            # SAM creates the queue or topic itself when Destination is left out.
            if not target and kind_text:
                target = f"(a new {kind_text} destination SAM creates)"
            found[key] = Destination(type=kind_text, target=target) if target else None
            self._edge(fid, target, kind)
        return EventInvoke(max_event_age_s=as_int(value.get("MaximumEventAgeInSeconds")),
                           max_retry_attempts=as_int(value.get("MaximumRetryAttempts")),
                           on_success=found["OnSuccess"], on_failure=found["OnFailure"])

    def _sam_function_url(self, res: Resource, props: Mapping[str, Any]) -> FunctionUrl | None:
        config = props.get("FunctionUrlConfig")
        if not isinstance(config, dict):
            return None
        url = FunctionUrl(logical_id=f"{res.logical_id}Url", function=res.logical_id,
                          auth_type=as_text(config.get("AuthType")) or "AWS_IAM",
                          invoke_mode=as_text(config.get("InvokeMode")) or "BUFFERED",
                          cors=http_cors(config.get("Cors")),
                          at=key_at(props, "FunctionUrlConfig", res.at))
        self.urls.append(url)
        return url

    # ---- SAM events

    def _events(self, res: Resource, props: Mapping[str, Any], raw: Any) -> list[Trigger]:
        events = props.get("Events")
        raw_events = self.refs.dig(raw, "Events")
        out = []
        for event_id, event in as_map(events).items():
            if not isinstance(event, dict):
                continue
            event_type = as_text(event.get("Type")) or ""
            at = key_at(events, event_id, key_at(raw_events, event_id, res.at))
            event_props = as_map(event.get("Properties"))
            raw_props = self.refs.dig(raw_events, event_id, "Properties")
            trigger = self._event(res.logical_id, event_id, event_type, event_props,
                                  raw_props, at)
            out.append(trigger)
            self._edge(trigger.source, trigger.function, EdgeKind.TRIGGER, event_id)
            if not trigger.runs_locally:
                self.not_local.append(NotRunLocally(
                    subject=f"{res.logical_id}.Events.{event_id}", type=event_type or "?",
                    reason=f"{event_type or 'this'} events are not emulated locally; "
                           "the function can still be invoked directly", at=at))
        return out

    def _event(self, fid: str, event_id: str, event_type: str, props: Mapping[str, Any],
               raw: Any, at: Mark) -> Trigger:
        kind, source_key = EVENT_KINDS.get(event_type, (TriggerKind.OTHER, None))
        source = (self.refs.target_or_text(self.refs.dig(raw, source_key), props.get(source_key))
                  if source_key else None)
        extra: dict[str, Any] = {}
        if event_type in GENERATED_SOURCE_TYPES:
            source = fid + event_id
            self.generated[source] = GENERATED_SOURCE_TYPES[event_type]
        if kind in (TriggerKind.API, TriggerKind.HTTP_API):
            route = self._route(fid, event_id, kind, source, props, at)
            source = route.api
            extra["route"] = route
        elif kind is TriggerKind.SQS:
            extra["sqs"] = sqs_settings(props)
        elif kind is TriggerKind.S3:
            settings = S3Settings(bucket=source or "", events=as_texts(props.get("Events")),
                                  filter_rules=filter_rules(props))
            extra["s3"] = settings
            self.notifications.setdefault(settings.bucket, []).append(BucketNotification(
                function=fid, events=settings.events, filter_rules=settings.filter_rules,
                event=event_id))
        elif kind in (TriggerKind.SCHEDULE, TriggerKind.SCHEDULE_V2):
            source = self._event_schedule(fid, event_id, event_type, props, raw, at)
        return Trigger(logical_id=event_id, kind=kind, event_type=event_type, function=fid,
                       source=source, runs_locally=kind in LOCAL_KINDS, at=at, **extra)

    def _route(self, fid: str, event_id: str, kind: TriggerKind, api: str | None,
               props: Mapping[str, Any], at: Mark) -> Route:
        is_rest = kind is TriggerKind.API
        implicit = IMPLICIT_REST_API if is_rest else IMPLICIT_HTTP_API
        if not api:
            api = implicit
            self.implicit_apis.setdefault(implicit, at)
        path, method = as_text(props.get("Path")), as_text(props.get("Method"))
        if not is_rest and path is None and method is None:
            path, method = "$default", "ANY"   # SAM's catch-all route for an HttpApi event
        method = (method or "ANY").upper()
        if method == "X-AMAZON-APIGATEWAY-ANY-METHOD":
            method = "ANY"
        version = "1.0" if is_rest else as_text(props.get("PayloadFormatVersion")) or "2.0"
        route = Route(api=api, kind=ApiKind.REST if is_rest else ApiKind.HTTP, method=method,
                      path=path or "/", function=fid, event=event_id,
                      payload_format_version=version,
                      timeout_ms=as_int(props.get("TimeoutInMillis")),
                      authorizer=as_text(as_map(props.get("Auth")).get("Authorizer")), at=at)
        self.routes.append(route)
        return route

    def _event_schedule(self, fid: str, event_id: str, event_type: str,
                        props: Mapping[str, Any], raw: Any, at: Mark) -> str:
        is_v2 = event_type == "ScheduleV2"
        expression = props.get("ScheduleExpression" if is_v2 else "Schedule")
        self.generated[fid + event_id] = ("AWS::Scheduler::Schedule" if is_v2
                                          else "AWS::Events::Rule")
        schedule = Schedule(
            logical_id=fid + event_id, source=event_type, expression=as_text(expression) or "",
            timezone=as_text(props.get("ScheduleExpressionTimezone")) if is_v2 else None,
            is_enabled=state_enabled(props),
            targets=(ScheduleTarget(function=fid, input=as_text(props.get("Input"))),),
            start_date=as_text(props.get("StartDate")) if is_v2 else None,
            end_date=as_text(props.get("EndDate")) if is_v2 else None,
            event=event_id, at=at, **self._retry(props, raw, fid + event_id))
        self.schedules.append(schedule)
        return schedule.logical_id

    def _retry(self, config: Mapping[str, Any], raw: Any, source: str) -> dict[str, Any]:
        retry = as_map(config.get("RetryPolicy"))
        dlq = as_map(config.get("DeadLetterConfig"))
        target = self.refs.target_or_text(self.refs.dig(raw, "DeadLetterConfig", "Arn"),
                                          dlq.get("Arn"))
        self._edge(source, target, EdgeKind.DEAD_LETTER)
        return {"dead_letter": target,
                "max_retry_attempts": as_int(retry.get("MaximumRetryAttempts")),
                "max_event_age_s": as_int(retry.get("MaximumEventAgeInSeconds"))}

    # ---- other resources

    def _layer(self, res: Resource) -> None:
        props, _ = self._props(res)
        is_sam = res.type == "AWS::Serverless::LayerVersion"
        content = (s3_uri(props.get("ContentUri"), "Bucket", "Key") if is_sam
                   else s3_uri(props.get("Content"), "S3Bucket", "S3Key"))
        self.layers.append(Layer(
            logical_id=res.logical_id, resource_type=res.type,
            layer_name=as_text(props.get("LayerName")) or res.logical_id, content_uri=content,
            compatible_runtimes=as_texts(props.get("CompatibleRuntimes")),
            compatible_architectures=as_texts(props.get("CompatibleArchitectures")),
            build_method=as_text(as_map(res.metadata).get("BuildMethod")), at=res.at))

    def _queue(self, res: Resource) -> None:
        props, raw = self._props(res)
        redrive_value = props.get("RedrivePolicy")
        raw_redrive = self.refs.dig(raw, "RedrivePolicy")
        if isinstance(redrive_value, str):   # the property is JSON; text is allowed too
            try:
                redrive_value = json.loads(redrive_value)
            except ValueError:
                redrive_value = None
        redrive = None
        if isinstance(redrive_value, dict):
            dlq = self.refs.target_or_text(self.refs.dig(raw_redrive, "deadLetterTargetArn"),
                                           redrive_value.get("deadLetterTargetArn"))
            if dlq:
                redrive = Redrive(dead_letter_queue=dlq,
                                  max_receive_count=as_int(redrive_value.get("maxReceiveCount")))
                self._edge(res.logical_id, dlq, EdgeKind.REDRIVE)
        name, url, arn = self._queue_identity(res, props)
        self.queues.append(Queue(
            logical_id=res.logical_id, queue_name=name, url=url, arn=arn,
            is_fifo=as_bool(props.get("FifoQueue"), False) or name.endswith(".fifo"),
            visibility_timeout_s=as_int(props.get("VisibilityTimeout"), 30) or 0,
            message_retention_s=as_int(props.get("MessageRetentionPeriod"), 345600) or 0,
            delay_s=as_int(props.get("DelaySeconds"), 0) or 0,
            receive_wait_s=as_int(props.get("ReceiveMessageWaitTimeSeconds"), 0) or 0,
            content_based_deduplication=as_bool(props.get("ContentBasedDeduplication"), False),
            redrive_allow_policy=_json_text(props.get("RedriveAllowPolicy")),
            redrive=redrive, at=res.at))

    def _queue_identity(self, res: Resource, props: Mapping[str, Any]) -> tuple[str, str, str]:
        values = self.refs.identities.get(res.logical_id, [])
        url = next((v for v in values if v.startswith(("http://", "https://"))), None)
        arn = next((v for v in values if v.startswith("arn:")), None)
        name = as_text(props.get("QueueName")) or (url.rsplit("/", 1)[-1] if url else None) \
            or res.logical_id
        pseudo = self.resolved.pseudo
        url = url or f"{pseudo.endpoint_url}/{pseudo.account_id}/{name}"
        arn = arn or f"arn:{pseudo.partition}:sqs:{pseudo.region}:{pseudo.account_id}:{name}"
        return name, url, arn

    def _bucket_notifications(self, res: Resource) -> None:
        props, raw = self._props(res)
        notification = as_map(props.get("NotificationConfiguration"))
        configs = as_list(notification.get("LambdaConfigurations"))
        for index, config in enumerate(configs):
            if not isinstance(config, dict):
                continue
            raw_function = self.refs.dig(raw, "NotificationConfiguration",
                                         "LambdaConfigurations", index, "Function")
            fid = self._function_id(raw_function, config.get("Function"))
            if fid is None:
                continue
            rules = filter_rules(config)
            events = as_texts(config.get("Event"))
            self.notifications.setdefault(res.logical_id, []).append(
                BucketNotification(function=fid, events=events, filter_rules=rules))
            self._add_trigger(Trigger(
                logical_id=res.logical_id, kind=TriggerKind.S3, event_type=res.type,
                function=fid, source=res.logical_id, runs_locally=True,
                s3=S3Settings(bucket=res.logical_id, events=events, filter_rules=rules),
                at=res.at))

    def _bucket(self, res: Resource) -> None:
        props, _ = self._props(res)
        values = self.refs.identities.get(res.logical_id, [])
        name = as_text(props.get("BucketName")) or next(
            (v for v in values if not v.startswith("arn:")), res.logical_id)
        self.buckets.append(Bucket(
            logical_id=res.logical_id, bucket_name=name,
            notifications=tuple(self.notifications.get(res.logical_id, ())), at=res.at))

    def _api(self, res: Resource) -> None:
        props, raw = self._props(res)
        is_rest = res.type == "AWS::Serverless::Api"
        self.apis.append(Api(
            logical_id=res.logical_id, kind=ApiKind.REST if is_rest else ApiKind.HTTP,
            stage_name=as_text(props.get("StageName")) or ("Prod" if is_rest else "$default"),
            binary_media_types=as_texts(props.get("BinaryMediaTypes")),
            cors=rest_cors(props.get("Cors")) if is_rest
            else http_cors(props.get("CorsConfiguration")),
            stage_variables=text_pairs(props.get("Variables" if is_rest else "StageVariables")),
            default_authorizer=as_text(as_map(props.get("Auth")).get("DefaultAuthorizer")),
            at=res.at))
        self._definition_routes(res, props, raw, ApiKind.REST if is_rest else ApiKind.HTTP)

    def _definition_routes(self, res: Resource, props: Mapping[str, Any], raw: Any,
                           kind: ApiKind) -> None:
        """Routes an inline OpenAPI DefinitionBody sends to a function of this template
        (x-amazon-apigateway-integration of type aws_proxy)."""
        paths = as_map(as_map(props.get("DefinitionBody")).get("paths"))
        raw_paths = self.refs.dig(raw, "DefinitionBody", "paths")
        for path, operations in paths.items():
            for method, operation in as_map(operations).items():
                integration = as_map(as_map(operation).get("x-amazon-apigateway-integration"))
                if (as_text(integration.get("type")) or "").lower() != "aws_proxy":
                    continue
                raw_uri = self.refs.dig(raw_paths, path, method,
                                        "x-amazon-apigateway-integration", "uri")
                uri = as_text(integration.get("uri")) or ""
                # .../functions/<function arn>/invocations
                arn = uri.partition("/functions/")[2].removesuffix("/invocations")
                fid = next((t for t in self.refs.refs_in(raw_uri)
                            if self.resources[t].type in FUNCTION_TYPES), None) \
                    or self._function_id(None, arn)
                if fid is None:
                    continue
                verb = method.upper()
                route = Route(
                    api=res.logical_id, kind=kind,
                    method="ANY" if verb == "X-AMAZON-APIGATEWAY-ANY-METHOD" else verb,
                    path=path, function=fid, event="DefinitionBody",
                    # without a payloadFormatVersion, the API kind's SAM event default
                    payload_format_version=as_text(integration.get("payloadFormatVersion"))
                    or ("1.0" if kind is ApiKind.REST else "2.0"),
                    timeout_ms=as_int(integration.get("timeoutInMillis")),
                    at=key_at(as_map(paths.get(path)), method, res.at))
                self.definition_routes.append(route)
                self._add_trigger(Trigger(
                    logical_id=res.logical_id,
                    kind=TriggerKind.API if kind is ApiKind.REST else TriggerKind.HTTP_API,
                    event_type=res.type, function=fid, source=res.logical_id,
                    runs_locally=True, route=route, at=route.at))

    def _merge_definition_routes(self) -> None:
        """A function's Api event on a path the DefinitionBody also defines replaces that
        operation's integration (SAM's rule), so event routes win over definition ones."""
        taken = {(r.api, r.method, r.path) for r in self.routes}
        dropped = [r for r in self.definition_routes if (r.api, r.method, r.path) in taken]
        self.routes.extend(r for r in self.definition_routes if r not in dropped)
        if dropped:
            self.functions = [dataclasses.replace(fn, events=tuple(
                t for t in fn.events if t.route not in dropped)) for fn in self.functions]

    def _implicit_apis(self) -> None:
        """SAM's ServerlessRestApi / ServerlessHttpApi, configured by Globals.Api/HttpApi."""
        globals_ = as_map(as_map(self.resolved.loaded.root).get("Globals"))
        for logical_id, at in self.implicit_apis.items():
            if logical_id in self.resources:
                continue
            is_rest = logical_id == IMPLICIT_REST_API
            config = as_map(globals_.get("Api" if is_rest else "HttpApi"))
            self.apis.append(Api(
                logical_id=logical_id, kind=ApiKind.REST if is_rest else ApiKind.HTTP,
                is_implicit=True, stage_name="Prod" if is_rest else "$default",
                binary_media_types=tuple(v for v in as_list(config.get("BinaryMediaTypes"))
                                         if isinstance(v, str)),
                cors=rest_cors(config.get("Cors")) if is_rest
                else http_cors(config.get("CorsConfiguration")),
                stage_variables=text_pairs(
                    config.get("Variables" if is_rest else "StageVariables")),
                default_authorizer=as_text(as_map(config.get("Auth")).get("DefaultAuthorizer")),
                at=at))

    def _events_rule(self, res: Resource) -> bool:
        props, raw = self._props(res)
        targets = []
        for index, target in enumerate(as_list(props.get("Targets"))):
            if not isinstance(target, dict):
                continue
            fid = self._function_id(self.refs.dig(raw, "Targets", index, "Arn"),
                                    target.get("Arn"))
            if fid:
                targets.append((fid, target, self.refs.dig(raw, "Targets", index)))
        expression = as_text(props.get("ScheduleExpression"))
        if not targets:
            return False
        if expression is None:   # an event pattern: AWS's events are not produced locally
            for fid, _target, _raw in targets:
                self._add_trigger(Trigger(
                    logical_id=res.logical_id, kind=TriggerKind.EVENTBRIDGE,
                    event_type=res.type, function=fid, source=res.logical_id,
                    runs_locally=False, at=res.at))
            self.not_local.append(NotRunLocally(
                subject=res.logical_id, type=res.type, at=res.at,
                reason="event-pattern rules are not emulated locally; the function can "
                       "still be invoked directly"))
            return False
        first_target, first_raw = targets[0][1], targets[0][2]
        self.schedules.append(Schedule(
            logical_id=res.logical_id, source=res.type, expression=expression,
            is_enabled=state_enabled(props),
            targets=tuple(ScheduleTarget(function=fid, input=as_text(t.get("Input")))
                          for fid, t, _ in targets),
            at=res.at, **self._retry(first_target, first_raw, res.logical_id)))
        for fid, _target, _raw in targets:
            self._add_trigger(Trigger(
                logical_id=res.logical_id, kind=TriggerKind.SCHEDULE, event_type=res.type,
                function=fid, source=res.logical_id, runs_locally=True, at=res.at))
        return True

    def _scheduler_schedule(self, res: Resource) -> bool:
        props, raw = self._props(res)
        target = as_map(props.get("Target"))
        fid = self._function_id(self.refs.dig(raw, "Target", "Arn"), target.get("Arn"))
        if fid is None:
            return False
        self.schedules.append(Schedule(
            logical_id=res.logical_id, source=res.type,
            expression=as_text(props.get("ScheduleExpression")) or "",
            timezone=as_text(props.get("ScheduleExpressionTimezone")),
            is_enabled=state_enabled(props),
            targets=(ScheduleTarget(function=fid, input=as_text(target.get("Input"))),),
            start_date=as_text(props.get("StartDate")), end_date=as_text(props.get("EndDate")),
            at=res.at, **self._retry(target, self.refs.dig(raw, "Target"), res.logical_id)))
        self._add_trigger(Trigger(
            logical_id=res.logical_id, kind=TriggerKind.SCHEDULE_V2, event_type=res.type,
            function=fid, source=res.logical_id, runs_locally=True, at=res.at))
        return True

    def _event_source_mapping(self, res: Resource) -> bool:
        props, raw = self._props(res)
        fid = self._function_id(self.refs.dig(raw, "FunctionName"), props.get("FunctionName"))
        if fid is None:
            return False
        source = self.refs.target_or_text(self.refs.dig(raw, "EventSourceArn"),
                                          props.get("EventSourceArn"))
        if source in self.resources:
            kind = ESM_KINDS.get(self.resources[source].type, TriggerKind.OTHER)
        elif source and source.startswith("arn:") and source.count(":") >= 2:
            kind = ESM_KINDS.get(source.split(":")[2], TriggerKind.OTHER)
        elif "SelfManagedEventSource" in props:
            kind = TriggerKind.SELF_MANAGED_KAFKA
        else:
            kind = TriggerKind.OTHER
        is_sqs = kind is TriggerKind.SQS
        self._add_trigger(Trigger(
            logical_id=res.logical_id, kind=kind, event_type=res.type, function=fid,
            source=source, runs_locally=is_sqs, sqs=sqs_settings(props) if is_sqs else None,
            at=res.at))
        if not is_sqs:
            self.not_local.append(NotRunLocally(
                subject=res.logical_id, type=res.type, at=res.at,
                reason=f"{kind.value} event source mappings are not emulated locally; "
                       "the function can still be invoked directly"))
        return True

    def _lambda_url(self, res: Resource) -> bool:
        props, raw = self._props(res)
        fid = self._function_id(self.refs.dig(raw, "TargetFunctionArn"),
                                props.get("TargetFunctionArn"))
        if fid is None:
            return False
        url = FunctionUrl(logical_id=res.logical_id, function=fid,
                          auth_type=as_text(props.get("AuthType")) or "AWS_IAM",
                          invoke_mode=as_text(props.get("InvokeMode")) or "BUFFERED",
                          cors=http_cors(props.get("Cors")), at=res.at)
        self.urls.append(url)
        self._pending(fid).url = url
        self._edge(res.logical_id, fid, EdgeKind.TRIGGER)
        return True

    def _lambda_event_invoke(self, res: Resource) -> bool:
        props, raw = self._props(res)
        fid = self._function_id(self.refs.dig(raw, "FunctionName"), props.get("FunctionName"))
        if fid is None:
            return False
        self._pending(fid).event_invoke = self._event_invoke(fid, props, raw)
        return True


def text_pairs(value: Any) -> tuple[tuple[str, str], ...]:
    """A map of names to scalar values (stage variables) as sorted text pairs."""
    pairs = ((str(k), as_text(v)) for k, v in as_map(value).items())
    return tuple(sorted((k, v) for k, v in pairs if v is not None))


def image_build(metadata: Any) -> ImageBuild | None:
    """Metadata that builds an Image function, as `sam build` reads it: DockerContext and
    Dockerfile are both needed, DockerTag defaults to "latest"."""
    meta = as_map(metadata)
    context, dockerfile = as_text(meta.get("DockerContext")), as_text(meta.get("Dockerfile"))
    if not context or not dockerfile:
        return None
    args = as_map(meta.get("DockerBuildArgs"))
    return ImageBuild(
        docker_context=context, dockerfile=dockerfile,
        docker_tag=as_text(meta.get("DockerTag")) or "latest",
        image_name=as_text(meta.get("DockerImage")),
        build_args=tuple((str(k), as_text(v) or "") for k, v in args.items()),
        target=as_text(meta.get("DockerBuildTarget")))


def image_config(value: Any) -> ImageConfig | None:
    """ImageConfig: Command, EntryPoint (lists) and WorkingDirectory."""
    config = as_map(value)
    if not config:
        return None
    return ImageConfig(
        command=as_texts(config["Command"]) if "Command" in config else None,
        entry_point=as_texts(config["EntryPoint"]) if "EntryPoint" in config else None,
        working_directory=as_text(config.get("WorkingDirectory")))


def _json_text(value: Any) -> str | None:
    """A property CloudFormation takes as JSON or as an object, as JSON text."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)
