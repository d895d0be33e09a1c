"""The local Lambda service: a pool of execution environments per function, concurrency and
throttling, timeouts, memory, crashes, and the START/END/REPORT log lines.

Sources call `invoke` / `invoke_async`; environments reach the service only through their
Runtime API (runtime_api/), and the service reaches them only through the Environment
protocol. Semantics follow the Lambda developer guide: "Lambda execution environment
lifecycle", "Understanding Lambda function scaling" (reserved concurrency, throttling) and
"Monitoring" (the REPORT line).
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import logging
import queue
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from samlite.clock import Clock, SystemClock, real_seconds
from samlite.errors import EnvironmentStartError
from samlite.progress import NO_PROGRESS, Progress
from samlite.runtime import api_errors, ids
from samlite.runtime.environments.base import (
    DEBUGGER_ATTACHED_MARKER,
    END_MARKER,
    Environment,
    EnvironmentFactory,
    EnvironmentSettings,
    Exit,
)
from samlite.runtime.environments.private_dirs import cache_root, run_dir
from samlite.runtime.invocation import (
    OUT_OF_MEMORY_ERROR_TYPE,
    RESPONSE_TOO_LARGE_ERROR_TYPE,
    RUNTIME_EXIT_ERROR_TYPE,
    TIMEOUT_ERROR_TYPE,
    Invocation,
    InvocationType,
    Report,
    Result,
    error_document,
    request_error,
    response_too_large,
    runtime_exited,
    timed_out,
    timeout_log_line,
)
from samlite.runtime.latch import Latch
from samlite.runtime.qualifiers import Target, qualifier_of, resolve
from samlite.runtime.records import (
    PAYLOAD_LIMIT_BYTES,
    InvocationRecord,
    InvocationRecords,
    payload_of,
)
from samlite.runtime.response_stream import (
    STREAM_PAYLOAD_LIMIT,
    StreamedResponse,
    StreamListener,
    StreamOutcome,
)
from samlite.runtime.runtime_api import (
    DirectPoller,
    NextInvocation,
    NoWork,
    PostOutcome,
    RuntimeApiHub,
    RuntimeApis,
)
from samlite.runtime.spec import FunctionSpec, log_stream_name
from samlite.runtime.triggers import describe
from samlite.runtime.usage import EnvironmentState, FunctionUsage
from samlite.thread_affinity import pin_this_thread

if TYPE_CHECKING:
    from samlite.runtime.async_invoke import AsyncInvocations

log = logging.getLogger(__name__)

# Payload limits (Lambda quotas): 6 MB each way for synchronous invokes; 1 MB for
# asynchronous ones (raised from 256 KB in October 2025).
SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 1024 * 1024
DEFAULT_ACCOUNT_CONCURRENCY = 1000
INIT_TIMEOUT_S = 10.0            # on-demand init phase limit
TAIL_BYTES = 4096                # LogType Tail returns the last 4 KB
MEMORY_SAMPLE_S = 0.02           # how often busy environments' memory is checked
_OUTPUT_SETTLE_S = 1.0           # longest wait for a runtime's end-of-output marker
_WAIT_SLICE_S = 0.05             # deadlines are re-read from the clock this often (real s)

LogSink = Callable[[str, str], None]   # (function logical id, line)


@dataclass(eq=False, slots=True)
class _Call:
    """One invocation on its way through an environment."""

    invocation: Invocation
    spec: FunctionSpec
    clock: Clock
    done: Latch
    output_complete: Latch
    lock: threading.Lock
    # Handed to the runtime (START written, its deadline running); a flag nobody waits on,
    # so not an Event, whose making and setting cost more than the rest of a call's record.
    dispatched: bool = False
    dispatched_at: float = 0.0
    started_at_s: float = 0.0          # wall clock, for its record
    finished_at: float = 0.0
    payload: bytes = b""
    function_error: str | None = None
    status: str | None = None          # REPORT's Status: timeout / error
    error_type: str | None = None
    lines: list[str] | None = None
    # Queued for a warm environment that ended before taking it: it runs in another one.
    never_picked_up: bool = False
    # The runtime said its output pipe held nothing unread when it posted (samlite's loop).
    output_drained: bool = False
    listener: StreamListener | None = None   # a caller that takes a streamed response as it comes

    def finish(self, payload: bytes, *, function_error: str | None = None,
               status: str | None = None, error_type: str | None = None) -> bool:
        """Record the outcome once; later outcomes (a kill after a timeout, a response
        racing the timeout) are ignored. True for the one outcome that counted."""
        with self.lock:
            if self.done.is_set():
                return False
            self.payload, self.function_error = payload, function_error
            self.status, self.error_type = status, error_type
            self.finished_at = self.clock.monotonic()
            self.done.set()
        self.dispatched = True   # an environment that died during init never dispatched it
        return True

    def fail(self, error_type: str, message: str, *, status: str = "error") -> bool:
        return self.finish(error_document(error_type, message), function_error="Unhandled",
                           status=status, error_type=error_type)


def _new_call(invocation: Invocation, spec: FunctionSpec, clock: Clock,
              listener: StreamListener | None = None) -> _Call:
    return _Call(invocation=invocation, spec=spec, clock=clock, done=Latch(),
                 output_complete=Latch(), lock=threading.Lock(), lines=[],
                 listener=listener)


class _Env:
    """The service's record of one execution environment, and its Runtime API backend.
    `busy`, `stale` and its place in the pool change only under the service's lock; `dead`
    under that lock and its own `hand_lock` together, so the hand-over of a call (its
    parked /next, its queue), which takes only the environment's lock, sees it: other
    invokers do not wait for that."""

    def __init__(self, service: LambdaService, spec: FunctionSpec, env_id: str,
                 tenant_id: str | None = None) -> None:
        self.service = service
        self.spec = spec
        self.env_id = env_id
        self.tenant_id = tenant_id        # the one tenant it serves (tenant isolation)
        self.inbox: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self.parked: DirectPoller | None = None   # its runtime's /next, for the direct hand-off
        self.current: _Call | None = None
        self.busy = False
        self.dead = False
        self.hand_lock = threading.Lock()   # `parked`, the hand-over, `init_reported`
        self.initialized = threading.Event()
        self.started_at = service.clock.monotonic()
        self.init_started_at = self.started_at   # later under --debug: once attached
        self.init_duration_ms: float | None = None
        self.init_error: tuple[bytes, str | None] | None = None
        self.peak_mb = 0                  # last memory reading, kept after the process ends
        self.stale = False                # its code changed: retire it once it is free
        self.killed_for_memory = False
        self.init_reported = False        # its init is on a REPORT line (or pre-warmed)
        self.prewarming = False           # started ahead of any invoke (prewarm), not yet taken
        self.start_done = threading.Event()   # (prewarm) its start returned or raised
        self.start_error: Exception | None = None
        self.exit: Exit | None = None
        self.last_used = service.clock.monotonic()
        self.address = service.hub.open(self)
        token = secrets.token_urlsafe(24)
        self.environment: Environment = service.environments(EnvironmentSettings(
            spec=spec, env_id=env_id, runtime_api=self.address,
            tmp_dir=service.tmp_root / env_id, endpoint_url=service.endpoint_url,
            runtime_token=token, on_output=self.on_output, on_exit=self.on_exit,
            log_stream=log_stream_name(service.clock.now(), secrets.token_hex(16))))
        if self.runs_samlite_loop:   # it can prove who it is; nothing else may poll
            service.hub.require_token(self.address, token)

    @property
    def runs_samlite_loop(self) -> bool:
        """Whether the runtime client is samlite's (python_loop.py, node_loop.cjs), which
        sends its token from RUNTIME_TOKEN_VARIABLE and marks the end of each invocation's
        output."""
        return self.spec.runs_samlite_client and \
            getattr(self.environment, "writes_end_marker", True)

    # --- the Runtime API side ---------------------------------------------------------------
    def next_invocation(self, *, wait_s: float,
                        poller_gone: Callable[[], bool]) -> NextInvocation | NoWork:
        self._note_initialized()
        try:
            call = self.inbox.get(timeout=wait_s)
        except queue.Empty:
            return NoWork.NOT_YET
        if call is None:
            return NoWork.SHUTDOWN
        if poller_gone():   # it would be written to a closed connection: keep it
            self.inbox.put(call)   # (an environment holds one call at a time)
            return NoWork.NOT_YET
        return self.dispatch(call)

    def park(self, poller: DirectPoller) -> bool:
        """Keep the runtime's /next for the next invoker (the direct hand-off), unless work
        is queued already, it is ending, or it is debugged (its waits have no deadline)."""
        self._note_initialized()
        if self.spec.debug_port is not None:
            return False
        with self.hand_lock:
            if self.dead or not self.inbox.empty():
                return False
            old, self.parked = self.parked, poller
        if old is not None and old is not poller:   # a poller that hung up before
            old.close()
        return True

    def unpark(self, poller: DirectPoller) -> bool:
        with self.hand_lock:
            if self.parked is not poller:
                return False
            self.parked = None
            return True

    def hang_up(self) -> None:
        """Close a parked /next: the environment is ending (a waiting /next would get
        NoWork.SHUTDOWN)."""
        with self.hand_lock:
            poller, self.parked = self.parked, None
        if poller is not None:
            poller.close()

    def _note_initialized(self) -> None:
        """At the runtime's first /next: its init is over."""
        if self.initialized.is_set():
            return
        if self.spec.debug_port is not None:   # its DEBUGGER_ATTACHED_MARKER read first
            self.environment.settle_output()
        now = self.service.clock.monotonic()
        self.init_duration_ms = (now - self.init_started_at) * 1000
        self.environment.settle_output()   # init output is logged before START
        end_init = getattr(self.environment, "end_init", None)
        if end_init is not None:   # a container's init-phase CPU burst ends here
            end_init()
        self.initialized.set()

    def dispatch(self, call: _Call) -> NextInvocation:
        """The call goes to the runtime now: START, and its deadline starts."""
        self.current = call
        call.dispatched_at = self.service.clock.monotonic()
        deadline_ms = int((self.service.clock.now() + call.spec.timeout_s) * 1000)
        call.dispatched = True
        self._log(call, f"START RequestId: {call.invocation.request_id} "
                        f"Version: {call.spec.version}")
        return NextInvocation(call.invocation, deadline_ms)

    def post_response(self, request_id: str, body: bytes) -> PostOutcome:
        call = self._call_for(request_id)
        if call is None:
            return PostOutcome.UNKNOWN_REQUEST
        if len(body) > SYNC_PAYLOAD_LIMIT:
            call.fail(RESPONSE_TOO_LARGE_ERROR_TYPE,
                      response_too_large(len(body), SYNC_PAYLOAD_LIMIT))
            return PostOutcome.TOO_LARGE
        call.finish(body)
        return PostOutcome.ACCEPTED

    def post_error(self, request_id: str, body: bytes, error_type: str | None) -> PostOutcome:
        call = self._call_for(request_id)
        if call is None:
            return PostOutcome.UNKNOWN_REQUEST
        # A handler's own error: REPORT carries no Status (Lambda adds one only for timeouts
        # and sandbox failures such as Runtime.OutOfMemory).
        call.finish(body, function_error="Unhandled", error_type=error_type)
        return PostOutcome.ACCEPTED

    def post_init_error(self, body: bytes, error_type: str | None) -> None:
        self.init_error = (body, error_type)

    def note_output_drained(self, request_id: str) -> None:
        """The runtime's output pipe held nothing unread as it posted this invocation's
        outcome (samlite's loop): its output is in, or being forwarded, with no read of the
        pipe needed. (Said of another request id, it says nothing of the current one's.)"""
        call = self._call_for(request_id)
        if call is not None:
            call.output_drained = True

    def note_peak_memory_kb(self, kb: int) -> None:
        """The runtime's peak memory as it reported it with its outcome (samlite's loop)."""
        note = getattr(self.environment, "note_peak_memory_kb", None)
        if note is not None:
            note(kb)

    def open_response_stream(self, request_id: str,
                             content_type: str) -> StreamedResponse | None:
        """A streamed response: a streaming caller gets each chunk as it comes (up to
        Lambda's streaming limit), a buffered one the whole body (up to its 6 MB)."""
        call = self._call_for(request_id)
        if call is None:
            return None
        limit = SYNC_PAYLOAD_LIMIT if call.listener is None else STREAM_PAYLOAD_LIMIT
        return StreamedResponse(content_type=content_type, listener=call.listener,
                                limit_bytes=limit, keep_bytes=PAYLOAD_LIMIT_BYTES,
                                finish=lambda outcome: _finish_streamed(call, outcome))

    def _call_for(self, request_id: str) -> _Call | None:
        call = self.current
        return call if call is not None and call.invocation.request_id == request_id else None

    # --- the environment's callbacks --------------------------------------------------------
    def on_output(self, line: str) -> None:
        call = self.current
        if line.rstrip() == DEBUGGER_ATTACHED_MARKER:
            if not self.initialized.is_set():
                self.init_started_at = self.service.clock.monotonic()
            return
        if line.startswith(END_MARKER):
            if call is not None and line[len(END_MARKER):].strip() == \
                    call.invocation.request_id:
                call.output_complete.set()
            return
        if call is not None and call.lines is not None and not call.output_complete.is_set():
            call.lines.append(line)
        self.service.log(self.spec.logical_id, line)

    def on_exit(self, exit: Exit) -> None:
        if exit.out_of_memory:   # the kernel's OOM kill, seen before the sampler saw it
            self.killed_for_memory = True
            self.peak_mb = self.spec.memory_mb
        self.exit = exit
        # Dead under the lock, then drained: a call is handed over (under the lock) either
        # before, and drained here, or after, and sees it dead.
        self.service._forget(self, dead=True)
        was_initialized = self.initialized.is_set()
        self.initialized.set()
        self.hang_up()
        self.service.hub.close(self.address)
        pending = [self.current] if self.current is not None else []
        while True:   # an invocation handed over but never picked up
            try:
                queued = self.inbox.get_nowait()
            except queue.Empty:
                break
            if queued is not None:
                queued.never_picked_up = was_initialized and self.init_error is None
                pending.append(queued)
        for call in pending:
            self.fail_after_exit(call)

    def fail_after_exit(self, call: _Call) -> None:
        """The answer for a call the runtime will never serve: its init error, else how it
        exited."""
        if self.init_error is not None:
            body, error_type = self.init_error
            call.finish(body, function_error="Unhandled", status="error",
                        error_type=error_type)
        else:
            exit = self.exit or Exit(exit_code=None, signal_name="killed")
            reason = runtime_exited(exit.signal_name, exit.exit_code)
            call.fail(RUNTIME_EXIT_ERROR_TYPE,
                      request_error(call.invocation.request_id, reason))
        call.output_complete.set()

    def kill(self) -> None:
        """End it now; it takes no more work even before its exit is reported."""
        with self.service._lock, self.hand_lock:
            self.dead = True
        self.environment.kill()

    def _log(self, call: _Call, line: str) -> None:
        if call.lines is not None:
            call.lines.append(line)
        self.service.log(self.spec.logical_id, line)


