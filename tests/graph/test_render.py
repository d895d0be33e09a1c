"""`samlite graph --format text|mermaid|dot|json`: what a user reads."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest

from samlite.graph.build import build_graph
from samlite.graph.model import Graph
from samlite.graph.render import (
    FORMATS,
    render_dot,
    render_graph,
    render_json,
    render_mermaid,
    render_text,
)
from samlite.template.load import load_template, parse_template
from samlite.template.resolve import resolve

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: jobs
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Dead.Arn, maxReceiveCount: 2}
  Dead: {Type: AWS::SQS::Queue, Properties: {QueueName: dead}}
  end: {Type: AWS::Kinesis::Stream}
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      MemorySize: 256
      Timeout: 10
      Environment:
        Variables:
          TOPIC: !Ref end
          GREETING: 'say "hi"'
      Events:
        Get: {Type: Api, Properties: {Path: /hello, Method: get}}
        Work: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn, BatchSize: 5}}
        Tick: {Type: Schedule, Properties: {Schedule: rate(1 hour)}}
        Stream:
          Type: Kinesis
          Properties:
            Stream: arn:aws:kinesis:us-east-1:123456789012:stream/s
            StartingPosition: LATEST
"""


@pytest.fixture
def graph() -> Graph:
    return build_graph(resolve(parse_template(TEMPLATE, name="template.yaml")))


def test_text_is_a_readable_summary(graph: Graph) -> None:
    lines = [line.rstrip() for line in render_text(graph).splitlines()]
    assert "Functions (1)" in lines
    row = lines[lines.index("Functions (1)") + 2]
    assert row.split()[:6] == ["Hello", "python3.12", "256", "MB", "10", "s"]
    assert "GET /hello -> Hello  (ServerlessRestApi, REST, payload 1.0)" in [
        ln.strip() for ln in lines]
    assert any(ln.split() == ["sqs", "Jobs", "->", "Hello", "Work,", "batch", "5"]
               for ln in lines)
    assert any(ln.split()[:3] == ["Jobs", "->", "Dead"] and "redrive" in ln for ln in lines)
    assert "Not run locally (2)" in lines
    assert any(ln.strip().startswith("Hello.Events.Stream (Kinesis): Kinesis events are not "
                                     "emulated locally") for ln in lines)
    assert "end (AWS::Kinesis::Stream): Kinesis is not served by the local AWS endpoint " \
           "(calls to it get NotImplemented)" in [ln.strip() for ln in lines]
    assert lines[-1] == "Other resources: AWS::Kinesis::Stream x1"


def test_text_of_an_empty_template() -> None:
    assert render_text(Graph()) == "No resources.\n"


def test_mermaid_has_typed_shapes_and_stable_ids(graph: Graph) -> None:
    text = render_mermaid(graph)
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert '  fn_Hello["Hello<br/>python3.12"]' in lines
    assert '  q_Jobs[/"Jobs"/]' in lines
    assert '  api_ServerlessRestApi{{"ServerlessRestApi<br/>REST API"}}' in lines
    assert '  s_HelloTick(("HelloTick<br/>rate(1 hour)"))' in lines
    # `end` is a mermaid keyword: every id carries its kind as a prefix
    assert '  r_end("end<br/>AWS::Kinesis::Stream")' in lines
    assert '  q_Jobs -->|"Work"| fn_Hello' in lines
    assert '  q_Jobs -.->|"redrive"| q_Dead' in lines
    assert '  fn_Hello -.->|"environment: TOPIC"| r_end' in lines
    assert render_mermaid(graph) == text


def test_dot_is_a_digraph_with_quoted_ids(graph: Graph) -> None:
    text = render_dot(graph)
    lines = text.splitlines()
    assert lines[0] == "digraph samlite {" and lines[-1] == "}"
    assert '  "Hello" [shape=box, label="Hello\\npython3.12"];' in lines
    assert '  "Jobs" -> "Hello" [label="Work"];' in lines
    assert '  "Jobs" -> "Dead" [label="redrive", style=dashed];' in lines
    assert '  "end" [shape=ellipse, label="end\\nAWS::Kinesis::Stream", style=dashed];' in lines


