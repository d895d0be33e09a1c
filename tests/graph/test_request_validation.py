"""Request validators and API key security read from an inline OpenAPI DefinitionBody, as
API Gateway imports them (x-amazon-apigateway-request-validators, parameters, securitySchemes)."""

from __future__ import annotations

import json

from samlite.graph.build import build_graph
from samlite.template.load import parse_template
from samlite.template.resolve import resolve

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.12, Handler: a.b,
       InlineCode: x}}
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        openapi: "3.0.1"
        x-amazon-apigateway-request-validators:
          all: {validateRequestBody: true, validateRequestParameters: true}
        x-amazon-apigateway-request-validator: all
        components:
          securitySchemes: {key: {type: apiKey, name: x-api-key, in: header}}
          schemas: {Pet: {type: object, required: [kind]}}
        paths:
          /pets:
            post:
              security: [{key: []}]
              parameters: [{name: page, in: query, required: true}]
              requestBody:
                content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub "URI"
""".replace("URI", "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
            "${Fn.Arn}/invocations")


def test_inline_validators_parameters_body_and_key_become_the_routes() -> None:
    graph = build_graph(resolve(parse_template(TEMPLATE, name="template.yaml")))
    [route] = graph.routes
    assert route.api_key_required is True
    assert route.validation is not None
    assert (route.validation.validates_body, route.validation.validates_parameters) == (
        True, True)
    assert route.validation.required_parameters == ("method.request.querystring.page",)
    assert [(kind, json.loads(s)) for kind, s in route.validation.body_schemas] == [
        ("application/json", {"$ref": "#/components/schemas/Pet"})]
    assert dict(graph.api("Rest").models)["Pet"] == '{"type": "object", "required": ["kind"]}'
