"""A function URL with InvokeMode RESPONSE_STREAM in front of a real Node.js function: the client
reads the body chunk by chunk while the handler still runs, status and headers come from
HttpResponseStream.from, and a failure mid-stream cuts the body short. Plus the prelude's
pure mapping."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent

import pytest

from samlite.graph.build import build_graph
from samlite.runtime.environments.process import ProcessEnvironment
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import function_specs
from samlite.sources.gateway.events import MalformedResponse
from samlite.sources.gateway.server import HttpGateway
from samlite.sources.gateway.url_streaming import prelude_head, split_prelude
from samlite.template.load import parse_template
from samlite.template.model import PseudoParameters
from samlite.template.resolve import resolve

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Stream:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      CodeUri: src
      Timeout: 30
      FunctionUrlConfig: {AuthType: NONE, InvokeMode: RESPONSE_STREAM}
"""

# The request's path says what to do; /wait writes, then waits for the test's signal file.
HANDLER = """
const fs = require('node:fs');
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const path = event.rawPath;
  if (path === '/wait') {
    responseStream.write('first;');
    while (!fs.existsSync(event.queryStringParameters.signal)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    responseStream.end('second');
    return;
  }
  if (path === '/metadata') {
    const stream = awslambda.HttpResponseStream.from(responseStream, {
      statusCode: 418, headers: { 'content-type': 'text/plain', 'x-kind': 'teapot' },
      cookies: ['a=1', 'b=2'] });
    stream.write('short and stout');
    stream.end();
    return;
  }
  if (path === '/fail') {
    responseStream.write('partial');
    await new Promise((resolve) => setTimeout(resolve, 5));
    throw new Error('broke mid-stream');
  }
  if (path === '/fail-first') {
    throw new Error('broke before any byte');
  }
  responseStream.end();
});
"""


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = tmp_path_factory.mktemp("project")
    (project / "src").mkdir()
    (project / "src" / "app.js").write_text(HANDLER, encoding="utf-8")
    graph = build_graph(resolve(parse_template(dedent(TEMPLATE), name="template.yaml")))
    specs = function_specs(graph, project_dir=project, pseudo=PseudoParameters())
    service = LambdaService(specs, environments=ProcessEnvironment, tmp_root=project / "envs")
    service.start()
    gateway = HttpGateway(graph, service, port=0)
    try:
        with gateway:
            yield gateway.function_urls()["Stream"]
    finally:
        service.stop(grace_s=1)


def request(url: str, path: str) -> http.client.HTTPResponse:
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=20)
    conn.request("GET", path)
    return conn.getresponse()


def test_the_client_reads_the_first_chunk_while_the_handler_still_runs(
        url: str, tmp_path: Path) -> None:
    signal = tmp_path / "signal"
    reply = request(url, f"/wait?signal={signal}")
    assert (reply.status, reply.getheader("Content-Type")) == (200, "application/octet-stream")
    assert reply.getheader("Transfer-Encoding") == "chunked"
    assert reply.read1(64) == b"first;"   # the handler cannot end until the signal exists
    signal.write_text("go")
    assert reply.read() == b"second"


def test_status_headers_and_cookies_come_from_http_response_stream_from(url: str) -> None:
    reply = request(url, "/metadata")
    assert reply.status == 418
    assert (reply.getheader("x-kind"), reply.getheader("content-type")) == ("teapot",
                                                                              "text/plain")
    assert reply.headers.get_all("Set-Cookie") == ["a=1", "b=2"]
    assert reply.getheader("x-amzn-RequestId")
    assert reply.read() == b"short and stout"


def test_an_error_mid_stream_cuts_the_body_short(url: str) -> None:
    reply = request(url, "/fail")
    assert reply.status == 200
    with pytest.raises(http.client.IncompleteRead) as cut:
        reply.read()
    assert cut.value.partial == b"partial"


def test_an_error_before_the_first_byte_is_the_urls_502(url: str) -> None:
    reply = request(url, "/fail-first")
    assert (reply.status, json.loads(reply.read())) == (502, {"message": "Internal Server Error"})


def test_a_stream_ended_without_a_write_is_an_empty_200(url: str) -> None:
    reply = request(url, "/empty")
    assert (reply.status, reply.read()) == (200, b"")


# ---- the prelude ---------------------------------------------------------------------------

def test_the_prelude_is_split_at_eight_nul_bytes_only() -> None:
    assert split_prelude(b'{"statusCode":201}\0\0\0\0') is None
    assert split_prelude(b'{"statusCode":201}' + b"\0" * 8 + b"body\0") == (
        b'{"statusCode":201}', b"body\0")


@pytest.mark.parametrize(("case", "prelude", "head"), [
    ("empty prelude", b"", (200, ())),
    ("status as text", b'{"statusCode": "404"}', (404, ())),
    ("headers and cookies", b'{"headers": {"a": 1}, "cookies": ["c=1"]}',
     (200, (("a", "1"), ("Set-Cookie", "c=1")))),
], ids=lambda value: value if isinstance(value, str) and " " in value else "")
def test_the_prelude_sets_status_headers_and_cookies(case: str, prelude: bytes,
                                                     head: tuple[object, ...]) -> None:
    assert prelude_head(prelude) == head


@pytest.mark.parametrize("prelude", [b"not json", b"[]", b'{"statusCode": 99}',
                                     b'{"cookies": "c=1"}'])
def test_a_prelude_that_is_not_one_is_malformed(prelude: bytes) -> None:
    with pytest.raises(MalformedResponse):
        prelude_head(prelude)
