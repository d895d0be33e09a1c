"""A handler sees what Lambda gives it, nothing more: no module of samlite's environment or of
the interpreter's site-packages, the AWS SDK at the version pinned for Lambda's runtimes, a
/tmp of its environment's own (a literal "/tmp/..." path included), a read-only task root,
and PATH / LD_LIBRARY_PATH in Lambda's shape. Tests that apply to both runtimes run on both.

The process runtime's private /tmp hides the host's /tmp, so a function whose code lies there
keeps the TMPDIR way; the tests that need the namespace put their code in /var/tmp."""

from __future__ import annotations

import functools
import json
import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from samlite.runtime.environments import isolation, process, process_tree, runtime_sdk
from samlite.runtime.environments import python as python_env
from samlite.runtime.environments.process import ProcessEnvironment
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import FunctionSpec
from samlite.testing import wait_for

from .conftest import PYTHON_RUNTIME, ServiceMaker
from .test_process_trees import is_running


@pytest.fixture
def code_dir() -> Iterator[Path]:
    """A code folder outside the host's /tmp (which a private /tmp would hide)."""
    base = "/var/tmp" if Path("/var/tmp").is_dir() else str(Path.home())
    folder = Path(tempfile.mkdtemp(prefix="samlite-iso-", dir=base))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def python_function(code: Path, source: str, runtime: str = PYTHON_RUNTIME,
                    **fields: object) -> FunctionSpec:
    (code / "app.py").write_text(source, encoding="utf-8")
    return FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime=runtime, code_dir=code, **fields)  # type: ignore[arg-type]


def invoke(service: LambdaService, event: object = None) -> object:
    return json.loads(service.invoke("Fn", json.dumps(event or {}).encode()).payload)


# --- sys.path ------------------------------------------------------------------------------
SAMLITES_OWN = "import yaml\ndef handler(event, context):\n    return yaml.__file__\n"


def test_a_module_only_samlite_has_is_an_import_module_error(make_service: ServiceMaker,
                                                             code_dir: Path) -> None:
    import yaml  # noqa: F401 - present beside samlite, which is the point

    service, _ = make_service(python_function(code_dir, SAMLITES_OWN))
    body = invoke(service)
    assert body["errorType"] == "Runtime.ImportModuleError"  # type: ignore[index]
    assert body["errorMessage"] == \
        "Unable to import module 'app': No module named 'yaml'"  # type: ignore[index]


@pytest.mark.parametrize("runtime", ["process"])
@pytest.mark.parametrize("python", ["python3.12", PYTHON_RUNTIME])
def test_neither_samlites_packages_nor_the_interpreters_are_importable(
        make_service: ServiceMaker, code_dir: Path, python: str) -> None:
    source = ("import sys\n"
              "def handler(event, context):\n"
              "    found = {}\n"
              "    for name in ('yaml', 'samlite', 'moto', 'click', 'pip', 'requests'):\n"
              "        try:\n"
              "            __import__(name)\n"
              "            found[name] = sys.modules[name].__file__\n"
              "        except ImportError:\n"
              "            pass\n"
              "    import json, decimal, sqlite3, ssl\n"   # the standard library still works
              "    return {'found': found, 'no_site': sys.flags.no_site,\n"
              "            'exit': callable(exit)}\n")
    service, _ = make_service(python_function(code_dir, source, runtime=python))
    assert invoke(service) == {"found": {}, "no_site": 1, "exit": True}


@pytest.mark.parametrize("runtime", ["process"])
@pytest.mark.parametrize("python", ["python3.12", PYTHON_RUNTIME])
def test_boto3_is_the_version_pinned_for_lambda_not_samlites(
        make_service: ServiceMaker, code_dir: Path, python: str) -> None:
    import boto3

    source = ("import boto3, botocore\n"
              "def handler(event, context):\n"
              "    return [boto3.__version__, botocore.__version__, boto3.__file__]\n")
    service, _ = make_service(python_function(code_dir, source, runtime=python))
    version, core, where = invoke(service)  # type: ignore[misc]
    assert (version, core) == (runtime_sdk.LAMBDA_BOTO3_VERSION,) * 2
    assert not where.startswith(str(Path(boto3.__file__).parents[1]))
    assert "runtime-sdk" in where


