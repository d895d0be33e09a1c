"""Issue 20's table in one run: the hello app (one function behind an HttpApi route) under
each runtime, measured the way a user meets it: real `samlite` subprocesses, a Python client
on loopback that opens a fresh TCP connection per request, and ApacheBench keep-alive.

Prints, per runtime (process, docker when an engine answers; SAM CLI's `--warm-containers
EAGER` alongside when `sam` is on PATH; it is never a dependency), the median of --runs runs of:
  one-shot `invoke` (the whole process), `up` -> first 200, sequential p50/p99,
  10 clients req/s (fresh connections), `ab -k -c 10` req/s (when ab is installed),
  save -> new code served (and the requests that failed meanwhile).
Targets (issue 20): process invoke <= 0.3 s, first 200 <= 0.4 s, >= 1,200 req/s, ab -k >=
4,000 req/s, p99 <= 20 ms; docker invoke <= 0.8 s, first 200 <= 1.0 s, p99 <= 10 ms,
save -> served <= 300 ms with 0 failed requests.
Run:  python3 benchmarks/compare.py [--runs 3] [--runtime process --runtime docker]
      [--quick]   (fewer requests and saves)
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HANDLER = 'def handler(event, context):\n    return {"statusCode": 200, "body": "VERSION"}\n'
# The local Lambda-like image (scripts/build-lambda-image.sh) is Python 3.11; AWS's images
# are found under the same name, so the template is the same for every runtime.
DOCKER_PYTHON = "python3.11"
PROCESS_PYTHON = "python3.12"


@dataclass(frozen=True, slots=True, kw_only=True)
class Figures:
    invoke_s: float
    first_200_s: float
    p50_ms: float
    p99_ms: float
    clients_rps: float
    ab_rps: float | None
    reload_s: float
    reload_failures: int


def write_app(directory: Path, runtime: str) -> Path:
    (directory / "src").mkdir(parents=True, exist_ok=True)
    (directory / "src" / "app.py").write_text(HANDLER.replace("VERSION", "v0"), encoding="utf-8")
    template = directory / "template.yaml"
    template.write_text("\n".join([
        'AWSTemplateFormatVersion: "2010-09-09"', "Transform: AWS::Serverless-2016-10-31",
        "Resources:", "  Hello:", "    Type: AWS::Serverless::Function", "    Properties:",
        f"      Runtime: {runtime}", "      CodeUri: src/", "      Handler: app.handler",
        "      Events:", "        Route:", "          Type: HttpApi", "          Properties:",
        "            Path: /hello", "            Method: GET"]) + "\n", encoding="utf-8")
    return template


def child_environment() -> dict[str, str]:
    """This environment without PYTHONDONTWRITEBYTECODE: an installed samlite runs from
    compiled bytecode, and compiling every module again on each start is not what users pay."""
    return {name: value for name, value in os.environ.items()
            if name != "PYTHONDONTWRITEBYTECODE"}


def samlite_command() -> list[str]:
    exe = Path(sys.executable).parent / "samlite"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "samlite.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(port: int, path: str = "/hello", *, timeout_s: float = 10.0) -> tuple[int, bytes]:
    """One request on a fresh TCP connection, as the issue's harness does."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def one_shot_invoke(command: list[str], template: Path) -> float:
    begin = time.perf_counter()
    subprocess.run([*command, "-t", str(template)], check=True, capture_output=True,
                   cwd=template.parent, timeout=120, env=child_environment())
    return time.perf_counter() - begin


@contextmanager
def running_up(command: list[str], template: Path, port: int) -> Iterator[float]:
    """Start `up`; yield the seconds until the first 200 on /hello (polled as a user would)."""
    begin = time.perf_counter()
    process = subprocess.Popen([*command, "-t", str(template), "--port", str(port)],
                               cwd=template.parent, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=child_environment())
    try:
        deadline = begin + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited ({process.returncode}) before serving")
            if time.perf_counter() > deadline:
                raise RuntimeError("no 200 within 120 s")
            try:
                if get(port, timeout_s=5)[0] == 200:
                    break
            except OSError:
                time.sleep(0.005)
        yield time.perf_counter() - begin
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sequential(port: int, requests: int) -> tuple[float, float]:
    samples = []
    for _ in range(requests):
        begin = time.perf_counter()
        status, _ = get(port)
        samples.append(time.perf_counter() - begin)
        if status != 200:
            raise RuntimeError(f"GET /hello answered {status}")
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99)] * 1000


