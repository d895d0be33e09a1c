"""A local child process as a Lambda execution environment (the embedded default).

Python runtimes run samlite's own runtime loop (python_loop.py, on the interpreter python.py
chooses), which imports the handler once and then polls the Runtime API, and Node.js
runtimes its node_loop.cjs under the local `node` (node.py chooses it); `provided*`
runtimes run the function's `bootstrap`, which speaks the Runtime API itself. The process
gets Lambda's environment variables and nothing of the caller's (PATH and LD_LIBRARY_PATH in
Lambda's shape), its code, layers and AWS SDK where Lambda's runtime finds them (a Python
without its site-packages and with the pinned boto3; NODE_PATH and the SDK v3 for Node),
its own /tmp (a mount namespace where the kernel allows one: isolation.py, else TMPDIR),
and RLIMIT_FSIZE = EphemeralStorage, so no single file outgrows /tmp.
The process is its own session (a Ctrl-C in the terminal reaches samlite, which stops it),
and it and every process it starts form one tree (process_tree.py): the runtime's end is
seen by waitpid, and then, or at a kill or stop, the whole tree ends; while it lives, the
tree's memory, process count and /tmp total are checked against the function's limits.
"""

from __future__ import annotations

import contextlib
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from samlite.build.esbuild import (
    ESBUILD_VERSION,
    bundle,
    esbuild_binary,
    esbuild_is_installed,
)
from samlite.clock import Clock, SystemClock
from samlite.errors import DependencyInstallError, EnvironmentStartError
from samlite.graph.model import EsbuildBuild
from samlite.progress import NO_PROGRESS, Progress
from samlite.runtime.environments.base import RUNTIME_TOKEN_VARIABLE, EnvironmentSettings, Exit
from samlite.runtime.environments.debugpy_install import DEBUGPY_VERSION, debugpy_dir
from samlite.runtime.environments.debugpy_install import is_installed as debugpy_is_installed
from samlite.runtime.environments.host_files import (
    LineForwarder,
    TmpUsage,
    signal_name,
    tmp_over_limit,
)
from samlite.runtime.environments.isolation import (
    HOST_TMP,
    PARTIAL_ISOLATION,
    WRITABLE_ROOT,
    namespace_prefix,
    namespace_support,
    under_host_tmp,
)
from samlite.runtime.environments.node import (
    NODE_LOOP,
    esm_fallback_dirs,
    node_for,
    node_path,
    node_runtimes,
    node_sdk,
    wanted_major,
)
from samlite.runtime.environments.node import sdk_is_installed as node_sdk_is_installed
from samlite.runtime.environments.private_dirs import cache_root, private_dir
from samlite.runtime.environments.process_tree import MAX_PROCESSES, TreeFactory, tree_kinds
from samlite.runtime.environments.python import (
    compile_sdk_in_background,
    python_path,
    runtime_python,
    sdk_path,
    sdk_problem,
)
from samlite.runtime.environments.runtime_sdk import (
    LAMBDA_BOTO3_VERSION,
)
from samlite.runtime.environments.runtime_sdk import (
    is_installed as sdk_is_installed,
)
from samlite.runtime.process_support import refusal
from samlite.runtime.spec import FunctionSpec, lambda_variables
from samlite.thread_affinity import on_every_cpu, pin_this_thread

PYTHON_LOOP = Path(__file__).resolve().parents[1] / "python_loop.py"
# Where node_loop.cjs looks for an ES module's bare imports that Node's resolution misses.
ESM_FALLBACK_VARIABLE = "_SAMLITE_ESM_PATHS"
# The port python_loop.py's debugpy listens on, and the folder it imports debugpy from.
DEBUG_PORT_VARIABLE = "_SAMLITE_DEBUGPY_PORT"
DEBUG_DIR_VARIABLE = "_SAMLITE_DEBUGPY_DIR"
_MIB = 1024 * 1024
WATCH_INTERVAL_S = 0.1     # how often a live environment's process count and /tmp are checked
MEMORY_SAMPLE_S = 0.05     # the least time between two samples of the whole tree's memory
_DRAIN_WAIT_S = 1.0        # longest wait for the last output once the tree is dead
# What the child keeps of the caller's environment: its locale. PATH is Lambda's (below).
_INHERITED = ("LANG", "LC_ALL", "SYSTEMROOT")
# Lambda developer guide, "Defined runtime environment variables": PATH is
# /var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin and LD_LIBRARY_PATH is
# /var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib.
# Here /var/lang is the function's Python, /var/task the code folder, /opt each layer.
SYSTEM_BIN_DIRS = ("/usr/local/bin", "/usr/bin/", "/bin")
SYSTEM_LIB_DIRS = ("/lib64", "/usr/lib64")


