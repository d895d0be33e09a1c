"""The app graph: what each template becomes (functions, triggers, routes, edges...)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent, indent
from typing import Any

import pytest

from samlite.errors import Mark
from samlite.graph.build import build_graph
from samlite.graph.model import ApiKind, Edge, EdgeKind, Graph, TriggerKind
from samlite.template.load import load_template, parse_template
from samlite.template.model import PseudoParameters, ResolvedTemplate, Resource
from samlite.template.resolve import resolve

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
HEAD = "Transform: AWS::Serverless-2016-10-31\n"


def graph_of(template: str) -> Graph:
    loaded = parse_template(HEAD + dedent(template), name="template.yaml")
    return build_graph(resolve(loaded))


def resolved_of(resources: dict[str, dict[str, Any]]) -> ResolvedTemplate:
    """A ResolvedTemplate built by hand: `properties` are the resolved values, `raw` (when
    given) what the template said before resolution."""
    loaded = parse_template("Resources: {}\n", name="template.yaml")
    return ResolvedTemplate(
        loaded=loaded, pseudo=PseudoParameters(), parameters={}, conditions={}, outputs={},
        resources={lid: Resource(logical_id=lid, type=spec["Type"],
                                 properties=spec.get("Properties", {}),
                                 raw={"Type": spec["Type"], **spec.get("Raw", {})},
                                 at=Mark("template.yaml", 1, 1))
                   for lid, spec in resources.items()})


def edge(source: str, target: str, kind: EdgeKind, label: str = "") -> Edge:
    return Edge(source=source, target=target, kind=kind, label=label)


# ---- functions


def test_function_effective_configuration_merges_globals() -> None:
    graph = graph_of("""
        Globals:
          Function:
            Timeout: 30
            Runtime: python3.12
            Environment:
              Variables:
                LOG_LEVEL: INFO
        Resources:
          Hello:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              CodeUri: src/
              MemorySize: 256
              EphemeralStorage: {Size: 1024}
              Architectures: [arm64]
              ReservedConcurrentExecutions: 2
              Environment:
                Variables:
                  DEBUG: true
                  RETRIES: 3
    """)
    fn = graph.function("Hello")
    assert (fn.handler, fn.runtime, fn.code_uri) == ("app.handler", "python3.12", "src/")
    assert (fn.memory_mb, fn.timeout_s, fn.ephemeral_storage_mb) == (256, 30, 1024)
    assert fn.architectures == ("arm64",)
    assert fn.reserved_concurrency == 2
    assert dict(fn.environment) == {"LOG_LEVEL": "INFO", "DEBUG": "true", "RETRIES": "3"}
    assert fn.function_name == "Hello"
    assert fn.at == Mark("template.yaml", 11, 3)


def test_function_defaults_are_lambdas() -> None:
    fn = graph_of("""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {Handler: a.b, Runtime: python3.12, InlineCode: "def b(e, c): pass"}
    """).function("Fn")
    assert (fn.memory_mb, fn.timeout_s, fn.ephemeral_storage_mb) == (128, 3, 512)
    assert (fn.architectures, fn.package_type, fn.code_uri) == (("x86_64",), "Zip", None)
    assert fn.inline_code == "def b(e, c): pass"
    assert fn.events == () and fn.function_url is None and fn.dead_letter is None


CODE_LOCATIONS = [
    ("s3 code uri", "{CodeUri: s3://bucket/key.zip}", ("s3://bucket/key.zip", "Zip", None)),
    ("code uri object", "{CodeUri: {Bucket: b, Key: k.zip}}", ("s3://b/k.zip", "Zip", None)),
    ("image", "{PackageType: Image, ImageUri: repo:tag}", (None, "Image", "repo:tag")),
]


@pytest.mark.parametrize(("case", "properties", "expected"), CODE_LOCATIONS,
                         ids=[c[0] for c in CODE_LOCATIONS])
def test_function_code_location(case: str, properties: str, expected: tuple[Any, ...]) -> None:
    fn = graph_of(f"""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {properties}
    """).function("Fn")
    assert (fn.code_uri, fn.package_type, fn.image_uri) == expected


def test_plain_lambda_function_is_a_function_too() -> None:
    graph = graph_of("""
        Resources:
          Dlq: {Type: AWS::SQS::Queue}
          Raw:
            Type: AWS::Lambda::Function
            Properties:
              FunctionName: raw-fn
              Handler: index.handler
              Runtime: nodejs20.x
              Role: arn:aws:iam::123456789012:role/r
              Code: {ZipFile: "exports.handler = async () => 1"}
              MemorySize: 512
              DeadLetterConfig: {TargetArn: !GetAtt Dlq.Arn}
    """)
    fn = graph.function("Raw")
    assert (fn.function_name, fn.memory_mb, fn.resource_type) == (
        "raw-fn", 512, "AWS::Lambda::Function")
    assert fn.inline_code == "exports.handler = async () => 1"
    assert edge("Raw", "Dlq", EdgeKind.DEAD_LETTER) in graph.edges


@pytest.mark.parametrize("resource_type", ["AWS::Serverless::Function",
                                           "AWS::Lambda::Function"])
def test_tenancy_config_makes_a_tenant_isolated_function(resource_type: str) -> None:
    graph = graph_of(f"""
        Resources:
          Isolated:
            Type: {resource_type}
            Properties: {{Handler: a.b, Runtime: python3.12, InlineCode: x,
                          Code: {{ZipFile: x}}, Role: arn:aws:iam::123456789012:role/r,
                          TenancyConfig: {{TenantIsolationMode: PER_TENANT}}}}
          Plain:
            Type: {resource_type}
            Properties: {{Handler: a.b, Runtime: python3.12, InlineCode: x,
                          Code: {{ZipFile: x}}, Role: arn:aws:iam::123456789012:role/r}}
    """)
    assert graph.function("Isolated").is_tenant_isolated
    assert not graph.function("Plain").is_tenant_isolated


# ---- APIs and routes

def test_a_rest_proxys_tenant_id_mapping_is_read_from_its_openapi_integration() -> None:
    # "Invoking Lambda functions with tenant isolation" (API Gateway): the integration maps a
    # client value to X-Amz-Tenant-Id; header names are case-insensitive.
    uri = ("!Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
           "${Fn.Arn}/invocations")
    graph = graph_of("""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {Handler: a.b, Runtime: python3.12, InlineCode: x}
          MyApi:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              DefinitionBody:
                openapi: 3.0.1
                paths:
                  /mapped:
                    get:
                      x-amazon-apigateway-integration:
                        type: aws_proxy
                        httpMethod: POST
                        uri: URI
                        requestParameters:
                          integration.request.header.x-amz-tenant-id: method.request.querystring.t
                  /plain:
                    get:
                      x-amazon-apigateway-integration:
                        type: aws_proxy
                        httpMethod: POST
                        uri: URI
    """.replace("URI", uri))
    assert {r.path: r.tenant_id_source for r in graph.routes} == {
        "/mapped": "method.request.querystring.t", "/plain": None}


def test_api_events_make_routes_on_implicit_apis() -> None:
    graph = graph_of("""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Events:
                Get: {Type: Api, Properties: {Path: /hello, Method: get}}
                Any: {Type: Api, Properties: {Path: /any, Method: any}}
                Http: {Type: HttpApi, Properties: {Path: /h, Method: POST}}
                V1: {Type: HttpApi, Properties: {Path: /v1, Method: GET,
                                                 PayloadFormatVersion: "1.0"}}
                CatchAll: {Type: HttpApi}
    """)
    routes = {r.event: (r.api, r.method, r.path, r.payload_format_version) for r in graph.routes}
    assert routes == {
        "Get": ("ServerlessRestApi", "GET", "/hello", "1.0"),
        "Any": ("ServerlessRestApi", "ANY", "/any", "1.0"),
        "Http": ("ServerlessHttpApi", "POST", "/h", "2.0"),
        "V1": ("ServerlessHttpApi", "GET", "/v1", "1.0"),
        "CatchAll": ("ServerlessHttpApi", "ANY", "$default", "2.0"),
    }
    rest, http = graph.api("ServerlessRestApi"), graph.api("ServerlessHttpApi")
    assert (rest.kind, rest.is_implicit, rest.stage_name) == (ApiKind.REST, True, "Prod")
    assert (http.kind, http.stage_name) == (ApiKind.HTTP, "$default")
    assert edge("ServerlessRestApi", "Fn", EdgeKind.TRIGGER, "Get") in graph.edges
    assert all(t.runs_locally for t in graph.triggers)


def test_explicit_api_keeps_stage_binary_types_and_cors() -> None:
    graph = graph_of("""
        Resources:
          MyApi:
            Type: AWS::Serverless::Api
            Properties:
              StageName: dev
              BinaryMediaTypes: [image~1png]
              Cors: {AllowOrigin: "'https://example.com'", AllowMethods: "'GET,POST'"}
          MyHttp:
            Type: AWS::Serverless::HttpApi
            Properties:
              CorsConfiguration: {AllowOrigins: ["*"], MaxAge: 60}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Events:
                Rest: {Type: Api, Properties: {Path: /r, Method: GET, RestApiId: !Ref MyApi}}
                Http: {Type: HttpApi, Properties: {Path: /h, Method: GET, ApiId: !Ref MyHttp}}
    """)
    api = graph.api("MyApi")
    assert (api.stage_name, api.binary_media_types, api.is_implicit) == (
        "dev", ("image~1png",), False)
    assert api.cors is not None
    assert (api.cors.allow_origins, api.cors.allow_methods) == (
        ("https://example.com",), ("GET", "POST"))
    http = graph.api("MyHttp")
    assert http.cors is not None and http.cors.max_age_s == 60
    assert [r.api for r in graph.routes] == ["MyApi", "MyHttp"]
    assert {a.logical_id for a in graph.apis} == {"MyApi", "MyHttp"}


READER_URI = ("!Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
              "${Reader.Arn}/invocations")


DEFINITION_AND_EVENTS = """
        Resources:
          MyApi:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              DefinitionBody:
                openapi: "3.0"
                paths:
                  /items:
                    get:
                      x-amazon-apigateway-integration:
                        type: aws_proxy
                        httpMethod: POST
                        uri: READER_URI
                    post:
                      x-amazon-apigateway-integration:
                        type: aws_proxy
                        httpMethod: POST
                        uri: READER_URI
                  /proxy:
                    x-amazon-apigateway-any-method:
                      x-amazon-apigateway-integration:
                        type: http_proxy
                        uri: https://example.com/
          Reader:
            Type: AWS::Serverless::Function
            Properties: {Handler: a.b, Runtime: python3.12}
          Writer:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Events:
                Post:
                  Type: Api
                  Properties: {RestApiId: !Ref MyApi, Path: /items, Method: post}
                Other:
                  Type: Api
                  Properties: {RestApiId: !Ref MyApi, Path: /other, Method: get}
    """.replace("READER_URI", READER_URI)


def test_an_apis_own_definition_body_gets_no_event_routes() -> None:
    """SAM adds event routes only to a definition it manages (DefaultDefinitionBodyPlugin,
    push.py); the events only make permissions, and one on a path the body lacks is named."""
    graph = graph_of(DEFINITION_AND_EVENTS)
    assert [(r.method, r.path, r.function, r.event) for r in graph.routes] == [
        ("GET", "/items", "Reader", "DefinitionBody"),
        ("POST", "/items", "Reader", "DefinitionBody"),
        ("ANY", "/proxy", None, "DefinitionBody"),     # an http_proxy integration
    ]
    assert graph.function("Writer").events == ()
    assert [(n.subject, n.reason) for n in graph.not_run_locally] == [
        ("Writer.Events.Other", "GET /other is not a route of MyApi: SAM adds no event route "
                                "to an Api with its own DefinitionBody or DefinitionUri "
                                "(unless MergeDefinitions) nor to an HttpApi with a "
                                "DefinitionUri, so API Gateway does not serve it either; "
                                "to serve it, add the path to that definition")]


def test_with_merge_definitions_event_routes_join_and_win() -> None:
    graph = graph_of(DEFINITION_AND_EVENTS.replace(
        "StageName: prod", "StageName: prod\n              MergeDefinitions: true"))
    assert [(r.method, r.path, r.function, r.event) for r in graph.routes] == [
        ("POST", "/items", "Writer", "Post"),
        ("GET", "/other", "Writer", "Other"),
        ("GET", "/items", "Reader", "DefinitionBody"),
        ("ANY", "/proxy", None, "DefinitionBody"),     # an http_proxy integration
    ]
    [trigger] = graph.function("Reader").events
    assert (trigger.kind, trigger.source, trigger.event_type) == (
        TriggerKind.API, "MyApi", "AWS::Serverless::Api")
    assert graph.not_run_locally == ()


HTTP_DEFINITION = """
    Resources:
      MyHttp:
        Type: AWS::Serverless::HttpApi
        Properties:
          DEFINITION
      Writer:
        Type: AWS::Serverless::Function
        Properties:
          Handler: a.b
          Runtime: python3.12
          Events:
            Post:
              Type: HttpApi
              Properties: {ApiId: !Ref MyHttp, Path: /items, Method: post}
