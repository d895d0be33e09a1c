"""The local Lambda service's speed and footprint, through the Invoke API on loopback.

Prints: warm invoke round trip (p50/p99 over N calls, with 1 and 8 concurrent clients, each
on its own keep-alive connection; the handler returns at once, so this is what samlite adds),
the same through boto3 (what a test suite sees), cold start (first invoke of a function, and
the Init Duration its REPORT gives), and the resident memory of an idle environment.
Targets (issue 4): warm p50 <= 1 ms added, cold <= 150 ms, idle environment <= 25 MB RSS.
Run:  python3 benchmarks/invoke.py        (--quick: fewer calls, for CI's smoke run)
"""

from __future__ import annotations

import argparse
import http.client
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

COLD_FUNCTIONS = 8


def write_app(directory: Path) -> Path:
    (directory / "src").mkdir(parents=True, exist_ok=True)
    (directory / "src" / "app.py").write_text(
        "def handler(event, context):\n    return {'ok': True}\n", encoding="utf-8")
    lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Transform: AWS::Serverless-2016-10-31",
             "Globals:", "  Function:", "    Runtime: python3.12", "    CodeUri: src/",
             "    Handler: app.handler", "Resources:"]
    for name in ["Warm", *(f"Cold{i}" for i in range(COLD_FUNCTIONS))]:
        lines += [f"  {name}:", "    Type: AWS::Serverless::Function"]
    template = directory / "template.yaml"
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return template


def client(address: tuple[str, int]) -> http.client.HTTPConnection:
    conn = http.client.HTTPConnection(*address)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def invoke(conn: http.client.HTTPConnection, function: str) -> bytes:
    conn.request("POST", f"/2015-03-31/functions/{function}/invocations", body=b"{}",
                 headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"invoke failed: {response.status} {body!r}")
    return body


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return f"p50 {p50:.2f} ms, p99 {p99:.2f} ms"


def warm(address: tuple[str, int], calls: int, clients: int) -> list[float]:
    samples: list[float] = []
    lock = threading.Lock()

    ready = threading.Barrier(clients)

    def run(count: int) -> None:
        conn = client(address)
        for _ in range(5):   # concurrent warm-up: the environments 8 clients need, started
            invoke(conn, "Warm")
        ready.wait()
        mine = []
        for _ in range(count):
            start = time.perf_counter()
            invoke(conn, "Warm")
            mine.append(time.perf_counter() - start)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=run, args=(calls // clients,)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def environment_rss_mb(loop: bytes = b"python_loop.py") -> list[float]:
    """Resident memory of every runtime loop process (those whose command line names
    `loop`: python_loop.py, node_loop.cjs)."""
    sizes = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if loop not in (proc / "cmdline").read_bytes():
                continue
            status = (proc / "status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, flags=re.M)
        if match:
            sizes.append(int(match[1]) / 1024)
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 calls (CI smoke)")
    args = parser.parse_args()
    calls = 100 if args.quick else 1000

    from samlite.app.root import App, AppOptions

    reports: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        template = write_app(Path(tmp))
        app = App(template, AppOptions(runtime="process", aws_port=0),
                  log=lambda fn, line: reports.append(line) if line.startswith("REPORT") else None)
        with app:
            url = app.endpoint_url or ""
            host, port = url.removeprefix("http://").split(":")
            address = (host, int(port))
            invoke(client(address), "Warm")   # the cold start of the warm function
            for clients in (1, 8):
                print(f"warm invoke, {clients} client(s), {calls} calls: "
                      f"{percentiles(warm(address, calls, clients))}")

            import boto3  # what a user's test suite goes through

            lam = boto3.client("lambda", endpoint_url=url, region_name="us-east-1",
                               aws_access_key_id="x", aws_secret_access_key="x")  # noqa: S106 - loopback
            boto_samples = []
            for _ in range(calls):
                start = time.perf_counter()
                lam.invoke(FunctionName="Warm", Payload=b"{}")["Payload"].read()
                boto_samples.append(time.perf_counter() - start)
            print(f"warm invoke through boto3, 1 client: {percentiles(boto_samples)}")

            cold, init = [], []
            conn = client(address)
            for index in range(COLD_FUNCTIONS):
                reports.clear()
                start = time.perf_counter()
                invoke(conn, f"Cold{index}")
                cold.append(time.perf_counter() - start)
                found = re.search(r"Init Duration: ([\d.]+) ms", " ".join(reports))
                init.append(float(found[1]) if found else float("nan"))
            print(f"cold start (first invoke), {COLD_FUNCTIONS} functions: median "
                  f"{statistics.median(cold) * 1000:.0f} ms, max {max(cold) * 1000:.0f} ms; "
                  f"Init Duration median {statistics.median(init):.0f} ms")

            time.sleep(0.5)   # let the environments settle idle
            sizes = environment_rss_mb()
            print(f"idle environment RSS, {len(sizes)} environments: median "
                  f"{statistics.median(sizes):.1f} MB, max {max(sizes):.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
