"""A REST API's gateway responses in the graph, from SAM's GatewayResponses, an OpenAPI
document and AWS::ApiGateway::GatewayResponse, and what is named as not run locally."""

from __future__ import annotations

from samlite.graph.build import build_graph
from samlite.graph.model import GatewayResponse, Graph
from samlite.template.load import parse_template
from samlite.template.resolve import resolve

HEAD = """\
Transform: AWS::Serverless-2016-10-31
Resources:
"""


def graph_of(text: str) -> Graph:
    return build_graph(resolve(parse_template(HEAD + text, name="template.yaml")))


def line_of(text: str, needle: str) -> int:
    return (HEAD + text).splitlines().index(needle) + 1


def shown(response: GatewayResponse) -> tuple[object, ...]:
    return (response.response_type, response.status_code, response.parameters,
            response.templates, response.at.line)


SAM = """\
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      GatewayResponses:
        UNAUTHORIZED:
          StatusCode: 401
          ResponseParameters:
            Headers:
              WWW-Authenticate: "'Bearer'"
            QueryStrings:
              q: "'x'"
          ResponseTemplates:
            application/json: '{"message": $context.error.messageString}'
        DEFAULT_5XX:
          ResponseTemplates:
            application/json: '#if(1)x#end'
"""


def test_sam_gateway_responses_become_the_apis_with_header_parameters() -> None:
    graph = graph_of(SAM)
    unauthorized, default = graph.api("Api").gateway_responses
    assert shown(unauthorized) == (
        "UNAUTHORIZED", 401, (("gatewayresponse.header.WWW-Authenticate", "'Bearer'"),),
        (("application/json", '{"message": $context.error.messageString}'),),
        line_of(SAM, "        UNAUTHORIZED:"))
    assert default.response_type == "DEFAULT_5XX"


def test_what_the_local_gateway_cannot_do_is_named_at_its_line() -> None:
    # A template with directives is not among them: API Gateway does not run VTL in gateway
    # response templates either, so it is served as AWS serves it (validate warns, W7416).
    graph = graph_of(SAM)
    assert [(n.subject, n.at.line, n.reason) for n in graph.not_run_locally] == [
        ("Api.UNAUTHORIZED", line_of(SAM, "        UNAUTHORIZED:"),
         "gateway response parameter gatewayresponse.querystring.q is not set locally (only "
         "gatewayresponse.header.* are)")]


PLAIN = """\
  Rest:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: r
      Body:
        openapi: 3.0.1
        paths: {}
        x-amazon-apigateway-gateway-responses:
          DEFAULT_4XX:
            statusCode: 400
            responseParameters:
              gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
          MISSING_AUTHENTICATION_TOKEN:
            statusCode: 404
  NotFound:
    Type: AWS::ApiGateway::GatewayResponse
    Properties:
      RestApiId: !Ref Rest
      ResponseType: MISSING_AUTHENTICATION_TOKEN
      StatusCode: "410"
"""


def test_a_plain_gateway_response_resource_wins_over_the_body() -> None:
    graph = graph_of(PLAIN)
    assert [shown(g)[:3] for g in graph.api("Rest").gateway_responses] == [
        ("DEFAULT_4XX", 400, (("gatewayresponse.header.Access-Control-Allow-Origin", "'*'"),)),
        ("MISSING_AUTHENTICATION_TOKEN", 410, ())]
    assert graph.api("Rest").gateway_responses[1].at.line == line_of(PLAIN, "  NotFound:")
    assert graph.other_resources == ()