# --- /tmp and the task root ----------------------------------------------------------------
TMP_WRITER = """
import os, time
def handler(event, context):
    path = event["path"]
    seen = open(path).read() if os.path.exists(path) else None
    with open(path, "w") as out:
        out.write(event["who"])
    time.sleep(event.get("hold", 0))
    return {"seen_before": seen, "now": open(path).read()}
"""


def test_two_environments_writing_the_same_tmp_path_do_not_see_each_other(
        make_service: ServiceMaker, code_dir: Path) -> None:
    literal = f"/tmp/samlite-iso-{uuid.uuid4().hex}"
    service, _ = make_service(python_function(code_dir, TMP_WRITER, timeout_s=20))
    first: list[object] = []
    holder = threading.Thread(target=lambda: first.append(
        invoke(service, {"path": literal, "who": "first", "hold": 4})))
    holder.start()
    wait_for(lambda: service.environment_count("Fn") == 1, timeout_s=15)
    second = invoke(service, {"path": literal, "who": "second"})
    holder.join(20)

    assert service.environment_count("Fn") == 2
    assert second == {"seen_before": None, "now": "second"}
    assert first == [{"seen_before": None, "now": "first"}]
    assert not Path(literal).exists()   # the host's /tmp is untouched


def test_the_task_root_is_read_only(make_service: ServiceMaker, code_dir: Path) -> None:
    source = ("import os\n"
              "def handler(event, context):\n"
              "    try:\n"
              "        open(os.path.join(os.environ['LAMBDA_TASK_ROOT'], 'new.txt'), 'w')\n"
              "        return 'written'\n"
              "    except OSError as exc:\n"
              "        return exc.strerror\n")
    service, _ = make_service(python_function(code_dir, source))
    assert invoke(service) == "Read-only file system"
    assert not (code_dir / "new.txt").exists()


@pytest.mark.parametrize("runtime", ["process"])
def test_outside_tmp_the_hosts_file_system_is_read_only_as_lambdas_is(
        make_service: ServiceMaker, code_dir: Path) -> None:
    source = ("def handler(event, context):\n"
              "    said = {}\n"
              "    for path in event['paths']:\n"
              "        try:\n"
              "            with open(path, 'w') as out:\n"
              "                out.write('x')\n"
              "            said[path] = 'written'\n"
              "        except OSError as exc:\n"
              "            said[path] = exc.strerror\n"
              "    return said\n")
    beside = code_dir.parent / f"samlite-iso-escape-{uuid.uuid4().hex}"
    paths = [str(beside), f"/dev/shm/samlite-iso-{uuid.uuid4().hex}", "/tmp/mine", "/dev/null"]
    service, _ = make_service(python_function(code_dir, source))
    assert invoke(service, {"paths": paths}) == {
        paths[0]: "Read-only file system", paths[1]: "Read-only file system",
        "/tmp/mine": "written", "/dev/null": "written"}
    assert not beside.exists() and not Path(paths[1]).exists()


def test_a_root_the_kernel_would_not_make_read_only_is_said_at_startup(
        monkeypatch: pytest.MonkeyPatch, code_dir: Path) -> None:
    monkeypatch.setattr(process, "namespace_support", lambda: isolation.NamespaceSupport(
        unshare_flags=("unshare", "--mount"), writable_root="a test's reason"))
    spec = python_function(code_dir, "")
    notices = process.isolation_notices([spec, replace(spec, logical_id="Other")])
    assert [line for line in notices if "writable" in line] == [
        "the host's file system outside /tmp stays writable for functions (a test's reason), "
        "where Lambda's is read-only: a write there that works here fails on AWS"]


# --- PATH and LD_LIBRARY_PATH --------------------------------------------------------------
def test_path_and_library_path_have_lambdas_shape(make_service: ServiceMaker,
                                                  code_dir: Path) -> None:
    source = ("import os, sys\n"
              "def handler(event, context):\n"
              "    return [os.environ['PATH'], os.environ['LD_LIBRARY_PATH'],\n"
              "            os.environ['LAMBDA_TASK_ROOT'], sys.executable]\n")
    service, _ = make_service(python_function(code_dir, source))
    path, libraries, task_root, python = invoke(service)  # type: ignore[misc]
    path_dirs, library_dirs = path.split(":"), libraries.split(":")

    assert path_dirs[0] == str(Path(python).parent)
    assert path_dirs[1:4] == ["/usr/local/bin", "/usr/bin/", "/bin"]
    assert library_dirs[1:3] == ["/lib64", "/usr/lib64"]
    assert library_dirs.index(task_root) + 1 == library_dirs.index(f"{task_root}/lib")
    assert not any(entry.startswith(sys.prefix) for entry in path_dirs + library_dirs)