def _finish_streamed(call: _Call, outcome: StreamOutcome) -> None:
    if outcome.is_too_large:
        call.fail(RESPONSE_TOO_LARGE_ERROR_TYPE,
                  response_too_large(outcome.size_bytes, outcome.limit_bytes))
    elif outcome.error_type is not None or outcome.error_body is not None:
        error_type = outcome.error_type or "Unhandled"
        body = outcome.error_body or error_document(error_type, "")
        call.finish(body, function_error="Unhandled", error_type=error_type)
    else:
        call.finish(outcome.body)


class LambdaService:
    def __init__(self, functions: Sequence[FunctionSpec], *, environments: EnvironmentFactory,
                 clock: Clock | None = None, log: LogSink | None = None,
                 account_concurrency: int = DEFAULT_ACCOUNT_CONCURRENCY,
                 idle_timeout_s: float = 600.0, tmp_root: Path | None = None,
                 endpoint_url: str | None = None, progress: Progress = NO_PROGRESS,
                 runtime_apis: RuntimeApis | None = None,
                 records: InvocationRecords | None = None) -> None:
        """`log(function_logical_id, line)` receives every log line (START, output, END,
        REPORT) as it happens. `runtime_apis` serves the environments' Runtime APIs (tests
        pass one that hands backends to fake environments directly). `records` keeps each
        finished invocation (the dashboard's); by default a ring of its own."""
        self._specs = {spec.logical_id: spec for spec in functions}
        self.records = records if records is not None else InvocationRecords()
        self.environments = environments
        self.clock = clock or SystemClock()
        self.log: LogSink = log or (lambda _fn, _line: None)
        self.account_concurrency = account_concurrency
        self.idle_timeout_s = idle_timeout_s
        self.endpoint_url = endpoint_url
        self.progress = progress
        self._own_tmp = tmp_root is None
        self.tmp_root = tmp_root or run_dir(cache_root() / "environments")
        self.hub: RuntimeApis = runtime_apis or RuntimeApiHub()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)   # notified when an invocation ends
        self._stoppers: set[threading.Thread] = set()   # environments being retired
        self._envs: dict[str, list[_Env]] = {name: [] for name in self._specs}
        # Each function's newest published version (AutoPublishAlias, AWS::Lambda::Version):
        # 1 at start, one more on each reload of its code, as each deploy publishes one.
        self._newest: dict[str, int] = {spec.logical_id: 1 for spec in functions
                                        if spec.publishes_versions}
        self._ids = itertools.count(1)
        self._throttles: dict[str, int] = {}   # per function, for the dashboard
        self._peak: dict[str, int] = {}        # the most invocations it ran at once
        self._stopping = threading.Event()
        self._async_events: AsyncInvocations | None = None
        self._started = False
        self._async_running = False   # the asynchronous queue's start (start_async_events)
        self._workers: list[threading.Thread] = []

    @property
    def functions(self) -> Sequence[FunctionSpec]:
        return tuple(self._specs.values())

    # --- lifecycle ------------------------------------------------------------------------
    def start(self, *, async_events: bool = True) -> None:
        """Pre-warm ProvisionedConcurrencyConfig environments; start the background
        threads (memory sampling, idle reaping, and asynchronous invocations unless
        `async_events` is False: then start_async_events() starts them)."""
        self._started = True
        if async_events:
            self.start_async_events()
        prepare = getattr(self.environments, "prepare", None)
        if prepare is not None:   # e.g. find interpreters now, not inside a cold start
            prepare(self.functions, progress=self.progress)
        for target, name in ((self._sample_memory, "memory"), (self._reap_loop, "reaper")):
            thread = threading.Thread(target=target, name=f"lambda-{name}", daemon=True)
            thread.start()
            self._workers.append(thread)
        # A function that cannot run here (its code is in S3) is named at start-up, not started.
        runnable = [spec for spec in self._specs.values() if spec.not_runnable is None]
        count = sum(spec.provisioned_concurrency for spec in runnable)
        label = f"Starting {count} provisioned environments"
        with self.progress.task(label) if count > 1 else contextlib.nullcontext():
            # Provisioned concurrency is the alias's (SAM puts it there): its version warms.
            warming = [self._new_env(self._target(spec, spec.provisioned_qualifier).spec)
                       for spec in runnable for _ in range(spec.provisioned_concurrency)]
            for env in warming:
                env.initialized.wait(INIT_TIMEOUT_S)
                env.init_reported = True   # provisioned: REPORT shows no Init Duration
                self._release(env, env.spec)

    def drain(self, timeout_s: float) -> int:
        """Start no more queued asynchronous events (they stay stored for the next start) and
        wait up to `timeout_s` (real time) for the invocations running now to end, so a stop
        does not cut them short. Returns how many still run then."""
        if self._async_events is not None:
            self._async_events.pause()
        deadline = time.monotonic() + timeout_s
        with self._idle:
            while (running := self._running_locked()) and (left := deadline - time.monotonic()) > 0:
                self._idle.wait(left)
        return running

    def _running_locked(self) -> int:
        return sum(1 for pool in self._envs.values() for env in pool if env.busy and not env.dead)

    def stop(self, *, grace_s: float = 2.0) -> None:
        """Stop every environment and thread, those being retired too; nothing is left
        running. Bounded: each environment gets `grace_s` to end before it is killed."""
        self._stopping.set()
        if self._async_events is not None:
            self._async_events.stop()   # queued events stay stored for the next start
        with self._lock:
            envs = [env for pool in self._envs.values() for env in pool]
            for pool in self._envs.values():
                pool.clear()
        for env in envs:
            self._stop_later(env, grace_s=grace_s)
        deadline = time.monotonic() + grace_s * 2 + 1   # real time: processes take it
        with self._lock:
            stoppers = list(self._stoppers)
        for thread in (*stoppers, *self._workers):
            thread.join(max(0.0, deadline - time.monotonic()))
        self.hub.stop()
        if self._own_tmp:
            shutil.rmtree(self.tmp_root, ignore_errors=True)

    # --- lookups --------------------------------------------------------------------------
    def function_for(self, name: str) -> FunctionSpec:
        """The function a name, partial ARN or full ARN means (any `:qualifier` ignored).
        Raises ResourceNotFound."""
        base, qualifier = _split_qualifier(name, None)
        for spec in self._specs.values():
            if base in (spec.function_name, spec.logical_id, spec.arn,
                        f"{spec.account_id}:function:{spec.function_name}"):
                return spec
        arn = base if base.startswith("arn:") else \
            f"arn:aws:lambda:{self._region()}:{self._account()}:function:{base}"
        raise api_errors.function_not_found(arn + (f":{qualifier}" if qualifier else ""))

    def target(self, name: str, qualifier: str | None = None) -> Target:
        """What a direct call (the Invoke API, `samlite invoke`) names: without a qualifier
        (in `qualifier` or at the end of `name`), $LATEST. Raises ResourceNotFound."""
        _, in_name = _split_qualifier(name, None)
        return self._target(self.function_for(name), qualifier or in_name)

    def newest_version(self, function: str) -> int:
        """A function's newest published version (0: it publishes none). Read without the
        lock: one dict read is atomic, and every invoke asks (a contended lock is a thread
        switch)."""
        return self._newest.get(function, 0)

    def _target(self, spec: FunctionSpec, qualifier: str | None) -> Target:
        return resolve(spec, qualifier, newest=self.newest_version(spec.logical_id))

    def _event_target(self, function: str) -> Target:
        """What an event source names: its own qualifier, else the function's event target
        (the alias SAM wires its events to)."""
        spec = self.function_for(function)
        _, qualifier = _split_qualifier(function, None)
        return self._target(spec, qualifier or spec.event_qualifier)

    def _region(self) -> str:
        return next(iter(self._specs.values())).region if self._specs else "us-east-1"

    def _account(self) -> str:
        return next(iter(self._specs.values())).account_id if self._specs else "123456789012"

    # --- invoking ---------------------------------------------------------------------------
    def invoke(self, function: str, payload: bytes, *, tail_logs: bool = False,
               client_context: str | None = None, request_id: str | None = None,
               tenant_id: str | None = None, trigger: str | None = None,
               listener: StreamListener | None = None) -> Result:
        """Run one synchronous invocation for an event source and wait for its result:
        `function` names the function (with `:qualifier` when the source names one; without,
        the function's event target). Function errors come back as a Result with
        function_error set; failures of the call itself raise LambdaApiError
        (TooManyRequests, RequestTooLarge, ResourceNotFound, InvalidParameterValue for a
        TenantId the function's tenancy does not fit). A `listener` gets a streamed response
        as it comes; the Result then carries its first PAYLOAD_LIMIT_BYTES only."""
        return self.invoke_target(self._event_target(function), payload, tail_logs=tail_logs,
                                  client_context=client_context, request_id=request_id,
                                  tenant_id=tenant_id, trigger=trigger, listener=listener)

    def invoke_target(self, target: Target, payload: bytes, *, tail_logs: bool = False,
                      client_context: str | None = None, request_id: str | None = None,
                      tenant_id: str | None = None, trigger: str | None = None,
                      listener: StreamListener | None = None) -> Result:
        """Run one synchronous invocation of a function at the version `target` names;
        `trigger` says who invoked, for its record (None: the event's shape tells)."""
        _check_tenant(target.spec, tenant_id)
        if len(payload) > SYNC_PAYLOAD_LIMIT:
            raise api_errors.request_too_large(len(payload), SYNC_PAYLOAD_LIMIT)
        new_id, trace_id = _ids(self.clock)
        invocation = Invocation(
            request_id=request_id or new_id, function=target.spec.logical_id,
            payload=payload, invoked_function_arn=target.invoked_arn, trace_id=trace_id,
            client_context=_decoded_client_context(client_context), tail_logs=tail_logs,
            tenant_id=tenant_id, trigger=trigger)
        return self._run(target.spec, invocation, listener)

    def invoke_async(self, function: str, payload: bytes, *,
                     tenant_id: str | None = None, trigger: str | None = None) -> str:
        """Queue an asynchronous (Event) invocation for an event source (`function` as for
        invoke); returns its request id at once."""
        return self.invoke_target_async(self._event_target(function), payload,
                                        tenant_id=tenant_id, trigger=trigger)

    def invoke_target_async(self, target: Target, payload: bytes, *,
                            tenant_id: str | None = None, trigger: str | None = None) -> str:
        """Queue an asynchronous (Event) invocation; returns its request id at once. What
        happens next (retries, event age, dead-letter queue, destinations) is
        async_invoke.AsyncInvocations' business; an alias is followed when it runs.
        `trigger` says who invoked, for the record of every attempt (None: the event's
        shape tells)."""
        _check_tenant(target.spec, tenant_id)
        if len(payload) > ASYNC_PAYLOAD_LIMIT:
            raise api_errors.request_too_large(len(payload), ASYNC_PAYLOAD_LIMIT)
        request_id, trace_id = _ids(self.clock)
        invocation = Invocation(
            request_id=request_id, function=target.spec.logical_id, payload=payload,
            invoked_function_arn=target.invoked_arn, trace_id=trace_id,
            invocation_type=InvocationType.EVENT, tenant_id=tenant_id, trigger=trigger)
        self.async_events().submit(invocation)
        return invocation.request_id

    def use_async_events(self, events: AsyncInvocations) -> None:
        """Set the asynchronous queue (the app's is durable and knows destinations); without
        one, a memory-only queue with Lambda's default retries is made on first use."""
        with self._lock:
            self._async_events = events
            running = self._async_running
        if running:
            events.start()

    def start_async_events(self) -> None:
        """Start running queued asynchronous invocations (once; a queue set later starts
        when it is set). `up` holds them until the app serves: its functions start earlier."""
        with self._lock:
            if self._async_running:
                return
            self._async_running = True
            events = self._async_events
        if events is not None:
            events.start()

    def async_events(self) -> AsyncInvocations:
        with self._lock:
            if self._async_events is None:
                # Imported here: a one-shot invoke never queues an event.
                from samlite.runtime.async_invoke import AsyncInvocations, AsyncPolicy

                self._async_events = AsyncInvocations(
                    run=self.run_invocation, policy_for=lambda _function: AsyncPolicy(),
                    deliver=lambda *_args: None, clock=self.clock, note=self.log)
                if self._async_running:
                    self._async_events.start()
            return self._async_events

    def run_invocation(self, invocation: Invocation) -> Result:
        """Run a prepared invocation synchronously (asynchronous events, retried with the
        same request id). Raises TooManyRequests when throttled, ResourceNotFound when the
        function is gone."""
        spec = self._specs.get(invocation.function)
        if spec is None:
            raise api_errors.function_not_found(invocation.invoked_function_arn)
        target = self._target(spec, qualifier_of(invocation.invoked_function_arn))
        return self._run(target.spec, invocation)

    def _run(self, spec: FunctionSpec, invocation: Invocation,
             listener: StreamListener | None = None) -> Result:
        env, call, cold = self._attempt(spec, invocation, listener)
        if call.never_picked_up:   # e.g. a Node runtime exits after posting an uncaught error
            env, call, cold = self._attempt(spec, invocation, listener)
        # samlite's runtime loops write an invocation's output before posting its answer, so
        # a process's pipe holds the rest of it now: forwarded on this thread, with no wait
        # for the pump to be scheduled. Elsewhere the end-of-output line says when it is
        # all in; an image's runtime client writes none (settle_output's bounded wait).
        output_now = getattr(env.environment, "output_now", None)
        if spec.runs_samlite_client and output_now is not None:
            if not call.output_complete.is_set():
                output_now(drained=call.output_drained)
                call.output_complete.set()
        elif spec.runs_samlite_client and getattr(env.environment, "writes_end_marker", True):
            call.output_complete.wait(_OUTPUT_SETTLE_S)
        elif not env.dead:
            env.environment.settle_output()
        return self._complete(env, call, cold=bool(cold))

    def _attempt(self, spec: FunctionSpec, invocation: Invocation,
                 listener: StreamListener | None = None) -> tuple[_Env, _Call, bool | None]:
        """Hand the invocation to an environment and wait for its outcome."""
        call = _new_call(invocation, spec, self.clock, listener)
        call.started_at_s = self.clock.now()
        env = self._acquire(spec, invocation.tenant_id)
        cold, poller = self._hand_over(env, call)
        if cold is None and env.init_reported:   # a warm one died: Lambda takes another
            env = self._acquire(spec, invocation.tenant_id)
            cold, poller = self._hand_over(env, call)
        if cold is None:   # it died before it could take the call: how it died answers
            env.fail_after_exit(call)
        if poller is not None:
            self._serve_directly(env, call, poller)
        self._await(env, call)
        return env, call, cold

    def _hand_over(self, env: _Env, call: _Call) -> tuple[bool | None, DirectPoller | None]:
        """Give the call to the environment unless it has died (on_exit marks it dead under
        its hand_lock before draining its queue): its parked /next when it has one, else its
        queue. Whether this invoke is its cold start (None when it is dead), and the parked
        /next this thread now serves itself."""
        with env.hand_lock:
            if env.dead:
                return None, None
            poller, env.parked = env.parked, None
            if poller is None:
                env.inbox.put(call)
            cold, env.init_reported = not env.init_reported, True
        # A streaming caller's chunks are written by the Runtime API's thread, as the caller
        # reads them; a poller that hung up is answered by its thread. (The hang-up check is
        # a system call: made outside the lock.)
        if poller is not None and (call.listener is not None or poller.is_gone()):
            with env.hand_lock:
                dead = env.dead
                if dead:   # as it was: this call never reached it
                    env.init_reported = not cold
                else:
                    env.inbox.put(call)
            poller.resume_polling()
            if dead:
                return None, None
            poller = None
        return cold, poller

    def _serve_directly(self, env: _Env, call: _Call, poller: DirectPoller) -> None:
        """The direct hand-off: this thread writes the event to the runtime's parked /next
        and reads the runtime's answer on that connection, so no Runtime API thread wakes.
        The deadline is the read's; past it, or when the connection ends, _await decides
        as it does for a queued call (timeout, the runtime's exit)."""
        upcoming = env.dispatch(call)
        try:
            poller.deliver(upcoming)
        except OSError:   # the runtime has gone: its exit answers the call
            poller.close()
            return
        deadline = call.dispatched_at + call.spec.timeout_s
        while not call.done.is_set():
            left = deadline - self.clock.monotonic()
            if left <= 0:
                poller.read_on()
                return
            real_left = real_seconds(self.clock, left)
            if not poller.serve_next(wait_s=min(real_left, _WAIT_SLICE_S),
                                     deadline_s=real_left):
                return
        poller.release()

    def _await(self, env: _Env, call: _Call) -> None:
        """Wait for the outcome; past the deadline the environment is killed (Lambda's
        timeout), and the caller gets Sandbox.Timedout. A debugged function has none."""
        spec, request_id = call.spec, call.invocation.request_id
        if spec.debug_port is not None:   # a breakpoint may hold it: no timeout (debugging.py)
            call.done.wait()   # set by the result, or by the environment's end
            return
        if call.done.is_set():   # served on this thread (_serve_directly): nothing to wait
            return
        init_deadline = self.clock.monotonic() + max(INIT_TIMEOUT_S, spec.timeout_s)
        # One wait for the outcome, its deadline the init's until the call is dispatched:
        # waiting for the dispatch first woke this thread once more per invoke.
        while not call.done.is_set():
            deadline = call.dispatched_at + spec.timeout_s if call.dispatched \
                else init_deadline
            left = deadline - self.clock.monotonic()
            if left <= 0:
                break
            call.done.wait(min(real_seconds(self.clock, left), _WAIT_SLICE_S))
        else:
            return
        if call.done.is_set():   # just now
            return
        timeout_error = request_error(request_id, timed_out(spec.timeout_s))
        if not call.dispatched:
            env.kill()   # init never finished
            call.fail(TIMEOUT_ERROR_TYPE, timeout_error, status="timeout")
            return
        if call.fail(TIMEOUT_ERROR_TYPE, timeout_error, status="timeout"):
            env._log(call, timeout_log_line(self.clock.now(), request_id, spec.timeout_s))
            env.kill()

    def _complete(self, env: _Env, call: _Call, *, cold: bool) -> Result:
        spec, request_id = call.spec, call.invocation.request_id
        if not env.dead:
            env.peak_mb = max(env.peak_mb, env.environment.memory_used_mb())
            if env.peak_mb > spec.memory_mb:   # past MemorySize: Lambda's sandbox is OOM-killed
                env.killed_for_memory = True
                env.kill()
        used_mb = env.peak_mb
        if env.killed_for_memory and (call.function_error is None
                                      or call.error_type == RUNTIME_EXIT_ERROR_TYPE):
            call.function_error, call.status = "Unhandled", "error"
            call.error_type = OUT_OF_MEMORY_ERROR_TYPE
            call.payload = error_document(OUT_OF_MEMORY_ERROR_TYPE, request_error(
                request_id, runtime_exited("killed", None)))
        started = call.dispatched_at or call.finished_at
        report = Report(duration_ms=max(0.0, (call.finished_at - started) * 1000),
                        memory_size_mb=spec.memory_mb,
                        max_memory_used_mb=min(max(used_mb, 1), spec.memory_mb),
                        init_duration_ms=env.init_duration_ms if cold else None)
        env._log(call, f"END RequestId: {request_id}")
        env._log(call, report_line(request_id, report, call.status, call.error_type))
        self._release(env, spec)
        self._record(call, report, cold=cold)
        tail = ""
        if call.invocation.tail_logs and call.lines is not None:
            tail = "\n".join(call.lines)[-TAIL_BYTES:] + "\n"
        return Result(request_id=request_id, payload=call.payload,
                      function_error=call.function_error, logs=tail, report=report,
                      executed_version=spec.version)

    def _record(self, call: _Call, report: Report, *, cold: bool) -> None:
        status = call.status or ("error" if call.function_error else "ok")
        invocation = call.invocation
        self.records.add(InvocationRecord(
            seq=self.records.next_seq(), request_id=invocation.request_id,
            function=invocation.function, version=call.spec.version,
            trigger=describe(invocation), is_cold=cold, started_at_s=call.started_at_s,
            duration_ms=report.duration_ms, billed_duration_ms=report.billed_duration_ms,
            memory_size_mb=report.memory_size_mb, max_memory_used_mb=report.max_memory_used_mb,
            init_duration_ms=report.init_duration_ms, status=status,
            error_type=call.error_type if call.function_error else None,
            event=payload_of(invocation.payload), response=payload_of(call.payload),
            log_lines=tuple(call.lines or ())))

    # --- the pools ----------------------------------------------------------------------------
    def _acquire(self, spec: FunctionSpec, tenant_id: str | None = None) -> _Env:
        """A free warm environment of the function (of this tenant's only, for a
        tenant-isolated function: "Lambda tenant isolation"), else a new one."""
        with self._lock:   # once per invoke: each time is a hand-over under contention
            pool = self._envs[spec.logical_id]
            ahead = next((env for env in pool if env.prewarming and not env.dead
                          and not env.stale and env.spec.version == spec.version
                          and env.tenant_id == tenant_id), None)
            if ahead is not None:   # started ahead: this invoke takes it over, even mid-init
                ahead.prewarming = False
            else:
                env, is_new = self._take_or_register_locked(spec, tenant_id)
        if ahead is not None:
            ahead.start_done.wait()
            if ahead.start_error is not None:   # as if this invoke had started it
                raise ahead.start_error
            return ahead
        return self._start_env(env) if is_new else env

    def _take_or_register_locked(self, spec: FunctionSpec,
                                 tenant_id: str | None) -> tuple[_Env, bool]:
        """A free warm environment, taken; else a new one, registered but not started (True:
        the caller starts it, outside the lock); else the throttle."""
        pool = self._envs[spec.logical_id]
        for env in reversed(pool):   # the most recently used first, as Lambda reuses
            if not env.busy and not env.dead and env.initialized.is_set() \
                    and env.spec.version == spec.version \
                    and env.tenant_id == tenant_id:   # each version, each tenant its own
                env.busy = True
                self._note_concurrency_locked(spec.logical_id)
                return env, False
        # In use now: a free one here is another tenant's (a free one of this tenant's
        # was taken above), and concurrency counts invocations, not idle environments.
        busy = sum(1 for env in pool if not env.dead and env.busy)
        if spec.reserved_concurrency is not None:
            if busy >= spec.reserved_concurrency:
                self._note_throttle_locked(spec.logical_id)
                raise api_errors.reserved_concurrency_exceeded()
        elif self._busy_total() >= self._unreserved_capacity():
            self._note_throttle_locked(spec.logical_id)
            raise api_errors.account_concurrency_exceeded()
        env = self._register_env_locked(spec, tenant_id)
        self._note_concurrency_locked(spec.logical_id)
        return env, True

    def _note_throttle_locked(self, function: str) -> None:
        self._throttles[function] = self._throttles.get(function, 0) + 1

    def _note_concurrency_locked(self, function: str) -> None:
        pool = self._envs.get(function, [])
        peak = self._peak.get(function, 0)
        if len(pool) <= peak:   # no more can be busy than there are: no new peak (warm path)
            return
        busy = sum(1 for env in pool if env.busy and not env.dead)
        self._peak[function] = max(peak, busy)

    def prewarm(self, functions: Sequence[str]) -> None:
        """Start one environment of each of these functions in the background, so the first
        request finds one initialised (as Lambda's proactive initialization may). Returns at
        once. The first invoke takes it over, mid-init if need be, and its REPORT still
        gives the Init Duration. Skipped: functions with a live environment of their event
        target already, none to run, reserved concurrency 0, one environment per tenant, or under
        a debugger (it would wait for one to attach)."""
        targets = {name: self._event_target(name).spec for name in functions
                   if name in self._specs}   # (the lock is not reentrant: found before it)
        with self._lock:
            envs = []
            for name, target in targets.items():
                spec = self._specs.get(name)
                # A debugged function waits for its debugger: it starts when asked to run.
                if spec is None or spec.not_runnable is not None or spec.is_tenant_isolated \
                        or spec.debug_port is not None or spec.reserved_concurrency == 0 \
                        or self._busy_total() >= self._unreserved_capacity():
                    continue
                if any(not env.dead and env.spec.version == target.version
                       for env in self._envs[name]):
                    continue
                env = self._register_env_locked(target)
                env.prewarming = True
                envs.append(env)
        for env in envs:
            threading.Thread(target=self._prewarm_one, args=(env,), daemon=True,
                             name=f"prewarm-{env.env_id}").start()

    def _prewarm_one(self, env: _Env) -> None:
        try:
            self._start_env(env)
        except Exception as exc:   # an invoke that took it over raises it; else the next
            env.start_error = exc  # invoke's own cold start meets the same problem
            log.info("%s: starting an environment ahead failed: %r", env.spec.logical_id, exc)
            return
        finally:
            env.start_done.set()
        while not env.initialized.wait(0.05):
            if env.dead or not env.prewarming:
                return
        with self._lock:
            if not env.prewarming:   # an invoke took it over while it initialised
                return
            env.prewarming = False
            if env.dead:
                return
            retire = env.stale   # its code changed while it started
            if retire:
                self._remove_locked(env)
            else:
                env.last_used = self.clock.monotonic()
                env.busy = False
            self._idle.notify_all()
        if retire:
            self._stop_later(env)

    def _new_env(self, spec: FunctionSpec) -> _Env:
        with self._lock:
            env = self._register_env_locked(spec)
        return self._start_env(env)

    def _register_env_locked(self, spec: FunctionSpec, tenant_id: str | None = None) -> _Env:
        """A new environment, counted (busy) before it starts, so concurrency holds."""
        env = _Env(self, spec, f"{spec.logical_id}-{next(self._ids)}", tenant_id)
        env.busy = True
        self._envs[spec.logical_id].append(env)
        return env

    def _start_env(self, env: _Env) -> _Env:
        """Start it outside the lock: a container takes ~0.3 s to start, and warm invokes
        of other environments must not wait for that."""
        try:
            if env.spec.not_runnable is not None:
                raise EnvironmentStartError(f"{env.spec.logical_id}: {env.spec.not_runnable}")
            env.environment.start()
        except Exception:
            self._forget(env)
            self.hub.close(env.address)
            raise
        return env

    def _busy_total(self) -> int:
        return sum(1 for pool in self._envs.values() for env in pool if not env.dead)

    def _unreserved_capacity(self) -> int:
        reserved = sum(s.reserved_concurrency or 0 for s in self._specs.values())
        return max(0, self.account_concurrency - reserved)

    def _release(self, env: _Env, spec: FunctionSpec) -> None:
        """Back to the pool, or retired when its code went stale or its /tmp overflowed:
        decided and done under the lock, so a recycle can never slip in between."""
        storage_mb = 0.0 if env.dead else env.environment.tmp_used_mb()
        overflowed = storage_mb > spec.ephemeral_storage_mb
        with self._lock:
            env.current = None
            if env.dead:
                return
            # stale: the code changed while it worked, so this invoke ran the old code
            retire = env.stale or overflowed
            if retire:
                self._remove_locked(env)
            else:
                env.last_used = self.clock.monotonic()
                env.busy = False
            self._idle.notify_all()
        if overflowed:
            self.log(spec.logical_id, f"samlite: /tmp holds {storage_mb:.0f} MB, more than "
                     f"EphemeralStorage {spec.ephemeral_storage_mb} MB; Lambda would have "
                     "failed those writes (No space left on device). Starting a fresh "
                     "environment for the next invoke.")
        if retire:
            self._stop_later(env)

    def _remove_locked(self, env: _Env) -> None:
        """Out of the pool, where nothing can take it any more (the caller holds the lock)."""
        env.busy = True
        pool = self._envs.get(env.spec.logical_id, [])
        if env in pool:
            pool.remove(env)

    def _stop_later(self, env: _Env, *, grace_s: float = 2.0) -> None:
        """Stop a removed environment on a thread of its own, which stop() joins."""
        env.inbox.put(None)
        env.hang_up()
        thread = threading.Thread(target=self._stop_env, args=(env, grace_s),
                                  name=f"retire-{env.env_id}", daemon=True)
        with self._lock:
            self._stoppers.add(thread)
        thread.start()

    def _stop_env(self, env: _Env, grace_s: float) -> None:
        try:
            env.environment.stop(grace_s=grace_s)
        except Exception as exc:   # one environment's failure must not stop the others'
            log.warning("%s: stopping %s failed: %r", env.spec.logical_id, env.env_id, exc)
        finally:
            self.hub.close(env.address)
            with self._lock:
                self._stoppers.discard(threading.current_thread())

    def _forget(self, env: _Env, *, dead: bool = False) -> None:
        with self._lock:
            if dead:
                with env.hand_lock:
                    env.dead = True
            pool = self._envs.get(env.spec.logical_id, [])
            if env in pool:
                pool.remove(env)
            self._idle.notify_all()

    # --- reloading --------------------------------------------------------------------------
    def recycle(self, functions: Sequence[str], *, publish: bool = True) -> int:
        """New code for these functions (logical ids): idle environments stop now, busy ones
        finish their invoke on the old code and stop then; the next invoke starts fresh.
        Other functions stay warm; those that publish versions publish a new one, as a
        deploy would. Returns how many environments were retired now."""
        with self._lock:
            for name in functions if publish else ():
                if name in self._newest:
                    self._newest[name] += 1
            envs = [env for name in functions for env in self._envs.get(name, [])]
            idle = []
            for env in envs:
                if env.busy:
                    env.stale = True   # _release retires it, under this same lock
                else:
                    self._remove_locked(env)
                    idle.append(env)
        for env in idle:
            self._stop_later(env)
        return len(idle)

    def update_functions(self, functions: Sequence[FunctionSpec], *,
                         publish: bool = True) -> tuple[str, ...]:
        """Apply a reloaded template: new functions appear, removed ones stop, changed ones
        are recycled (and publish a new version unless `publish` is False: the same deploy,
        its values resolved). Returns the logical ids that changed in any way."""
        new = {spec.logical_id: spec for spec in functions}
        with self._lock:
            old = self._specs
            changed = tuple(sorted(name for name in old.keys() | new.keys()
                                   if old.get(name) != new.get(name)))
            self._specs = new
            for name in new.keys() - self._envs.keys():
                self._envs[name] = []
            for name, spec in new.items():
                if not spec.publishes_versions:
                    self._newest.pop(name, None)
                elif name not in old or not old[name].publishes_versions:
                    self._newest[name] = 0 if publish else 1   # the recycle below publishes
            recycled = [name for name in changed if name in old]
            for name in changed:
                if name not in old and name in self._newest:
                    self._newest[name] = 1
        self.recycle(recycled, publish=publish)
        with self._lock:
            for name in old.keys() - new.keys():
                if not self._envs.get(name):
                    self._envs.pop(name, None)
        return changed

    # --- background work ---------------------------------------------------------------------
    def reap_idle(self) -> int:
        """Stop environments idle for longer than idle_timeout_s, keeping each function's
        provisioned ones and a debugged function's; returns how many. Chosen and removed
        under the lock, so no invoke can take one that is about to stop."""
        now = self.clock.monotonic()
        idle: list[_Env] = []
        with self._lock:
            for pool in self._envs.values():
                for env in list(pool):
                    alive = sum(1 for e in pool if not e.dead)
                    # A debugged function's one environment is the debugger's session.
                    if not env.busy and not env.dead and alive > env.spec.provisioned_concurrency \
                            and env.spec.debug_port is None \
                            and now - env.last_used >= self.idle_timeout_s:
                        self._remove_locked(env)
                        idle.append(env)
        for env in idle:
            self._stop_later(env)
        return len(idle)

    def _reap_loop(self) -> None:
        while not self._stopping.wait(min(30.0, max(1.0, self.idle_timeout_s / 4))):
            self.reap_idle()

    def _sample_memory(self) -> None:
        """Kill a busy environment the moment its memory passes MemorySize (sampled)."""
        pin_this_thread()   # fifty times a second: with the serving threads
        while not self._stopping.wait(MEMORY_SAMPLE_S):
            with self._lock:
                busy = [env for pool in self._envs.values() for env in pool
                        if env.busy and env.current is not None and not env.dead]
            for env in busy:
                env.peak_mb = max(env.peak_mb, env.environment.memory_used_mb())
                if env.peak_mb > env.spec.memory_mb:
                    env.killed_for_memory = True
                    env.kill()

    def usage(self, function: str) -> FunctionUsage:
        """What the dashboard shows of a function's environments and concurrency."""
        now = self.clock.monotonic()
        with self._lock:
            envs = [env for env in self._envs.get(function, []) if not env.dead]
            return FunctionUsage(
                environments=tuple(EnvironmentState(
                    env_id=env.env_id, is_busy=env.busy and env.current is not None,
                    is_initialized=env.initialized.is_set(),
                    age_s=round(now - env.started_at, 1),
                    idle_s=0.0 if env.busy else round(now - env.last_used, 1))
                    for env in envs),
                concurrency=sum(1 for env in envs if env.busy),
                peak_concurrency=self._peak.get(function, 0),
                throttles=self._throttles.get(function, 0))

    def environment_count(self, function: str) -> int:
        """How many live environments a function has (for tests and `samlite up`)."""
        with self._lock:
            return sum(1 for env in self._envs.get(function, []) if not env.dead)


