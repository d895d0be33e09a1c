"""How a nodejsXX.x function runs as a local process: which `node` runs it (the runtime's
major version when installed, else the closest, which start-up names), NODE_PATH as Lambda
sets it, and the AWS SDK for JavaScript v3 that Lambda's Node runtimes include, installed
from npm into samlite's private cache (never the host's copy). Choosing and installing only;
process.py starts the process.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from samlite.build.npm import cache_key, npm_install
from samlite.errors import DependencyInstallError
from samlite.runtime.environments.private_dirs import cache_root, private_dir
from samlite.runtime.spec import FunctionSpec

log = logging.getLogger(__name__)

NODE_LOOP = Path(__file__).resolve().parents[1] / "node_loop.cjs"
_PROBE_TIMEOUT_S = 10.0

# Lambda's Node.js runtimes include the AWS SDK for JavaScript v3 in /var/runtime/node_modules
# ("Building Lambda functions with Node.js", "Runtime-included SDK versions"; the included
# version varies by runtime version and Region). samlite installs these clients, each at a
# release of late 2026, for the services samlite serves locally: a function that imports
# another @aws-sdk package must ship it in its own node_modules, as it would to pin a version.
AWS_SDK_PACKAGES = {
    "@aws-sdk/client-s3": "3.1175.0",
    "@aws-sdk/client-sqs": "3.1175.0",
    "@aws-sdk/client-dynamodb": "3.1169.0",
    "@aws-sdk/lib-dynamodb": "3.1169.0",
    "@aws-sdk/client-sns": "3.1169.0",
    "@aws-sdk/client-eventbridge": "3.1169.0",
    "@aws-sdk/client-lambda": "3.1164.0",
    "@aws-sdk/client-sts": "3.1177.0",
    "@aws-sdk/client-secrets-manager": "3.1164.0",
    "@aws-sdk/client-ssm": "3.1169.0",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeBinary:
    path: str
    version: str          # "20.20.2"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])


def wanted_major(runtime: str) -> int | None:
    """20 for "nodejs20.x"; None for anything else."""
    found = re.fullmatch(r"nodejs(\d+)\.x", runtime)
    return int(found[1]) if found else None


def _candidates() -> list[str]:
    """`node` on PATH, then the versions nvm, n and fnm keep (not on PATH until selected)."""
    found = [p for p in (shutil.which("node"), shutil.which("nodejs")) if p]
    home = Path.home()
    nvm = Path(os.environ.get("NVM_DIR") or home / ".nvm")
    patterns = ((nvm, "versions/node/*/bin/node"),
                (Path("/usr/local/n"), "versions/node/*/bin/node"),
                (home / ".local/share/fnm", "node-versions/*/installation/bin/node"))
    for root, pattern in patterns:
        if root.is_dir():
            found += [str(p) for p in sorted(root.glob(pattern))]
    return found


@functools.cache
def installed_nodes() -> tuple[NodeBinary, ...]:
    """Every node this machine has that runs, one per real binary. Probed once per process."""
    nodes: dict[str, NodeBinary] = {}
    for candidate in _candidates():
        real = str(Path(candidate).resolve())
        if real in nodes:
            continue
        try:
            done = subprocess.run([real, "-p", "process.versions.node"], capture_output=True,
                                  text=True, timeout=_PROBE_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        version = done.stdout.strip()
        if done.returncode == 0 and re.fullmatch(r"\d+\.\d+\.\d+", version):
            nodes[real] = NodeBinary(path=real, version=version)
    return tuple(nodes.values())


def node_for(runtime: str) -> NodeBinary | None:
    """The node a nodejsXX.x function runs on: the newest of that major version, else the
    closest major (the newer one on a tie); None when this machine has no node."""
    nodes = installed_nodes()
    wanted = wanted_major(runtime)
    if not nodes or wanted is None:
        return None
    return min(nodes, key=lambda n: (abs(n.major - wanted), -n.major,
                                     tuple(-int(p) for p in n.version.split("."))))


def node_mismatch(runtime: str, *, docker: str = "--runtime docker",
                  one: bool = False) -> str | None:
    """Why functions of a nodejsXX.x runtime (`one`: a single function) run on another Node
    here (or cannot run), with the fix; None when they get their own major version.
    `docker` spells the way to Lambda's image."""
    wanted = wanted_major(runtime)
    node = node_for(runtime)
    they = "it" if one else "they"
    if node is None:
        return (f"this machine has no node, so {they} cannot run as processes; install "
                f"Node.js {wanted} (nvm, fnm or your package manager) or use {docker}")
    if node.major == wanted:
        return None
    return (f"this machine has no Node.js {wanted}, so {they} run{'s' if one else ''} on "
            f"Node.js {node.version} "
            f"({node.path}); install Node.js {wanted} (nvm, fnm or your package manager) to "
            f"match Lambda, or use {docker} to run Lambda's image")


