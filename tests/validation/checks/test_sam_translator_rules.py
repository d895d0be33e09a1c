"""SAM translator rules samlite had not enforced (issue 17, point 4): one small template per
rule, written from the rule, and the problem a user sees. The templates SAM accepts that sit
next to a rule are in CLEAN, so a rule cannot pass by refusing everything."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from samlite.errors import Problem
from samlite.template.load import parse_template
from samlite.validation.checks.context import CheckContext
from samlite.validation.checks.sam_rules import CHECKS

PARAMETERS = """
Parameters:
  Alias:
    Type: String
    Default: live
  Stage:
    Type: String
"""


def problems(tmp_path: Path, text: str) -> list[Problem]:
    loaded = parse_template(text, name="template.yaml")
    ctx = CheckContext(loaded=loaded, resolved=None, project_dir=tmp_path)
    return [p for check in CHECKS for p in check(ctx) if p.is_error or p.code == "W7101"]


def fn(extra: str = "", *, after: str = "", code: str = "CodeUri: s3://bucket/key") -> str:
    """One function `Fn` (Properties extended by `extra`), then the resources in `after`."""
    props = textwrap.indent(f"{code}\nHandler: app.handler\nRuntime: python3.12\n"
                            + textwrap.dedent(extra), " " * 6)
    return (f"{PARAMETERS}Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
            f"    Properties:\n{props}\n{after}")


def events(body: str, *, after: str = "") -> str:
    """`Fn` with the Events `body` (YAML under Events:)."""
    return fn("Events:\n" + textwrap.indent(textwrap.dedent(body), "  "), after=after)


def api(props: str, kind: str = "Api") -> str:
    """One AWS::Serverless::<kind> `A` whose Properties are `props`."""
    body = textwrap.indent(textwrap.dedent(props), " " * 6)
    return f"Resources:\n  A:\n    Type: AWS::Serverless::{kind}\n    Properties:\n{body}\n"


def http_api(props: str) -> str:
    return api(props, "HttpApi")


P = "Resources.Fn.Properties"
E = f"{P}.Events.E.Properties"
A = "Resources.A.Properties"
URI = "DefinitionUri: s3://bucket/api.yaml"

# (rule, template, code, path)
RULES = [
    # -- function (sam_function_rules.py)
    ("alias-name-with-a-dot", fn("AutoPublishAlias: my.alias"), "E7114", f"{P}.AutoPublishAlias"),
    ("alias-name-all-digits", fn("AutoPublishAlias: '2024'"), "E7114", f"{P}.AutoPublishAlias"),
    ("alias-name-from-parameter-default-with-space",
     fn("AutoPublishAlias: !Ref Alias").replace("Default: live", "Default: my alias"),
     "E7114", f"{P}.AutoPublishAlias"),
    ("alias-from-sub", fn("AutoPublishAlias: !Sub '${Alias}-x'"), "E7115", f"{P}.AutoPublishAlias"),
    ("provisioned-concurrency-without-alias",
     fn("ProvisionedConcurrencyConfig:\n  ProvisionedConcurrentExecutions: 2"),
     "E7116", f"{P}.ProvisionedConcurrencyConfig"),
    ("code-sha256-not-a-string",
     fn("AutoPublishAlias: live\nAutoPublishCodeSha256: !GetAtt Fn.Arn"),
     "E7117", f"{P}.AutoPublishCodeSha256"),
    ("tenancy-with-provisioned-concurrency",
     fn("AutoPublishAlias: live\nTenancyConfig: {TenantIsolationMode: PER_TENANT}\n"
        "ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 1}"),
     "E7112", f"{P}.ProvisionedConcurrencyConfig"),
    ("tenancy-with-function-url",
     fn("TenancyConfig: {TenantIsolationMode: PER_TENANT}\nFunctionUrlConfig: {AuthType: NONE}"),
     "E7112", f"{P}.FunctionUrlConfig"),
    ("tenancy-with-snapstart",
     fn("TenancyConfig: {TenantIsolationMode: PER_TENANT}\n"
        "SnapStart: {ApplyOn: PublishedVersions}"), "E7112", f"{P}.SnapStart"),
    ("image-function-with-handler",
     fn("PackageType: Image\nImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1",
        code="Description: image"), "E7118", f"{P}.Handler"),
    ("zip-function-with-image-config",
     fn("ImageConfig: {Command: [app.handler]}"), "E7119", f"{P}.ImageConfig"),
    ("deployment-preference-without-type",
     fn("AutoPublishAlias: live\nDeploymentPreference: {Enabled: true}"),
     "E7120", f"{P}.DeploymentPreference"),
    ("deployment-preference-alarms-not-a-list",
     fn("AutoPublishAlias: live\nDeploymentPreference: {Type: AllAtOnce, Alarms: !Ref Alarm}"),
     "E7120", f"{P}.DeploymentPreference.Alarms"),
    ("deployment-preference-passthrough-condition-intrinsic",
     fn("AutoPublishAlias: live\nDeploymentPreference: {Type: AllAtOnce,"
        " PassthroughCondition: !Equals [a, a]}"),
     "E7120", f"{P}.DeploymentPreference.PassthroughCondition"),
    ("dead-letter-queue-target-empty",
     fn("DeadLetterQueue: {Type: SQS, TargetArn: ''}"), "E7109",
     f"{P}.DeadLetterQueue.TargetArn"),
    ("reserved-tag-key", fn("Tags: {'lambda:createdBy': me}"), "E7121",
     f"{P}.Tags.lambda:createdBy"),
    ("code-uri-s3-scheme-with-one-slash", fn(code="CodeUri: s3:/bucket/key"), "E7107",
     f"{P}.CodeUri"),
    ("code-uri-bucket-empty", fn(code="CodeUri: {Bucket: '', Key: app.zip}"), "E7107",
     f"{P}.CodeUri"),
    ("code-uri-intrinsic", fn(code="CodeUri: !Sub 's3://bucket/${Stage}.zip'"), "E7107",
     f"{P}.CodeUri"),
    ("code-uri-number", fn(code="CodeUri: 12"), "E7107", f"{P}.CodeUri"),
    ("layer-without-content-uri-is-a-warning",
     "Resources:\n  L:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n"
     "      LayerName: shared\n", "W7101", "Resources.L.Properties"),
    # -- policies (sam_policy_rules.py)
    ("policy-if-mixes-managed-and-document",
     fn("Policies:\n  - !If [IsProd, AWSLambdaBasicExecutionRole,"
        " {Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]}]")
     .replace("Resources:", "Conditions:\n  IsProd: !Equals [a, a]\nResources:"),
     "E7110", f"{P}.Policies[0]"),
    ("policy-template-unknown", fn("Policies:\n  - QueuePollerPolicy: {QueueName: q}"),
     "E7110", f"{P}.Policies[0]"),
    ("policy-template-missing-parameter", fn("Policies:\n  - SQSPollerPolicy: {Queue: q}"),
     "E7122", f"{P}.Policies[0]"),
    ("policy-template-without-values", fn("Policies:\n  - SQSPollerPolicy:"),
     "E7122", f"{P}.Policies[0]"),
    # -- events (sam_event_rules.py)
    ("cloudwatch-event-state-and-enabled",
     events("E:\n  Type: CloudWatchEvent\n  Properties:\n    Pattern: {source: [app]}\n"
            "    State: ENABLED\n    Enabled: true"), "E7302", f"{E}.Enabled"),
    ("eventbridge-rule-dlq-arn-and-type",
     events("E:\n  Type: EventBridgeRule\n  Properties:\n    Pattern: {source: [app]}\n"
            "    DeadLetterConfig: {Arn: arn:aws:sqs:us-east-1:1:dlq, Type: SQS}"),
     "E7303", f"{E}.DeadLetterConfig"),
    ("sns-sqs-subscription-without-queue-url",
     events("E:\n  Type: SNS\n  Properties:\n    Topic: arn:aws:sns:us-east-1:1:t\n"
            "    SqsSubscription: {QueueArn: arn:aws:sqs:us-east-1:1:q}"),
     "E7307", f"{E}.SqsSubscription"),
    ("cognito-pool-outside-the-template",
     events("E:\n  Type: Cognito\n  Properties:\n"
            "    UserPool: arn:aws:cognito-idp:us-east-1:1:userpool/x\n    Trigger: PreSignUp"),
     "E7308", f"{E}.UserPool"),
    ("cognito-trigger-twice",
     events("E:\n  Type: Cognito\n  Properties:\n    UserPool: !Ref Pool\n"
            "    Trigger: [PreSignUp, PreSignUp]",
            after="  Pool:\n    Type: AWS::Cognito::UserPool\n"), "E7308", f"{E}.Trigger"),
    ("stream-on-failure-type-lambda",
     events("E:\n  Type: Kinesis\n  Properties:\n"
            "    Stream: arn:aws:kinesis:us-east-1:1:stream/s\n    StartingPosition: LATEST\n"
            "    DestinationConfig: {OnFailure: {Type: Lambda, Destination: arn:x}}"),
     "E7309", f"{E}.DestinationConfig.OnFailure.Type"),
    ("mq-access-type-unknown",
     events("E:\n  Type: MQ\n  Properties:\n    Broker: arn:x\n    Queues: [q]\n"
            "    SourceAccessConfigurations: [{Type: SASL_SCRAM_512_AUTH, URI: arn:s}]"),
     "E7310", f"{E}.SourceAccessConfigurations"),
    ("mq-basic-auth-twice",
     events("E:\n  Type: MQ\n  Properties:\n    Broker: arn:x\n    Queues: [q]\n"
            "    SourceAccessConfigurations: [{Type: BASIC_AUTH, URI: arn:a},"
            " {Type: BASIC_AUTH, URI: arn:b}]"), "E7310", f"{E}.SourceAccessConfigurations"),
    ("documentdb-basic-auth-without-uri",
     events("E:\n  Type: DocumentDB\n  Properties:\n    Cluster: arn:x\n"
            "    DatabaseName: d\n    StartingPosition: LATEST\n"
            "    SourceAccessConfigurations: [{Type: BASIC_AUTH}]"),
     "E7310", f"{E}.SourceAccessConfigurations"),
    ("kafka-vpc-subnet-without-security-group",
     events("E:\n  Type: SelfManagedKafka\n  Properties:\n"
            "    KafkaBootstrapServers: [b:9092]\n    Topics: [t]\n"
            "    SourceAccessConfigurations: [{Type: VPC_SUBNET, URI: subnet:s}]"),
     "E7310", f"{E}.SourceAccessConfigurations"),
    ("kafka-two-auth-mechanisms",
     events("E:\n  Type: SelfManagedKafka\n  Properties:\n"
            "    KafkaBootstrapServers: [b:9092]\n    Topics: [t]\n"
            "    SourceAccessConfigurations: [{Type: BASIC_AUTH, URI: arn:a},"
            " {Type: SASL_SCRAM_512_AUTH, URI: arn:b}]"),
     "E7310", f"{E}.SourceAccessConfigurations"),
    ("kafka-access-uri-not-a-string",
     events("E:\n  Type: SelfManagedKafka\n  Properties:\n"
            "    KafkaBootstrapServers: [b:9092]\n    Topics: [t]\n"
            "    SourceAccessConfigurations: [{Type: BASIC_AUTH, URI: [arn:a]}]"),
     "E7310", f"{E}.SourceAccessConfigurations"),
    # -- Api and HttpApi events (sam_api_event_rules.py)
    ("api-event-path-intrinsic",
     events("E:\n  Type: Api\n  Properties: {Path: !Sub '/${Stage}', Method: get}"),
     "E7404", f"{E}.Path"),
    ("api-event-request-model-api-has-no-models",
     events("E:\n  Type: Api\n  Properties: {Path: /, Method: post, RestApiId: !Ref Api,"
            " RequestModel: {Model: User}}",
            after="  Api:\n    Type: AWS::Serverless::Api\n    Properties: {StageName: v1}\n"),
     "E7420", f"{E}.RequestModel.Model"),
    ("api-event-request-model-not-in-models",
     events("E:\n  Type: Api\n  Properties: {Path: /, Method: post, RestApiId: !Ref Api,"
            " RequestModel: {Model: User}}",
            after="  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n"
                  "      StageName: v1\n      Models: {Order: {type: object}}\n"),
     "E7420", f"{E}.RequestModel.Model"),
    ("api-event-override-auth-with-nothing",
     events("E:\n  Type: Api\n  Properties: {Path: /, Method: get, RestApiId: !Ref Api,"
            " Auth: {OverrideApiAuth: true}}",
            after="  Api:\n    Type: AWS::Serverless::Api\n    Properties: {StageName: v1}\n"),
     "E7421", f"{E}.Auth.OverrideApiAuth"),
    ("api-event-api-key-not-required-on-api-without-keys",
     events("E:\n  Type: Api\n  Properties: {Path: /, Method: get,"
            " Auth: {ApiKeyRequired: false}}"), "E7422", f"{E}.Auth.ApiKeyRequired"),
    ("http-api-event-auth-without-authorizer",
     events("E:\n  Type: HttpApi\n  Properties: {Path: /, Method: get,"
            " Auth: {AuthorizationScopes: [read]}}"), "E7412", f"{E}.Auth"),
    # -- Api and HttpApi settings (sam_api_settings.py) and authorizers (sam_api_rules.py)
    ("api-gateway-responses-with-definition-uri",
     api(f"StageName: v1\n{URI}\nGatewayResponses: {{DEFAULT_4XX: {{StatusCode: 400}}}}"),
     "E7409", f"{A}.GatewayResponses"),
    ("api-models-with-definition-uri",
     api(f"StageName: v1\n{URI}\nModels: {{User: {{type: object}}}}"), "E7409", f"{A}.Models"),
    ("api-disable-execute-endpoint-with-definition-uri",
     api(f"StageName: v1\n{URI}\nDisableExecuteApiEndpoint: false"),
     "E7409", f"{A}.DisableExecuteApiEndpoint"),
    ("api-merge-definitions-with-definition-uri",
     api(f"StageName: v1\n{URI}\nMergeDefinitions: true"), "E7409", f"{A}.MergeDefinitions"),
    ("http-api-tags-with-definition-uri", http_api(f"{URI}\nTags: {{team: a}}"),
     "E7409", f"{A}.Tags"),
    ("http-api-description-in-body-too",
     http_api("Description: mine\nDefinitionBody: {openapi: '3.0', info: {title: t,"
              " description: theirs}, paths: {}}"), "E7425", f"{A}.Description"),
    ("http-api-name-with-body-title",
     http_api("Name: mine\nDefinitionBody: {openapi: '3.0', info: {title: theirs}, paths: {}}"),
     "E7425", f"{A}.Name"),
    ("api-domain-endpoint-unknown",
     api("StageName: v1\nDomain: {DomainName: a.example.com, CertificateArn: arn:c,"
         " EndpointConfiguration: GLOBAL}"), "E7423", f"{A}.Domain.EndpointConfiguration"),
    ("http-api-domain-edge-endpoint",
     http_api("Domain: {DomainName: a.example.com, CertificateArn: arn:c,"
              " EndpointConfiguration: EDGE}"), "E7423", f"{A}.Domain.EndpointConfiguration"),
    ("api-domain-mutual-tls-unknown-key",
     api("StageName: v1\nDomain: {DomainName: a.example.com, CertificateArn: arn:c,"
         " MutualTlsAuthentication: {TruststoreUrl: s3://b/k}}"),
     "E7423", f"{A}.Domain.MutualTlsAuthentication"),
    ("api-domain-route53-without-zone",
     api("StageName: v1\nDomain: {DomainName: a.example.com, CertificateArn: arn:c,"
         " Route53: {EvaluateTargetHealth: true}}"), "E7423", f"{A}.Domain.Route53"),
    ("api-auth-unknown-key", api("StageName: v1\nAuth: {DefaultAuthoriser: Mine}"),
     "E7424", f"{A}.Auth.DefaultAuthoriser"),
    ("http-api-auth-rest-only-key", http_api("Auth: {ApiKeyRequired: true}"),
     "E7424", f"{A}.Auth.ApiKeyRequired"),
    ("api-usage-plan-not-a-map", api("StageName: v1\nAuth: {UsagePlan: [PER_API]}"),
     "E7424", f"{A}.Auth.UsagePlan"),
    ("api-usage-plan-without-create", api("StageName: v1\nAuth: {UsagePlan: {Description: d}}"),
     "E7424", f"{A}.Auth.UsagePlan"),
    ("api-usage-plan-create-unknown",
     api("StageName: v1\nAuth: {UsagePlan: {CreateUsagePlan: ALWAYS}}"),
     "E7424", f"{A}.Auth.UsagePlan.CreateUsagePlan"),
    ("api-gateway-response-intrinsic",
     api("StageName: v1\nGatewayResponses: {DEFAULT_4XX: !Ref Response}"),
     "E7413", f"{A}.GatewayResponses.DEFAULT_4XX"),
    ("api-gateway-response-unknown-key",
     api("StageName: v1\nGatewayResponses: {DEFAULT_4XX: {Status: 400}}"),
     "E7413", f"{A}.GatewayResponses.DEFAULT_4XX.Status"),
    ("api-gateway-response-parameter-kind",
     api("StageName: v1\nGatewayResponses: {DEFAULT_4XX: {ResponseParameters:"
         " {Cookies: {a: b}}}}"), "E7413",
     f"{A}.GatewayResponses.DEFAULT_4XX.ResponseParameters.Cookies"),
    ("api-vpc-endpoint-ids-twice",
     api("StageName: v1\nEndpointConfiguration: {Type: PRIVATE, VPCEndpointIds: [a],"
         " VpcEndpointIds: [b]}"), "E7426", f"{A}.EndpointConfiguration"),
    ("api-models-with-unreadable-body",
     api("StageName: v1\nModels: {User: {type: object}}\n"
         "DefinitionBody: {info: {title: t}, paths: {}}"), "E7411", f"{A}.DefinitionBody"),
    ("api-cors-with-unreadable-body",
     api("StageName: v1\nCors: \"'*'\"\nDefinitionBody: {info: {title: t}, paths: {}}"),
     "E7411", f"{A}.DefinitionBody"),
    ("http-api-tags-with-unreadable-body",
     http_api("Tags: {team: a}\nDefinitionBody: {info: {title: t}, paths: {}}"),
     "E7411", f"{A}.DefinitionBody"),
    ("api-without-stage-name", api("Description: no stage"), "E7427", A),
    ("api-cors-a-number", api("StageName: v1\nCors: 5"), "E7408", f"{A}.Cors"),
    ("http-api-body-tags-not-a-list",
     http_api("Tags: {team: a}\nDefinitionBody: {openapi: '3.0', info: {title: t}, paths: {},"
              " tags: team}"), "E7411", f"{A}.DefinitionBody.tags"),
    ("http-api-body-cors-extension-not-a-map",
     http_api("CorsConfiguration: true\nDefinitionBody: {openapi: '3.0', info: {title: t},"
              " paths: {}, x-amazon-apigateway-cors: '*'}"),
     "E7411", f"{A}.DefinitionBody.x-amazon-apigateway-cors"),
    ("http-api-body-security-not-a-list-where-an-event-adds-auth",
     events("E:\n  Type: HttpApi\n  Properties: {ApiId: !Ref A, Path: /x, Method: get,"
            " Auth: {Authorizer: J}}",
            after="  A:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n"
                  "      Auth: {Authorizers: {J: {JwtConfiguration: {issuer: 'https://i'},"
                  " IdentitySource: $request.header.A}}}\n"
                  "      DefinitionBody: {openapi: '3.0', info: {title: t},"
                  " paths: {/x: {get: {security: open}}}}\n"),
     "E7411", f"{A}.DefinitionBody.paths./x.get.security"),
    ("api-default-authorizer-not-a-string",
     api("StageName: v1\nAuth: {DefaultAuthorizer: [L], Authorizers: {L: {FunctionArn: arn:f}}}"),
     "E7412", f"{A}.Auth.DefaultAuthorizer"),
    ("api-authorizer-not-a-map", api("StageName: v1\nAuth: {Authorizers: {L: arn:f}}"),
     "E7412", f"{A}.Auth.Authorizers.L"),
    ("api-authorizer-identity-not-a-map",
     api("StageName: v1\nAuth: {Authorizers: {L: {FunctionArn: arn:f, Identity: Authorization}}}"),
     "E7412", f"{A}.Auth.Authorizers.L.Identity"),
    ("http-jwt-authorizer-without-identity-source",
     http_api("Auth: {Authorizers: {J: {JwtConfiguration: {issuer: 'https://i'}}}}"),
     "E7412", f"{A}.Auth.Authorizers.J"),
    ("http-jwt-authorizer-with-lambda-property",
     http_api("Auth: {Authorizers: {J: {JwtConfiguration: {issuer: 'https://i'},"
              " IdentitySource: $request.header.A, EnableSimpleResponses: true}}}"),
     "E7412", f"{A}.Auth.Authorizers.J"),
    ("http-lambda-authorizer-with-identity-source",
     http_api("Auth: {Authorizers: {L: {FunctionArn: arn:f, AuthorizerPayloadFormatVersion: '2.0',"
              " IdentitySource: $request.header.A}}}"), "E7412", f"{A}.Auth.Authorizers.L"),
    ("http-authorizer-scopes-not-a-list",
     http_api("Auth: {Authorizers: {J: {JwtConfiguration: {issuer: 'https://i'},"
              " IdentitySource: $request.header.A, AuthorizationScopes: read}}}"),
     "E7412", f"{A}.Auth.Authorizers.J"),
]

CLEAN = [
    ("alias-with-dash-and-underscore", fn("AutoPublishAlias: live-2_a")),
    ("alias-from-parameter", fn("AutoPublishAlias: !Ref Alias")),
    ("alias-from-parameter-without-default", fn("AutoPublishAlias: !Ref Stage")),
    ("provisioned-concurrency-with-alias",
     fn("AutoPublishAlias: live\nProvisionedConcurrencyConfig:\n"
        "  ProvisionedConcurrentExecutions: 2")),
    ("disabled-deployment-preference-without-type",
     fn("AutoPublishAlias: live\nDeploymentPreference: {Enabled: false}")),
    ("deployment-preference-alarms-by-condition",
     fn("AutoPublishAlias: live\nDeploymentPreference: {Type: AllAtOnce,"
        " Alarms: !If [IsProd, [a], [b]], PassthroughCondition: true}")
     .replace("Resources:", "Conditions:\n  IsProd: !Equals [a, a]\nResources:")),
    ("code-uri-uppercase-s3-scheme", fn(code="CodeUri: S3://bucket/key")),
    ("code-uri-with-version", fn(code="CodeUri: s3://bucket/key?versionId=3")),
    ("code-uri-local-folder", fn(code="CodeUri: src/")),
    ("policy-template-without-parameters", fn("Policies:\n  - CloudWatchPutMetricPolicy: {}")),
    ("policy-if-template-or-nothing",
     fn("Policies:\n  - !If [IsProd, {SQSPollerPolicy: {QueueName: q}}, !Ref AWS::NoValue]")
     .replace("Resources:", "Conditions:\n  IsProd: !Equals [a, a]\nResources:")),
    ("sns-sqs-subscription-created-by-sam",
     events("E:\n  Type: SNS\n  Properties:\n    Topic: arn:aws:sns:us-east-1:1:t\n"
            "    SqsSubscription: true")),
    ("cognito-two-triggers-on-one-pool",
     events("E:\n  Type: Cognito\n  Properties: {UserPool: !Ref Pool, Trigger: PreSignUp}\n"
            "F:\n  Type: Cognito\n  Properties: {UserPool: !Ref Pool, Trigger: PostConfirmation}",
            after="  Pool:\n    Type: AWS::Cognito::UserPool\n")),
    ("mq-basic-auth-and-virtual-host",
     events("E:\n  Type: MQ\n  Properties:\n    Broker: arn:x\n    Queues: [q]\n"
            "    SourceAccessConfigurations: [{Type: BASIC_AUTH, URI: arn:a},"
            " {Type: VIRTUAL_HOST, URI: /vh}]")),
    ("kafka-auth-with-vpc-pair",
     events("E:\n  Type: SelfManagedKafka\n  Properties:\n"
            "    KafkaBootstrapServers: [b:9092]\n    Topics: [t]\n"
            "    SourceAccessConfigurations: [{Type: BASIC_AUTH, URI: arn:a},"
            " {Type: VPC_SUBNET, URI: subnet:s}, {Type: VPC_SECURITY_GROUP, URI: sg:g}]")),
    ("api-event-request-model-in-models",
     events("E:\n  Type: Api\n  Properties: {Path: /, Method: post, RestApiId: !Ref Api,"
            " RequestModel: {Model: User}}",
            after="  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n"
                  "      StageName: v1\n      Models: {User: {type: object}}\n")),
    ("http-api-event-auth-with-default-authorizer",
     events("E:\n  Type: HttpApi\n  Properties: {ApiId: !Ref Http, Path: /, Method: get,"
            " Auth: {AuthorizationScopes: [read]}}",
            after="  Http:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n"
                  "      Auth:\n        DefaultAuthorizer: Jwt\n        Authorizers:\n"
                  "          Jwt: {JwtConfiguration: {issuer: 'https://i'},"
                  " IdentitySource: $request.header.Authorization}\n")),
    ("api-definition-uri-alone", api(f"StageName: v1\n{URI}")),
    ("api-stage-name-from-parameter", PARAMETERS + api("StageName: !Ref Stage")),
    ("http-api-name-with-body-default-title",
     http_api("Name: mine\nDefinitionBody: {openapi: '3.0', info: {title: !Ref AWS::StackName},"
              " paths: {}}")),
    ("api-usage-plan-shared", api("StageName: v1\nAuth: {UsagePlan: {CreateUsagePlan: SHARED}}")),
    ("api-gateway-response-headers",
     api("StageName: v1\nGatewayResponses: {DEFAULT_4XX: {StatusCode: 400,"
         " ResponseParameters: {Headers: {Access-Control-Allow-Origin: \"'*'\"}}}}")),
    ("http-api-body-security-not-a-list-without-events",
     http_api("Auth: {DefaultAuthorizer: J, Authorizers: {J: {JwtConfiguration: {issuer: 'https://i'},"
              " IdentitySource: $request.header.A}}}\nDefinitionBody: {openapi: '3.0',"
              " info: {title: t}, paths: {/x: {get: {security: open}}}}")),
    ("http-jwt-authorizer-complete",
     http_api("Auth: {Authorizers: {J: {JwtConfiguration: {issuer: 'https://i'},"
              " IdentitySource: $request.header.A, AuthorizationScopes: [read]}}}")),
]


@pytest.mark.parametrize(("text", "code", "path"), [r[1:] for r in RULES],
                         ids=[r[0] for r in RULES])
def test_rule_is_reported_at_its_property(tmp_path: Path, text: str, code: str,
                                          path: str) -> None:
    found = problems(tmp_path, text)
    assert any(p.code == code and p.path == path for p in found), "\n".join(map(str, found))
    match = next(p for p in found if p.code == code and p.path == path)
    assert match.resource is not None
    assert match.at.line > 1


@pytest.mark.parametrize("text", [c[1] for c in CLEAN], ids=[c[0] for c in CLEAN])
def test_what_sam_accepts_next_to_a_rule_stays_clean(tmp_path: Path, text: str) -> None:
    assert [str(p) for p in problems(tmp_path, text)] == []
