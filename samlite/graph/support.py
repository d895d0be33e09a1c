"""What samlite does locally with each template property it acts on: the declaration that
docs/template-support.md is generated from (samlite.cli.docs_gen). Pure data.

A property listed in RUNS_LOCALLY changes what runs; one in NOT_RUN is read or asked about
but not acted on, and says why. Every other property in schemas/ is validated only (its value
is checked) or ignored (only its name is known). tests/cli/test_docs_gen.py holds this file to the
schemas and to every property samlite/graph/readers/ reads, so it cannot drift.
Scopes are resource types, and "Events.<Type>" for a SAM function's event source type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SAM_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"


def event_scope(event_type: str) -> str:
    """The scope of a SAM event type's Properties ("Events.SQS")."""
    return f"Events.{event_type}"


_URL_INVOKE_MODE = ("RESPONSE_STREAM sends a Node.js or custom runtime's streamed response "
                    "as it comes (docs/runtime.md); other runtimes' responses are whole, named "
                    "at start-up")

# Function properties SAM and CloudFormation share, by their common name.
_FUNCTION_RUNS: Mapping[str, str] = {
    "Architectures": "picks the arm64 or x86_64 Lambda image (Docker); a process runs on "
                     "your machine's architecture (said at start-up when it differs)",
    "EphemeralStorage": "the size of /tmp: capped in Docker; a process reports going over it",
    "Environment": "environment variables (overridden by --env-vars)",
    "FunctionName": "the name the Invoke API, ARNs and AWS_LAMBDA_FUNCTION_NAME use",
    "Handler": "the module and function (or executable) the runtime loop calls",
    "ImageConfig": "Command, EntryPoint and WorkingDirectory of an Image function (Docker)",
    "Layers": "layers of this template are put on the path (/opt); layer ARNs are not fetched",
    "Role": "the function's identity on the local endpoint: the role's policies (a role of "
            "this template) decide its AWS calls (--iam, docs/iam.md); a role from elsewhere "
            "allows every call, named at start-up",
    "MemorySize": "reported to the function; an invocation past it fails as Lambda's does",
    "PackageType": "Image functions run in Docker from their image; Zip from CodeUri",
    "ReservedConcurrentExecutions": "concurrent invocations past it are throttled",
    "Runtime": "the local interpreter (process) or Lambda base image (Docker) to use",
    "TenancyConfig": "PER_TENANT: an invoke needs a TenantId (refused without one, as Lambda "
                     "refuses it), which reaches context.tenant_id; each tenant gets "
                     "execution environments of its own; a REST API's Lambda proxy passes "
                     "what its integration maps to X-Amz-Tenant-Id",
    "Timeout": "an invocation past it is stopped with Lambda's timeout error",
}

_FUNCTION_NOT_RUN: Mapping[str, str] = {
    "FileSystemConfigs": "no EFS mounts locally; named at start-up",
    "KmsKeyArn": "environment variables are not encrypted locally",
    "LoggingConfig": "logs go to your terminal, not CloudWatch Logs",
    "RecursiveLoop": "recursion is not detected locally",
    "SnapStart": "every cold start is a plain start; named at start-up",
    "VpcConfig": "functions reach the network from your machine; named at start-up",
}

# A schedule's target invocation fails when Lambda refuses the Invoke call (the function is
# gone, the Input too large, a throttle), as sources/schedule_failures.py follows.
_SCHEDULE_FAILURES: Mapping[str, str] = {
    "DeadLetterConfig": "Arn: an invocation Lambda refuses (a function gone after a reload, "
                        "an Input too large, a throttle) goes to this queue with "
                        "EventBridge's or Scheduler's error attributes",
    "RetryPolicy": "throttles and service errors are retried until MaximumRetryAttempts or "
                   "MaximumEventAgeInSeconds runs out (defaults 185 and 86400); other "
                   "refusals go to the dead-letter queue at once",
}

# A SAM EventBridgeRule / CloudWatchEvent event: the rule SAM makes, with the function as target.
_RULE_EVENT_RUNS: Mapping[str, str] = {
    "DeadLetterConfig": "Arn: events the target cannot take go to this queue (Type: SQS, "
                        "the queue SAM would make, is not made)",
    "EventBusName": "the bus whose events the rule sees (default: the default bus)",
    "Input": "JSON sent instead of the event",
    "InputPath": "the part of the event sent",
    "InputTransformer": "InputPathsMap and InputTemplate, with EventBridge's quoting",
    "Pattern": "the event pattern (every EventBridge operator)",
    "State": "a DISABLED rule does not match",
    "Target": "Id, the target id",
}

