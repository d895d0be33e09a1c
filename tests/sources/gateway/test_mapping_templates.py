"""The Velocity mapping-template engine with API Gateway's variables, against the examples of
the developer guide's "Variables for data transformations for API Gateway" (the $input /
$util / $context reference, here "API Gateway Mapping Template and Access Logging Variable
Reference") and "Examples using variables for mapping template transformations"."""

from __future__ import annotations

import json

import pytest

from samlite.sources.gateway.mapping_templates import (
    TemplateData,
    TemplateError,
    escape_javascript,
    render,
)

# "$input Variable Template Examples" > "Parameter Mapping Template Example"
ALL_PARAMS = """\
#set($allParams = $input.params())
{
  "params" : {
    #foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
    "$type" : {
      #foreach($paramName in $params.keySet())
      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
      #if($foreach.hasNext),#end
      #end
    }
    #if($foreach.hasNext),#end
    #end
  }
}
"""


def test_the_guides_parameter_mapping_template_passes_every_parameter() -> None:
    data = TemplateData(path={"id": "abc"}, querystring={"name": "Ada"},
                        header={"X-Trace": "t-1"})
    assert json.loads(render(ALL_PARAMS, data)) == {"params": {
        "path": {"id": "abc"}, "querystring": {"name": "Ada"}, "header": {"X-Trace": "t-1"}}}


def test_the_guides_input_example_reads_a_parameter_a_count_and_a_subtree() -> None:
    # "Example Request and Response Using $input", POST /things/abc (escapeJavaScript left
    # out: on JSON text it escapes the quotes, which the guide's sample output does not show)
    template = """{
    "id" : "$input.params('id')",
    "count" : "$input.path('$.things').size()",
    "things" : $input.json('$.things')
}"""
    body = json.dumps({"things": {"1": {}, "2": {}, "3": {}}})
    out = render(template, TemplateData(body=body, path={"id": "abc"}))
    assert json.loads(out) == {"id": "abc", "count": "3",
                               "things": {"1": {}, "2": {}, "3": {}}}


def test_the_guides_parse_json_example() -> None:
    # $util.parseJson(): the payload and template of the reference's $util table
    payload = json.dumps({"errorMessage": json.dumps({"key1": "var1",
                                                      "key2": {"arr": [1, 2, 3]}})})
    template = """#set ($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))
{
   "errorMessageObjKey2ArrVal" : $errorMessageObj.key2.arr[0]
}"""
    assert json.loads(render(template, TemplateData(body=payload))) == {
        "errorMessageObjKey2ArrVal": 1}


def test_the_guides_context_example_maps_context_variables() -> None:
    # "$context Variable Template Example" (a part of it)
    template = """{
    "stage" : "$context.stage",
    "request_id" : "$context.requestId",
    "resource_path" : "$context.resourcePath",
    "http_method" : "$context.httpMethod",
    "source_ip" : "$context.identity.sourceIp",
    "user" : "$context.identity.user"
}"""
    context = {"stage": "prod", "requestId": "abcdefg-000-000-0000-abcdefg",
               "resourcePath": "/", "httpMethod": "GET",
               "identity": {"sourceIp": "192.0.2.1", "user": ""}}
    assert json.loads(render(template, TemplateData(context=context))) == {
        "stage": "prod", "request_id": "abcdefg-000-000-0000-abcdefg", "resource_path": "/",
        "http_method": "GET", "source_ip": "192.0.2.1", "user": ""}


@pytest.mark.parametrize(("case", "template", "expected"), [
    ("json of the whole payload", "$input.json('$')", '{"a":{"b":[1,2]}}'),
    ("json of a dotted path", "$input.json('$.a.b')", "[1,2]"),
    ("json of an index", "$input.json('$.a.b[1]')", "2"),
    ("json of a bracketed name", "$input.json(\"$['a']['b'][0]\")", "1"),
    ("path walks in VTL", "$input.path('$.a').b.size()", "2"),
    ("a missing path renders nothing", "[$input.path('$.nope')]", "[]"),
    ("the raw body", "$input.body", '{"a": {"b": [1, 2]}}'),
    ("params(x): path before query before header", "$input.params('id')", "p"),
    ("params(x) falls back to a header, any case", "$input.params('x-only')", "h"),
    ("url encoding", "$util.urlEncode('a b&c=d/é')", "a+b%26c%3Dd%2F%C3%A9"),
    ("url decoding", "$util.urlDecode('a+b%26c')", "a b&c"),
    ("base64 both ways", "$util.base64Encode('hi?')|$util.base64Decode('aGk/')",
     "aGk/|hi?"),
    ("stage variables", "$stageVariables.color", "green"),
])
def test_input_and_util(case: str, template: str, expected: str) -> None:
    data = TemplateData(body='{"a": {"b": [1, 2]}}', path={"id": "p"},
                        querystring={"id": "q"}, header={"id": "h", "X-Only": "h"},
                        stage_variables={"color": "green"})
    assert render(template, data) == expected


def test_escape_javascript_follows_java_string_rules() -> None:
    # The reference: "This function will turn any regular single quotes (') into escaped
    # ones (\')"; double quotes, backslashes, "/" and control characters as Java escapes them.
    assert escape_javascript("He didn't say, \"Stop!\"\n/\\ é") == \
        "He didn\\'t say, \\\"Stop!\\\"\\n\\/\\\\ \\u00E9"


def test_an_empty_payload_reads_as_an_empty_object() -> None:
    assert render("$input.json('$')", TemplateData()) == "{}"


@pytest.mark.parametrize(("case", "template", "body"), [
    ("unclosed directive", "#if($input.body", ""),
    ("JSONPath on a body that is not JSON", "$input.json('$.a')", "not json"),
    ("not a JSONPath", "$input.json('a.b')", "{}"),
])
def test_a_broken_template_is_a_template_error(case: str, template: str, body: str) -> None:
    with pytest.raises(TemplateError):
        render(template, TemplateData(body=body))
