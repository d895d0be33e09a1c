"""A Node.js function in a container (`--runtime docker`): the nodejs20.x image's own
runtime client (AWS's aws-lambda-ric) takes the event from samlite's Runtime API, the
handler's answer comes back, and what it logs reaches the function's log as Lambda writes
it (timestamp, request id, level)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.runtime.environments.docker import DockerEnvironments
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import FunctionSpec

from .conftest import NODE_RUNTIME, DockerImages


@pytest.fixture
def engine(tmp_path: Path, docker_images: DockerImages) -> Iterator[DockerEnvironments]:
    engine = DockerEnvironments(project_dir=tmp_path, images={NODE_RUNTIME: docker_images.node})
    yield engine
    engine.close()


def test_a_node_function_in_a_container_answers_and_logs(engine: DockerEnvironments,
                                                         tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.mjs").write_text(
        "export const handler = async (event, context) => {\n"
        "  console.log(`doubling ${event.n}`);\n"
        "  return { doubled: event.n * 2, node: process.version,\n"
        "           root: process.env.LAMBDA_TASK_ROOT, id: context.awsRequestId };\n"
        "};\n")
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime=NODE_RUNTIME, code_dir=code, timeout_s=30)
    lines: list[str] = []
    service = LambdaService([spec], environments=engine,
                            log=lambda _fn, line: lines.append(line), tmp_root=tmp_path / "envs")
    service.start()
    try:
        result = service.invoke("Fn", b'{"n": 21}')
    finally:
        service.stop(grace_s=1)
    answer = json.loads(result.payload)
    assert answer["doubled"] == 42
    assert answer["node"].startswith("v20.")
    assert answer["root"] == "/var/task"
    logged = [line for line in lines if line.endswith("\tINFO\tdoubling 21")]
    assert len(logged) == 1
    assert logged[0].split("\t")[1] == answer["id"]
    assert any(line.startswith(f"REPORT RequestId: {answer['id']}") for line in lines)