RUNS_LOCALLY: Mapping[str, Mapping[str, str]] = {
    SAM_FUNCTION: {
        **_FUNCTION_RUNS,
        "AutoPublishAlias": "version 1 and the alias at start, a new version on each reload; "
                            "Invoke's Qualifier, the context's ARN and "
                            "AWS_LAMBDA_FUNCTION_VERSION follow it; every event source "
                            "invokes the alias, as SAM wires it",
        "CodeUri": "the local folder or .zip the code runs from; code in S3 is not fetched: "
                   "the function is named under Not run locally and does not run",
        "InlineCode": "written as index.<ext> in a task root of its own (Python code with "
                      "`import cfnresponse` gets the cfnresponse module, as Lambda gives it)",
        "DeadLetterQueue": "failed asynchronous events go to the queue or topic (SQS or SNS "
                           "in this template)",
        "EventInvokeConfig": "asynchronous retries, maximum event age, OnSuccess/OnFailure "
                             "destinations (SQS, SNS and Lambda in this template)",
        "Events": "each event source: see the event source table",
        "FunctionUrlConfig": "a function URL on a port of its own, with its Cors and "
                             "InvokeMode: " + _URL_INVOKE_MODE,
        "ImageUri": "the image an Image function runs (Docker)",
        "ProvisionedConcurrencyConfig": "that many environments of the alias's version are "
                                        "started ahead and kept warm",
        "Policies": "SAM policy templates, inline statements and managed policies decide the "
                    "function's AWS calls on the local endpoint (--iam, docs/iam.md); an "
                    "unknown managed policy allows every call, named at start-up",
    },
    LAMBDA_FUNCTION: {
        **_FUNCTION_RUNS,
        "Code": "a local path (as sam local reads it) or ZipFile (index.<ext>, with "
                "cfnresponse for Python) runs; S3Bucket/S3Key are not fetched: the function is "
                "named under Not run locally and does not run; ImageUri runs in Docker",
    "DeadLetterConfig": "failed asynchronous events go to the queue or topic (SQS or SNS in "
                        "this template)",
    },
    "AWS::Lambda::Version": {
        "FunctionName": "its function publishes version 1 at start and one more on each "
                        "reload; only the newest keeps its code locally",
        "ProvisionedConcurrencyConfig": "that many environments of the version are started "
                                        "ahead and kept warm",
    },
    "AWS::Lambda::Alias": {
        "FunctionName": "the function the alias belongs to",
        "FunctionVersion": "$LATEST, or the function's newest published version",
        "Name": "Invoke's Qualifier; event sources naming the alias's ARN invoke it",
        "ProvisionedConcurrencyConfig": "that many environments of the alias's version are "
                                        "started ahead and kept warm",
    },
    "AWS::Serverless::LayerVersion": {
        "ContentUri": "the local folder put on the functions' path (/opt)",
        "LayerName": "finds the layer a function's Layers names",
    },
    "AWS::Lambda::LayerVersion": {
        "Content": "a local path runs (as sam local reads it); S3Bucket/S3Key are not "
                   "fetched",
        "LayerName": "finds the layer a function's Layers names",
    },
    "AWS::Serverless::Api": {
        "Auth": "Lambda authorizers (TOKEN and REQUEST: identity sources, "
                "ValidationExpression, ReauthorizeEvery caching, the IAM policy) run before "
                "the route; Cognito ones (UserPoolArn) check the token's issuer, use, expiry "
                "and AuthorizationScopes (signatures not verified: said at start-up), claims "
                "in requestContext.authorizer.claims; AWS_IAM needs a SigV4 signature for "
                "execute-api (verified for samlite's own keys), identity in "
                "requestContext.identity; ApiKeyRequired routes need an x-api-key of the "
                "template's API keys (UsagePlan's generated key: any key; its Throttle and "
                "Quota are named as not applied); ResourcePolicy IpRangeWhitelist / "
                "IpRangeBlacklist are decided on the client's address (403 explicit deny), "
                "its VPC, account and custom statements are named as not run",
        "BinaryMediaTypes": "which bodies are base64-encoded in events and responses",
        "Cors": "preflight OPTIONS answers and CORS headers",
        "DefinitionBody": "inline OpenAPI paths become routes (see API Gateway integration "
                          "types below: aws_proxy, aws with mapping templates, mock, http, "
                          "http_proxy, SQS and S3 service integrations), with their request "
                          "validators, required parameters, body schemas and api key "
                          "security, x-amazon-apigateway-authorizer (token, request, "
                          "cognito_user_pools), awsSigv4 security and "
                          "x-amazon-apigateway-binary-media-types; an operation "
                          "that cannot be served is named as not run; Fn::Transform "
                          "AWS::Include of a local file is read (its lines in errors "
                          "and Not run locally)",
        "DefinitionUri": "a local OpenAPI file is read as an inline DefinitionBody is (SAM "
                         "adds neither Auth nor Cors to it); a file in S3 is named as not "
                         "run, its routes not served",
        "MergeDefinitions": "with it, event routes join the DefinitionBody's (an event's "
                            "operation wins); without it an Api with its own DefinitionBody "
                            "or DefinitionUri gets no event routes (named), as SAM does",
        "GatewayResponses": "the API's own errors (no route, authorizer refusals, AWS_IAM, API "
                            "key, request validation, body too large, unsupported media type, "
                            "mapping errors, integration timeout and failure, Lambda failures: "
                            "DEFAULT_5XX) take their StatusCode, header ResponseParameters and "
                            "ResponseTemplates ($context and $stageVariables filled in, the "
                            "rest sent as written: API Gateway runs no VTL in them; Paths and "
                            "QueryStrings are named as not run)",
        "Models": "JSON Schema (draft 4) models a RequestModel validates bodies against",
        "StageName": "the stage in the event's requestContext",
        "Variables": "stage variables in the event",
    },
    "AWS::Serverless::HttpApi": {
        "Auth": "Lambda authorizers (payload 1.0 and 2.0, simple responses, identity "
                "sources, ReauthorizeEvery caching) run before the route; JWT ones "
                "(JwtConfiguration issuer and audience, IdentitySource, AuthorizationScopes) "
                "check the token's signature against the issuer's JWKS when it can be fetched "
                "(else said at start-up), issuer, audience, exp/nbf/iat and scopes, claims in "
                "requestContext.authorizer.jwt; AWS_IAM (EnableIamAuthorizer) needs a SigV4 "
                "signature, identity in requestContext.authorizer.iam",
        "CorsConfiguration": "preflight OPTIONS answers and CORS headers; its keys take "
                             "over the OpenAPI document's x-amazon-apigateway-cors, as SAM "
                             "merges them",
        "DefinitionBody": "inline OpenAPI paths with an aws_proxy integration become routes, "
                          "as do SQS-SendMessage/ReceiveMessage/DeleteMessage/PurgeQueue "
                          "service integrations (integrationSubtype, requestParameters) and "
                          "http_proxy ones (uri, httpMethod, requestParameters); "
                          "x-amazon-apigateway-authorizer (request, jwt) and awsSigv4 "
                          "security are run; requestParameters and responseParameters "
                          "parameter mapping on Lambda, service and http_proxy "
                          "integrations; x-amazon-apigateway-cors answers preflights and "
                          "adds CORS headers; Fn::Transform AWS::Include of a local file is "
                          "read",
        "DefinitionUri": "a local OpenAPI file is read as an inline DefinitionBody is (SAM "
                         "adds neither Auth nor Cors to it); a file in S3 is named as not "
                         "run, its routes not served",
        "StageName": "the stage in the event's requestContext",
        "StageVariables": "stage variables in the event",
    },
    "AWS::ApiGateway::RestApi": {
        "BinaryMediaTypes": "which bodies are base64-encoded in events and responses",
        "Policy": "statements about anonymous execute-api:Invoke are evaluated on the "
                  "request's resource and the client's address (aws:SourceIp), 403 on a deny; "
                  "a statement with an IAM principal or another condition is named as not run",
        "Body": "inline OpenAPI paths become routes, as in a SAM DefinitionBody (every "
                "integration type below, request validators, api key security, "
                "x-amazon-apigateway-binary-media-types); the others are named as not run",
        "BodyS3Location": "a local path (as `aws cloudformation package` uploads it) is read "
                          "as Body is; a Bucket/Key in S3 is named as not run, its routes not "
                          "served",
    },
    "AWS::ApiGateway::ApiKey": {
        "Enabled": "only an enabled key is accepted (false unless set, as CloudFormation's)",
        "Value": "the x-api-key accepted on ApiKeyRequired routes; without it AWS generates "
                 "one, so any key is accepted (said at start-up)",
    },
    "AWS::ApiGateway::Resource": {
        "ParentId": "the resource's place in the path tree (the RestApi's RootResourceId is /)",
        "PathPart": "the resource's path segment, with {param} and {proxy+}",
        "RestApiId": "the RestApi the resource belongs to",
    },
    "AWS::ApiGateway::Method": {
        "ApiKeyRequired": "the route needs an x-api-key of the template's API keys (403 "
                          "Forbidden otherwise)",
        "AuthorizationScopes": "the scopes a Cognito access token must hold one of",
        "AuthorizationType": "CUSTOM and COGNITO_USER_POOLS run the AuthorizerId's "
                             "authorizer, AWS_IAM needs a SigV4 signature; an authorizer "
                             "samlite cannot run (no function of this template) is named as "
                             "not run, and the route serves",
        "AuthorizerId": "the AWS::ApiGateway::Authorizer the route runs",
        "HttpMethod": "the route's method (ANY for any)",
        "Integration": "AWS_PROXY to a function of this template, AWS (Lambda non-proxy, "
                       "SQS, S3) with RequestTemplates, PassthroughBehavior, ContentHandling, "
                       "RequestParameters and IntegrationResponses (SelectionPattern, "
                       "ResponseParameters, ResponseTemplates), MOCK, HTTP and HTTP_PROXY are "
                       "served (TimeoutInMillis too); other services and VPC links are named "
                       "as not run, and not served",
        "RequestModels": "the Model (by Ref or Name; Empty and Error built in) each content "
                         "type's body is validated against when the validator validates "
                         "bodies (400 Invalid request body)",
        "RequestParameters": "those set to true are required when the validator validates "
                             "parameters (400 Missing required request parameters)",
        "RequestValidatorId": "the RequestValidator deciding what is validated; one that is "
                              "not in this template is named as not run",
        "ResourceId": "the route's path: its Resource's, or / for the RootResourceId",
        "RestApiId": "the RestApi the route belongs to",
    },
    "AWS::ApiGateway::Authorizer": {
        "AuthorizerResultTtlInSeconds": "how long a Lambda authorizer's answer is cached",
        "AuthorizerUri": "the function of this template a TOKEN / REQUEST authorizer runs",
        "IdentitySource": "where the token or identity is (method.request.header.X, "
                          "method.request.querystring.y)",
        "IdentityValidationExpression": "a token not matching it is refused (401) without "
                                        "running the authorizer",
        "ProviderARNs": "the user pools whose tokens a COGNITO_USER_POOLS authorizer accepts "
                        "(issuer from each pool; signatures not verified: said at start-up)",
        "RestApiId": "the RestApi the authorizer belongs to",
        "Type": "TOKEN and REQUEST (Lambda) and COGNITO_USER_POOLS are run",
    },
    "AWS::ApiGatewayV2::Authorizer": {
        "ApiId": "the Api the authorizer belongs to",
        "AuthorizerPayloadFormatVersion": "the Lambda authorizer's event shape (1.0 or 2.0)",
        "AuthorizerResultTtlInSeconds": "how long a Lambda authorizer's answer is cached",
        "AuthorizerType": "REQUEST (Lambda) and JWT are run",
        "AuthorizerUri": "the function of this template a REQUEST authorizer runs",
        "EnableSimpleResponses": "the Lambda authorizer answers isAuthorized (payload 2.0)",
        "IdentitySource": "where the token or identity is ($request.header.X, "
                          "$request.querystring.y)",
        "JwtConfiguration": "Issuer and Audience a JWT must match (signature checked against "
                            "the issuer's JWKS when it can be fetched, else said at start-up)",
    },
    "AWS::ApiGateway::GatewayResponse": {
        "ResponseParameters": "gatewayresponse.header.* set from 'static' values, "
                              "method.request.header/querystring/path.*, stageVariables.* "
                              "and context.*; other destinations are named as not run",
        "ResponseTemplates": "the body ($context and $stageVariables filled in, the rest sent "
                             "as written: API Gateway runs no VTL in them)",
        "ResponseType": "which of the API's own errors it answers (DEFAULT_4XX/5XX for "
                        "every type not customized)",
        "RestApiId": "the RestApi whose errors it answers",
        "StatusCode": "the status the client gets",
    },
    "AWS::ApiGateway::Model": {
        "Name": "the name RequestModels and $ref (#/definitions/<name>) find it by",
        "RestApiId": "the RestApi whose methods can use it",
        "Schema": "the JSON Schema draft 4 bodies are validated against",
    },
    "AWS::ApiGateway::RequestValidator": {
        "RestApiId": "the RestApi whose methods can use it",
        "ValidateRequestBody": "bodies are checked against the method's model",
        "ValidateRequestParameters": "the method's required parameters must be present",
    },
    "AWS::ApiGateway::Stage": {
        "RestApiId": "the RestApi the stage serves",
        "StageName": "the stage in the event's requestContext (the first Stage of the API)",
        "Variables": "stage variables in the event",
    },
    "AWS::ApiGateway::Deployment": {
        "RestApiId": "the RestApi deployed",
        "StageDescription": "its Variables are the stage variables when no Stage is declared",
        "StageName": "the stage in the event's requestContext when no Stage is declared",
    },
    "AWS::ApiGatewayV2::Api": {
        "Body": "inline OpenAPI paths with an aws_proxy integration become routes, as do SQS "
                "service integrations and http_proxy ones; other integrations are named as "
                "not run",
        "BodyS3Location": "a local path (as `aws cloudformation package` uploads it) is read "
                          "as Body is; a Bucket/Key in S3 is named as not run, its routes not "
                          "served",
        "CorsConfiguration": "preflight OPTIONS answers and CORS headers",
        "ProtocolType": "HTTP APIs are served; WEBSOCKET ones are named as not run",
        "RouteKey": "the quick-create route's key (with Target; else $default)",
    "Target": "quick create: a route to this function with payload format 2.0",
    },
    "AWS::ApiGatewayV2::Route": {
        "ApiId": "the Api the route belongs to",
        "AuthorizationScopes": "the scopes a JWT must hold one of (403 Forbidden otherwise)",
        "AuthorizationType": "CUSTOM and JWT run the AuthorizerId's authorizer, AWS_IAM needs "
                             "a SigV4 signature; an authorizer samlite cannot run is named as "
                             "not run, and the route serves",
        "AuthorizerId": "the AWS::ApiGatewayV2::Authorizer the route runs",
        "RouteKey": "the route's method and path (\"GET /items/{id}\", \"ANY /{proxy+}\"), "
                    "or $default",
    "Target": "integrations/<IntegrationId>: the integration the route runs",
    },
    "AWS::ApiGatewayV2::Integration": {
        "ConnectionType": "INTERNET is run; VPC_LINK is named as not run, its routes not "
                          "served",
        "IntegrationMethod": "the method an HTTP_PROXY integration sends (ANY: the client's)",
        "IntegrationSubtype": "SQS-SendMessage, SQS-ReceiveMessage, SQS-DeleteMessage and "
                              "SQS-PurgeQueue call the local SQS; other subtypes are named as "
                              "not run, their routes not served",
        "IntegrationType": "AWS_PROXY (a function here, or an SQS subtype) and HTTP_PROXY are "
                           "run; other types are named as not run, and their routes not served",
        "IntegrationUri": "the function invoked (its ARN or its invocation URI), or the "
                          "HTTP_PROXY URL ({proxy} and path parameters filled in)",
        "RequestParameters": "service integrations' parameters ($request.body/header/"
                             "querystring/path, $context, $stageVariables, static values); "
                             "HTTP_PROXY's and a Lambda integration's overwrite:/append:/"
                             "remove: header and querystring mapping and overwrite:path "
                             "(before the event is built); reserved headers are named as not "
                             "run and not mapped",
        "ResponseParameters": "by the integration's status code: overwrite:statuscode and "
                              "overwrite:/append:/remove: headers from $response.header, "
                              "$response.body, $context, $stageVariables or static values; "
                              "reserved headers are named as not run and not mapped",
        "PayloadFormatVersion": "1.0 or 2.0 event shape",
        "TimeoutInMillis": "the integration timeout (503 past it)",
    },
    "AWS::ApiGatewayV2::Stage": {
        "ApiId": "the Api the stage serves",
        "StageName": "the stage in the event's requestContext (the first Stage of the Api)",
        "StageVariables": "stage variables in the event",
    },
    "AWS::S3::Bucket": {
        "BucketName": "the bucket's name on the local S3 endpoint",
        "NotificationConfiguration": "LambdaConfigurations (events, prefix/suffix filters) "
                                     "invoke functions; other targets are not run",
    },
    "AWS::SecretsManager::Secret": {
        "Description": "DescribeSecret's Description",
        "GenerateSecretString": "a password made once with GetRandomPassword's options "
                                "(PasswordLength, ExcludeCharacters, Exclude*/IncludeSpace, "
                                "RequireEachIncludedType), put under GenerateStringKey into "
                                "SecretStringTemplate; kept across restarts",
        "Name": "the secret's name on the local Secrets Manager (Ref: its ARN)",
        "SecretString": "the secret's current value (a changed template puts a new version)",
    },
    "AWS::SSM::Parameter": {
        "AllowedPattern": "PutParameter checks the value against it",
        "DataType": "kept and returned",
        "Description": "kept and returned by DescribeParameters",
        "Name": "the parameter's name on the local Parameter Store (Ref)",
        "Tier": "kept and returned",
        "Type": "String or StringList",
        "Value": "the parameter's value (a changed template puts a new version)",
    },
    "AWS::SQS::Queue": {
        "ContentBasedDeduplication": "FIFO deduplication by body",
        "DelaySeconds": "messages stay invisible that long after they are sent",
        "FifoQueue": "FIFO order and message groups",
        "MaximumMessageSize": "larger messages are refused, as SQS refuses them",
        "MessageRetentionPeriod": "older messages are dropped",
        "QueueName": "the queue's name and URL on the local SQS endpoint",
        "ReceiveMessageWaitTimeSeconds": "default long-poll wait",
        "RedrivePolicy": "messages received maxReceiveCount times move to the dead-letter queue",
        "VisibilityTimeout": "how long a received message stays invisible",
    },
    "AWS::DynamoDB::Table": {
        "AttributeDefinitions": "the key attributes' types, checked on every write",
        "BillingMode": "reported by DescribeTable; capacity is not throttled locally",
        "GlobalSecondaryIndexes": "queried and scanned like the table",
        "KeySchema": "the partition and sort key of the local table",
        "LocalSecondaryIndexes": "queried and scanned like the table",
        "ProvisionedThroughput": "reported by DescribeTable; capacity is not throttled locally",
        "SSESpecification": "reported by DescribeTable; data is not encrypted locally",
        "StreamSpecification": "StreamViewType: a local stream (GetRecords, stream event "
                               "source mappings) with the images it names",
        "TableName": "the table's name on the local endpoint (else the generated name "
                     "CloudFormation would give it)",
        "TimeToLiveSpecification": "expired items are deleted, with a REMOVE stream record "
                                   "from the DynamoDB service (userIdentity)",
    },
    "AWS::Serverless::SimpleTable": {
        "PrimaryKey": "the partition key (default id, String)",
        "ProvisionedThroughput": "reported by DescribeTable; capacity is not throttled locally",
        "SSESpecification": "reported by DescribeTable; data is not encrypted locally",
        "TableName": "the table's name on the local endpoint",
    },
    event_scope("DynamoDB"): {
        "BatchSize": "records per batch",
        "BisectBatchOnFunctionError": "a failed batch is split in two and retried",
        "DestinationConfig": "OnFailure: an SQS queue gets the on-failure record",
        "Enabled": "a disabled mapping does not read the stream",
        "FilterCriteria": "records that match no filter are skipped",
        "FunctionResponseTypes": "ReportBatchItemFailures: checkpoint at the first failure",
        "MaximumBatchingWindowInSeconds": "how long a batch is gathered",
        "MaximumRecordAgeInSeconds": "older records are discarded (or sent OnFailure)",
        "MaximumRetryAttempts": "retries of a failed batch before it is discarded",
        "ParallelizationFactor": "concurrent batches per shard, in order per partition key",
        "StartingPosition": "TRIM_HORIZON or LATEST on first start",
        "Stream": "the table stream read (a table of this template)",
    },
    "AWS::Events::Rule": {
    "EventBusName": "the bus whose events a pattern rule sees (default: the default bus)",
        "EventPattern": "events put on the bus that match it go to the targets (every "
                        "EventBridge operator)",
        "Name": "the rule's name in the ARN a scheduled event's resources carries",
        "ScheduleExpression": "rate/cron schedules fire their function targets",
    "State": "a DISABLED rule does not fire",
        "Targets": "Arn (a function, queue or topic here), Input, InputPath, "
                   "InputTransformer, SqsParameters, DeadLetterConfig; other targets are not "
                   "run (a target's RetryPolicy has nothing to retry locally: a target that "
                   "is not here fails as EventBridge's non-retriable errors do, straight to "
                   "the dead-letter queue)",
    },
    "AWS::Events::EventBus": {
        "Name": "the bus's name for PutEvents and rules",
    },
    "AWS::SNS::Topic": {
        "ContentBasedDeduplication": "FIFO topics: passed on to FIFO queue subscribers",
        "FifoTopic": "MessageGroupId required; FIFO queue subscribers get group and "
                     "deduplication ids",
        "Subscription": "Endpoint and Protocol (lambda, sqs) subscriptions",
        "TopicName": "the topic's name and ARN on the local SNS endpoint",
    },
    "AWS::SNS::Subscription": {
        "Endpoint": "the function or queue (ARN) delivered to",
        "FilterPolicy": "messages the policy rejects are not delivered",
        "FilterPolicyScope": "MessageAttributes or MessageBody",
        "Protocol": "lambda and sqs are delivered; others are named as not run",
        "RawMessageDelivery": "sqs: the message itself instead of the SNS JSON envelope",
        "RedrivePolicy": "deliveries that fail go to the dead-letter queue",
        "TopicArn": "the topic",
    },
    "AWS::Scheduler::Schedule": {
        "EndDate": "no firing after it",
        "GroupName": "the group in the ARN the event's resources carries (default: default)",
        "Name": "the name in the ARN the event's resources carries",
        "ScheduleExpression": "rate, cron and at() schedules fire the target",
        "ScheduleExpressionTimezone": "cron and at() times are in this zone",
        "StartDate": "no firing before it",
    "State": "a DISABLED schedule does not fire",
    "Target": "Arn (a function here), Input, RetryPolicy and DeadLetterConfig (an "
              "invocation Lambda refuses is retried per RetryPolicy if retryable, then sent "
              "to the queue with Scheduler's error attributes)",
    },
    "AWS::Lambda::EventSourceMapping": {
        "BatchSize": "SQS: messages per batch; DynamoDB: records per batch",
        "BisectBatchOnFunctionError": "DynamoDB: a failed batch is split in two and retried",
        "DestinationConfig": "DynamoDB: OnFailure to an SQS queue gets the on-failure record",
        "Enabled": "a disabled mapping does not poll",
        "EventSourceArn": "an SQS queue is polled, a table stream of this template is read; "
                          "other sources are not run",
        "FilterCriteria": "SQS: messages that match no filter are deleted unseen; DynamoDB: "
                          "records that match none are skipped",
        "FunctionName": "the function invoked",
        "FunctionResponseTypes": "ReportBatchItemFailures (partial batch responses)",
        "MaximumBatchingWindowInSeconds": "how long a batch is gathered",
        "MaximumRecordAgeInSeconds": "DynamoDB: older records are discarded (or sent OnFailure)",
        "MaximumRetryAttempts": "DynamoDB: retries of a failed batch",
        "ParallelizationFactor": "DynamoDB: concurrent batches per shard, in order per "
                                 "partition key",
        "ScalingConfig": "SQS: MaximumConcurrency of the poller",
        "StartingPosition": "DynamoDB: TRIM_HORIZON or LATEST on first start",
    },
    "AWS::Lambda::Url": {
        "Cors": "preflight OPTIONS answers and CORS headers",
        "InvokeMode": _URL_INVOKE_MODE,
        "Qualifier": "the alias the URL invokes",
        "TargetFunctionArn": "the function the URL invokes",
    },
    "AWS::Lambda::EventInvokeConfig": {
        "DestinationConfig": "OnSuccess/OnFailure records (SQS, SNS and Lambda in this template)",
        "FunctionName": "the function it configures",
        "MaximumEventAgeInSeconds": "older events are dropped (or sent OnFailure)",
        "MaximumRetryAttempts": "retries after a failed asynchronous invocation",
    },
    "AWS::ElasticLoadBalancingV2::TargetGroup": {
        "Name": "the name in the target group ARN the event carries",
        "TargetGroupAttributes": "lambda.multi_value_headers.enabled picks headers or "
                                 "multiValueHeaders (and the query string's) in events and "
                                 "responses",
        "TargetType": "lambda target groups are served; instance, ip and alb ones are not",
        "Targets": "the function invoked (Id: its ARN)",
    },
    "AWS::ElasticLoadBalancingV2::Listener": {
        "DefaultActions": "forward, fixed-response and redirect, when no rule matches; "
                          "authenticate-* actions and weighted forwards are named as not run",
    },
    "AWS::ElasticLoadBalancingV2::ListenerRule": {
        "Actions": "forward (to a lambda target group), fixed-response and redirect; "
                   "authenticate-* actions and forwards split over weighted target groups are "
                   "named under Not run locally",
        "Conditions": "path-pattern, host-header, http-header, http-request-method, "
                      "query-string and source-ip, with wildcards; RegexValues are named "
                      "under Not run locally and never match",
        "ListenerArn": "the listener (port) the rule belongs to",
        "Priority": "rules are tried lowest first",
    },
    event_scope("Api"): {
        "Auth": "Authorizer (NONE and AWS_IAM included) picks the API's authorizer; "
                "AuthorizationScopes are the scopes a Cognito access token must hold; "
                "ApiKeyRequired needs an x-api-key",
        "Method": "the route's method (ANY for any)",
        "Path": "the route's path, with {param} and {proxy+}",
        "RequestModel": "with ValidateBody / ValidateParameters (SAM adds a validator only "
                        "then): the JSON body is checked against the Api's Model (400 "
                        "Invalid request body)",
        "RequestParameters": "Required ones are checked when the RequestModel validates "
                             "parameters (400 Missing required request parameters)",
        "RestApiId": "the Api the route belongs to (else ServerlessRestApi)",
        "TimeoutInMillis": "the integration timeout (504 past it)",
    },
    event_scope("HttpApi"): {
        "Auth": "Authorizer (NONE and AWS_IAM included) picks the API's authorizer; "
                "AuthorizationScopes are the scopes a JWT must hold one of",
        "ApiId": "the HttpApi the route belongs to (else ServerlessHttpApi)",
        "Method": "the route's method (ANY for any; none: the $default route)",
        "Path": "the route's path, with {param} and {proxy+}",
        "PayloadFormatVersion": "1.0 or 2.0 event shape",
        "TimeoutInMillis": "the integration timeout (503 past it)",
    },
    event_scope("S3"): {
        "Bucket": "the bucket whose object events invoke the function",
        "Events": "which object events (s3:ObjectCreated:*, s3:ObjectRemoved:*, ...)",
        "Filter": "S3Key prefix and suffix rules",
    },
    event_scope("SQS"): {
        "BatchSize": "messages per batch",
        "Enabled": "a disabled mapping does not poll",
        "FilterCriteria": "messages that match no filter are deleted unseen",
        "FunctionResponseTypes": "ReportBatchItemFailures (partial batch responses)",
        "MaximumBatchingWindowInSeconds": "how long a batch is gathered",
        "Queue": "the queue polled",
        "ScalingConfig": "MaximumConcurrency of the poller",
    },
    event_scope("SNS"): {
        "FilterPolicy": "messages the policy rejects are not delivered",
        "FilterPolicyScope": "MessageAttributes or MessageBody",
        "RedrivePolicy": "deliveries that fail go to the dead-letter queue",
        "SqsSubscription": "true: a queue of its own between the topic and the function; a "
                           "map: QueueArn, BatchSize and Enabled",
        "Topic": "the topic whose messages invoke the function (asynchronously)",
    },
    event_scope("EventBridgeRule"): _RULE_EVENT_RUNS,
    event_scope("CloudWatchEvent"): {k: v for k, v in _RULE_EVENT_RUNS.items()
                                     if k not in ("DeadLetterConfig", "InputTransformer")},
    event_scope("Schedule"): {
        **_SCHEDULE_FAILURES,
        "Enabled": "a disabled schedule does not fire",
    "Input": "the event sent instead of the scheduled event",
        "Name": "the rule's name in the ARN the event's resources carries",
        "Schedule": "rate or cron expression (UTC)",
    "State": "a DISABLED schedule does not fire",
    },
    event_scope("ScheduleV2"): {
        **_SCHEDULE_FAILURES,
        "EndDate": "no firing after it",
        "GroupName": "the group in the ARN the event's resources carries (default: default)",
    "Input": "the event sent instead of the scheduled event",
        "Name": "the name in the ARN the event's resources carries",
        "ScheduleExpression": "rate, cron and at() expressions",
        "ScheduleExpressionTimezone": "cron and at() times are in this zone",
        "StartDate": "no firing before it",
    "State": "a DISABLED schedule does not fire",
    },
}

