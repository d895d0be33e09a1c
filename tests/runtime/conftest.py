"""A real LambdaService with real child processes, running a small custom runtime (a
`provided.al2023` bootstrap written in Python) whose behaviour each event picks."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from samlite.clock import ManualClock
from samlite.runtime.environments.process import ProcessEnvironment
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import FunctionSpec

BOOTSTRAP = '''#!{python}
import http.client, json, os, socket, sys, time
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
conn = http.client.HTTPConnection(api)
conn.connect()
conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
print("init", os.environ.get("INIT_MESSAGE", ""), flush=True)
while True:
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    reply = conn.getresponse()
    event = json.loads(reply.read())
    request_id = reply.getheader("Lambda-Runtime-Aws-Request-Id")
    if "sleep" in event:
        time.sleep(event["sleep"])
    if "exit" in event:
        os._exit(event["exit"])
    if "alloc_mb" in event:
        hog = bytearray(event["alloc_mb"] * 1024 * 1024)
        time.sleep(0.3)
    if "tmp_file_mb" in event:
        try:
            with open(os.path.join(os.environ["TMPDIR"], "big"), "wb") as out:
                for _ in range(event["tmp_file_mb"]):
                    out.write(b"x" * 1024 * 1024)
            event["tmp"] = "written"
        except OSError as exc:
            event["tmp"] = exc.strerror
    if "tmp_files_mb" in event:
        for index in range(event["tmp_files_mb"]):
            with open(os.path.join(os.environ["TMPDIR"], str(index)), "wb") as out:
                out.write(b"x" * 1024 * 1024)
    if "print" in event:
        print(event["print"], flush=True)
    if "env" in event:
        event["env"] = {{name: os.environ.get(name) for name in event["env"]}}
    body = b"x" * event["big"] if "big" in event else json.dumps(event).encode()
    what = "error" if "fail" in event else "response"
    conn.request("POST", f"/2018-06-01/runtime/invocation/{{request_id}}/{{what}}", body)
    conn.getresponse().read()
'''


@pytest.fixture
def custom_runtime(tmp_path: Path) -> Path:
    code = tmp_path / "code"
    code.mkdir()
    bootstrap = code / "bootstrap"
    bootstrap.write_text(BOOTSTRAP.format(python=sys.executable), encoding="utf-8")
    bootstrap.chmod(0o755)
    return code


ServiceMaker = Callable[..., tuple[LambdaService, list[tuple[str, str]]]]


@pytest.fixture
def make_service(custom_runtime: Path, tmp_path: Path) -> Iterator[ServiceMaker]:
    services: list[LambdaService] = []

    def make(*specs: FunctionSpec, **options: object) -> tuple[LambdaService,
                                                               list[tuple[str, str]]]:
        lines: list[tuple[str, str]] = []
        specs = specs or (function_spec(custom_runtime),)
        service = LambdaService(specs, environments=ProcessEnvironment,
                                log=lambda fn, line: lines.append((fn, line)),
                                tmp_root=tmp_path / "envs", **options)  # type: ignore[arg-type]
        service.start()
        services.append(service)
        return service, lines

    yield make
    for service in services:
        service.stop(grace_s=1)


def function_spec(code: Path, **changes: object) -> FunctionSpec:
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="unused",
                        runtime="provided.al2023", code_dir=code, timeout_s=3)
    return replace(spec, **changes)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