def concurrent(port: int, clients: int, requests: int) -> float:
    def run() -> None:
        for _ in range(requests // clients):
            get(port)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return (requests // clients * clients) / (time.perf_counter() - begin)


def apache_bench(port: int, clients: int, requests: int) -> float | None:
    """ApacheBench keep-alive (apt package apache2-utils): a C client that leaves more of the
    cores to the server. None when ab is not installed."""
    ab = shutil.which("ab")
    if ab is None:
        return None
    done = subprocess.run([ab, "-q", "-k", "-c", str(clients), "-n", str(requests),
                           f"http://127.0.0.1:{port}/hello"], capture_output=True, text=True,
                          check=False, timeout=300)
    rate = re.search(r"Requests per second:\s+([\d.]+)", done.stdout)
    failed = re.search(r"Failed requests:\s+(\d+)", done.stdout)
    if rate is None or (failed and int(failed[1])):
        raise RuntimeError(f"ab failed: {done.stdout[-400:]} {done.stderr[-200:]}")
    return float(rate[1])


def reload_latency(port: int, code: Path, saves: int) -> tuple[float, int]:
    """Median seconds from a save to its body being served, polling with fresh connections;
    and how many requests failed (not 200) meanwhile."""
    latencies, failures = [], 0
    for version in range(1, saves + 1):
        expected = f"v{version}".encode()
        time.sleep(0.3)   # let the watcher settle, so each save is its own reload
        begin = time.perf_counter()
        code.write_text(HANDLER.replace("VERSION", f"v{version}"), encoding="utf-8")
        while time.perf_counter() < begin + 20:
            try:
                status, body = get(port)
            except OSError:
                status, body = 0, b""
            if status != 200:
                failures += 1
            elif body == expected:
                latencies.append(time.perf_counter() - begin)
                break
        else:
            raise RuntimeError(f"save {version} was not served within 20 s")
    return statistics.median(latencies), failures


def measure(name: str, invoke: list[str], up: list[str], runtime: str, *,
            requests: int, saves: int) -> Figures:
    with tempfile.TemporaryDirectory(prefix=f"compare-{name}-") as tmp:
        template = write_app(Path(tmp), runtime)
        one_shot_invoke(invoke, template)   # once unmeasured: bytecode written, files cached
        invoke_s = one_shot_invoke(invoke, template)
        port = free_port()
        with running_up(up, template, port) as first_200_s:
            p50, p99 = sequential(port, requests)
            rps = concurrent(port, 10, requests)
            ab_rps = apache_bench(port, 10, requests * 4)
            reload_s, failures = reload_latency(port, Path(tmp) / "src" / "app.py", saves)
    return Figures(invoke_s=invoke_s, first_200_s=first_200_s, p50_ms=p50, p99_ms=p99,
                   clients_rps=rps, ab_rps=ab_rps, reload_s=reload_s, reload_failures=failures)


def median_of(runs: list[Figures], field: str) -> float | None:
    values = [getattr(run, field) for run in runs]
    return None if None in values else statistics.median(values)


ROWS: tuple[tuple[str, Callable[[list[Figures]], str]], ...] = (
    ("one-shot invoke, whole process", lambda r: f"{median_of(r, 'invoke_s'):.2f} s"),
    ("up -> first 200", lambda r: f"{median_of(r, 'first_200_s'):.2f} s"),
    ("sequential p50 / p99 (fresh conn)",
     lambda r: f"{median_of(r, 'p50_ms'):.1f} ms / {median_of(r, 'p99_ms'):.1f} ms"),
    ("10 clients, req/s (fresh conn)", lambda r: f"{median_of(r, 'clients_rps'):,.0f}"),
    ("ab -k -c 10, req/s", lambda r: "ab not installed" if median_of(r, "ab_rps") is None
     else f"{median_of(r, 'ab_rps'):,.0f}"),
    ("save -> new code served", lambda r: f"{median_of(r, 'reload_s'):.2f} s "
     f"({max(run.reload_failures for run in r)} failed requests)"),
)


def docker_answers() -> bool:
    docker = shutil.which("docker")
    return docker is not None and subprocess.run(
        [docker, "info"], capture_output=True, check=False, timeout=20).returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--runtime", action="append", choices=("process", "docker"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    requests, saves = (200, 3) if args.quick else (1000, 5)
    wanted = args.runtime or ["process", "docker"]
    samlite = samlite_command()
    columns: dict[str, tuple[list[str], list[str], str]] = {}
    if "process" in wanted:
        columns["samlite process"] = ([*samlite, "invoke", "--runtime", "process"],
                                      [*samlite, "up", "--runtime", "process", "--aws-port", "0"],
                                      PROCESS_PYTHON)
    if "docker" in wanted:
        if docker_answers():
            columns["samlite docker"] = ([*samlite, "invoke", "--runtime", "docker"],
                                         [*samlite, "up", "--runtime", "docker",
                                          "--aws-port", "0"], DOCKER_PYTHON)
        else:
            print("no Docker engine answers: the docker column is left out "
                  "(bash scripts/ci-docker.sh starts one)")
    sam = shutil.which("sam")
    if sam is not None and docker_answers():
        columns["SAM CLI (EAGER)"] = ([sam, "local", "invoke", "Hello"],
                                      [sam, "local", "start-api", "--warm-containers", "EAGER"],
                                      DOCKER_PYTHON)
    results: dict[str, list[Figures]] = {name: [] for name in columns}
    for run in range(args.runs):
        for name, (invoke, up, runtime) in columns.items():
            results[name].append(measure(name, invoke, up, runtime,
                                         requests=requests, saves=saves))
            print(f"run {run + 1}/{args.runs} {name}: {results[name][-1]}", file=sys.stderr)
    print(f"median of {args.runs} run(s); {requests} requests per load figure, {saves} saves; "
          f"{os.cpu_count()} cores")
    names = list(columns)
    width = max(len(label) for label, _ in ROWS)
    print(f"| {'figure'.ljust(width)} | " + " | ".join(names) + " |")
    print(f"|{'-' * (width + 2)}|" + "|".join("-" * (len(n) + 2) for n in names) + "|")
    for label, render in ROWS:
        cells = [render(results[name]) for name in names]
        print(f"| {label.ljust(width)} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
