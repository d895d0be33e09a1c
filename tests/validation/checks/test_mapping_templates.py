"""`samlite validate` finds a REST mapping template or selectionPattern the local gateway
cannot run before any request: file:line, the resource, the content type and the parser's
own message, as warnings (API Gateway deploys them; only `samlite up` leaves the route out)."""

from __future__ import annotations

from pathlib import Path

from samlite.graph.build import build_graph
from samlite.validation.pipeline import validate_file

URI = ('!Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/'
       '${Fn.Arn}/invocations"')
TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, InlineCode: "x = 1"}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        swagger: "2.0"
        paths:
          /quotes:
            post:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: @URI@
                requestTemplates:
                  application/json: |
                    #set($body = $input.path('$'))
                    {"symbol": "$body.symbol"
                    #if($body.note), "note": "$body.note"}
                responses:
                  "Bad.*(":
                    statusCode: "400"
                  default:
                    statusCode: "200"
                    responseTemplates:
                      application/json: '{"quote": ${input.body'
          /proxied:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: @URI@
                requestTemplates: {application/json: "#end"}
  Rest: {Type: AWS::ApiGateway::RestApi, Properties: {Name: r}}
  Mocked:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Rest
      ResourceId: !GetAtt Rest.RootResourceId
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: MOCK
        RequestTemplates: {application/json: '{"statusCode": 200}'}
        IntegrationResponses:
          - StatusCode: "404"
            SelectionPattern: "(4\\\\d{2}"
          - StatusCode: "200"
            ResponseTemplates: {text/plain: "#foreach($a in) #end"}
  Imported:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        openapi: 3.0.1
        paths:
          /items:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: http
                httpMethod: GET
                uri: http://127.0.0.1:9/items
                requestTemplates: {application/xml: "<a>${input.body</a>"}
""".replace("@URI@", URI)


def test_templates_and_patterns_that_cannot_run_are_named_with_file_line_and_why(
        tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    found = [str(p) for p in validate_file(template).problems if p.code.startswith("W741")]
    base = "Resources.Api.Properties.DefinitionBody.paths./quotes.post." \
           "x-amazon-apigateway-integration"
    method = "Resources.Mocked.Properties.Integration"
    assert found == [
        f"{template}:20:37: warning W7414 {base}.requestTemplates.application/json: "
        "POST /quotes: the application/json request template does not parse (line 4, column "
        "1: expected #else, #elseif or #end in if directive); samlite up does not serve this "
        "route",
        f"{template}:26:21: warning W7415 {base}.responses.Bad.*(: POST /quotes: the "
        "selectionPattern 'Bad.*(' is not a regular expression (missing ), unterminated "
        "subpattern at position 5); samlite up does not serve this route",
        f"{template}:30:41: warning W7414 {base}.responses.default.responseTemplates."
        "application/json: POST /quotes: the application/json default response's template "
        "does not parse (line 1, column 23: expected } in formal reference); samlite up "
        "does not serve this route",
        f"{template}:51:31: warning W7415 {method}.IntegrationResponses[0].SelectionPattern: "
        "Mocked's integration: the selectionPattern '(4\\\\d{2}' is not a regular "
        "expression (missing ), unterminated subpattern at position 0); samlite up does not "
        "serve this route",
        f"{template}:53:45: warning W7414 {method}.IntegrationResponses[1].ResponseTemplates."
        "text/plain: Mocked's integration: the text/plain default response's template does "
        "not parse (line 1, column 12: expected in in foreach directive, got: in) #end ...); "
        "samlite up does not serve this route",
        f"{template}:66:53: warning W7414 Resources.Imported.Properties.Body.paths./items."
        "x-amazon-apigateway-any-method.x-amazon-apigateway-integration.requestTemplates."
        "application/xml: ANY /items: the application/xml request template does not parse "
        "(line 1, column 16: expected } in formal reference, got: </a> ...); "
        "samlite up does not serve this route",
    ]


def test_up_starts_and_names_those_routes_instead_of_answering_500(tmp_path: Path) -> None:
    """Warnings: the app still loads, and its graph leaves each such route out with why."""
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    result = validate_file(template)
    assert result.is_valid
    graph = build_graph(result.resolved)
    assert [(r.method, r.path) for r in graph.routes] == [("GET", "/proxied")]
    assert [(n.subject, n.at.line) for n in graph.not_run_locally
            if "does not parse" in n.reason or "not a regular expression" in n.reason] == [
        ("Api.DefinitionBody", 14), ("Mocked", 46), ("Imported.Body", 61)]
