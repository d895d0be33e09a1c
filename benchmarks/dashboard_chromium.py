"""Where an open dashboard page's CPU goes in chromium, per gateway request: by chromium
process type (browser, renderer, GPU, utility; from --type= in /proc/PID/cmdline) and, in
the renderer, by thread (its main thread runs script, style, layout and paint; the
ThreadPoolForeground workers rasterize; the Compositor thread composites), from each
thread's schedstat (CPU time, so other work on the machine does not count), and the
renderer's main-thread durations from CDP's Performance.getMetrics (wall time: inflated
when the cores are shared). Also `samlite up`'s CPU per request without and with the page,
and that of the threads in it that came with the page (its stream's and the sender: what
the page costs the serving CPU).
A companion to dashboard.py, whose throughput rounds say how much, not where.
Run:  python3 benchmarks/dashboard_chromium.py [--page invocations] [--rounds 3] [--seconds 3]
      [--keep-open: one page for every round, as a user keeps it, instead of one a round]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from dashboard import HANDLER, TEMPLATE, Up, chromium_path, hammer, our_chromium_pids, settle

# CDP's main-thread durations (seconds) worth splitting a renderer's time by.
DURATIONS = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")


def process_type(pid: int) -> str:
    # Chromium's children rewrite their argv as one space-separated string.
    args = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().split()
    kind = next((a.split("=", 1)[1] for a in args if a.startswith("--type=")), "browser")
    if kind == "utility":
        service = next((a.split("=", 1)[1] for a in args
                        if a.startswith("--utility-sub-type=")), "")
        kind += " " + service.rsplit(".", 1)[-1]
    return kind


def cpu_by_thread() -> dict[tuple[str, str], float]:
    """CPU seconds by (process type, thread name: the renderer's only)."""
    spent: dict[tuple[str, str], float] = defaultdict(float)
    for pid in our_chromium_pids():
        with contextlib.suppress(OSError):
            kind = process_type(pid)
            for task in Path(f"/proc/{pid}/task").iterdir():
                thread = (task / "comm").read_text().strip() if kind == "renderer" else ""
                spent[kind, thread] += int((task / "schedstat").read_text().split()[0]) / 1e9
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="invocations", help="the dashboard page kept open")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--keep-open", action="store_true",
                        help="one page open through every round (no round without it after "
                             "the first)")
    args = parser.parse_args()
    executable = chromium_path()
    if executable is None:
        raise SystemExit("needs Debian's chromium and Playwright's client")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        (project / "src").mkdir()
        (project / "src" / "app.py").write_text(HANDLER)
        (project / "template.yaml").write_text(TEMPLATE)
        up = Up(project / "template.yaml", ui=True)
        host, port = up.gateway.removeprefix("http://").rstrip("/").split(":")
        spent: dict[tuple[str, str], float] = defaultdict(float)
        durations: dict[str, float] = defaultdict(float)
        up_us: dict[str, list[float]] = {"without the page": [], "with the page": [],
                                          "the page's threads": []}
        requests = 0.0
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable,
                                                 args=["--no-sandbox"])
            hammer(host, int(port), 1.0)   # warm
            # Threads started from now on are the dashboard's: a page's stream is served by
            # a pooled thread that an earlier page's request may have started.
            serving_threads = up.threads()
            page: Any = None
            for _ in range(args.rounds):
                if page is None:
                    before = up.cpu_s()
                    rate = hammer(host, int(port), args.seconds)
                    up_us["without the page"].append(
                        (up.cpu_s() - before) * 1e6 / (rate * args.seconds))
                    page = browser.new_page(viewport={"width": 1280, "height": 800})
                    page.goto(up.dashboard + args.page)
                    page.wait_for_selector("body[data-ready=true]")
                    page.wait_for_selector("#live.on")
                    cdp = page.context.new_cdp_session(page)
                    cdp.send("Performance.enable")
                settle()   # what opening the page cost is not streaming's
                page_threads = up.threads() - serving_threads
                metrics_before = {m["name"]: m["value"]
                                  for m in cdp.send("Performance.getMetrics")["metrics"]}
                threads_before, up_before = cpu_by_thread(), up.cpu_s()
                page_threads_before = up.threads_cpu_s(page_threads)
                rate = hammer(host, int(port), args.seconds)
                count = rate * args.seconds
                requests += count
                up_us["with the page"].append((up.cpu_s() - up_before) * 1e6 / count)
                up_us["the page's threads"].append(
                    (up.threads_cpu_s(page_threads) - page_threads_before) * 1e6 / count)
                for key, seconds in cpu_by_thread().items():
                    spent[key] += seconds - threads_before.get(key, 0.0)
                metrics = {m["name"]: m["value"]
                           for m in cdp.send("Performance.getMetrics")["metrics"]}
                for name in DURATIONS:
                    durations[name] += metrics[name] - metrics_before[name]
                if not args.keep_open:
                    page.close()
                    page = None
            browser.close()
        up.stop()
    by_type: dict[str, float] = defaultdict(float)
    for (kind, _), seconds in spent.items():
        by_type[kind] += seconds * 1e6 / requests
    print(f"the {args.page} page in chromium ({'kept open' if args.keep_open else 'one a round'}), "
          f"{args.rounds} rounds of {args.seconds:g} s, "
          f"{requests / args.rounds / args.seconds:.0f} req/s, load average "
          f"{os.getloadavg()[0]:.1f}; CPU µs per gateway request:")
    print(f"  chromium {sum(by_type.values()):.1f}: " + ", ".join(
        f"{kind} {us:.1f}" for kind, us in sorted(by_type.items(), key=lambda i: -i[1])
        if us >= 0.05))
    print("  renderer threads: " + ", ".join(
        f"{thread} {seconds * 1e6 / requests:.1f}"
        for (kind, thread), seconds in sorted(spent.items(), key=lambda i: -i[1])
        if kind == "renderer" and seconds * 1e6 / requests >= 0.3))
    print("  renderer main thread, wall µs per request (CDP): " + ", ".join(
        f"{name.removesuffix('Duration')} {seconds * 1e6 / requests:.1f}"
        for name, seconds in durations.items()))
    print("  samlite up: " + ", ".join(
        f"{label} {statistics.median(values):.{2 if 'threads' in label else 0}f}"
        for label, values in up_us.items()))


if __name__ == "__main__":
    main()