"""


def test_an_http_apis_inline_definition_gets_event_routes_a_definition_uri_none() -> None:
    inline = graph_of(HTTP_DEFINITION.replace(
        "DEFINITION", "DefinitionBody: {openapi: 3.0.1, paths: {}}"))
    assert [(r.method, r.path, r.event) for r in inline.routes] == [("POST", "/items", "Post")]
    from_file = graph_of(HTTP_DEFINITION.replace(
        "DEFINITION", "DefinitionUri: s3://bucket/openapi.yaml"))
    assert from_file.routes == ()
    assert [n.subject for n in from_file.not_run_locally] == [
        "MyHttp.DefinitionUri", "Writer.Events.Post"]


def test_function_url_config() -> None:
    graph = graph_of("""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              FunctionUrlConfig:
                AuthType: NONE
                InvokeMode: RESPONSE_STREAM
                Cors: {AllowOrigins: ["https://a.example"], AllowCredentials: true}
    """)
    [url] = graph.function_urls
    assert (url.logical_id, url.function, url.auth_type, url.invoke_mode) == (
        "FnUrl", "Fn", "NONE", "RESPONSE_STREAM")
    assert url.cors is not None and url.cors.allows_credentials
    assert graph.function("Fn").function_url == url
    [named] = [n for n in graph.not_run_locally if n.subject == "FnUrl.InvokeMode"]
    assert "response streaming is run for Node.js and custom runtimes only" in named.reason
    assert "this python3.12 function answers with the whole response" in named.reason
    assert named.at.line == 11


@pytest.mark.parametrize("mode", ["BUFFERED", None])
def test_a_buffered_function_url_is_not_named(mode: str | None) -> None:
    invoke_mode = f"\n                InvokeMode: {mode}" if mode else ""
    graph = graph_of(f"""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              FunctionUrlConfig:
                AuthType: NONE{invoke_mode}
    """)
    assert not [n for n in graph.not_run_locally if n.subject.endswith("InvokeMode")]


@pytest.mark.parametrize(("case", "runtime", "named"), [
    ("node streams", "nodejs20.x", []),
    ("a custom runtime streams", "provided.al2023", []),
    ("python does not", "python3.12", ["Url.InvokeMode"]),
], ids=lambda value: value if isinstance(value, str) and " " in value else "")
def test_a_plain_lambda_url_that_streams_is_named_unless_its_runtime_streams(
        case: str, runtime: str, named: list[str]) -> None:
    graph = graph_of(f"""
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Handler: a.b
              Runtime: {runtime}
              Role: arn:aws:iam::123456789012:role/r
              Code: {{ZipFile: "exports.b = async () => 1"}}
          Url:
            Type: AWS::Lambda::Url
            Properties:
              TargetFunctionArn: !GetAtt Fn.Arn
              AuthType: NONE
              InvokeMode: RESPONSE_STREAM
    """)
    assert [n.subject for n in graph.not_run_locally if n.subject.endswith("InvokeMode")] \
        == named


def test_a_node_function_url_from_globals_streams_unnamed() -> None:
    graph = graph_of("""
        Globals:
          Function:
            Runtime: nodejs22.x
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              FunctionUrlConfig:
                AuthType: NONE
                InvokeMode: RESPONSE_STREAM
    """)
    assert not [n for n in graph.not_run_locally if n.subject.endswith("InvokeMode")]


# ---- triggers


def test_sqs_trigger_keeps_its_batching_settings() -> None:
    graph = graph_of("""
        Resources:
          Jobs: {Type: AWS::SQS::Queue}
          Worker:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Events:
                Plain: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn}}
                Tuned:
                  Type: SQS
                  Properties:
                    Queue: !GetAtt Jobs.Arn
                    BatchSize: 5
                    MaximumBatchingWindowInSeconds: 2
                    Enabled: false
                    FilterCriteria: {Filters: [{Pattern: '{"body": {"kind": ["a"]}}'}]}
                    ScalingConfig: {MaximumConcurrency: 4}
                    FunctionResponseTypes: [ReportBatchItemFailures]
    """)
    plain, tuned = graph.function("Worker").events
    assert plain.kind is TriggerKind.SQS and plain.source == "Jobs" and plain.runs_locally
    assert plain.sqs is not None
    settings = plain.sqs
    assert (settings.batch_size, settings.batching_window_s, settings.is_enabled) == (10, 0, True)
    assert tuned.sqs is not None
    settings = tuned.sqs
    assert (settings.batch_size, settings.batching_window_s, settings.is_enabled) == (5, 2, False)
    assert tuned.sqs.filter_patterns == ('{"body": {"kind": ["a"]}}',)
    assert tuned.sqs.max_concurrency == 4 and tuned.sqs.reports_batch_item_failures
    assert graph.triggers_from("Jobs") == (plain, tuned)


def test_s3_event_and_bucket_notification_configuration() -> None:
    graph = graph_of("""
        Resources:
          Uploads: {Type: AWS::S3::Bucket, Properties: {BucketName: my-uploads}}
          Legacy:
            Type: AWS::S3::Bucket
            Properties:
              NotificationConfiguration:
                LambdaConfigurations:
                  - Event: s3:ObjectRemoved:*
                    Function: !GetAtt Fn.Arn
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Events:
                Upload:
                  Type: S3
                  Properties:
                    Bucket: !Ref Uploads
                    Events: [s3:ObjectCreated:*]
                    Filter:
                      S3Key:
                        Rules: [{Name: prefix, Value: in/}, {Name: suffix, Value: .jpg}]
    """)
    upload, legacy = graph.function("Fn").events
    assert upload.s3 is not None
    assert (upload.source, upload.s3.events, upload.s3.prefix, upload.s3.suffix) == (
        "Uploads", ("s3:ObjectCreated:*",), "in/", ".jpg")
    assert (legacy.source, legacy.event_type, legacy.kind) == (
        "Legacy", "AWS::S3::Bucket", TriggerKind.S3)
    bucket = graph.bucket("Uploads")
    assert bucket.bucket_name == "my-uploads"
    assert [(n.function, n.event) for n in bucket.notifications] == [("Fn", "Upload")]
    assert [n.events for n in graph.bucket("Legacy").notifications] == [("s3:ObjectRemoved:*",)]


SCHEDULES = [
    ("schedule event", """
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Events:
                Tick:
                  Type: Schedule
                  Properties: {Schedule: rate(5 minutes), Input: '{"a": 1}', Enabled: false}
     """, ("FnTick", "rate(5 minutes)", None, False, '{"a": 1}', TriggerKind.SCHEDULE,
           "FnTickLambdaTarget")),
    ("schedule v2 event", """
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Events:
                Nightly:
                  Type: ScheduleV2
                  Properties:
                    ScheduleExpression: cron(0 3 * * ? *)
                    ScheduleExpressionTimezone: Europe/Paris
     """, ("FnNightly", "cron(0 3 * * ? *)", "Europe/Paris", True, None,
           TriggerKind.SCHEDULE_V2, None)),
    ("events rule", """
          Fn: {Type: AWS::Serverless::Function, Properties: {Handler: a.b, Runtime: python3.12}}
          Rule:
            Type: AWS::Events::Rule
            Properties:
              ScheduleExpression: rate(1 hour)
              Targets: [{Arn: !GetAtt Fn.Arn, Id: fn}]
     """, ("Rule", "rate(1 hour)", None, True, None, TriggerKind.SCHEDULE, "fn")),
    ("scheduler schedule", """
          Fn: {Type: AWS::Serverless::Function, Properties: {Handler: a.b, Runtime: python3.12}}
          Sched:
            Type: AWS::Scheduler::Schedule
            Properties:
              ScheduleExpression: at(2030-01-01T00:00:00)
              FlexibleTimeWindow: {Mode: "OFF"}
              State: DISABLED
              Target: {Arn: !GetAtt Fn.Arn, RoleArn: arn:aws:iam::1:role/r, Input: "{}"}
     """, ("Sched", "at(2030-01-01T00:00:00)", None, False, "{}", TriggerKind.SCHEDULE_V2,
           None)),
]


@pytest.mark.parametrize(("case", "resources", "expected"), SCHEDULES,
                         ids=[c[0] for c in SCHEDULES])
def test_schedules(case: str, resources: str, expected: tuple[Any, ...]) -> None:
    graph = graph_of("Resources:\n" + indent(dedent(resources), "  "))
    [schedule] = graph.schedules
    [target] = schedule.targets
    assert (schedule.logical_id, schedule.expression, schedule.timezone, schedule.is_enabled,
            target.input) == expected[:5]
    assert target.target_id == expected[6]     # the Id ListTargetsByRule shows
    assert schedule.function == "Fn"
    [trigger] = graph.function("Fn").events
    assert (trigger.kind, trigger.source, trigger.runs_locally) == (expected[5], expected[0], True)
    label = "" if trigger.logical_id == expected[0] else trigger.logical_id
    assert graph.edges_to("Fn") == (edge(expected[0], "Fn", EdgeKind.TRIGGER, label),)


def test_a_long_schedule_events_target_id_is_cut_as_sams_translator_cuts_it() -> None:
    function = "F" * 40
    graph = graph_of(f"""
        Resources:
          {function}:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Events:
                {"E" * 30}: {{Type: Schedule, Properties: {{Schedule: rate(1 hour)}}}}
        """)
    [schedule] = graph.schedules
    assert schedule.targets[0].target_id == "F" * 40 + "E" * 12 + "LambdaTarget"


NOT_LOCAL = [
    ("kinesis", "Kinesis",
     "Stream: arn:aws:kinesis:us-east-1:123456789012:stream/s\n"
     "                    StartingPosition: LATEST", TriggerKind.KINESIS),
    ("cloudwatch logs", "CloudWatchLogs", "LogGroupName: g\n"
     "                    FilterPattern: x", TriggerKind.CLOUDWATCH_LOGS),
    ("alexa", "AlexaSkill", "SkillId: amzn1.ask.skill.x", TriggerKind.ALEXA),
]


def graph_with_event(event_type: str, properties: str, *, beside: str = "") -> Graph:
    """A template whose function Fn has the one event Ev (`properties`: its Properties'
    lines, indented as the first is), after the resources `beside` (lines of their own)."""
    return graph_of(f"""
        Resources:{beside}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Events:
                Ev:
                  Type: {event_type}
                  Properties:
                    {properties}
    """)


@pytest.mark.parametrize(("case", "event_type", "properties", "kind"), NOT_LOCAL,
                         ids=[c[0] for c in NOT_LOCAL])
def test_events_samlite_does_not_run_are_listed_not_rejected(
        case: str, event_type: str, properties: str, kind: TriggerKind) -> None:
    graph = graph_with_event(event_type, properties)
    [trigger] = graph.function("Fn").events
    assert (trigger.kind, trigger.runs_locally) == (kind, False)
    [entry] = graph.not_run_locally
    assert (entry.subject, entry.type) == ("Fn.Events.Ev", event_type)
    assert "not emulated locally" in entry.reason


@pytest.mark.parametrize(("event_type", "properties"), [
    ("SQS", "Queue: !GetAtt Source.Arn"), ("SNS", "Topic: !Ref Source"),
    ("S3", "Bucket: !Ref Source\n                    Events: s3:ObjectCreated:*")])
def test_an_event_whose_source_has_a_type_samlite_does_not_model_is_named_not_run(
        event_type: str, properties: str) -> None:
    graph = graph_with_event(event_type, properties,
                             beside="\n          Source: {Type: AWS::Misspelt::Thing}")
    [trigger] = graph.function("Fn").events
    assert (trigger.source, trigger.runs_locally) == ("Source", False)
    named = {n.subject: n for n in graph.not_run_locally}
    assert set(named) == {"Source", "Fn.Events.Ev"}
    entry = named["Fn.Events.Ev"]
    assert entry.type == event_type
    assert "Source has type AWS::Misspelt::Thing" in entry.reason
    assert entry.at.line == 11   # Ev's line


def test_event_source_mappings_are_triggers() -> None:
    graph = graph_of("""
        Resources:
          Jobs: {Type: AWS::SQS::Queue}
          Fn: {Type: AWS::Serverless::Function, Properties: {Handler: a.b, Runtime: python3.12}}
          FromQueue:
            Type: AWS::Lambda::EventSourceMapping
            Properties: {FunctionName: !Ref Fn, EventSourceArn: !GetAtt Jobs.Arn, BatchSize: 3}
          FromStream:
            Type: AWS::Lambda::EventSourceMapping
            Properties:
              FunctionName: !GetAtt Fn.Arn
              EventSourceArn: arn:aws:kinesis:us-east-1:123456789012:stream/s
    """)
    queue, stream = graph.function("Fn").events
    assert (queue.kind, queue.source, queue.runs_locally) == (TriggerKind.SQS, "Jobs", True)
    assert queue.sqs is not None and queue.sqs.batch_size == 3
    assert (stream.kind, stream.runs_locally) == (TriggerKind.KINESIS, False)
    assert [n.subject for n in graph.not_run_locally] == ["FromStream"]
    assert edge("Jobs", "Fn", EdgeKind.TRIGGER, "FromQueue") in graph.edges


# ---- edges


def test_edges_to_dlq_destinations_layers_and_redrive() -> None:
    graph = graph_of("""
        Resources:
          Dlq: {Type: AWS::SQS::Queue}
          Work:
            Type: AWS::SQS::Queue
            Properties:
              VisibilityTimeout: 60
              RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 3}
          Done: {Type: AWS::SNS::Topic}
          Libs:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: libs/, CompatibleRuntimes: [python3.12]}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Layers: [!Ref Libs, "arn:aws:lambda:us-east-1:123456789012:layer:x:1"]
              DeadLetterQueue: {Type: SQS, TargetArn: !GetAtt Dlq.Arn}
              EventInvokeConfig:
                MaximumRetryAttempts: 1
                MaximumEventAgeInSeconds: 120
                DestinationConfig:
                  OnSuccess: {Type: SNS, Destination: !Ref Done}
                  OnFailure: {Type: SQS, Destination: !GetAtt Dlq.Arn}
    """)
    fn = graph.function("Fn")
    assert fn.layers == ("Libs", "arn:aws:lambda:us-east-1:123456789012:layer:x:1")
    assert fn.dead_letter is not None and fn.dead_letter.target == "Dlq"
    assert fn.event_invoke is not None
    assert (fn.event_invoke.max_retry_attempts, fn.event_invoke.max_event_age_s) == (1, 120)
    assert fn.event_invoke.on_success is not None and fn.event_invoke.on_success.target == "Done"
    queue = graph.queue("Work")
    assert queue.redrive is not None
    assert (queue.redrive.dead_letter_queue, queue.redrive.max_receive_count) == ("Dlq", 3)
    assert queue.visibility_timeout_s == 60
    assert set(graph.edges) == {
        edge("Work", "Dlq", EdgeKind.REDRIVE),
        edge("Fn", "Libs", EdgeKind.LAYER),
        edge("Fn", "Dlq", EdgeKind.DEAD_LETTER),
        edge("Fn", "Done", EdgeKind.ON_SUCCESS),
        edge("Fn", "Dlq", EdgeKind.ON_FAILURE),
    }
    assert graph.layer("Libs").content_uri == "libs/"
    assert graph.node("Done") is not None and graph.topics[0].logical_id == "Done"


def test_edges_to_resources_named_by_environment_and_policies() -> None:
    graph = graph_of("""
        Resources:
          Jobs: {Type: AWS::SQS::Queue}
          Files: {Type: AWS::S3::Bucket}
          Table: {Type: AWS::Serverless::SimpleTable}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Environment:
                Variables:
                  QUEUE_URL: !Ref Jobs
                  TABLE: !Ref Table
                  PLAIN: hello
              Policies:
                - AWSLambdaBasicExecutionRole
                - SQSSendMessagePolicy: {QueueName: !GetAtt Jobs.QueueName}
                - S3CrudPolicy: {BucketName: !Ref Files}
                - DynamoDBCrudPolicy: {TableName: !Ref Table}
                - Statement:
                    - Effect: Allow
                      Action: s3:GetObject
                      Resource: !Sub "${Files.Arn}/*"
    """)
    fn = graph.function("Fn")
    assert fn.policies == ("AWSLambdaBasicExecutionRole", "SQSSendMessagePolicy",
                           "S3CrudPolicy", "DynamoDBCrudPolicy", "inline policy")
    assert fn.policy_resources == ("Jobs", "Files", "Table")
    assert graph.edges_from("Fn") == (
        edge("Fn", "Jobs", EdgeKind.ENVIRONMENT, "QUEUE_URL"),
        edge("Fn", "Table", EdgeKind.ENVIRONMENT, "TABLE"),
        edge("Fn", "Jobs", EdgeKind.POLICY, "SQSSendMessagePolicy"),
        edge("Fn", "Files", EdgeKind.POLICY, "S3CrudPolicy"),
        edge("Fn", "Table", EdgeKind.POLICY, "DynamoDBCrudPolicy"),
        edge("Fn", "Files", EdgeKind.POLICY, "inline policy"),
    )
    assert dict(fn.environment)["QUEUE_URL"] == graph.queue("Jobs").url


def test_resolved_names_map_back_to_logical_ids_without_raw_intrinsics() -> None:
    # Values merged from Globals have no raw intrinsic on the resource: the resolved
    # queue URL and function ARN are recognised instead.
    queue_url = "http://127.0.0.1:3001/123456789012/jobs"
    graph = build_graph(resolved_of({
        "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}},
        "Fn": {"Type": "AWS::Serverless::Function",
               "Properties": {"Handler": "a.b", "Environment": {"Variables": {"Q": queue_url}},
                              "Events": {"Ev": {"Type": "SQS", "Properties": {
                                  "Queue": "arn:aws:sqs:us-east-1:123456789012:jobs"}}}}},
        "Esm": {"Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {"FunctionName": "Fn",
                               "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:jobs"}},
    }))
    assert [t.source for t in graph.function("Fn").events] == ["Jobs", "Jobs"]
    assert edge("Fn", "Jobs", EdgeKind.ENVIRONMENT, "Q") in graph.edges
    assert graph.queue("Jobs").url == queue_url


def test_condition_picks_the_branch_the_graph_follows() -> None:
    graph = graph_of("""
        Conditions:
          IsProd: !Equals [prod, dev]
        Resources:
          A: {Type: AWS::SQS::Queue}
          B: {Type: AWS::SQS::Queue}
          Extra: {Type: AWS::SQS::Queue, Condition: IsProd}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: a.b
              Runtime: python3.12
              Environment:
                Variables:
                  Q: !If [IsProd, !Ref A, !Ref B]
    """)
    assert graph.edges_from("Fn") == (edge("Fn", "B", EdgeKind.ENVIRONMENT, "Q"),)
    assert graph.node("Extra") is None


def test_other_resources_are_counted_by_type() -> None:
    graph = graph_of("""
        Resources:
          R1: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {}}}
          R2: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {}}}
          T: {Type: AWS::Logs::LogGroup}
    """)
    assert graph.other_resources == (("AWS::IAM::Role", 2), ("AWS::Logs::LogGroup", 1))
    assert graph.functions == () and graph.edges == ()


def test_lookups_raise_key_error_naming_what_is_missing() -> None:
    graph = graph_of("Resources:\n  Q: {Type: AWS::SQS::Queue}\n")
    assert graph.queue("Q").queue_name
    with pytest.raises(KeyError, match="no function 'Q'"):
        graph.function("Q")


@pytest.mark.parametrize("case", ["string memory", "unresolved timeout", "wrong shapes"])
def test_odd_values_keep_defaults_instead_of_raising(case: str) -> None:
    properties = {
        "string memory": {"MemorySize": "256"},
        "unresolved timeout": {"Timeout": {"Fn::ImportValue": "x"}},
        "wrong shapes": {"Events": ["x"], "Environment": "x", "Layers": "x", "Policies": 3,
                         "DeadLetterQueue": [], "FunctionUrlConfig": "x"},
    }[case]
    graph = build_graph(resolved_of({
        "Fn": {"Type": "AWS::Serverless::Function", "Properties": properties}}))
    fn = graph.function("Fn")
    assert fn.memory_mb == (256 if case == "string memory" else 128)
    assert fn.timeout_s == 3


# ---- the shared corpus


def _corpus_templates() -> list[Path]:
    return sorted([*CORPUS.glob("apps/*/template.y*ml"),
                   *CORPUS.glob("sam-translator/valid/*.yaml"),
                   *CORPUS.glob("sam-translator/invalid/*.yaml")])


@pytest.mark.parametrize("path", _corpus_templates(),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_template_builds_a_graph(path: Path) -> None:
    graph = build_graph(resolve(load_template(path)))
    tables = {t.logical_id for t in graph.tables if t.stream_view_type}
    for t in graph.triggers:
        # A DynamoDB stream runs when it is the stream of a table (with one) in the template.
        runs = t.kind in {TriggerKind.API, TriggerKind.HTTP_API, TriggerKind.S3,
                          TriggerKind.SQS, TriggerKind.SCHEDULE, TriggerKind.SCHEDULE_V2,
                          TriggerKind.SNS, TriggerKind.EVENTBRIDGE} \
            or (t.kind is TriggerKind.DYNAMODB and t.source in tables)
        assert t.runs_locally == runs


def test_corpus_sqs_app_graph() -> None:
    path = CORPUS / "apps" / "sqs-lambda-python-sam" / "template.yaml"
    graph = build_graph(resolve(load_template(path)))
    [trigger] = graph.function("ProcessorFunction").events
    assert trigger.sqs is not None and trigger.sqs.reports_batch_item_failures
    assert set(graph.edges) == {
        edge("ProcessingQueue", "ProcessingDLQ", EdgeKind.REDRIVE),
        edge("ProcessingQueue", "ProcessorFunction", EdgeKind.TRIGGER, "MySQSEvent"),
        edge("ProcessorFunction", "ProcessingDLQ", EdgeKind.DEAD_LETTER),
    }


def test_corpus_scheduler_app_graph() -> None:
    path = CORPUS / "apps" / "eventbridge-schedule-to-lambda-dlq-sam-python" / "template.yaml"
    graph = build_graph(resolve(load_template(path)))
    [schedule] = graph.schedules
    assert (schedule.logical_id, schedule.expression, schedule.function) == (
        "EventSchedule", "rate(5 minutes)", "ScheduledFunction")
    assert (schedule.dead_letter, schedule.max_retry_attempts) == ("SchedulerDLQ", 3)
    assert graph.function("ScheduledFunction").timeout_s == 30   # from Globals


# ---- speed


def _big_template(functions: int = 166) -> str:
    """CloudFormation's 500-resource limit: each function with a queue and a bucket wired to
    it, an HttpApi route and a schedule (issue 3's benchmark shape)."""
    lines = ["Resources:"]
    for i in range(functions):
        lines += [
            f"  Q{i}: {{Type: AWS::SQS::Queue}}",
            f"  B{i}: {{Type: AWS::S3::Bucket}}",
            f"  F{i}:",
            "    Type: AWS::Serverless::Function",
            "    Properties:",
            "      Handler: app.handler",
            "      Runtime: python3.12",
            f"      Environment: {{Variables: {{QUEUE: !Ref Q{i}}}}}",
            f"      Policies: [{{SQSSendMessagePolicy: {{QueueName: !GetAtt Q{i}.QueueName}}}}]",
            "      Events:",
            f"        Q: {{Type: SQS, Properties: {{Queue: !GetAtt Q{i}.Arn}}}}",
            "        S:",
            "          Type: S3",
            f"          Properties: {{Bucket: !Ref B{i}, Events: s3:ObjectCreated:*}}",
            f"        H: {{Type: HttpApi, Properties: {{Path: /f{i}, Method: GET}}}}",
            "        T: {Type: Schedule, Properties: {Schedule: rate(5 minutes)}}",
        ]
    return "\n".join(lines) + "\n"


def test_a_500_resource_template_builds_every_function_and_trigger() -> None:
    # How fast (target: well under 50 ms) is benchmarks/validate_500.py's figure, not a test's.
    resolved = resolve(parse_template(HEAD + _big_template(), name="big.yaml"))
    assert len(resolved.resources) == 498
    graph = build_graph(resolved)
    assert len(graph.functions) == 166 and len(graph.triggers) == 664


def test_services_an_app_calls_that_no_local_service_runs_are_named() -> None:
    graph = graph_of("""
        Resources:
          Orders: {Type: AWS::Kinesis::Stream}
          Role: {Type: AWS::IAM::Role}
        """)
    named = {(n.subject, n.type): n.reason for n in graph.not_run_locally}
    assert set(named) == {("Orders", "AWS::Kinesis::Stream")}
    assert named[("Orders", "AWS::Kinesis::Stream")] == (
        "Kinesis is not served by the local AWS endpoint (calls to it get NotImplemented)")
    assert all(n.at.line > 0 for n in graph.not_run_locally)   # file:line at startup


def test_secrets_and_parameters_are_modelled_under_their_ref_names() -> None:
    graph = graph_of("""\
        Resources:
          Db:
            Type: AWS::SecretsManager::Secret
            Properties:
              GenerateSecretString:
                SecretStringTemplate: '{"username": "admin"}'
                GenerateStringKey: password
                PasswordLength: 24
                ExcludeCharacters: '"@/'
          Named:
            Type: AWS::SecretsManager::Secret
            Properties: {Name: prod/api-key, SecretString: abc}
          Url:
            Type: AWS::SSM::Parameter
            Properties: {Name: /app/url, Type: String, Value: !Sub "https://${AWS::Region}"}
          Imported:
            Type: AWS::SSM::Parameter
            Properties: {Type: String, Value: !ImportValue Other}
        """)
    db, named = graph.secrets
    assert db.arn.startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:")
    assert db.arn.rsplit("-", 1)[0].endswith(db.name)
    assert db.generate is not None
    assert dict(db.generate.options) == {"PasswordLength": 24, "ExcludeCharacters": '"@/'}
    assert (db.generate.secret_string_template, db.generate.generate_string_key) == (
        '{"username": "admin"}', "password")
    assert (named.name, named.secret_string) == ("prod/api-key", "abc")
    [url] = graph.parameters
    assert (url.name, url.type, url.value) == ("/app/url", "String", "https://us-east-1")
    [imported] = [n for n in graph.not_run_locally if n.subject == "Imported"]
    assert "cannot be known locally" in imported.reason


def test_dynamic_references_outside_environment_variables_are_named() -> None:
    graph = graph_of("""\
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              CodeUri: src/
              Environment:
                Variables: {KEY: '{{resolve:ssm:/k}}'}
          Bucket:
            Type: AWS::S3::Bucket
            Properties: {BucketName: '{{resolve:ssm:/bucket-name}}'}
        """)
    [note] = [n for n in graph.not_run_locally if n.type == "dynamic reference"]
    assert note.subject == "Bucket"
    assert "BucketName holds {{resolve:ssm:/bucket-name}}" in note.reason


def test_functions_are_linked_to_the_secrets_their_references_name() -> None:
    graph = graph_of("""\
        Resources:
          Db:
            Type: AWS::SecretsManager::Secret
            Properties: {Name: app/db, GenerateSecretString: {}}
          Url:
            Type: AWS::SSM::Parameter
            Properties: {Name: /app/url, Type: String, Value: x}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              CodeUri: src/
              Environment:
                Variables:
                  PASSWORD: '{{resolve:secretsmanager:app/db:SecretString:password}}'
                  URL: '{{resolve:ssm:/app/url}}'
                  OTHER: '{{resolve:ssm:/not/here}}'
        """)
    assert sorted((e.target, e.label) for e in graph.edges_from("Fn")
                  if e.kind is EdgeKind.ENVIRONMENT) == [("Db", "PASSWORD"), ("Url", "URL")]


def test_active_xray_tracing_is_named_at_startup_once_per_function() -> None:
    text = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Tracing: Active
Resources:
  Traced:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: .}
  Untraced:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: ., Tracing: PassThrough}
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: {ZipFile: "def handler(e, c): pass"}
      Role: arn:aws:iam::123456789012:role/r
      TracingConfig: {Mode: Active}
