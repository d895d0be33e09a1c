"""AWS_LAMBDA_EXEC_WRAPPER: the runtime starts the wrapper script with its own command line
as arguments (Lambda developer guide, "Wrapper scripts"); what the wrapper sets, the handler
sees. A handler the wrapper gives meaning to (`Handler: run.sh`) is judged alike by
`validate` and `up`."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from samlite.cli.main import main
from samlite.testing import RunningApp
from tests.runtime.conftest import PYTHON_RUNTIME, require_docker

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Wrapped:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: {runtime}
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
          wrapper: str = "/opt/wrapper.sh", runtime: str = "python3.12") -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "src" / "run.sh").write_text("#!/bin/sh\nexec python3 app.py\n")
    (tmp_path / "layer").mkdir()
    script = tmp_path / "layer" / "wrapper.sh"
    script.write_text(WRAPPER)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE.format(handler=handler, wrapper=wrapper, runtime=runtime))
    return template


def test_the_wrapper_runs_with_the_runtimes_arguments_and_the_handler_sees_what_it_sets(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    app = samlite_app_factory(write(tmp_path), http_port=None, aws_port=None)
    result = app.invoke("Wrapped").payload
    assert result["from_wrapper"] == "yes"
    assert result["runtime_arguments"] > 0


@pytest.mark.parametrize("handler", ["app.handler", "run.sh"])
def test_in_docker_the_images_bootstrap_runs_the_wrapper_from_the_layer(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp], handler: str) -> None:
    """The Lambda Web Adapter pattern (`Handler: run.sh`, the wrapper in a layer at /opt)
    with the Docker runtime: the image's /var/runtime/bootstrap starts the wrapper."""
    require_docker()
    template = write(tmp_path, handler=handler, runtime=PYTHON_RUNTIME)
    app = samlite_app_factory(template, runtime="docker", http_port=None, aws_port=None)
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


ADAPTER = "arn:aws:lambda:us-east-1:753240598075:layer:LambdaAdapterLayerX86:25"


def test_up_names_the_unmapped_layer_arn_the_wrapper_needs(tmp_path: Path) -> None:
    """The Lambda Web Adapter as people write it: Handler run.sh, the adapter's layer ARN and
    AWS_LAMBDA_EXEC_WRAPPER /opt/bootstrap. No layer here holds the wrapper: startup says so
    under "Not run locally", on the ARN's line, with the flag that maps it."""
    template = write(tmp_path, handler="run.sh", wrapper="/opt/bootstrap")
    text = template.read_text().replace("Layers: [!Ref WrapperLayer]",
                                        f"Layers: [!Ref WrapperLayer, {ADAPTER}]")
    template.write_text(text)
    lines = startup_lines(template)
    not_local = lines[lines.index("Not run locally") + 1]
    assert not_local == (
        f"  template.yaml:10: Wrapped.Layers (layer ARN): {ADAPTER} cannot be downloaded "
        "here; map it to the layer's folder or a requirements file: --layer "
        f"{ADAPTER}=PATH (AWS_LAMBDA_EXEC_WRAPPER /opt/bootstrap is in no layer here: Wrapped "
        "does not start until the layer that holds it is mapped)")


def startup_lines(template: Path) -> list[str]:
    """What `samlite up` prints until it is ready; then it is stopped."""
    process = subprocess.Popen(
        [sys.executable, "-m", "samlite.cli", "up", "--port", "0", "--aws-port", "0",
         "--no-watch"], cwd=template.parent, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout or ():
            lines.append(line.rstrip("\n"))
            if line.startswith("samlite is ready"):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(30), "\n".join(lines)
    finally:
        process.terminate()
        process.wait(10)
    return lines
