"""CPU time per request in each process of issue 20's throughput figures: the hello app
under `samlite up` (process runtime), driven by 10 Python clients (a fresh TCP connection
per request) or by ApacheBench (`ab -c 10`, with -k: keep-alive; mode ab-fresh: a fresh
connection per request); `--clients 1` drives it with one instead, so no thread of `up` waits
for the GIL. `--path /_samlite/ping` sends ab to a route of the AWS endpoint that invokes
nothing: the HTTP server's own cost.

Prints req/s and, per request, the CPU microseconds (user + system, from /proc/PID/stat
before and after the run) of the client (this process's threads), of `samlite up`, and of
its environments together. CPU time barely moves with the machine's load where wall-clock
rates do, so compare a change by these, taken alternately with the old code.
Run:  python3 benchmarks/cpu_split.py [--mode clients|ab|ab-fresh] [--path /hello]
                                      [--requests N] [--runs R] [--clients C]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import compare

WARM_REQUESTS = 300


def cpu_ticks(pid: int) -> int:
    """utime + stime of one process (all its threads), in clock ticks; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text("ascii").rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = [int(word) for word in (task / "children").read_text("ascii").split()]
        except OSError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


def own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def apache_bench(port: int, requests: int, *, path: str, keep_alive: bool,
                 clients: int = 10) -> float:
    done = subprocess.run(["ab", "-q", *(["-k"] if keep_alive else []), "-c", str(clients), "-n",
                           str(requests), f"http://127.0.0.1:{port}{path}"],
                          capture_output=True, text=True, check=True, timeout=300)
    rate = re.search(r"Requests per second:\s+([\d.]+)", done.stdout)
    if rate is None:
        raise RuntimeError(f"ab printed no rate: {done.stdout[-400:]}")
    return float(rate[1])


def one_run(mode: str, requests: int, path: str, clients: int = 10) -> str:
    hz = os.sysconf("SC_CLK_TCK")
    with tempfile.TemporaryDirectory(prefix="cpu-split-") as tmp:
        template = compare.write_app(Path(tmp), compare.PROCESS_PYTHON)
        port, aws_port = compare.free_port(), compare.free_port()
        up = [*compare.samlite_command(), "up", "--ui-port", "0", "--aws-port", str(aws_port)]
        target = aws_port if path.startswith("/_samlite/") else port
        with compare.running_up(up, template, port):
            compare.sequential(port, WARM_REQUESTS)
            compare.concurrent(port, 10, WARM_REQUESTS)   # ten environments started
            up_pid = descendants(os.getpid())[0]
            pids = [up_pid, *descendants(up_pid)]
            before = {pid: cpu_ticks(pid) for pid in pids}
            client_before = own_cpu_s()
            if mode.startswith("ab"):
                rate = apache_bench(target, requests, path=path, keep_alive=mode == "ab",
                                    clients=clients)
            else:
                rate = compare.concurrent(port, clients, requests)
            client_s = own_cpu_s() - client_before
            used = {pid: (cpu_ticks(pid) - before[pid]) / hz for pid in pids}

    def per_request(seconds: float) -> str:
        return f"{seconds / requests * 1e6:5.0f}"

    envs_s = sum(seconds for pid, seconds in used.items() if pid != up_pid)
    client = "  (ab)" if mode.startswith("ab") else per_request(client_s)
    return (f"{mode:8} {path} x{clients} {rate:7,.0f} req/s   CPU us/request: client {client}  "
            f"up {per_request(used[up_pid])}  environments {per_request(envs_s)}  "
            f"(load {os.getloadavg()[0]:.1f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=("clients", "ab", "ab-fresh"), action="append")
    parser.add_argument("--path", default="/hello", help="what ab asks for (clients: /hello)")
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--clients", type=int, default=10,
                        help="concurrent clients (1: no thread of up waits for the GIL)")
    args = parser.parse_args()
    modes = args.mode or (["clients", "ab"] if shutil.which("ab") else ["clients"])
    for _ in range(args.runs):
        for mode in modes:
            print(one_run(mode, args.requests, args.path, args.clients), flush=True)
            time.sleep(0.5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
