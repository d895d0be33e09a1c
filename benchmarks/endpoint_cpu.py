"""What one call through `samlite up`'s AWS endpoint costs the `up` process, in figures that
hold on a busy machine: the CPU time of all its threads (from /proc, Linux only) per
PutItem, GetItem and DescribeLimits (which moto answers with constants: the endpoint's own
share), besides calls per second. One boto3 client in this process, as in dynamodb.py.
Given several source trees (e.g. a `git archive` of the previous commit), runs them
alternately, so each comparison is made in the same minute.
Run:  python3 benchmarks/endpoint_cpu.py [--calls 2000] [--rounds 3] [--tree DIR --tree DIR2]
      (no --tree: the samlite this Python imports)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dynamodb import HANDLER, ITEM, TEMPLATE, client

CALLS: dict[str, Callable[[Any, int], object]] = {
    "PutItem": lambda ddb, i: ddb.put_item(TableName="items",
                                           Item={"id": {"S": f"k{i}"}, **ITEM}),
    "GetItem": lambda ddb, i: ddb.get_item(TableName="items", Key={"id": {"S": f"k{i}"}}),
    "DescribeLimits": lambda ddb, i: ddb.describe_limits(),
}


def process_cpu_s(pid: int) -> float:
    """CPU seconds of every thread of `pid` so far (schedstat: nanoseconds, not ticks)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):   # a thread ended
            total += int((task / "schedstat").read_text().split()[0])
    return total / 1e9


def start_up(folder: Path, tree: str | None) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if tree is not None:
        env["PYTHONPATH"] = tree
    command = [sys.executable, "-m", "samlite.cli", "up", "-t", str(folder / "template.yaml"),
               "--port", "0", "--aws-port", "0"]
    # cwd: the project, so that a tree on PYTHONPATH is not shadowed by this checkout
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env, cwd=folder)
    for line in process.stdout or ():
        if line.startswith("samlite is ready"):
            found = re.search(r"AWS endpoint (http://\S+)", line)
            if found is None:
                raise RuntimeError(f"no AWS endpoint in: {line}")
            threading.Thread(target=process.stdout.read, daemon=True).start()  # type: ignore[union-attr]
            return process, found.group(1)
    raise RuntimeError("samlite up ended before it was ready")


def one_round(tree: str | None, calls: int) -> dict[str, tuple[float, float]]:
    """Per call kind: (the up process's CPU µs per call, calls per second)."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "src").mkdir()
        (folder / "src" / "app.py").write_text(HANDLER)
        (folder / "template.yaml").write_text(TEMPLATE.format(port=9))   # stream unused here
        process, url = start_up(folder, tree)
        try:
            ddb = client(url)
            for i in range(200):     # warm-up: first calls build moto's parsers
                CALLS["PutItem"](ddb, i)
                CALLS["DescribeLimits"](ddb, i)
            out = {}
            for kind, call in CALLS.items():
                cpu, started = process_cpu_s(process.pid), time.perf_counter()
                for i in range(calls):
                    call(ddb, i)
                elapsed = time.perf_counter() - started
                out[kind] = ((process_cpu_s(process.pid) - cpu) / calls * 1e6, calls / elapsed)
            return out
        finally:
            process.terminate()
            process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tree", action="append", default=[],
                        help="a samlite source tree (the folder holding samlite/); repeat")
    args = parser.parse_args()
    trees: list[str | None] = list(args.tree) or [None]
    results: dict[str | None, list[dict[str, tuple[float, float]]]] = {t: [] for t in trees}
    for _ in range(args.rounds):
        for tree in trees:
            results[tree].append(one_round(tree, args.calls))
    for tree, rounds in results.items():
        figures = ", ".join(
            f"{kind} {statistics.median(r[kind][0] for r in rounds):.0f} µs CPU "
            f"({statistics.median(r[kind][1] for r in rounds):,.0f}/s)" for kind in CALLS)
        print(f"{tree or 'this samlite'}: {figures}  (median of {len(rounds)} rounds of "
              f"{args.calls} calls)")


if __name__ == "__main__":
    main()
