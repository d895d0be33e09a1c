"""A process environment owns every process its runtime starts: the runtime's death is seen
even when a child holds its output open, children (`setsid` ones too) end with the
environment, count against MemorySize and the process cap, and /tmp is held to
EphemeralStorage in total. Each test runs on both kinds of tree: a cgroup v2 where this
machine allows one, and the /proc fallback."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from samlite.runtime.environments import process_tree
from samlite.runtime.environments.process import ProcessEnvironment
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import FunctionSpec
from samlite.testing import wait_for

from .conftest import PYTHON_RUNTIME

SMALL_CAP = 40


def is_running(pid: int) -> bool:
    """Alive and not a zombie waiting for its parent to read its status."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


@pytest.fixture(params=["cgroup", "proc"])
def trees(request: pytest.FixtureRequest) -> process_tree.TreeFactory:
    if request.param == "proc":
        return process_tree.session_trees(SMALL_CAP)
    parent = process_tree.cgroup_parent()
    if parent is None:
        pytest.skip("this machine lets samlite make no cgroup v2 (the /proc half runs)")
    return process_tree.cgroup_trees(parent, SMALL_CAP)


Maker = Callable[..., tuple[LambdaService, list[str]]]


@pytest.fixture
def make_service(tmp_path: Path, trees: process_tree.TreeFactory) -> Iterator[Maker]:
    services: list[LambdaService] = []

    def make(source: str, **fields: object) -> tuple[LambdaService, list[str]]:
        code = tmp_path / "src"
        code.mkdir(exist_ok=True)
        (code / "app.py").write_text(source, encoding="utf-8")
        spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                            runtime=PYTHON_RUNTIME, code_dir=code,
                            **fields)  # type: ignore[arg-type]
        lines: list[str] = []
        service = LambdaService([spec], tmp_root=tmp_path / "envs",
                                environments=functools.partial(ProcessEnvironment, trees=trees),
                                log=lambda _fn, line: lines.append(line))
        service.start()
        services.append(service)
        return service, lines

    yield make
    for service in services:
        service.stop(grace_s=1)


def invoke(service: LambdaService, event: object = None) -> tuple[object, str | None]:
    result = service.invoke("Fn", json.dumps(event or {}).encode())
    return json.loads(result.payload), result.function_error


CHILD = """
import os, subprocess, sys
def handler(event, context):
    child = subprocess.Popen(["sleep", "60"], start_new_session=event.get("setsid", False))
    return {"runtime": os.getpid(), "child": child.pid}
"""


def test_a_killed_runtime_is_noticed_though_its_child_holds_the_output(
        make_service: Maker) -> None:
    service, _ = make_service(CHILD)
    first, _ = invoke(service)
    os.kill(first["runtime"], signal.SIGKILL)  # type: ignore[index]

    wait_for(lambda: service.environment_count("Fn") == 0, timeout_s=5)
    wait_for(lambda: not is_running(first["child"]), timeout_s=5)  # type: ignore[index]
    after, error = invoke(service)
    assert error is None
    assert after["runtime"] != first["runtime"]  # type: ignore[index]


SETSID_CHILD = """
import os, subprocess, time
def handler(event, context):
    child = subprocess.Popen(["sleep", "60"], start_new_session=True,
                             stdout=subprocess.DEVNULL)
    print("child", child.pid, flush=True)
    time.sleep(event.get("sleep", 0))
    return child.pid
"""


@pytest.mark.parametrize("how", ["stop", "recycle", "timeout"])
def test_setsid_children_end_with_their_environment(make_service: Maker, how: str) -> None:
    service, lines = make_service(SETSID_CHILD, timeout_s=2)
    payload, _ = invoke(service, {"sleep": 30 if how == "timeout" else 0})
    child = int(next(line.split()[1] for line in lines if line.startswith("child ")))
    if how == "timeout":
        assert payload["errorType"] == "Sandbox.Timedout"  # type: ignore[index]
    else:
        assert payload == child and is_running(child)
        if how == "stop":
            service.stop(grace_s=1)
            assert not is_running(child)   # stop returns once the whole tree is gone
        else:
            service.recycle(["Fn"])
    wait_for(lambda: not is_running(child), timeout_s=5)


