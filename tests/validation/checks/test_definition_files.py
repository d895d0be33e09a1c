"""`samlite validate` warns of an intrinsic function in a DefinitionUri / BodyS3Location file
(API Gateway imports the file as written) at the intrinsic's line in that file."""

from __future__ import annotations

from pathlib import Path

from samlite.validation.pipeline import validate_file

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  PetsFunction:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: index.handler, InlineCode: "def handler(e, c): pass"}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: openapi/uri.yaml
"""
SPEC = """\
swagger: "2.0"
info: {title: pets, version: "1"}
paths:
  /pets:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri:
          Fn::Sub: arn:aws:apigateway:${AWS::Region}:lambda:path/${PetsFunction.Arn}
  /plain:
    get:
      x-amazon-apigateway-integration:
        type: mock
        uri: !Ref Nothing
"""


def test_an_intrinsic_in_a_definition_uri_file_is_a_warning_at_its_line(
        tmp_path: Path) -> None:
    (tmp_path / "openapi").mkdir()
    (tmp_path / "openapi" / "uri.yaml").write_text(SPEC, encoding="utf-8")
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    result = validate_file(template)
    why = ("in the DefinitionUri file: intrinsic functions in a DefinitionUri / BodyS3Location "
           "file are not evaluated by API Gateway; use Fn::Transform AWS::Include or an "
           "inline DefinitionBody; samlite up does not serve ")
    assert [(p.code, str(p.at), p.message) for p in result.problems] == [
        ("W7418", f"{tmp_path}/openapi/uri.yaml:10:11", f"Fn::Sub {why}GET /pets"),
        ("W7418", f"{tmp_path}/openapi/uri.yaml:15:14", f"Ref {why}GET /plain"),
    ]
    assert result.is_valid