_NO_EFFECT = "no local effect"

NOT_RUN: Mapping[str, Mapping[str, str]] = {
    SAM_FUNCTION: {
        **_FUNCTION_NOT_RUN,
        "DeploymentPreference": "no gradual deployments or traffic hooks locally: the alias "
                                "moves at once; named at start-up",
        "PermissionsBoundary": "not applied: the function's calls are checked against its "
                               "policies alone (docs/iam.md)",
        "Tracing": "Active: no X-Ray traces locally; named at start-up",
    },
    LAMBDA_FUNCTION: {
        **_FUNCTION_NOT_RUN,
        "TracingConfig": "Mode Active: no X-Ray traces locally; named at start-up",
    },
    "AWS::Lambda::Alias": {
        "RoutingConfig": "weighted aliases run only FunctionVersion; named at start-up",
    },
    "AWS::Serverless::LayerVersion": {
        "CompatibleArchitectures": "read for the graph; not enforced",
        "CompatibleRuntimes": "shown by `samlite graph`; not enforced",
    },
    "AWS::SecretsManager::Secret": {
        "KmsKeyId": "secrets are not encrypted locally (kept in .samlite/ as given)",
        "ReplicaRegions": "the local Secrets Manager has one region",
    },
    "AWS::SSM::Parameter": {
        "Policies": "parameter policies (Expiration, notifications) are not enforced",
    },
    "AWS::Lambda::LayerVersion": {
        "CompatibleArchitectures": "read for the graph; not enforced",
        "CompatibleRuntimes": "shown by `samlite graph`; not enforced",
    },
    "AWS::Serverless::Api": {
        "Domain": "served on localhost",
        "MethodSettings": "throttling is not applied locally: requests are never throttled "
                          "(named at start-up)",
    },
    "AWS::Serverless::HttpApi": {
        "Domain": "served on localhost",
        "DefaultRouteSettings": "throttling is not applied locally: requests are never "
                                "throttled (named at start-up)",
        "RouteSettings": "throttling is not applied locally: requests are never throttled "
                         "(named at start-up)",
    },
    "AWS::ApiGateway::Stage": {
        "MethodSettings": "throttling is not applied locally: requests are never throttled "
                          "(named at start-up)",
    },
    "AWS::ApiGatewayV2::Stage": {
        "DefaultRouteSettings": "throttling is not applied locally: requests are never "
                                "throttled (named at start-up)",
        "RouteSettings": "throttling is not applied locally: requests are never throttled "
                         "(named at start-up)",
    },
    "AWS::SQS::Queue": {
        "DeduplicationScope": "messageGroup: deduplication stays per queue; named at start-up",
        "FifoThroughputLimit": "no local effect: queues are not throttled",
        "KmsDataKeyReusePeriodSeconds": "no local effect: messages are not encrypted at rest",
        "KmsMasterKeyId": "no local effect: messages are not encrypted at rest",
        "RedriveAllowPolicy": "kept and returned, not enforced: named at start-up",
        "SqsManagedSseEnabled": "no local effect: messages are not encrypted at rest",
        "Tags": _NO_EFFECT,
    },
    "AWS::SNS::Topic": {
        "ArchivePolicy": "messages are not archived, so nothing can be replayed; named at "
                         "start-up",
        "DataProtectionPolicy": "not applied: messages are neither audited, masked nor "
                                "denied; named at start-up",
        "DeliveryStatusLogging": "no local effect: delivery status goes to no CloudWatch Logs",
        "DisplayName": "no local effect: only SMS and email subscriptions show it, and they "
                       "are not run",
        "FifoThroughputScope": "no local effect: topics are not throttled",
        "KmsMasterKeyId": "no local effect: messages are not encrypted at rest",
        "SignatureVersion": "no local effect: messages carry SignatureVersion 1 and are not "
                            "signed with AWS's key (only HTTP/S and email endpoints check it)",
        "Tags": _NO_EFFECT,
        "TracingConfig": "Active: no X-Ray traces locally; named at start-up",
    },
    "AWS::Events::Rule": {
        "Description": _NO_EFFECT,
        "RoleArn": "IAM is not enforced locally",
        "Tags": _NO_EFFECT,
    },
    "AWS::Events::EventBus": {
        "DeadLetterConfig": "no local effect: it takes events a customer managed key cannot "
                            "decrypt, and events are not encrypted locally",
        "Description": _NO_EFFECT,
        "EventSourceName": "a partner event source sends nothing locally; named at start-up",
        "KmsKeyIdentifier": "no local effect: events are not encrypted at rest",
        "LogConfig": "no local effect: events are logged to no CloudWatch Logs",
        "Policy": "not evaluated: only this app's own account puts events locally",
        "Tags": _NO_EFFECT,
    },
    "AWS::Scheduler::Schedule": {
        "ActionAfterCompletion": "no local effect: an at() schedule fires once either way",
        "Description": _NO_EFFECT,
        "FlexibleTimeWindow": "schedules fire on time",
        "KmsKeyArn": "no local effect: the schedule's Input is not encrypted at rest",
    },
    "AWS::SNS::Subscription": {
        "DeliveryPolicy": "no local effect: only HTTP/S subscriptions use it, and they are "
                          "not run",
        "Region": "no local effect: there is one local region",
        "ReplayPolicy": "messages are not archived, so nothing is replayed; named at "
                        "start-up",
        "SubscriptionRoleArn": "no local effect: only Firehose subscriptions use it, and "
                               "they are not run",
    },
    "AWS::DynamoDB::Table": {
        "ContributorInsightsSpecification": "no local effect: no CloudWatch metrics",
        "DeletionProtectionEnabled": "not enforced: DeleteTable succeeds; named at start-up",
        "ImportSourceSpecification": "not imported: the table starts empty; named at "
                                     "start-up",
        "KinesisStreamSpecification": "no Kinesis data stream gets changes (Kinesis is not "
                                      "served); named at start-up",
        "OnDemandThroughput": "no local effect: capacity is not throttled locally",
        "PointInTimeRecoverySpecification": "no local effect: no backups are kept",
        "ResourcePolicy": "not evaluated: IAM is not enforced locally",
        "TableClass": "no local effect: it changes what storage costs",
        "Tags": _NO_EFFECT,
        "WarmThroughput": "no local effect: capacity is not throttled locally",
    },
    "AWS::S3::Bucket": {
        "AbacStatus": "not evaluated: IAM is not enforced locally",
        "AccelerateConfiguration": "no local effect: there is one local endpoint",
        "AccessControl": "not enforced: ACLs are not checked locally",
        "AnalyticsConfigurations": "no local effect: no analytics exports",
        "BucketEncryption": "no local effect: objects are not encrypted at rest",
        "CorsConfiguration": "browsers' preflights are not answered by these rules; named at "
                             "start-up",
        "IntelligentTieringConfigurations": "no local effect: one storage class locally",
        "InventoryConfigurations": "no local effect: no inventory reports",
        "LifecycleConfiguration": "objects never expire or move locally; named at start-up",
        "LoggingConfiguration": "no local effect: no access logs",
        "MetadataConfiguration": "no metadata table (S3 Tables is not served); named at "
                                 "start-up",
        "MetadataTableConfiguration": "no metadata table (S3 Tables is not served); named at "
                                      "start-up",
        "MetricsConfigurations": "no local effect: no CloudWatch metrics",
        "ObjectLockConfiguration": "retention is not applied; named at start-up",
        "ObjectLockEnabled": "object lock is not applied; named at start-up",
        "OwnershipControls": "not enforced: ACLs are not checked locally",
        "PublicAccessBlockConfiguration": "no local effect: nothing is public locally",
        "ReplicationConfiguration": "objects are not replicated; named at start-up",
        "Tags": _NO_EFFECT,
        "VersioningConfiguration": "Enabled: the bucket starts unversioned; named at "
                                   "start-up",
        "WebsiteConfiguration": "no website endpoint is served; named at start-up",
    },
    "AWS::Lambda::EventSourceMapping": {
        "SelfManagedEventSource": "read to name the source; Kafka is not run locally",
        "TumblingWindowInSeconds": "DynamoDB: windows are not run; named at start-up",
    },
    event_scope("DynamoDB"): {
        "TumblingWindowInSeconds": "windows are not run; named at start-up",
    },
    "AWS::Lambda::Url": {
        "AuthType": "AWS_IAM is not checked: `samlite up` says so at start-up",
    },
    "AWS::ElasticLoadBalancingV2::Listener": {
        "Port": "shown by `samlite graph`; locally each listener gets a port of its own",
        "Protocol": "HTTPS listeners are served over plain HTTP: named under Not run locally",
    },
    "AWS::ElasticLoadBalancingV2::ListenerRule": {
        "Transforms": "host header and URL rewrites are not applied: named under Not run "
                      "locally",
    },
    event_scope("EventBridgeRule"): {
        "RetryPolicy": "nothing to retry locally: a target that is not here fails as "
                       "EventBridge's non-retriable errors do, straight to the dead-letter "
                       "queue; the function's own asynchronous retries apply",
    },
    event_scope("Schedule"): {"Description": _NO_EFFECT},
    event_scope("ScheduleV2"): {
        "Description": _NO_EFFECT,
        "FlexibleTimeWindow": "schedules fire on time",
        "KmsKeyArn": "no local effect: the schedule's Input is not encrypted at rest",
        "OmitName": "the event's resources carry the logical id, where AWS's carry the name "
                    "CloudFormation generates",
        "PermissionsBoundary": "IAM is not enforced locally",
        "RoleArn": "IAM is not enforced locally",
    },
}

