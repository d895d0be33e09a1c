"""Globals merged into Serverless resources the way SAM's translator merges them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from samlite.errors import Mark
from samlite.template.globals import merge_globals
from samlite.template.load import load_template, parse_template
from samlite.template.resolve import resolve

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


def merged_properties(globals_yaml: str, properties_yaml: str,
                      kind: str = "AWS::Serverless::Function") -> Any:
    text = textwrap.dedent(f"""\
        Globals:
          {kind.removeprefix("AWS::Serverless::")}: {globals_yaml}
        Resources:
          R:
            Type: {kind}
            Properties: {properties_yaml}
        """)
    resources, problems = merge_globals(parse_template(text, name="template.yaml").root)
    assert problems == ()
    return json.loads(json.dumps(resources["R"]["Properties"]))


@pytest.mark.parametrize(("globals_yaml", "properties_yaml", "expected"), [
    pytest.param("{Runtime: python3.12}", "{Handler: app.handler}",
                 {"Runtime": "python3.12", "Handler": "app.handler"}, id="adds-missing"),
    pytest.param("{Timeout: 3}", "{Timeout: 30}", {"Timeout": 30}, id="scalar-resource-wins"),
    pytest.param("{Environment: {Variables: {A: g, B: g}}}",
                 "{Environment: {Variables: {B: r, C: r}}}",
                 {"Environment": {"Variables": {"A": "g", "B": "r", "C": "r"}}},
                 id="maps-merge-recursively"),
    pytest.param("{Layers: [g1, g2]}", "{Layers: [r1, g1]}",
                 {"Layers": ["g1", "g2", "r1", "g1"]}, id="lists-concatenate-globals-first"),
    pytest.param("{CodeUri: s3://b/k}", "{CodeUri: {Bucket: b, Key: k}}",
                 {"CodeUri": {"Bucket": "b", "Key": "k"}}, id="different-kinds-resource-wins"),
    pytest.param("{Environment: {Variables: {A: g}}}",
                 "{Environment: !If [C, {Variables: {B: r}}, !Ref AWS::NoValue]}",
                 {"Environment": {"Fn::If": ["C", {"Variables": {"B": "r"}},
                                             {"Ref": "AWS::NoValue"}]}},
                 id="intrinsic-is-a-scalar"),
])
def test_merge_rules(globals_yaml: str, properties_yaml: str, expected: Any) -> None:
    assert merged_properties(globals_yaml, properties_yaml) == expected


@pytest.mark.parametrize(("kind", "globals_yaml"), [
    pytest.param("AWS::Serverless::Api", "{Cors: \"'*'\"}", id="api"),
    pytest.param("AWS::Serverless::HttpApi", "{FailOnWarnings: true}", id="http-api"),
    pytest.param("AWS::Serverless::SimpleTable", "{SSESpecification: {SSEEnabled: true}}",
                 id="simple-table"),
    pytest.param("AWS::Serverless::LayerVersion", "{PublishLambdaVersion: true}", id="layer"),
])
def test_each_serverless_type_gets_its_section(kind: str, globals_yaml: str) -> None:
    properties = merged_properties(globals_yaml, "{}", kind=kind)
    assert len(properties) == 1


def test_other_types_are_untouched() -> None:
    text = textwrap.dedent("""\
        Globals:
          Function: {Timeout: 9}
        Resources:
          Plain: {Type: AWS::Lambda::Function, Properties: {Handler: a.b}}
        """)
    resources, _ = merge_globals(parse_template(text, name="t.yaml").root)
    assert resources["Plain"]["Properties"] == {"Handler": "a.b"}


@pytest.mark.parametrize(("globals_yaml", "code", "words"), [
    pytest.param("[1, 2]", "E7201", "It must be a non-empty dictionary", id="not-a-mapping"),
    pytest.param("{Functions: {Timeout: 3}}", "E7202", "'Functions' is not supported",
                 id="unknown-section"),
    pytest.param("{Function: [Timeout]}", "E7203", "Value of Function must be a dictionary",
                 id="section-not-a-mapping"),
    pytest.param("{Function: {Timeout: 3, FunctionName: x}}", "E7204",
                 "'FunctionName' is not a supported property of 'Function'",
                 id="unsupported-property"),
])
def test_globals_problems(globals_yaml: str, code: str, words: str) -> None:
    text = f"Globals: {globals_yaml}\nResources: {{}}\n"
    _, problems = merge_globals(parse_template(text, name="t.yaml").root)
    assert [p.code for p in problems] == [code]
    assert words in problems[0].message
    assert problems[0].message.startswith("'Globals' section is invalid.")


def test_supported_properties_still_merge_next_to_an_unsupported_one() -> None:
    text = textwrap.dedent("""\
        Globals:
          Function: {Timeout: 3, Events: {}}
        Resources:
          Fn: {Type: AWS::Serverless::Function}
        """)
    resources, problems = merge_globals(parse_template(text, name="t.yaml").root)
    assert [p.path for p in problems] == ["Globals.Function.Events"]
    assert resources["Fn"]["Properties"] == {"Timeout": 3}


@pytest.mark.parametrize(("ignore", "expected", "codes"), [
    pytest.param('"*"', {}, [], id="ignore-all"),
    pytest.param("[Timeout]", {"Runtime": "python3.12"}, [], id="ignore-some"),
    pytest.param("[MemorySize]", {"Timeout": 3, "Runtime": "python3.12"}, ["E7205"],
                 id="ignore-property-not-in-globals"),
])
def test_ignore_globals(ignore: str, expected: Any, codes: list[str]) -> None:
    text = textwrap.dedent(f"""\
        Globals:
          Function: {{Timeout: 3, Runtime: python3.12}}
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            IgnoreGlobals: {ignore}
        """)
    resources, problems = merge_globals(parse_template(text, name="t.yaml").root)
    assert dict(resources["Fn"].get("Properties", {})) == expected
    assert [p.code for p in problems] == codes


def test_merged_values_point_at_the_line_they_came_from() -> None:
    text = textwrap.dedent("""\
        Globals:
          Function:
            Runtime: python3.12
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
        """)
    resources, _ = merge_globals(parse_template(text, name="t.yaml").root)
    properties = resources["Fn"]["Properties"]
    assert properties.mark_of("Runtime") == Mark("t.yaml", 3, 14)
    assert properties.mark_of("Handler") == Mark("t.yaml", 8, 16)


def test_resolve_applies_globals_before_intrinsics() -> None:
    text = textwrap.dedent("""\
        Parameters:
          Size: {Type: Number, Default: 1024}
        Globals:
          Function: {MemorySize: !Ref Size}
        Resources:
          Fn: {Type: AWS::Serverless::Function, Properties: {Handler: a.b}}
        """)
    result = resolve(parse_template(text, name="t.yaml"))
    assert dict(result.resources["Fn"].properties) == {"MemorySize": 1024, "Handler": "a.b"}
    assert result.resources["Fn"].raw["Properties"] == {"Handler": "a.b"}


@pytest.mark.parametrize(("name", "code"), [
    ("error_globals_is_not_dict.yaml", "E7201"),
    ("error_globals_unsupported_type.yaml", "E7202"),
    ("error_globals_unsupported_property.yaml", "E7204"),
    ("error_function_with_invalid_ignore_globals.yaml", "E7205"),
])
def test_corpus_globals_errors(name: str, code: str) -> None:
    path = CORPUS / "sam-translator" / "invalid" / name
    expected = json.loads((path.parent / "expected.json").read_text())[name]
    (problem,) = [p for p in resolve(load_template(path)).problems if p.code.startswith("E72")]
    assert problem.code == code
    assert problem.message in expected
