"""A debugger attached to a function started with `--debug`: a real client (Node's inspector
protocol, debugpy's Debug Adapter Protocol) connects, sets a breakpoint in the handler, the
invoke stops there, and the function's timeout does not fire while it is stopped. Also which
functions `--debug` names and the ports they get."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from samlite.clock import ManualClock
from samlite.errors import UsageError
from samlite.runtime.debugging import with_debugging
from samlite.runtime.environments.process import ProcessEnvironment
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import FunctionSpec

from .debug_clients import DapClient, InspectorClient

PAUSE_PAST_TIMEOUT_S = 1.5   # longer than the function's 1 s timeout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def services() -> Iterator[list[LambdaService]]:
    made: list[LambdaService] = []
    yield made
    for service in made:
        service.stop(grace_s=1)


def start_invoke(services: list[LambdaService], spec: FunctionSpec,
                 tmp_path: Path) -> tuple[threading.Thread, list[object]]:
    service = LambdaService([spec], environments=ProcessEnvironment,
                            log=lambda _fn, _line: None, tmp_root=tmp_path / "envs")
    service.start()
    services.append(service)
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(
        json.loads(service.invoke("Fn", b'{"n": 21}').payload)), daemon=True)
    thread.start()
    return thread, results


def test_node_stops_at_a_breakpoint_and_its_timeout_waits(services: list[LambdaService],
                                                          tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.js").write_text("exports.handler = async (event) => {\n"
                                 "  const doubled = event.n * 2;\n"
                                 "  return doubled;\n"
                                 "};\n")
    port = free_port()
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime="nodejs20.x", code_dir=code, timeout_s=1, debug_port=port)
    thread, results = start_invoke(services, spec, tmp_path)
    client = InspectorClient(port)
    try:
        client.send("Runtime.enable")
        client.send("Debugger.enable")
        breakpoint_id = client.send("Debugger.setBreakpointByUrl", lineNumber=1,
                                    urlRegex=r"app\.js$")["result"]["breakpointId"]
        client.send("Runtime.runIfWaitingForDebugger")
        client.wait_for("Debugger.paused")      # --inspect-brk: the runtime's first line
        client.send("Debugger.resume")
        paused = client.wait_for("Debugger.paused")["params"]
        assert paused["hitBreakpoints"] == [breakpoint_id]
        assert paused["callFrames"][0]["location"]["lineNumber"] == 1
        time.sleep(PAUSE_PAST_TIMEOUT_S)
        client.send("Debugger.resume")
        thread.join(20)
    finally:
        client.close()
    assert results == [42]


def test_the_wait_for_a_debugger_is_not_init_duration(services: list[LambdaService],
                                                      tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.js").write_text("exports.handler = async (event) => event.n * 2;\n")
    port = free_port()
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime="nodejs20.x", code_dir=code, debug_port=port)
    clock = ManualClock()   # stands still but for the wait below: init itself takes 0 ms
    lines: list[str] = []
    service = LambdaService([spec], environments=ProcessEnvironment, clock=clock,
                            log=lambda _fn, line: lines.append(line),
                            tmp_root=tmp_path / "envs")
    service.start()
    services.append(service)
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(
        json.loads(service.invoke("Fn", b'{"n": 21}').payload)), daemon=True)
    thread.start()
    client = InspectorClient(port)
    try:
        clock.advance(seconds=60)   # someone takes a minute to attach
        client.send("Runtime.enable")
        client.send("Debugger.enable")
        client.send("Runtime.runIfWaitingForDebugger")
        client.wait_for("Debugger.paused")      # --inspect-brk: the runtime's first line
        client.send("Debugger.resume")
        thread.join(20)
    finally:
        client.close()
    assert results == [42]
    report = next(line for line in lines if line.startswith("REPORT"))
    assert "\tBilled Duration: 1 ms\t" in report
    assert "\tInit Duration: 0.00 ms" in report


def test_python_stops_at_a_breakpoint_through_debugpy(services: list[LambdaService],
                                                      tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    app = code / "app.py"
    app.write_text("def handler(event, context):\n"
                   "    doubled = event['n'] * 2\n"
                   "    return doubled\n")
    port = free_port()
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime="python3.11", code_dir=code, timeout_s=1, debug_port=port)
    thread, results = start_invoke(services, spec, tmp_path)
    client = DapClient(port, timeout_s=120)   # the first run installs debugpy
    try:
        client.response(client.request("initialize", adapterID="debugpy", clientID="test",
                                       linesStartAt1=True, columnsStartAt1=True,
                                       pathFormat="path"))
        attach = client.request("attach", justMyCode=True)
        client.event("initialized")
        client.response(client.request("setBreakpoints", source={"path": str(app)},
                                       breakpoints=[{"line": 2}]))
        client.response(client.request("configurationDone"))
        client.response(attach)
        stopped = client.event("stopped")["body"]
        assert stopped["reason"] == "breakpoint"
        frames = client.response(client.request("stackTrace", threadId=stopped["threadId"]))
        top = frames["body"]["stackFrames"][0]
        assert (Path(top["source"]["path"]).name, top["line"]) == ("app.py", 2)
        time.sleep(PAUSE_PAST_TIMEOUT_S)
        client.request("continue", threadId=stopped["threadId"])
        thread.join(20)
    finally:
        client.close()
    assert results == [42]


def spec_named(name: str, runtime: str = "python3.12") -> FunctionSpec:
    return FunctionSpec(logical_id=name, function_name=f"app-{name}", handler="app.handler",
                        runtime=runtime, code_dir=Path("/code"))


def test_debug_gives_ports_in_the_order_named_and_one_environment() -> None:
    specs = (spec_named("A"), replace(spec_named("B", "nodejs22.x"), provisioned_concurrency=3),
             spec_named("C"))
    debugged = {s.logical_id: s for s in with_debugging(specs, ["B", "app-A"], first_port=9000)}
    assert (debugged["B"].debug_port, debugged["A"].debug_port) == (9000, 9001)
    assert (debugged["B"].reserved_concurrency, debugged["A"].reserved_concurrency) == (1, 1)
    assert debugged["B"].provisioned_concurrency == 1   # one process holds the port
    assert debugged["C"].debug_port is None


@pytest.mark.parametrize(("case", "name", "message"), [
    ("unknown", "Nope", "--debug names 'Nope', which is not a function here (functions: A, J)"),
    ("java", "J", "--debug J: samlite attaches debuggers to Python and Node.js functions, "
                  "not java21"),
], ids=lambda value: value if isinstance(value, str) and " " not in value else "")
def test_debug_refuses_what_it_cannot_debug(case: str, name: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        with_debugging((spec_named("A"), spec_named("J", "java21")), [name])
    assert str(raised.value) == message
