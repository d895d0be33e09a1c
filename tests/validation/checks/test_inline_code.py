"""`samlite validate` checks inline code (InlineCode, Code.ZipFile) as it checks a CodeUri
module: it must parse, the Handler must name module index and a function it defines. Each
problem points at the template line of the code (a syntax error at its own line in a `|`
block)."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.validation.pipeline import validate_file

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Broken:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.11
      Handler: index.handler
      InlineCode: |
        import json

        def handler(event, context)
            return json.dumps(event)
  Misnamed:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.11
      Handler: index.handle
      InlineCode: "def handler(event, context):\\n    return 1\\n"
  OtherModule:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.11
      Handler: app.handler
      InlineCode: "def handler(event, context): return 1"
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.11
      Handler: index.main
      Role: arn:aws:iam::123456789012:role/r
      Code:
        ZipFile: >
          def handler(event, context):
              return 1
  Fine:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.11
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return 1
"""


@pytest.fixture
def found(tmp_path: Path) -> list[tuple[str, int, str]]:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    return [(p.code, p.at.line, p.message) for p in validate_file(template).problems
            if p.code.startswith("W61")]


def test_a_syntax_error_in_a_literal_block_points_at_its_template_line(
        found: list[tuple[str, int, str]]) -> None:
    assert ("W6104", 11, "Handler 'index.handler': the inline code cannot be parsed by Python "
                         "3.11 (SyntaxError at line 3: expected ':'), so Lambda could not "
                         "import it") in found


def test_a_handler_the_inline_code_lacks_is_named(found: list[tuple[str, int, str]]) -> None:
    assert ("W6104", 18, "Handler 'index.handle': the inline code defines no 'handle' (did "
                         "you mean \"handler\"?)") in found
    assert ("W6104", 32, "Handler 'index.main': the inline code defines no 'main'") in found


def test_a_handler_module_other_than_index_is_named(found: list[tuple[str, int, str]]) -> None:
    assert ("W6103", 24, "Handler 'app.handler': inline code is the module 'index' (Lambda "
                         "writes it to index.py), not 'app'; use index.handler") in found


def test_nothing_else(found: list[tuple[str, int, str]]) -> None:
    assert len(found) == 4
