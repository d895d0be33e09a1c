"""Plain API Gateway resources in the graph: the routes, stages and "not run locally" lines a
user sees from `samlite graph` and `samlite up`."""

from __future__ import annotations

import json
from textwrap import dedent, indent

from samlite.graph.build import build_graph
from samlite.graph.model import Graph, ParameterMapping, RequestValidation
from samlite.graph.render import render_mermaid, render_text
from samlite.template.load import parse_template
from samlite.template.resolve import resolve

FUNCTIONS = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: index.handler, InlineCode: "x = 1"}
  Other:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code: {ZipFile: "x = 1"}
"""
URI = ("arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/"
       "invocations")


def graph_of(resources: str) -> Graph:
    text = FUNCTIONS + indent(dedent(resources), "  ")
    return build_graph(resolve(parse_template(text, name="template.yaml")))


def routes(graph: Graph) -> list[tuple[str, str, str, str, str]]:
    return [(r.api, r.method, r.path, r.function, r.payload_format_version)
            for r in graph.routes]


def reasons(graph: Graph) -> list[tuple[str, str]]:
    return [(n.subject, n.reason) for n in graph.not_run_locally]


def test_a_rest_api_body_serves_its_aws_proxy_operations_and_names_the_others() -> None:
    graph = graph_of(f"""\
      Rest:
        Type: AWS::ApiGateway::RestApi
        Properties:
          Body:
            openapi: 3.0.1
            paths:
              /pets/{{id}}:
                get:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    httpMethod: POST
                    uri: !Sub {URI}
              /stream:
                post:
                  x-amazon-apigateway-integration:
                    type: aws
                    httpMethod: POST
                    uri: arn:aws:apigateway:us-east-1:kinesis:action/PutRecord
    """)
    assert routes(graph) == [("Rest", "GET", "/pets/{id}", "Fn", "1.0")]
    assert reasons(graph) == [("Rest.Body", "POST /stream: the AWS service integration to "
                                            "kinesis is not run locally (SQS and S3 ones are), "
                                            "so this route is not served")]
    assert graph.api("Rest").stage_name == "Prod"


def test_a_deployment_names_the_stage_when_no_stage_is_declared() -> None:
    graph = graph_of("""\
      Rest: {Type: AWS::ApiGateway::RestApi, Properties: {Name: r}}
      Deployment:
        Type: AWS::ApiGateway::Deployment
        Properties:
          RestApiId: !Ref Rest
          StageName: dev
          StageDescription: {Variables: {mode: test}}
    """)
    assert (graph.api("Rest").stage_name, graph.api("Rest").stage_variables) == \
        ("dev", (("mode", "test"),))


def test_a_plain_method_wins_over_a_sam_event_on_its_route() -> None:
    """SAM only adds a Lambda permission for an event on a plain API; AWS serves the
    API's own method."""
    graph = graph_of(f"""\
      Rest: {{Type: AWS::ApiGateway::RestApi, Properties: {{Name: r}}}}
      RootGet:
        Type: AWS::ApiGateway::Method
        Properties:
          RestApiId: !Ref Rest
          ResourceId: !GetAtt Rest.RootResourceId
          HttpMethod: GET
          AuthorizationType: NONE
          Integration: {{Type: AWS_PROXY, IntegrationHttpMethod: POST, Uri: !Sub "{URI}"}}
      Late:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          InlineCode: "x = 1"
          Events:
            Root:
              Type: Api
              Properties: {{RestApiId: !Ref Rest, Path: /, Method: get}}
    """)
    assert routes(graph) == [("Rest", "GET", "/", "Fn", "1.0")]
    assert graph.function("Late").events == ()


def test_authorizers_are_named_validators_are_run_and_the_route_serves() -> None:
    graph = graph_of(f"""\
      Rest: {{Type: AWS::ApiGateway::RestApi, Properties: {{Name: r}}}}
      Auth:
        Type: AWS::ApiGateway::Authorizer
        Properties: {{RestApiId: !Ref Rest, Name: a, Type: TOKEN}}
      RootGet:
        Type: AWS::ApiGateway::Method
        Properties:
          RestApiId: !Ref Rest
          ResourceId: !GetAtt Rest.RootResourceId
          HttpMethod: GET
          AuthorizationType: CUSTOM
          AuthorizerId: !Ref Auth
          ApiKeyRequired: true
          RequestValidatorId: !Ref Validator
          Integration: {{Type: AWS_PROXY, Uri: !Sub "{URI}"}}
      Validator:
        Type: AWS::ApiGateway::RequestValidator
        Properties: {{RestApiId: !Ref Rest, ValidateRequestBody: true}}
    """)
    assert routes(graph) == [("Rest", "GET", "/", "Fn", "1.0")]
    assert reasons(graph) == [
        # a TOKEN authorizer without an AuthorizerUri to a function of this template
        ("RootGet", "GET /: CUSTOM authorization Auth is not run locally (its authorizer is "
                    "not one of this template's that samlite runs); the route serves without "
                    "it")]
    assert graph.routes[0].validation == RequestValidation(validates_body=True)
    # the API key is checked: the route needs one
    assert [r.api_key_required for r in graph.routes] == [True]