def node_path(spec: FunctionSpec, major: int, sdk_dir: Path | None, *,
              task_root: Path | None = None) -> str:
    """NODE_PATH as Lambda sets it, with local folders: /opt/nodejs/nodeXX/node_modules and
    /opt/nodejs/node_modules of the layers (a later layer first: Lambda extracts them into one
    /opt in order), the function's installed dependencies (`sam build` puts them in
    /var/task/node_modules), then /var/runtime/node_modules (the SDK), /var/runtime and
    /var/task ("Defined runtime environment variables", Lambda developer guide). A bundled
    function's task root is its bundle; its own node_modules still serve its externals."""
    layers = tuple(reversed(spec.layer_dirs))
    entries = [str(layer / "nodejs" / f"node{major}" / "node_modules") for layer in layers]
    entries += [str(layer / "nodejs" / "node_modules") for layer in layers]
    if spec.dependency_dir is not None:
        entries.append(str(spec.dependency_dir / "node_modules"))
    if sdk_dir is not None:
        entries.append(str(sdk_dir / "node_modules"))
    if task_root is not None and task_root != spec.code_dir:
        entries.append(str(spec.code_dir / "node_modules"))
    entries += [str(NODE_LOOP.parent), str(task_root or spec.code_dir)]
    return os.pathsep.join(entries)


def esm_fallback_dirs(spec: FunctionSpec, sdk_dir: Path | None) -> str:
    """Where an ES module's bare import is looked for when Node's own resolution (which
    ignores NODE_PATH) fails: the installed dependencies and the SDK, the two places that
    are /var/task/node_modules and /var/runtime/node_modules on Lambda. Layers are not: on
    Lambda, ES modules do not find packages in layers either."""
    dirs = [d for d in (spec.dependency_dir, sdk_dir) if d is not None]
    return os.pathsep.join(str(d) for d in dirs)


_sdk_lock = threading.Lock()


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeSdk:
    path: Path | None     # holds node_modules/@aws-sdk/...
    problem: str | None = None


def sdk_is_installed(major: int) -> bool:
    """Whether the SDK for Node `major` is in the cache already (nothing to install)."""
    folder = _sdk_folder()
    return (folder / cache_key(folder, major)).is_dir()


def node_sdk(major: int) -> NodeSdk:
    """The pinned AWS SDK v3 for Node `major`, installed first unless cached. Never raises:
    a failed install (offline) is named in `problem`."""
    with _sdk_lock:
        return _node_sdk(major, cache_root())


def _sdk_folder() -> Path:
    folder = private_dir(private_dir(private_dir(cache_root()) / "runtime-sdk") / "nodejs")
    manifest = folder / "package.json"
    text = json.dumps({"name": "samlite-lambda-aws-sdk", "private": True,
                       "dependencies": AWS_SDK_PACKAGES}, indent=2) + "\n"
    if not manifest.is_file() or manifest.read_text(encoding="utf-8") != text:
        manifest.write_text(text, encoding="utf-8")
    return folder


@functools.cache
def _node_sdk(major: int, root: Path) -> NodeSdk:
    del root   # part of the cache key: tests that move the cache root get a fresh answer
    folder = _sdk_folder()
    try:
        installed = npm_install(folder, folder, node_major=major,
                                label="the AWS SDK for JavaScript v3")
    except (DependencyInstallError, OSError) as exc:
        reason = str(exc).strip().splitlines()[-1].strip() if str(exc).strip() else repr(exc)
        log.warning("could not install the AWS SDK v3 for Node.js %d: %s", major, reason)
        return NodeSdk(path=None, problem=f"npm could not install the AWS SDK for JavaScript "
                                          f"v3 for Node.js {major} ({reason})")
    return NodeSdk(path=installed.path)


def node_runtimes(specs: Iterable[FunctionSpec]) -> tuple[str, ...]:
    return tuple(sorted({spec.runtime for spec in specs
                         if spec.is_nodejs and spec.package_type != "Image"}))
