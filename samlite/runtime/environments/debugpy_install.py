"""debugpy for a Python function started with `--debug`: installed with pip, once per Python
version, into samlite's private cache on the first debugged start, and put on that one
function's path only by the runtime loop (python_loop.py), after its own code; for a
container, Linux wheels of the image's Python, mounted read-only (container_debug.py).

Why not a dependency of samlite: only `--debug` needs it, it must match the function's
Python (which may not be samlite's), and it must not be importable by functions that are
not debugged. Why not an optional extra: an extra installs into samlite's environment,
which a function's `-S` interpreter never sees.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from samlite.build.install import DependencyCache, DependencyInstallError
from samlite.build.plan import Dependencies, Owner
from samlite.errors import EnvironmentStartError
from samlite.runtime.environments.private_dirs import cache_root, private_dir

DEBUGPY_VERSION = "1.8.22"
REQUIREMENTS_TEXT = f"debugpy=={DEBUGPY_VERSION}\n"

_lock = threading.Lock()


def _request(interpreter: str, python_version: str, *, architecture: str = "host",
             runtime_kind: str = "process") -> tuple[DependencyCache, Dependencies]:
    folder = private_dir(private_dir(cache_root()) / "debugpy")
    requirements = folder / f"requirements-debugpy-{DEBUGPY_VERSION}.txt"
    if not requirements.is_file() or \
            requirements.read_text(encoding="utf-8") != REQUIREMENTS_TEXT:
        requirements.write_text(REQUIREMENTS_TEXT, encoding="utf-8")
    wanted = Dependencies(owner=f"debugpy {DEBUGPY_VERSION}", owner_kind=Owner.LAYER,
                          requirements=requirements, python_version=python_version,
                          architecture=architecture, runtime_kind=runtime_kind)
    return DependencyCache(folder, python_for=lambda _version: interpreter), wanted


def is_installed(interpreter: str, python_version: str) -> bool:
    cache, wanted = _request(interpreter, python_version)
    return cache.is_cached(wanted)


def debugpy_dir(interpreter: str, python_version: str) -> Path:
    """The folder holding debugpy for this Python, installed first unless cached; raises
    EnvironmentStartError saying why when pip cannot install it."""
    with _lock:
        return _debugpy_dir(interpreter, python_version, cache_root())


@functools.cache
def _debugpy_dir(interpreter: str, python_version: str, root: Path) -> Path:
    del root   # part of the cache key: tests that move the cache root get a fresh answer
    cache, wanted = _request(interpreter, python_version)
    try:
        return cache.ensure(wanted).path
    except (DependencyInstallError, OSError) as exc:
        raise EnvironmentStartError(
            f"--debug needs debugpy {DEBUGPY_VERSION} for Python {python_version}, and pip "
            f"could not install it: {str(exc).strip().splitlines()[-1]}") from exc


def container_debugpy_dir(python_version: str, architecture: str) -> Path:
    """debugpy for a container of this Python and architecture (`--debug` with `--runtime
    docker`): Linux wheels chosen with pip's --platform, as for a Docker function's
    requirements, into the same private cache; mounted read-only into the container."""
    with _lock:
        return _container_debugpy_dir(python_version, architecture, cache_root())


def container_debugpy_is_installed(python_version: str, architecture: str) -> bool:
    cache, wanted = _request("", python_version, architecture=architecture,
                             runtime_kind="docker")
    return cache.is_cached(wanted)


@functools.cache
def _container_debugpy_dir(python_version: str, architecture: str, root: Path) -> Path:
    del root   # part of the cache key, as in _debugpy_dir
    cache, wanted = _request("", python_version, architecture=architecture,
                             runtime_kind="docker")
    try:
        return cache.ensure(wanted).path
    except (DependencyInstallError, OSError) as exc:
        raise EnvironmentStartError(
            f"--debug needs debugpy {DEBUGPY_VERSION} for Python {python_version} on Linux "
            f"{architecture}, and pip could not install it: "
            f"{str(exc).strip().splitlines()[-1]}") from exc
