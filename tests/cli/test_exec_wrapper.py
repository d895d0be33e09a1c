"""AWS_LAMBDA_EXEC_WRAPPER: the runtime starts the wrapper script with its own command line
as arguments (Lambda developer guide, "Wrapper scripts"); what the wrapper sets, the handler
sees. A handler the wrapper gives meaning to (`Handler: run.sh`) is judged alike by
`validate` and `up`."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from samlite.cli.main import main
from samlite.testing import RunningApp

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Wrapped:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: {handler}
      CodeUri: src
      Layers: [!Ref WrapperLayer]
      Environment:
        Variables:
          AWS_LAMBDA_EXEC_WRAPPER: {wrapper}
  WrapperLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer
"""

# Sets a variable, counts the runtime's arguments, and (for a script handler) points the
# runtime at the module that serves it, then runs the runtime it was given.
WRAPPER = """\
#!/bin/sh
export FROM_WRAPPER=yes
export RUNTIME_ARGUMENTS=$#
case "$_HANDLER" in *.sh) export _HANDLER=app.handler ;; esac
exec "$@"
"""

HANDLER = """\
import os

def handler(event, context):
    return {"from_wrapper": os.environ.get("FROM_WRAPPER"),
            "runtime_arguments": int(os.environ.get("RUNTIME_ARGUMENTS", "0"))}
"""


def write(tmp_path: Path, *, handler: str = "app.handler",
          wrapper: str = "/opt/wrapper.sh") -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "src" / "run.sh").write_text("#!/bin/sh\nexec python3 app.py\n")
    (tmp_path / "layer").mkdir()
    script = tmp_path / "layer" / "wrapper.sh"
    script.write_text(WRAPPER)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE.format(handler=handler, wrapper=wrapper))
    return template


def test_the_wrapper_runs_with_the_runtimes_arguments_and_the_handler_sees_what_it_sets(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    app = samlite_app_factory(write(tmp_path), http_port=None, aws_port=None)
    result = app.invoke("Wrapped").payload
    assert result["from_wrapper"] == "yes"
    assert result["runtime_arguments"] > 0


def test_a_script_handler_under_a_wrapper_is_judged_alike_by_validate_and_run(
        tmp_path: Path) -> None:
    template = write(tmp_path, handler="run.sh")
    runner = CliRunner()
    validated = runner.invoke(main, ["validate", str(template)])
    invoked = runner.invoke(main, ["invoke", "Wrapped", "-t", str(template)])
    assert (validated.exit_code, "6103" in validated.stdout) == (0, False)
    assert invoked.exit_code == 0, invoked.stderr
    assert '"from_wrapper": "yes"' in invoked.stdout


def test_a_wrapper_in_no_layer_is_a_clear_error(tmp_path: Path) -> None:
    template = write(tmp_path, wrapper="/opt/missing.sh")
    result = CliRunner().invoke(main, ["invoke", "Wrapped", "-t", str(template)])
    assert result.exit_code == 1
    assert "Error: Wrapped: AWS_LAMBDA_EXEC_WRAPPER /opt/missing.sh is in none of its " \
           "layers; map the layer ARN that holds it to a local folder (--layer ARN=PATH)" \
           in result.stderr
    assert "Traceback" not in result.stderr
