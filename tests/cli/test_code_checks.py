"""Handler code is judged by the Python that runs it: valid Python 3.12 syntax is never an
error for `samlite validate`, `up` or `invoke`; `samlite graph` draws a template whose
runtime Lambda no longer deploys, with a warning."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from click.testing import CliRunner

from samlite.cli.main import main
from samlite.runtime.environments.python import python_for

# Valid only from Python 3.12 on: quotes reused inside an f-string (PEP 701), `type` (PEP 695).
PY312_ONLY = ('d = {"k": "v"}\ntype Payload = dict[str, str]\n\n'
              'def handler(event, context):\n    return f"{d["k"]}"\n')


def write_app(project: Path, runtime: str, code: str) -> Path:
    (project / "src").mkdir(parents=True, exist_ok=True)
    (project / "src" / "app.py").write_text(code)
    template = project / "template.yaml"
    template.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
                        "    Type: AWS::Serverless::Function\n    Properties:\n"
                        f"      Handler: app.handler\n      Runtime: {runtime}\n"
                        "      CodeUri: src\n")
    return template


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_python_312_syntax_is_valid_and_runs_on_python_312(tmp_path: Path) -> None:
    template = write_app(tmp_path, "python3.12", PY312_ONLY)
    code, out, _ = run("validate", "-t", str(template))
    assert code == 0, out
    assert "E6104" not in out
    has_312 = sys.version_info[:2] == (3, 12) or python_for("python3.12") != sys.executable
    code, out, err = run("invoke", "-t", str(template), "--aws-endpoint-url",
                         "http://127.0.0.1:9")
    assert "cannot be parsed" not in err   # samlite's own Python never refuses it
    if has_312:   # this machine has Python 3.12 to run it on, as the process runtime would
        assert (code, json.loads(out)) == (0, "v"), err


def test_a_real_syntax_error_is_still_an_error_for_up_and_invoke(tmp_path: Path) -> None:
    template = write_app(tmp_path, f"python{sys.version_info.major}.{sys.version_info.minor}",
                         "def handler(event, context)\n    return 1\n")
    code, _, err = run("invoke", "-t", str(template), "--aws-endpoint-url",
                       "http://127.0.0.1:9")
    assert code == 1
    assert "E6104" in err and "cannot be parsed by Python" in err
    assert "Traceback" not in err


def test_graph_draws_a_template_with_a_runtime_lambda_no_longer_deploys(tmp_path: Path) -> None:
    template = write_app(tmp_path, "python3.8", "def handler(event, context):\n    return 1\n")
    code, out, err = run("graph", "-t", str(template))
    assert code == 0, err
    assert "Fn" in out and "python3.8" in out
    assert "warning W6002" in err and "Lambda no longer creates functions with python3.8" in err
    code, _, _ = run("validate", "-t", str(template))
    assert code == 1   # a deploy would fail: still an error for validate
