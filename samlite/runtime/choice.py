"""Where functions run: `--runtime auto|process|docker` decided once per app (auto is Docker
when an engine answers and every image is on the machine, else local processes), the one
line that says so, and the execution environments of that choice."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from samlite.errors import UsageError
from samlite.progress import NO_PROGRESS, Progress
from samlite.runtime.spec import FunctionSpec

RUNTIMES = ("auto", "process", "docker")
DEFAULT_RUNTIME = "auto"
# The default, said in these words by `--help`, the README and every doc (a test holds them
# to it): two wordings of one default are how a doc ends up contradicting the code.
DEFAULT_RUNTIME_TEXT = ("auto (the default): Docker when the engine answers and every "
                        "function's image is on this machine, else local processes")


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeChoice:
    kind: str       # "process" or "docker"
    reason: str     # why, as the startup notice says it


def runtime_notice(choice: RuntimeChoice, *,
                   switch: Callable[[str], str] = lambda value: f"--runtime {value}") -> str:
    """The one line every command that runs functions prints: where they run, why, and how
    to change it. `switch` spells the setting ("--runtime docker", or the pytest marker's)."""
    return f"Runtime: {choice.kind} ({choice.reason}); {_alternatives(choice, switch)}"


def _alternatives(choice: RuntimeChoice, switch: Callable[[str], str]) -> str:
    if choice.kind == "docker":
        return f"{switch('process')} runs them as local processes instead"
    if choice.reason.startswith("--debug"):
        return f"{switch('docker')} runs them in Lambda's images, debuggers included"
    if choice.reason.startswith("auto"):
        return f"{switch('docker')} runs them in Lambda's images instead"
    return (f"{switch('docker')} runs them in Lambda's images, {switch('auto')} in Docker "
            "when the engine answers and every image is here")


def choose_runtime(runtime: str, functions: Sequence[FunctionSpec]) -> RuntimeChoice:
    """`--runtime`: process and docker are taken as said; auto is Docker when an engine
    answers and every function's image is on this machine (nothing is pulled), else process."""
    check_runtime(runtime)
    if runtime != "auto":
        return RuntimeChoice(kind=runtime, reason=f"--runtime {runtime}")
    problem = _docker_problem(functions)
    if problem is None:
        return RuntimeChoice(kind="docker", reason="auto: the Docker engine answers and every "
                                                   "function's image is here")
    return RuntimeChoice(kind="process", reason=f"auto: {problem}, so functions run as local "
                                                "processes")


def _docker_problem(functions: Sequence[FunctionSpec]) -> str | None:
    # Without DOCKER_HOST or the default socket there is no engine to ask, and no reason
    # to load the Docker SDK.
    if not os.environ.get("DOCKER_HOST") and not Path("/var/run/docker.sock").exists():
        return "no Docker engine here (no DOCKER_HOST, no /var/run/docker.sock)"
    from samlite.runtime.environments.docker import docker_problem
    from samlite.runtime.images import image_for

    # Images built from Metadata are built when the runtime starts, so are not looked for.
    return docker_problem(image for spec in functions
                          if spec.image_build is None and (image := image_for(spec)))


def check_runtime(runtime: str) -> None:
    """`--runtime`: auto, process or docker."""
    if runtime not in RUNTIMES:
        raise UsageError(f"--runtime must be one of {', '.join(RUNTIMES)} (got {runtime!r})")


def environment_factory(choice: RuntimeChoice, *, project_dir: Path,
                        progress: Progress = NO_PROGRESS) -> Callable[..., object]:
    """The execution environments of the chosen runtime. Docker's connects to the engine
    now (DockerUnavailable when none answers) and labels its containers with the project."""
    if choice.kind == "docker":
        from samlite.runtime.environments.docker import DockerEnvironments

        return DockerEnvironments(project_dir=project_dir, progress=progress)
    from samlite.runtime.environments.process import ProcessEnvironment

    return ProcessEnvironment
