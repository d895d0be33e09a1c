"""What version a Python binary is and where it lives, asked once and remembered across runs.

Starting an interpreter to ask costs ~10-20 ms, paid by every `samlite invoke` before the
function can start; the answer is kept in the user's private cache, keyed by the binary's
inode, size and modification time, so a reinstalled or upgraded Python is asked again.
A wrapper (a shim that picks a Python by folder or environment) is asked every time: its
answer is not a property of its file."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path

from samlite.errors import UnsafeFolder
from samlite.runtime.environments.private_dirs import cache_root, private_dir

CACHE_FILE = "pythons.json"
PROBE = "import sys; print('%d.%d' % sys.version_info[:2], sys.executable)"


def probe_python(candidate: str, *, cache_dir: Path | None = None) -> tuple[str, str] | None:
    """(X.Y version, real executable) of the Python `candidate` runs, or None when it does
    not run. Remembered in `cache_dir` (default: samlite's private cache) when `candidate`
    is that executable itself."""
    key = _identity(candidate)
    if key is None:
        return None
    cache = _cache_path(cache_dir)
    known = _read(cache).get(candidate) if cache is not None else None
    if isinstance(known, dict) and known.get("identity") == key and \
            Path(str(known.get("executable"))).exists():
        return str(known["version"]), str(known["executable"])
    try:
        done = subprocess.run([candidate, "-c", PROBE], capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    version, _, executable = done.stdout.strip().partition(" ")
    if done.returncode != 0 or not version or not executable:
        return None
    if cache is not None and _identity(executable) == key:   # not a wrapper
        _remember(cache, candidate, {"identity": key, "version": version,
                                     "executable": executable})
    return version, executable


def _identity(path: str) -> list[int] | None:
    try:
        info = Path(path).stat()
    except OSError:
        return None
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns]


def _cache_path(cache_dir: Path | None) -> Path | None:
    try:
        return private_dir(cache_dir or cache_root()) / CACHE_FILE
    except UnsafeFolder:
        return None   # not remembered: asked every time, as before


def _read(cache: Path) -> dict[str, object]:
    try:
        found = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _remember(cache: Path, candidate: str, entry: dict[str, object]) -> None:
    # Read, add, replace atomically: concurrent samlites lose at worst one entry (asked again).
    entries = _read(cache)
    entries[candidate] = entry
    partial = cache.with_name(f"{cache.name}.{os.getpid()}")
    with contextlib.suppress(OSError):
        partial.write_text(json.dumps(entries, indent=1), encoding="utf-8")
        partial.replace(cache)
