"""A layer with a Python BuildMethod is laid out as `sam build` lays it out: its ContentUri
becomes the layer's python/ folder (/opt/python), so modules at its root import and a
python/ folder inside it is one level too deep."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from samlite.testing import RunningApp

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      Layers: [!Ref Shared]
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties: {{ContentUri: shared/}}
{metadata}"""

HANDLER = """\
import importlib

def handler(event, context):
    found = {}
    for name in ("at_root", "under_python"):
        try:
            importlib.import_module(name)
            found[name] = "imported"
        except ImportError:
            found[name] = "missing"
    return found
"""


@pytest.mark.parametrize(("metadata", "expected"), [
    ("    Metadata: {BuildMethod: python3.12}\n", {"at_root": "imported",
                                                 "under_python": "missing"}),
    ("", {"at_root": "missing", "under_python": "imported"}),
], ids=["BuildMethod", "prebuilt"])
def test_a_layers_modules_are_where_lambda_finds_them(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp], metadata: str,
        expected: dict[str, str]) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "shared" / "python").mkdir(parents=True)
    (tmp_path / "shared" / "at_root.py").write_text("")
    (tmp_path / "shared" / "python" / "under_python.py").write_text("")
    (tmp_path / "template.yaml").write_text(TEMPLATE.format(metadata=metadata))
    app = samlite_app_factory(tmp_path / "template.yaml", http_port=None, aws_port=None)
    assert app.invoke("Fn").payload == expected