# One line per resource type on what samlite does with it as a whole.
RESOURCE_NOTES: Mapping[str, str] = {
    SAM_FUNCTION: "runs in a local process or a Docker container",
    LAMBDA_FUNCTION: "runs in a local process or a Docker container",
    "AWS::Lambda::Version": "version 1 of its function at start, a new one on each reload",
    "AWS::Lambda::Alias": "an alias Invoke's Qualifier and event sources can name",
    "AWS::Serverless::LayerVersion": "its local folder is added to functions",
    "AWS::Lambda::LayerVersion": "its local content is added to functions",
    "AWS::Serverless::Api": "REST API routes on the HTTP port (payload format 1.0)",
    "AWS::Serverless::HttpApi": "HTTP API routes on the HTTP port (payload format 2.0 or 1.0)",
    "AWS::ApiGateway::RestApi": "REST API routes on the HTTP port, as for AWS::Serverless::Api "
                                "(payload format 1.0)",
    "AWS::ApiGateway::Resource": "a path of its RestApi's routes",
    "AWS::ApiGateway::Method": "a route when its integration can be served (AWS_PROXY, AWS, "
                               "HTTP, HTTP_PROXY, MOCK)",
    "AWS::ApiGateway::ApiKey": "an x-api-key ApiKeyRequired routes accept",
    "AWS::ApiGateway::GatewayResponse": "how one type of its RestApi's own errors is "
                                        "answered",
    "AWS::ApiGateway::Model": "a body model of its RestApi's request validation",
    "AWS::ApiGateway::RequestValidator": "what its methods validate before the integration",
    "AWS::ApiGateway::Stage": "the stage name and variables of its RestApi's events",
    "AWS::ApiGateway::Authorizer": "a Lambda (TOKEN, REQUEST) or Cognito user pool authorizer "
                                   "its Methods run",
    "AWS::ApiGatewayV2::Authorizer": "a Lambda (REQUEST) or JWT authorizer its Routes run",
    "AWS::ApiGateway::Deployment": "the stage of its RestApi when no Stage is declared",
    "AWS::ApiGatewayV2::Api": "HTTP API routes on the HTTP port, as for "
                              "AWS::Serverless::HttpApi (payload format 2.0 or 1.0)",
    "AWS::ApiGatewayV2::Route": "a route when its integration is AWS_PROXY to a function here, "
                                "an SQS service integration or HTTP_PROXY",
    "AWS::ApiGatewayV2::Integration": "the function (AWS_PROXY), SQS call or proxied URL, and "
                                      "payload format of its "
                                      "routes",
    "AWS::ApiGatewayV2::Stage": "the stage name and variables of its Api's events",
    "AWS::S3::Bucket": "a bucket on the local S3 endpoint, kept under .samlite/",
    "AWS::SQS::Queue": "a queue on the local SQS endpoint, kept under .samlite/",
    "AWS::DynamoDB::Table": "a table (and its stream) on the local endpoint, kept under "
                            ".samlite/",
    "AWS::Serverless::SimpleTable": "a table on the local endpoint, kept under .samlite/",
    "AWS::SecretsManager::Secret": "a secret on the local Secrets Manager, kept under "
                                   ".samlite/",
    "AWS::SSM::Parameter": "a parameter on the local Parameter Store, kept under .samlite/",
    "AWS::Events::Rule": "schedule rules fire; event-pattern rules match PutEvents on the "
                         "local EventBridge and deliver to Lambda, SQS and SNS targets",
    "AWS::Events::EventBus": "a bus on the local EventBridge endpoint",
    "AWS::SNS::Topic": "a topic on the local SNS endpoint; lambda and sqs subscriptions "
                       "get its messages",
    "AWS::SNS::Subscription": "lambda and sqs subscriptions are delivered to",
    "AWS::Scheduler::Schedule": "fires its function target on schedule",
    "AWS::Lambda::EventSourceMapping": "SQS mappings poll, DynamoDB stream mappings read "
                                       "the table's stream; other sources are not run",
    "AWS::Lambda::Url": "a function URL on a port of its own",
    "AWS::Lambda::EventInvokeConfig": "asynchronous retries and destinations",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "a lambda target group invokes its function "
                                                "with the ALB event",
    "AWS::ElasticLoadBalancingV2::Listener": "its own local port, with its rules in priority "
                                             "order (a target group without a listener gets "
                                             "a port too)",
    "AWS::ElasticLoadBalancingV2::ListenerRule": "matched in priority order on its listener's "
                                                 "port",
    "AWS::Lambda::Permission": "validated only: permissions are not enforced locally",
    "AWS::Serverless::Application": "validated only: nested applications are not run",
    "AWS::Serverless::StateMachine": "shape only: state machines are not run",
}

