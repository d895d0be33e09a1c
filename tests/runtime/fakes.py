"""In-process stand-ins for the Lambda service's two seams: a FakeEnvironment whose runtime is
a thread calling its Runtime API backend directly, and the DirectRuntimeApis that hands it
that backend. The pool's rules then run in milliseconds, under a ManualClock."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from samlite.runtime.environments.base import EnvironmentSettings, Exit
from samlite.runtime.invocation import Invocation
from samlite.runtime.runtime_api import NextInvocation, NoWork, RuntimeBackend

# What a fake function does: (invocation, its environment's code version) -> response body.
Handler = Callable[[Invocation, int], bytes]
REAL_WAIT_S = 5.0   # the longest any fake blocks in real time


class DirectRuntimeApis:
    """RuntimeApis without sockets: an address names a backend in a dict."""

    def __init__(self) -> None:
        self._backends: dict[str, RuntimeBackend] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def open(self, backend: RuntimeBackend) -> str:
        with self._lock:
            address = f"direct:{next(self._ids)}"
            self._backends[address] = backend
            return address

    def backend(self, address: str) -> RuntimeBackend:
        with self._lock:
            return self._backends[address]

    def require_token(self, address: str, token: str) -> None:
        pass

    def close(self, address: str) -> None:
        with self._lock:
            self._backends.pop(address, None)

    def stop(self) -> None:
        with self._lock:
            self._backends.clear()


@dataclass(slots=True)
class Code:
    """The function's code, as far as the fakes know it: a version a reload moves on."""

    version: int = 1


class FakeEnvironment:
    writes_end_marker = False

    def __init__(self, settings: EnvironmentSettings, apis: DirectRuntimeApis,
                 handler: Handler, code: Code, *, stop_takes_s: float = 0.0) -> None:
        self.settings = settings
        self.version = code.version          # the code it loaded, as a process would
        self._backend = apis.backend(settings.runtime_api)
        self._handler = handler
        self._stop_takes_s = stop_takes_s
        self._ending = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True,
                                        name=f"fake-{settings.env_id}")
        self.stopped = False                 # stop() ran to its end
        self.answered: list[str] = []        # request ids, in order

    def start(self) -> None:
        self._thread.start()

    def _serve(self) -> None:
        code = 0
        while not self._ending.is_set():
            upcoming = self._backend.next_invocation(wait_s=0.05, poller_gone=lambda: False)
            if upcoming is NoWork.SHUTDOWN:
                break
            if isinstance(upcoming, NextInvocation):
                invocation = upcoming.invocation
                body = self._handler(invocation, self.version)
                if self._ending.is_set():   # killed meanwhile: the answer never leaves
                    code = -9
                    break
                self.answered.append(invocation.request_id)
                self._backend.post_response(invocation.request_id, body)
        self.settings.on_exit(Exit(exit_code=None if code else 0,
                                   signal_name="killed" if code else None))

    def stop(self, *, grace_s: float = 2.0) -> None:
        self._ending.set()
        self._thread.join(REAL_WAIT_S)
        threading.Event().wait(min(self._stop_takes_s, grace_s))   # a slow process ending
        self.stopped = True

    def kill(self) -> None:
        self._ending.set()

    def alive(self) -> bool:
        return self._thread.is_alive()

    def settle_output(self, timeout_s: float = 0.05) -> None:
        pass

    def memory_used_mb(self) -> int:
        return 1

    def tmp_used_mb(self) -> float:
        return 0.0


@dataclass(slots=True)
class FakeEnvironments:
    """The environment factory, keeping every environment it made."""

    apis: DirectRuntimeApis
    handler: Handler
    code: Code = field(default_factory=Code)
    stop_takes_s: float = 0.0
    made: list[FakeEnvironment] = field(default_factory=list)

    def __call__(self, settings: EnvironmentSettings) -> FakeEnvironment:
        environment = FakeEnvironment(settings, self.apis, self.handler, self.code,
                                      stop_takes_s=self.stop_takes_s)
        self.made.append(environment)
        return environment
