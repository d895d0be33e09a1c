"""`--debug` through the command line: `samlite up` says which functions wait for a debugger
and on which port, `samlite invoke --debug` runs one under Node's inspector until a client
attaches and continues, and `--runtime docker --debug` under debugpy in the Python image."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.runtime.conftest import PYTHON_RUNTIME, require_docker
from tests.runtime.debug_clients import DapClient, InspectorClient
from tests.runtime.test_debugging import free_port

from .test_process_runtime_limits import NO_UP, up_lines, write_app


def test_up_names_the_debugged_function_its_port_and_no_timeout(tmp_path: Path) -> None:
    port = free_port()
    lines = up_lines(write_app(tmp_path), "--debug", "Node", "--debug-port", str(port))
    rows = {line.split()[0]: line for line in lines if line.startswith("  ")}
    assert f"off: debugger on :{port}" in rows["Node"]
    assert rows["Py"].split()[4:6] == ["3", "s"]


def test_invoke_debug_waits_for_the_inspector_then_answers(tmp_path: Path) -> None:
    template = write_app(tmp_path)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "samlite.cli", "invoke", "-t", str(template), *NO_UP,
         "--runtime", "process", "--debug", "--debug-port", str(port), "Node"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        client = InspectorClient(port)
        client.send("Debugger.enable")
        client.send("Runtime.runIfWaitingForDebugger")
        client.wait_for("Debugger.paused")
        client.send("Debugger.resume")
        out, err = process.communicate(timeout=30)
        client.close()
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert out.strip() == "2"
    assert f"Debugger listening on ws://127.0.0.1:{port}/" in err
    assert f"Node waits for a debugger on 127.0.0.1:{port} (node inspector) before its " \
           "handler runs; its timeout is off and it keeps one environment while debugged " \
           "(docs/debugging.md)" in err


def test_invoke_debug_in_docker_waits_for_debugpy_then_answers(tmp_path: Path) -> None:
    require_docker()
    (tmp_path / "src").mkdir()
    app = tmp_path / "src" / "app.py"
    app.write_text("def handler(event, context):\n    return 3\n")
    template = tmp_path / "template.yaml"
    template.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n"
                        "  Py:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                        f"      Handler: app.handler\n      Runtime: {PYTHON_RUNTIME}\n"
                        "      CodeUri: src\n")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "samlite.cli", "invoke", "-t", str(template), *NO_UP,
         "--runtime", "docker", "--debug", "--debug-port", str(port), "Py"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        client = DapClient(port, timeout_s=120)
        client.response(client.request("initialize", adapterID="debugpy", clientID="test",
                                       pathFormat="path"))
        client.request("attach", pathMappings=[
            {"localRoot": str(app.parent), "remoteRoot": "/var/task"}])
        client.event("initialized")
        # The function runs and the one-shot invoke ends (its container with it) as soon as
        # debugpy has this, maybe before its answer comes back.
        client.request("configurationDone")
        out, err = process.communicate(timeout=60)
        client.close()
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert out.strip() == "3"
    assert "Runtime: docker (--runtime docker)" in err
    assert f"Py waits for a debugger on 127.0.0.1:{port} (debugpy) before its handler runs" \
        in err
