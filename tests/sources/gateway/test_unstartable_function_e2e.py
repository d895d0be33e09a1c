"""A route whose function cannot start here (its code is in S3) answers as API Gateway answers
a failed invoke — REST 502, HTTP API 500, with their own bodies — and the log says why; no
traceback, no samlite-made body. A real HTTP client against the gateway on a free port."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from samlite.testing import RunningApp

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  FromS3:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://some-bucket/app.zip
      Events:
        Rest: {Type: Api, Properties: {Path: /rest, Method: get}}
        Http: {Type: HttpApi, Properties: {Path: /http, Method: get}}
"""


def test_a_function_that_cannot_start_fails_its_route_as_a_failed_invoke(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    app = samlite_app_factory(template)

    rest, http = app.get("/rest"), app.get("/http")

    assert (rest.status, json.loads(rest.body)) == (502, {"message": "Internal server error"})
    assert (http.status, json.loads(http.body)) == (500, {"message": "Internal Server Error"})
    log = "\n".join(app.logs("FromS3"))
    assert "could not start" in log and "s3://some-bucket/app.zip" in log
    assert "Traceback" not in log
