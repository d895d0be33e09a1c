"""SAM's translation rules: each case is a small template and the problem a user sees."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from samlite.errors import Problem
from samlite.template.load import parse_template
from samlite.validation.checks.context import CheckContext
from samlite.validation.checks.sam_rules import CHECKS

FUNCTION = """
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/key
      Handler: app.handler
      Runtime: python3.12
"""


def problems(tmp_path: Path, text: str) -> list[Problem]:
    loaded = parse_template(textwrap.dedent(text), name="template.yaml")
    ctx = CheckContext(loaded=loaded, resolved=None, project_dir=tmp_path)
    return [p for check in CHECKS for p in check(ctx)]


def fn(extra: str = "", *, head: str = "") -> str:
    """A template with one good function `Fn`, its Properties extended by `extra`."""
    body = textwrap.indent(textwrap.dedent(extra), " " * 6)
    return f"{textwrap.dedent(head)}\nResources:{FUNCTION}{body}\n"


# (id, template, code, path the problem names, resource)
FINDINGS = [
    ("logical-id-not-alphanumeric",
     "Resources:\n  My-Queue:\n    Type: AWS::SQS::Queue\n",
     "E7001", "Resources.My-Queue", "My-Queue"),
    ("resource-not-a-mapping",
     "Resources:\n  Nothing:\n",
     "E7002", "Resources.Nothing", "Nothing"),
    ("properties-not-a-mapping",
     "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: nope\n",
     "E7003", "Resources.Q.Properties", "Q"),
    ("generated-role-id-taken",
     fn() + "  FnRole:\n    Type: AWS::IAM::Role\n",
     "E7004", "Resources.Fn", "Fn"),
    ("role-if-with-two-arguments",
     fn("Role: !If [IsProd, arn:aws:iam::1:role/r]"),
     "E7005", "Resources.Fn.Properties.Role.Fn::If", "Fn"),
    ("sub-variable-is-a-list",
     fn("Description: !Sub ['${A}', {A: [x, y]}]"),
     "E7006", "Resources.Fn.Properties.Description.Fn::Sub[1].A", "Fn"),
    ("find-in-map-with-two-values",
     fn("Description: !FindInMap [Map, key]"),
     "E7007", "Resources.Fn.Properties.Description.Fn::FindInMap", "Fn"),
    # the long forms, and ones reached through an alias or a merge key, are found as well
    ("sub-variable-is-a-list-long-form",
     fn("Description: {'Fn::Sub': ['${A}', {A: [x, y]}]}"),
     "E7006", "Resources.Fn.Properties.Description.Fn::Sub[1].A", "Fn"),
    ("find-in-map-through-an-alias",
     fn("Description: *m", head="Metadata:\n  Shared: &m {'Fn::FindInMap': [Map, key]}"),
     "E7007", "Resources.Fn.Properties.Description.Fn::FindInMap", "Fn"),
    ("sub-through-a-merge-key",
     fn("Description:\n  <<: {'Fn::Sub': ['${A}', {A: [x, y]}]}"),
     "E7006", "Resources.Fn.Properties.Description.Fn::Sub[1].A", "Fn"),
    ("zip-function-without-handler",
     "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
     "      CodeUri: s3://b/k\n      Runtime: python3.12\n",
     "E7102", "Resources.Fn.Properties", "Fn"),
    ("image-function-without-image-uri",
     "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
     "      PackageType: Image\n",
     "E7103", "Resources.Fn.Properties.PackageType", "Fn"),
    ("auto-publish-alias-from-empty-parameter",
     fn("AutoPublishAlias: !Ref Alias",
        head="Parameters:\n  Alias:\n    Type: String\n    Default: ''\n"),
     "E7104", "Resources.Fn.Properties.AutoPublishAlias", "Fn"),
    ("deployment-preference-without-alias",
     fn("DeploymentPreference:\n  Type: AllAtOnce"),
     "E7105", "Resources.Fn.Properties.DeploymentPreference", "Fn"),
    ("version-deletion-policy-without-alias",
     fn("VersionDeletionPolicy: Delete"),
     "E7106", "Resources.Fn.Properties.VersionDeletionPolicy", "Fn"),
    ("code-uri-http-url",
     "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
     "      CodeUri: https://example.com/code.zip\n      Handler: a.b\n      Runtime: python3.12\n",
     "E7107", "Resources.Fn.Properties.CodeUri", "Fn"),
    ("destination-missing-for-lambda",
     fn("EventInvokeConfig:\n  DestinationConfig:\n    OnSuccess:\n      Type: Lambda"),
     "E7108", "Resources.Fn.Properties.EventInvokeConfig.DestinationConfig.OnSuccess", "Fn"),
    ("destination-needs-a-known-type",
     fn("EventInvokeConfig:\n  DestinationConfig:\n    OnFailure:\n      Type: Queue\n"
        "      Destination: arn:aws:sqs:us-east-1:1:q"),
     "E7108", "Resources.Fn.Properties.EventInvokeConfig.DestinationConfig.OnFailure.Type", "Fn"),
    ("dead-letter-queue-type-intrinsic",
     fn("DeadLetterQueue:\n  Type: !Ref Kind\n  TargetArn: arn"),
     "E7109", "Resources.Fn.Properties.DeadLetterQueue.Type", "Fn"),
    ("policy-in-iam-role-form",
     fn("Policies:\n  - PolicyName: p\n    PolicyDocument: {}"),
     "E7110", "Resources.Fn.Properties.Policies[0]", "Fn"),
    ("function-url-without-auth-type",
     fn("FunctionUrlConfig:\n  Cors:\n    AllowOrigins: ['*']"),
     "E7111", "Resources.Fn.Properties.FunctionUrlConfig", "Fn"),
    ("function-url-cors-unknown-key",
     fn("FunctionUrlConfig:\n  AuthType: NONE\n  Cors:\n    AllowOrigin: ['*']"),
     "E7111", "Resources.Fn.Properties.FunctionUrlConfig.Cors.AllowOrigin", "Fn"),
    ("tenancy-with-sqs-event",
     fn("TenancyConfig:\n  TenantIsolationMode: PER_TENANT\nEvents:\n  Q:\n    Type: SQS\n"
        "    Properties:\n      Queue: arn:aws:sqs:us-east-1:1:q"),
     "E7112", "Resources.Fn.Properties.Events.Q.Type", "Fn"),
    ("layer-retention-policy-unknown",
     "Resources:\n  L:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n"
     "      ContentUri: s3://b/k\n      RetentionPolicy: Keep\n",
     "E7113", "Resources.L.Properties.RetentionPolicy", "L"),
    ("event-without-type",
     fn("Events:\n  Get:\n    Properties:\n      Path: /\n      Method: get"),
     "E7301", "Resources.Fn.Properties.Events.Get", "Fn"),
    ("schedule-state-and-enabled",
     fn("Events:\n  Tick:\n    Type: Schedule\n    Properties:\n"
        "      Schedule: rate(1 minute)\n      State: ENABLED\n      Enabled: true"),
     "E7302", "Resources.Fn.Properties.Events.Tick.Properties.Enabled", "Fn"),
    ("schedule-dlq-arn-and-type",
     fn("Events:\n  Tick:\n    Type: Schedule\n    Properties:\n"
        "      Schedule: rate(1 minute)\n      DeadLetterConfig:\n        Type: SQS\n"
        "        Arn: arn:aws:sqs:us-east-1:1:dlq"),
     "E7303", "Resources.Fn.Properties.Events.Tick.Properties.DeadLetterConfig", "Fn"),
    ("schedule-v2-omit-name-with-name",
     fn("Events:\n  Tick:\n    Type: ScheduleV2\n    Properties:\n"
        "      ScheduleExpression: rate(1 minute)\n      OmitName: true\n      Name: tick"),
     "E7304", "Resources.Fn.Properties.Events.Tick.Properties.Name", "Fn"),
    ("sqs-event-without-queue",
     fn("Events:\n  Jobs:\n    Type: SQS\n    Properties:\n      BatchSize: 5"),
     "E7305", "Resources.Fn.Properties.Events.Jobs.Properties", "Fn"),
    ("s3-bucket-lambda-configurations-not-a-list",
     fn("Events:\n  Up:\n    Type: S3\n    Properties:\n      Bucket: !Ref B\n"
        "      Events: s3:ObjectCreated:*")
     + "  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      NotificationConfiguration:\n"
       "        LambdaConfigurations:\n          Event: s3:ObjectCreated:Put\n",
     "E7306", "Resources.B.Properties.NotificationConfiguration.LambdaConfigurations", "B"),
    ("rest-api-id-names-an-http-api",
     fn("Events:\n  Get:\n    Type: Api\n    Properties:\n      RestApiId: !Ref Http\n"
        "      Path: /\n      Method: get")
     + "  Http:\n    Type: AWS::Serverless::HttpApi\n",
     "E7401", "Resources.Fn.Properties.Events.Get.Properties.RestApiId", "Fn"),
    ("api-id-names-nothing",
     fn("Events:\n  Get:\n    Type: HttpApi\n    Properties:\n      ApiId: !Ref Missing"),
     "E7402", "Resources.Fn.Properties.Events.Get.Properties.ApiId", "Fn"),
    ("same-route-twice",
     fn("Events:\n  A:\n    Type: Api\n    Properties: {Path: /add, Method: post}\n"
        "  B:\n    Type: Api\n    Properties: {Path: /add, Method: POST}"),
     "E7403", "Resources.Fn.Properties.Events.B.Properties.Method", "Fn"),
    ("http-api-path-without-method",
     fn("Events:\n  A:\n    Type: HttpApi\n    Properties:\n      Path: /basic"),
     "E7404", "Resources.Fn.Properties.Events.A.Properties", "Fn"),
    ("request-parameter-name-format",
     fn("Events:\n  A:\n    Type: Api\n    Properties:\n      Path: /\n      Method: get\n"
        "      RequestParameters: [Authorization]"),
     "E7405", "Resources.Fn.Properties.Events.A.Properties.RequestParameters[0]", "Fn"),
    ("empty-stage-name",
     "Resources:\n  Rest:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: ''\n",
     "E7406", "Resources.Rest.Properties.StageName", "Rest"),
    ("open-api-version-format",
     "Resources:\n  Rest:\n    Type: AWS::Serverless::Api\n    Properties:\n"
     "      StageName: prod\n      OpenApiVersion: '5.0'\n",
     "E7407", "Resources.Rest.Properties.OpenApiVersion", "Rest"),
    ("cors-credentials-with-wildcard",
     "Resources:\n  Rest:\n    Type: AWS::Serverless::Api\n    Properties:\n"
     "      StageName: prod\n      Cors:\n        AllowOrigin: \"'*'\"\n"
     "        AllowCredentials: true\n",
     "E7408", "Resources.Rest.Properties.Cors.AllowCredentials", "Rest"),
    ("cors-with-definition-uri",
     "Resources:\n  Rest:\n    Type: AWS::Serverless::Api\n    Properties:\n"
     "      StageName: prod\n      DefinitionUri: s3://b/swagger.yaml\n      Cors: \"'*'\"\n",
     "E7409", "Resources.Rest.Properties.Cors", "Rest"),
    ("definition-uri-and-body",
     "Resources:\n  Http:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n"
     "      DefinitionUri: s3://b/api.yaml\n      DefinitionBody: {openapi: 3.0.1, paths: {}}\n",
     "E7410", "Resources.Http.Properties.DefinitionUri", "Http"),
    ("swagger-method-null",
     "Resources:\n  Rest:\n    Type: AWS::Serverless::Api\n    Properties:\n"
     "      StageName: prod\n      DefinitionBody:\n        swagger: '2.0'\n        paths:\n"
     "          /:\n            get:\n",
     "E7411", "Resources.Rest.Properties.DefinitionBody.paths./.get", "Rest"),
    ("event-authorizer-not-defined",
     fn("Events:\n  A:\n    Type: Api\n    Properties:\n      Path: /\n      Method: get\n"
        "      Auth:\n        Authorizer: Mine"),
     "E7412", "Resources.Fn.Properties.Events.A.Properties.Auth.Authorizer", "Fn"),
    ("http-lambda-authorizer-without-payload-version",
     "Resources:\n  Http:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      Auth:\n"
     "        Authorizers:\n          L:\n            FunctionArn: arn:aws:lambda:x\n",
     "E7412", "Resources.Http.Properties.Auth.Authorizers.L", "Http"),
    ("authorizer-validation-expression-not-a-regex",
     "Resources:\n  Rest:\n    Type: AWS::Serverless::Api\n    Properties:\n"
     "      StageName: prod\n      Auth:\n        Authorizers:\n          Users:\n"
     "            UserPoolArn: arn:aws:cognito-idp:us-east-1:1:userpool/x\n"
     "            Identity: {ValidationExpression: '^(unclosed'}\n",
     "E7412", "Resources.Rest.Properties.Auth.Authorizers.Users", "Rest"),
    ("gateway-response-status-code",
     "Resources:\n  Rest:\n    Type: AWS::Serverless::Api\n    Properties:\n"
     "      StageName: prod\n      GatewayResponses:\n        UNAUTHORIZED:\n"
     "          StatusCode: four-oh-one\n",
     "E7413", "Resources.Rest.Properties.GatewayResponses.UNAUTHORIZED.StatusCode", "Rest"),
]


@pytest.mark.parametrize(("text", "code", "path", "resource"),
                         [case[1:] for case in FINDINGS], ids=[case[0] for case in FINDINGS])
def test_rule_reports_the_problem_at_its_property(
        tmp_path: Path, text: str, code: str, path: str, resource: str) -> None:
    found = problems(tmp_path, text)
    assert any(p.code == code and p.path == path and p.resource == resource
               for p in found), "\n".join(map(str, found))
    match = next(p for p in found if p.code == code and p.path == path)
    assert match.at.file == "template.yaml"
    assert match.at.line > 1


CLEAN = [
    ("plain-function", fn()),
    ("runtime-and-handler-from-globals",
     "Globals:\n  Function:\n    Runtime: python3.12\n    Handler: a.b\n"
     "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
     "      CodeUri: src/\n"),
    ("image-function", "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
                       "    Properties:\n      PackageType: Image\n      ImageUri: repo:tag\n"),
    ("alias-with-deployment-preference",
     fn("AutoPublishAlias: live\nDeploymentPreference:\n  Type: AllAtOnce")),
    ("sqs-destination-created-by-sam",
     fn("EventInvokeConfig:\n  DestinationConfig:\n    OnFailure:\n      Type: SQS")),
    ("role-if-with-three-arguments", fn("Role: !If [IsProd, arn:a, arn:b]")),
    ("policy-forms",
     fn("Policies:\n  - AWSLambdaExecute\n  - SQSPollerPolicy: {QueueName: q}\n"
        "  - Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]\n  - !Ref Managed")),
    ("rest-api-id-plain-logical-id",
     fn("Events:\n  Get:\n    Type: Api\n    Properties: {RestApiId: Rest, Path: /, Method: get}")
     + "  Rest:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n"),
    # The translator accepts any resource of the template (implicit_api_plugin.py)
    ("rest-api-id-names-a-plain-rest-api",
     fn("Events:\n  Get:\n    Type: Api\n    Properties:\n      RestApiId: !Ref Rest\n"
        "      Path: /\n      Method: get")
     + "  Rest:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: rest\n"),
    ("api-id-names-a-plain-http-api",
     fn("Events:\n  Get:\n    Type: HttpApi\n    Properties:\n      ApiId: !Ref Http\n"
        "      Path: /\n      Method: get")
     + "  Http:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      Name: http\n"
       "      ProtocolType: HTTP\n"),
    ("api-id-names-a-serverless-rest-api",
     fn("Events:\n  Get:\n    Type: HttpApi\n    Properties:\n      ApiId: Rest\n"
        "      Path: /\n      Method: get")
     + "  Rest:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n"),
    ("same-path-different-methods",
     fn("Events:\n  A:\n    Type: Api\n    Properties: {Path: /x, Method: get}\n"
        "  B:\n    Type: Api\n    Properties: {Path: /x, Method: post}")),
    ("http-api-default-route", fn("Events:\n  All:\n    Type: HttpApi")),
    ("null-method-filled-by-event",
     fn("Events:\n  P:\n    Type: HttpApi\n    Properties: {ApiId: !Ref Http, Path: /r, "
        "Method: POST}")
     + "  Http:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      DefinitionBody:\n"
       "        openapi: 3.0.1\n        paths:\n          /r:\n            post:\n"),
    # AWS::LanguageExtensions expands Fn::ForEach before SAM sees it (a list, not a resource)
    ("fn-foreach-left-to-language-extensions",
     "Resources:\n  Fn::ForEach::Queues:\n    - Name\n    - [Jobs, Tasks]\n"
     "    - ${Name}Queue:\n        Type: AWS::SQS::Queue\n"),
    ("local-code-uri", fn("Layers: [!Ref L]")
     + "  L:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: layer/\n"
       "      RetentionPolicy: Delete\n"),
]


@pytest.mark.parametrize("text", [case[1] for case in CLEAN], ids=[case[0] for case in CLEAN])
def test_valid_sam_has_no_translator_problems(tmp_path: Path, text: str) -> None:
    found = [p for p in problems(tmp_path, text) if p.is_error]
    assert found == [], "\n".join(map(str, found))


def test_missing_code_is_only_a_warning(tmp_path: Path) -> None:
    """SAM CLI packages the template's folder when CodeUri is left out."""
    text = ("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      Handler: a.b\n      Runtime: python3.12\n")
    found = problems(tmp_path, text)
    assert [(p.code, p.is_error) for p in found] == [("W7101", False)]


def test_a_template_that_is_not_a_mapping_gives_nothing(tmp_path: Path) -> None:
    assert problems(tmp_path, "- just\n- a list\n") == []