def test_json_is_the_documented_structure(graph: Graph) -> None:
    data = json.loads(render_json(graph))
    assert (data["format"], data["version"]) == ("samlite-graph", 1)
    [fn] = data["functions"]
    assert (fn["logical_id"], fn["memory_mb"], fn["timeout_s"]) == ("Hello", 256, 10)
    assert fn["environment"]["GREETING"] == 'say "hi"'
    assert fn["at"] == "template.yaml:10:3"
    assert [e["kind"] for e in fn["events"]] == ["api", "sqs", "schedule", "kinesis"]
    assert fn["events"][1]["sqs"]["batch_size"] == 5
    assert data["routes"][0]["method"] == "GET"
    assert {"source": "Jobs", "target": "Dead", "kind": "redrive", "label": ""} in data["edges"]
    assert data["other_resources"] == {"AWS::Kinesis::Stream": 1}
    assert data["other_nodes"] == [{"logical_id": "end", "type": "AWS::Kinesis::Stream"}]
    assert data["not_run_locally"][0]["subject"] == "Hello.Events.Stream"
    assert set(data) == {"format", "version", "functions", "layers", "buckets", "queues",
                         "secrets", "parameters", "tables", "schedules", "apis", "routes",
                         "function_urls", "load_balancer_targets",
                         "load_balancer_listeners", "api_keys", "topics", "event_buses",
                         "event_rules", "edges",
                         "not_run_locally", "other_resources", "other_nodes"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_by_name(graph: Graph, fmt: str) -> None:
    assert render_graph(graph, fmt) == FORMATS[fmt](graph)
    assert render_graph(graph, fmt).endswith("\n")


def test_an_unknown_format_names_the_known_ones(graph: Graph) -> None:
    with pytest.raises(ValueError, match="use one of text, mermaid, dot, json"):
        render_graph(graph, "svg")


def test_corpus_rest_app_text() -> None:
    path = CORPUS / "apps" / "apigw-rest-api-lambda-python" / "template.yaml"
    text = render_text(build_graph(resolve(load_template(path))))
    assert dedent("""\
        Routes (1)
          GET /hello -> HelloWorldFunction  (ServerlessRestApi, REST, payload 1.0)
        """) in text
    assert "HelloWorldFunction  python3.14  128 MB  3 s" in text
    assert "ServerlessRestApi -> HelloWorldFunction  trigger (HelloWorld)" in text


@pytest.mark.parametrize("path", sorted(CORPUS.glob("apps/*/template.y*ml")),
                         ids=lambda p: p.parent.name)
def test_every_corpus_app_renders_in_every_format(path: Path) -> None:
    graph = build_graph(resolve(load_template(path)))
    for fmt in FORMATS:
        assert render_graph(graph, fmt)
    json.loads(render_json(graph))


def test_text_lists_secrets_and_parameters_by_name_without_values() -> None:
    from samlite.graph.build import build_graph
    from samlite.template.load import parse_template
    from samlite.template.resolve import resolve

    graph = build_graph(resolve(parse_template(
        "Resources:\n"
        "  Db:\n    Type: AWS::SecretsManager::Secret\n"
        "    Properties: {Name: prod/db, SecretString: hunter2}\n"
        "  Url:\n    Type: AWS::SSM::Parameter\n"
        "    Properties: {Name: /app/url, Type: StringList, Value: 'a,b'}\n",
        name="template.yaml")))
    text = render_text(graph)
    assert "Secrets (1)\n  Db  prod/db  SecretString" in text
    assert "Parameters (1)\n  Url  /app/url  StringList" in text
    assert "hunter2" not in text
    assert "sec_Db[(\"Db<br/>secret\")]" in render_mermaid(graph)
