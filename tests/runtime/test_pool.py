"""The Lambda service's pool rules with fake environments (fakes.py) under a ManualClock:
deadlines on the service's clock, retirement joined by stop, and a stress run in which every
invoke gets exactly one answer and none comes from old code once a recycle has returned."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.clock import ManualClock
from samlite.runtime.invocation import Invocation
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import FunctionSpec

from .fakes import REAL_WAIT_S, DirectRuntimeApis, FakeEnvironments, Handler


def echo(invocation: Invocation, version: int) -> bytes:
    return json.dumps({"request_id": invocation.request_id, "version": version,
                       "event": json.loads(invocation.payload)}).encode()


def spec(tmp_path: Path, **fields: object) -> FunctionSpec:
    return FunctionSpec(logical_id="Fn", function_name="Fn", handler="unused",
                        runtime="provided.al2023", code_dir=tmp_path,
                        **fields)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def services() -> Iterator[list[LambdaService]]:
    made: list[LambdaService] = []
    yield made
    for service in made:
        service.stop(grace_s=0.5)


def fake_service(tmp_path: Path, services: list[LambdaService], clock: ManualClock,
                 handler: Handler = echo, *, stop_takes_s: float = 0.0,
                 **options: object) -> tuple[LambdaService, FakeEnvironments]:
    apis = DirectRuntimeApis()
    environments = FakeEnvironments(apis, handler, stop_takes_s=stop_takes_s)
    function = spec(tmp_path, **options.pop("fields", {}))  # type: ignore[arg-type]
    service = LambdaService([function], environments=environments,  # type: ignore[arg-type]
                            clock=clock, runtime_apis=apis, tmp_root=tmp_path / "envs",
                            **options)  # type: ignore[arg-type]
    service.start()
    services.append(service)
    return service, environments


def test_a_timeout_is_measured_on_the_services_clock(
        tmp_path: Path, services: list[LambdaService], clock: ManualClock) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(invocation: Invocation, version: int) -> bytes:
        started.set()
        release.wait(REAL_WAIT_S)
        return b"{}"

    service, _ = fake_service(tmp_path, services, clock, slow,
                              fields={"timeout_s": 900})
    results: list[dict] = []
    worker = threading.Thread(
        target=lambda: results.append(json.loads(service.invoke("Fn", b"{}").payload)))
    worker.start()
    assert started.wait(REAL_WAIT_S)
    clock.advance(seconds=900)
    worker.join(REAL_WAIT_S)
    release.set()
    assert results and results[0]["errorType"] == "Sandbox.Timedout"
    assert results[0]["errorMessage"].endswith("Task timed out after 900.00 seconds")


def test_an_invoke_after_reaping_gets_a_fresh_environment(
        tmp_path: Path, services: list[LambdaService], clock: ManualClock) -> None:
    service, environments = fake_service(tmp_path, services, clock, idle_timeout_s=60)
    service.invoke("Fn", b"{}")
    clock.advance(seconds=60)
    assert service.reap_idle() == 1
    assert service.invoke("Fn", b"{}").report.init_duration_ms is not None  # type: ignore[union-attr]
    assert len(environments.made) == 2
    assert environments.made[0].answered and len(environments.made[1].answered) == 1


def test_stop_waits_for_environments_being_retired(
        tmp_path: Path, services: list[LambdaService], clock: ManualClock) -> None:
    service, environments = fake_service(tmp_path, services, clock, stop_takes_s=0.3)
    service.invoke("Fn", b"{}")
    assert service.recycle(["Fn"]) == 1   # its stop now runs on a thread of its own
    service.stop(grace_s=1)
    assert [env.stopped for env in environments.made] == [True]


INVOKES = 10_000
THREADS = 8


@pytest.fixture
def frequent_thread_switches() -> Iterator[None]:
    """Threads switch every microsecond instead of every 5 ms: races show far more often."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("frequent_thread_switches")
def test_stress_every_invoke_gets_one_answer_and_none_from_old_code_after_a_recycle(
        tmp_path: Path, services: list[LambdaService], clock: ManualClock) -> None:
    # idle_timeout_s=0: every idle environment may be reaped at any moment.
    service, environments = fake_service(tmp_path, services, clock, idle_timeout_s=0.0,
                              fields={"timeout_s": 900})
    settled = [environments.code.version]   # the newest version a returned recycle promised
    answers: dict[str, int] = {}
    stale: list[tuple[int, int]] = []
    wrong: list[str] = []
    done = threading.Event()
    lock = threading.Lock()

    def invoker(worker: int) -> None:
        for index in range(INVOKES // THREADS):
            floor = settled[0]
            event = {"worker": worker, "index": index}
            result = service.invoke("Fn", json.dumps(event).encode())
            body = json.loads(result.payload)
            with lock:
                answers[result.request_id] = answers.get(result.request_id, 0) + 1
                if body.get("event") != event or body.get("request_id") != result.request_id:
                    wrong.append(result.payload.decode())
                elif body["version"] < floor:
                    stale.append((body["version"], floor))

    def reaper() -> None:
        while not done.wait(0.0005):
            service.reap_idle()

    def recycler() -> None:
        while not done.wait(0.001):
            environments.code.version += 1
            service.recycle(["Fn"])
            settled[0] = environments.code.version

    background = [threading.Thread(target=reaper), threading.Thread(target=recycler)]
    invokers = [threading.Thread(target=invoker, args=(n,)) for n in range(THREADS)]
    for thread in (*background, *invokers):
        thread.start()
    for thread in invokers:
        thread.join(120)
    done.set()
    for thread in background:
        thread.join(REAL_WAIT_S)
    service.stop(grace_s=1)

    assert wrong == [] and stale == []
    assert len(answers) == INVOKES and set(answers.values()) == {1}
    assert environments.code.version > 10   # recycles really ran meanwhile
    assert all(env.stopped for env in environments.made)
    answered = [rid for env in environments.made for rid in env.answered]
    assert sorted(answered) == sorted(answers)   # each ran once, in one environment