def test_a_childs_memory_counts_against_memory_size(make_service: Maker) -> None:
    service, lines = make_service(
        "import subprocess, sys\n"
        "def handler(event, context):\n"
        "    hog = 'b = b\"x\" * (300 << 20); import time; time.sleep(3)'\n"
        "    return subprocess.run([sys.executable, '-c', hog]).returncode\n",
        memory_mb=128, timeout_s=10)
    payload, error = invoke(service)
    assert error == "Unhandled"
    assert payload["errorType"] == "Runtime.OutOfMemory"  # type: ignore[index]
    assert "Max Memory Used: 128 MB" in lines[-1]


def test_tmp_is_held_to_ephemeral_storage_in_total(make_service: Maker) -> None:
    # 8 files of 80 MB: each under the per-file limit, 640 MB together in a 512 MB /tmp.
    service, lines = make_service(
        "import os, tempfile, time\n"
        "def handler(event, context):\n"
        "    for index in range(8):\n"
        "        with open(os.path.join(tempfile.gettempdir(), str(index)), 'wb') as out:\n"
        "            out.write(b'x' * (80 << 20))\n"
        "    time.sleep(5)\n"
        "    return 'all written'\n",
        memory_mb=1769, timeout_s=20, ephemeral_storage_mb=512)
    payload, error = invoke(service)
    assert error == "Unhandled"
    assert payload["errorType"] == "Runtime.ExitError"  # type: ignore[index]
    assert any("more than EphemeralStorage 512 MB" in line for line in lines)


def test_a_function_cannot_run_more_processes_than_the_cap(make_service: Maker) -> None:
    service, _ = make_service(
        "import subprocess, time\n"
        f"def handler(event, context):\n"
        f"    children = [subprocess.Popen(['sleep', '30']) for _ in range({SMALL_CAP + 20})]\n"
        "    time.sleep(3)\n"
        "    return len(children)\n", timeout_s=10)
    payload, error = invoke(service)
    # A pids controller makes the extra forks fail (as on Lambda); without one samlite ends
    # the environment. Either way the function did not get its processes.
    assert error == "Unhandled", payload


def test_lambdas_process_cap() -> None:
    assert process_tree.MAX_PROCESSES == 1024   # "Lambda quotas": processes/threads 1,024



def open_files() -> set[str]:
    """What this process has open, by path."""
    names = set()
    for link in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):   # the listing's own descriptor, closed by now
            names.add(str(link.readlink()))
    return names


def test_an_ended_environment_leaves_no_cgroup_and_no_open_file(tmp_path: Path) -> None:
    # Its cgroup's files are kept open while it runs (read at every sample); environments end
    # again and again (reloads, crashes), so none may stay open, nor its cgroup stay behind.
    parent = process_tree.cgroup_parent()
    if parent is None:
        pytest.skip("this machine lets samlite make no cgroup v2")

    def ours() -> set[str]:
        return {name for name in open_files() if name.startswith(str(parent.folder))}

    def cgroups() -> set[str]:
        return {entry.name for entry in parent.folder.iterdir() if entry.is_dir()}

    files_before, cgroups_before = ours(), cgroups()
    code = tmp_path / "src"
    code.mkdir()
    (code / "app.py").write_text("import os\n"
                                 "def handler(event, context):\n"
                                 "    if event.get('crash'):\n"
                                 "        os._exit(1)\n"
                                 "    return 1\n")
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime=PYTHON_RUNTIME, code_dir=code)
    service = LambdaService([spec], tmp_root=tmp_path / "envs", environments=functools.partial(
        ProcessEnvironment, trees=process_tree.cgroup_trees(parent, SMALL_CAP)))
    service.start()
    try:
        assert json.loads(service.invoke("Fn", b"{}").payload) == 1
        wait_for(lambda: ours() > files_before, timeout_s=5)   # sampled while it lives
        assert service.invoke("Fn", b'{"crash": true}').function_error == "Unhandled"
        wait_for(lambda: ours() <= files_before, timeout_s=5)   # the crashed one's closed
        assert json.loads(service.invoke("Fn", b"{}").payload) == 1   # a fresh one
    finally:
        service.stop(grace_s=1)
    assert cgroups() <= cgroups_before
    assert ours() <= files_before
