"""A container as a Lambda execution environment: the function's image, whose own runtime
client polls samlite's Runtime API over the host network (one container per environment,
never a `docker exec` per invoke). The only module that imports docker; docker's errors
become samlite's here.

Lambda's layout and limits ("Lambda execution environment", "Lambda quotas"): code read-only
at /var/task, layers merged at /opt (a later layer wins), /tmp on disk (EphemeralStorage is
not memory), MemorySize as the memory limit with no swap, CPU in proportion to memory
(1,769 MB = one vCPU), 1,024 processes and file descriptors, a read-only root. Containers
carry labels, so a later samlite removes what a crashed one left.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import select
import shutil
import threading
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import docker
import docker.errors
import requests
from docker.types import Mount, Ulimit

from samlite.build.plan import Dependencies
from samlite.errors import DependencyInstallError, DockerUnavailable, EnvironmentStartError
from samlite.graph.model import ImageBuild
from samlite.progress import NO_PROGRESS, Progress
from samlite.runtime.environments.base import EnvironmentSettings, Exit
from samlite.runtime.environments.cgroups import memory_files, set_cpu_burst
from samlite.runtime.environments.container_debug import ContainerDebugging, container_debugging
from samlite.runtime.environments.debugpy_install import (
    DEBUGPY_VERSION,
    container_debugpy_dir,
    container_debugpy_is_installed,
)
from samlite.runtime.environments.host_files import (
    LineForwarder,
    TmpUsage,
    opt_folder,
    signal_name,
    task_root_folder,
    tmp_over_limit,
)
from samlite.runtime.images import built_image_name, docker_platform, image_for, runtime_image
from samlite.runtime.spec import FunctionSpec, lambda_variables

log = logging.getLogger(__name__)

TMP_WATCH_INTERVAL_S = 0.1   # how often a live container's /tmp total is checked
LABEL_PROJECT = "samlite.project"
LABEL_FUNCTION = "samlite.function"
LABEL_PID = "samlite.pid"
FULL_VCPU_MB = 1769            # "at 1,769 MB, a function has the equivalent of one vCPU"
# The CPU share is enforced in short slices: with the kernel's default 100 ms period, a
# 128 MB function that spends its 7 ms quota waits out the rest of the period, which was the
# 50-70 ms p99 of a warm hello request. The share is the same; only a stall is shorter.
CPU_PERIOD_US = 10_000
MIN_CPU_QUOTA_US = 1_000       # the kernel refuses a smaller quota; the period stretches
MAX_PROCESSES = 1024           # Lambda quotas: execution processes/threads
MAX_OPEN_FILES = 1024          # Lambda quotas: file descriptors
TASK_ROOT = "/var/task"
RUNTIME_DIR = "/var/runtime"
# Where the container sees the folder holding its output FIFO. The runtime's stdout and
# stderr go to a pipe samlite reads directly, not through the engine's log stream, so
# "everything written before the response was posted has arrived" is a cheap, exact check.
OUTPUT_DIR = "/run/samlite"
_OUTPUT_WRAPPER = f'exec "$@" >{OUTPUT_DIR}/output 2>&1'
# Where pip's container (install_in_image) sees the requirements, its output and pip itself.
_REQUIREMENTS_DIR = "/var/samlite/requirements"
_TARGET_DIR = "/var/samlite/target"
_PIP_DIR = "/var/samlite/pip"
_ENGINE_ERRORS = (docker.errors.DockerException, requests.RequestException, OSError)
_MIB = 1024 * 1024


def connect(*, timeout_s: float = 30.0) -> docker.DockerClient:
    """A client for the engine DOCKER_HOST names (else the default socket) that has just
    answered a ping. DockerUnavailable otherwise."""
    client: docker.DockerClient | None = None
    try:
        client = docker.from_env(timeout=int(timeout_s), max_pool_size=256)
        client.ping()
    except _ENGINE_ERRORS as exc:
        if client is not None:
            client.close()
        raise DockerUnavailable(f"no Docker engine answers at {_engine_address()} "
                                f"({_reason(exc)}); start one (`sudo systemctl start docker`, "
                                "or `dockerd`), or use --runtime process") from exc
    return client


def docker_problem(images: Iterable[str], *, timeout_s: float = 2.0) -> str | None:
    """Why the Docker runtime cannot run these images here (no engine, an image not pulled),
    or None when it can. For `--runtime auto`."""
    try:
        client = connect(timeout_s=timeout_s)
    except DockerUnavailable:
        return f"no Docker engine answers at {_engine_address()}"
    try:
        for image in sorted(set(images)):
            try:
                client.api.inspect_image(image)
            except docker.errors.ImageNotFound:
                return f"the image {image} is not on this machine (`docker pull {image}`)"
    except _ENGINE_ERRORS as exc:
        return f"the Docker engine did not answer ({_reason(exc)})"
    finally:
        client.close()
    return None


class DockerEnvironments:
    """The environment factory for one app: one engine client, the project's label, and what
    it learnt about images. Called like the EnvironmentFactory it is."""

    def __init__(self, *, project_dir: Path, client: docker.DockerClient | None = None,
                 images: Mapping[str, str] | None = None,
                 progress: Progress = NO_PROGRESS) -> None:
        """`images` maps a runtime to the image to use instead of AWS's (a locally built
        stand-in, for machines without registry access)."""
        self.project = str(project_dir.resolve())
        self.client = client or connect()
        self.images = dict(images or {})
        self.progress = progress
        self.cpus = os.cpu_count() or 1
        self._configs: dict[str, Mapping[str, Any]] = {}
        # Images built from Metadata: the build's recipe -> the tag, or why it failed.
        self._builds: dict[tuple[str, ImageBuild, str], str | EnvironmentStartError] = {}
        self._build_lock = threading.Lock()
        self._superseded: set[str] = set()   # image ids a rebuild replaced, removed when unused
        self._lock = threading.Lock()

    def __call__(self, settings: EnvironmentSettings) -> DockerEnvironment:
        return DockerEnvironment(settings, self)

    def prepare(self, specs: Iterable[FunctionSpec], *, progress: Progress | None = None) -> None:
        """Before the first cold start: remove what a crashed samlite left for this project,
        build the images of Image functions with Metadata, and learn each image's
        configuration (a missing image, or a failed build, fails its invokes later). Builds
        report to the factory's own progress (`progress` is the service's, the same one)."""
        self.remove_orphans()
        for spec in specs:
            with contextlib.suppress(EnvironmentStartError):
                self.image_config(self.image_for(spec), spec)
        for spec in specs:
            if spec.debug_port is None or not spec.is_python:
                continue
            version = spec.runtime.removeprefix("python")
            if container_debugpy_is_installed(version, spec.architecture):
                continue
            # A failure is not said here: the debugged function's start says it.
            with self.progress.task(f"Installing debugpy {DEBUGPY_VERSION} for Python "
                                    f"{version} on Linux (--debug; once)"), \
                    contextlib.suppress(EnvironmentStartError):
                container_debugpy_dir(version, spec.architecture)

    def image_for(self, spec: FunctionSpec) -> str:
        """The image to run `spec` in; an Image function's is built first when it has
        Metadata (once per recipe; EnvironmentStartError when the build failed)."""
        if spec.package_type == "Image":
            if spec.image_build is not None:
                return self.build(spec)
            if not spec.image_uri:
                raise EnvironmentStartError(
                    f"{spec.logical_id}: PackageType Image needs ImageUri, or Metadata with "
                    "DockerContext and Dockerfile to build the image from")
            return spec.image_uri
        return self.images.get(spec.runtime) or image_for(spec)

    def rebuild(self, specs: Iterable[FunctionSpec]) -> None:
        """Build these functions' images again (their DockerContext changed); functions
        without Metadata are ignored. A failure is raised by their next cold start."""
        for spec in specs:
            if spec.image_build is None:
                continue
            with self._lock:
                self._builds.pop(_recipe(spec), None)
            with contextlib.suppress(EnvironmentStartError):
                self.build(spec)

    def build(self, spec: FunctionSpec) -> str:
        """Build an Image function's image from its Metadata as `sam build` does (tag, build
        args, target, platform), with host networking (there is no bridge here)."""
        recipe = _recipe(spec)
        with self._build_lock:
            with self._lock:
                known = self._builds.get(recipe)
            if known is None:
                try:
                    known = self._build(spec, tag=recipe[0])
                except EnvironmentStartError as exc:
                    known = exc
                with self._lock:
                    self._builds[recipe] = known
        if isinstance(known, EnvironmentStartError):
            raise EnvironmentStartError(str(known)) from known.__cause__
        return known

    def _build(self, spec: FunctionSpec, *, tag: str) -> str:
        build = _recipe(spec)[1]
        context = Path(build.docker_context)
        if not context.is_dir():
            raise EnvironmentStartError(f"{spec.logical_id}: Metadata.DockerContext folder "
                                        f"{context} does not exist")
        if not (context / build.dockerfile).is_file():
            raise EnvironmentStartError(f"{spec.logical_id}: Metadata.Dockerfile "
                                        f"{build.dockerfile} is not a file in {context}")
        options: dict[str, Any] = {
            "path": str(context), "dockerfile": build.dockerfile, "tag": tag,
            "buildargs": dict(build.build_args), "platform": docker_platform(spec.architecture),
            "network_mode": "host", "rm": True, "forcerm": True}
        if build.target:
            options["target"] = build.target
        log.info("%s: building %s from %s", spec.logical_id, tag, context)
        try:
            previous = None
            with contextlib.suppress(docker.errors.ImageNotFound):
                previous = self.client.api.inspect_image(tag)["Id"]
            with self.progress.task(f"Building image {tag} for {spec.logical_id}"):
                image, _ = self.client.images.build(**options)
        except docker.errors.BuildError as exc:
            raise EnvironmentStartError(
                f"{spec.logical_id}: building its image from {context / build.dockerfile} "
                f"failed: {_reason(exc)}{_last_lines(exc.build_log)}") from exc
        except docker.errors.APIError as exc:
            raise EnvironmentStartError(
                f"{spec.logical_id}: Docker would not build its image from "
                f"{context / build.dockerfile}: {_reason(exc)}") from exc
        except (docker.errors.DockerException, requests.RequestException, OSError) as exc:
            raise self.engine_error(spec, exc) from exc
        with self._lock:
            self._configs[tag] = image.attrs.get("Config") or {}
        if previous is not None and previous != image.id:
            self._superseded.add(previous)
        self.remove_superseded()
        return tag

    def remove_superseded(self) -> None:
        """Remove the images rebuilds replaced once nothing names them and no container uses
        them (docker refuses to remove one in use without force)."""
        for image in tuple(self._superseded):
            try:
                if self.client.api.inspect_image(image).get("RepoTags"):
                    self._superseded.discard(image)   # tagged again since: not ours to remove
                    continue
                self.client.api.remove_image(image)
            except docker.errors.ImageNotFound:
                pass
            except _ENGINE_ERRORS:
                continue
            self._superseded.discard(image)

    def image_config(self, image: str, spec: FunctionSpec) -> Mapping[str, Any]:
        """The image's Config (Entrypoint, Cmd, Env); EnvironmentStartError when absent."""
        with self._lock:
            known = self._configs.get(image)
        if known is not None:
            return known
        try:
            config = self.client.api.inspect_image(image).get("Config") or {}
        except docker.errors.ImageNotFound as exc:
            fallback = (", or use --runtime process"
                        if spec.is_python or spec.is_custom_runtime else "")
            raise EnvironmentStartError(
                f"{spec.logical_id}: the image {image} is not on this machine; run "
                f"`docker pull {image}`{fallback}") from exc
        except _ENGINE_ERRORS as exc:
            raise self.engine_error(spec, exc) from exc
        with self._lock:
            self._configs[image] = config
        return config

    def remove_orphans(self) -> int:
        """Remove this project's containers whose samlite process is gone; returns how many."""
        try:
            found = self.client.api.containers(
                all=True, filters={"label": f"{LABEL_PROJECT}={self.project}"})
        except _ENGINE_ERRORS as exc:
            raise DockerUnavailable(f"the Docker engine at {_engine_address()} did not list "
                                    f"containers ({_reason(exc)})") from exc
        removed = 0
        for container in found:
            owner = (container.get("Labels") or {}).get(LABEL_PID, "")
            if owner.isdigit() and _is_alive(int(owner)):
                continue
            with contextlib.suppress(*_ENGINE_ERRORS):
                self.client.api.remove_container(container["Id"], force=True)
                removed += 1
        return removed

    def labels(self, spec: FunctionSpec) -> dict[str, str]:
        return {LABEL_PROJECT: self.project, LABEL_FUNCTION: spec.logical_id,
                LABEL_PID: str(os.getpid())}

    def nano_cpus(self, memory_mb: int) -> int:
        return int(min(memory_mb / FULL_VCPU_MB, self.cpus) * 1_000_000_000)

    def cpu_slice(self, memory_mb: int) -> tuple[int, int]:
        """(period, quota) in microseconds giving `nano_cpus(memory_mb)` of the CPU in slices
        of CPU_PERIOD_US, stretched only as far as the kernel's smallest quota needs."""
        share = self.nano_cpus(memory_mb) / 1_000_000_000
        period_us = max(CPU_PERIOD_US, math.ceil(MIN_CPU_QUOTA_US / share))
        return period_us, round(share * period_us)

    def init_cpu_slice(self, memory_mb: int) -> tuple[int, int]:
        """The init phase's CPU: at least one vCPU, capped at the host's cores ("Lambda
        managed runtimes offer up to 10 seconds for function initialization with burst CPU",
        AWS Labs' Lambda Web Adapter, Async Initialization). end_init() lowers it."""
        return self.cpu_slice(max(memory_mb, FULL_VCPU_MB))

    def engine_error(self, spec: FunctionSpec, exc: BaseException) -> EnvironmentStartError:
        return EnvironmentStartError(
            f"{spec.logical_id}: the Docker engine at {_engine_address()} did not answer "
            f"({_reason(exc)}); start it again, or use --runtime process")

    def install_in_image(self, dependencies: Dependencies, into: Path) -> None:
        """pip inside the function's image, into `into`: for requirements with a package
        that has no Linux wheel, built there from its source distribution as `sam build
        --use-container` would. The image need not have pip: samlite's own (pure Python)
        is mounted beside it. DependencyInstallError names the owner and says what failed."""
        runtime = f"python{dependencies.python_version}"
        image = self.images.get(runtime) or runtime_image(runtime, dependencies.architecture)
        into.mkdir(parents=True, exist_ok=True)
        import pip

        mounts = [Mount(_REQUIREMENTS_DIR, str(dependencies.requirements.parent), type="bind",
                        read_only=True),
                  Mount(_TARGET_DIR, str(into), type="bind"),
                  Mount(f"{_PIP_DIR}/pip", str(Path(pip.__file__).parent), type="bind",
                        read_only=True)]
        # The index settings users gave pip (PIP_INDEX_URL, ...) hold in the image too.
        environment = {name: value for name, value in os.environ.items()
                       if name.startswith("PIP_")} | {"PYTHONPATH": _PIP_DIR, "HOME": "/tmp"}  # noqa: S108
        command = ["python3", "-m", "pip", "install", "--requirement",
                   f"{_REQUIREMENTS_DIR}/{dependencies.requirements.name}", "--target",
                   _TARGET_DIR, "--no-cache-dir", "--no-input", "--disable-pip-version-check",
                   "--quiet"]
        why = f"{dependencies.label}: no Linux wheel for a requirement, so pip ran in {image}"
        try:
            log.info("%s; pip runs in %s", why, image)
            self.client.containers.run(
                image, command, entrypoint=[], environment=environment, mounts=mounts,
                working_dir=_REQUIREMENTS_DIR, network_mode="host", remove=True,
                user=f"{os.getuid()}:{os.getgid()}",
                platform=docker_platform(dependencies.architecture))
        except docker.errors.ContainerError as exc:
            output = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) \
                else str(exc.stderr or "")
            tail = "\n".join(f"  {line}" for line in output.strip().splitlines()[-25:])
            raise DependencyInstallError(f"{why}, and failed (exit {exc.exit_status}):\n"
                                         f"{tail}") from exc
        except docker.errors.ImageNotFound as exc:
            raise DependencyInstallError(
                f"{why}, but the image is not on this machine: `docker pull {image}`, or use "
                "--runtime process (which installs with your Python's pip)") from exc
        except _ENGINE_ERRORS as exc:
            raise DependencyInstallError(f"{why}, but the Docker engine did not run it "
                                         f"({_reason(exc)})") from exc

    def close(self) -> None:
        with contextlib.suppress(*_ENGINE_ERRORS):
            self.remove_superseded()
        self.client.close()


