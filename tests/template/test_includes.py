"""Local files a template pulls in (AWS::Include, DefinitionUri, BodyS3Location): what the
graph then shows, and the errors `validate` reports at the line that names a file."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from samlite.graph.build import build_graph
from samlite.graph.model import Graph
from samlite.template.resolve import resolve
from samlite.validation.pipeline import validate_file

FUNCTION = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(event, context): pass"
"""
LAMBDA_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
              "arn:aws:lambda:us-east-1:123456789012:function:hello/invocations")
OPENAPI = f"""\
openapi: 3.0.1
paths:
  /hello:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: {LAMBDA_URI}
  /streamed:
    get:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:kinesis:action/PutRecord
"""


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(dedent(text))
    return folder / "template.yaml"


def graph_of(template: Path) -> Graph:
    result = validate_file(template, name="template.yaml")
    assert result.resolved is not None
    assert [str(p) for p in result.problems if p.is_error] == []
    return build_graph(result.resolved)


def routes(graph: Graph) -> list[tuple[str, str, str, str | None, str]]:
    return [(r.api, r.method, r.path, r.function, str(r.at)) for r in graph.routes]


def test_an_aws_include_in_definition_body_is_read_with_its_own_lines(tmp_path: Path) -> None:
    template = write(tmp_path, {"template.yaml": FUNCTION.replace("hello", "Hello") + """\
      FunctionName: hello
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: specs/api.yaml}
""", "specs/api.yaml": OPENAPI})
    graph = graph_of(template)
    assert routes(graph) == [("Api", "GET", "/hello", "Hello", "specs/api.yaml:4:5")]


def test_intrinsics_in_an_included_file_are_evaluated(tmp_path: Path) -> None:
    spec = OPENAPI.replace(f"uri: {LAMBDA_URI}", "uri: !Sub arn:aws:apigateway:${AWS::Region}"
                           ":lambda:path/2015-03-31/functions/${Hello.Arn}/invocations")
    template = write(tmp_path, {"template.yaml": FUNCTION + """\
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody: {"Fn::Transform": {Name: AWS::Include, Parameters: {Location: api.yaml}}}
""", "api.yaml": spec.replace(
        "type: aws\n        httpMethod: POST\n"
        "        uri: arn:aws:apigateway:us-east-1:kinesis:action/PutRecord",
        "type: http_proxy\n        uri: http://x")})
    assert routes(graph_of(template))[0] == ("Api", "GET", "/hello", "Hello", "api.yaml:4:5")


def test_a_definition_uri_file_serves_its_routes_and_names_what_is_not_run(
        tmp_path: Path) -> None:
    template = write(tmp_path, {"template.yaml": FUNCTION + """\
      FunctionName: hello
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionUri: api.yaml
""", "api.yaml": OPENAPI})
    graph = graph_of(template)
    assert routes(graph) == [("Api", "GET", "/hello", "Hello", "api.yaml:4:5")]


def test_a_json_body_s3_location_of_a_plain_rest_api_is_read(tmp_path: Path) -> None:
    spec = ('{\n  "openapi": "3.0.1",\n  "paths": {\n    "/hello": {\n      "get": {\n'
            '        "x-amazon-apigateway-integration": {"type": "aws", "httpMethod": "POST",\n'
            '          "uri": "arn:aws:apigateway:us-east-1:kinesis:action/PutRecord"}\n'
            '      }\n    }\n'
            '  }\n}\n')
    template = write(tmp_path, {"template.yaml": FUNCTION + """\
  Rest:
    Type: AWS::ApiGateway::RestApi
    Properties:
      BodyS3Location: api.json
""", "api.json": spec})
    graph = graph_of(template)
    assert [(n.subject, str(n.at), n.reason) for n in graph.not_run_locally] == [
        ("Rest.BodyS3Location", "api.json:5:7",
         "GET /hello: the AWS service integration to kinesis is not run locally (SQS and S3 "
         "ones are), so this route is not served")]


def test_an_openapi_file_in_s3_is_named_as_not_run(tmp_path: Path) -> None:
    template = write(tmp_path, {"template.yaml": FUNCTION + """\
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: s3://bucket/api.yaml
"""})
    graph = graph_of(template)
    assert [(n.subject, str(n.at)) for n in graph.not_run_locally] == [
        ("Api.DefinitionUri", "template.yaml:12:7")]
    assert "in S3 and not read locally" in graph.not_run_locally[0].reason


def test_a_missing_file_is_an_error_at_the_line_that_names_it(tmp_path: Path) -> None:
    template = write(tmp_path, {"template.yaml": FUNCTION + """\
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters:
            Location: nowhere.yaml
"""})
    result = validate_file(template, name="template.yaml")
    assert not result.is_valid
    errors = [str(p) for p in result.problems if p.code == "E0010"]
    assert errors == [
        "template.yaml:17:23: error E0010 Resources.Api.Properties.DefinitionBody: "
        "Fn::Transform AWS::Include names 'nowhere.yaml', which cannot be read: no such "
        f"file (looked for {tmp_path / 'nowhere.yaml'})"]
    assert result.problems[0].resource == "Api"


def test_an_unparsable_file_is_an_error_naming_its_own_line(tmp_path: Path) -> None:
    template = write(tmp_path, {"template.yaml": FUNCTION + """\
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionUri: api.yaml
""", "api.yaml": "openapi: 3.0.1\npaths: [unclosed\n"})
    result = validate_file(template, name="template.yaml")
    [problem] = [p for p in result.problems if p.code == "E0010"]
    assert (str(problem.at), problem.resource) == ("template.yaml:13:22", "Api")
    assert problem.message.startswith("DefinitionUri names 'api.yaml', which is not a YAML or "
                                      "JSON mapping (api.yaml:3:1: not valid YAML")


def test_the_corpus_app_with_an_included_http_api_shows_its_route() -> None:
    corpus = Path(__file__).parents[3] / "shared/corpus/apps/api-sqs-lambda-python"
    result = validate_file(corpus / "template.yml", name="template.yml")
    assert result.resolved is not None
    graph = build_graph(resolve(result.loaded))
    assert [(r.method, r.path, r.target, str(r.at)) for r in graph.routes] == [
        ("POST", "/submit", "SQS-SendMessage", "api.yaml:7:5")]


def test_an_include_of_a_file_in_s3_is_named_as_not_run(tmp_path: Path) -> None:
    template = write(tmp_path, {"template.yaml": FUNCTION + """\
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: s3://bucket/api.yaml}
"""})
    graph = graph_of(template)
    assert [(n.subject, str(n.at), n.reason) for n in graph.not_run_locally] == [
        ("Api.DefinitionBody", "template.yaml:14:9",
         "DefinitionBody is Fn::Transform AWS::Include, which is not read locally, so its "
         "routes are not served (include a local file instead)")]


def test_the_files_read_are_listed_for_hot_reload(tmp_path: Path) -> None:
    template = write(tmp_path, {"template.yaml": FUNCTION + """\
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionUri: api.yaml
""", "api.yaml": OPENAPI})
    assert validate_file(template).loaded.included_files == (tmp_path / "api.yaml",)
