"""The composition root: a template and options -> a validated graph, the function specs,
the Lambda service and the loopback endpoint, started and stopped together. Nothing else
builds these, so two apps in one process never share anything.

`samlite invoke` runs one invocation without an endpoint; `samlite start-lambda` serves the
Invoke API until stopped.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import secrets
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from samlite.app.dependencies import DependencyReport
from samlite.app.dependencies import apply as apply_dependencies
from samlite.app.reload import describe_template_change, plan_changes, watch_roots
from samlite.clock import Clock, ScaledClock, SystemClock
from samlite.errors import (
    DependencyInstallError,
    Problem,
    SamliteError,
    TemplateError,
    UnreadableFile,
    UsageError,
)
from samlite.graph.model import Graph
from samlite.http.admission import DEFAULT_HOST
from samlite.http.messages import Request, Response
from samlite.progress import NO_PROGRESS, Progress
from samlite.runtime.api_errors import LambdaApiError
from samlite.runtime.choice import (
    RuntimeChoice,
    check_runtime,
    choose_runtime,
    environment_factory,
    runtime_notice,
)
from samlite.runtime.debugging import DEFAULT_DEBUG_PORT, with_debugging
from samlite.runtime.invocation import Invocation, Result
from samlite.runtime.records import DEFAULT_CAPACITY, InvocationRecords
from samlite.runtime.service import DEFAULT_ACCOUNT_CONCURRENCY
from samlite.runtime.spec import LATEST, FunctionSpec
from samlite.sources.control import Fired
from samlite.sources.invoke_api import InvokeApi, LambdaInvoker
from samlite.state import DEFAULT_STATE_DIR_NAME

if TYPE_CHECKING:
    from samlite.sources.alb.server import LoadBalancers
    from samlite.sources.gateway.server import HttpGateway
    from samlite.sources.schedule import Scheduler
from samlite.template.includes import included_files
from samlite.template.model import PseudoParameters

if TYPE_CHECKING:
    from samlite.app.aws import AwsServices
    from samlite.app.code_fingerprint import CodeFingerprints
    from samlite.app.parameters_secrets import ParametersSecretsExtension
    from samlite.app.watch import Watcher
    from samlite.aws.access.guard import AccessGuard
    from samlite.http.server import Endpoint
    from samlite.runtime.async_invoke import AsyncInvocations

log = logging.getLogger(__name__)

__all__ = ["App", "AppOptions", "RuntimeChoice", "check_runtime", "choose_runtime",
           "environment_factory", "invoke_function", "load_graph", "read_event",
           "runtime_notice"]

LogSink = Callable[[str, str], None]      # log(function_logical_id, line)

# The share of a stop's grace period the invocations already running get to finish before
# the AWS endpoint they may call stops; the rest is for stopping environments.
DRAIN_SHARE = 0.5


RELOADS_KEPT = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class Reloaded:
    at_s: float       # epoch seconds
    line: str         # what the reload line said


class Service(LambdaInvoker, Protocol):
    """The Lambda service as the app drives it (runtime/service.py's LambdaService)."""

    def start(self, *, async_events: bool = True) -> None: ...

    def start_async_events(self) -> None: ...

    def drain(self, timeout_s: float) -> int: ...

    def prewarm(self, functions: Sequence[str]) -> None: ...

    def stop(self, *, grace_s: float = 2.0) -> None: ...

    def recycle(self, functions: Sequence[str], *, publish: bool = True) -> int: ...

    def update_functions(self, functions: Sequence[FunctionSpec], *,
                         publish: bool = True) -> tuple[str, ...]: ...

    def run_invocation(self, invocation: Invocation) -> Result: ...

    def use_async_events(self, events: AsyncInvocations) -> None: ...


ServiceFactory = Callable[..., Service]   # called like LambdaService(functions, *, ...)


@dataclass(frozen=True, slots=True, kw_only=True)
class AppOptions:
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)
    pseudo: PseudoParameters = field(default_factory=PseudoParameters)
    env_vars: Mapping[str, Mapping[str, str]] = field(default_factory=dict)   # --env-vars
    runtime: str = "auto"
    host: str = DEFAULT_HOST
    aws_port: int | None = None     # None: no endpoint (one-shot invokes); 0: any free port
    account_concurrency: int = DEFAULT_ACCOUNT_CONCURRENCY
    idle_timeout_s: float = 600.0
    http_port: int | None = None    # None: no HTTP gateway; 0: any free port
    state_dir: Path | None = None   # `samlite up --state-dir` (.samlite of the project)
    reset_state: bool = False       # `--reset`: forget stored objects, messages and events
    clock_speed: float = 1.0        # `--clock-speed`: schedules' time runs this much faster
    retry_delay_scale: float = 1.0  # multiplies Lambda's async retry waits (1 and 2 minutes)
    aws_port_flag: str = "--aws-port"   # the option that sets aws_port, named when it is busy
    aws_endpoint_url: str | None = None  # without an endpoint of its own: the one functions use
    no_build: bool = False          # `--no-build`: install no requirements (use what is cached)
    deps_dir: Path | None = None    # the install cache (None: <state dir>/deps, else .samlite/deps)
    layers: Mapping[str, Path | str] = field(default_factory=dict)   # --layer ARN=PATH
    config_env: str = "default"     # `--config-env`: the samconfig.toml tables errors name
    secrets_file: Path | None = None   # `--secrets-file`: values {{resolve:...}} may name
    debug_functions: tuple[str, ...] = ()   # `--debug A,B`: run under a debugger
    debug_port: int = DEFAULT_DEBUG_PORT    # `--debug-port`: the first one's port
    iam: str = "warn"               # `--iam`: enforce | warn | off (docs/iam.md)
    iam_source: str = "the default"   # where `iam` came from, for the `IAM:` line
    invocation_capacity: int = DEFAULT_CAPACITY   # records kept for the dashboard (a ring)
    keep_invocations: bool = False  # `--keep-invocations`: records survive in the state dir


