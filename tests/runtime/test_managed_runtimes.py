"""What Python and Node.js functions share as local processes, each through the whole service
with its own runtime client (python_loop.py, node_loop.cjs): the context, a handler's error,
timeouts, the memory kill, layers and a private /tmp. Each case gives the handler source per
runtime; the behaviour asserted is the same."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.runtime.environments.process import ProcessEnvironment
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import FunctionSpec

RUNTIMES = ("python3.11", "nodejs20.x")
FILES = {"python3.11": "app.py", "nodejs20.x": "app.js"}


@pytest.fixture(params=RUNTIMES)
def runtime(request: pytest.FixtureRequest) -> str:
    if request.param.startswith("nodejs") and shutil.which("node") is None:
        pytest.fail("node is not installed; .ci/run installs it (apt-get install nodejs)")
    return request.param


@pytest.fixture
def code_dir() -> Iterator[Path]:
    """Outside the host's /tmp, which a private /tmp would hide."""
    base = "/var/tmp" if Path("/var/tmp").is_dir() else str(Path.home())
    folder = Path(tempfile.mkdtemp(prefix="samlite-managed-", dir=base))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def services(code_dir: Path) -> Iterator[list[LambdaService]]:
    made: list[LambdaService] = []
    yield made
    for service in made:
        service.stop(grace_s=1)


def start(services: list[LambdaService], code: Path, runtime: str, sources: dict[str, str],
          **fields: object) -> tuple[LambdaService, list[str]]:
    src = code / "src"
    src.mkdir(exist_ok=True)
    (src / FILES[runtime]).write_text(sources[runtime], encoding="utf-8")
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime=runtime, code_dir=src, **fields)  # type: ignore[arg-type]
    lines: list[str] = []
    service = LambdaService([spec], environments=ProcessEnvironment,
                            log=lambda _fn, line: lines.append(line), tmp_root=code / "envs")
    service.start()
    services.append(service)
    return service, lines


def invoke(service: LambdaService, event: object = None) -> tuple[object, str | None]:
    result = service.invoke("Fn", json.dumps(event or {}).encode())
    return json.loads(result.payload), result.function_error


CONTEXT = {
    "python3.11": "def handler(e, c):\n"
                  "    return [c.function_name, c.memory_limit_in_mb, c.invoked_function_arn,\n"
                  "            c.aws_request_id, 0 < c.get_remaining_time_in_millis() <= 3000]\n",
    "nodejs20.x": "exports.handler = async (e, c) => [c.functionName, c.memoryLimitInMB,\n"
                  "  c.invokedFunctionArn, c.awsRequestId,\n"
                  "  0 < c.getRemainingTimeInMillis() && c.getRemainingTimeInMillis() <= 3000];\n",
}


def test_the_context_has_lambdas_fields(services: list[LambdaService], code_dir: Path,
                                        runtime: str) -> None:
    service, _ = start(services, code_dir, runtime, CONTEXT, timeout_s=3.0)
    result = service.invoke("Fn", b"{}")
    name, memory, arn, request_id, remaining_ok = json.loads(result.payload)
    assert (name, memory, remaining_ok) == ("Fn", "128", True)
    assert arn == "arn:aws:lambda:us-east-1:123456789012:function:Fn"
    assert request_id == result.request_id


RAISES = {
    "python3.11": "def handler(e, c):\n    raise TypeError('boom')\n",
    "nodejs20.x": "exports.handler = async () => { throw new TypeError('boom'); };\n",
}


def test_a_handler_error_comes_back_as_lambdas_error_document(
        services: list[LambdaService], code_dir: Path, runtime: str) -> None:
    service, _ = start(services, code_dir, runtime, RAISES)
    body, error = invoke(service)
    assert error == "Unhandled"
    assert (body["errorType"], body["errorMessage"]) == ("TypeError", "boom")
    trace = body["stackTrace"] if runtime.startswith("python") else body["trace"]
    assert "app." in "".join(trace)   # the handler's own frame


