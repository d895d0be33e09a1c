"""Rule docs for family 0: reading the template (template/load.py, template/includes.py) and
the suppressions themselves (validation/suppressions.py)."""

from __future__ import annotations

from samlite.validation.rule_docs.examples import http_api
from samlite.validation.rule_docs.model import RuleDoc

_QUEUE = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
_DEPTH = 3000      # deeper than Python's recursion allows a YAML reader to go

_OPENAPI = ("openapi: '3.0.1'\ninfo: {title: hello, version: '1'}\npaths:\n  /hello:\n"
            "    get:\n      x-amazon-apigateway-integration:\n        type: http_proxy\n"
            "        httpMethod: GET\n        uri: https://example.com/hello\n"
            "        payloadFormatVersion: '1.0'\n")


def _included(location: str) -> str:
    return http_api("DefinitionBody:\n  Fn::Transform:\n    Name: AWS::Include\n"
                    f"    Parameters:\n      Location: {location}")


DOCS: tuple[RuleDoc, ...] = (
    RuleDoc(
        code="E0001", title="The template is not valid YAML or JSON",
        why="CloudFormation parses the template before anything else and stops at a syntax "
            "error; the message gives the line and column where the parser gave up (often a "
            "tab, an unclosed quote or a wrongly indented line).",
        example=_QUEUE + "    Properties:\n      QueueName: 'jobs\n",
        fix=_QUEUE + "    Properties:\n      QueueName: 'jobs'\n",
    ),
    RuleDoc(
        code="E0002", title="The same key twice in one mapping",
        why="A YAML or JSON reader keeps only one of two equal keys, so one of the values "
            "would be lost without a word; which one depends on the reader.",
        example=_QUEUE + "  Queue:\n    Type: AWS::SNS::Topic\n",
        fix=_QUEUE + "  Topic:\n    Type: AWS::SNS::Topic\n",
    ),
    RuleDoc(
        code="E0003", title="A YAML tag that is not an intrinsic function",
        why="CloudFormation reads !Ref, !GetAtt, !Sub and the other short forms of its "
            "intrinsic functions; any other tag is refused.",
        example=_QUEUE + "    Properties:\n      QueueName: !Substitute '${AWS::StackName}-jobs'\n",
        fix=_QUEUE + "    Properties:\n      QueueName: !Sub '${AWS::StackName}-jobs'\n",
    ),
    RuleDoc(
        code="E0004", title="The template is empty",
        why="An empty file has no Resources, and CloudFormation needs at least one resource.",
        example="", example_shown="# (an empty file)",
        fix=_QUEUE,
    ),
    RuleDoc(
        code="E0005", title="The template is nested too deeply to read",
        why="Far beyond any real template (here 3,000 levels of lists): the reader runs out "
            "of stack, which almost always means a generator wrote the file wrongly.",
        example='{"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Metadata": {"Deep": '
                + "[" * _DEPTH + "]" * _DEPTH + "}}}}\n",
        example_shown='{"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Metadata": '
                      '{"Deep": [[[[[[[[…]]]]]]]]}}}}',
        fix=_QUEUE,
    ),
    RuleDoc(
        code="E0010", title="An AWS::Include file cannot be read",
        why="The AWS::Include transform inserts the file Location names; samlite reads local "
            "files as `sam package` would upload them, and a missing, unreadable or not "
            "YAML/JSON file fails the same way on AWS.",
        example=_included("openapi.yml"), fix=_included("openapi.yaml"),
        files={"openapi.yaml": _OPENAPI},
    ),
    RuleDoc(
        code="E0011", title="A template file that cannot be read at all",
        why="A path that does not exist, a folder, a binary file or one that is not UTF-8 "
            "text: nothing in it can be checked, and a deploy could not read it either. It is "
            "in the report (so JUnit and SARIF readers see a failure, not a pass) and the run "
            "exits 2, as for a usage error.",
        example="\x00\x01\x02", fix=_QUEUE,
        example_shown="# template.yaml is a binary file (or a folder, or not there at all)\n",
        found_by="samlite validate template.yaml",
    ),
    RuleDoc(
        code="W0011", title="A suppression names a code samlite does not report",
        why="A typo in an ignore or warn list (or a code from another tool, such as a "
            "cfn-lint rule id) would otherwise silence nothing without a word.",
        example="Metadata:\n  samlite:\n    ignore: [W3O09]\n" + _QUEUE,
        fix="Metadata:\n  samlite:\n    ignore: [W3009]\n" + _QUEUE,
    ),
)
