"""The Docker execution environment: what a container gets (limits, mounts, labels,
environment), what it leaves behind (nothing), and the errors a user sees when Docker cannot
help. The behaviour it shares with processes is tested over both in test_service.py and
test_python_functions.py; tests here that need an engine skip only when none answers."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.app.root import App, AppOptions
from samlite.errors import DockerUnavailable, EnvironmentStartError
from samlite.runtime.environments.base import Exit
from samlite.runtime.environments.cgroups import cpu_burst_us, cpu_stat
from samlite.runtime.environments.docker import (
    FULL_VCPU_MB,
    LABEL_FUNCTION,
    LABEL_PID,
    LABEL_PROJECT,
    DockerEnvironments,
    connect,
    container_exit,
    docker_problem,
)
from samlite.runtime.environments.host_files import opt_folder
from samlite.runtime.service import LambdaService

from .conftest import PYTHON_RUNTIME, DockerImages, ServiceMaker, function_spec

MIB = 1024 * 1024
DEAD_ENGINE = "unix:///nonexistent/docker.sock"


# --- without an engine ---------------------------------------------------------------------
def test_layers_merge_into_one_opt_and_a_later_layer_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for layer, word in ((first, "first"), (second, "second")):
        (layer / "python").mkdir(parents=True)
        (layer / "python" / "shared.py").write_text(word, encoding="utf-8")
    (first / "bin").mkdir()
    (first / "bin" / "tool").write_text("tool", encoding="utf-8")
    (second / "lib").mkdir()
    (second / "lib" / "libx.so").write_text("lib", encoding="utf-8")
    opt = opt_folder((first, second), tmp_path / "opt")
    assert opt is not None
    files = sorted(str(p.relative_to(opt)) for p in opt.rglob("*") if p.is_file())
    assert files == ["bin/tool", "lib/libx.so", "python/shared.py"]
    assert (opt / "python" / "shared.py").read_text(encoding="utf-8") == "second"
    assert (opt / "bin" / "tool").stat().st_ino == (first / "bin" / "tool").stat().st_ino


def test_a_built_layer_is_the_opt_python_folder(tmp_path: Path) -> None:
    """A layer with a Python BuildMethod: sam build copies its ContentUri into python/."""
    built = tmp_path / "built"
    built.mkdir()
    (built / "shared.py").write_text("x", encoding="utf-8")
    opt = opt_folder((built,), tmp_path / "opt", built=frozenset({built}))
    assert opt is not None and opt != built
    assert sorted(str(p.relative_to(opt)) for p in opt.rglob("*") if p.is_file()) == [
        "python/shared.py"]


def test_one_layer_is_mounted_as_it_is_and_none_leaves_opt_alone(tmp_path: Path) -> None:
    assert opt_folder((tmp_path,), tmp_path / "opt") == tmp_path
    assert opt_folder((), tmp_path / "opt") is None


@pytest.mark.parametrize(("case", "code", "out_of_memory", "expected"), [
    ("a clean exit", 0, False, Exit(exit_code=0)),
    ("an exit status", 7, False, Exit(exit_code=7)),
    ("killed (timeout)", 137, False, Exit(exit_code=None, signal_name="killed")),
    ("terminated (stop)", 143, False, Exit(exit_code=None, signal_name="terminated")),
    ("out of memory", 137, True,
     Exit(exit_code=None, signal_name="killed", out_of_memory=True)),
    ("the engine went away", None, False, Exit(exit_code=None, signal_name="killed")),
])
def test_a_containers_end_in_lambdas_words(case: str, code: int | None, out_of_memory: bool,
                                           expected: Exit) -> None:
    assert container_exit(code, out_of_memory=out_of_memory) == expected


def test_cpu_is_proportional_to_memory_up_to_the_hosts_cores(tmp_path: Path) -> None:
    engine = DockerEnvironments(project_dir=tmp_path, client=object())  # type: ignore[arg-type]
    cores = os.cpu_count() or 1
    assert engine.nano_cpus(FULL_VCPU_MB) == min(1, cores) * 1_000_000_000
    assert engine.nano_cpus(128) == int(128 / 1769 * 1_000_000_000)
    assert engine.nano_cpus(10240) == cores * 1_000_000_000


@pytest.mark.parametrize(("case", "memory_mb", "expected_share"), [
    ("128 MB: a fourteenth of a vCPU", 128, 128 / 1769),
    ("one vCPU", 1769, 1.0),
    ("more than one vCPU", 3538, 2.0),
])
def test_the_cpu_share_comes_in_slices_short_enough_for_a_low_tail(
        case: str, memory_mb: int, expected_share: float, tmp_path: Path) -> None:
    engine = DockerEnvironments(project_dir=tmp_path, client=object())  # type: ignore[arg-type]
    engine.cpus = 2
    period_us, quota_us = engine.cpu_slice(memory_mb)
    assert quota_us / period_us == pytest.approx(expected_share, rel=0.001)
    assert quota_us >= 1_000               # the kernel's smallest quota
    assert period_us <= 14_000             # a throttled environment waits 14 ms at most, not 100


def test_the_init_phase_gets_at_least_one_vcpu(tmp_path: Path) -> None:
    engine = DockerEnvironments(project_dir=tmp_path, client=object())  # type: ignore[arg-type]
    engine.cpus = 2
    assert engine.init_cpu_slice(128) == engine.cpu_slice(FULL_VCPU_MB) == (10_000, 10_000)
    assert engine.init_cpu_slice(3538) == engine.cpu_slice(3538) == (10_000, 20_000)


def test_no_engine_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", DEAD_ENGINE)
    with pytest.raises(DockerUnavailable, match=r"no Docker engine answers at "
                       r"unix:///nonexistent/docker.sock .*or use --runtime process") as caught:
        DockerEnvironments(project_dir=tmp_path)
    assert caught.value.exit_code == 3
    assert docker_problem(["any"]) == f"no Docker engine answers at {DEAD_ENGINE}"


# --- with an engine ------------------------------------------------------------------------
@pytest.fixture
def engine(tmp_path: Path, docker_images: DockerImages) -> Iterator[DockerEnvironments]:
    engine = DockerEnvironments(project_dir=tmp_path, images={
        PYTHON_RUNTIME: docker_images.python, "provided.al2023": docker_images.custom})
    yield engine
    for container in _containers(engine):   # whatever a failing test left
        engine.client.api.remove_container(container["Id"], force=True)
    engine.close()


def _containers(engine: DockerEnvironments) -> list[dict]:
    return engine.client.api.containers(
        all=True, filters={"label": f"{LABEL_PROJECT}={engine.project}"})


def invoke(service: LambdaService, event: dict[str, object]) -> dict:
    return json.loads(service.invoke("Fn", json.dumps(event).encode()).payload)


@pytest.mark.parametrize("runtime", ["docker"])
def test_a_container_gets_lambdas_limits_and_samlites_labels(
        make_service: ServiceMaker, custom_runtime: Path, environments: DockerEnvironments,
        tmp_path: Path) -> None:
    layer = tmp_path / "layer"
    layer.mkdir()
    service, _ = make_service(function_spec(custom_runtime, memory_mb=256,
                                            ephemeral_storage_mb=1024, layer_dirs=(layer,)))
    invoke(service, {"n": 1})
    [listed] = _containers(environments)
    container = environments.client.api.inspect_container(listed["Id"])
    host = container["HostConfig"]
    assert (host["Memory"], host["MemorySwap"]) == (256 * MIB, 256 * MIB)   # no swap
    assert (host["CpuPeriod"], host["CpuQuota"]) == environments.cpu_slice(256)
    assert (host["NetworkMode"], host["ReadonlyRootfs"], host["PidsLimit"]) == \
        ("host", True, 1024)
    assert {u["Name"]: u["Hard"] for u in host["Ulimits"]} == \
        {"fsize": 1024 * MIB, "nofile": 1024}
    mounts = {m["Destination"]: (m["Source"], m["RW"]) for m in container["Mounts"]}
    assert mounts["/var/task"] == (str(custom_runtime), False)
    assert mounts["/opt"] == (str(layer), False)
    assert mounts["/tmp"][1] is True
    assert container["Config"]["Labels"][LABEL_FUNCTION] == "Fn"
    assert container["Config"]["Labels"][LABEL_PROJECT] == str(tmp_path.resolve())
    assert container["Config"]["Labels"][LABEL_PID] == str(os.getpid())


@pytest.mark.parametrize("runtime", ["docker"])
def test_a_busy_128_mb_function_gets_its_share_of_the_cpu_and_no_more(
        make_service: ServiceMaker, custom_runtime: Path,
        environments: DockerEnvironments) -> None:
    service, _ = make_service(function_spec(custom_runtime, memory_mb=128, timeout_s=60))
    invoke(service, {"n": 1})   # past init: the share, not the init phase's vCPU, applies
    [listed] = _containers(environments)
    _period_us, quota_us = environments.cpu_slice(128)
    assert cpu_burst_us(listed["Id"]) == quota_us   # unused quota is banked, up to one quota
    before = cpu_stat(listed["Id"])
    invoke(service, {"spin_cpu_ms": 150})   # ~2 s of a 128 MB share
    after = cpu_stat(listed["Id"])
    assert before is not None and after is not None
    used_us = after.usage_us - before.usage_us
    periods = after.nr_periods - before.nr_periods
    # Over the busy spell it ran at its share (one quota per period it was runnable),
    # plus at most the banked burst and the kernel's 4 ms tick of lateness in enforcing it.
    assert used_us >= 150_000
    assert used_us <= periods * quota_us + quota_us + 4_000
    assert used_us >= 0.5 * periods * quota_us
    assert after.nr_throttled - before.nr_throttled >= periods // 2   # held back, not idle


@pytest.mark.parametrize("runtime", ["docker"])
def test_only_tmp_is_writable_and_the_paths_are_lambdas(make_service: ServiceMaker) -> None:
    service, _ = make_service()
    assert invoke(service, {"write": "/var/task/new"})["write"] == "Read-only file system"
    assert invoke(service, {"write": "/etc/new"})["write"] == "Read-only file system"
    assert invoke(service, {"write": "/tmp/new"})["write"] == "written"
    names = ["LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
    assert invoke(service, {"env": names})["env"] == {
        "LAMBDA_TASK_ROOT": "/var/task", "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}


@pytest.mark.parametrize("runtime", ["docker"])
def test_stopping_leaves_no_container(make_service: ServiceMaker, custom_runtime: Path,
                                      environments: DockerEnvironments) -> None:
    service, _ = make_service(function_spec(custom_runtime, provisioned_concurrency=3))
    assert len(_containers(environments)) == 3
    service.stop(grace_s=1)
    assert _containers(environments) == []


def test_containers_a_dead_samlite_left_are_removed(engine: DockerEnvironments,
                                                    docker_images: DockerImages) -> None:
    finished = subprocess.Popen(["true"])   # any process that has ended
    finished.wait()
    for owner in (str(finished.pid), str(os.getpid())):
        engine.client.api.create_container(
            docker_images.python, labels={LABEL_PROJECT: engine.project, LABEL_PID: owner})
    assert engine.remove_orphans() == 1
    assert [c["Labels"][LABEL_PID] for c in _containers(engine)] == [str(os.getpid())]


@pytest.mark.parametrize("runtime", ["docker"])
def test_a_missing_image_says_how_to_get_it(tmp_path: Path, custom_runtime: Path,
                                            docker_images: DockerImages) -> None:
    engine = DockerEnvironments(project_dir=tmp_path,
                                images={"provided.al2023": "samlite-test/absent:0"})
    service = LambdaService([function_spec(custom_runtime)], environments=engine)
    service.start()
    try:
        with pytest.raises(EnvironmentStartError, match=r"^Fn: the image samlite-test/absent:0 "
                           r"is not on this machine; run `docker pull samlite-test/absent:0`, "
                           r"or use --runtime process$"):
            service.invoke("Fn", b"{}")
    finally:
        service.stop()
        engine.close()


class _EngineProxy:
    """A unix socket in front of the real engine that can be cut, as an engine that stops
    answering looks to samlite."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "engine.sock"
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(str(self.path))
        self.listener.listen()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect("/var/run/docker.sock")
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