def report_line(request_id: str, report: Report, status: str | None = None,
                error_type: str | None = None) -> str:
    """Lambda's REPORT line: tab-separated fields, each followed by a tab, so the line ends
    in one (as CloudWatch Logs shows it, e.g. `...\tMax Memory Used: 36 MB\tInit Duration:
    110.10 ms\t`; Lambda developer guide, "Monitoring": the REPORT line)."""
    line = (f"REPORT RequestId: {request_id}\tDuration: {report.duration_ms:.2f} ms\t"
            f"Billed Duration: {report.billed_duration_ms} ms\t"
            f"Memory Size: {report.memory_size_mb} MB\t"
            f"Max Memory Used: {report.max_memory_used_mb} MB\t")
    if report.init_duration_ms is not None:
        line += f"Init Duration: {report.init_duration_ms:.2f} ms\t"
    if status:
        line += f"Status: {status}\t"
        if error_type and status == "error":
            line += f"Error Type: {error_type}\t"
    return line


def _check_tenant(spec: FunctionSpec, tenant_id: str | None) -> None:
    """A tenant-isolated function takes only invokes that name a tenant, and a function
    without tenant isolation only invokes that do not."""
    if spec.is_tenant_isolated != bool(tenant_id):
        raise api_errors.tenant_id_mismatch()


