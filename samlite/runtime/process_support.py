"""Which functions the process runtime can run, decided in this one place: the startup table,
"Not run locally" and the process environment's own refusal all ask here. Pure.

Python runs under samlite's loop (on the named version when installed, else samlite's own,
with a warning), Node.js under samlite's node_loop.cjs (the named major version of the local
`node` when installed, else the closest, with a warning) and provided* runs its bootstrap;
every other runtime, and PackageType Image, needs Docker (docs/runtime.md, "Execution
environments").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from samlite.graph.model import Graph, NotRunLocally
from samlite.runtime.images import image_for
from samlite.runtime.spec import FunctionSpec

# Runtime identifiers the process runtime runs, by prefix.
PROCESS_RUNTIME_PREFIXES = ("python", "nodejs", "provided")
# Of Node's, those named for a major version (nodejs8.10 and older need their image).
_NODE_RUNTIME = re.compile(r"nodejs\d+\.x")


def needs_docker(runtime: str | None, package_type: str = "Zip") -> str | None:
    """What keeps a function out of the process runtime ("nodejs20.x", "PackageType Image"),
    or None when the process runtime runs it."""
    if package_type == "Image":
        return "PackageType Image"
    if runtime and runtime.startswith(PROCESS_RUNTIME_PREFIXES) \
            and (not runtime.startswith("nodejs") or _NODE_RUNTIME.fullmatch(runtime)):
        return None
    return runtime or "no Runtime"


def runs_in(spec: FunctionSpec, runtime_kind: str) -> str:
    """The startup table's RUNS IN cell: the runtime's kind, or why it cannot run here."""
    if runtime_kind == "process":
        why = needs_docker(spec.runtime, spec.package_type)
        if why is not None:
            return f"— (needs Docker: {why})"
    return runtime_kind


def refusal(spec: FunctionSpec) -> str | None:
    """Why the process runtime will not start this function, with what to do; None if it will."""
    why = needs_docker(spec.runtime, spec.package_type)
    if why is None:
        return None
    if spec.package_type == "Image":
        return ("PackageType Image functions run in their container image; they need "
                "--runtime docker")
    image = image_for(spec)
    return (f"the process runtime runs Python, Node.js and provided* functions, not {why}; "
            f"run with --runtime docker (it runs {why} in {image})")


def not_run_in_processes(graph: Graph, specs: Sequence[FunctionSpec],
                         runtime_kind: str) -> tuple[NotRunLocally, ...]:
    """The "Not run locally" entries for the functions the process runtime cannot run (none
    when functions run in Docker)."""
    if runtime_kind != "process":
        return ()
    functions = {fn.logical_id: fn for fn in graph.functions}
    entries = []
    for spec in specs:
        why = refusal(spec)
        fn = functions.get(spec.logical_id)
        if why is None or fn is None:
            continue
        key = "PackageType" if spec.package_type == "Image" else "Runtime"
        entries.append(NotRunLocally(subject=f"{spec.logical_id}.{key}", type=fn.resource_type,
                                     reason=f"{why}; invoking it fails until then", at=fn.at))
    return tuple(entries)


# platform.machine() names for Lambda's two architectures.
_HOST_ARCHITECTURES = {"x86_64": "x86_64", "amd64": "x86_64", "arm64": "arm64",
                       "aarch64": "arm64"}


def architecture_mismatch(architecture: str, host_machine: str, *,
                          docker: str = "--runtime docker", one: bool = False) -> str | None:
    """Why functions of `architecture` (Architectures' value; `one`: a single function) run
    on another one in a process, with what to do; None when the host is that architecture.
    `docker` spells the way to Lambda's image."""
    host = _HOST_ARCHITECTURES.get(host_machine.lower(), host_machine)
    if architecture == host:
        return None
    they_run = "it runs" if one else "they run"
    return (f"{they_run} as processes on this machine's {host}, not {architecture}: native code "
            f"(compiled wheels, binaries) built for {architecture} may fail to load here, and "
            f"{host}-only code may pass; use {docker} to run Lambda's {architecture} "
            f"image (emulated on {host} by QEMU/binfmt), or accept the difference")
