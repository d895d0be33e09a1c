"""REST integrations other than a Lambda proxy in the graph: what each reads as, and the
"not run locally" line for what cannot be served (a SAM DefinitionBody operation never
vanishes without a word)."""

from __future__ import annotations

from textwrap import dedent, indent

from samlite.graph.model import IntegrationKind, IntegrationResponse
from tests.graph.test_apigateway import FUNCTIONS, URI, graph_of


def sam_api(paths: str) -> str:
    return f"""\
      Api:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          DefinitionBody:
            swagger: "2.0"
            paths:
{paths}"""


def test_an_aws_lambda_integration_reads_templates_and_responses() -> None:
    graph = graph_of(sam_api(f"""\
              /greet:
                post:
                  x-amazon-apigateway-integration:
                    type: aws
                    httpMethod: POST
                    uri: !Sub {URI}
                    passthroughBehavior: when_no_templates
                    contentHandling: CONVERT_TO_TEXT
                    requestTemplates: {{application/json: '{{"a": 1}}'}}
                    responses:
                      "Bad.*": {{statusCode: "400", responseTemplates: {{application/json: x}}}}
                      default:
                        statusCode: "200"
                        responseParameters: {{method.response.header.X-A: "'a'"}}
"""))
    [route] = graph.routes
    integration = route.integration
    assert integration is not None and integration.rest is not None
    assert (route.function, integration.kind) == ("Fn", IntegrationKind.LAMBDA)
    assert integration.rest.request_templates == (("application/json", '{"a": 1}'),)
    assert (integration.rest.passthrough_behavior, integration.rest.content_handling) == (
        "WHEN_NO_TEMPLATES", "CONVERT_TO_TEXT")
    assert integration.rest.responses == (
        IntegrationResponse(selection_pattern="Bad.*", status_code="400",
                            templates=(("application/json", "x"),)),
        IntegrationResponse(status_code="200",
                            parameters=(("method.response.header.X-A", "'a'"),)))
    assert [t.route for t in graph.function("Fn").events] == [route]


def test_a_sam_definition_body_names_every_operation_it_cannot_serve() -> None:
    graph = graph_of(sam_api("""\
              /elsewhere:
                get:
                  x-amazon-apigateway-integration:
                    type: aws_proxy
                    httpMethod: POST
                    uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\\
                      arn:aws:lambda:us-east-1:123456789012:function:gone/invocations"
              /private:
                get:
                  x-amazon-apigateway-integration:
                    type: http_proxy
                    uri: http://internal.example/
                    connectionType: VPC_LINK
              /odd:
                get:
                  x-amazon-apigateway-integration:
                    type: mock
                    responses: {default: {statusCode: "OK"}}
"""))
    assert graph.routes == ()
    assert [(n.subject, n.reason) for n in graph.not_run_locally] == [
        ("Api.DefinitionBody", "GET /elsewhere: the aws_proxy integration names no function "
                               "of this template, so this route is not served"),
        ("Api.DefinitionBody", "GET /private: a private integration (VPC_LINK) is not run "
                               "locally, so this route is not served"),
        ("Api.DefinitionBody", "GET /odd: the default response's statusCode 'OK' is not an "
                               "HTTP status code, so this route is not served"),
    ]
    assert [n.at.line for n in graph.not_run_locally] == sorted(
        {n.at.line for n in graph.not_run_locally})


def test_a_template_or_pattern_the_gateway_cannot_run_names_its_route() -> None:
    """Found when the graph is built, so `samlite up` names the route at startup instead of
    answering 500 to the first request that reaches it."""
    graph = graph_of(sam_api(f"""\
              /request:
                post:
                  x-amazon-apigateway-integration:
                    type: aws
                    httpMethod: POST
                    uri: !Sub {URI}
                    requestTemplates: {{application/json: "#if($input.body) yes"}}
              /response:
                get:
                  x-amazon-apigateway-integration:
                    type: mock
                    requestTemplates: {{application/json: '{{"statusCode": 200}}'}}
                    responses:
                      default:
                        statusCode: "200"
                        responseTemplates: {{text/plain: "#end"}}
              /pattern:
                get:
                  x-amazon-apigateway-integration:
                    type: aws
                    httpMethod: POST
                    uri: !Sub {URI}
                    responses:
                      "[Bad.*": {{statusCode: "400"}}
                      default: {{statusCode: "200"}}
              /proxied:
                get:
                  x-amazon-apigateway-integration:
                    type: http_proxy
                    uri: http://127.0.0.1:9/
                    requestTemplates: {{application/json: "#end"}}
"""))
    assert [r.path for r in graph.routes] == ["/proxied"]   # a proxy renders no template
    assert [(n.subject, n.reason) for n in graph.not_run_locally] == [
        ("Api.DefinitionBody", "POST /request: its application/json request template does not "
         "parse (line 1, column 21: expected #else, #elseif or #end in if directive), so "
         "this route is not served"),
        ("Api.DefinitionBody", "GET /response: the default response's text/plain template "
         "does not parse (line 1, column 1: expected block element in template body, got: "
         "#end ...), so this route is not served"),
        ("Api.DefinitionBody", "GET /pattern: the selectionPattern '[Bad.*' is not a regular "
         "expression (unterminated character set at position 6), so this route is not "
         "served"),
    ]


def test_a_plain_method_whose_template_does_not_parse_is_named() -> None:
    graph = graph_of(f"""\
      Rest: {{Type: AWS::ApiGateway::RestApi, Properties: {{Name: r}}}}
      Quote:
        Type: AWS::ApiGateway::Method
        Properties:
          RestApiId: !Ref Rest
          ResourceId: !GetAtt Rest.RootResourceId
          HttpMethod: POST
          AuthorizationType: NONE
          Integration:
            Type: AWS
            IntegrationHttpMethod: POST
            Uri: !Sub "{URI}"
            IntegrationResponses:
              - {{StatusCode: "200", ResponseTemplates: {{application/json: "${{x"}}}}
    """)
    assert graph.routes == ()
    assert [(n.subject, n.reason) for n in graph.not_run_locally] == [
        ("Quote", "POST /: the default response's application/json template does not parse "
                  "(line 1, column 4: expected } in formal reference), so this route is not "
                  "served")]


def test_a_plain_method_is_named_at_the_line_of_its_unservable_value() -> None:
    resources = """\
      Rest: {Type: AWS::ApiGateway::RestApi, Properties: {Name: r}}
      Quote:
        Type: AWS::ApiGateway::Method
        Properties:
          RestApiId: !Ref Rest
          ResourceId: !GetAtt Rest.RootResourceId
          HttpMethod: POST
          AuthorizationType: NONE
          Integration:
            Type: MOCK
            IntegrationResponses:
              - SelectionPattern: "4\\\\d{2}"
                StatusCode: "400"
              - SelectionPattern: "(5"
                StatusCode: "500"
    """
    [named] = graph_of(resources).not_run_locally
    assert "the selectionPattern '(5' is not a regular expression" in named.reason
    text = FUNCTIONS + indent(dedent(resources), "  ")
    assert named.at.line == text.splitlines().index('          - SelectionPattern: "(5"') + 1
