"""The app graph: a frozen, typed model of what a resolved template will run locally.

Functions with their effective configuration, layers, buckets, queues, schedules, APIs and
their routes, function URLs, and the edges between them (trigger -> function, function ->
DLQ / destinations / layers / the resources its environment and policies name). Pure: it
reads a ResolvedTemplate and nothing else. Event shapes follow the SAM specification's
"AWS::Serverless::Function EventSource" pages; implicit API ids are SAM's own
(ServerlessRestApi, ServerlessHttpApi).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from samlite.errors import Mark
from samlite.graph.messaging import EventBus, EventRule, Topic
from samlite.iam.app_access import AppAccess
from samlite.template import names

IMPLICIT_REST_API = names.IMPLICIT_REST_API
IMPLICIT_HTTP_API = names.IMPLICIT_HTTP_API


class TriggerKind(StrEnum):
    API = "api"
    HTTP_API = "http_api"
    S3 = "s3"
    SQS = "sqs"
    SCHEDULE = "schedule"
    SCHEDULE_V2 = "schedule_v2"
    EVENTBRIDGE = "eventbridge"
    SNS = "sns"
    KINESIS = "kinesis"
    DYNAMODB = "dynamodb"
    CLOUDWATCH_LOGS = "cloudwatch_logs"
    IOT = "iot"
    ALEXA = "alexa"
    COGNITO = "cognito"
    MSK = "msk"
    MQ = "mq"
    SELF_MANAGED_KAFKA = "self_managed_kafka"
    DOCUMENTDB = "documentdb"
    ALB = "alb"                    # an Application Load Balancer target group
    OTHER = "other"


# What samlite emulates; every other kind is accepted and listed as "not run locally".
LOCAL_KINDS = frozenset({TriggerKind.API, TriggerKind.HTTP_API, TriggerKind.S3, TriggerKind.SQS,
                         TriggerKind.SCHEDULE, TriggerKind.SCHEDULE_V2, TriggerKind.ALB,
                         TriggerKind.SNS, TriggerKind.EVENTBRIDGE,
                         TriggerKind.DYNAMODB})


class EdgeKind(StrEnum):
    TRIGGER = "trigger"            # event source -> function
    DEAD_LETTER = "dead_letter"    # function or schedule -> its DLQ / SNS topic
    ON_SUCCESS = "on_success"      # function -> async invocation destination
    ON_FAILURE = "on_failure"
    LAYER = "layer"                # function -> layer
    REDRIVE = "redrive"            # queue -> its RedrivePolicy dead-letter queue
    ENVIRONMENT = "environment"    # function -> resource an environment variable names
    POLICY = "policy"              # function -> resource a policy (template) names
    INTEGRATION = "integration"    # API -> the queue a route's service integration calls
    AUTHORIZER = "authorizer"      # API -> the function of one of its Lambda authorizers
    NOT_SERVED = "not_served"      # API -> function of an event route named as not served


class ApiKind(StrEnum):
    REST = "rest"
    HTTP = "http"


@dataclass(frozen=True, slots=True, kw_only=True)
class Cors:
    """REST Api `Cors`, HttpApi `CorsConfiguration` and function URL `Cors`, in one shape.
    REST's quoted header values ("'GET,POST'") are unquoted and split."""

    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age_s: int | None = None
    allows_credentials: bool = False


class IntegrationKind(StrEnum):
    AWS_SERVICE = "aws_service"      # HTTP API AWS_PROXY with an IntegrationSubtype
    HTTP_PROXY = "http_proxy"        # forwarded to an http(s) URL
    # REST integrations with mapping templates (`rest` holds their settings)
    LAMBDA = "lambda"                # type aws to a function of this template (non-proxy)
    AWS = "aws"                      # type aws to a service: SQS, S3
    HTTP = "http"                    # type http: an http(s) URL, mapped both ways
    MOCK = "mock"                    # type mock: answered by the gateway itself


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrationResponse:
    """One of a REST integration's `responses` / IntegrationResponses ("Set up an
    integration response in API Gateway")."""

    selection_pattern: str | None = None     # None: the default response
    status_code: str = "200"
    # ("method.response.header.X", "integration.response.header.Y" / "'static'" / ...)
    parameters: tuple[tuple[str, str], ...] = ()
    templates: tuple[tuple[str, str], ...] = ()      # (content type, VTL template)
    content_handling: str | None = None      # CONVERT_TO_TEXT / CONVERT_TO_BINARY


