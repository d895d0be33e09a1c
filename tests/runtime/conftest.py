"""A real LambdaService with real execution environments, local processes and Docker
containers, running a small custom runtime (a `provided.al2023` bootstrap written in Python)
whose behaviour each event picks, or Python handlers.

Every test that takes `make_service` runs once per runtime. The Docker half needs an engine:
it is skipped, saying so, only when none answers, and fails instead when
SAMLITE_REQUIRE_DOCKER=1 (as in CI). It runs Python handlers in the python3.11 image (Debian's
Python is 3.11, so the locally built image is honest about its version), and the custom
runtime's bootstrap in the provided.al2023 image when one is here, else in that same Python
image: the bootstrap needs nothing but an OS with python3. Node.js handlers run in the
nodejs20.x image (Debian trixie's node is 20; scripts/build-lambda-node-image.sh).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from samlite.clock import ManualClock
from samlite.errors import DockerUnavailable
from samlite.runtime.environments.process import ProcessEnvironment
from samlite.runtime.images import runtime_image
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import FunctionSpec

RUNTIMES = ("process", "docker")
PYTHON_RUNTIME = "python3.11"
# Another image with the official image's layout may stand in for it.
PYTHON_IMAGE = os.environ.get("SAMLITE_TEST_PYTHON_IMAGE") or runtime_image(PYTHON_RUNTIME)
# Node.js 20: Debian trixie's nodejs, in the image scripts/build-lambda-node-image.sh builds.
NODE_RUNTIME = "nodejs20.x"
NODE_IMAGE = os.environ.get("SAMLITE_TEST_NODE_IMAGE") or runtime_image(NODE_RUNTIME)

BOOTSTRAP = '''#!{python}
import http.client, json, os, socket, sys, tempfile, time
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
    if "spin_cpu_ms" in event:   # busy: this much CPU time, however long it takes
        begin = time.process_time()
        while time.process_time() - begin < event["spin_cpu_ms"] / 1000:
            pass
    if "exit" in event:
        os._exit(event["exit"])
    if "alloc_mb" in event:
        hog = bytearray(event["alloc_mb"] * 1024 * 1024)
        time.sleep(0.3)
    if "tmp_file_mb" in event:
        try:
            with open(os.path.join(tempfile.gettempdir(), "big"), "wb") as out:
                for _ in range(event["tmp_file_mb"]):
                    out.write(b"x" * 1024 * 1024)
            event["tmp"] = "written"
        except OSError as exc:
            event["tmp"] = exc.strerror
    if "tmp_files_mb" in event:
        for index in range(event["tmp_files_mb"]):
            with open(os.path.join(tempfile.gettempdir(), str(index)), "wb") as out:
                out.write(b"x" * 1024 * 1024)
    if "then_sleep" in event:
        time.sleep(event["then_sleep"])
    if "tmp_touch" in event:
        open(os.path.join(tempfile.gettempdir(), event["tmp_touch"]), "w").close()
    if "tmp_list" in event:
        event["tmp_list"] = sorted(os.listdir(tempfile.gettempdir()))
    if "write" in event:
        try:
            open(event["write"], "w").close()
            event["write"] = "written"
        except OSError as exc:
            event["write"] = exc.strerror
    if "print" in event:
        print(event["print"], flush=True)
    if "env" in event:
        event["env"] = {{name: os.environ.get(name) for name in event["env"]}}
    body = b"x" * event["big"] if "big" in event else json.dumps(event).encode()
    what = "error" if "fail" in event else "response"
    conn.request("POST", f"/2018-06-01/runtime/invocation/{{request_id}}/{{what}}", body)
    conn.getresponse().read()
'''


@dataclass(frozen=True, slots=True)
class DockerImages:
    python: str      # for Python handlers
    custom: str      # for the provided.al2023 bootstrap
    node: str        # for Node.js handlers


def require_docker() -> None:
    """Skip (fail under SAMLITE_REQUIRE_DOCKER=1) when no Docker engine answers."""
    from samlite.runtime.environments.docker import connect

    try:
        connect(timeout_s=5).close()
    except DockerUnavailable as exc:
        if os.environ.get("SAMLITE_REQUIRE_DOCKER") == "1":
            pytest.fail(f"SAMLITE_REQUIRE_DOCKER=1, but {exc}")
        pytest.skip(f"Docker runtime not tested: {exc}")


@pytest.fixture(scope="session")
def docker_images() -> DockerImages:
    """The images the Docker half runs in, once an engine has answered."""
    from samlite.runtime.environments.docker import docker_problem

    require_docker()
    provided = runtime_image("provided.al2023")
    return DockerImages(python=PYTHON_IMAGE,
                        custom=provided if docker_problem([provided]) is None else PYTHON_IMAGE,
                        node=NODE_IMAGE)


@pytest.fixture(params=RUNTIMES)
def runtime(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def environments(runtime: str, request: pytest.FixtureRequest,
                 tmp_path: Path) -> Iterator[Callable[..., object]]:
    """The environment factory of the runtime under test."""
    if runtime == "process":
        yield ProcessEnvironment
        return
    from samlite.runtime.environments.docker import DockerEnvironments

    images: DockerImages = request.getfixturevalue("docker_images")
    engine = DockerEnvironments(project_dir=tmp_path, images={
        PYTHON_RUNTIME: images.python, "provided.al2023": images.custom})
    yield engine
    engine.close()


@pytest.fixture
def custom_runtime(tmp_path: Path, runtime: str) -> Path:
    code = tmp_path / "code"
    code.mkdir()
    bootstrap = code / "bootstrap"
    # A process runs the host's Python; a container the image's.
    python = sys.executable if runtime == "process" else "/usr/bin/env python3"
    bootstrap.write_text(BOOTSTRAP.format(python=python), encoding="utf-8")
    bootstrap.chmod(0o755)
    return code


ServiceMaker = Callable[..., tuple[LambdaService, list[tuple[str, str]]]]


@pytest.fixture
def make_service(custom_runtime: Path, tmp_path: Path,
                 environments: Callable[..., object]) -> Iterator[ServiceMaker]:
    services: list[LambdaService] = []

    def make(*specs: FunctionSpec, **options: object) -> tuple[LambdaService,
                                                               list[tuple[str, str]]]:
        lines: list[tuple[str, str]] = []
        specs = specs or (function_spec(custom_runtime),)
        service = LambdaService(specs, environments=environments,  # type: ignore[arg-type]
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
