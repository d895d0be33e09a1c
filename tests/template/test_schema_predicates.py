"""The compiled schema predicates: every shipped schema compiles, and a template gets exactly
the problems jsonschema alone finds (the predicates only skip work, never a finding)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from samlite.template import schema
from samlite.template.load import load_template, parse_template
from samlite.template.schema_predicates import UncompiledKeyword, compile_predicate

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
TEMPLATES = sorted([*CORPUS.glob("sam-translator/*/*.yaml"),
                    *CORPUS.glob("apps/*/template.y*ml")])

# Values where jsonschema's widened rules and CloudFormation's intrinsics meet.
TRICKY = {
    "intrinsic in place of a list": """
      Layers: !Ref LayerList
      Environment: {Variables: {A: !Ref B, C: 1, D: true}}""",
    "wrong value beside an intrinsic": """
      MemorySize: lots
      Timeout: !Ref T""",
    "a Fn:: key among properties": """
      Fn::If: [C, {}, {}]
      Tags: {Team: a}""",
    "numbers and booleans as text": """
      MemorySize: "512"
      Timeout: 3.0
      AutoPublishAlias: 7
      Tracing: Active""",
    "a number where a role ARN goes": """
      Role: 12""",
    "a boolean where an enum value goes": """
      PackageType: true""",
    "unknown property with an intrinsic value": """
      Memory: !Ref M""",
    "event with a wrong property type": """
      Events:
        Q: {Type: SQS, Properties: {Queue: [1], BatchSize: "ten"}}""",
    "event with an intrinsic Properties": """
      Events:
        Q: {Type: SQS, Properties: !Ref Props}""",
}


def _problems(loaded, *, fast: bool, monkeypatch) -> list[str]:
    with monkeypatch.context() as patch:
        if not fast:
            compiled = schema._compiled()
            checkers = [compiled.template, *compiled.resources.values(),
                        *compiled.events.values()]
            for checker in checkers:
                patch.setattr(checker, "is_valid", lambda value: None)
        return [f"{p} {p.path}" for p in schema.check_schema(loaded)]


def test_every_shipped_schema_compiles() -> None:
    shipped = schema._shipped_schemas()
    subs = [*shipped.values(), *shipped["function-events.json"]["$defs"].values()]
    for each in subs:
        compile_predicate(each)   # raises UncompiledKeyword for what it cannot decide


def test_an_unknown_keyword_is_not_guessed() -> None:
    with pytest.raises(UncompiledKeyword, match="oneOf"):
        compile_predicate({"oneOf": [{"type": "string"}]})


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_template_gets_the_problems_jsonschema_finds(path: Path, monkeypatch) -> None:
    loaded = load_template(path)
    assert _problems(loaded, fast=True, monkeypatch=monkeypatch) == \
        _problems(loaded, fast=False, monkeypatch=monkeypatch)


@pytest.mark.parametrize("props", TRICKY.values(), ids=list(TRICKY))
def test_tricky_values_get_the_problems_jsonschema_finds(props: str, monkeypatch) -> None:
    text = ("Transform: AWS::Serverless-2016-10-31\n"
            "Parameters:\n  Count: {Type: 5}\n  bad-name: {Type: String}\n"
            "Globals:\n  Function:\n    Timeout: soon\n"
            "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      Handler: app.handler\n      Runtime: python3.12\n"
            + textwrap.indent(textwrap.dedent(props).strip("\n"), "      ") + "\n"
            "  Topic:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: 5}\n")
    loaded = parse_template(text, name="template.yaml")
    fast = _problems(loaded, fast=True, monkeypatch=monkeypatch)
    assert fast == _problems(loaded, fast=False, monkeypatch=monkeypatch)
    assert fast   # each case has something wrong: the fast path must not hide it


@pytest.mark.parametrize(("case", "sub", "value", "expected"), [
    ("integer as text", {"type": "integer"}, "512", True),
    ("boolean is not an integer", {"type": "integer"}, True, False),
    ("intrinsic stands for any value", {"type": "array"}, {"Ref": "L"}, True),
    ("closed mapping refuses an extra key", {"type": "object", "additionalProperties": False},
     {"A": {"Ref": "X"}}, False),
    ("closed mapping lets Fn:: keys through", {"type": "object", "additionalProperties": False},
     {"Fn::If": ["C", 1, 2]}, True),
    ("number in enum as text", {"enum": ["2.0"]}, 2.0, True),
    ("a number is matched as its digits", {"pattern": "^[0-9]+$"}, 5, True),
    ("a number is measured as its digits", {"minLength": 2}, 5, False),
    ("minimum on numeric text", {"minimum": 128}, "64", False),
], ids=lambda v: v if isinstance(v, str) else "")
def test_predicate_answers(case: str, sub: dict, value: object, expected: bool) -> None:
    assert compile_predicate(sub)(value) is expected


def test_a_number_where_text_is_checked_is_a_problem_not_a_crash() -> None:
    text = ("Parameters:\n  Count: {Type: 5}\nResources:\n  Topic:\n"
            "    Type: AWS::SNS::Topic\n    Properties: {TopicName: 5}\n")
    found = [str(p) for p in schema.check_schema(parse_template(text, name="template.yaml"))]
    assert found == ['template.yaml:2:17: error E1011 Parameters.Count.Type: Type must be '
                     'String, Number, List<Number>, CommaDelimitedList or an AWS-specific type, '
                     'got 5']
