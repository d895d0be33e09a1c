"""The Environment protocol: what the Lambda service needs from an execution environment,
whatever runs it (a local process, a container). The service never looks inside one.

An environment is told, when built, the Runtime API address it must poll and two callbacks:
`on_output(line)` for each line the function writes and `on_exit(exit)` once, when it ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from samlite.runtime.spec import FunctionSpec

# A line the runtime loop writes after each invocation's output, so the service knows the
# output is complete before it logs END (never shown to the user).
END_MARKER = "\x1esamlite:end "
# A line the runtime loop writes under --debug once a debugger has let it go on: init is
# timed from there, so the wait for someone to attach is neither Init Duration nor billed.
DEBUGGER_ATTACHED_MARKER = "\x1esamlite:debugger-attached"
# Where samlite's runtime loop finds its environment's Runtime API token (python_loop.py
# keeps its own copy of the name).
RUNTIME_TOKEN_VARIABLE = "_SAMLITE_RUNTIME_TOKEN"  # noqa: S105 - a name, not the secret


@dataclass(frozen=True, slots=True, kw_only=True)
class Exit:
    exit_code: int | None
    signal_name: str | None = None      # "killed", "terminated", … (Go's wording, as Lambda)
    out_of_memory: bool = False         # killed for passing MemorySize (a container's OOM kill)


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvironmentSettings:
    spec: FunctionSpec
    env_id: str
    runtime_api: str                    # host:port of this environment's Runtime API
    tmp_dir: Path                       # fresh and private to this environment
    endpoint_url: str | None = None     # the local AWS endpoint, as AWS_ENDPOINT_URL
    runtime_token: str = ""             # for samlite's runtime loop (RUNTIME_TOKEN_VARIABLE)
    log_stream: str = ""                # AWS_LAMBDA_LOG_STREAM_NAME (spec.log_stream_name)
    on_output: Callable[[str], None]
    on_exit: Callable[[Exit], None]


class Environment(Protocol):
    settings: EnvironmentSettings

    def start(self) -> None:
        """Start the runtime; it initialises, then polls its Runtime API. Returns at once.
        Raises EnvironmentStartError when it cannot start at all."""
        ...

    def stop(self, *, grace_s: float = 2.0) -> None:
        """Ask it to end, then kill it after `grace_s`; returns when it is gone."""
        ...

    def kill(self) -> None:
        """End it now (timeouts, memory). on_exit still follows."""
        ...

    def alive(self) -> bool: ...

    def settle_output(self, timeout_s: float = 0.05) -> None:
        """Return once the output written so far has reached on_output (bounded wait)."""
        ...

    def memory_used_mb(self) -> int:
        """The most memory it has held so far (what REPORT calls Max Memory Used)."""
        ...

    def tmp_used_mb(self) -> float:
        """How much its /tmp holds now."""
        ...


EnvironmentFactory = Callable[[EnvironmentSettings], Environment]
