"""Node.js functions through `samlite invoke` in the process runtime: a package.json's
dependencies that the function's node_modules lacks are installed with npm into the cache."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from samlite.cli.main import main

NO_UP = ("--aws-endpoint-url", "http://127.0.0.1:9")   # never a developer's running up


def test_a_function_gets_its_package_json_dependencies_installed(tmp_path: Path) -> None:
    code = tmp_path / "src"
    code.mkdir()
    (code / "package.json").write_text(json.dumps({"name": "fn", "version": "1.0.0",
                                                   "dependencies": {"ms": "2.1.3"}}))
    (code / "index.js").write_text("const ms = require('ms');\n"
                                   "exports.handler = async () => ms('2s');\n")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Handler: index.handler\n      Runtime: nodejs20.x\n      CodeUri: src\n")
    result = CliRunner().invoke(main, ["invoke", "-t", str(tmp_path / "template.yaml"),
                                       *NO_UP, "--runtime", "process", "Fn"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "2000"
    assert not (code / "node_modules").exists()   # never in the function's own folder