class App:
    """Everything one template runs. Building it validates the template (TemplateError) and
    reserves the endpoint's port (UsageError when busy); then `start()`/`stop()`, or use it
    as a context manager. An app that is never started should be `close()`d."""

    def __init__(self, template: Path, options: AppOptions | None = None, *,
                 log: LogSink = lambda function, line: None, clock: Clock | None = None,
                 service_factory: ServiceFactory | None = None,
                 environments: Callable[..., object] | None = None,
                 progress: Progress = NO_PROGRESS) -> None:
        self.options = options or AppOptions()
        self._clock = clock or SystemClock()
        self._started = False
        self._progress = progress
        # Hot reload (see reload()): the files besides the template whose change reloads it
        # (samconfig.toml, --env-vars) and how to re-read the options they give.
        self.reload_files: tuple[Path, ...] = ()
        self.reload_options: Callable[[], AppOptions] | None = None
        self._graph_listeners: list[Callable[[Graph], None]] = []
        self._reload_lock = threading.Lock()
        self._watcher: Watcher | None = None
        # The code each version-publishing function last published with; set by watch().
        self._fingerprints: CodeFingerprints | None = None
        # What each reload changed, newest last (the dashboard's Reloads page).
        self.reloads: deque[Reloaded] = deque(maxlen=RELOADS_KEPT)
        self._reload_listeners: list[Callable[[Reloaded], None]] = []
        check_runtime(self.options.runtime)
        self.template = template
        # The endpoint's port is reserved first: functions are told its URL
        # (AWS_ENDPOINT_URL), and the template's queue and function URLs name it, even when
        # the system picks the port (an SDK may send a queue's calls to its URL's host).
        self._endpoint: Endpoint | None = None
        if self.options.aws_port is not None:
            from samlite.http.server import Endpoint

            self._endpoint = Endpoint(host=self.options.host, port=self.options.aws_port,
                                      port_flag=self.options.aws_port_flag)
            self._endpoint.bind()
            self.options = self.with_endpoint_url(self.options)
        if environments is None and self.options.runtime != "docker":
            # Whether processes get a mount namespace is asked of the kernel meanwhile: the
            # answer is waited on only when the first environment starts.
            from samlite.runtime.environments.isolation import probe_namespaces_ahead

            probe_namespaces_ahead()
        try:
            self.graph, self.warnings = load_graph(template, self.options)
            # OpenAPI files the template includes: saving one reloads it, as the template does
            self.included_files = included_files(template)
            # Each function signs its AWS calls with credentials of its own, derived from
            # this seed (runtime/credentials.py): the endpoint tells functions apart by them.
            # Kept in the state dir, so `samlite invoke` beside this project's `up` gives a
            # function the same credentials up's own would have (its extension, its IAM).
            self._credential_seed = credential_seed(
                (self.options.state_dir or template.resolve().parent / DEFAULT_STATE_DIR_NAME)
                / CREDENTIAL_SEED_FILE)
            self.functions: tuple[FunctionSpec, ...] = function_specs_for(
                self.graph, template, self.options, credential_seed=self._credential_seed)
            self.layer_rows: tuple[tuple[str, str, str], ...] = ()
            # Where functions run is settled before anything starts: `--runtime docker` with no
            # engine fails here (DockerUnavailable), and `auto` looks for the engine and the
            # functions' images once.
            if environments is None:
                self.runtime_choice = debug_runtime(self.options) or \
                    choose_runtime(self.options.runtime, self.functions)
                environments = environment_factory(self.runtime_choice,
                                                   project_dir=template.resolve().parent,
                                                   progress=progress)
            else:
                kind = "docker" if self.options.runtime == "docker" else "process"
                self.runtime_choice = RuntimeChoice(kind=kind, reason="given by the caller")
        except BaseException:
            self.close()   # the port it holds
            raise
        self._environments = environments
        # Before anything starts: layer ARNs become local folders (once
        # it is settled where functions run: Docker functions get Linux wheels), then
        # requirements are installed; a failed install is a DependencyInstallError naming the
        # function.
        try:
            self.graph, self.functions = self._with_process_limits(
                *self._with_layer_arns(self.graph, self.options))
            self.dependencies = self._install_dependencies(self.graph)
        except BaseException:
            self.close()
            raise
        self.functions = apply_dependencies(self.functions, self.graph, self.dependencies)
        factory = service_factory or _lambda_service
        self.invocations = _invocation_records(self.options)
        try:
            self.service: Service = factory(
                self.functions,
                environments=environments,
                clock=self._clock, log=log,
                account_concurrency=self.options.account_concurrency,
                idle_timeout_s=self.options.idle_timeout_s,
                endpoint_url=self.endpoint_url or self.options.aws_endpoint_url,
                progress=progress, records=self.invocations)
            self._service_started = False
            if self._starts_functions_ahead() and self._specs_are_final():
                self._start_service(ahead=True)   # why: where the gateway is built, below
        except BaseException:
            self.close()
            raise
        self.access_guard: AccessGuard | None = None
        if self._endpoint is not None:
            from os import getpid

            from samlite import __version__
            from samlite.sources.control import PingRoute

            self._endpoint.add(PingRoute(
                __version__, template=template, state_dir=self.options.state_dir,
                pid=getpid(), extension_ports=lambda: self._extension.ports
                if self._extension is not None else ()))
            # IAM: tried before every service, so a refused call reaches none of them.
            try:
                self.access_guard = _access_guard(self.options, log)
            except BaseException:
                self.close()
                raise
            if self.access_guard is not None:
                self._endpoint.add(self.access_guard)
            self._endpoint.add(InvokeApi(self.service))
        # Buckets, queues, their event sources and the durable async queue exist where the
        # endpoint does (`up`, `start-lambda`); one-shot invokes need none of them.
        self.aws: AwsServices | None = None
        if self._endpoint is not None:
            try:
                self.aws = _aws_services(self.graph, self.service, self.options, log)
            except BaseException:
                self.close()
                raise
            self.on_graph_change(self.aws.update)
        # `{{resolve:...}}` in environment variables become their values before any
        # function starts (app/dynamic_references.py).
        try:
            resolved = self._resolved_specs(self.graph, self.functions)
        except BaseException:
            self.close()
            raise
        if resolved != self.functions:
            self.functions = resolved
            self.service.update_functions(resolved, publish=False)   # still version 1
        # The Parameters and Secrets extension's HTTP API, for functions that name its layer.
        self._extension: ParametersSecretsExtension | None = None
        try:
            self._extension = self._parameters_secrets_extension()
        except BaseException:
            self.close()
            raise
        self.gateway: HttpGateway | None = None
        self.load_balancers: LoadBalancers | None = None
        self.scheduler: Scheduler | None = None
        try:
            if self._starts_functions_ahead():
                # In `up`, functions start now (or, when their specs were final, as soon as
                # the service existed), while the rest of the app is built and started: the
                # first 200 waits for whichever ends last. Every port a function's init may
                # call is bound (the endpoint, the extension), so such a call waits in the
                # listen queue until start() serves it.
                self._start_service(ahead=True)
            self._add_serving_parts(log, clock)
        except BaseException:
            self.close()
            raise
        self._bucket_watcher: Watcher | None = None

    def _add_serving_parts(self, log: LogSink, clock: Clock | None) -> None:
        """The gateway, load balancers and schedules of `up`, and the endpoint's routes."""
        if self.options.http_port is not None:
            self.gateway = _gateway(self.graph, self.service, self.options, log,
                                    aws=self.aws.call if self.aws is not None else None)
            self.gateway.bind()
            self.on_graph_change(self.gateway.update)
        # ALB listeners serve where the gateway does (`up`), each on a port of its own.
        if self.gateway is not None:
            self.load_balancers = _load_balancers(self.graph, self.service, self.options, log)
            self.load_balancers.bind()
            self.on_graph_change(self.load_balancers.update)
        # Schedules fire only in a running app (`samlite up`), never in one-shot invokes.
        if self.gateway is not None:
            from samlite.sources.schedule import Scheduler

            schedule_clock = clock or (ScaledClock(self.options.clock_speed)
                                       if self.options.clock_speed != 1.0 else SystemClock())
            # One rule engine: a rule's state and the API's schedule rules are EventBridge's.
            messaging = self.aws.messaging if self.aws is not None else None
            self.scheduler = Scheduler(self.graph, self.service, clock=schedule_clock,
                                       region=self.options.pseudo.region,
                                       account_id=self.options.pseudo.account_id,
                                       rules=messaging, dead_letters=messaging, note=log)
            self.on_graph_change(self.scheduler.update)
            if messaging is not None:
                messaging.on_rules_change(self.scheduler.refresh)
            if self._endpoint is not None:
                from samlite.sources.control import TriggerRoute

                self._endpoint.add(TriggerRoute(self.fire_trigger))
        if self.aws is not None and self._endpoint is not None:
            for route in self.aws.routes():
                self._endpoint.add(route)
        if self.access_guard is not None:
            guard = self.access_guard
            guard.update(self.graph, self.functions)
            self.on_graph_change(lambda graph: guard.update(graph, self.functions))
        if self.aws is not None:
            sts = self.aws.sts
            sts.recognize_functions(_function_sessions(self.graph, self.functions))
            self.on_graph_change(lambda graph: sts.recognize_functions(
                _function_sessions(graph, self.functions)))

    def _starts_functions_ahead(self) -> bool:
        """Whether the Lambda service starts while the app is built: in `up` (an app with a
        gateway), unless a function has provisioned concurrency, whose start waits for its
        environments' init, which may call the endpoint that serves only once started."""
        return self.options.http_port is not None and not any(
            spec.provisioned_concurrency for spec in self.functions)

    def _specs_are_final(self) -> bool:
        """Whether the functions' specs are what they will run with before the AWS services
        exist: no dynamic reference in their variables to resolve, and none uses the
        Parameters and Secrets extension (whose ports are bound with it)."""
        from samlite.app.dynamic_references import needs_values
        from samlite.app.parameters_secrets import extension_users

        return not needs_values(self.functions) and \
            not extension_users(self.graph, self.options.layers)

    def _start_service(self, *, ahead: bool = False) -> None:
        """Start the Lambda service (once) and, in `up`, an environment of each function.
        Started `ahead` (while the app is built), it runs no queued asynchronous event until
        start(): an app that then fails to build must not have run any."""
        if not self._service_started:
            self._service_started = True
            self.service.start(async_events=not ahead)
            # In `up`, functions start now, beside the rest of start-up, not after it.
            if self.options.http_port is not None:
                self.service.prewarm([spec.logical_id for spec in self.functions])
        if not ahead:
            self.service.start_async_events()

    def _parameters_secrets_extension(self) -> ParametersSecretsExtension | None:
        from samlite.app.parameters_secrets import extension_for_app

        extension, missing = extension_for_app(
            self.graph, self.functions, layers=self.options.layers, aws=self.aws,
            host=self.options.host, pseudo=self.options.pseudo,
            served_elsewhere=self._served_by_aws_endpoint)
        if missing:
            self.graph = dataclasses.replace(
                self.graph, not_run_locally=(*self.graph.not_run_locally, *missing))
        if extension is not None:
            self.on_graph_change(lambda graph: extension.update(graph, self.functions))
        return extension

    def _served_by_aws_endpoint(self, port: int) -> bool:
        """Whether the samlite up the functions' AWS calls go to (a one-shot invoke beside
        its project's `up`) serves the Parameters and Secrets extension on `port`."""
        from samlite.app.running import ping_endpoint

        url = self.options.aws_endpoint_url
        answer = ping_endpoint(url) if url and self.aws is None else None
        ports = answer.get("parametersSecretsPorts") if answer is not None else None
        return isinstance(ports, list) and port in ports

    def _resolved_specs(self, graph: Graph, specs: tuple[FunctionSpec, ...],
                        options: AppOptions | None = None) -> tuple[FunctionSpec, ...]:
        from samlite.app.dynamic_references import resolved_for_app

        options = options or self.options
        return resolved_for_app(specs, graph, aws=self.aws, secrets_file=options.secrets_file,
                                pseudo=options.pseudo)

    def with_endpoint_url(self, options: AppOptions) -> AppOptions:
        """`options` whose pseudo parameters name this app's endpoint (queue URLs)."""
        if self._endpoint is None or not self._endpoint.is_bound:
            return options
        return dataclasses.replace(options, pseudo=dataclasses.replace(
            options.pseudo, endpoint_url=self._endpoint.url))

    @property
    def runtime_kind(self) -> str:
        """Where functions run, as the startup table says it: process or docker."""
        return self.runtime_choice.kind

    def ports_in_use(self) -> frozenset[int]:
        """The ports this app serves on: the gateway, the AWS endpoint, function URLs and
        load balancers (a dashboard must take another)."""
        urls = [self.endpoint_url]
        if self.gateway is not None:
            urls += [self.gateway.url, *self.gateway.function_urls().values()]
        if self.load_balancers is not None:
            urls += list(self.load_balancers.urls().values())
        return frozenset(int(url.rstrip("/").rsplit(":", 1)[1].split("/")[0])
                         for url in urls if url)

    @property
    def endpoint_url(self) -> str | None:
        """The loopback AWS endpoint, e.g. http://127.0.0.1:3001 (None without one)."""
        return self._endpoint.url if self._endpoint is not None and self._endpoint.is_bound \
            else None

    def _install_dependencies(self, graph: Graph) -> DependencyReport:
        from samlite.app.dependencies import deps_root, prepare
        from samlite.runtime.environments.python import python_for

        project = self.template.resolve().parent
        cache_dir = self.options.deps_dir or deps_root(project_dir=project,
                                                       state_dir=self.options.state_dir)
        return prepare(graph, project_dir=project, runtime_kind=self.runtime_kind,
                       cache_dir=cache_dir, build=not self.options.no_build,
                       python_for=lambda version: python_for(f"python{version}"),
                       progress=self._progress,
                       fallback=getattr(self._environments, "install_in_image", None))

    def dependency_notices(self) -> list[str]:
        """What to say once at startup about requirements: those --no-build left out, and a
        `sam build` output that samlite does not read."""
        from samlite.app.dependencies import notices

        return notices(self.dependencies, self.graph, project_dir=self.template.resolve().parent)

    def iam_notices(self) -> list[str]:
        """What IAM cannot check (an external role, an unknown managed policy), said once at
        startup; nothing when IAM is off."""
        if self.options.iam == "off":
            return []
        return [f"warning: {w}" for w in self.graph.access.warnings]

    def runtime_notices(self) -> list[str]:
        """What the user should know about where functions run: a Python or Node.js
        version this machine lacks (the process runtime then uses the closest it has), an
        architecture it is not."""
        from samlite.runtime.debugging import debug_notices

        if self.runtime_kind != "process":
            return debug_notices(self.functions)
        from samlite.runtime.environments.process import isolation_notices

        return self.process_mismatch_notices() \
            + [f"warning: {notice}" for notice in isolation_notices(self.functions)] \
            + debug_notices(self.functions)

    def process_mismatch_notices(self, only: str | None = None) -> list[str]:
        """One line per runtime version and architecture this machine runs the functions
        (all, or the one logical id `only`) on instead of theirs; none outside processes."""
        if self.runtime_kind != "process":
            return []
        from platform import machine

        from samlite.runtime.environments.node import node_mismatch
        from samlite.runtime.environments.python import python_mismatch
        from samlite.runtime.process_support import architecture_mismatch

        by_runtime: dict[str, list[str]] = {}
        by_architecture: dict[str, list[str]] = {}
        for spec in self.functions:
            if only is not None and spec.logical_id != only:
                continue
            if spec.runs_samlite_client and spec.package_type != "Image":
                by_runtime.setdefault(spec.runtime, []).append(spec.logical_id)
            if spec.package_type != "Image":
                by_architecture.setdefault(spec.architecture, []).append(spec.logical_id)
        docker = "--runtime docker"
        notices = []
        for runtime, names in sorted(by_runtime.items()):
            one = len(names) == 1
            why = python_mismatch(runtime, docker=docker, one=one) \
                if runtime.startswith("python") else node_mismatch(runtime, docker=docker, one=one)
            if why is not None:
                notices.append(f"warning: {', '.join(names)} ({runtime}): {why}")
        for architecture, names in sorted(by_architecture.items()):
            why = architecture_mismatch(architecture, machine(), docker=docker,
                                        one=len(names) == 1)
            if why is not None:
                notices.append(f"warning: {', '.join(names)} ({architecture}): {why}")
        return notices

    def close(self) -> None:
        """Release what an app that will not be started holds (its port, the service's
        scratch space)."""
        if not self._started:
            self._stop_parts(grace_s=0.0)

    def start(self) -> None:
        """Start everything, or (on any failure, Ctrl-C included) nothing."""
        if self._started:
            return
        try:
            if self._endpoint is not None:
                self._endpoint.start()
            if self._extension is not None:
                self._extension.start()
            self._start_service()
            if self.aws is not None:
                self.aws.start()
            if self.gateway is not None:
                self.gateway.start()
            if self.load_balancers is not None:
                self.load_balancers.start()
            if self.scheduler is not None:
                self.scheduler.start()
            # Last: its observer takes ~10-30 ms to start, and a bucket's files dropped in
            # need no route served first.
            self._watch_buckets()
        except BaseException:
            self._stop_parts(grace_s=2.0)
            raise
        self._started = True

    def serving(self) -> None:
        """`up` has said it is ready: what start-up left for after (the template's tables,
        made in the background) may begin. Without this call it begins a moment after
        start()."""
        if self.aws is not None:
            self.aws.serving()

    def _prewarm(self) -> None:
        """In `up`: after each reload an environment of each function it recycled starts in
        the background (as one did when the app started, _start_service), so a request (the
        first after a save too) finds one initialised or initialising rather than starting
        one itself."""
        if self.gateway is not None and self._started:
            self.service.prewarm([spec.logical_id for spec in self.functions])

    def stop(self, *, grace_s: float = 2.0) -> None:
        """Stop taking requests, then stop every environment; nothing is left running."""
        self.stop_watching()
        if not self._started:
            self.close()
            return
        self._started = False
        self._stop_parts(grace_s=grace_s)

    def _stop_parts(self, *, grace_s: float) -> None:
        """Stop whatever parts exist; safe on a half-built app (close()). In the order a user
        expects: take no new work (servers for users, schedules, pollers, stream readers,
        queued async events), let the invocations already running finish with the AWS
        endpoint still up (within half of `grace_s`, so Ctrl-C stays within its 2 seconds),
        then stop the endpoint, then the environments and the AWS services. Work accepted and
        not done comes back: SQS messages become visible again, a stream batch without its
        checkpoint is read again, async events stay stored."""
        service = getattr(self, "service", None)   # absent when building it failed
        aws = getattr(self, "aws", None)
        try:
            _stop_endpoints(self._parts("gateway", "load_balancers"))
            for part in self._parts("scheduler", "_bucket_watcher"):
                part.stop()
            if aws is not None:
                aws.stop_taking_work()
            if service is not None and grace_s > 0:
                service.drain(grace_s * DRAIN_SHARE)
            _stop_endpoints(self._parts("_endpoint", "_extension"))
        finally:
            try:
                if service is not None:
                    service.stop(grace_s=grace_s * (1 - DRAIN_SHARE))
            finally:
                if aws is not None:
                    aws.stop()
                self._close_environments()

    def _parts(self, *names: str) -> list[Any]:
        return [part for name in names if (part := getattr(self, name, None)) is not None]

    def _close_environments(self) -> None:
        """Release what the environment factory holds (the Docker engine's client)."""
        close = getattr(getattr(self, "_environments", None), "close", None)
        if close is not None:
            close()

    def __enter__(self) -> App:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def function(self, name: str | None) -> FunctionSpec:
        """The function `name` means (logical id, else FunctionName); with no name, the
        template's only function. UsageError, listing the functions, otherwise."""
        return choose_function(self.functions, name, template=self.template)

    def invoke(self, name: str | None, payload: bytes, *,
               qualifier: str | None = None, tenant_id: str | None = None,
               newest: int | None = None) -> Result:
        """One synchronous invocation, as `samlite invoke` runs it: $LATEST, or the version
        or alias `qualifier` names. `newest` is the function's newest published version as
        a running `up` numbers it (None: this app's own). A failure of the call itself
        (throttled, too large, no such qualifier, a TenantId that does not fit) is a
        SamliteError; a failing function is a Result."""
        from samlite.runtime.qualifiers import resolve

        spec = self.function(name)
        try:
            target = self.service.target(spec.logical_id, qualifier) if newest is None else \
                resolve(self.service.function_for(spec.logical_id), qualifier, newest=newest)
            return self.service.invoke_target(target, payload, tenant_id=tenant_id)
        except LambdaApiError as exc:
            detail = "".join(f" ({value})" for value in exc.fields.values())
            raise SamliteError(f"{spec.logical_id}: {exc.error_type}: {exc.message}{detail}"
                               ) from exc

    def fire_trigger(self, name: str) -> Fired:
        """`samlite trigger NAME`: a schedule fires now; an event-pattern rule is put a sample
        event, a topic or subscription a sample message; an S3 trigger replays its bucket's
        newest matching object as a fresh upload; a DynamoDB trigger hands its function the
        stream's newest matching record again; an SQS trigger's queue is sent a sample
        message. NAME is the event's name as the template writes it or its full id
        (graph/trigger_names.py). Returns the request, message or event id (Fired);
        UsageError says what NAME could be."""
        from samlite.graph.trigger_names import Firing, TriggerNames

        found = TriggerNames.of(self.graph).find(name)
        if found.firing is Firing.SCHEDULE and self.scheduler is not None:
            return Fired(self.scheduler.fire_now(found.full_id))
        if found.firing in (Firing.RULE, Firing.TOPIC, Firing.SUBSCRIPTION) \
                and self.aws is not None:
            fired = self.aws.messaging.fire(found.full_id)
            if fired is not None:
                return fired
        trigger = found.trigger
        if found.firing is Firing.S3 and trigger is not None and self.aws is not None:
            return Fired(self.aws.fire_s3_trigger(trigger))
        if found.firing is Firing.DYNAMODB and trigger is not None and self.aws is not None:
            return Fired(self.aws.tables.fire(trigger))
        if found.firing is Firing.SQS and trigger is not None and self.aws is not None:
            return Fired.sent(self.aws.fire_sqs_trigger(trigger))
        if found.firing is Firing.NONE:
            raise UsageError(f"{name} is a {found.event_type} trigger, which samlite "
                             "trigger cannot fire; invoke the function instead")
        raise UsageError(f"{name} ({found.full_id}) is not running in this app")

    def _with_process_limits(self, graph: Graph, specs: tuple[FunctionSpec, ...],
                             ) -> tuple[Graph, tuple[FunctionSpec, ...]]:
        """The graph with the functions the process runtime cannot run (Java, images...) under
        not_run_locally when functions run as processes, and with the esbuild functions Docker
        runs unbundled when they run in Docker: said at startup, not at the first invoke."""
        from samlite.build.esbuild import not_bundled_in_docker
        from samlite.runtime.process_support import not_run_in_processes

        missing = (*not_run_in_processes(graph, specs, self.runtime_kind),
                   *not_bundled_in_docker(graph, self.runtime_kind))
        if missing:
            graph = dataclasses.replace(graph,
                                        not_run_locally=(*graph.not_run_locally, *missing))
        return graph, specs

    def _with_layer_arns(self, graph: Graph, options: AppOptions,
                         ) -> tuple[Graph, tuple[FunctionSpec, ...]]:
        """The graph with its unresolvable layer ARNs under not_run_locally, and specs whose
        layers include each ARN's local folder (build/layer_arns.py says what an ARN is)."""
        from samlite.app.layer_arns import has_layer_arns

        if not has_layer_arns(graph):
            self.layer_rows = ()
            return graph, function_specs_for(graph, self.template, options,
                                             credential_seed=self._credential_seed)
        from samlite.app.layer_arns import LayerArnResolver
        from samlite.runtime.environments.python import python_for
        from samlite.state import DEFAULT_STATE_DIR_NAME

        project = self.template.resolve().parent
        resolver = LayerArnResolver(
            project_dir=project, state_dir=options.state_dir or project / DEFAULT_STATE_DIR_NAME,
            mappings=options.layers, runtime_kind=self.runtime_kind,
            python_for=lambda version: python_for(f"python{version}"),
            progress=self._progress)
        local = resolver.resolve(graph)
        self.layer_rows = local.rows
        graph = dataclasses.replace(
            graph, not_run_locally=graph.not_run_locally + local.not_run_locally)
        return graph, function_specs_for(graph, self.template, options,
                                         layer_arn_dirs=local.dirs,
                                         credential_seed=self._credential_seed)

    # --- hot reload ------------------------------------------------------------------------
    def on_graph_change(self, callback: Callable[[Graph], None]) -> None:
        """Call `callback(graph)` after each template reload that applied (the gateway's
        routes follow the template this way)."""
        self._graph_listeners.append(callback)

    def reload(self, changed: frozenset[Path]) -> str | None:
        """Apply saved changes: recycle the functions whose code or layers changed, reload
        the template when it (or samconfig.toml, --env-vars) changed. Returns the one log
        line saying what changed, or None when nothing here depends on `changed`. A template
        with errors keeps the last good app serving; the line then carries the problems as
        `samlite validate` prints them. Each line is kept in `reloads` and told to the
        `on_reloaded` listeners."""
        line = self._reload(changed)
        if line is not None:
            entry = Reloaded(at_s=self._clock.now(), line=line)
            self.reloads.append(entry)
            for listener in tuple(self._reload_listeners):
                try:
                    listener(entry)
                except Exception:
                    log.exception("a reload listener failed")
        return line

    def on_reloaded(self, listener: Callable[[Reloaded], None]) -> None:
        """Call `listener` after each reload that changed something (the dashboard's)."""
        self._reload_listeners.append(listener)

    def _reload(self, changed: frozenset[Path]) -> str | None:
        with self._reload_lock:
            plan = plan_changes(changed, template=self.template, specs=self.functions,
                                extra_files=(*self.reload_files, *self.included_files),
                                requirements=self.dependencies.files)
            same_code = self._same_code(plan.recycle)
            if same_code:
                plan = plan_changes(changed, template=self.template, specs=self.functions,
                                    extra_files=(*self.reload_files, *self.included_files),
                                    requirements=self.dependencies.files, same_code=same_code)
            if plan.is_empty:
                return None
            before = self._published_versions()
            if not plan.reload_template:
                failed = self._reinstall() if plan.reinstall else ""
                self._rebuild_images(self.functions, plan.recycle)
                self.service.recycle(plan.recycle)
                self._prewarm()
                return plan.why + failed + self._publish_lines(before)
            line = self._reload_template(plan.recycle, plan.line)
            self._prewarm()
            return line + self._publish_lines(before)

    def _same_code(self, recycle: Sequence[str]) -> tuple[str, ...]:
        """Of the functions a save would recycle, those that publish versions and whose
        code is byte for byte what their newest version published (a deploy of the same
        CodeSha256 publishes nothing)."""
        if self._fingerprints is None:
            return ()
        return tuple(spec.logical_id for spec in self.functions
                     if spec.logical_id in recycle and spec.publishes_versions
                     and not self._fingerprints.changed(spec))

    def _published_versions(self) -> dict[str, int]:
        return {spec.logical_id: self.service.newest_version(spec.logical_id)
                for spec in self.functions if spec.publishes_versions}

    def _publish_lines(self, before: Mapping[str, int]) -> str:
        """A line per version a reload published: "Fn: published version 4; alias live ->
        4" (the aliases that follow the newest version)."""
        lines = []
        for spec in self.functions:
            newest = self.service.newest_version(spec.logical_id) \
                if spec.publishes_versions else 0
            if newest and newest != before.get(spec.logical_id):
                moved = [f"; alias {alias.name} -> {newest}" for alias in spec.aliases
                         if alias.on_published_version]
                lines.append(f"\n{spec.logical_id}: published version {newest}"
                             + "".join(moved))
        return "".join(lines)

    def _reinstall(self) -> str:
        """Install requirements that changed, then give their functions fresh environments
        (only those whose installed folders changed). Returns what failed, or ""."""
        from samlite.app.dependencies import merged

        try:
            report = self._install_dependencies(self.graph)
        except DependencyInstallError as exc:
            return f"; {exc}\nthe functions keep their previous requirements until it installs"
        self.dependencies = merged(self.dependencies, report)
        self.functions = apply_dependencies(self.functions, self.graph, report)
        self.service.update_functions(self.functions)
        return ""

    def _reload_template(self, recycle: Sequence[str], line: Callable[[str], str]) -> str:
        from samlite.validation.report import ReportFormat, render

        try:
            options = self.with_endpoint_url(self.reload_options()) if self.reload_options \
                else self.options
            graph, warnings = load_graph(self.template, options)
            graph, specs = self._with_process_limits(*self._with_layer_arns(graph, options))
            report = self._install_dependencies(graph)
        except TemplateError as exc:
            self._rebuild_images(self.functions, recycle)
            self.service.recycle(recycle)   # saved code still applies
            report = render(exc.problems, ReportFormat.TEXT, files=[str(self.template)])
            return line("it has errors; the last good version keeps serving") + "\n" + \
                report.rstrip("\n")
        except SamliteError as exc:         # unreadable now, or a bad samconfig / --env-vars
            self._rebuild_images(self.functions, recycle)
            self.service.recycle(recycle)
            return line(f"{exc}; the last good version keeps serving")
        from samlite.app.dependencies import merged

        specs = apply_dependencies(specs, graph, report)
        try:
            specs = self._resolved_specs(graph, specs, options)
        except SamliteError as exc:
            self._rebuild_images(self.functions, recycle)
            self.service.recycle(recycle)
            return line(f"{exc}; the last good version keeps serving")
        self.dependencies = merged(self.dependencies, report)
        change = describe_template_change(self.functions, specs, self.graph.routes,
                                          graph.routes, self.graph, graph)
        self.options, self.graph, self.warnings, self.functions = options, graph, warnings, specs
        self._rebuild_images(specs, recycle)
        updated = set(self.service.update_functions(specs))   # recycled (new versions) there
        names = {spec.logical_id for spec in specs}
        self.service.recycle([name for name in recycle if name in names - updated])
        for callback in self._graph_listeners:
            try:
                callback(graph)
            except Exception:
                log.exception("a graph listener failed")
        self.included_files = included_files(self.template)
        if self._fingerprints is not None:   # a CodeUri may have moved: compare from here
            self._fingerprints.remember(spec for spec in specs if spec.publishes_versions)
        if self._watcher is not None:
            self._watcher.set_roots(watch_roots(self.template, specs,
                                                (*self.reload_files, *self.included_files)))
        return line(change)

    def _rebuild_images(self, specs: Sequence[FunctionSpec], names: Sequence[str]) -> None:
        """Build again the images of these Image functions (their DockerContext changed)
        before their environments are recycled; runtimes without images ignore this."""
        rebuild = getattr(self._environments, "rebuild", None)
        if rebuild is not None:
            rebuild([spec for spec in specs if spec.logical_id in names])

    def watch(self, on_reload: Callable[[str], None], *, debounce_s: float = 0.05) -> Watcher:
        """Watch the template, its extra files and every code and layer folder; each burst
        of saves is applied by reload() and its line handed to `on_reload`. stop() ends it."""
        from samlite.app.watch import Watcher

        def changed(paths: frozenset[Path]) -> None:
            line = self.reload(paths)
            if line is not None:
                on_reload(line)

        self.stop_watching()
        from samlite.app.code_fingerprint import CodeFingerprints

        with self._reload_lock:
            self._fingerprints = CodeFingerprints()
            self._fingerprints.remember(spec for spec in self.functions
                                        if spec.publishes_versions)
        self._watcher = Watcher(watch_roots(self.template, self.functions,
                                            (*self.reload_files, *self.included_files)),
                                changed, debounce_s=debounce_s)
        self._watcher.start()
        return self._watcher

    def _watch_buckets(self) -> None:
        """A file dropped into (or removed from) a bucket folder is an upload (a delete),
        reported once its writes pause for 0.1 s (a copy of a big file is one upload)."""
        folder = self.aws.buckets_dir if self.aws is not None else None
        if folder is None:
            return
        from samlite.app.watch import Watcher

        aws = self.aws
        self._bucket_watcher = Watcher([folder], aws.sync_bucket_files, debounce_s=0.1,
                                       max_delay_s=5.0)
        self._bucket_watcher.start()

    def stop_watching(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()


def function_url_ports(graph: Graph, options: AppOptions) -> dict[str, int]:
    """A port per function URL (a URL's whole host is its function): the ports after the
    HTTP and AWS ports, in logical-id order; all 0 (any free port) when the HTTP port is."""
    functions = sorted({url.function for url in graph.function_urls})
    if not options.http_port:
        return dict.fromkeys(functions, 0)
    first = max(options.http_port, options.aws_port or 0) + 1
    return {function: first + index for index, function in enumerate(functions)}


def load_balancer_ports(graph: Graph, options: AppOptions) -> dict[str, int]:
    """A port per ALB listener (and per lambda target group no listener forwards to): the
    ports after the function URLs', in logical-id order; all 0 when the HTTP port is."""
    from samlite.sources.alb.rules import listeners_to_serve

    names = sorted(listener.logical_id for listener in listeners_to_serve(graph))
    if not options.http_port:
        return dict.fromkeys(names, 0)
    first = max(options.http_port, options.aws_port or 0) + 1 + \
        len(function_url_ports(graph, options))
    return {name: first + index for index, name in enumerate(names)}


def _load_balancers(graph: Graph, service: Service, options: AppOptions,
                    log: LogSink) -> LoadBalancers:
    from samlite.sources.alb.server import LoadBalancers

    return LoadBalancers(graph, service, host=options.host,
                         ports=load_balancer_ports(graph, options), log=log)


def _gateway(graph: Graph, service: Service, options: AppOptions, log: LogSink, *,
             aws: Callable[[Request], Response] | None) -> HttpGateway:
    from samlite.sources.gateway.server import HttpGateway

    return HttpGateway(graph, service, host=options.host, port=options.http_port or 0,
                       function_url_ports=function_url_ports(graph, options),
                       account_id=options.pseudo.account_id, region=options.pseudo.region,
                       log=log, aws=aws)


def _function_sessions(graph: Graph, specs: Sequence[FunctionSpec]
                       ) -> dict[str, tuple[str, str]]:
    """Each function's access key -> its (role name, session name), for STS."""
    sessions = {}
    for spec in specs:
        policy = graph.access.function(spec.logical_id)
        if spec.credentials is not None and policy is not None:
            sessions[spec.credentials.access_key_id] = (policy.caller.role_name,
                                                        policy.caller.session_name)
    return sessions


def _access_guard(options: AppOptions, log: LogSink) -> AccessGuard | None:
    """The endpoint's IAM check in the mode asked for (None: --iam off)."""
    from samlite.aws.access.guard import AccessGuard, IamMode
    from samlite.iam.sam_templates import Pseudo

    try:
        mode = IamMode(options.iam)
    except ValueError:
        modes = ", ".join(m.value for m in IamMode)
        raise UsageError(f"iam must be one of {modes} (got {options.iam!r})") from None
    if mode is IamMode.OFF:
        return None
    pseudo = options.pseudo
    return AccessGuard(mode=mode, note=log, pseudo=Pseudo(
        partition=pseudo.partition, region=pseudo.region, account_id=pseudo.account_id))


def load_graph(template: Path, options: AppOptions) -> tuple[Graph, tuple[Problem, ...]]:
    """The template's graph, validated as `samlite validate` would with code required to
    exist. A parameter without a value raises MissingParameters (before any other error,
    which it may cause); other errors raise TemplateError; warnings are returned."""
    from samlite.app.code_check import parser_for_function_pythons
    from samlite.app.parameters import missing_parameters
    from samlite.graph.build import build_graph
    from samlite.validation.pipeline import validate_file

    result = validate_file(template, parameter_overrides=options.parameter_overrides,
                           pseudo=options.pseudo, code_must_exist=True,
                           parse_module=parser_for_function_pythons())
    missing = missing_parameters(result.problems, config_env=options.config_env)
    if missing is not None:
        raise missing
    problems = tuple(local_severity(p) for p in result.problems)
    if any(p.is_error for p in problems) or result.resolved is None:
        raise TemplateError([p for p in problems if p.is_error])
    return build_graph(result.resolved), problems


# A runtime AWS no longer lets anyone create functions with fails a deploy (an error for
# `samlite validate`), but the function still runs here: locally it is a warning.
_DEPLOY_ONLY_ERRORS = {"E6002"}


def local_severity(problem: Problem) -> Problem:
    if problem.code in _DEPLOY_ONLY_ERRORS:
        return dataclasses.replace(problem, code="W" + problem.code[1:],
                                   message=problem.message + "; samlite runs it locally anyway")
    return problem


def debug_runtime(options: AppOptions) -> RuntimeChoice | None:
    """`--debug` without `--runtime docker` runs functions as local processes (auto becomes
    process: a debugger then attaches with no path mappings, docs/debugging.md); with it,
    containers expose the same debuggers. None without --debug, or with --runtime docker."""
    if not options.debug_functions or options.runtime == "docker":
        return None
    return RuntimeChoice(kind="process", reason="--debug: debugged functions run as local "
                                                "processes")


CREDENTIAL_SEED_FILE = "credential-seed"
_SEED_BYTES = 32


def credential_seed(path: Path) -> bytes:
    """The project's seed for function credentials: read from `path`, else made and kept
    there (readable by its owner only); a random one when the folder cannot be written."""
    try:
        seed = path.read_bytes()
        if len(seed) == _SEED_BYTES:
            return seed
    except OSError:
        pass
    seed = secrets.token_bytes(_SEED_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        temporary.touch(mode=0o600)
        temporary.write_bytes(seed)
        temporary.replace(path)   # whole or not at all, for a start reading it meanwhile
    except OSError:
        pass
    return seed


def function_specs_for(graph: Graph, template: Path, options: AppOptions, *,
                       layer_arn_dirs: Mapping[tuple[str, str], Path] | None = None,
                       credential_seed: bytes | None = None,
                       ) -> tuple[FunctionSpec, ...]:
    from samlite.build.code import code_dir_for
    from samlite.runtime.spec import function_specs
    from samlite.state import DEFAULT_STATE_DIR_NAME

    project = template.resolve().parent
    specs = function_specs(graph, project_dir=project, pseudo=options.pseudo,
                           env_overrides=options.env_vars, layer_arn_dirs=layer_arn_dirs,
                           credential_seed=credential_seed)
    if options.debug_functions:
        specs = with_debugging(specs, options.debug_functions, first_port=options.debug_port)
    # Inline code and .zip archives run from a folder made for them, once per content.
    code_root = (options.state_dir or project / DEFAULT_STATE_DIR_NAME) / "code"
    by_id = {fn.logical_id: fn for fn in graph.functions}
    return tuple(dataclasses.replace(spec, code_dir=folder) if (folder := code_dir_for(
        by_id[spec.logical_id], project_dir=project, root=code_root)) else spec
        for spec in specs)


def choose_function(functions: Sequence[FunctionSpec], name: str | None, *,
                    template: Path) -> FunctionSpec:
    names = ", ".join(sorted(spec.logical_id for spec in functions)) or "none"
    if name is None:
        if len(functions) == 1:
            return functions[0]
        if not functions:
            raise UsageError(f"{template} has no functions to invoke")
        raise UsageError(f"{template} has {len(functions)} functions; name the one to invoke "
                         f"({names})")
    for spec in functions:
        if spec.logical_id == name:
            return spec
    for spec in functions:
        if spec.function_name == name:
            return spec
    raise UsageError(f"{template} has no function {name!r} (functions: {names})")


def invoke_function(template: Path, name: str | None, payload: bytes, options: AppOptions,
                    *, log: LogSink, progress: Progress = NO_PROGRESS,
                    qualifier: str | None = None,
                    notice: Callable[[str], None] = lambda line: None,
                    notices: Sequence[str] = (), tenant_id: str | None = None,
                    runtime_line: Callable[[str], None] = lambda line: None,
                    versions_from: str | None = None) -> Result:
    """`samlite invoke`: build the app, check the name, run one invocation, stop.
    `versions_from` is the endpoint of this project's running `up`: a version number or
    alias then means the version that `up` has published (app/up_versions.py), not this
    one-shot app's version 1.
    `runtime_line` is told where functions run and why (runtime_notice) once that is settled;
    `notice` is told `notices` once the app is built, the startup notices (requirements left
    out, .aws-sam) and what of the invoked function does not run here (a layer ARN nothing
    stands for)."""
    app = App(template, options, log=log, progress=progress)
    from samlite.runtime.debugging import debug_notices

    try:
        spec = app.function(name)   # before starting anything, or saying how it would run
    except SamliteError:
        app.close()
        raise
    runtime_line(runtime_notice(app.runtime_choice))
    for line in (*notices, *app.dependency_notices(), *debug_notices(app.functions)):
        notice(line)
    for line in app.process_mismatch_notices(spec.logical_id):
        notice(line)
    for item in app.graph.not_run_locally:
        if item.subject in {f"{spec.logical_id}.{key}" for key in ("Layers", "CodeUri", "Code")}:
            notice(f"warning: {item.at.file}:{item.at.line}: {item.subject}: {item.reason}")
    newest = None
    if versions_from and qualifier and qualifier != LATEST and spec.publishes_versions:
        from samlite.app.up_versions import newest_published

        try:
            newest = newest_published(versions_from, spec.logical_id)
        except SamliteError:
            app.close()
            raise
    with app:
        return app.invoke(spec.logical_id, payload, qualifier=qualifier, tenant_id=tenant_id,
                          newest=newest)


def read_event(source: str | None, *, stdin: BinaryIO) -> bytes:
    """The event for `samlite invoke -e`: a file, `-` for stdin, or `{}` when not given (SAM
    CLI reads stdin only for `-`). It must be JSON, as Lambda requires."""
    if source is None:
        return b"{}"
    if source == "-":
        payload, name = stdin.read(), "the event on stdin"
    else:
        try:
            payload, name = Path(source).read_bytes(), source
        except FileNotFoundError as exc:
            raise UnreadableFile(f"{source}: no such event file") from exc
        except OSError as exc:
            raise UnreadableFile(f"{source}: cannot be read ({exc.strerror or exc})") from exc
    try:
        json.loads(payload or b"{}")
    except json.JSONDecodeError as exc:
        raise UsageError(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name}: not valid JSON: not UTF-8 text") from exc
    return payload or b"{}"


def _aws_services(graph: Graph, service: Service, options: AppOptions,
                  log: LogSink) -> AwsServices:
    from samlite.app.aws import AwsServices
    from samlite.state import StateDir

    state = StateDir(root=options.state_dir) if options.state_dir is not None else None
    if state is not None and options.reset_state:
        state.reset()
    return AwsServices(graph, service=service, state=state,
                       account_id=options.pseudo.account_id, region=options.pseudo.region,
                       note=log, backoff_scale=options.retry_delay_scale)


def _stop_endpoints(endpoints: list[Any]) -> None:
    if endpoints:   # a one-shot invoke has none, and need not import the HTTP server
        from samlite.http.server import stop_endpoints

        stop_endpoints(endpoints)


def _invocation_records(options: AppOptions) -> InvocationRecords:
    from samlite.state import StateDir

    path = None
    if options.keep_invocations and options.state_dir is not None:
        path = StateDir(root=options.state_dir).create().invocations_file
        if options.reset_state:   # before they are read: --reset forgets them too
            path.unlink(missing_ok=True)
    return InvocationRecords(capacity=options.invocation_capacity, persist_to=path)


def _lambda_service(functions: Sequence[FunctionSpec], **kwargs: object) -> Service:
    from samlite.runtime.service import LambdaService

    return LambdaService(functions, **kwargs)  # type: ignore[arg-type]