# Resources whose service an app calls while it runs, and that samlite does not run: each one
# in a template is named at start-up under "Not run locally" (the service, then what happens).
_NOT_SERVED = "is not served by the local AWS endpoint (calls to it get NotImplemented)"
NOT_SERVED: Mapping[str, str] = {
    "AWS::Kinesis::Stream": f"Kinesis {_NOT_SERVED}",
    "AWS::StepFunctions::StateMachine": f"Step Functions {_NOT_SERVED}",
    "AWS::Serverless::StateMachine": f"Step Functions {_NOT_SERVED}",
    "AWS::KMS::Key": f"KMS {_NOT_SERVED}",
    "AWS::Cognito::UserPool": f"Cognito {_NOT_SERVED}",
}

# Resources samlite reads past without acting on, where AWS would act on them while the app
# runs: each one in a template is named at start-up under "Not run locally" (what differs,
# what to do). Policies: "Subscribe an Amazon SQS queue to an Amazon SNS topic", EventBridge
# "Amazon SQS permissions" and "Amazon SNS permissions".
NOT_ENFORCED: Mapping[str, str] = {
    "AWS::SQS::QueuePolicy": "not evaluated: SNS topics and EventBridge rules deliver to its "
                             "queues whether it allows them or not, where AWS drops what it "
                             "does not allow; `samlite validate` warns (W4006) about a "
                             "subscription or rule target no queue policy allows",
    "AWS::SNS::TopicPolicy": "not evaluated: EventBridge rules and S3 notifications publish "
                             "to its topics whether it allows them or not, where AWS drops "
                             "what it does not allow; check it allows events.amazonaws.com / "
                             "s3.amazonaws.com sns:Publish",
}