@pytest.mark.parametrize("runtime", ["docker"])
def test_an_engine_that_stops_answering_fails_invokes_cleanly(
        tmp_path: Path, custom_runtime: Path, docker_images: DockerImages,
        monkeypatch: pytest.MonkeyPatch) -> None:
    if not Path("/var/run/docker.sock").exists():
        reason = "the proxy stands in front of the default socket, which is not here"
        if os.environ.get("SAMLITE_REQUIRE_DOCKER") == "1":
            pytest.fail(f"SAMLITE_REQUIRE_DOCKER=1, but {reason}")
        pytest.skip(reason)
    proxy = _EngineProxy(tmp_path)
    monkeypatch.setenv("DOCKER_HOST", f"unix://{proxy.path}")
    engine = DockerEnvironments(project_dir=tmp_path,
                                images={"provided.al2023": docker_images.custom})
    lines: list[str] = []
    service = LambdaService([function_spec(custom_runtime)], environments=engine,
                            log=lambda fn, line: lines.append(line))
    service.start()
    try:
        assert invoke(service, {"n": 1}) == {"n": 1}
        proxy.cut()
        for _ in range(500):   # bounded: the environment notices its engine is gone
            if service.environment_count("Fn") == 0:
                break
            threading.Event().wait(0.01)
        assert any("the Docker engine at" in line and "stopped answering" in line
                   for line in lines)
        with pytest.raises(EnvironmentStartError, match=r"^Fn: the Docker engine at unix://.* "
                           r"did not answer \(.*\); start it again, or use --runtime process$"):
            service.invoke("Fn", b"{}")
    finally:
        service.stop(grace_s=0)
        monkeypatch.delenv("DOCKER_HOST")
        real = connect()
        for container in real.api.containers(
                all=True, filters={"label": f"{LABEL_PROJECT}={engine.project}"}):
            # The engine may be removing it already (409) or be done (404): either is clean.
            with contextlib.suppress(Exception):
                real.api.remove_container(container["Id"], force=True)
        real.close()


