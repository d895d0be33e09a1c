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
        "selectionPattern 'Bad.*(' is not a Java regular expression (missing ) at position "
        "6); samlite up does not serve this route",
        f"{template}:30:41: warning W7414 {base}.responses.default.responseTemplates."
        "application/json: POST /quotes: the application/json default response's template "
        "does not parse (line 1, column 23: expected } in formal reference); samlite up "
        "does not serve this route",
        f"{template}:51:31: warning W7415 {method}.IntegrationResponses[0].SelectionPattern: "
        "Mocked's integration: the selectionPattern '(4\\d{2}' is not a Java regular "
        "expression (missing )); samlite up does not serve this route",
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
        ("Api.DefinitionBody", 20), ("Mocked", 51), ("Imported.Body", 66)]   # validate's lines


GATEWAY_RESPONSES = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      GatewayResponses:
        BAD_REQUEST_BODY:
          ResponseTemplates:
            application/json: '#if($context.error.message)x#end'
        DEFAULT_4XX:
          ResponseTemplates:
            application/json: '{"message": $context.error.messageString, "hash": "\\\\#set"}'
  Rest:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: r
      Body:
        openapi: 3.0.1
        paths: {}
        x-amazon-apigateway-gateway-responses:
          DEFAULT_5XX:
            responseTemplates: {text/plain: "#{set}($x = 1)$x"}
  Denied:
    Type: AWS::ApiGateway::GatewayResponse
    Properties:
      RestApiId: !Ref Rest
      ResponseType: ACCESS_DENIED
      ResponseTemplates: {application/json: "#foreach($a in [1])$a#end"}
"""


def test_a_gateway_response_template_with_directives_is_a_warning(tmp_path: Path) -> None:
    """API Gateway sends them as written (gateway response templates are not VTL); a template
    of plain variables, or an escaped \\#, is not warned about."""
    template = tmp_path / "template.yaml"
    template.write_text(GATEWAY_RESPONSES, encoding="utf-8")
    result = validate_file(template)
    found = [str(p) for p in result.problems if p.code == "W7416"]
    tail = ("but API Gateway does not run VTL in gateway response templates (only variables "
            "such as $context.error.messageString are filled in): clients get the directive "
            "as written")
    assert found == [
        f"{template}:10:31: warning W7416 Resources.Api.Properties.GatewayResponses."
        "BAD_REQUEST_BODY.ResponseTemplates.application/json: BAD_REQUEST_BODY gateway "
        f"response: the application/json template uses the VTL directive #if, {tail}",
        f"{template}:23:45: warning W7416 Resources.Rest.Properties.Body."
        "x-amazon-apigateway-gateway-responses.DEFAULT_5XX.responseTemplates.text/plain: "
        "DEFAULT_5XX gateway response: the text/plain template uses the VTL directive #set, "
        f"{tail}",
        f"{template}:29:45: warning W7416 Resources.Denied.Properties.ResponseTemplates."
        "application/json: ACCESS_DENIED gateway response: the application/json template "
        f"uses the VTL directive #foreach, {tail}"]
    assert result.is_valid


STATUS_CODES = """\
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        swagger: "2.0"
        paths:
          /teapot:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses:
                  default:
                    statusCode: 'abc'
  Mocked:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: MOCK
        IntegrationResponses:
          - StatusCode: "200"
          - SelectionPattern: "5\\\\d{2}"
            StatusCode: "6000"
"""


def test_a_status_code_that_is_no_http_status_is_named_where_it_is(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(STATUS_CODES, encoding="utf-8")
    result = validate_file(template)
    assert [str(p) for p in result.problems] == [
        f"{template}:15:33: warning W7417 Resources.Api.Properties.Body.paths./teapot.get."
        "x-amazon-apigateway-integration.responses.default.statusCode: GET /teapot: the "
        "default response's statusCode 'abc' is not an HTTP status code (100 to 599); "
        "samlite up does not serve this route",
        f"{template}:28:25: warning W7417 Resources.Mocked.Properties.Integration."
        "IntegrationResponses[1].StatusCode: Mocked's integration: the '5\\d{2}' response's "
        "statusCode '6000' is not an HTTP status code (100 to 599); samlite up does not "
        "serve this route",
    ]
    graph = build_graph(result.resolved)
    assert sorted(n.at.line for n in graph.not_run_locally) == [15, 28]