def _decoded_client_context(value: str | None) -> str | None:
    """The Invoke API takes ClientContext as base64 JSON; runtimes get the JSON text."""
    if not value:
        return None
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8")
        if isinstance(json.loads(text), dict):
            return text
    except (ValueError, UnicodeDecodeError):
        pass
    raise api_errors.InvalidRequestContent(
        "Client context must be a valid Base64-encoded JSON object.")


def _split_qualifier(name: str, qualifier: str | None) -> tuple[str, str | None]:
    """`fn:alias` / `arn:…:function:fn:alias` -> (the name, the qualifier)."""
    parts = name.split(":")
    if name.startswith("arn:") and len(parts) == 8:
        return ":".join(parts[:7]), qualifier or parts[7]
    if not name.startswith("arn:") and len(parts) == 2:
        return parts[0], qualifier or parts[1]
    return name, qualifier


def _ids(clock: Clock) -> tuple[str, str]:
    """A request id (UUID v4) and an X-Ray trace header as Lambda passes it
    (Root=1-<epoch hex>-<96-bit id>;Parent=<64-bit id>)."""
    random = ids.random_bytes(36)
    request_id = ids.uuid4_of(int.from_bytes(random[:16], "big"))
    trace_id = (f"Root=1-{int(clock.now()):08x}-{random[16:28].hex()};"
                f"Parent={random[28:].hex()};Sampled=0")
    return request_id, trace_id