VERSION_BOOTSTRAP = """#!/usr/bin/env python3
import http.client, os
version = open("version.txt").read()   # read once, at init: only a new container sees a change
api = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
while True:
    api.request("GET", "/2018-06-01/runtime/invocation/next")
    reply = api.getresponse()
    reply.read()
    request_id = reply.getheader("Lambda-Runtime-Aws-Request-Id")
    api.request("POST", f"/2018-06-01/runtime/invocation/{request_id}/response", version)
    api.getresponse().read()
"""


def test_hot_reload_recycles_only_the_changed_functions_containers(
        tmp_path: Path, docker_images: DockerImages) -> None:
    # provided.al2023, whose bootstrap runs in the Python image when no provided image is
    # here (python3.11 itself is past Lambda's block-create date, which validate enforces).
    for name in ("hello", "other"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "version.txt").write_text('"v1"', encoding="utf-8")
        (tmp_path / name / "bootstrap").write_text(VERSION_BOOTSTRAP, encoding="utf-8")
        (tmp_path / name / "bootstrap").chmod(0o755)
    resources = "".join(f"""
  {name.title()}Function:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {name}/
      Handler: unused
      Runtime: provided.al2023""" for name in ("hello", "other"))
    template = tmp_path / "template.yaml"
    template.write_text('AWSTemplateFormatVersion: "2010-09-09"\n'
                        "Transform: AWS::Serverless-2016-10-31\n"
                        f"Resources:{resources}\n", encoding="utf-8")
    engine = DockerEnvironments(project_dir=tmp_path, images={
        "provided.al2023": docker_images.custom})
    with App(template, AppOptions(runtime="docker"), environments=engine) as app:
        assert app.invoke("HelloFunction", b"{}").payload == b'"v1"'
        assert app.invoke("OtherFunction", b"{}").payload == b'"v1"'
        changed_file = tmp_path / "hello" / "version.txt"
        changed_file.write_text('"v2"', encoding="utf-8")
        assert app.reload(frozenset({changed_file})) is not None
        changed = app.invoke("HelloFunction", b"{}")
        assert (changed.payload, changed.report.init_duration_ms is not None) == (b'"v2"', True)
        assert app.invoke("OtherFunction", b"{}").report.init_duration_ms is None   # warm