"""
    graph = build_graph(resolve(parse_template(text, name="template.yaml")))
    xray = [n for n in graph.not_run_locally if "X-Ray" in n.reason]
    assert [(n.subject, n.at.line) for n in xray] == [("Traced.Tracing", 4),
                                                      ("Plain.TracingConfig", 19)]
    assert all("_X_AMZN_TRACE_ID, with Sampled=0" in n.reason for n in xray)


def test_a_redrive_allow_policy_is_named_as_not_enforced() -> None:
    text = """\
Resources:
  Dlq:
    Type: AWS::SQS::Queue
    Properties:
      RedriveAllowPolicy: {redrivePermission: denyAll}
  Plain:
    Type: AWS::SQS::Queue
"""
    graph = build_graph(resolve(parse_template(text, name="template.yaml")))
    [named] = [n for n in graph.not_run_locally if n.subject.startswith(("Dlq", "Plain"))]
    assert (named.subject, named.at.line) == ("Dlq.RedriveAllowPolicy", 5)
    assert "not enforced" in named.reason


def test_function_settings_that_change_nothing_locally_are_named_at_startup() -> None:
    text = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: java21
      Handler: app.Handler::handle
      CodeUri: .
      FileSystemConfigs:
        - {Arn: arn:aws:elasticfilesystem:us-east-1:1:access-point/fsap-1, LocalMountPath: /mnt/d}
      VpcConfig: {SubnetIds: [subnet-1], SecurityGroupIds: [sg-1]}
      SnapStart: {ApplyOn: PublishedVersions}
  Off:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: java21
      Handler: app.Handler::handle
      CodeUri: .
      SnapStart: {ApplyOn: None}
      VpcConfig: {SubnetIds: [], SecurityGroupIds: []}
"""
    graph = build_graph(resolve(parse_template(text, name="template.yaml")))
    named = [(n.subject, n.at.line) for n in graph.not_run_locally]
    assert named == [("Fn.FileSystemConfigs", 9), ("Fn.VpcConfig", 11), ("Fn.SnapStart", 12)]

