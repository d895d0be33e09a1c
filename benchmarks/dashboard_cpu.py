"""What the dashboard costs `samlite up` in CPU time per invocation: a load-robust companion
to dashboard.py's throughput rounds (CPU seconds do not shrink when other work shares the
cores, as requests/s do).

Starts two `samlite up` processes on one hello route, one with `--no-ui` and one with its
dashboard, and in alternating rounds drives each with the same keep-alive clients: the
--no-ui one, the dashboard one with no page open, and the dashboard one with a page
streaming /api/events (another process). For each, the up process's own CPU time (user +
sys from /proc/PID/stat, its function processes not included) divided by the requests it
answered; the median over the rounds, and round by round. Also the CPU time of the threads
that came with the page (its stream's request thread, the stream's sender) per request,
from /proc/PID/task, and of the page's process: the steadiest figures when other work
shares the cores. Linux only.
Run:  python3 benchmarks/dashboard_cpu.py        (--quick: shorter rounds)
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from dashboard import (
    CLIENTS,
    HANDLER,
    TEMPLATE,
    Up,
    hammer,
    reader_cpu_s,
    stop_reader,
    stream_reader,
)


def measure(up: Up, seconds: float) -> tuple[float, float]:
    """(requests/s, CPU µs of the up process per request) over one round."""
    host, port = up.gateway.removeprefix("http://").rstrip("/").split(":")
    before = up.cpu_s()
    rate = hammer(host, int(port), seconds)
    spent = up.cpu_s() - before
    return rate, spent * 1e6 / (rate * seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short rounds")
    args = parser.parse_args()
    rounds, seconds = (2, 2.0) if args.quick else (5, 4.0)
    with tempfile.TemporaryDirectory() as folder:
        app = Path(folder)
        (app / "src").mkdir()
        (app / "src" / "app.py").write_text(HANDLER)
        (app / "template.yaml").write_text(TEMPLATE)
        plain, with_ui = Up(app / "template.yaml", ui=False), Up(app / "template.yaml", ui=True)
        try:
            results: dict[str, list[tuple[float, float]]] = {
                "--no-ui": [], "dashboard, no page": [], "dashboard, a page streaming": []}
            for up in (plain, with_ui):
                measure(up, 1.0)   # warm
            events = messages = 0
            dashboard_threads: set[int] = set()   # those that came with a page: its stream's
            thread_share: list[float] = []
            reader_share: list[float] = []   # the page's process (a browser's share)
            for _ in range(rounds):
                results["--no-ui"].append(measure(plain, seconds))
                results["dashboard, no page"].append(measure(with_ui, seconds))
                before = with_ui.threads()
                reader = stream_reader(with_ui.dashboard)
                time.sleep(0.1)
                dashboard_threads |= with_ui.threads() - before
                spent_s = with_ui.threads_cpu_s(dashboard_threads)
                read_s = reader_cpu_s(reader)
                rate, cpu = measure(with_ui, seconds)
                results["dashboard, a page streaming"].append((rate, cpu))
                thread_share.append((with_ui.threads_cpu_s(dashboard_threads) - spent_s)
                                    * 1e6 / (rate * seconds))
                reader_share.append((reader_cpu_s(reader) - read_s) * 1e6 / (rate * seconds))
                events, messages = stop_reader(reader)
        finally:
            plain.stop()
            with_ui.stop()
    print(f"samlite up, {CLIENTS} clients, {rounds} rounds of {seconds:g} s "
          f"(medians; load average {os.getloadavg()[0]:.1f}; the page got {events} events "
          f"in {messages} messages in the last round):")
    base = statistics.median(cpu for _, cpu in results["--no-ui"])
    for mode, samples in results.items():
        rate = statistics.median(r for r, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        print(f"  {mode:28} {rate:6.0f} req/s, {cpu:6.0f} µs CPU per request "
              f"({(cpu - base) / base * 100:+.1f} % vs --no-ui)")
    # Paired rounds (the same minute's load on both) are steadier than the medians above.
    paired = [(streaming[1] - alone[1]) / alone[1] for streaming, alone in
              zip(results["dashboard, a page streaming"], results["dashboard, no page"],
                  strict=True)]
    no_ui = [(alone[1] - plain_[1]) / plain_[1] for alone, plain_ in
             zip(results["dashboard, no page"], results["--no-ui"], strict=True)]
    print(f"  round by round (medians): a page streaming vs none "
          f"{statistics.median(paired) * 100:+.1f} %, no page vs --no-ui "
          f"{statistics.median(no_ui) * 100:+.1f} %")
    print(f"  the page's own threads (its stream, the sender): "
          f"{statistics.median(thread_share):.1f} µs CPU per request; the page's process "
          f"(reading and parsing every message): {statistics.median(reader_share):.1f} µs")


if __name__ == "__main__":
    main()
