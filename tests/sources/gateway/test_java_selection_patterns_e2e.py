"""selectionPatterns are Java regular expressions: Java syntax Python's re lacks (\\p{...},
(?<name>...), possessive quantifiers) is served and picks its response, and validate says
nothing about it. A real HTTP client against the gateway on a free port."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from samlite.testing import RunningApp
from samlite.validation.pipeline import validate_file

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
          /teapot:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 418}'}
                responses:
                  '(?<family>4)\\p{Digit}++': {statusCode: "400"}
                  default: {statusCode: "200"}
"""


def test_a_java_selection_pattern_is_served(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    app = samlite_app_factory(template)

    assert app.get("/teapot").status == 400
    assert not app.app.graph.not_run_locally


def test_validate_accepts_java_selection_patterns(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    assert [str(p) for p in validate_file(template).problems] == []
