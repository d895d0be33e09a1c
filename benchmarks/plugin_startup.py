"""How fast the pytest plugin starts an app: the `samlite_app` fixture's setup for
hello-api (process runtime), in fresh pytest runs as a user's suite would have it.

Prints: the first test's setup (cold: imports, validation, the interpreter probe), later
tests' setup (warm) and teardown, p50 and p90 over the runs.
Target (issue 8): first start-up of hello-api <= 300 ms.
Run:  python3 benchmarks/plugin_startup.py        (--quick: 3 runs, for CI's smoke run)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
TESTS = PROJECT / "sample-apps" / "hello-api" / "tests"

# A pytest plugin of the benchmark's own: it records each test's setup and teardown time.
RECORDER = '''
import json, os
_times = []
def pytest_runtest_logreport(report):
    if report.when in ("setup", "teardown"):
        _times.append((report.when, report.duration * 1000))
def pytest_sessionfinish(session):
    with open(os.environ["SAMLITE_BENCH_OUT"], "a") as out:
        out.write(json.dumps(_times) + "\\n")
'''


def summary(values: list[float]) -> str:
    if len(values) < 2:
        return f"{values[0]:.0f} ms" if values else "-"
    p90 = statistics.quantiles(values, n=10)[-1]
    return f"p50 {statistics.median(values):.0f} ms, p90 {p90:.0f} ms (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 runs (CI's smoke run)")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, "samlite_bench_recorder.py").write_text(RECORDER)
        out = Path(scratch, "times.jsonl")
        env = {**os.environ, "PYTHONPATH": scratch, "SAMLITE_BENCH_OUT": str(out)}
        for _ in range(runs):
            subprocess.run([sys.executable, "-m", "pytest", str(TESTS), "-q", "-p",
                            "samlite_bench_recorder", "-p", "no:cacheprovider"],
                           cwd=scratch, env=env, check=True, capture_output=True)
        cold: list[float] = []
        warm: list[float] = []
        teardown: list[float] = []
        for line in out.read_text().splitlines():
            rows = json.loads(line)
            setups = [ms for when, ms in rows if when == "setup"]
            cold.append(setups[0])
            warm += setups[1:]
            teardown += [ms for when, ms in rows if when == "teardown"]
    print(f"hello-api through the samlite_app fixture, {runs} pytest runs")
    print(f"  first test's setup (cold):  {summary(cold)}   target <= 300 ms")
    print(f"  later tests' setup (warm):  {summary(warm)}")
    print(f"  teardown:                   {summary(teardown)}")


if __name__ == "__main__":
    main()
