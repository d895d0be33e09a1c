"""`samlite graph` draws an API's Lambda authorizers (an edge to each authorizer's function)
and keeps an event route that is not served visible (an edge marked not_served)."""

from __future__ import annotations

from samlite.graph.model import Edge, EdgeKind
from samlite.graph.render import render_mermaid, render_text
from tests.sources.gateway.test_server import graph_of

TEMPLATE = """
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Auth:
        DefaultAuthorizer: Tokens
        Authorizers:
          Tokens: {FunctionArn: !GetAtt Authorizer.Arn}
      DefinitionBody:
        swagger: "2.0"
        paths:
          /items:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/\\
                  functions/${Fn.Arn}/invocations"
  Authorizer:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: index.handler, CodeUri: src}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      CodeUri: src
      Events:
        Other:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /other, Method: get}
"""


def test_an_api_has_an_edge_to_its_lambda_authorizers_function() -> None:
    graph = graph_of(TEMPLATE)
    assert Edge(source="Api", target="Authorizer", kind=EdgeKind.AUTHORIZER,
                label="Tokens") in graph.edges
    assert "Api -> Authorizer  authorizer (Tokens)" in render_text(graph)


def test_an_event_route_not_served_stays_in_the_drawing_as_such() -> None:
    graph = graph_of(TEMPLATE)
    assert Edge(source="Api", target="Fn", kind=EdgeKind.NOT_SERVED,
                label="GET /other") in graph.edges
    assert '-.->|"not_served: GET /other"|' in render_mermaid(graph)
    assert any(n.subject == "Fn.Events.Other" for n in graph.not_run_locally)