def lambda_search_paths(*, interpreter: str | None, task_root: Path, runtime_dir: Path,
                        layer_dirs: tuple[Path, ...]) -> dict[str, str]:
    """PATH and LD_LIBRARY_PATH in Lambda's shape with local folders: the function's Python
    for /var/lang (None for custom runtimes, which have no /var/lang), the code folder for
    /var/task, and each layer (a later one first) for /opt."""
    lang = Path(interpreter).parent if interpreter else None
    layers = tuple(reversed(layer_dirs))
    path = [*([str(lang)] if lang else []), *SYSTEM_BIN_DIRS,
            *(str(layer / "bin") for layer in layers)]
    libraries = [*([str(lang.parent / "lib")] if lang else []), *SYSTEM_LIB_DIRS,
                 str(runtime_dir), str(runtime_dir / "lib"), str(task_root),
                 str(task_root / "lib"), *(str(layer / "lib") for layer in layers)]
    return {"PATH": os.pathsep.join(path), "LD_LIBRARY_PATH": os.pathsep.join(libraries)}


def read_only_folders(spec: FunctionSpec) -> tuple[Path, ...]:
    """What a function must not write, as Lambda mounts /var/task, /opt, /var/runtime and
    /var/lang read-only: its code, its layers, their installed requirements, and for Python
    the SDK, the runtime loop and the interpreter's installation."""
    folders = [spec.code_dir, *spec.layer_dirs,
               *(d for d in (spec.dependency_dir, *spec.layer_dependency_dirs) if d)]
    if spec.is_python:
        interpreter = Path(runtime_python(spec.runtime))
        sdk = sdk_path(spec.runtime)
        folders += [*([sdk] if sdk else []), PYTHON_LOOP.parent]
        if interpreter.parent.name == "bin":
            folders.append(interpreter.parent.parent)
    if spec.is_nodejs:
        node = node_for(spec.runtime)
        sdk = node_sdk(node.major).path if node else None
        folders += [*([sdk] if sdk else []), NODE_LOOP.parent]
        if node and Path(node.path).parent.name == "bin":
            folders.append(Path(node.path).parent.parent)
    return tuple(folders)


def partial_isolation(spec: FunctionSpec) -> str | None:
    """Why `spec`'s environments get only TMPDIR and not a private /tmp; None when they get
    one."""
    support = namespace_support()
    if not support.available:
        return support.problem
    hidden = under_host_tmp(read_only_folders(spec))
    if hidden is not None:
        return f"{hidden} lies under the host's /tmp, which the private /tmp would hide"
    return None


def isolation_notices(specs: Iterable[FunctionSpec]) -> list[str]:
    """What start-up says about isolation: once when this machine refuses namespaces, else
    the functions that still get only TMPDIR; and each Python whose pinned SDK could not be
    installed."""
    runnable = [spec for spec in specs if spec.package_type != "Image"
                and (spec.runs_samlite_client or spec.is_custom_runtime)]
    notices = []
    support = namespace_support()
    if runnable and not support.available:
        notices.append(PARTIAL_ISOLATION.format(why=support.problem))
    elif runnable:
        partial = {spec.logical_id: why for spec in runnable
                   if (why := partial_isolation(spec)) is not None}
        for name, why in partial.items():
            notices.append(f"{name}: " + PARTIAL_ISOLATION.format(why=why))
        if support.writable_root is not None and len(partial) < len(runnable):
            notices.append(WRITABLE_ROOT.format(why=support.writable_root))
    for runtime in sorted({spec.runtime for spec in runnable if spec.is_python}):
        failed = sdk_problem(runtime)
        if failed is not None:
            notices.append(
                f"{failed.problem}; {runtime} functions get samlite's own boto3 instead, "
                f"whose version may differ from Lambda's (boto3 {LAMBDA_BOTO3_VERSION} "
                "pinned here)")
    for runtime in node_runtimes(runnable):
        node = node_for(runtime)
        failed = node_sdk(node.major) if node else None
        if failed is not None and failed.problem:
            notices.append(f"{failed.problem}; {runtime} functions that import @aws-sdk "
                           "packages fail unless they ship them in their node_modules")
    return notices


