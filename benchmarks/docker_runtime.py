"""Docker execution environments next to process ones: the same Python handler, the same
service, one run.

Prints, per runtime: cold start (Init Duration, from the environment's start to its first
/next, and the first invoke's round trip), warm invoke round trip through the service (p50/p99;
the handler returns at once, so this is what samlite and the runtime add), and the time to
start 20 environments (20 provisioned environments, until all have polled /next) and to stop
them. Without a Docker engine it prints the process figures and says so.
Targets (issue 6): warm <= 3 ms added, cold <= 600 ms, 20 environments <= 5 s.
Run:  python3 benchmarks/docker_runtime.py   (--quick: fewer samples, for CI's smoke run)
      --image IMAGE   run the Docker half in another image with the official layout
      --memory MB     MemorySize (default 1769: one vCPU, so the CPU quota is not timed)
(Not benchmarks/docker.py: run as a script, that name would shadow the docker package.)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from samlite.errors import DockerUnavailable
from samlite.runtime.images import runtime_image
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import FunctionSpec

RUNTIME = "python3.11"   # the local image's Python (Debian bookworm's)
MANY = 20


def spec(code: Path, memory_mb: int, **fields: object) -> FunctionSpec:
    return FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime=RUNTIME, code_dir=code, memory_mb=memory_mb, timeout_s=30,
                        **fields)  # type: ignore[arg-type]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def measure(name: str, environments: Callable[..., object], code: Path, *, memory_mb: int,
            warm_calls: int, cold_starts: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    service = LambdaService([spec(code, memory_mb)], environments=environments)  # type: ignore[arg-type]
    service.start()
    try:
        inits, firsts = [], []
        for _ in range(cold_starts):
            service.recycle(["Fn"])
            start = time.perf_counter()
            result = service.invoke("Fn", b"{}")
            firsts.append(time.perf_counter() - start)
            inits.append((result.report.init_duration_ms or 0.0) / 1000)
        figures["init"], figures["first"] = statistics.median(inits), statistics.median(firsts)
        samples = []
        for _ in range(warm_calls):
            start = time.perf_counter()
            service.invoke("Fn", b"{}")
            samples.append(time.perf_counter() - start)
        figures["warm_p50"], figures["warm_p99"] = percentiles(samples)
    finally:
        service.stop(grace_s=1)
    many = LambdaService([spec(code, memory_mb, provisioned_concurrency=MANY)],
                         environments=environments)  # type: ignore[arg-type]
    start = time.perf_counter()
    many.start()   # starts all 20, returns once each has polled /next
    figures["many_start"] = time.perf_counter() - start
    count = many.environment_count("Fn")
    start = time.perf_counter()
    many.stop(grace_s=1)
    figures["many_stop"] = time.perf_counter() - start
    print(f"{name:8} cold: Init Duration p50 {ms(figures['init'])}, first invoke "
          f"{ms(figures['first'])} | warm: p50 {ms(figures['warm_p50'])}, p99 "
          f"{ms(figures['warm_p99'])} | {count} environments: started in "
          f"{figures['many_start']:.2f} s, stopped in {figures['many_stop']:.2f} s")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    parser.add_argument("--image", default=runtime_image(RUNTIME))
    parser.add_argument("--memory", type=int, default=1769, help="MemorySize in MB")
    args = parser.parse_args()
    warm_calls, cold_starts = (100, 3) if args.quick else (1000, 10)
    print(f"Same handler (returns at once), {RUNTIME}, {args.memory} MB; {warm_calls} warm "
          f"invokes, {cold_starts} cold starts, {MANY} provisioned environments")
    with tempfile.TemporaryDirectory(prefix="samlite-bench-") as folder:
        code = Path(folder) / "src"
        code.mkdir()
        (code / "app.py").write_text("def handler(event, context):\n    return {'ok': True}\n",
                                     encoding="utf-8")
        from samlite.runtime.environments.process import ProcessEnvironment

        process = measure("process", ProcessEnvironment, code, memory_mb=args.memory,
                          warm_calls=warm_calls, cold_starts=cold_starts)
        try:
            from samlite.runtime.environments.docker import DockerEnvironments, docker_problem

            problem = docker_problem([args.image])
            if problem is not None:
                print(f"docker   not measured: {problem}")
                return 0
            engine = DockerEnvironments(project_dir=Path(folder), images={RUNTIME: args.image})
        except DockerUnavailable as exc:
            print(f"docker   not measured: {exc}")
            return 0
        try:
            docker = measure("docker", engine, code, memory_mb=args.memory,
                             warm_calls=warm_calls, cold_starts=cold_starts)
        finally:
            engine.close()
    added = (docker["warm_p50"] - process["warm_p50"]) * 1000
    print(f"Docker vs process: warm p50 {added:+.2f} ms (target <= 3 ms added); cold "
          f"{ms(docker['init'])} (target <= 600 ms); {MANY} environments "
          f"{docker['many_start']:.2f} s (target <= 5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
