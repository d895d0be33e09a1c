"""Installs one requirements file with pip into the dependency cache (`deps/<key>/` in the
state directory), once: a later start with the same key finds it there.

An install goes to a private temporary folder that is renamed into place when pip succeeded,
under a lock, so a second samlite building the same key waits and then uses the first one's
result, and a killed install leaves nothing that looks complete. Processes install with the
function's own Python (its pip picks wheels for this machine); Docker environments get Linux
wheels for the function's architecture, chosen with pip's --platform/--python-version (the
AWS SAM developer guide's "Building .zip file archives" does the same for cross builds).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from samlite.build.plan import Dependencies, cache_key
from samlite.errors import DependencyInstallError

PIP_TAIL_LINES = 25
# pip's platform tags for Lambda's architectures (manylinux2014: glibc 2.17, as Lambda's
# Amazon Linux images accept).
PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}

Runner = Callable[..., subprocess.CompletedProcess[str]]
# Installs `dependencies` into the folder by other means (Docker: pip inside the function's
# image) when pip found no Linux wheel for a package; raises DependencyInstallError.
Fallback = Callable[[Dependencies, Path], None]
# pip's words when no distribution fits --platform/--only-binary (pip's
# `DistributionNotFound`, src/pip/_internal/resolution/resolvelib/factory.py).
NO_MATCHING_DISTRIBUTION = "No matching distribution found"

__all__ = ["DependencyCache", "DependencyInstallError", "Installed", "installs", "pip_command"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Installed:
    dependencies: Dependencies
    path: Path            # the folder pip installed into (goes on the handler's path)
    was_cached: bool


class DependencyCache:
    def __init__(self, root: Path, *, python_for: Callable[[str], str],
                 run: Runner = subprocess.run, fallback: Fallback | None = None,
                 packages_under: str = "") -> None:
        """`python_for("3.12")` is the interpreter processes of that version run on;
        `fallback` builds a Docker install that has no Linux wheel some other way;
        `packages_under` is the folder of an install that pip fills ("python" makes each
        install a layer's content, as Lambda reads /opt/python)."""
        self.root = root
        self._packages_under = packages_under
        self._python_for = python_for
        self._run = run
        self._fallback = fallback

    def path_for(self, dependencies: Dependencies) -> Path:
        return self.root / cache_key(dependencies)

    def is_cached(self, dependencies: Dependencies) -> bool:
        return self.path_for(dependencies).is_dir()

    def ensure(self, dependencies: Dependencies) -> Installed:
        """The installed folder, installing first unless it is cached."""
        target = self.path_for(dependencies)
        if target.is_dir():
            return Installed(dependencies=dependencies, path=target, was_cached=True)
        _private_dir(self.root)
        with _locked(self.root / f"{target.name}.lock"):
            if target.is_dir():   # another samlite installed it while we waited
                return Installed(dependencies=dependencies, path=target, was_cached=True)
            staging = self.root / f".staging-{target.name}-{os.getpid()}"
            shutil.rmtree(staging, ignore_errors=True)
            try:
                self._install(dependencies, staging / self._packages_under)
                staging.rename(target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return Installed(dependencies=dependencies, path=target, was_cached=False)

    def _install(self, dependencies: Dependencies, into: Path) -> None:
        command = pip_command(dependencies, into,
                              python=self._python_for(dependencies.python_version))
        try:
            done = self._run(command, cwd=dependencies.requirements.parent,
                             capture_output=True, text=True, check=False)
        except OSError as exc:
            raise DependencyInstallError(
                f"{dependencies.label}: could not run pip ({exc}); check that "
                f"python{dependencies.python_version} has pip, or run with --no-build") from exc
        if done.returncode != 0:
            output = (done.stderr or "") + (done.stdout or "")
            if dependencies.runtime_kind == "docker" and self._fallback is not None \
                    and NO_MATCHING_DISTRIBUTION in output:
                shutil.rmtree(into, ignore_errors=True)
                self._fallback(dependencies, into)
                return
            tail = "\n".join(f"  {line}" for line in output.strip().splitlines()[-PIP_TAIL_LINES:])
            raise DependencyInstallError(
                f"{dependencies.label}: pip could not install {dependencies.requirements} "
                f"(exit {done.returncode}):\n{tail}")


def pip_command(dependencies: Dependencies, target: Path, *, python: str) -> list[str]:
    """The pip call that installs `dependencies` into `target`."""
    command = [python, "-m", "pip", "install", "--requirement", str(dependencies.requirements),
               "--target", str(target), "--no-input", "--disable-pip-version-check",
               "--no-warn-script-location", "--quiet"]
    if dependencies.runtime_kind == "docker":
        command[0] = sys.executable   # any pip fetches Linux wheels for another Python
        command += ["--platform", PLATFORMS.get(dependencies.architecture, PLATFORMS["x86_64"]),
                    "--implementation", "cp", "--python-version", dependencies.python_version,
                    "--only-binary=:all:"]
    return command


def installs(cache: DependencyCache, wanted: Sequence[Dependencies], *,
             on_start: Callable[[Dependencies], None] = lambda d: None) -> tuple[Installed, ...]:
    """Ensure every install, in order; `on_start` is told before each one pip must run."""
    done = []
    for dependencies in wanted:
        if not cache.is_cached(dependencies):
            on_start(dependencies)
        done.append(cache.ensure(dependencies))
    return tuple(done)


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
