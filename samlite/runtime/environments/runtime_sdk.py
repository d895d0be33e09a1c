"""The AWS SDK a Python process environment finds after the function's own code and layers,
as Lambda's Python runtimes include boto3: a pinned boto3 installed with pip, once per Python
version, into samlite's private cache, never samlite's own copy (whose version is whatever
samlite's virtual environment happens to hold). Installing only; choosing a fallback when the
install fails (offline) is the process environment's business.
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from samlite.build.install import DependencyCache, DependencyInstallError
from samlite.build.plan import Dependencies, Owner
from samlite.runtime.environments.private_dirs import cache_root, private_dir

log = logging.getLogger(__name__)

# Lambda's "Building Lambda functions with Python" page ("Runtime-included SDK versions") no
# longer lists a number: it says the included version depends on the runtime version and the
# Region, and gives a handler that prints boto3.__version__. This pin is a recent 1.40 release,
# of the line Lambda's Python runtimes shipped in 2025; bump it when a printed version says
# otherwise. Lambda ships boto3 and botocore of one release; the rest is what they require.
LAMBDA_BOTO3_VERSION = "1.40.4"
REQUIREMENT = f"boto3=={LAMBDA_BOTO3_VERSION}"
REQUIREMENTS_TEXT = f"{REQUIREMENT}\nbotocore=={LAMBDA_BOTO3_VERSION}\n"


@dataclass(frozen=True, slots=True, kw_only=True)
class SdkInstall:
    """The pinned SDK for one interpreter: `path` goes on sys.path, or `problem` says why
    there is none."""

    python_version: str
    path: Path | None
    problem: str | None = None


_install_lock = threading.Lock()   # cold starts of two functions may ask at once


def pinned_sdk(interpreter: str, python_version: str) -> SdkInstall:
    """The pinned SDK for `interpreter` (of `python_version`), installed first if this cache
    lacks it. Never raises for a failed install: the result names the problem."""
    with _install_lock:
        return _pinned_sdk(interpreter, python_version, cache_root())


def is_installed(interpreter: str, python_version: str) -> bool:
    """Whether the pinned SDK for this Python is in the cache already (nothing to install)."""
    cache, wanted = _request(interpreter, python_version, cache_root())
    return cache.is_cached(wanted)


def _request(interpreter: str, python_version: str,
             root: Path) -> tuple[DependencyCache, Dependencies]:
    folder = private_dir(private_dir(root) / "runtime-sdk")
    requirements = folder / f"requirements-boto3-{LAMBDA_BOTO3_VERSION}.txt"
    if not requirements.is_file() or \
            requirements.read_text(encoding="utf-8") != REQUIREMENTS_TEXT:
        requirements.write_text(REQUIREMENTS_TEXT, encoding="utf-8")
    wanted = Dependencies(owner=f"AWS SDK {REQUIREMENT}", owner_kind=Owner.LAYER,
                          requirements=requirements, python_version=python_version,
                          architecture="host", runtime_kind="process")
    return DependencyCache(folder, python_for=lambda _version: interpreter), wanted


@functools.cache
def _pinned_sdk(interpreter: str, python_version: str, root: Path) -> SdkInstall:
    cache, wanted = _request(interpreter, python_version, root)
    try:
        installed = cache.ensure(wanted)
    except (DependencyInstallError, OSError) as exc:
        reason = str(exc).strip().splitlines()[-1].strip() if str(exc).strip() else repr(exc)
        log.warning("could not install %s for Python %s: %s", REQUIREMENT, python_version,
                    reason)
        return SdkInstall(python_version=python_version, path=None,
                          problem=f"pip could not install {REQUIREMENT} for Python "
                                  f"{python_version} ({reason})")
    if not installed.was_cached:
        log.info("installed %s for Python %s in %s", REQUIREMENT, python_version,
                 installed.path)
    return SdkInstall(python_version=python_version, path=installed.path)


def forget_installs() -> None:
    """Drop what this process remembers of installs (tests that change the cache root)."""
    _pinned_sdk.cache_clear()