def test_a_method_on_a_resource_of_another_api_is_named() -> None:
    graph = graph_of(f"""\
      Rest: {{Type: AWS::ApiGateway::RestApi, Properties: {{Name: r}}}}
      RootGet:
        Type: AWS::ApiGateway::Method
        Properties:
          RestApiId: !Ref Rest
          ResourceId: abc123
          HttpMethod: GET
          Integration: {{Type: AWS_PROXY, Uri: !Sub "{URI}"}}
    """)
    assert routes(graph) == []
    assert reasons(graph) == [("RootGet", "its ResourceId names neither the RestApi's "
                                          "RootResourceId nor a Resource of it, so this "
                                          "method is not served")]


def test_an_http_api_quick_create_target_is_a_default_route_with_payload_2_0() -> None:
    graph = graph_of("""\
      Http:
        Type: AWS::ApiGatewayV2::Api
        Properties: {Name: h, ProtocolType: HTTP, Target: !GetAtt Other.Arn}
    """)
    assert routes(graph) == [("Http", "ANY", "$default", "Other", "2.0")]
    assert graph.api("Http").stage_name == "$default"


def test_an_http_route_with_a_payload_1_0_integration_and_an_authorizer() -> None:
    graph = graph_of("""\
      Http: {Type: AWS::ApiGatewayV2::Api, Properties: {Name: h, ProtocolType: HTTP}}
      Integration:
        Type: AWS::ApiGatewayV2::Integration
        Properties:
          ApiId: !Ref Http
          IntegrationType: AWS_PROXY
          IntegrationUri: !Sub "{OTHER_URI}"
          PayloadFormatVersion: "1.0"
          TimeoutInMillis: 5000
      Any:
        Type: AWS::ApiGatewayV2::Route
        Properties:
          ApiId: !Ref Http
          RouteKey: ANY /{proxy+}
          Target: !Sub integrations/${Integration}
          AuthorizationType: JWT
          AuthorizerId: !Ref Jwt
      Jwt:
        Type: AWS::ApiGatewayV2::Authorizer
        Properties: {ApiId: !Ref Http, AuthorizerType: JWT, Name: jwt}
    """.replace("{OTHER_URI}", URI.replace("Fn.Arn", "Other.Arn")))
    assert routes(graph) == [("Http", "ANY", "/{proxy+}", "Other", "1.0")]
    assert graph.routes[0].timeout_ms == 5000
    # the JWT authorizer is run (with no issuer it refuses every token, as startup says)
    assert reasons(graph) == []
    assert (graph.routes[0].authorizer, graph.apis[0].jwt_authorizers[0].issuers) == ("Jwt", ())


def test_a_websocket_api_is_named_not_served() -> None:
    graph = graph_of("""\
      Socket:
        Type: AWS::ApiGatewayV2::Api
        Properties: {Name: s, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.a}
    """)
    assert (graph.apis, reasons(graph)) == \
        ((), [("Socket", "WEBSOCKET APIs are not served locally (HTTP APIs are)")])


def test_plain_apis_are_drawn_like_sams() -> None:
    graph = graph_of("""\
      Http:
        Type: AWS::ApiGatewayV2::Api
        Properties: {Name: h, ProtocolType: HTTP, Target: !GetAtt Other.Arn}
    """)
    assert 'api_Http{{"Http<br/>HTTP API"}}' in render_mermaid(graph)
    assert "api_Http --> fn_Other" in render_mermaid(graph)
    assert "ANY $default -> Other  (Http, HTTP, payload 2.0)" in render_text(graph)


