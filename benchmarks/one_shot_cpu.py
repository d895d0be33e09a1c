"""What a one-shot `samlite invoke --runtime process` of the hello app costs, in figures that
hold on a busy machine: the samlite process's own CPU time (user + sys, read at exit) and its
children's (the function's process, probes), besides the wall time. Given several source
trees (e.g. a `git archive` of the previous commit), runs them alternately, so each
comparison is made in the same minute.
Run:  python3 benchmarks/one_shot_cpu.py [--runs 10] [--tree DIR --tree DIR2]
      (no --tree: the samlite this Python imports)
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from compare import write_app

# Runs samlite's own entry, then writes its CPU times where this script finds them.
WRAPPER = """\
import atexit, os, resource, sys
def report():
    own, children = resource.getrusage(resource.RUSAGE_SELF), \\
        resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stderr.write("CPU %.4f %.4f\\n" % (own.ru_utime + own.ru_stime,
                                          children.ru_utime + children.ru_stime))
    sys.stderr.flush()
atexit.register(report)
_exit = os._exit
def exit_reporting(code):   # a one-shot command ends in os._exit, past atexit
    report()
    _exit(code)
os._exit = exit_reporting
sys.argv = ["samlite", *sys.argv[1:]]
from samlite.cli.main import main
main()
"""


def run_once(template: Path, tree: str | None) -> tuple[float, float, float, float]:
    """(wall s, samlite's CPU s, its children's CPU s, the whole tree's CPU s) of one invoke;
    the last, read here when samlite has been reaped, includes the interpreter's tear-down."""
    env = {name: value for name, value in os.environ.items()
           if name != "PYTHONDONTWRITEBYTECODE"}   # an installed samlite has its bytecode
    if tree:
        env["PYTHONPATH"] = tree
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    begin = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAPPER, "invoke", "--runtime", "process",
                           "-t", str(template)], cwd=template.parent, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    wall = time.perf_counter() - begin
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    whole = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    found = re.search(r"^CPU (\S+) (\S+)$", done.stderr, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no CPU line: {done.stderr[-500:]}")
    return wall, float(found[1]), float(found[2]), whole


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--tree", action="append", default=[],
                        help="A source tree to import samlite from (repeatable).")
    args = parser.parse_args()
    trees: list[str | None] = list(args.tree) or [None]
    with tempfile.TemporaryDirectory() as temp:
        template = write_app(Path(temp), "python3.12")
        figures: dict[str | None, list[tuple[float, float, float, float]]] = {t: [] for t in trees}
        for tree in trees:
            run_once(template, tree)   # unmeasured: bytecode written, files cached
        for _ in range(args.runs):
            for tree in trees:
                figures[tree].append(run_once(template, tree))
    for tree, runs in figures.items():
        wall, own, children, whole = (statistics.median(column)
                                      for column in zip(*runs, strict=True))
        print(f"{tree or 'installed samlite'}: wall {wall:.3f} s, samlite CPU "
              f"{own * 1000:.0f} ms, children's CPU {children * 1000:.0f} ms, whole tree "
              f"{whole * 1000:.0f} ms with the tear-down (medians of {args.runs})")


if __name__ == "__main__":
    main()