def test_layers_bin_and_lib_come_last_a_later_layer_first(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    found = process.lambda_search_paths(interpreter="/py/bin/python3.12",
                                        task_root=Path("/code"), runtime_dir=Path("/rt"),
                                        layer_dirs=(first, second))
    assert found == {
        "PATH": f"/py/bin:/usr/local/bin:/usr/bin/:/bin:{second}/bin:{first}/bin",
        "LD_LIBRARY_PATH": f"/py/lib:/lib64:/usr/lib64:/rt:/rt/lib:/code:/code/lib:"
                           f"{second}/lib:{first}/lib"}


# --- kills reach a namespaced tree ---------------------------------------------------------
@pytest.fixture(params=["cgroup", "proc"])
def trees(request: pytest.FixtureRequest) -> process_tree.TreeFactory:
    if request.param == "proc":
        return process_tree.session_trees()
    parent = process_tree.cgroup_parent()
    if parent is None:
        pytest.skip("this machine lets samlite make no cgroup v2 (the /proc half runs)")
    return process_tree.cgroup_trees(parent)


def test_a_timeout_ends_the_namespaced_runtime_and_its_setsid_child(
        trees: process_tree.TreeFactory, code_dir: Path, tmp_path: Path) -> None:
    source = ("import os, subprocess, time\n"
              "def handler(event, context):\n"
              "    child = subprocess.Popen(['sleep', '60'], start_new_session=True)\n"
              "    print('child', child.pid, os.path.exists(event['host_file']), flush=True)\n"
              "    time.sleep(30)\n")
    host_file = tmp_path / "on-the-hosts-tmp"
    host_file.touch()
    spec = python_function(code_dir, source, timeout_s=2)
    lines: list[str] = []
    service = LambdaService([spec], tmp_root=tmp_path / "envs",
                            environments=functools.partial(ProcessEnvironment, trees=trees),
                            log=lambda _fn, line: lines.append(line))
    service.start()
    try:
        body = invoke(service, {"host_file": str(host_file)})
        assert body["errorType"] == "Sandbox.Timedout"  # type: ignore[index]
        _, child, sees_host_tmp = next(line.split() for line in lines
                                       if line.startswith("child"))
        assert sees_host_tmp == "False"   # it ran in the namespace, its own /tmp mounted
        wait_for(lambda: not is_running(int(child)), timeout_s=5)
    finally:
        service.stop(grace_s=1)


# --- where the kernel or the network says no -----------------------------------------------
def refused() -> isolation.NamespaceSupport:
    return isolation.NamespaceSupport(problem="this kernel refuses mount namespaces (test)")


def test_without_namespaces_one_startup_line_says_isolation_is_partial(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(process, "namespace_support", refused)
    spec = python_function(tmp_path, "")
    specs = [replace(spec, logical_id="A"), replace(spec, logical_id="B")]
    notices = process.isolation_notices(specs)
    partial = [line for line in notices if "isolation is partial" in line]
    assert len(partial) == 1
    assert "refuses mount namespaces" in partial[0]
    assert "literal '/tmp/...' path is the host's shared /tmp" in partial[0]


@pytest.mark.parametrize("runtime", ["process"])
def test_without_namespaces_tmp_is_the_environments_folder_by_tmpdir(
        make_service: ServiceMaker, code_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(process, "namespace_support", refused)
    source = ("import tempfile\n"
              "def handler(event, context):\n"
              "    return tempfile.gettempdir()\n")
    service, _ = make_service(python_function(code_dir, source))
    assert str(invoke(service)).startswith(str(service.tmp_root))


def test_an_sdk_that_cannot_be_installed_falls_back_to_samlites_and_says_so(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def offline(interpreter: str, version: str) -> runtime_sdk.SdkInstall:
        return runtime_sdk.SdkInstall(python_version=version, path=None,
                                      problem=f"pip could not install boto3 for Python "
                                              f"{version} (no network)")
    monkeypatch.setattr(python_env, "pinned_sdk", offline)
    spec = python_function(tmp_path, "")

    assert python_env.sdk_path(spec.runtime) == python_env.aws_sdk_dir()
    [notice] = [line for line in process.isolation_notices([spec]) if "boto3" in line]
    assert "no network" in notice and "samlite's own boto3" in notice