def test_http_api_service_and_proxy_integrations_are_routes_shown_by_graph() -> None:
    graph = graph_of("""\
      Jobs: {Type: AWS::SQS::Queue}
      Http: {Type: AWS::ApiGatewayV2::Api, Properties: {Name: h, ProtocolType: HTTP}}
      Send:
        Type: AWS::ApiGatewayV2::Integration
        Properties:
          ApiId: !Ref Http
          IntegrationType: AWS_PROXY
          IntegrationSubtype: SQS-SendMessage
          PayloadFormatVersion: "1.0"
          RequestParameters: {QueueUrl: !Ref Jobs, MessageBody: $request.body}
      Proxy:
        Type: AWS::ApiGatewayV2::Integration
        Properties:
          ApiId: !Ref Http
          IntegrationType: HTTP_PROXY
          IntegrationMethod: ANY
          IntegrationUri: http://127.0.0.1:8080/{proxy}
          PayloadFormatVersion: "1.0"
      SendRoute:
        Type: AWS::ApiGatewayV2::Route
        Properties: {ApiId: !Ref Http, RouteKey: POST /jobs, Target: !Sub "integrations/${Send}"}
      ProxyRoute:
        Type: AWS::ApiGatewayV2::Route
        Properties:
          ApiId: !Ref Http
          RouteKey: ANY /site/{proxy+}
          Target: !Sub "integrations/${Proxy}"
    """)
    assert [(r.method, r.path, r.function, r.target) for r in graph.routes] == [
        ("POST", "/jobs", None, "SQS-SendMessage"),
        ("ANY", "/site/{proxy+}", None, "HTTP_PROXY ANY http://127.0.0.1:8080/{proxy}")]
    text = render_text(graph)
    assert "  POST /jobs -> SQS-SendMessage      " in text
    assert "  ANY /site/{proxy+} -> HTTP_PROXY ANY http://127.0.0.1:8080/{proxy}  (Http, HTTP)" \
        in text
    assert "Http -> Jobs  integration (POST /jobs SQS-SendMessage)" in text
    assert 'api_Http -.->|"integration: POST /jobs SQS-SendMessage"| q_Jobs' in \
        render_mermaid(graph)
    assert reasons(graph) == []


def test_http_api_integrations_not_run_are_named_and_lambda_mapping_is_kept() -> None:
    graph = graph_of("""\
      Http: {Type: AWS::ApiGatewayV2::Api, Properties: {Name: h, ProtocolType: HTTP}}
      Events:
        Type: AWS::ApiGatewayV2::Integration
        Properties:
          ApiId: !Ref Http
          IntegrationType: AWS_PROXY
          IntegrationSubtype: Kinesis-PutRecord
          PayloadFormatVersion: "1.0"
          RequestParameters: {StreamName: s, Data: $request.body, PartitionKey: k}
      Private:
        Type: AWS::ApiGatewayV2::Integration
        Properties:
          ApiId: !Ref Http
          IntegrationType: HTTP_PROXY
          ConnectionType: VPC_LINK
          IntegrationUri: arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/x
          PayloadFormatVersion: "1.0"
      Mapped:
        Type: AWS::ApiGatewayV2::Integration
        Properties:
          ApiId: !Ref Http
          IntegrationType: AWS_PROXY
          IntegrationUri: !GetAtt Other.Arn
          PayloadFormatVersion: "2.0"
          RequestParameters: {"overwrite:header.x-user": "$context.requestId",
                              "remove:header.Authorization": "''"}
          ResponseParameters: {"404": {"overwrite:statuscode": "410"}}
      Put:
        Type: AWS::ApiGatewayV2::Route
        Properties:
          {ApiId: !Ref Http, RouteKey: POST /events, Target: !Sub "integrations/${Events}"}
      Vpc:
        Type: AWS::ApiGatewayV2::Route
        Properties: {ApiId: !Ref Http, RouteKey: GET /vpc, Target: !Sub "integrations/${Private}"}
      Fn:
        Type: AWS::ApiGatewayV2::Route
        Properties: {ApiId: !Ref Http, RouteKey: GET /fn, Target: !Sub "integrations/${Mapped}"}
    """)
    assert [(r.path, r.target) for r in graph.routes] == [("/fn", "Other")]
    assert graph.routes[0].parameter_mapping == ParameterMapping(
        request=(("overwrite:header.x-user", "$context.requestId"),),
        response=(("404", (("overwrite:statuscode", "410"),)),))
    assert sorted(reasons(graph)) == [
        ("Mapped", "GET /fn: the request mapping remove:header.Authorization names a reserved "
                   "header, which API Gateway does not let a mapping change; it is not "
                   "applied"),
        ("Put", "POST /events: its integration Events: the AWS service integration "
                "Kinesis-PutRecord is not run locally (SQS-SendMessage, SQS-ReceiveMessage, "
                "SQS-DeleteMessage, SQS-PurgeQueue and EventBridge-PutEvents are), so this "
                "route is not served"),
        ("Vpc", "GET /vpc: its integration Private: a private integration (VPC_LINK) is not "
                "run locally, so this route is not served")]


