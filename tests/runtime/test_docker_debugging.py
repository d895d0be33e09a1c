"""A debugger attached to a function in a container (`--debug` with `--runtime docker`): a
Debug Adapter Protocol client attaches to debugpy in the Python image with VS Code's path
mappings, and an inspector client (Chrome DevTools Protocol) to node in the Node.js image;
each stops at a breakpoint in the handler, and neither the wait for it nor the pause is a
timeout or Init Duration. Also the container's settings, and the Node preload they name
run with this machine's node."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from samlite.clock import ManualClock
from samlite.runtime.environments.container_debug import (
    DEBUGPY_DIR,
    EXEC_WRAPPER,
    NODE_PRELOAD,
    SUPPORT_DIR,
    container_debugging,
)
from samlite.runtime.environments.docker import DockerEnvironments
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import FunctionSpec

from .conftest import NODE_RUNTIME, PYTHON_RUNTIME, DockerImages
from .debug_clients import DapClient, InspectorClient
from .test_debugging import free_port

ATTACH_WAIT_S = 60          # on the service's manual clock: past any timeout and init limit
PAUSED_S = 60


@pytest.fixture
def engine(tmp_path: Path, docker_images: DockerImages) -> Iterator[DockerEnvironments]:
    engine = DockerEnvironments(project_dir=tmp_path, images={
        PYTHON_RUNTIME: docker_images.python, NODE_RUNTIME: docker_images.node})
    yield engine
    engine.close()


@dataclass(frozen=True)
class DebuggedInvoke:
    """A service running one debugged function (1 s timeout, on a clock that moves only when
    the test says) and an invoke of it on a thread, waiting for the debugger."""
    service: LambdaService
    clock: ManualClock
    port: int
    lines: list[str]
    results: list[object]
    thread: threading.Thread

    def assert_returned_42_with_no_init_duration(self) -> None:
        assert self.results == [42]
        report = next(line for line in self.lines if line.startswith("REPORT"))
        assert "\tInit Duration: 0.00 ms" in report   # the wait to attach is not init


def invoke_under_debugger(engine: DockerEnvironments, code: Path, runtime: str,
                          tmp_path: Path) -> DebuggedInvoke:
    """Invokes app.handler with {"n": 21} under a debugger on a free port."""
    port = free_port()
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime=runtime, code_dir=code, timeout_s=1, debug_port=port,
                        reserved_concurrency=1)
    clock = ManualClock()   # moves only in the test: the function's own time is 0 ms
    lines: list[str] = []
    service = LambdaService([spec], environments=engine, clock=clock,
                            log=lambda _fn, line: lines.append(line), tmp_root=tmp_path / "envs")
    service.start()
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(
        json.loads(service.invoke("Fn", b'{"n": 21}').payload)), daemon=True)
    thread.start()
    return DebuggedInvoke(service=service, clock=clock, port=port, lines=lines,
                          results=results, thread=thread)


def test_python_in_a_container_stops_at_a_breakpoint_through_debugpy(
        engine: DockerEnvironments, tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    app = code / "app.py"
    app.write_text("def handler(event, context):\n"
                   "    doubled = event['n'] * 2\n"
                   "    return doubled\n")
    run = invoke_under_debugger(engine, code, PYTHON_RUNTIME, tmp_path)
    try:
        client = DapClient(run.port, timeout_s=120)   # the first run installs debugpy
        run.clock.advance(seconds=ATTACH_WAIT_S)       # someone takes a minute to attach
        client.response(client.request("initialize", adapterID="debugpy", clientID="test",
                                       linesStartAt1=True, columnsStartAt1=True,
                                       pathFormat="path"))
        # As docs/debugging.md's VS Code configuration maps the code folder.
        attach = client.request("attach", justMyCode=True, pathMappings=[
            {"localRoot": str(code), "remoteRoot": "/var/task"}])
        client.event("initialized")
        client.response(client.request("setBreakpoints", source={"path": str(app)},
                                       breakpoints=[{"line": 2}]))
        client.response(client.request("configurationDone"))
        client.response(attach)
        stopped = client.event("stopped")["body"]
        assert stopped["reason"] == "breakpoint"
        frames = client.response(client.request("stackTrace", threadId=stopped["threadId"]))
        top = frames["body"]["stackFrames"][0]
        assert (top["source"]["path"], top["line"]) == (str(app), 2)
        run.clock.advance(seconds=PAUSED_S)            # paused far past the 1 s timeout
        client.request("continue", threadId=stopped["threadId"])
        run.thread.join(30)
        client.close()
    finally:
        run.service.stop(grace_s=1)
    run.assert_returned_42_with_no_init_duration()


def test_node_in_a_container_stops_at_a_breakpoint_through_its_inspector(
        engine: DockerEnvironments, tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.js").write_text("exports.handler = async (event) => {\n"
                                 "  const doubled = event.n * 2;\n"
                                 "  return doubled;\n"
                                 "};\n")
    run = invoke_under_debugger(engine, code, NODE_RUNTIME, tmp_path)
    try:
        client = InspectorClient(run.port, timeout_s=60)   # the container starts first
        run.clock.advance(seconds=ATTACH_WAIT_S)           # someone takes a minute to attach
        client.send("Runtime.enable")
        client.send("Debugger.enable")
        # The handler is the image's /var/task/app.js, the code folder mounted there.
        breakpoint_id = client.send("Debugger.setBreakpointByUrl", lineNumber=1,
                                    url="file:///var/task/app.js")["result"]["breakpointId"]
        client.send("Runtime.runIfWaitingForDebugger")
        client.wait_for("Debugger.paused")      # --inspect-brk: the runtime's first line
        client.send("Debugger.resume")
        paused = client.wait_for("Debugger.paused")["params"]
        assert paused["hitBreakpoints"] == [breakpoint_id]
        assert paused["callFrames"][0]["location"]["lineNumber"] == 1
        run.clock.advance(seconds=PAUSED_S)         # paused far past the 1 s timeout
        client.send("Debugger.resume")
        run.thread.join(30)
        client.close()
    finally:
        run.service.stop(grace_s=1)
    run.assert_returned_42_with_no_init_duration()


def test_a_debugged_python_container_runs_its_own_exec_wrapper_after_debugpy(
        tmp_path: Path) -> None:
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime="python3.12", code_dir=tmp_path, debug_port=5678)
    settings = container_debugging(
        spec, function_variables={"AWS_LAMBDA_EXEC_WRAPPER": "/opt/otel-instrument"},
        support_dir=tmp_path / "debug", debugpy_dir=tmp_path / "debugpy")
    assert settings.mounts == ((tmp_path / "debug", SUPPORT_DIR),
                               (tmp_path / "debugpy", DEBUGPY_DIR))
    assert settings.variables["AWS_LAMBDA_EXEC_WRAPPER"] == EXEC_WRAPPER
    assert settings.variables["_SAMLITE_FUNCTION_EXEC_WRAPPER"] == "/opt/otel-instrument"
    wrapper = tmp_path / "debug" / "exec-wrapper"
    assert os.access(wrapper, os.X_OK)
    # The wrapper, given Lambda's command, runs it under the launcher through the
    # function's own wrapper (here one that prints what it was given).
    own = tmp_path / "own-wrapper"
    own.write_text('#!/bin/sh\necho "$AWS_LAMBDA_EXEC_WRAPPER $*"\n')
    own.chmod(0o755)
    done = subprocess.run([str(wrapper), "/var/lang/bin/python3.12", "/var/runtime/bootstrap.py"],
                          env={"_SAMLITE_FUNCTION_EXEC_WRAPPER": str(own),
                               "PATH": os.environ["PATH"]},
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(own), "/var/lang/bin/python3.12",
                                   f"{SUPPORT_DIR}/debugpy_launch.py",
                                   "/var/runtime/bootstrap.py"]


def test_a_debugged_node_container_starts_the_images_runtime_under_inspect_brk(
        tmp_path: Path) -> None:
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="index.handler",
                        runtime="nodejs22.x", code_dir=tmp_path, debug_port=9229)
    settings = container_debugging(
        spec, function_variables={"NODE_OPTIONS": "--enable-source-maps"},
        support_dir=tmp_path / "debug", debugpy_dir=None)
    assert settings.mounts == ((tmp_path / "debug", SUPPORT_DIR),)
    assert settings.variables == {
        "NODE_OPTIONS": "--inspect-brk=127.0.0.1:9229 --require "
                        f"{SUPPORT_DIR}/{NODE_PRELOAD.name} --enable-source-maps",
        "_SAMLITE_FUNCTION_NODE_OPTIONS": "--enable-source-maps"}
    assert (tmp_path / "debug" / NODE_PRELOAD.name).read_bytes() == NODE_PRELOAD.read_bytes()


def test_the_node_preload_marks_the_attach_and_gives_back_the_functions_options(
        tmp_path: Path) -> None:
    main = tmp_path / "main.js"
    main.write_text("console.log(`main ${process.env.NODE_OPTIONS}`);\n")
    port = free_port()
    node = subprocess.Popen(
        ["node", str(main)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env={"PATH": os.environ["PATH"], "_SAMLITE_FUNCTION_NODE_OPTIONS": "--no-warnings",
             "NODE_OPTIONS": f"--inspect-brk=127.0.0.1:{port} --require {NODE_PRELOAD}"})
    try:
        client = InspectorClient(port)
        client.send("Runtime.enable")
        client.send("Debugger.enable")
        client.send("Runtime.runIfWaitingForDebugger")
        client.wait_for("Debugger.paused")       # --inspect-brk: the main script's first line
        client.send("Debugger.resume")
        client.close()   # node waits for its debugger to go before it exits
        out, _ = node.communicate(timeout=20)
    finally:
        node.kill()
    assert out.decode().split("\n") == ["\x1esamlite:debugger-attached", "main --no-warnings", ""]