# API Gateway's integration types and authorizer kinds, each with what samlite does with it.
# docs/up.md's "API Gateway" table has a row for each (tests/cli/test_docs_gen.py checks it);
# when a kind starts to run locally, change it here and there.
@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayKind:
    name: str       # as docs/up.md's table names it
    apis: str       # "REST", "HTTP" or "REST, HTTP"
    runs: bool
    note: str


GATEWAY_INTEGRATIONS: tuple[GatewayKind, ...] = (
    GatewayKind(name="Lambda proxy integration", apis="REST, HTTP", runs=True,
                note="aws_proxy / AWS_PROXY to a function of the template: payload 1.0 "
                     "(REST), 2.0 or 1.0 (HTTP)"),
    GatewayKind(name="Lambda non-proxy integration, mapping templates", apis="REST",
                runs=True, note="type: aws to a function: the request template for the "
                                "Content-Type (Velocity, with $input, $util, $context, "
                                "$stageVariables) is the event; passthroughBehavior, "
                                "contentHandling; a function error's errorMessage picks the "
                                "response by selectionPattern, else the default (200 unless "
                                "it says otherwise); responseParameters, responseTemplates, "
                                "$context.responseOverride"),
    GatewayKind(name="AWS service integration, SQS and S3", apis="REST", runs=True,
                note="type: aws to sqs:path/<account>/<queue>, sqs:action/<Action> or "
                     "s3:path/<bucket>/<key>: the local SQS or S3 is called with the mapped "
                     "request; its status code picks the response"),
    GatewayKind(name="AWS service integration, other services", apis="REST", runs=False,
                note="type: aws to another arn:aws:apigateway service URI: the route is not "
                     "served"),
    GatewayKind(name="AWS service integration, SQS subtypes", apis="HTTP", runs=True,
                note="SQS-SendMessage, -ReceiveMessage, -DeleteMessage and -PurgeQueue call "
                     "the local SQS, with requestParameters"),
    GatewayKind(name="AWS service integration, EventBridge-PutEvents", apis="HTTP", runs=True,
                note="puts one event (Source, DetailType, Detail, EventBusName, Time, "
                     "Resources from requestParameters) on the local EventBridge"),
    GatewayKind(name="AWS service integration, other subtypes", apis="HTTP", runs=False,
                note="Kinesis, Step Functions, AppConfig: the route is not "
                     "served"),
    GatewayKind(name="HTTP proxy integration", apis="HTTP", runs=True,
                note="HTTP_PROXY forwards to the URL, with parameter mapping"),
    GatewayKind(name="HTTP proxy and HTTP integrations", apis="REST", runs=True,
                note="type: http_proxy forwards the request whole ({proxy} and path "
                     "parameters from requestParameters); type: http sends only what "
                     "requestParameters and the request template map, and maps the answer "
                     "back through the response its status code picks"),
    GatewayKind(name="Mock integration", apis="REST", runs=True,
                note="type: mock: the request template's statusCode picks the response; its "
                     "template renders the body"),
    GatewayKind(name="Private integration", apis="REST, HTTP", runs=False,
                note="ConnectionType VPC_LINK: the route is not served"),
)

GATEWAY_AUTHORIZERS: tuple[GatewayKind, ...] = (
    GatewayKind(name="Lambda authorizer, TOKEN and REQUEST", apis="REST", runs=True,
                note="identity sources, ValidationExpression, the IAM policy, caching by "
                     "ReauthorizeEvery"),
    GatewayKind(name="Lambda authorizer, payload 1.0 and 2.0, simple responses", apis="HTTP",
                runs=True, note="identity sources, simple responses, caching by "
                                "ReauthorizeEvery"),
    GatewayKind(name="JWT authorizer", apis="HTTP", runs=True,
                note="issuer, audience, expiry and scopes; signatures against the issuer's "
                     "JWKS when it answers, else said at start-up"),
    GatewayKind(name="Cognito user pool authorizer", apis="REST", runs=True,
                note="issuer, audience or client_id, expiry and scopes; signatures are not "
                     "verified (said at start-up)"),
    GatewayKind(name="`AWS_IAM` authorization", apis="REST, HTTP", runs=True,
                note="SigV4 for execute-api; signatures verified for samlite's own keys, "
                     "IAM policies not evaluated (said at start-up)"),
)