EXEC_WRAPPER = "AWS_LAMBDA_EXEC_WRAPPER"


def exec_wrapper(spec: FunctionSpec) -> list[str]:
    """The wrapper script a managed runtime starts instead of itself, with the runtime's
    command line as its arguments (Lambda developer guide, "Modifying the runtime
    environment", "Wrapper scripts"), as a local path: /opt/... is looked up in the layers
    (a later layer's file wins, as Lambda extracts them in order), /var/task/... in the code;
    [] when the variable is not set."""
    value = spec.variables.get(EXEC_WRAPPER)
    if not value:
        return []
    inside = Path(value)
    for root, folders in ((Path("/opt"), tuple(reversed(spec.layer_dirs))),
                          (Path("/var/task"), (spec.code_dir,))):
        if inside.is_relative_to(root):
            rest = inside.relative_to(root)
            found = next((folder / rest for folder in folders if (folder / rest).exists()),
                         None)
            if found is None:
                where = "in none of its layers; map the layer ARN that holds it to a local " \
                    "folder (--layer ARN=PATH)" if root.name == "opt" else \
                    f"not in its code ({spec.code_dir})"
                raise EnvironmentStartError(f"{spec.logical_id}: {EXEC_WRAPPER} {value} is "
                                            f"{where}")
            return [str(found)]
    return [value]


