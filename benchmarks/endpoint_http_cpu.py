"""The endpoint's HTTP layer alone: samlite's server in this process with a canned answer
behind ten other routes, and a raw socket client replaying a boto3 PutItem's bytes on one
kept-alive connection. Prints the server thread's CPU µs per request (time.thread_time
around each request), the CPU of every thread but the client's per request (process_time
less the client's thread_time), and the Python calls per request (cProfile): figures that
hold on a busy machine. Given source trees, runs each in its own process, alternately.
Run:  python3 benchmarks/endpoint_http_cpu.py [--requests 4000] [--rounds 3] [--tree DIR ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

# Runs in a child process so that --tree decides which samlite it imports.
CHILD = r'''
import cProfile, pstats, socket, sys, time
import samlite.http.server as server
from samlite.http.messages import Response

HEAD = ("POST / HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: identity\r\n"
        "X-Amz-Target: DynamoDB_20120810.PutItem\r\n"
        "Content-Type: application/x-amz-json-1.0\r\n"
        "User-Agent: Boto3/1.44.8 md/Botocore#1.44.8 ua/2.1 os/linux lang/python#3.11.7\r\n"
        "X-Amz-Date: 20261201T191656Z\r\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=bench/20261201/us-east-1/dynamodb/"
        "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        "Signature=dc522f0b588a8a6a24f9381d5afae5c4aee0d77a1024c639f09c6a751a7193ee\r\n"
        "amz-sdk-invocation-id: 241bf507-afaf-43a7-ac0b-621886db88ec\r\n"
        "amz-sdk-request: attempt=1; max=4\r\nContent-Length: {length}\r\n\r\n")
BODY = (b'{"TableName": "items", "Item": {"id": {"S": "k1"}, "payload": {"S": "'
        + b"x" * 100 + b'"}, "n": {"N": "1"}}}')


class Prefixed:
    def __init__(self, prefix, answer=None):
        self.prefix, self.answer = prefix, answer

    def handles(self, request):
        return (request.header("x-amz-target") or "").startswith(self.prefix)

    def handle(self, request):
        return self.answer


answer = Response(status=200, body=b"{}", headers=(
    ("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-RequestId", "A" * 52),
    ("x-amz-crc32", "2745614147")))
routes = [Prefixed(f"Other{i}.") for i in range(4)] + [Prefixed("DynamoDB_", answer)] \
    + [Prefixed(f"Later{i}.") for i in range(6)]
cpu, profiler = [0.0, 0], None
# The function that reads and answers one request: http.server's handler before issue 20's
# own connection loop, connection.py's after.
if hasattr(server, "_Handler"):
    target, name = server._Handler, "handle_one_request"
else:
    import samlite.http.connection as connection
    target, name = connection.Connection, "serve_one"
plain = getattr(target, name)


def measured(self):
    started = time.thread_time()
    if profiler is not None:
        profiler.enable()
    try:
        return plain(self)
    finally:
        if profiler is not None:
            profiler.disable()
        cpu[0] += time.thread_time() - started
        cpu[1] += 1


setattr(target, name, measured)
with server.Endpoint(routes) as endpoint:
    host, port = endpoint.address
    request = HEAD.format(host=f"{host}:{port}", length=len(BODY)).encode() + BODY
    client = socket.create_connection((host, port))
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    replies = client.makefile("rb")

    def one():
        client.sendall(request)
        length = 0
        while (line := replies.readline()) != b"\r\n":
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        replies.read(length)

    count = int(sys.argv[1])
    for _ in range(500):
        one()
    cpu[:] = [0.0, 0]
    process_started, client_started = time.process_time(), time.thread_time()
    for _ in range(count):
        one()
    # Every thread but the client's: the server's whole cost, its accept loop's too.
    others = (time.process_time() - process_started) - (time.thread_time() - client_started)
    client.close()   # the server's thread finishes its last request before this returns
    time.sleep(0.05)
    per_request = cpu[0] / max(cpu[1], 1) * 1e6
    profiler = cProfile.Profile()
    client = socket.create_connection((host, port))
    replies = client.makefile("rb")
    for _ in range(1000):
        one()
    client.close()
    time.sleep(0.05)
    print(f"{per_request:.1f} {pstats.Stats(profiler).total_calls / 1000:.0f} "
          f"{others / count * 1e6:.1f}")
'''


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tree", action="append", default=[],
                        help="a samlite source tree (the folder holding samlite/); repeat")
    args = parser.parse_args()
    trees: list[str | None] = list(args.tree) or [None]
    for round_ in range(1, args.rounds + 1):
        for tree in trees:
            env = dict(os.environ)
            if tree is not None:
                env["PYTHONPATH"] = tree
            out = subprocess.run([sys.executable, "-c", CHILD, str(args.requests)], env=env,
                                 cwd="/", capture_output=True, text=True, check=True).stdout
            cpu_us, calls, others_us = out.split()
            print(f"round {round_} {tree or 'this samlite'}: server thread {cpu_us} µs CPU "
                  f"per request (all threads but the client's: {others_us}), {calls} Python "
                  "calls per request")


if __name__ == "__main__":
    main()
