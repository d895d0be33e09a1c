"""Node.js response streaming (awslambda.streamifyResponse) through the whole service, as local
processes running node_loop.cjs: a streaming caller gets each chunk while the handler still
runs, a buffered caller the whole body, and a failure mid-stream is the invocation's error."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.runtime.environments.process import ProcessEnvironment
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import FunctionSpec

# Writes `first`, then waits for the file the event names (the test's signal), then ends.
WAITS_FOR_SIGNAL = """
const fs = require('node:fs');
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write('first;');
  while (!fs.existsSync(event.signal)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  responseStream.write('second');
  responseStream.end();
});
"""

WITH_METADATA = """
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 201, headers: { 'content-type': 'text/plain' }, cookies: ['a=1'] });
  stream.write('hello');
  stream.end();
});
"""

FAILS_MID_STREAM = """
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write('partial');
  throw new TypeError('broke mid-stream');
});
"""


class Chunks:
    """A streaming caller: what arrived, and what it did on the first chunk."""

    def __init__(self, signal: Path | None = None) -> None:
        self.content_types: list[str] = []
        self.received: list[bytes] = []
        self.signal = signal
        self.signal_was_there: bool | None = None
        self.lock = threading.Lock()

    def started(self, content_type: str) -> None:
        self.content_types.append(content_type)

    def chunk(self, data: bytes) -> None:
        with self.lock:
            self.received.append(data)
            if self.signal is not None and self.signal_was_there is None:
                self.signal_was_there = self.signal.exists()
                self.signal.write_text("go")


@pytest.fixture
def services() -> Iterator[list[LambdaService]]:
    made: list[LambdaService] = []
    yield made
    for service in made:
        service.stop(grace_s=1)


def start(services: list[LambdaService], code: Path, source: str,
          **fields: object) -> tuple[LambdaService, list[str]]:
    code.mkdir(parents=True)
    (code / "app.js").write_text(source, encoding="utf-8")
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime="nodejs20.x", code_dir=code, **fields)  # type: ignore[arg-type]
    lines: list[str] = []
    service = LambdaService([spec], environments=ProcessEnvironment,
                            log=lambda _fn, line: lines.append(line),
                            tmp_root=code.parent / "envs")
    service.start()
    services.append(service)
    return service, lines


def test_a_streaming_caller_gets_the_first_chunk_before_the_handler_ends(
        services: list[LambdaService], tmp_path: Path) -> None:
    service, _ = start(services, tmp_path / "code", WAITS_FOR_SIGNAL)
    signal = tmp_path / "signal"
    chunks = Chunks(signal)
    result = service.invoke("Fn", json.dumps({"signal": str(signal)}).encode(),
                            listener=chunks)
    assert result.function_error is None
    assert chunks.signal_was_there is False   # the handler was still waiting for it
    assert chunks.content_types == ["application/octet-stream"]
    assert b"".join(chunks.received) == b"first;second"


def test_a_buffered_caller_gets_the_whole_stream_prelude_included(
        services: list[LambdaService], tmp_path: Path) -> None:
    service, _ = start(services, tmp_path / "code", WITH_METADATA)
    result = service.invoke("Fn", b"{}")
    prelude = {"statusCode": 201, "headers": {"content-type": "text/plain"}, "cookies": ["a=1"]}
    assert result.function_error is None
    assert result.payload == json.dumps(prelude, separators=(",", ":")).encode() \
        + b"\0" * 8 + b"hello"


def test_an_error_mid_stream_fails_the_invocation_with_its_document(
        services: list[LambdaService], tmp_path: Path) -> None:
    service, lines = start(services, tmp_path / "code", FAILS_MID_STREAM)
    chunks = Chunks()
    result = service.invoke("Fn", b"{}", listener=chunks)
    document = json.loads(result.payload)
    assert result.function_error == "Unhandled"
    assert (document["errorType"], document["errorMessage"]) == ("TypeError",
                                                                 "broke mid-stream")
    assert chunks.received == [b"partial"]
    assert any("\tERROR\tInvoke Error \t" in line for line in lines)


def test_a_streaming_handler_that_is_not_async_fails_as_the_aws_client_fails_it(
        services: list[LambdaService], tmp_path: Path) -> None:
    service, _ = start(services, tmp_path / "code", """
exports.handler = awslambda.streamifyResponse((event, responseStream) => {
  responseStream.write('x');
});""")
    result = service.invoke("Fn", b"{}")
    document = json.loads(result.payload)
    assert result.function_error == "Unhandled"
    assert (document["errorType"], document["errorMessage"]) == (
        "string", "Streaming does not support non-async handlers.")


def test_content_type_cannot_change_after_the_first_write(services: list[LambdaService],
                                                          tmp_path: Path) -> None:
    service, _ = start(services, tmp_path / "code", """
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write('x');
  responseStream.setContentType('text/plain');
});""")
    document = json.loads(service.invoke("Fn", b"{}").payload)
    assert document["errorType"] == "Runtime.InvalidStreamingOperation"
    assert document["errorMessage"] == "Cannot set content-type, too late."


def test_the_awslambda_global_can_be_turned_off(services: list[LambdaService],
                                                tmp_path: Path) -> None:
    service, _ = start(services, tmp_path / "code",
                       "exports.handler = async () => typeof globalThis.awslambda;",
                       variables={"AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA": "true"})
    assert json.loads(service.invoke("Fn", b"{}").payload) == "undefined"


def test_a_buffered_caller_gets_a_stream_over_6_mb_as_too_large(
        services: list[LambdaService], tmp_path: Path) -> None:
    service, _ = start(services, tmp_path / "code", """
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  for (let i = 0; i < 7; i += 1) {
    responseStream.write(Buffer.alloc(1024 * 1024, 97));
  }
  responseStream.end();
});""", timeout_s=10.0)
    result = service.invoke("Fn", b"{}")
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload)["errorType"] == "Function.ResponseSizeTooLarge"


def test_a_readable_piped_into_the_response_stream_arrives_whole(
        services: list[LambdaService], tmp_path: Path) -> None:
    service, _ = start(services, tmp_path / "code", """
const { pipeline } = require('node:stream/promises');
const { Readable } = require('node:stream');
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  await pipeline(Readable.from(['a', 'b', 'c']), responseStream);
});""")
    chunks = Chunks()
    result = service.invoke("Fn", b"{}", listener=chunks)
    assert result.function_error is None
    assert b"".join(chunks.received) == b"abc"