def _recipe(spec: FunctionSpec) -> tuple[str, ImageBuild, str]:
    """What an image built from Metadata depends on: its tag, the Metadata, the platform."""
    if spec.image_build is None:
        raise ValueError(f"{spec.logical_id} has no Metadata to build an image from")
    return built_image_name(spec), spec.image_build, spec.architecture


class DockerEnvironment:
    # The image's runtime client marks no end of an invocation's output: the service waits
    # with settle_output() instead.
    writes_end_marker = False

    def __init__(self, settings: EnvironmentSettings, engine: DockerEnvironments) -> None:
        self.settings = settings
        self.engine = engine
        self.container_id: str | None = None
        # Beside /tmp, private to this environment: the output FIFO and the merged /opt.
        self.area = settings.tmp_dir.with_name(settings.tmp_dir.name + ".docker")
        self._fd: int | None = None
        self._lock = threading.Lock()
        self._stopping = False
        self._exited = threading.Event()
        self._pump_done = threading.Event()
        self._output = LineForwarder(settings.on_output)
        self._closing_output = False
        self._memory_fd: int | None = None
        self._peak_mb = 0
        self._tmp = TmpUsage(settings.tmp_dir)
        self._debugging: ContainerDebugging | None = None

    # --- starting -----------------------------------------------------------------------------
    def start(self) -> None:
        spec = self.settings.spec
        image = self.engine.image_for(spec)
        config = self.engine.image_config(image, spec)
        if spec.package_type != "Image" and not spec.code_dir.is_dir():
            raise EnvironmentStartError(f"{spec.logical_id}: CodeUri folder {spec.code_dir} "
                                        "does not exist")
        command = self.command(config)
        try:
            # As in process environments, a runtime without a debugger (the CLI refuses to
            # debug those) keeps only the debugged semantics: no timeout, never reaped.
            if spec.debug_port is not None and (spec.is_python or spec.is_nodejs):
                self._debugging = self.debugging()
            mounts = self._prepare_area()
            self._create(image, command, mounts, working_dir=self.working_dir(config))
        except BaseException:
            self._close_output()
            shutil.rmtree(self.area, ignore_errors=True)
            raise
        threading.Thread(target=self._pump, name=f"out-{spec.logical_id}", daemon=True).start()
        threading.Thread(target=self._run, name=f"ctr-{spec.logical_id}", daemon=True).start()
        threading.Thread(target=self._watch_tmp, name=f"tmp-{spec.logical_id}",
                         daemon=True).start()

    def command(self, config: Mapping[str, Any]) -> list[str]:
        """What the container runs: the image's entrypoint with the handler (as Lambda runs
        an image), or for custom runtimes the function's bootstrap, as Lambda finds it."""
        spec = self.settings.spec
        if spec.package_type == "Image":
            # ImageConfig replaces the image's own ENTRYPOINT and CMD, each on its own.
            own = spec.image_config
            entrypoint = (own.entry_point if own else None) or config.get("Entrypoint") or []
            cmd = (own.command if own else None) or config.get("Cmd") or []
            return [*entrypoint, *cmd]
        if spec.is_custom_runtime:
            if (spec.code_dir / "bootstrap").exists():
                return [f"{TASK_ROOT}/bootstrap"]
            if any((layer / "bootstrap").exists() for layer in spec.layer_dirs):
                return ["/opt/bootstrap"]
            raise EnvironmentStartError(f"{spec.logical_id}: {spec.runtime} needs an executable "
                                        f"`bootstrap` in {spec.code_dir} or in a layer")
        entrypoint = config.get("Entrypoint") or []
        if not entrypoint:
            raise EnvironmentStartError(f"{spec.logical_id}: the image has no entrypoint to "
                                        "start the runtime with")
        return [*entrypoint, spec.handler]

    def working_dir(self, config: Mapping[str, Any]) -> str:
        """/var/task, or for an Image function ImageConfig.WorkingDirectory, else the
        image's WORKDIR."""
        spec = self.settings.spec
        if spec.package_type != "Image":
            return TASK_ROOT
        own = spec.image_config.working_directory if spec.image_config else None
        return own or config.get("WorkingDir") or TASK_ROOT

    def environment(self) -> dict[str, str]:
        spec = self.settings.spec
        variables = lambda_variables(spec, runtime_api=self.settings.runtime_api,
                                     task_root=TASK_ROOT, runtime_dir=RUNTIME_DIR,
                                     log_stream=self.settings.log_stream,
                                     endpoint_url=self.settings.endpoint_url)
        if self._debugging is not None:
            variables.update(self._debugging.variables)
        return variables

    def debugging(self) -> ContainerDebugging:
        """How this container starts under `--debug`: debugpy (installed for the image's
        Python, once) or Node's inspector, listening on the function's debug port."""
        spec = self.settings.spec
        debugpy = container_debugpy_dir(spec.runtime.removeprefix("python"),
                                        spec.architecture) if spec.is_python else None
        return container_debugging(spec, function_variables=spec.variables,
                                   support_dir=self.area / "debug", debugpy_dir=debugpy)

    def _prepare_area(self) -> list[Mount]:
        spec = self.settings.spec
        tmp = self.settings.tmp_dir
        tmp.mkdir(parents=True, exist_ok=True)
        tmp.chmod(0o1777)   # as /tmp: whatever user the image runs as can write
        output = self.area / "io"
        output.mkdir(parents=True, exist_ok=True)
        fifo = output / "output"
        os.mkfifo(fifo, 0o622)
        # Opened before the container exists, so its first write never finds no reader.
        self._fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        mounts = [Mount(OUTPUT_DIR, str(output), type="bind", read_only=True),
                  Mount("/tmp", str(tmp), type="bind")]   # noqa: S108 - the container's /tmp
        if spec.package_type != "Image":
            task_root = task_root_folder(spec.code_dir, spec.dependency_dir, self.area / "task")
            mounts.append(Mount(TASK_ROOT, str(task_root), type="bind", read_only=True))
        opt = opt_folder(spec.layer_dirs, self.area / "opt", spec.layer_dependency_dirs,
                         spec.built_layer_dirs)
        if opt is not None:
            mounts.append(Mount("/opt", str(opt), type="bind", read_only=True))
        if self._debugging is not None:
            mounts.extend(Mount(target, str(source), type="bind", read_only=True)
                          for source, target in self._debugging.mounts)
        return mounts

    def _create(self, image: str, command: list[str], mounts: list[Mount], *,
                working_dir: str) -> None:
        spec, api = self.settings.spec, self.engine.client.api
        storage = spec.ephemeral_storage_mb * _MIB
        period_us, quota_us = self.engine.init_cpu_slice(spec.memory_mb)
        try:
            host_config = api.create_host_config(
                network_mode="host", init=True, read_only=True, mounts=mounts,
                mem_limit=spec.memory_mb * _MIB, memswap_limit=spec.memory_mb * _MIB,
                cpu_period=period_us, cpu_quota=quota_us, pids_limit=MAX_PROCESSES,
                ulimits=[Ulimit(name="fsize", soft=storage, hard=storage),
                         Ulimit(name="nofile", soft=MAX_OPEN_FILES, hard=MAX_OPEN_FILES)])
            created = api.create_container(
                image, entrypoint=["/bin/sh", "-c", _OUTPUT_WRAPPER, "sh", *command],
                environment=self.environment(), labels=self.engine.labels(spec),
                working_dir=working_dir, user=f"{os.getuid()}:{os.getgid()}", detach=True,
                name=f"samlite-{self.settings.env_id}-{uuid.uuid4().hex[:8]}".lower(),
                host_config=host_config, use_config_proxy=False)
        except docker.errors.ImageNotFound as exc:
            raise EnvironmentStartError(f"{spec.logical_id}: the image {image} is not on this "
                                        f"machine; run `docker pull {image}`") from exc
        except docker.errors.APIError as exc:
            raise EnvironmentStartError(f"{spec.logical_id}: Docker would not create its "
                                        f"container: {_reason(exc)}") from exc
        except _ENGINE_ERRORS as exc:
            raise self.engine.engine_error(spec, exc) from exc
        self.container_id = created["Id"]

    # --- running ------------------------------------------------------------------------------
    def _run(self) -> None:
        """Start the container, wait for it to end, remove it, then report the exit once its
        output has all been forwarded."""
        api, container = self.engine.client.api, self.container_id
        code: int | None = None
        out_of_memory = started = False
        try:
            with self._lock:
                if self._stopping:
                    raise _NotStarted
                api.start(container)
                started = True
            code = api.wait(container).get("StatusCode")
            with contextlib.suppress(*_ENGINE_ERRORS):
                out_of_memory = bool(api.inspect_container(container)["State"]["OOMKilled"])
        except _NotStarted:
            pass
        except docker.errors.APIError as exc:
            self._note(f"the container did not start: {_reason(exc)}")
        except _ENGINE_ERRORS as exc:
            self._note(f"the Docker engine at {_engine_address()} stopped answering "
                       f"({_reason(exc)}); this environment is gone")
        with contextlib.suppress(*_ENGINE_ERRORS):
            api.remove_container(container, force=True)
        # A container that never ran never opened the FIFO: nothing more will come.
        if not started or not self._pump_done.wait(1.0):
            self._closing_output = True
        self._close_memory()
        self._exited.set()
        self.settings.on_exit(container_exit(code, out_of_memory=out_of_memory))

    def _watch_tmp(self) -> None:
        """The container's /tmp is a folder of the host: its total is kept within
        EphemeralStorage while the container runs, as the process environment does."""
        limit_mb = self.settings.spec.ephemeral_storage_mb
        while not self._exited.wait(TMP_WATCH_INTERVAL_S):
            if reason := tmp_over_limit(self._tmp, limit_mb):
                self.settings.on_output(f"samlite: {reason}; ending this environment")
                self.kill()
                return

    def _note(self, message: str) -> None:
        self.settings.on_output(f"samlite: {self.settings.spec.logical_id}: {message}")

    def _pump(self) -> None:
        """Forward the runtime's output line by line until every writer has closed the FIFO
        (the container ended)."""
        fd = self._fd
        if fd is None:
            return
        waiter = select.poll()
        waiter.register(fd, select.POLLIN | select.POLLHUP)
        while True:
            # Before the container opens the FIFO there is no POLLHUP (Linux reports a hang-up
            # only after a writer came and went), so the wait is for data or the end.
            if not waiter.poll(200):
                if self._closing_output:
                    break
                continue
            if not self._output.read(fd):
                break
        self._output.finish()
        self._close_output()
        self._pump_done.set()

    def _close_output(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def alive(self) -> bool:
        return self.container_id is not None and not self._exited.is_set()

    def end_init(self) -> None:
        """The init phase is over (the runtime asked for its first event): from now on the
        CPU is MemorySize's share, with the quota it leaves unused banked for a later burst.
        Called before that event is handed over."""
        spec = self.settings.spec
        period_us, quota_us = self.engine.cpu_slice(spec.memory_mb)
        if self.container_id is None or spec.debug_port is not None:
            # Debugged: it keeps the init phase's vCPU. The debugger's own tracing runs in
            # the function's process, and at a 128 MB share stepping would crawl.
            return
        if (period_us, quota_us) != self.engine.init_cpu_slice(spec.memory_mb):
            try:
                self.engine.client.api.update_container(
                    self.container_id, cpu_period=period_us, cpu_quota=quota_us)
            except _ENGINE_ERRORS as exc:   # it keeps the init burst; say so, invoke anyway
                log.warning("%s: the CPU share after init could not be set (%s)",
                            spec.logical_id, _reason(exc))
                return
        # After the quota is lowered: the kernel refuses a burst larger than the quota.
        if not set_cpu_burst(self.container_id, quota_us):
            log.info("%s: no CPU burst for its container (cgroup not writable here); the "
                     "share holds, a request after idle may be throttled sooner",
                     spec.logical_id)

    def settle_output(self, timeout_s: float = 0.05) -> None:
        """Wait (briefly) until what the runtime wrote so far has been forwarded. The
        image's runtime client writes no end-of-output marker; its writes are done before
        it posts the response, so they are in the FIFO or being forwarded by now."""
        self._output.settle(lambda: self._fd, timeout_s)

    # --- ending -------------------------------------------------------------------------------
    def kill(self) -> None:
        container = self.container_id
        if container is None or self._exited.is_set():
            return
        with contextlib.suppress(*_ENGINE_ERRORS):   # already gone, or the engine is
            self.engine.client.api.kill(container)

    def stop(self, *, grace_s: float = 2.0) -> None:
        """SIGTERM, then SIGKILL after `grace_s` (Docker counts whole seconds); returns once
        the container is removed and its folders are gone."""
        with self._lock:
            self._stopping = True
        container = self.container_id
        if container is not None and not self._exited.is_set():
            try:
                self.engine.client.api.stop(container, timeout=int(grace_s + 0.999))
            except _ENGINE_ERRORS:
                with contextlib.suppress(*_ENGINE_ERRORS):
                    self.engine.client.api.remove_container(container, force=True)
            if not self._exited.wait(grace_s + 5):
                with contextlib.suppress(*_ENGINE_ERRORS):
                    self.engine.client.api.remove_container(container, force=True)
        shutil.rmtree(self.area, ignore_errors=True)
        shutil.rmtree(self.settings.tmp_dir, ignore_errors=True)

    # --- measuring ----------------------------------------------------------------------------
    def memory_used_mb(self) -> int:
        """The container's peak memory, read from its memory cgroup on the host (cgroup v1
        memory.max_usage_in_bytes, v2 memory.peak): one pread, no engine call."""
        if self._memory_fd is None and not self._open_memory():
            return self._peak_mb
        try:
            text = os.pread(self._memory_fd, 64, 0)   # type: ignore[arg-type]
            self._peak_mb = max(self._peak_mb, int(text) // _MIB)
        except (OSError, ValueError):
            self._close_memory()
        return self._peak_mb

    def _open_memory(self) -> bool:
        if self.container_id is None or self._exited.is_set():
            return False
        for path in memory_files(self.container_id):
            with contextlib.suppress(OSError):
                self._memory_fd = os.open(path, os.O_RDONLY)
                return True
        return False

    def _close_memory(self) -> None:
        fd, self._memory_fd = self._memory_fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def tmp_used_mb(self) -> float:
        return self._tmp.used_mb()


class _NotStarted(Exception):
    """stop() came before the container was started."""


def container_exit(code: int | None, *, out_of_memory: bool) -> Exit:
    """The container's end in Lambda's terms. Docker reports a signal as 128 + its number
    (docker-init, the container's PID 1, exits so when the runtime is killed)."""
    if out_of_memory:
        return Exit(exit_code=None, signal_name="killed", out_of_memory=True)
    if code is None:
        return Exit(exit_code=None, signal_name="killed")
    if code > 128:
        return Exit(exit_code=None, signal_name=signal_name(code - 128))
    return Exit(exit_code=code)


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _last_lines(build_log: Iterable[Mapping[str, Any]], count: int = 10) -> str:
    """The end of a build's log, indented under the error."""
    lines: list[str] = []
    for entry in build_log:
        text = entry.get("stream") or entry.get("error") or ""
        lines.extend(line for line in str(text).splitlines() if line.strip())
    return "".join(f"\n    {line}" for line in lines[-count:])


def _engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, docker.errors.APIError) and exc.explanation:
        return str(exc.explanation)
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:300]
