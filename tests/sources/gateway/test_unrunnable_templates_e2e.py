"""A mapping template the gateway cannot parse, a selectionPattern that is not a regular
expression, or a statusCode that is no HTTP status, is found at startup: the app starts, its
summary names the route under "Not run locally" at the line of the offending value, and the
route is absent (REST's 403) instead of answering 500 to the first request. A real HTTP
client against the gateway on a free port."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from samlite.cli.summary import startup_lines
from samlite.testing import RunningApp

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        swagger: "2.0"
        info: {title: mocks, version: "1"}
        paths:
          /ok:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses:
                  default:
                    statusCode: "200"
                    responseTemplates: {application/json: '{"ok": true}'}
          /broken:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses:
                  default:
                    statusCode: "200"
                    responseTemplates: {application/json: '#if($input.body) {"ok": true}'}
          /pattern:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses:
                  "(5\\\\d\\\\d": {statusCode: "503"}
                  default: {statusCode: "200"}
          /status:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses:
                  default:
                    statusCode: abc
"""


def test_a_route_the_gateway_cannot_run_is_named_at_startup_and_not_served(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    app = samlite_app_factory(template)

    ok = app.get("/ok")
    broken = app.get("/broken")
    pattern = app.get("/pattern")
    status = app.get("/status")

    assert (ok.status, ok.json()) == (200, {"ok": True})
    for reply in (broken, pattern, status):
        assert (reply.status, json.loads(reply.body)) == (
            403, {"message": "Missing Authentication Token"})
    lines = startup_lines(app.app.graph, (), runtime_kind="process", route_lines=(),
                          function_urls={})
    named = lines[lines.index("Not run locally") + 1:]
    assert named == [
        f"  {template}:29: Api.DefinitionBody (AWS::Serverless::Api): GET /broken: the "
        "default response's application/json template does not parse (line 1, column 30: "
        "expected #else, #elseif or #end in if directive), so this route is not served",
        f"  {template}:36: Api.DefinitionBody (AWS::Serverless::Api): GET /pattern: the "
        "selectionPattern '(5\\d\\d' is not a regular expression (missing )), so this "
        "route is not served",
        f"  {template}:45: Api.DefinitionBody (AWS::Serverless::Api): GET /status: the "
        "default response's statusCode 'abc' is not an HTTP status code, so this route is "
        "not served",
    ]