def test_plain_cognito_and_iam_methods_are_run_not_named() -> None:
    graph = graph_of(f"""\
      Rest: {{Type: AWS::ApiGateway::RestApi, Properties: {{Name: r}}}}
      Users:
        Type: AWS::ApiGateway::Authorizer
        Properties:
          RestApiId: !Ref Rest
          Name: users
          Type: COGNITO_USER_POOLS
          IdentitySource: method.request.header.Token
          ProviderARNs: [arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc]
      Items:
        Type: AWS::ApiGateway::Resource
        Properties: {{RestApiId: !Ref Rest, ParentId: !GetAtt Rest.RootResourceId,
                     PathPart: items}}
      RootGet:
        Type: AWS::ApiGateway::Method
        Properties:
          RestApiId: !Ref Rest
          ResourceId: !GetAtt Rest.RootResourceId
          HttpMethod: GET
          AuthorizationType: COGNITO_USER_POOLS
          AuthorizerId: !Ref Users
          AuthorizationScopes: [orders/read]
          Integration: {{Type: AWS_PROXY, Uri: !Sub "{URI}"}}
      ItemsGet:
        Type: AWS::ApiGateway::Method
        Properties:
          RestApiId: !Ref Rest
          ResourceId: !Ref Items
          HttpMethod: GET
          AuthorizationType: AWS_IAM
          Integration: {{Type: AWS_PROXY, Uri: !Sub "{URI}"}}
    """)
    assert reasons(graph) == []
    assert [(r.path, r.authorizer, r.authorization_scopes) for r in graph.routes] == [
        ("/", "Users", ("orders/read",)), ("/items", "AWS_IAM", None)]
    [users] = graph.apis[0].jwt_authorizers
    assert (users.is_cognito, users.identity_header, users.issuers) == (
        True, "Token", ("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",))


def test_openapi_jwt_authorizer_and_operation_scopes() -> None:
    graph = graph_of(f"""\
      Http:
        Type: AWS::Serverless::HttpApi
        Properties:
          DefinitionBody:
            openapi: "3.0.1"
            paths:
              /orders:
                get:
                  security: [{{oidc: [orders/read]}}]
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    payloadFormatVersion: "2.0"
                    uri: !Sub "{URI}"
            components:
              securitySchemes:
                oidc:
                  type: oauth2
                  x-amazon-apigateway-authorizer:
                    type: jwt
                    identitySource: $request.header.X-Token
                    jwtConfiguration: {{issuer: "https://issuer.example", audience: [api]}}
    """)
    [route] = graph.routes
    assert (route.authorizer, route.authorization_scopes) == ("oidc", ("orders/read",))
    [oidc] = graph.apis[0].jwt_authorizers
    assert (oidc.issuers, oidc.audiences, oidc.identity_header) == (
        ("https://issuer.example",), ("api",), "X-Token")


PLAIN_VALIDATION = f"""\
  Rest: {{Type: AWS::ApiGateway::RestApi, Properties: {{Name: r}}}}
  Person:
    Type: AWS::ApiGateway::Model
    Properties:
      RestApiId: !Ref Rest
      Name: Person
      ContentType: application/json
      Schema: {{type: object, required: [name], properties: {{name: {{type: string}}}}}}
  Both:
    Type: AWS::ApiGateway::RequestValidator
    Properties: {{RestApiId: !Ref Rest, ValidateRequestBody: true,
                 ValidateRequestParameters: true}}
  RootPost:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Rest
      ResourceId: !GetAtt Rest.RootResourceId
      HttpMethod: POST
      AuthorizationType: NONE
      RequestValidatorId: !Ref Both
      RequestParameters:
        method.request.querystring.page: true
        method.request.header.x-trace: false
      RequestModels:
        application/json: !Ref Person
        text/plain: Empty
        application/xml: Nowhere
      Integration: {{Type: AWS_PROXY, Uri: !Sub "{URI}"}}
"""


