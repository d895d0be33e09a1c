"""How a pythonX.Y function runs as a local process: which interpreter (that version when it
is installed, else samlite's own, which start-up names), its sys.path as Lambda builds it,
and the AWS SDK it finds after its code (the pinned boto3 of runtime_sdk.py, else links to
samlite's own copy). Choosing only; process.py starts the process.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from samlite.runtime.environments.private_dirs import cache_root, private_dir
from samlite.runtime.environments.python_probe import probe_python
from samlite.runtime.environments.runtime_sdk import SdkInstall, pinned_sdk


@functools.cache
def python_for(runtime: str) -> str:
    """The interpreter for a pythonX.Y runtime: that exact version when it is installed and
    runs (a pyenv shim may exist for a version that is not selected), else the one samlite
    runs on. Probed once per process, and once per binary across runs (python_probe.py)."""
    wanted = runtime.removeprefix("python")
    if wanted == f"{sys.version_info.major}.{sys.version_info.minor}":
        return sys.executable
    candidate = _real_python(f"python{wanted}")
    found = probe_python(candidate) if candidate else None
    if found is not None and found[0] == wanted:
        return found[1]   # the real binary, not a wrapper script: faster cold starts
    return sys.executable


def _real_python(name: str) -> str | None:
    """`name` on PATH; for a pyenv shim, the installed version's binary, or None when pyenv
    has none (running the shim would only fail, slowly, saying it is not installed)."""
    found = shutil.which(name)
    if found is None or f"{os.sep}shims{os.sep}" not in found:
        return found
    root = Path(os.environ.get("PYENV_ROOT") or Path(found).parent.parent)
    version = name.removeprefix("python")
    binaries = sorted(root.glob(f"versions/{version}*/bin/{name}"), reverse=True)
    return str(binaries[0]) if binaries else None


# Lambda's Python runtimes come with the AWS SDK (/var/runtime, after the function's code
# and layers on sys.path). Another interpreter than samlite's gets samlite's copy, which is
# pure Python: these packages and what they need.
AWS_SDK_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3",
                    "six")


@functools.cache
def aws_sdk_dir() -> Path | None:
    """A folder holding (links to) samlite's boto3 and its dependencies, for functions that
    run on another Python; None when boto3 is not installed beside samlite. It lives in the
    user's private cache (private_dirs.py): it goes on functions' PYTHONPATH, so a folder
    another user could make first would run their code."""
    import hashlib
    import importlib.util

    sources = []
    for name in AWS_SDK_PACKAGES:
        found = importlib.util.find_spec(name)
        if found is None or found.origin is None:
            if name == "boto3":
                return None
            continue
        origin = Path(found.origin)
        sources.append(origin.parent if origin.name == "__init__.py" else origin)
    # One folder per samlite installation, shared by its processes (links only, no copies).
    tag = hashlib.sha256(sys.prefix.encode()).hexdigest()[:12]
    folder = private_dir(private_dir(cache_root()) / f"aws-sdk-{tag}")
    for source in sources:
        link = folder / source.name
        if link.is_symlink() and link.resolve() != source.resolve():
            link.unlink()   # the installation moved its packages
        if not link.is_symlink():
            with contextlib.suppress(FileExistsError):   # another samlite made it meanwhile
                link.symlink_to(source)
    return folder


@functools.cache
def compile_sdk_in_background(interpreter: str) -> threading.Thread | None:
    """Compile samlite's AWS SDK for `interpreter` (compiling boto3 at each cold start would
    take ~300 ms), once per interpreter and SDK folder (a marker file in the folder
    remembers it)."""
    sdk = aws_sdk_dir()
    if sdk is None:
        return None
    marker = sdk / f".compiled-{Path(interpreter).name}"
    if marker.exists():
        return None

    def run() -> None:
        # Written beside samlite's own copy (its __pycache__, for this Python's version), as
        # pip does for the Python it installs with; a read-only install is only slower.
        packages = [str(path) for path in sorted(sdk.iterdir())
                    if path.is_dir() or path.suffix == ".py"]
        done = subprocess.run([interpreter, "-m", "compileall", "-q", "-j", "0", *packages],
                              capture_output=True, check=False)
        if done.returncode == 0:
            marker.touch()

    thread = threading.Thread(target=run, name="sdk-compile", daemon=True)
    thread.start()
    return thread


def python_mismatch(runtime: str, *, docker: str = "--runtime docker",
                    one: bool = False) -> str | None:
    """Why functions of a pythonX.Y runtime (`one`: a single function) run on another
    Python here, with the fix; None when they get their own version. `docker` spells the
    way to Lambda's image."""
    wanted = runtime.removeprefix("python")
    current = f"{sys.version_info.major}.{sys.version_info.minor}"
    if wanted == current or python_for(runtime) != sys.executable:
        return None
    they_run = "it runs" if one else "they run"
    return (f"this machine has no working python{wanted}, so {they_run} on Python {current} "
            f"({runtime_python(runtime)}); install Python {wanted} (pyenv, uv or your package "
            f"manager) to match Lambda, or use {docker} to run Lambda's image")


def python_path(spec_code_dir: Path, layer_dirs: tuple[Path, ...], version: str,
                dependency_dir: Path | None = None,
                layer_dependency_dirs: tuple[Path | None, ...] = (),
                built_layers: frozenset[Path] = frozenset()) -> str:
    """sys.path as Lambda builds it before the interpreter's own: the task root (with the
    function's installed requirements, which `sam build` puts beside its code), then each
    layer's python/lib/pythonX.Y/site-packages and python/ ("Packaging your layer content",
    Lambda developer guide; a layer's installed requirements are part of its python/), a later
    layer before an earlier one, since Lambda extracts them into /opt in order and a later
    layer's files overwrite an earlier one's. The runtime's own modules need no entry
    (samlite's loop is one script, run by path); the AWS SDK goes last (`sdk_path`)."""
    entries = [str(spec_code_dir)]
    if dependency_dir is not None:
        entries.append(str(dependency_dir))
    installed = dict(zip(layer_dirs, layer_dependency_dirs, strict=False))
    for layer in reversed(layer_dirs):
        python = layer if layer in built_layers else layer / "python"   # its /opt/python
        entries += [str(python / "lib" / f"python{version}" / "site-packages"), str(python)]
        if installed.get(layer) is not None:
            entries.append(str(installed[layer]))
    return os.pathsep.join(entries)


def runtime_python(runtime: str) -> str:
    """The interpreter a pythonX.Y function's process runs: python_for's, but never a
    virtual environment's launcher (samlite's own venv would be its bin dir, first on PATH):
    its base interpreter, which -S keeps clear of every site-packages."""
    interpreter = python_for(runtime)
    if interpreter == sys.executable and sys.prefix != sys.base_prefix:
        base = getattr(sys, "_base_executable", "") or ""
        if base and Path(base).is_file():
            return base
    return interpreter


def sdk_path(runtime: str) -> Path | None:
    """Where a pythonX.Y function finds boto3: the pinned install for its Python, else
    (pip failed: offline) the links to samlite's own copy."""
    version = runtime.removeprefix("python")
    install = pinned_sdk(runtime_python(runtime), version)
    return install.path if install.path is not None else aws_sdk_dir()


def sdk_problem(runtime: str) -> SdkInstall | None:
    """The failed install behind a runtime's SDK, when it fell back to samlite's copy."""
    install = pinned_sdk(runtime_python(runtime), runtime.removeprefix("python"))
    return install if install.path is None else None
