"""`samlite up` as a user runs it: a real subprocess, a real HTTP client on loopback.

Prints: time from `samlite up` to its ready line for a 20-function template; requests/s and
p50/p99 latency for a hello handler behind an HTTP API route with 1 and 10 concurrent
keep-alive clients; save-to-new-code-served latency (median of 20 saves); Ctrl-C to exit
with warm environments running.
Targets (issue 5): >= 2,000 req/s (process runtime, 2 cores), p50 <= 2 ms at 1 client,
reload <= 300 ms, ready <= 1 s; Ctrl-C stops everything within 2 s (issue 3).
Run:  python3 benchmarks/up.py        (--quick: fewer requests and saves, for CI's smoke run)
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

FUNCTIONS = 20
HANDLER = '''def handler(event, context):
    return {"statusCode": 200, "body": "VERSION"}
'''


def write_app(directory: Path) -> Path:
    (directory / "src").mkdir(parents=True, exist_ok=True)
    (directory / "src" / "app.py").write_text(HANDLER.replace("VERSION", "v0"), encoding="utf-8")
    lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Transform: AWS::Serverless-2016-10-31",
             "Globals:", "  Function:", "    Runtime: python3.12", "    CodeUri: src/",
             "    Handler: app.handler", "Resources:"]
    for index in range(FUNCTIONS):
        lines += [f"  Fn{index}:", "    Type: AWS::Serverless::Function", "    Properties:",
                  "      Events:", "        Route:", "          Type: HttpApi",
                  "          Properties:", f"            Path: /fn{index}",
                  "            Method: GET"]
    template = directory / "template.yaml"
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return template


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_up(template: Path, port: int) -> tuple[subprocess.Popen[str], float]:
    """Start `samlite up`; return it and the seconds until its ready line."""
    exe = Path(sys.executable).parent / "samlite"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "samlite.cli"]
    command += ["up", "-t", str(template), "--port", str(port), "--aws-port", "0"]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    for line in process.stdout or ():
        if line.startswith("samlite is ready"):
            ready = time.perf_counter() - start
            # keep reading, so a chatty app never blocks on a full pipe
            threading.Thread(target=process.stdout.read, daemon=True).start()  # type: ignore[union-attr]
            return process, ready
    raise RuntimeError("samlite up ended before it was ready")


def connection(port: int) -> http.client.HTTPConnection:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def get(conn: http.client.HTTPConnection, path: str) -> bytes:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.read()


def load(port: int, clients: int, requests: int) -> tuple[float, list[float]]:
    samples: list[float] = []
    lock = threading.Lock()

    def run(count: int) -> None:
        conn = connection(port)
        get(conn, "/fn0")
        mine = []
        for _ in range(count):
            begin = time.perf_counter()
            get(conn, "/fn0")
            mine.append(time.perf_counter() - begin)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=run, args=(requests // clients,)) for _ in range(clients)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(samples) / (time.perf_counter() - begin), samples


def apache_bench(port: int, clients: int, requests: int) -> str | None:
    """The same load from ApacheBench (Debian's apache2-utils), a client in C that leaves
    more of the 2 cores to samlite; None when ab is not installed."""
    ab = shutil.which("ab")
    if ab is None:
        return None
    done = subprocess.run([ab, "-q", "-k", "-c", str(clients), "-n", str(requests),
                           f"http://127.0.0.1:{port}/fn0"], capture_output=True, text=True,
                          check=False, timeout=120)
    rate = re.search(r"Requests per second:\s+([\d.]+)", done.stdout)
    p50 = re.search(r"^\s+50%\s+(\d+)", done.stdout, flags=re.M)
    p99 = re.search(r"^\s+99%\s+(\d+)", done.stdout, flags=re.M)
    if not (rate and p50 and p99):
        return f"ab failed: {done.stderr.strip()[:200]}"
    return (f"{float(rate[1]):,.0f} req/s, p50 {p50[1]} ms, p99 {p99[1]} ms "
            "(ab rounds to whole ms)")


def reload_latency(port: int, code: Path, saves: int) -> list[float]:
    conn = connection(port)
    latencies = []
    for version in range(1, saves + 1):
        expected = f"v{version}".encode()
        begin = time.perf_counter()
        code.write_text(HANDLER.replace("VERSION", f"v{version}"), encoding="utf-8")
        deadline = begin + 10
        while time.perf_counter() < deadline:
            if get(conn, "/fn0") == expected:
                latencies.append(time.perf_counter() - begin)
                break
        else:
            raise RuntimeError(f"save {version} was not served within 10 s")
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    requests, saves = (500, 5) if args.quick else (5000, 20)
    with tempfile.TemporaryDirectory() as tmp:
        template = write_app(Path(tmp))
        port = free_port()
        process, ready_s = start_up(template, port)
        try:
            print(f"samlite up, {FUNCTIONS} functions: ready in {ready_s * 1000:.0f} ms "
                  "(target <= 1000 ms)")
            for clients in (1, 10):
                rate, samples = load(port, clients, requests)
                ordered = sorted(samples)
                print(f"{clients:>2} client(s), {len(samples)} requests: {rate:,.0f} req/s, "
                      f"p50 {statistics.median(ordered) * 1000:.2f} ms, "
                      f"p99 {ordered[int(len(ordered) * 0.99)] * 1000:.2f} ms "
                      "(Python client, which shares the 2 cores)")
                ab_line = apache_bench(port, clients, requests * 2)
                if ab_line:
                    print(f"{clients:>2} client(s), ab -k: {ab_line}")
            latencies = reload_latency(port, Path(tmp) / "src" / "app.py", saves)
            print(f"save to new code served, {saves} saves: median "
                  f"{statistics.median(latencies) * 1000:.0f} ms, max "
                  f"{max(latencies) * 1000:.0f} ms (target <= 300 ms)")
            started = time.perf_counter()
            process.send_signal(signal.SIGINT)
            code = process.wait(10)
            print(f"Ctrl-C to exit (code {code}), warm environments running: "
                  f"{(time.perf_counter() - started) * 1000:.0f} ms (target <= 2000 ms)")
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                process.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