class ProcessEnvironment:
    def __init__(self, settings: EnvironmentSettings, *, trees: TreeFactory | None = None,
                 clock: Clock | None = None) -> None:
        self.settings = settings
        self._clock = clock or SystemClock()
        self._process: subprocess.Popen[bytes] | None = None
        self._exited = threading.Event()
        self._output = LineForwarder(settings.on_output)
        self._status_fd: int | None = None
        self._tmp = TmpUsage(settings.tmp_dir)
        self._tree = (trees or tree_kinds())(settings.env_id, settings.spec.memory_mb)
        self._peak_bytes = 0
        self._reported_hwm_kb: int | None = None   # from the runtime (note_peak_memory_kb)
        self._sampled_at = -1.0
        self._sample_lock = threading.Lock()
        self._pump_thread: threading.Thread | None = None
        self._threads: list[threading.Thread] = []
        self._task_root = settings.spec.code_dir   # /var/task: the code, or its bundle
        self._bundled = False

    @staticmethod
    def prepare(specs: Iterable[FunctionSpec], *, progress: Progress = NO_PROGRESS) -> None:
        """Before the first cold start: find each Python runtime's interpreter, install its
        pinned AWS SDK unless cached (once per Python version), and probe for namespaces."""
        specs = tuple(specs)
        for runtime in sorted({spec.runtime for spec in specs if spec.is_python}):
            version = runtime.removeprefix("python")
            label = f"Installing boto3 {LAMBDA_BOTO3_VERSION} for Python {version} " \
                    "(the AWS SDK Lambda's runtime includes; once)"
            interpreter = runtime_python(runtime)
            if sdk_is_installed(interpreter, version):
                sdk_path(runtime)
            else:
                with progress.task(label):
                    sdk_path(runtime)
            if sdk_problem(runtime) is not None and interpreter != sys.executable:
                compile_sdk_in_background(interpreter)   # the fallback: samlite's copy
        for runtime in node_runtimes(specs):
            node = node_for(runtime)
            if node is None:
                continue
            if node_sdk_is_installed(node.major):
                node_sdk(node.major)
            else:
                with progress.task(f"Installing the AWS SDK for JavaScript v3 for Node.js "
                                   f"{node.major} (the SDK Lambda's runtime includes; once)"):
                    node_sdk(node.major)
        for spec in specs:
            if spec.debug_port is None or not spec.is_python:
                continue
            interpreter, version = runtime_python(spec.runtime), spec.runtime[len("python"):]
            if debugpy_is_installed(interpreter, version):
                continue
            # A failure is not said here: the debugged function's start says it.
            with progress.task(f"Installing debugpy {DEBUGPY_VERSION} for Python {version} "
                               "(--debug; once)"), contextlib.suppress(EnvironmentStartError):
                debugpy_dir(interpreter, version)
        bundled = [spec for spec in specs if spec.esbuild is not None and spec.is_nodejs]
        tools = private_dir(private_dir(cache_root()) / "tools")
        node = node_for(bundled[0].runtime) if bundled else None
        major = node.major if node else 0
        if bundled and not esbuild_is_installed(tools, node_major=major):
            label = f"Installing esbuild {ESBUILD_VERSION} for " \
                f"{', '.join(s.logical_id for s in bundled)} (BuildMethod esbuild; once)"
            # A failure is not said here: each cold start of those functions says it.
            with progress.task(label), contextlib.suppress(DependencyInstallError):
                esbuild_binary(tools, node_major=major)
        if any(spec.runs_samlite_client or spec.is_custom_runtime for spec in specs):
            namespace_support()

    def command(self) -> list[str]:
        spec = self.settings.spec
        refused = refusal(spec)   # the startup table said so too
        if refused is not None:
            raise EnvironmentStartError(f"{spec.logical_id}: {refused}")
        if spec.is_python:
            # -S: no site-packages of the interpreter's (nor samlite's) on sys.path; only
            # what PYTHONPATH names, then the standard library. -B: never bytecode of the
            # user's code (a cached .pyc is trusted on mtime, whole seconds, and size, so a
            # same-size save within a second would run old code); a flag, not Python's
            # PYTHONDONTWRITEBYTECODE, which the handler would see: not one Lambda defines.
            runtime = [runtime_python(spec.runtime), "-S", "-B", "-u", "-X", "utf8",
                       str(PYTHON_LOOP)]
            return [*exec_wrapper(spec), *runtime]
        if spec.is_nodejs:
            node = node_for(spec.runtime)
            if node is None:
                raise EnvironmentStartError(
                    f"{spec.logical_id}: {spec.runtime} needs Node.js, and this machine has no "
                    "node; install Node.js or run with --runtime docker")
            # --inspect-brk: paused before the runtime client's first line until a debugger
            # attaches and continues (docs/debugging.md).
            inspect = [f"--inspect-brk=127.0.0.1:{spec.debug_port}"] \
                if spec.debug_port is not None else []
            return [*exec_wrapper(spec), node.path, *inspect, str(NODE_LOOP)]
        return [str(spec.code_dir / "bootstrap")]   # provided*: its own Runtime API client

    def uses_namespace(self) -> bool:
        """A private /tmp through a mount namespace (else TMPDIR only)."""
        return partial_isolation(self.settings.spec) is None

    def environment(self) -> dict[str, str]:
        spec = self.settings.spec
        variables = {name: os.environ[name] for name in _INHERITED if name in os.environ}
        variables.update(lambda_variables(
            spec, runtime_api=self.settings.runtime_api, task_root=str(self._task_root),
            runtime_dir=str(PYTHON_LOOP.parent), log_stream=self.settings.log_stream,
            endpoint_url=self.settings.endpoint_url))
        node = node_for(spec.runtime) if spec.is_nodejs else None
        variables.update(lambda_search_paths(
            interpreter=runtime_python(spec.runtime) if spec.is_python else
            node.path if node else None,
            task_root=self._task_root, runtime_dir=PYTHON_LOOP.parent,
            layer_dirs=spec.layer_dirs))
        if self.uses_namespace():
            variables["HOME"] = str(HOST_TMP)   # the environment's own, mounted there
        else:
            tmp = str(self.settings.tmp_dir)
            variables.update(TMPDIR=tmp, TMP=tmp, TEMP=tmp, HOME=tmp)
        if spec.is_python:
            version = spec.runtime.removeprefix("python")
            paths = python_path(spec.code_dir, spec.layer_dirs, version, spec.dependency_dir,
                                spec.layer_dependency_dirs, spec.built_layer_dirs)
            sdk = sdk_path(spec.runtime)
            if sdk is not None:   # after the function's own and its layers', as on Lambda
                paths += os.pathsep + str(sdk)
            variables["PYTHONPATH"] = paths
            if spec.debug_port is not None:   # python_loop.py waits for the debugger
                variables[DEBUG_PORT_VARIABLE] = str(spec.debug_port)
                variables[DEBUG_DIR_VARIABLE] = str(debugpy_dir(runtime_python(spec.runtime),
                                                                version))
                # debugpy's warning about frozen modules, which -X frozen_modules=off avoids
                # but which changes nothing for breakpoints in the function's code.
                variables["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        if node is not None:
            sdk = node_sdk(node.major).path
            variables["NODE_PATH"] = node_path(spec, wanted_major(spec.runtime) or node.major,
                                               sdk, task_root=self._task_root)
            if spec.esbuild is not None and spec.esbuild.sourcemap:
                # As sam build sets it for a function bundled with Sourcemap: true.
                options = variables.get("NODE_OPTIONS", "")
                variables["NODE_OPTIONS"] = f"{options} --enable-source-maps".strip()
            variables[ESM_FALLBACK_VARIABLE] = esm_fallback_dirs(spec, sdk)
        if spec.runs_samlite_client:
            variables[RUNTIME_TOKEN_VARIABLE] = self.settings.runtime_token
        return variables

    def isolation_prefix(self) -> list[str]:
        """The mount namespace the runtime starts in, or nothing (TMPDIR only)."""
        if not self.uses_namespace():
            return []
        return namespace_prefix(namespace_support(), tmp_dir=self.settings.tmp_dir,
                                read_only=(*read_only_folders(self.settings.spec),
                                           *([self._task_root] if self._bundled else [])))

    def start(self) -> None:
        with on_every_cpu():   # the runtime (and a bundle's esbuild) are not samlite's threads
            self._start()

    def _start(self) -> None:
        spec = self.settings.spec
        if not spec.code_dir.is_dir():
            raise EnvironmentStartError(f"{spec.logical_id}: CodeUri folder {spec.code_dir} "
                                        "does not exist")
        command = self.command()
        if spec.esbuild is not None and spec.is_nodejs:
            self._bundle(spec.esbuild)
        program = shutil.which(command[0])
        if program is None:   # said here: behind the tree's launcher it would only exit 127
            reason = "Permission denied" if Path(command[0]).exists() else \
                "No such file or directory"
            raise EnvironmentStartError(f"{spec.logical_id}: cannot start {command[0]}: {reason}")
        self.settings.tmp_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._process = subprocess.Popen(
                [*self._tree.launch_prefix(), *self.isolation_prefix(), *command],
                cwd=self._task_root,
                env=self.environment() | self._tree.variables(),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                start_new_session=True)
        except OSError as exc:
            self._tree.close()
            raise EnvironmentStartError(
                f"{spec.logical_id}: cannot start {command[0]}: {exc.strerror}") from exc
        self._tree.started(self._process.pid)
        # Non-blocking before any invoke: an invoker may empty the pipe (output_now) between
        # the pump's poll and its read.
        os.set_blocking(self._process.stdout.fileno(), False)  # type: ignore[union-attr]
        # Set from outside (prlimit), not in a preexec_fn: that is unsafe with threads. The
        # runtime has not imported the handler yet, so nothing has written to /tmp.
        storage_bytes = spec.ephemeral_storage_mb * 1024 * 1024
        with contextlib.suppress(OSError, AttributeError):   # AttributeError: not Linux
            resource.prlimit(self._process.pid, resource.RLIMIT_FSIZE,
                             (storage_bytes, storage_bytes))
        self._pump_thread = threading.Thread(target=self._pump, name=f"out-{spec.logical_id}",
                                             daemon=True)
        self._threads = [self._pump_thread,
                         threading.Thread(target=self._wait_for_exit,
                                          name=f"exit-{spec.logical_id}", daemon=True),
                         threading.Thread(target=self._watch, name=f"watch-{spec.logical_id}",
                                          daemon=True)]
        for thread in self._threads:
            thread.start()

    def _pump(self) -> None:
        """Forward output line by line until the pipe closes (every holder has ended)."""
        process = self._process
        if process is None or process.stdout is None:
            return
        fd = process.stdout.fileno()
        pin_this_thread()   # it takes the GIL at each line: with the serving threads
        waiter = select.poll()
        waiter.register(fd, select.POLLIN | select.POLLHUP)
        while True:
            waiter.poll()
            if not self._output.read(fd):
                break
        self._output.finish()

    def _wait_for_exit(self) -> None:
        """Report the runtime's end when the process ends (waitpid), not when its output pipe
        closes: a child may hold the pipe open. Its whole tree goes with it, as Lambda resets
        the sandbox when the runtime exits."""
        process = self._process
        if process is None:
            return
        code = process.wait()
        out_of_memory = self._tree.out_of_memory()
        self._tree.close()   # killed, and its kernel objects released: nothing reads it now
        if self._pump_thread is not None:   # the pipe's holders are gone: the rest arrives
            self._pump_thread.join(_DRAIN_WAIT_S)
        if self._status_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._status_fd)
            self._status_fd = None
        self._exited.set()
        self.settings.on_exit(Exit(exit_code=None if code < 0 else code,
                                   signal_name=signal_name(-code) if code < 0 else None,
                                   out_of_memory=out_of_memory))

    def _watch(self) -> None:
        """While the runtime lives, keep the tree within Lambda's limits that no kernel
        enforces here: its process count and the total size of its /tmp."""
        spec = self.settings.spec
        pin_this_thread()   # ten times a second: with the serving threads
        while not self._exited.wait(WATCH_INTERVAL_S):
            self._sample_memory()
            tasks = self._tree.task_count()
            cap = getattr(self._tree, "max_processes", MAX_PROCESSES)
            if tasks > cap:
                self._end(f"the function runs {tasks} processes and threads, more than "
                          f"Lambda's {cap}")
                return
            if reason := tmp_over_limit(self._tmp, spec.ephemeral_storage_mb):
                self._end(reason)
                return

    def _end(self, reason: str) -> None:
        self.settings.on_output(f"samlite: {reason}; ending this environment")
        self.kill()

    def alive(self) -> bool:
        return self._process is not None and not self._exited.is_set() \
            and self._process.returncode is None

    def settle_output(self, timeout_s: float = 0.05) -> None:
        """Wait (briefly) until what the runtime has written so far has been forwarded; for
        runtimes that write no end-of-output marker (custom runtimes, and init output)."""
        process = self._process
        if process is None or process.stdout is None:
            return
        self._output.settle(process.stdout.fileno, timeout_s)

    def output_now(self, *, drained: bool = False) -> None:
        """Forward what the runtime has written so far, on the caller's thread: the invoker,
        which has the runtime's answer and needs the output written before it, without
        waiting for the pump to be scheduled. `drained`: the runtime found its pipe empty
        as it answered, so all it wrote has been read: only a chunk the pump is still
        forwarding is waited for (no read, no system call)."""
        process = self._process
        if process is None or process.stdout is None:
            return
        if drained:
            self._output.wait_for_reader()
            return
        with contextlib.suppress(OSError, ValueError):   # closed: the runtime is gone
            self._output.forward_now(process.stdout.fileno())

    def kill(self) -> None:
        """Every process of the environment, the runtime's `setsid` children too."""
        if self._process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._tree.kill()

    def stop(self, *, grace_s: float = 2.0) -> None:
        """SIGTERM to the runtime's group, then the whole tree killed after `grace_s`;
        returns once it is gone and its threads have ended (each wait bounded)."""
        if self._process is None:
            return
        if not self._exited.is_set():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, signal.SIGTERM)
            if not self._exited.wait(grace_s):
                self.kill()
                self._exited.wait(grace_s)
        self._tree.close()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(grace_s)
        shutil.rmtree(self.settings.tmp_dir, ignore_errors=True)
        if self._bundled:
            shutil.rmtree(self._task_root, ignore_errors=True)

    def _bundle(self, build: EsbuildBuild) -> None:
        """A `BuildMethod: esbuild` function runs from its bundle, built at each cold start
        (esbuild takes milliseconds), so a saved source file is in the next environment."""
        spec = self.settings.spec
        node = node_for(spec.runtime)
        major = node.major if node else 0
        try:
            esbuild = esbuild_binary(private_dir(cache_root()) / "tools", node_major=major)
        except DependencyInstallError as exc:
            raise EnvironmentStartError(f"{spec.logical_id}: {exc}") from exc
        out = Path(tempfile.mkdtemp(prefix=f"{self.settings.env_id}-",
                                    dir=private_dir(private_dir(cache_root()) / "bundles")))
        bundle(build, logical_id=spec.logical_id, esbuild=esbuild,
               code_dir=spec.code_dir, handler=spec.handler, out_dir=out)
        self._task_root, self._bundled = out, True

    def memory_used_mb(self) -> int:
        """The most memory the environment has held: the runtime's own peak (VmHWM), or all
        its processes together when that was more (sampled)."""
        self._sample_memory()
        reported, self._reported_hwm_kb = self._reported_hwm_kb, None
        hwm_kb = self._status_kb(b"VmHWM:") if reported is None else reported
        return max(self._peak_bytes // _MIB, hwm_kb // 1024)

    def note_peak_memory_kb(self, kb: int) -> None:
        """The runtime's VmHWM as samlite's loop read it just before posting its outcome:
        the next memory_used_mb (the invoker's, after that outcome) takes it instead of
        reading /proc, one system call less per invoke. The same figure: the runtime is
        this process (no fork in between), and between its read and ours it only posts."""
        self._reported_hwm_kb = kb

    def memory_now_mb(self) -> int:
        return self._status_kb(b"VmRSS:") // 1024

    def _sample_memory(self) -> None:
        # The tree is read outside the lock: a caller within MEMORY_SAMPLE_S of a sample
        # that is still being read goes on, as it would just after one, instead of waiting
        # for its reads (every invoke asked while the sampler thread walked the tree).
        with self._sample_lock:
            now = self._clock.monotonic()
            if now - self._sampled_at < MEMORY_SAMPLE_S or self._exited.is_set():
                return
            self._sampled_at = now
        process = self._process
        # The runtime alone is measured by its VmHWM (memory_used_mb): the tree's figure is
        # only wanted when it has started processes of its own.
        sampled = self._tree.memory_bytes(process.pid if process is not None else None)
        with self._sample_lock:
            self._peak_bytes = max(self._peak_bytes, sampled)

    def _status_kb(self, field: bytes) -> int:
        # /proc/<pid>/status is kept open and re-read with pread: this runs after every
        # invoke and every 20 ms while one is running. Only the field is looked at, in the
        # bytes as read (int() takes ASCII digits and the spaces around them).
        if self._process is None or self._exited.is_set():
            return 0
        try:
            if self._status_fd is None:
                self._status_fd = os.open(f"/proc/{self._process.pid}/status", os.O_RDONLY)
            status = os.pread(self._status_fd, 8192, 0)
        except OSError:
            return 0
        start = status.find(field)
        if start < 0:
            return 0
        try:
            return int(status[start + len(field):status.index(b"kB", start)])
        except ValueError:
            return 0

    def tmp_used_mb(self) -> float:
        return self._tmp.used_mb()
