"""Installs a package.json's dependencies with npm into a content-addressed cache folder,
once: `<root>/<key>/node_modules`, where the key covers the manifest, its lock file and the
Node major version. As `sam build` does for Node functions ("Building Node.js Lambda
functions", AWS SAM developer guide: `npm install` of the production dependencies), but
never in the function's own folder.

An install goes to a private staging folder renamed into place when npm succeeded, under a
lock, so two samlites wait for each other and a killed install leaves nothing complete.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from samlite.errors import DependencyInstallError

MANIFEST = "package.json"
LOCK_FILES = ("package-lock.json", "npm-shrinkwrap.json")
NPM_TAIL_LINES = 25
KEY_VERSION = "1"   # bump when the layout of a cached install changes

Runner = Callable[..., subprocess.CompletedProcess[str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class NpmInstalled:
    path: Path            # holds node_modules/
    was_cached: bool

    @property
    def node_modules(self) -> Path:
        return self.path / "node_modules"


def declared_dependencies(folder: Path) -> Mapping[str, str]:
    """The `dependencies` of folder/package.json (name -> version range); {} without one."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return {}
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found = data.get("dependencies") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def missing_dependencies(folder: Path) -> tuple[str, ...]:
    """The declared dependencies that are not in folder/node_modules (the user's own
    `npm install`), in the manifest's order."""
    return tuple(name for name in declared_dependencies(folder)
                 if not (folder / "node_modules" / name / MANIFEST).is_file())


def cache_key(folder: Path, node_major: int) -> str:
    digest = hashlib.sha256(f"{KEY_VERSION}\0{node_major}\0".encode())
    for name in (MANIFEST, *LOCK_FILES):
        path = folder / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"")
                      + b"\0")
    return f"node{node_major}-{digest.hexdigest()[:20]}"


def npm_install(folder: Path, root: Path, *, node_major: int, label: str,
                npm: str | None = None, run: Runner = subprocess.run) -> NpmInstalled:
    """folder's package.json (and lock file) installed under `root`, unless cached. Raises
    DependencyInstallError naming `label` when npm is missing or fails."""
    target = root / cache_key(folder, node_major)
    if target.is_dir():
        return NpmInstalled(path=target, was_cached=True)
    program = npm or shutil.which("npm")
    if program is None:
        raise DependencyInstallError(f"{label}: npm is not installed, so its package.json "
                                     "dependencies cannot be installed; install Node.js's npm "
                                     "or run `npm install` in its folder")
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _locked(root / f"{target.name}.lock"):
        if target.is_dir():
            return NpmInstalled(path=target, was_cached=True)
        staging = root / f".staging-{target.name}-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(mode=0o700)
        try:
            for name in (MANIFEST, *LOCK_FILES):
                if (folder / name).is_file():
                    shutil.copy2(folder / name, staging / name)
            command = [program, "install", "--omit=dev", "--no-audit", "--no-fund",
                       "--no-update-notifier", "--loglevel=error"]
            try:
                done = run(command, cwd=staging, capture_output=True, text=True, check=False)
            except OSError as exc:
                raise DependencyInstallError(f"{label}: could not run npm ({exc})") from exc
            if done.returncode != 0:
                output = ((done.stderr or "") + (done.stdout or "")).strip().splitlines()
                tail = "\n".join(f"  {line}" for line in output[-NPM_TAIL_LINES:])
                raise DependencyInstallError(
                    f"{label}: npm install of {folder / MANIFEST} failed "
                    f"(exit {done.returncode}):\n{tail}")
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return NpmInstalled(path=target, was_cached=False)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
