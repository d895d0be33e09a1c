"""Requirements without a build step: what they cost `samlite up`, as a user runs it (a real
subprocess, real pip against the package index).

Prints: the first start of an app whose functions share a 3-package requirements.txt
(tabulate, termcolor, humanize: pip runs), then the median time to the ready line with
those requirements cached against the same app without a requirements.txt, and, since that
difference is within a shared machine's noise, what the cached check itself costs in
process (the step `samlite up` adds: hashing the requirements, finding the cached folders).
Target (issue 14): cached start within 100 ms of the app without requirements.
Run:  python3 benchmarks/deps.py        (--quick: fewer starts, for CI's smoke run)
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FUNCTIONS = 5
REQUIREMENTS = "tabulate==0.9.0\ntermcolor\nhumanize\n"
RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"


def write_app(directory: Path, *, requirements: bool) -> Path:
    (directory / "src").mkdir(parents=True, exist_ok=True)
    (directory / "src" / "app.py").write_text(HANDLER, encoding="utf-8")
    if requirements:
        (directory / "src" / "requirements.txt").write_text(REQUIREMENTS, encoding="utf-8")
    lines = ["Transform: AWS::Serverless-2016-10-31", "Globals:", "  Function:",
             f"    Runtime: {RUNTIME}", "    CodeUri: src/", "    Handler: app.handler",
             "Resources:"]
    for index in range(FUNCTIONS):
        lines += [f"  Fn{index}:", "    Type: AWS::Serverless::Function", "    Properties:",
                  "      Events:", "        Route:", "          Type: HttpApi",
                  "          Properties:", f"            Path: /fn{index}",
                  "            Method: GET"]
    template = directory / "template.yaml"
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return template


def ready_s(template: Path) -> tuple[float, str]:
    """Start `samlite up`, return the seconds to its ready line and what it printed; stop it."""
    exe = Path(sys.executable).parent / "samlite"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "samlite.cli"]
    command += ["up", "-t", str(template), "--port", "0", "--aws-port", "0",
                "--runtime", "process", "--no-watch"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines = []
    try:
        for line in process.stdout or ():
            lines.append(line)
            if line.startswith("samlite is ready"):
                return time.perf_counter() - started, "".join(lines)
        raise SystemExit("samlite up ended before it was ready:\n" + "".join(lines))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def cached_check_ms(template: Path) -> float:
    """What finding the app's installs in the cache costs `samlite up` (nothing installs)."""
    from samlite.app.dependencies import deps_root, prepare
    from samlite.graph.build import build_graph
    from samlite.template.load import load_template
    from samlite.template.resolve import resolve

    graph = build_graph(resolve(load_template(template)))
    project = template.parent.resolve()

    def no_pip(version: str) -> str:
        raise SystemExit("the cached check ran pip")

    times = []
    for _ in range(50):
        started = time.perf_counter()
        prepare(graph, project_dir=project, runtime_kind="process", python_for=no_pip,
                cache_dir=deps_root(project_dir=project, state_dir=None))
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    starts = 3 if parser.parse_args().quick else 9
    folder = Path(tempfile.mkdtemp(prefix="samlite-bench-deps-"))
    try:
        with_deps = write_app(folder / "with", requirements=True)
        without = write_app(folder / "without", requirements=False)
        first, output = ready_s(with_deps)
        if "installed" not in output:
            raise SystemExit("the first start did not install the requirements:\n" + output)
        print(f"first start, installing a {len(REQUIREMENTS.splitlines())}-package "
              f"requirements.txt: {first * 1000:.0f} ms to ready")
        cached, plain = [], []
        for _ in range(starts):   # alternated, so drift on a shared machine hits both
            seconds, output = ready_s(with_deps)
            if "Installing" in output or "cached" not in output:
                raise SystemExit("a second start ran pip:\n" + output)
            cached.append(seconds)
            plain.append(ready_s(without)[0])
        difference_ms = (statistics.median(cached) - statistics.median(plain)) * 1000
        print(f"ready, requirements cached: {statistics.median(cached) * 1000:.0f} ms; "
              f"without requirements: {statistics.median(plain) * 1000:.0f} ms "
              f"(medians of {starts}; difference {difference_ms:+.0f} ms, target <= 100 ms)")
        print(f"the cached check in process: {cached_check_ms(with_deps):.2f} ms "
              "(median of 50)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
