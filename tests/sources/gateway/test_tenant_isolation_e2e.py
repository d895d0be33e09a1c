"""A REST API in front of a tenant-isolated function, shaped as AWS's own sample
(aws-samples/serverless-patterns, apigw-lambda-tenant-isolation): the Lambda proxy's
integration maps a client header to X-Amz-Tenant-Id, which Lambda takes as the invoke's
TenantId (Lambda developer guide, "Invoking Lambda functions with tenant isolation"). A route
without that mapping invokes without a TenantId, which Lambda refuses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from samlite.testing import RunningApp

URI = ("!Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
       "${Counter.Arn}/invocations")


def method(name: str, resource: str, mapping: str) -> str:
    return f"""\
  {name}:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Rest
      ResourceId: !Ref {resource}
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: {URI}
        {mapping}
"""


def resource(name: str, part: str) -> str:
    return f"""\
  {name}:
    Type: AWS::ApiGateway::Resource
    Properties: {{RestApiId: !Ref Rest, ParentId: !GetAtt Rest.RootResourceId, PathPart: {part}}}
"""


TEMPLATE = ("""\
Transform: AWS::Serverless-2016-10-31
Resources:
  Counter:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      TenancyConfig: {TenantIsolationMode: PER_TENANT}
      InlineCode: |
        import json
        calls = 0
        def handler(event, context):
            global calls
            calls += 1
            return {"statusCode": 200,
                    "body": json.dumps({"tenant": context.tenant_id, "calls": calls})}
  Rest:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: tenants}
""" + resource("Isolated", "isolated") + resource("Unmapped", "unmapped")
    + method("IsolatedGet", "Isolated", "RequestParameters: "
             "{integration.request.header.X-Amz-Tenant-Id: method.request.header.x-tenant-id}")
    + method("UnmappedGet", "Unmapped", "")
    + resource("Plain", "plain") + """\
  PlainGet:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Rest
      ResourceId: !Ref Plain
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: AWS
        IntegrationHttpMethod: POST
        Uri: """ + URI + """
        RequestParameters:
          integration.request.header.X-Amz-Tenant-Id: method.request.querystring.tenant
        RequestTemplates: {application/json: "{}"}
        IntegrationResponses:
          - StatusCode: "200"
            ResponseTemplates: {application/json: "$input.path('$.body')"}
      MethodResponses:
        - StatusCode: "200"
"""
    + """\
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: [IsolatedGet, UnmappedGet, PlainGet]
    Properties: {RestApiId: !Ref Rest}
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Rest, DeploymentId: !Ref Deployment, StageName: dev}
""")


def test_each_tenant_gets_its_own_environment_through_the_mapped_header(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    app = samlite_app_factory(tmp_path / "template.yaml", aws_port=None)
    answers = [app.request("GET", "/isolated", headers={"x-tenant-id": tenant}).json()
               for tenant in ("blue", "blue", "green")]
    assert answers == [{"tenant": "blue", "calls": 1}, {"tenant": "blue", "calls": 2},
                       {"tenant": "green", "calls": 1}]
    plain = app.request("GET", "/plain?tenant=red")   # a non-proxy Lambda integration
    assert (plain.status, plain.json()) == (200, {"tenant": "red", "calls": 1})
    refused = app.request("GET", "/unmapped")
    assert (refused.status, refused.json()) == (500, {"message": "Internal server error"})
    assert any("InvalidParameterValueException" in line for line in app.logs("Counter"))
