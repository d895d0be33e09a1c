"""`samlite validate` warns of an HTTP API parameter mapping value that embeds a selection
expression in text without braces (the local gateway sends it as written), at its line."""

from __future__ import annotations

from pathlib import Path

from samlite.validation.pipeline import validate_file

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: 3.0.1
        paths:
          /items/{id}:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: http://127.0.0.1:9/items
                payloadFormatVersion: "1.0"
                requestParameters:
                  overwrite:path: /rewritten/$request.path.id
                  overwrite:header.x-id: $request.path.id
                  overwrite:header.x-both: ${request.path.id}-${context.requestId}
                responseParameters:
                  "200":
                    overwrite:header.x-request: request $context.requestId
  Plain:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: HTTP_PROXY
      IntegrationMethod: GET
      IntegrationUri: http://127.0.0.1:9/plain
      PayloadFormatVersion: "1.0"
      RequestParameters:
        overwrite:querystring.q: "$request.querystring.q,extra"
      ResponseParameters:
        "404":
          ResponseParameters:
            - {Destination: "overwrite:statuscode", Source: "4$response.header.code"}
"""


def test_an_expression_inside_text_without_braces_is_named(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    found = [(p.code, p.at.line, p.message) for p in validate_file(template).problems]
    guide = "API Gateway's guide (\"Transform API requests and responses for HTTP APIs\") " \
            "writes a variable within text as "
    assert found == [
        ("W7419", 17, "the overwrite:path mapping value '/rewritten/$request.path.id' has "
                      f"$request.path.id inside text without braces; {guide}"
                      "${request.path.id}, and samlite up sends this value as written"),
        ("W7419", 22, "the overwrite:header.x-request mapping value 'request "
                      "$context.requestId' has $context.requestId inside text without braces; "
                      f"{guide}${{context.requestId}}, and samlite up sends this value as "
                      "written"),
        ("W7419", 32, "the overwrite:querystring.q mapping value '$request.querystring.q,"
                      "extra' has $request.querystring.q inside text without braces; "
                      f"{guide}${{request.querystring.q}}, and samlite up sends this value as "
                      "written"),
        ("W7419", 36, "the overwrite:statuscode mapping value '4$response.header.code' has "
                      "$response.header.code inside text without braces; "
                      f"{guide}${{response.header.code}}, and samlite up sends this value as "
                      "written"),
    ]
