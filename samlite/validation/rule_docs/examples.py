"""Builders for the rule docs' example templates: a function, a REST API, an HTTP API, each
with extra properties written as plain YAML and indented here, so entries stay short and
every example is a whole template a reader can copy."""

from __future__ import annotations

import textwrap

from samlite.validation.rule_docs.model import SAM


def _props(extra: str) -> str:
    return textwrap.indent(textwrap.dedent(extra).strip("\n"), " " * 6) + "\n" if extra else ""


def function(extra: str = "", *, head: str = "", after: str = "",
             code: str = "CodeUri: s3://my-bucket/fn.zip") -> str:
    """A SAM template with a Python function `Fn` (code in S3); `extra` adds properties,
    `head` goes before Resources (Parameters, Conditions), `after` adds resources."""
    return (SAM + head + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
            f"    Properties:\n      {code}\n"
            "      Handler: app.handler\n      Runtime: python3.13\n"
            + _props(extra) + after)


def events(block: str, *, head: str = "", after: str = "") -> str:
    """`function` with `block` (YAML) as its Events."""
    return function("Events:\n" + textwrap.indent(textwrap.dedent(block).strip("\n"), "  "),
                    head=head, after=after)


def api(extra: str = "StageName: prod", *, name: str = "Api", after: str = "") -> str:
    """A SAM template with an AWS::Serverless::Api and `extra` as its properties."""
    return (SAM + f"Resources:\n  {name}:\n    Type: AWS::Serverless::Api\n"
            "    Properties:\n" + _props(extra) + after)


def http_api(extra: str, *, after: str = "") -> str:
    """A SAM template with an AWS::Serverless::HttpApi and `extra` as its properties."""
    return (SAM + "Resources:\n  Api:\n    Type: AWS::Serverless::HttpApi\n"
            "    Properties:\n" + _props(extra) + after)


def resource(name: str, kind: str, extra: str = "") -> str:
    """One more resource, for `after=`."""
    props = "    Properties:\n" + _props(extra) if extra else ""
    return f"  {name}:\n    Type: {kind}\n" + props
