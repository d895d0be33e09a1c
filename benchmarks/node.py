"""Node.js functions in the process runtime, through the Invoke API on loopback.

Prints: warm invoke round trip (p50/p99 over N calls, 1 client on a keep-alive connection;
the handler returns at once, so this is what samlite and node_loop.cjs add), cold start
(first invoke of a function: node starting, node_loop.cjs loading the handler, and the
Init Duration its REPORT gives), for a CommonJS and an ES module handler, and the resident
memory of an idle environment. Targets (issue 21): cold <= 150 ms, warm p50 <= 1 ms.
Run:  python3 benchmarks/node.py        (--quick: fewer calls, for CI's smoke run)
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from invoke import client, environment_rss_mb, invoke, percentiles

COLD_FUNCTIONS = 8


def write_app(directory: Path) -> Path:
    (directory / "cjs").mkdir(parents=True, exist_ok=True)
    (directory / "cjs" / "app.js").write_text(
        "exports.handler = async () => ({ ok: true });\n", encoding="utf-8")
    (directory / "esm").mkdir(parents=True, exist_ok=True)
    (directory / "esm" / "app.mjs").write_text(
        "export const handler = async () => ({ ok: true });\n", encoding="utf-8")
    lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Transform: AWS::Serverless-2016-10-31",
             "Globals:", "  Function:", "    Runtime: nodejs20.x", "    Handler: app.handler",
             "Resources:", "  Warm:", "    Type: AWS::Serverless::Function",
             "    Properties: {CodeUri: cjs/}"]
    for kind in ("cjs", "esm"):
        for index in range(COLD_FUNCTIONS):
            lines += [f"  {kind.capitalize()}{index}:", "    Type: AWS::Serverless::Function",
                      f"    Properties: {{CodeUri: {kind}/}}"]
    template = directory / "template.yaml"
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return template


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
            host, port = (app.endpoint_url or "").removeprefix("http://").split(":")
            conn = client((host, int(port)))
            invoke(conn, "Warm")   # its cold start
            for _ in range(20):
                invoke(conn, "Warm")
            samples = []
            for _ in range(calls):
                start = time.perf_counter()
                invoke(conn, "Warm")
                samples.append(time.perf_counter() - start)
            print(f"node warm invoke, 1 client, {calls} calls: {percentiles(samples)}")
            for kind in ("Cjs", "Esm"):
                cold, init = [], []
                for index in range(COLD_FUNCTIONS):
                    reports.clear()
                    start = time.perf_counter()
                    invoke(conn, f"{kind}{index}")
                    cold.append(time.perf_counter() - start)
                    found = re.search(r"Init Duration: ([\d.]+) ms", " ".join(reports))
                    init.append(float(found[1]) if found else float("nan"))
                print(f"node cold start ({kind.upper()} handler, first invoke), "
                      f"{COLD_FUNCTIONS} functions: median {statistics.median(cold) * 1000:.0f}"
                      f" ms, max {max(cold) * 1000:.0f} ms; Init Duration median "
                      f"{statistics.median(init):.0f} ms")
            time.sleep(0.5)
            sizes = environment_rss_mb(b"node_loop.cjs")
            print(f"idle node environment RSS, {len(sizes)} environments: median "
                  f"{statistics.median(sizes):.1f} MB, max {max(sizes):.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
