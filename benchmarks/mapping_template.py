"""A REST mapping-template route under `samlite up`, as a user runs it: a real subprocess, a
real HTTP client on loopback, one keep-alive client sending requests one after another.

Prints p50/p99 latency of POST /mapped (type aws: a request template reshapes the body, the
function runs, a response template maps its answer) next to POST /proxy (aws_proxy to the
same function), so the figure shows what the mapping adds. No target: issue 15 asks for the
figure only.
Run:  python3 benchmarks/mapping_template.py      (--requests N, default 500)
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Greeter:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            if "body" in event:
                return {"statusCode": 200, "body": json.dumps({"greeting": "Hello"})}
            return {"greeting": "Hello " + event["name"]}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        swagger: "2.0"
        info: {title: bench, version: "1"}
        paths:
          /mapped:
            post:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Greeter.Arn}/invocations"
                requestTemplates:
                  application/json: '{"name": "$input.path(''$.who'')", "ip": "$context.identity.sourceIp"}'
                responses:
                  default:
                    statusCode: "200"
                    responseTemplates:
                      application/json: '{"message": "$input.path(''$.greeting'')"}'
          /proxy:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Greeter.Arn}/invocations"
"""  # noqa: E501


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_up(template: Path, port: int) -> subprocess.Popen[str]:
    exe = Path(sys.executable).parent / "samlite"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "samlite.cli"]
    command += ["up", "-t", str(template), "--port", str(port), "--aws-port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    for line in process.stdout or ():
        if line.startswith("samlite is ready"):
            threading.Thread(target=process.stdout.read, daemon=True).start()  # type: ignore[union-attr]
            return process
    raise RuntimeError("samlite up ended before it was ready")


def latencies(port: int, path: str, requests: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    body = b'{"who": "Ada"}'
    headers = {"Content-Type": "application/json"}
    samples = []
    for index in range(requests + 20):   # the first 20 warm the function up
        begin = time.perf_counter()
        conn.request("POST", path, body=body, headers=headers)
        reply = conn.getresponse()
        reply.read()
        if reply.status != 200:
            raise RuntimeError(f"POST {path}: {reply.status}")
        if index >= 20:
            samples.append(time.perf_counter() - begin)
    conn.close()
    return sorted(samples)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.yaml"
        template.write_text(TEMPLATE, encoding="utf-8")
        port = free_port()
        process = start_up(template, port)
        try:
            for path in ("/mapped", "/proxy"):
                ordered = latencies(port, path, args.requests)
                p99 = ordered[int(len(ordered) * 0.99) - 1]
                print(f"POST {path}: p50 {statistics.median(ordered) * 1000:.2f} ms, "
                      f"p99 {p99 * 1000:.2f} ms ({len(ordered)} requests, 1 client)")
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
