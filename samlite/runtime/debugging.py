"""Which functions run under a debugger, and on which port: `--debug A,B --debug-port 5678`
gives A port 5678 and B 5679. A debugged function keeps one environment (reserved
concurrency 1: the debugger holds it and its port) and its timeout does not fire (a
breakpoint may hold an invoke for minutes); service.py and the startup table read
`FunctionSpec.debug_port`. Pure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from samlite.errors import UsageError
from samlite.runtime.spec import FunctionSpec

DEFAULT_DEBUG_PORT = 5678   # debugpy's own default; Node's inspector answers on any port


def with_debugging(specs: Sequence[FunctionSpec], names: Sequence[str], *,
                   first_port: int = DEFAULT_DEBUG_PORT) -> tuple[FunctionSpec, ...]:
    """`specs` with each named function (logical id or FunctionName) set up for a debugger,
    ports given in the order named. UsageError for a name that is no function here, or a
    runtime samlite cannot debug."""
    by_name = {**{s.function_name: s for s in specs}, **{s.logical_id: s for s in specs}}
    ports: dict[str, int] = {}
    for name in names:
        spec = by_name.get(name)
        if spec is None:
            known = ", ".join(sorted(s.logical_id for s in specs)) or "none"
            raise UsageError(f"--debug names {name!r}, which is not a function here "
                             f"(functions: {known})")
        if not (spec.is_python or spec.is_nodejs) or spec.package_type != "Zip":
            raise UsageError(f"--debug {name}: samlite attaches debuggers to Python and "
                             f"Node.js functions, not {spec.runtime or spec.package_type}")
        ports.setdefault(spec.logical_id, first_port + len(ports))
    return tuple(dataclasses.replace(spec, debug_port=ports[spec.logical_id],
                                     reserved_concurrency=1,
                                     provisioned_concurrency=min(spec.provisioned_concurrency,
                                                                 1))
                 if spec.logical_id in ports else spec for spec in specs)


def debug_notices(specs: Sequence[FunctionSpec]) -> list[str]:
    """One line per debugged function: where its debugger attaches, and what changes."""
    return [f"{spec.logical_id} waits for a debugger on 127.0.0.1:{spec.debug_port} "
            f"({debugger_kind(spec)}) before its handler runs; its timeout is off and it "
            "keeps one environment while debugged (docs/debugging.md)"
            for spec in specs if spec.debug_port is not None]


def debugger_kind(spec: FunctionSpec) -> str:
    """What a debugger attaches with: the Debug Adapter Protocol (debugpy) or Node's
    inspector protocol."""
    return "debugpy" if spec.is_python else "node inspector"
