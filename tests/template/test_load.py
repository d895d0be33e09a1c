from __future__ import annotations

from pathlib import Path

import pytest

from samlite.errors import UnreadableFile
from samlite.template.load import load_template, parse_template
from samlite.template.nodes import mark_at

SHORT_FORMS = [
    ("ref", "!Ref Name", {"Ref": "Name"}),
    ("condition", "!Condition IsProd", {"Condition": "IsProd"}),
    ("getatt dotted", "!GetAtt Queue.Arn", {"Fn::GetAtt": ["Queue", "Arn"]}),
    ("getatt nested attribute", "!GetAtt Stack.Outputs.Url",
     {"Fn::GetAtt": ["Stack", "Outputs.Url"]}),
    ("getatt list", "!GetAtt [Queue, Arn]", {"Fn::GetAtt": ["Queue", "Arn"]}),
    ("sub", "!Sub '${AWS::Region}-x'", {"Fn::Sub": "${AWS::Region}-x"}),
    ("sub list", "!Sub ['${A}', {A: b}]", {"Fn::Sub": ["${A}", {"A": "b"}]}),
    ("if", "!If [C, a, b]", {"Fn::If": ["C", "a", "b"]}),
    ("join", "!Join ['-', [a, b]]", {"Fn::Join": ["-", ["a", "b"]]}),
    ("select", "!Select [0, [a]]", {"Fn::Select": [0, ["a"]]}),
    ("split", "!Split [',', 'a,b']", {"Fn::Split": [",", "a,b"]}),
    ("findinmap", "!FindInMap [M, k, v]", {"Fn::FindInMap": ["M", "k", "v"]}),
    ("equals", "!Equals [a, b]", {"Fn::Equals": ["a", "b"]}),
    ("and", "!And [!Condition A, !Condition B]",
     {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
    ("or", "!Or [!Condition A, !Condition B]",
     {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
    ("not", "!Not [!Condition A]", {"Fn::Not": [{"Condition": "A"}]}),
    ("base64", "!Base64 text", {"Fn::Base64": "text"}),
    ("cidr", "!Cidr ['10.0.0.0/16', 4, 8]", {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
    ("getazs", "!GetAZs ''", {"Fn::GetAZs": ""}),
    ("importvalue", "!ImportValue Shared", {"Fn::ImportValue": "Shared"}),
    ("transform", "!Transform {Name: AWS::Include, Parameters: {Location: a.yaml}}",
     {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "a.yaml"}}}),
]


@pytest.mark.parametrize(("case", "source", "expected"), SHORT_FORMS,
                         ids=[c[0] for c in SHORT_FORMS])
def test_short_forms_become_long_forms(case: str, source: str, expected: object) -> None:
    loaded = parse_template(f"Value: {source}\n", name="t.yaml")
    assert loaded.problems == ()
    assert loaded.root["Value"] == expected


def test_every_value_knows_its_line_and_column() -> None:
    text = ("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
            "    Properties:\n      MemorySize: 64\n")
    root = parse_template(text, name="template.yaml").root
    at = mark_at(root, ["Resources", "Fn", "Properties", "MemorySize"], root.mark)
    assert str(at) == "template.yaml:5:19"


def test_duplicate_keys_are_an_error_at_the_second_key() -> None:
    loaded = parse_template("Resources:\n  A: 1\n  A: 2\n", name="t.yaml")
    [problem] = loaded.problems
    assert problem.is_error
    assert str(problem.at) == "t.yaml:3:3"
    assert "duplicate key 'A' (first defined at line 2)" in problem.message


def test_template_version_date_stays_a_string() -> None:
    loaded = parse_template("AWSTemplateFormatVersion: 2010-09-09\n", name="t.yaml")
    assert loaded.root["AWSTemplateFormatVersion"] == "2010-09-09"


def test_json_templates_load_with_positions() -> None:
    text = '{\n  "Resources": {\n    "Q": {"Type": "AWS::SQS::Queue"}\n  }\n}\n'
    root = parse_template(text, name="t.json").root
    assert root["Resources"]["Q"]["Type"] == "AWS::SQS::Queue"
    assert mark_at(root, ["Resources", "Q"], root.mark).line == 3


BAD_INPUT = [
    ("yaml syntax", "Resources:\n  A: [1\n", "t.yaml:3:1", "not valid YAML"),
    ("empty", "  \n", "t.yaml:1:1", "the template is empty"),
    ("a list", "- 1\n- 2\n", "t.yaml:1:1", "got a list"),
    ("a string", "hello\n", "t.yaml:1:1", "got a str value"),
    ("unknown tag", "A: !Reff B\n", "t.yaml:1:4", "unknown tag !Reff"),
]


@pytest.mark.parametrize(("case", "text", "where", "says"), BAD_INPUT,
                         ids=[c[0] for c in BAD_INPUT])
def test_bad_input_becomes_a_problem(case: str, text: str, where: str, says: str) -> None:
    [problem] = parse_template(text, name="t.yaml").problems
    assert str(problem.at) == where
    assert says in problem.message


def test_deep_nesting_is_reported_not_crashed() -> None:
    text = "A: " + "[" * 5000 + "]" * 5000 + "\n"
    problems = parse_template(text, name="t.yaml").problems
    assert problems
    assert all(p.is_error for p in problems)


UNREADABLE = [
    ("missing", None, "no such file"),
    ("binary", b"\x00\x01\x02PK", "binary file"),
    ("not utf-8", b"Resources: \xff\xfe\n", "not UTF-8"),
]


@pytest.mark.parametrize(("case", "content", "says"), UNREADABLE,
                         ids=[c[0] for c in UNREADABLE])
def test_unreadable_files_say_why(tmp_path: Path, case: str, content: bytes | None,
                                  says: str) -> None:
    path = tmp_path / "template.yaml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=says):
        load_template(path)


def test_a_folder_is_not_a_template(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="is a folder"):
        load_template(tmp_path)


def test_every_corpus_template_loads(corpus: Path) -> None:
    paths = [*sorted(corpus.glob("sam-translator/*/*.yaml")),
             *sorted(corpus.glob("apps/*/template.y*ml"))]
    assert len(paths) > 200
    failures = {p.name: loaded.problems for p in paths if (loaded := load_template(p)).problems}
    # one invalid translator input repeats a logical id: that is the only duplicate key expected
    assert set(failures) <= {"error_invalid_logical_id.yaml", "error_duplicate_logical_id.yaml"}


def test_aliases_and_merge_keys_share_their_anchor_values() -> None:
    text = ("Mappings:\n  Base: &base {Size: 1, Name: !Ref N}\n  Copy: *base\n"
            "  Merged: {<<: *base, Size: 2}\n")
    mappings = parse_template(text, name="t.yaml").root["Mappings"]
    assert mappings["Copy"] == {"Size": 1, "Name": {"Ref": "N"}}
    assert mappings["Merged"] == {"Size": 2, "Name": {"Ref": "N"}}


# The loader looks for merge keys only in a text that can spell one: each way still merges.
@pytest.mark.parametrize("key", ["<<", "!!merge <<", "!!merge x",
                                 "!<tag:yaml.org,2002:merge> x", "!e!ge x",
                                 "!<tag:yaml.org,2002:m%65rge> x"],
                         ids=["plain", "tagged", "tag only", "verbatim", "tag directive",
                              "escaped"])
def test_a_merge_key_merges_however_it_is_written(key: str) -> None:
    head = "%TAG !e! tag:yaml.org,2002:mer\n---\n" if key.startswith("!e!") else ""
    text = f"{head}Base: &base {{Size: 1, Name: n}}\nMerged:\n  {key}: *base\n  Extra: 2\n"
    loaded = parse_template(text, name="t.yaml")
    assert loaded.problems == ()
    assert loaded.root["Merged"] == {"Size": 1, "Name": "n", "Extra": 2}


@pytest.mark.parametrize("text", ["A: &a [1, *a]\n", "A: &a {B: *a}\n"],
                         ids=["sequence", "mapping"])
def test_an_anchor_used_inside_itself_is_a_problem(text: str) -> None:
    loaded = parse_template(text, name="t.yaml")
    assert [str(p) for p in loaded.problems] == [
        "t.yaml:1:4: error E0001 not valid YAML: found unconstructable recursive node"]


def test_yaml_1_1_scalars_read_as_cloudformation_reads_them() -> None:
    text = "A: 017\nB: yes\nC: 0o17\nD: ~\nE: 1.5\nF: !!binary aGk=\n"
    assert dict(parse_template(text, name="t.yaml").root) == {
        "A": 15, "B": True, "C": "0o17", "D": None, "E": 1.5, "F": b"hi"}
