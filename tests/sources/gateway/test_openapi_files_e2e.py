"""OpenAPI definitions in local files (AWS::Include, DefinitionUri, BodyS3Location) served
through the gateway, end to end: a real app (functions in processes) and a real HTTP client."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from samlite.testing import RunningApp

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: echo
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            return {"statusCode": 200, "body": json.dumps(event)}
  Included:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: openapi/http.yaml}
  FromFile:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionUri: openapi/rest.json
"""
HTTP_SPEC = """\
openapi: 3.0.1
paths:
  /included/{name}:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        payloadFormatVersion: "2.0"
        uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/\\
          ${Echo.Arn}/invocations"
"""
REST_SPEC = json.dumps({"swagger": "2.0", "paths": {"/from-file": {"post": {
    "x-amazon-apigateway-integration": {
        "type": "aws_proxy", "httpMethod": "POST",
        "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
               "arn:aws:lambda:us-east-1:123456789012:function:echo/invocations"}}}}}, indent=1)


def start(folder: Path, factory: Callable[..., RunningApp], **files: str) -> RunningApp:
    (folder / "openapi").mkdir()
    (folder / "template.yaml").write_text(TEMPLATE)
    for name, text in files.items():
        (folder / "openapi" / name.replace("_", ".")).write_text(text)
    return factory(folder / "template.yaml", aws_port=None)


def test_routes_of_an_included_file_and_a_definition_uri_file_reach_the_function(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    app = start(tmp_path, samlite_app_factory, http_yaml=HTTP_SPEC, rest_json=REST_SPEC)
    included = app.get("/included/Ada")
    assert included.status == 200
    assert (included.json()["routeKey"], included.json()["pathParameters"]) == \
        ("GET /included/{name}", {"name": "Ada"})
    from_file = app.request("POST", "/from-file", body="hi")
    assert (from_file.status, from_file.json()["resource"], from_file.json()["body"]) == \
        (200, "/from-file", "hi")


EXTRA_EVENT = """\
  Other:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(event, context): return {'statusCode': 200}"
      Events:
        Extra:
          Type: Api
          Properties: {RestApiId: !Ref FromFile, Path: /extra, Method: get}
"""


def test_an_event_on_an_api_with_its_own_definition_is_not_served_and_named(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    (tmp_path / "openapi").mkdir()
    (tmp_path / "openapi" / "http.yaml").write_text(HTTP_SPEC)
    (tmp_path / "openapi" / "rest.json").write_text(REST_SPEC)
    (tmp_path / "template.yaml").write_text(TEMPLATE + EXTRA_EVENT)
    app = samlite_app_factory(tmp_path / "template.yaml", aws_port=None)
    reply = app.get("/extra")
    assert (reply.status, reply.json()) == (403, {"message": "Missing Authentication Token"})
    assert [n.subject for n in app.app.graph.not_run_locally] == ["Other.Events.Extra"]


def test_saving_an_included_file_reloads_the_template(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    app = start(tmp_path, samlite_app_factory, http_yaml=HTTP_SPEC, rest_json=REST_SPEC)
    spec = tmp_path / "openapi" / "rest.json"
    spec.write_text(REST_SPEC.replace("/from-file", "/renamed"))
    line = app.app.reload(frozenset({spec}))
    assert line is not None and "openapi/rest.json changed" in line
    assert app.request("POST", "/renamed", body="hi").status == 200
    assert app.request("POST", "/from-file", body="hi").status == 403


SUB_URI = {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                      "${Echo.Arn}/invocations"}
REST_SPEC_WITH_SUB = json.dumps({"swagger": "2.0", "paths": {
    "/from-file": {"post": {"x-amazon-apigateway-integration": {
        "type": "aws_proxy", "httpMethod": "POST",
        "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
               "arn:aws:lambda:us-east-1:123456789012:function:echo/invocations"}}},
    "/sub": {"get": {"x-amazon-apigateway-integration": {
        "type": "aws_proxy", "httpMethod": "POST", "uri": SUB_URI}}}}}, indent=1)


def test_a_definition_uri_route_with_an_intrinsic_is_named_and_not_served(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    from samlite.cli.summary import startup_lines

    app = start(tmp_path, samlite_app_factory, http_yaml=HTTP_SPEC, rest_json=REST_SPEC_WITH_SUB)

    assert app.request("POST", "/from-file", body="hi").status == 200
    assert app.get("/sub").status == 403     # API Gateway would not have imported it as meant
    line = REST_SPEC_WITH_SUB.splitlines().index('     "uri": {') + 1
    lines = startup_lines(app.app.graph, (), runtime_kind="process", route_lines=(),
                          function_urls={})
    assert lines[lines.index("Not run locally") + 1:] == [
        f"  {tmp_path}/openapi/rest.json:{line}: FromFile.DefinitionUri (AWS::Serverless::Api): "
        "GET /sub: "
        "Fn::Sub at paths./sub.get.x-amazon-apigateway-integration.uri: intrinsic functions "
        "in a DefinitionUri / BodyS3Location file are not evaluated by API Gateway; use "
        "Fn::Transform AWS::Include or an inline DefinitionBody, so this route is not served"]
