"""What the Lambda service tells about a function's environments and concurrency, for the
dashboard's Functions page (LambdaService.usage). Data only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvironmentState:
    env_id: str
    is_busy: bool              # running an invocation now
    is_initialized: bool       # past its init phase (warm once free)
    age_s: float               # since it started
    idle_s: float              # since its last invocation ended (0 while busy)


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionUsage:
    environments: tuple[EnvironmentState, ...]
    concurrency: int           # invocations running now
    peak_concurrency: int      # the most at once since start
    throttles: int             # invokes refused for concurrency (TooManyRequests)