@dataclass(frozen=True, slots=True, kw_only=True)
class RestMapping:
    """What a REST non-proxy integration maps ("Set up an integration request in API
    Gateway", "x-amazon-apigateway-integration object")."""

    function: str | None = None              # LAMBDA: the function invoked
    service_uri: str | None = None           # AWS: "sqs:path/123456789012/queue", "s3:path/b/{k}"
    request_templates: tuple[tuple[str, str], ...] = ()
    passthrough_behavior: str = "WHEN_NO_MATCH"
    content_handling: str | None = None
    responses: tuple[IntegrationResponse, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Integration:
    """A route's integration other than a Lambda proxy to one of this template's functions.
    Follows "Working with AWS service integrations for HTTP APIs" and "Working with HTTP
    proxy integrations for HTTP APIs" (API Gateway developer guide)."""

    kind: IntegrationKind
    subtype: str | None = None       # IntegrationSubtype: "SQS-SendMessage"
    uri: str | None = None           # HTTP_PROXY: the URL, may hold {proxy} / {param}
    method: str | None = None        # HTTP_PROXY IntegrationMethod; None or ANY: the client's
    # RequestParameters, in the template's order: ("MessageBody", "$request.body.message")
    request_parameters: tuple[tuple[str, str], ...] = ()
    timeout_ms: int | None = None
    rest: RestMapping | None = None  # REST non-proxy kinds: templates and responses

    def describe(self) -> str:
        """What `samlite graph` shows after the arrow: "SQS-SendMessage", "HTTP_PROXY url"."""
        if self.kind is IntegrationKind.AWS_SERVICE:
            return self.subtype or "AWS service"
        rest = self.rest or RestMapping()
        if self.kind is IntegrationKind.LAMBDA:
            return f"{rest.function} (Lambda, mapping templates)"
        if self.kind is IntegrationKind.AWS:
            return f"AWS {self.method or 'POST'} {rest.service_uri}"
        if self.kind is IntegrationKind.MOCK:
            return "MOCK"
        if self.kind is IntegrationKind.HTTP:
            return f"HTTP {self.method or 'ANY'} {self.uri}"
        return f"HTTP_PROXY {self.method or 'ANY'} {self.uri}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ParameterMapping:
    """An HTTP API integration's parameter mapping ("Transform API requests and responses for
    HTTP APIs"): what changes in a request to a Lambda integration (service and HTTP_PROXY
    integrations keep theirs in Integration.request_parameters), and in any integration's
    response, by the status code it answers. Mappings of reserved headers are left out (the
    graph names them)."""

    # ("overwrite:header.x", "$request.header.y"), ("remove:querystring.q", "''"), ...
    request: tuple[tuple[str, str], ...] = ()
    # ("200", (("overwrite:statuscode", "204"), ("append:header.x", "$response.header.y")))
    response: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestValidation:
    """What API Gateway checks on a REST method before the integration: its request
    validator (x-amazon-apigateway-request-validator; SAM: RequestModel.ValidateBody /
    ValidateParameters) with the method's required parameters and body models
    ("Request validation for REST APIs in API Gateway")."""

    validates_body: bool = False
    validates_parameters: bool = False
    # "method.request.querystring.x" / "header.x" / "path.x" marked required
    required_parameters: tuple[str, ...] = ()
    # (content type, JSON Schema draft 4 as JSON text): "application/json", "$default"
    body_schemas: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    api: str                         # logical id of the Api / HttpApi (implicit ones included)
    kind: ApiKind
    method: str                      # upper case; "ANY" for any method
    path: str                        # "/hello/{name}"; "$default" for an HttpApi catch-all
    function: str | None             # the Lambda proxy's function; None with an integration
    event: str                       # the event id under the function's Events
    payload_format_version: str      # "1.0" (REST) or "2.0" (HTTP API default)
    timeout_ms: int | None = None
    authorizer: str | None = None    # the event's Auth.Authorizer ("NONE" turns the default off)
    api_key_required: bool | None = None     # REST; None: the Api's Auth.ApiKeyRequired decides
    # Auth.AuthorizationScopes / a route's or method's scopes; None: the authorizer's own
    authorization_scopes: tuple[str, ...] | None = None
    validation: RequestValidation | None = None   # REST; None: no request validator
    integration: Integration | None = None   # None: Lambda proxy to `function`
    parameter_mapping: ParameterMapping | None = None   # HTTP APIs
    ip_ranges: IpRanges | None = None        # REST: the event's own Auth.ResourcePolicy
    # REST Lambda proxy: the source its integration maps to X-Amz-Tenant-Id (Invoke's
    # TenantId), e.g. "method.request.header.x-tenant-id"
    tenant_id_source: str | None = None
    at: Mark

    @property
    def target(self) -> str:
        """What the route reaches, in words: a function's id or its integration."""
        return self.integration.describe() if self.integration is not None \
            else str(self.function)


@dataclass(frozen=True, slots=True, kw_only=True)
class SqsSettings:
    batch_size: int = 10
    batching_window_s: int = 0
    is_enabled: bool = True
    filter_patterns: tuple[str, ...] = ()    # each FilterCriteria.Filters[].Pattern (JSON text)
    max_concurrency: int | None = None
    reports_batch_item_failures: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamSettings:
    """A DynamoDB stream event source mapping's settings (the Lambda developer guide's
    "Using AWS Lambda with Amazon DynamoDB"); AWS's defaults where the template is silent."""
    starting_position: str = "LATEST"        # TRIM_HORIZON or LATEST
    batch_size: int = 100
    batching_window_s: int = 0
    is_enabled: bool = True
    filter_patterns: tuple[str, ...] = ()    # each FilterCriteria.Filters[].Pattern (JSON text)
    bisects_on_error: bool = False
    max_retry_attempts: int = -1             # -1: until the record expires
    max_record_age_s: int = -1               # -1: infinite (the stream keeps records 24 h)
    parallelization_factor: int = 1
    reports_batch_item_failures: bool = False
    on_failure: str | None = None            # a queue's logical id here, else the ARN


@dataclass(frozen=True, slots=True, kw_only=True)
class S3Settings:
    bucket: str                              # logical id when in this template
    events: tuple[str, ...] = ()             # "s3:ObjectCreated:*", ...
    filter_rules: tuple[tuple[str, str], ...] = ()   # (("prefix", "uploads/"), ("suffix", ".jpg"))

    @property
    def prefix(self) -> str:
        return next((v for n, v in self.filter_rules if n.lower() == "prefix"), "")

    @property
    def suffix(self) -> str:
        return next((v for n, v in self.filter_rules if n.lower() == "suffix"), "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Trigger:
    """One thing that invokes a function: a SAM event, an EventSourceMapping, a bucket's
    LambdaConfiguration, an EventBridge rule target."""

    logical_id: str        # the event id under Events, else the declaring resource's id
    kind: TriggerKind
    event_type: str        # SAM's Type ("SQS") or the declaring resource type
    function: str
    source: str | None     # logical id of the queue/bucket/api/schedule, else the ARN/name given
    runs_locally: bool
    sqs: SqsSettings | None = None
    stream: StreamSettings | None = None     # DYNAMODB: the table's logical id is `source`
    s3: S3Settings | None = None
    route: Route | None = None
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class Destination:
    type: str | None       # SQS, SNS, Lambda, EventBridge, S3Bucket (SAM); None for plain CFN
    target: str            # logical id when in this template, else the ARN


@dataclass(frozen=True, slots=True, kw_only=True)
class EventInvoke:
    max_event_age_s: int | None = None
    max_retry_attempts: int | None = None
    on_success: Destination | None = None
    on_failure: Destination | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionUrl:
    logical_id: str        # "<Function>Url" as SAM names it, or the AWS::Lambda::Url's id
    function: str
    auth_type: str = "AWS_IAM"
    invoke_mode: str = "BUFFERED"
    cors: Cors | None = None
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageBuild:
    """How `sam build` builds a PackageType Image function: its Metadata (SAM CLI's
    app_builder._build_lambda_image)."""
    docker_context: str                      # folder relative to the template
    dockerfile: str                          # relative to the context
    docker_tag: str = "latest"
    image_name: str | None = None            # Metadata.DockerImage; else the logical id
    build_args: tuple[tuple[str, str], ...] = ()
    target: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EsbuildBuild:
    """`Metadata: BuildMethod: esbuild` and its BuildProperties, with `sam build`'s defaults
    ("Building Node.js Lambda functions with esbuild", AWS SAM developer guide)."""
    entry_points: tuple[str, ...] = ()       # () = the handler's own file
    external: tuple[str, ...] = ()
    format: str | None = None                # esbuild's default for node: cjs
    loader: tuple[str, ...] = ()             # ".png=dataurl"
    main_fields: tuple[str, ...] = ("main", "module")
    minify: bool = True
    out_extension: tuple[str, ...] = ()      # ".js=.mjs"
    sourcemap: bool = False
    target: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageConfig:
    """ImageConfig: what replaces the image's own ENTRYPOINT, CMD and WORKDIR."""
    command: tuple[str, ...] | None = None
    entry_point: tuple[str, ...] | None = None
    working_directory: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionAlias:
    """An alias: SAM's for AutoPublishAlias (`<Fn>Alias<name>`) or an AWS::Lambda::Alias."""
    logical_id: str
    name: str
    on_published_version: bool = True    # False: FunctionVersion is $LATEST
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class Function:
    logical_id: str
    resource_type: str               # AWS::Serverless::Function or AWS::Lambda::Function
    function_name: str               # FunctionName, else what Ref resolves to
    handler: str | None = None
    runtime: str | None = None
    code_uri: str | None = None      # folder relative to the template, or s3://bucket/key
    inline_code: str | None = None
    memory_mb: int = 128
    timeout_s: int = 3
    ephemeral_storage_mb: int = 512
    architectures: tuple[str, ...] = ("x86_64",)
    package_type: str = "Zip"
    image_uri: str | None = None
    image_build: ImageBuild | None = None    # Metadata.DockerContext and Dockerfile
    image_config: ImageConfig | None = None
    esbuild: EsbuildBuild | None = None      # Metadata.BuildMethod esbuild
    environment: tuple[tuple[str, str], ...] = ()
    layers: tuple[str, ...] = ()     # logical ids of layers in this template, else ARNs
    layer_marks: tuple[Mark, ...] = ()       # where each of `layers` is written
    reserved_concurrency: int | None = None
    provisioned_concurrency: int = 0         # ProvisionedConcurrencyConfig
    provisioned_qualifier: str | None = None   # its alias or version (SAM: AutoPublishAlias)
    auto_publish_alias: str | None = None
    publishes_versions: bool = False         # AutoPublishAlias or an AWS::Lambda::Version
    aliases: tuple[FunctionAlias, ...] = ()
    # The alias or version its event sources invoke: SAM wires every event of a function
    # with AutoPublishAlias to the alias; plain resources name it in the ARN they give.
    event_qualifier: str | None = None
    dead_letter: Destination | None = None
    event_invoke: EventInvoke | None = None
    function_url: FunctionUrl | None = None
    events: tuple[Trigger, ...] = ()
    # TenancyConfig.TenantIsolationMode PER_TENANT: every invoke names a tenant
    is_tenant_isolated: bool = False
    policies: tuple[str, ...] = ()           # policy template / managed policy names
    policy_resources: tuple[str, ...] = ()   # logical ids the policies name
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class Layer:
    logical_id: str
    resource_type: str
    layer_name: str
    content_uri: str | None = None
    compatible_runtimes: tuple[str, ...] = ()
    compatible_architectures: tuple[str, ...] = ()
    build_method: str | None = None          # Metadata.BuildMethod (sam build)
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class BucketNotification:
    function: str
    events: tuple[str, ...]
    filter_rules: tuple[tuple[str, str], ...] = ()
    event: str | None = None                 # the SAM event id that added it, if any


@dataclass(frozen=True, slots=True, kw_only=True)
class Bucket:
    logical_id: str
    bucket_name: str
    notifications: tuple[BucketNotification, ...] = ()
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class Redrive:
    dead_letter_queue: str                   # logical id when in this template, else the ARN
    max_receive_count: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """An AWS::DynamoDB::Table or AWS::Serverless::SimpleTable, as CreateTable takes it."""
    logical_id: str
    resource_type: str
    table_name: str
    key_schema: tuple[tuple[str, str], ...]           # (attribute, "HASH" | "RANGE")
    attribute_definitions: tuple[tuple[str, str], ...]   # (attribute, "S" | "N" | "B")
    billing_mode: str = "PROVISIONED"
    read_capacity: int | None = None
    write_capacity: int | None = None
    global_indexes: str | None = None        # JSON text of GlobalSecondaryIndexes
    local_indexes: str | None = None         # JSON text of LocalSecondaryIndexes
    stream_view_type: str | None = None      # None: no stream
    ttl_attribute: str | None = None         # None: TTL disabled
    sse_enabled: bool = False
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class Queue:
    logical_id: str
    queue_name: str
    url: str
    arn: str
    is_fifo: bool = False
    visibility_timeout_s: int = 30
    message_retention_s: int = 345600        # 4 days, SQS's default
    delay_s: int = 0
    receive_wait_s: int = 0
    content_based_deduplication: bool = False
    maximum_message_size_bytes: int | None = None   # MaximumMessageSize; None: SQS's default
    redrive_allow_policy: str | None = None  # JSON text, as SQS takes it
    redrive: Redrive | None = None
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneratedSecretString:
    """AWS::SecretsManager::Secret GenerateSecretString: GetRandomPassword's options as
    (member, value) pairs, and the JSON template the password goes into under a key."""
    options: tuple[tuple[str, int | bool | str], ...] = ()
    secret_string_template: str | None = None
    generate_string_key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Secret:
    logical_id: str
    name: str
    arn: str                                 # what Ref gives
    secret_string: str | None = None         # SecretString as the template gives it
    generate: GeneratedSecretString | None = None
    description: str | None = None
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameter:
    """AWS::SSM::Parameter (String or StringList: CloudFormation creates no SecureString)."""
    logical_id: str
    name: str                                # what Ref gives
    type: str                                # "String" | "StringList"
    value: str
    description: str | None = None
    allowed_pattern: str | None = None
    data_type: str | None = None
    tier: str | None = None
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleTarget:
    function: str
    input: str | None = None
    target_id: str | None = None     # Targets[].Id (SAM: <Rule>LambdaTarget); None: Scheduler


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    """An EventBridge rule or EventBridge Scheduler schedule that invokes functions. For a
    SAM Schedule/ScheduleV2 event the id is SAM's: function id + event id."""

    logical_id: str
    source: str                  # "Schedule", "ScheduleV2", "AWS::Events::Rule", ...
    expression: str
    timezone: str | None = None
    is_enabled: bool = True
    targets: tuple[ScheduleTarget, ...] = ()
    event: str | None = None     # event id when declared under a function's Events
    dead_letter: str | None = None
    max_retry_attempts: int | None = None
    max_event_age_s: int | None = None
    start_date: str | None = None   # EventBridge Scheduler StartDate / EndDate (ISO 8601, UTC)
    end_date: str | None = None
    name: str | None = None         # its Name, which its ARN carries; None: the logical id
    group: str | None = None        # a Scheduler schedule's GroupName; None: "default"
    at: Mark

    @property
    def function(self) -> str | None:
        return self.targets[0].function if self.targets else None


@dataclass(frozen=True, slots=True, kw_only=True)
class LambdaAuthorizer:
    """One Lambda authorizer of an Api's / HttpApi's `Auth.Authorizers` (SAM's
    ApiFunctionAuth / HttpApiFunctionAuth), as the local gateway runs it."""

    name: str                                  # its key under Auth.Authorizers
    function: str | None                       # this template's function FunctionArn names
    payload_type: str = "TOKEN"                # REST FunctionPayloadType; HTTP APIs: REQUEST
    payload_format_version: str = "1.0"        # HTTP AuthorizerPayloadFormatVersion
    simple_responses: bool = False             # HTTP EnableSimpleResponses (2.0 only)
    identity_headers: tuple[str, ...] = ()     # Identity.Header (TOKEN) / Identity.Headers
    identity_query_strings: tuple[str, ...] = ()
    ttl_s: int = 0                             # Identity.ReauthorizeEvery; 0: no caching
    validation_expression: str | None = None   # TOKEN Identity.ValidationExpression
    at: Mark

    @property
    def is_token(self) -> bool:
        return self.payload_type == "TOKEN"


# The authorizer name that means SigV4 (IAM) authorization, as SAM and API Gateway spell it.
IAM_AUTHORIZER = "AWS_IAM"


@dataclass(frozen=True, slots=True, kw_only=True)
class JwtAuthorizer:
    """A token the gateway checks itself: an HTTP API JWT authorizer (SAM JwtConfiguration,
    type jwt) or a REST Cognito user pool authorizer (SAM UserPoolArn, COGNITO_USER_POOLS)."""

    name: str
    is_cognito: bool = False
    issuers: tuple[str, ...] = ()              # (): none could be read from the template
    audiences: tuple[str, ...] = ()            # JWT audience; Cognito: () (any app client)
    identity_header: str = "Authorization"     # where the token is
    scopes: tuple[str, ...] = ()               # the authorizer's AuthorizationScopes
    validation_expression: str | None = None   # Cognito Identity.ValidationExpression
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayResponse:
    """A REST API's customized gateway response (SAM GatewayResponses, OpenAPI
    x-amazon-apigateway-gateway-responses, AWS::ApiGateway::GatewayResponse): how API
    Gateway's own error of one type is answered ("Gateway response types for API Gateway")."""

    response_type: str                       # "DEFAULT_4XX", "UNAUTHORIZED", ...
    status_code: int | None = None           # None: the type's own status
    # (destination, source): ("gatewayresponse.header.Access-Control-Allow-Origin", "'*'")
    parameters: tuple[tuple[str, str], ...] = ()
    templates: tuple[tuple[str, str], ...] = ()   # (content type, template)
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class IpRanges:
    """The part of a REST API's resource policy decided locally: the client's aws:SourceIp
    (SAM Auth.ResourcePolicy IpRangeWhitelist / IpRangeBlacklist; readers/resource_policies)."""

    allowed: tuple[str, ...] = ()     # CIDR ranges; when some, a client outside them is denied
    denied: tuple[str, ...] = ()      # CIDR ranges whose clients are denied


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyStatement:
    """One statement of a REST API's resource policy document (RestApi Policy, OpenAPI
    x-amazon-apigateway-policy) about anonymous execute-api:Invoke, as far as it is decided
    locally: which requests it covers, by resource and by the client's address."""

    allows: bool                             # Effect Allow; else Deny
    # patterns over "{stage}/{METHOD}/{path}" ("*" any; IAM wildcards * and ?)
    resources: tuple[str, ...] = ("*",)
    not_resources: tuple[str, ...] = ()      # NotResource: covers what these do not
    source_ips: tuple[str, ...] = ()         # IpAddress aws:SourceIp: only these clients
    not_source_ips: tuple[str, ...] = ()     # NotIpAddress aws:SourceIp: only the others


@dataclass(frozen=True, slots=True, kw_only=True)
class Api:
    logical_id: str
    kind: ApiKind
    is_implicit: bool = False
    stage_name: str = "Prod"
    binary_media_types: tuple[str, ...] = ()
    cors: Cors | None = None
    stage_variables: tuple[tuple[str, str], ...] = ()   # Api Variables / HttpApi StageVariables
    default_authorizer: str | None = None               # Auth.DefaultAuthorizer
    lambda_authorizers: tuple[LambdaAuthorizer, ...] = ()   # the Lambda ones of Auth.Authorizers
    jwt_authorizers: tuple[JwtAuthorizer, ...] = ()     # JWT and Cognito ones
    api_key_required: bool = False                      # REST Auth.ApiKeyRequired
    # (name, JSON Schema as JSON text): SAM Models, an OpenAPI body's definitions/schemas
    models: tuple[tuple[str, str], ...] = ()
    gateway_responses: tuple[GatewayResponse, ...] = ()   # REST only
    ip_ranges: IpRanges | None = None                     # REST resource policy's IP part
    # REST: a resource policy document's statements (None: no document)
    policy: tuple[PolicyStatement, ...] | None = None
    at: Mark

    def gateway_response(self, response_type: str) -> GatewayResponse | None:
        return next((g for g in self.gateway_responses if g.response_type == response_type),
                    None)

    def lambda_authorizer(self, name: str) -> LambdaAuthorizer | None:
        return next((a for a in self.lambda_authorizers if a.name == name), None)

    def jwt_authorizer(self, name: str) -> JwtAuthorizer | None:
        return next((a for a in self.jwt_authorizers if a.name == name), None)

    def requires_api_key(self, route: Route) -> bool:
        """Whether API Gateway wants an x-api-key for `route` (REST only)."""
        if self.kind is not ApiKind.REST:
            return False
        return self.api_key_required if route.api_key_required is None \
            else route.api_key_required

    def authorizer_for(self, route: Route) -> str | None:
        """The authorizer API Gateway would run for `route` (None when there is none)."""
        name = route.authorizer or self.default_authorizer
        return None if name in (None, "NONE") else name


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiKey:
    """An AWS::ApiGateway::ApiKey, or the key SAM's Auth.UsagePlan creates."""

    logical_id: str
    value: str | None = None         # None: API Gateway generates it, so it is not known here
    is_enabled: bool = False         # CloudFormation's Enabled defaults to false
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadBalancerTarget:
    """An AWS::ElasticLoadBalancingV2::TargetGroup with TargetType lambda."""

    logical_id: str
    function: str | None             # the function its Targets name (None: no target here)
    arn: str                         # what Ref gives: the event's requestContext.elb
    multi_value_headers: bool = False    # attribute lambda.multi_value_headers.enabled
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleCondition:
    """One listener rule condition. Values within one condition match when any does;
    a rule matches when all its conditions do (ELB guide, "Listener rules")."""

    field: str                       # path-pattern, http-header, http-request-method, ...
    values: tuple[str, ...] = ()     # patterns; query-string: "key=value" or "=value"
    header_name: str | None = None   # http-header only


@dataclass(frozen=True, slots=True, kw_only=True)
class ListenerAction:
    """The action that ends a rule: forward, fixed-response or redirect (authenticate-*
    actions before it are not run)."""

    type: str
    target_group: str | None = None          # forward: logical id, else the ARN given
    status_code: str | None = None           # fixed-response "404"; redirect "HTTP_301"
    content_type: str | None = None          # fixed-response
    message_body: str | None = None          # fixed-response
    redirect: tuple[tuple[str, str], ...] = ()   # redirect: (("Path", "/#{path}"), ...)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListenerRule:
    logical_id: str
    priority: int
    conditions: tuple[RuleCondition, ...] = ()
    action: ListenerAction
    at: Mark


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadBalancerListener:
    """An AWS::ElasticLoadBalancingV2::Listener with its rules, lowest priority first."""

    logical_id: str
    port: int | None = None          # the listener's Port on AWS; locally a port of its own
    default_action: ListenerAction | None = None
    rules: tuple[ListenerRule, ...] = ()
    at: Mark

    @property
    def target_groups(self) -> tuple[str, ...]:
        actions = [r.action for r in self.rules] + [self.default_action]
        return tuple(dict.fromkeys(a.target_group for a in actions
                                   if a is not None and a.target_group))


@dataclass(frozen=True, slots=True, kw_only=True)
class Edge:
    source: str            # logical id, or an ARN/name for something outside the template
    target: str
    kind: EdgeKind
    label: str = ""        # event id, environment variable, policy template, ...


@dataclass(frozen=True, slots=True, kw_only=True)
class NotRunLocally:
    subject: str           # "Fn.Events.Stream" or a resource's logical id
    type: str              # "Kinesis", "AWS::Lambda::EventSourceMapping", ...
    reason: str
    at: Mark


Node = (Function | Layer | Bucket | Queue | Table | Secret | Parameter | Schedule | Api
        | FunctionUrl | LoadBalancerTarget | LoadBalancerListener | Topic | EventBus | EventRule)


@dataclass(frozen=True, slots=True, kw_only=True)
class Graph:
    functions: tuple[Function, ...] = ()
    layers: tuple[Layer, ...] = ()
    buckets: tuple[Bucket, ...] = ()
    queues: tuple[Queue, ...] = ()
    secrets: tuple[Secret, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    tables: tuple[Table, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    apis: tuple[Api, ...] = ()
    routes: tuple[Route, ...] = ()
    function_urls: tuple[FunctionUrl, ...] = ()
    load_balancer_targets: tuple[LoadBalancerTarget, ...] = ()
    load_balancer_listeners: tuple[LoadBalancerListener, ...] = ()
    api_keys: tuple[ApiKey, ...] = ()
    topics: tuple[Topic, ...] = ()                  # SNS (graph/messaging.py)
    event_buses: tuple[EventBus, ...] = ()          # EventBridge buses beyond the default
    event_rules: tuple[EventRule, ...] = ()         # event-pattern rules
    edges: tuple[Edge, ...] = ()
    not_run_locally: tuple[NotRunLocally, ...] = ()
    other_resources: tuple[tuple[str, int], ...] = ()   # (resource type, count), by type
    # Edge ends that are not modelled above: (logical id, resource type), e.g. a table a
    # policy names, or the rule SAM generates for an EventBridgeRule event.
    other_nodes: tuple[tuple[str, str], ...] = ()
    # Each function's effective policy and the resources' own policies (iam/), worked out on
    # first use (`access`): only the AWS endpoint's IAM check, STS and up's startup warnings
    # read them, and a one-shot invoke would import and run the IAM readers for nothing.
    access_of: Callable[[], AppAccess] = field(default=AppAccess, repr=False, compare=False)
    _nodes: dict[str, Node] = field(init=False, repr=False, compare=False)
    _access: list[AppAccess] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        nodes: dict[str, Node] = {}
        for group in (self.topics, self.event_buses, self.event_rules,
                      self.load_balancer_listeners, self.load_balancer_targets,
                      self.function_urls, self.apis, self.schedules, self.queues, self.tables,
                      self.secrets, self.parameters, self.buckets, self.layers,
                      self.functions):
            nodes.update((n.logical_id, n) for n in group)
        object.__setattr__(self, "_nodes", nodes)
        object.__setattr__(self, "_access", [])

    @property
    def access(self) -> AppAccess:
        if not self._access:   # two threads may both work it out: the same value
            self._access.append(self.access_of())
        return self._access[0]

    def node(self, logical_id: str) -> Node | None:
        return self._nodes.get(logical_id)

    def _typed(self, logical_id: str, kind: type[Any]) -> Any:
        found = self._nodes.get(logical_id)
        if not isinstance(found, kind):
            raise KeyError(f"no {kind.__name__.lower()} {logical_id!r} in the graph")
        return found

    def function(self, logical_id: str) -> Function:
        return self._typed(logical_id, Function)  # type: ignore[no-any-return]

    def queue(self, logical_id: str) -> Queue:
        return self._typed(logical_id, Queue)  # type: ignore[no-any-return]

    def bucket(self, logical_id: str) -> Bucket:
        return self._typed(logical_id, Bucket)  # type: ignore[no-any-return]

    def layer(self, logical_id: str) -> Layer:
        return self._typed(logical_id, Layer)  # type: ignore[no-any-return]

    def api(self, logical_id: str) -> Api:
        return self._typed(logical_id, Api)  # type: ignore[no-any-return]

    @property
    def triggers(self) -> tuple[Trigger, ...]:
        return tuple(t for fn in self.functions for t in fn.events)

    def triggers_from(self, source: str) -> tuple[Trigger, ...]:
        """Triggers whose source is `source` (a queue's consumers, a bucket's functions...)."""
        return tuple(t for t in self.triggers if t.source == source)

    def routes_of(self, api: str) -> tuple[Route, ...]:
        return tuple(r for r in self.routes if r.api == api)

    def edges_from(self, logical_id: str) -> tuple[Edge, ...]:
        return tuple(e for e in self.edges if e.source == logical_id)

    def edges_to(self, logical_id: str) -> tuple[Edge, ...]:
        return tuple(e for e in self.edges if e.target == logical_id)