SLEEPS = {
    "python3.11": "import time\ndef handler(e, c):\n    time.sleep(30)\n",
    "nodejs20.x": "exports.handler = () => new Promise((done) => setTimeout(done, 30000));\n",
}


def test_a_timeout_ends_the_invoke_as_lambda_says(services: list[LambdaService],
                                                  code_dir: Path, runtime: str) -> None:
    service, lines = start(services, code_dir, runtime, SLEEPS, timeout_s=1)
    body, _ = invoke(service)
    assert body["errorType"] == "Sandbox.Timedout"
    assert any(line.endswith("Task timed out after 1.00 seconds") for line in lines)


HOGS = {
    "python3.11": "import time\ndef handler(e, c):\n"
                  "    hog = bytearray(300 * 1024 * 1024)\n"
                  "    time.sleep(1)\n    return len(hog)\n",
    "nodejs20.x": "exports.handler = async () => {\n"
                  "  const hog = Buffer.alloc(300 * 1024 * 1024, 1);\n"
                  "  await new Promise((done) => setTimeout(done, 1000));\n"
                  "  return hog.length;\n};\n",
}


def test_memory_past_memory_size_is_killed_as_out_of_memory(
        services: list[LambdaService], code_dir: Path, runtime: str) -> None:
    service, _ = start(services, code_dir, runtime, HOGS, memory_mb=128)
    body, _ = invoke(service)
    assert body["errorType"] == "Runtime.OutOfMemory"


LAYERED = {
    "python3.11": "import shared, only_first\n"
                  "def handler(e, c):\n    return [shared.WORD, only_first.OK]\n",
    "nodejs20.x": "const shared = require('shared');\nconst onlyFirst = require('only_first');\n"
                  "exports.handler = async () => [shared.WORD, onlyFirst.OK];\n",
}


def write_layer(folder: Path, runtime: str, module: str, text: str) -> None:
    if runtime.startswith("python"):
        (folder / "python").mkdir(parents=True, exist_ok=True)
        (folder / "python" / f"{module}.py").write_text(text.replace(":", " ="),
                                                        encoding="utf-8")
    else:
        package = folder / "nodejs" / "node_modules" / module
        package.mkdir(parents=True, exist_ok=True)
        name, _, value = text.partition(":")
        (package / "index.js").write_text(f"exports.{name.strip()} = {value.strip()};\n",
                                          encoding="utf-8")


def test_layers_are_found_and_a_later_layer_wins(services: list[LambdaService],
                                                 code_dir: Path, runtime: str) -> None:
    first, second = code_dir / "first", code_dir / "second"
    write_layer(first, runtime, "shared", "WORD: 'first'")
    write_layer(second, runtime, "shared", "WORD: 'second'")
    truth = "True" if runtime.startswith("python") else "true"
    write_layer(first, runtime, "only_first", f"OK: {truth}")
    service, _ = start(services, code_dir, runtime, LAYERED, layer_dirs=(first, second))
    assert invoke(service)[0] == ["second", True]


TMP = {
    "python3.11": "import os, tempfile\ndef handler(e, c):\n"
                  "    open(os.path.join(tempfile.gettempdir(), 'mine'), 'w').close()\n"
                  "    return sorted(os.listdir(tempfile.gettempdir()))\n",
    "nodejs20.x": "const fs = require('fs'), os = require('os'), path = require('path');\n"
                  "exports.handler = async () => {\n"
                  "  fs.writeFileSync(path.join(os.tmpdir(), 'mine'), '');\n"
                  "  return fs.readdirSync(os.tmpdir()).sort();\n};\n",
}


def test_each_environment_has_its_own_empty_tmp(services: list[LambdaService],
                                                code_dir: Path, runtime: str) -> None:
    service, _ = start(services, code_dir, runtime, TMP)
    assert invoke(service)[0] == ["mine"]