def test_a_plain_request_validator_with_models_and_parameters_is_the_routes_validation(
        ) -> None:
    graph = graph_of(PLAIN_VALIDATION)
    person = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    validation = graph.routes[0].validation
    assert validation is not None
    assert (validation.validates_body, validation.validates_parameters,
            validation.required_parameters) == (True, True,
                                                ("method.request.querystring.page",))
    assert [(kind, json.loads(schema)) for kind, schema in validation.body_schemas] == [
        ("application/json", person),
        ("text/plain", {"$schema": "http://json-schema.org/draft-04/schema#",
                        "title": "Empty Schema", "type": "object"})]
    assert [(name, json.loads(schema)) for name, schema in graph.api("Rest").models] == [
        ("Person", person)]
    text = FUNCTIONS + indent(dedent(PLAIN_VALIDATION), "  ")
    lines = text.splitlines()
    line = lines.index("        application/xml: Nowhere") + 1
    assert [(n.subject, n.at.line, n.at.column, n.reason) for n in graph.not_run_locally] == [
        ("RootPost", line, 9, "POST /: the application/xml model 'Nowhere' is not a model of "
                              "this API, so that body is not validated")]


def test_a_validator_id_naming_no_validator_here_is_named() -> None:
    graph = graph_of(PLAIN_VALIDATION.replace("RequestValidatorId: !Ref Both",
                                              "RequestValidatorId: abc123"))
    text = FUNCTIONS + indent(dedent(PLAIN_VALIDATION), "  ")
    line = text.splitlines().index("      RequestValidatorId: !Ref Both") + 1
    assert graph.routes[0].validation is None
    assert [(n.subject, n.at.line, n.reason) for n in graph.not_run_locally] == [
        ("RootPost", line, "POST /: RequestValidatorId names no AWS::ApiGateway::"
                           "RequestValidator of this template, so requests are not validated")]


def test_an_http_api_operations_mapping_is_kept_and_reserved_headers_named_at_its_line(
        ) -> None:
    body = """\
      Api:
        Type: AWS::Serverless::HttpApi
        Properties:
          DefinitionBody:
            openapi: 3.0.1
            paths:
              /items:
                get:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    uri: !GetAtt Fn.Arn
                    payloadFormatVersion: "2.0"
                    requestParameters:
                      overwrite:header.x-id: $request.querystring.id
                      append:header.X-Amzn-Trace-Id: t
                    responseParameters:
                      "500":
                        overwrite:statuscode: "503"
                        overwrite:header.Access-Control-Allow-Origin: "'*'"
    """
    graph = graph_of(body)
    text = FUNCTIONS + indent(dedent(body), "  ")
    line = text.splitlines().index("            get:") + 1
    assert graph.routes[0].parameter_mapping == ParameterMapping(
        request=(("overwrite:header.x-id", "$request.querystring.id"),),
        response=(("500", (("overwrite:statuscode", "503"),)),))
    assert [(n.subject, n.at.line, n.reason) for n in graph.not_run_locally] == [
        ("Api.DefinitionBody", line,
         "GET /items: the request mapping append:header.X-Amzn-Trace-Id names a reserved "
         "header, which API Gateway does not let a mapping change; it is not applied"),
        ("Api.DefinitionBody", line,
         "GET /items: the response (500) mapping overwrite:header.Access-Control-Allow-Origin "
         "names a reserved header, which API Gateway does not let a mapping change; it is "
         "not applied")]


def test_an_http_proxys_reserved_header_mapping_is_named_and_left_out() -> None:
    graph = graph_of("""\
      Http: {Type: AWS::ApiGatewayV2::Api, Properties: {Name: h, ProtocolType: HTTP}}
      Proxy:
        Type: AWS::ApiGatewayV2::Integration
        Properties:
          ApiId: !Ref Http
          IntegrationType: HTTP_PROXY
          IntegrationUri: https://example.com/{proxy}
          IntegrationMethod: ANY
          PayloadFormatVersion: "1.0"
          RequestParameters:
            overwrite:header.x-kept: static
            overwrite:header.Authorization: Bearer x
      All:
        Type: AWS::ApiGatewayV2::Route
        Properties:
          {ApiId: !Ref Http, RouteKey: "ANY /{proxy+}", Target: !Sub "integrations/${Proxy}"}
    """)
    [route] = graph.routes
    assert route.integration is not None
    assert route.integration.request_parameters == (("overwrite:header.x-kept", "static"),)
    assert reasons(graph) == [
        ("Proxy", "ANY /{proxy+}: the request mapping overwrite:header.Authorization names a "
                  "reserved header, which API Gateway does not let a mapping change; it is not "
                  "applied")]
