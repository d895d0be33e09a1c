"""InvokeWithResponseStream on the local endpoint, judged by boto3: a real Node.js function's
chunks arrive as PayloadChunk events while the handler still runs, then InvokeComplete (with
the error when it failed); a function that does not stream comes as one chunk."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from samlite.http.server import Endpoint
from samlite.runtime.environments.process import ProcessEnvironment
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import FunctionSpec
from samlite.sources.invoke_api import InvokeApi

# Writes `first;`, then (given a port) waits for a byte from the test's socket: its signal.
STREAMS = """
const net = require('node:net');
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType('text/plain');
  responseStream.write('first;');
  if (event.port) {
    await new Promise((resolve) => {
      const signal = net.connect(event.port, '127.0.0.1');
      signal.once('data', () => { signal.destroy(); resolve(); });
    });
  }
  if (event.fail) {
    throw new RangeError('broke mid-stream');
  }
  responseStream.end('second');
});
"""

BUFFERED = "exports.handler = async (event) => ({ echo: event });"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("functions")


@pytest.fixture(scope="module")
def client(root: Path) -> Iterator[Any]:
    specs = []
    for name, source in (("Streams", STREAMS), ("Buffered", BUFFERED)):
        (root / name).mkdir()
        (root / name / "app.js").write_text(source, encoding="utf-8")
        specs.append(FunctionSpec(logical_id=name, function_name=name, handler="app.handler",
                                  runtime="nodejs20.x", code_dir=root / name, timeout_s=20.0))
    service = LambdaService(specs, environments=ProcessEnvironment, tmp_root=root / "envs")
    service.start()
    try:
        with Endpoint([InvokeApi(service)], port=0) as endpoint:
            client = boto3.client(
                "lambda", endpoint_url=endpoint.url, region_name="us-east-1",
                aws_access_key_id="samlite", aws_secret_access_key="samlite",  # noqa: S106
                config=Config(retries={"total_max_attempts": 1}, read_timeout=30))
            yield client
            client.close()
    finally:
        service.stop(grace_s=1)


def test_chunks_arrive_while_the_handler_runs_then_invoke_complete(client: Any) -> None:
    with socket.create_server(("127.0.0.1", 0)) as signal:
        reply = client.invoke_with_response_stream(
            FunctionName="Streams", Payload=json.dumps({"port": signal.getsockname()[1]}))
        events = iter(reply["EventStream"])
        first = next(events)
        assert first == {"PayloadChunk": {"Payload": b"first;"}}   # the handler still waits
        waiting, _ = signal.accept()
        with waiting:
            waiting.sendall(b"go")
            rest = list(events)
    assert (reply["StatusCode"], reply["ResponseStreamContentType"]) == (200, "text/plain")
    assert reply["ExecutedVersion"] == "$LATEST"
    assert rest == [{"PayloadChunk": {"Payload": b"second"}}, {"InvokeComplete": {}}]


def test_a_failure_mid_stream_is_in_invoke_complete(client: Any) -> None:
    reply = client.invoke_with_response_stream(FunctionName="Streams",
                                               Payload=b'{"fail": true}', LogType="Tail")
    *chunks, complete = list(reply["EventStream"])
    details = complete["InvokeComplete"]
    assert chunks == [{"PayloadChunk": {"Payload": b"first;"}}]
    assert details["ErrorCode"] == "RangeError"
    assert json.loads(details["ErrorDetails"])["errorMessage"] == "broke mid-stream"
    assert details["LogResult"]


def test_a_function_that_does_not_stream_comes_as_one_chunk(client: Any) -> None:
    reply = client.invoke_with_response_stream(FunctionName="Buffered", Payload=b'{"a": 1}')
    events = list(reply["EventStream"])
    assert reply["ResponseStreamContentType"] == "application/json"
    assert [json.loads(e["PayloadChunk"]["Payload"]) for e in events[:-1]] == [
        {"echo": {"a": 1}}]
    assert events[-1] == {"InvokeComplete": {}}


def test_refusals_are_lambdas_errors_and_dry_run_runs_nothing(client: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.invoke_with_response_stream(FunctionName="Nowhere", Payload=b"{}")
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.invoke_with_response_stream(FunctionName="Streams", InvocationType="Event")
    dry = client.invoke_with_response_stream(FunctionName="Streams", InvocationType="DryRun")
    assert dry["StatusCode"] == 204
