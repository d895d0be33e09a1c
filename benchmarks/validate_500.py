"""`samlite validate` on a template at CloudFormation's 500-resource limit.

Prints: whole-process time (best of N), in-process time (best of N), two of its stages in
process (best of N, after a first run that compiles the schema validators): the schema check
and building the graph from the resolved template; and cfn-lint's time on the same file when
cfn-lint is installed (optional), with the ratio. Targets (issue 3): <= 300 ms whole process,
>= 10x faster than cfn-lint; schema check ~80 ms, graph build < 50 ms (the bounds
tests/template/test_schema.py and tests/graph/test_build.py asserted before speed left the
tests). Run:  python3 benchmarks/validate_500.py
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_app


def best_of(runs: int, action) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one run each (CI smoke)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs

    from samlite.graph.build import build_graph
    from samlite.template.resolve import resolve
    from samlite.template.schema import check_schema
    from samlite.validation.pipeline import validate_file

    with tempfile.TemporaryDirectory() as tmp:
        template = write_app(Path(tmp))
        result = validate_file(template)
        resources = len(result.loaded.root["Resources"])
        lines = template.read_text().count("\n")
        errors = [p for p in result.problems if p.is_error]
        print(f"template: {resources} resources, {lines} lines, {len(errors)} errors")
        for p in errors[:5]:
            print(f"  {p}")

        # The console script beside this interpreter (a venv's bin/), as a user runs it; not
        # a PATH lookup, which may find a wrapper (pyenv's shims add ~50 ms of bash).
        script = Path(sys.executable).parent / "samlite"
        cli = [str(script)] if script.exists() else [sys.executable, "-m", "samlite.cli"]
        cli += ["validate", str(template)]
        process_s = best_of(runs, lambda: subprocess.run(cli, check=False, capture_output=True))
        inproc_s = best_of(runs, lambda: validate_file(template))
        print(f"samlite validate, whole process: {process_s * 1000:.0f} ms (target <= 300 ms)")
        print(f"samlite validate, in process:    {inproc_s * 1000:.0f} ms")
        loaded = result.loaded
        list(check_schema(loaded))                    # compiles the validators once
        schema_s = best_of(runs, lambda: list(check_schema(loaded)))
        print(f"  schema check, in process:      {schema_s * 1000:.0f} ms (target ~80 ms)")
        resolved = resolve(loaded)
        graph_s = best_of(runs, lambda: build_graph(resolved))
        print(f"  graph build, in process:       {graph_s * 1000:.1f} ms (target < 50 ms)")

        cfn_lint = shutil.which("cfn-lint")
        if cfn_lint:
            lint_s = best_of(min(runs, 3), lambda: subprocess.run(
                [cfn_lint, str(template)], check=False, capture_output=True))
            print(f"cfn-lint, whole process:         {lint_s * 1000:.0f} ms "
                  f"({lint_s / process_s:.1f}x samlite; target >= 10x)")
        else:
            print("cfn-lint: not installed (pip install cfn-lint to compare)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
