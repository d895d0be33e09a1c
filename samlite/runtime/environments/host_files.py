"""An execution environment's files on the host: its output pipe, how much its /tmp holds,
the /opt its layers make, and the names of the signals that end it. Shared by the process
and container environments, so both forward, measure and report alike."""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

_MIB = 1024 * 1024
# Folders of a CodeUri that are never part of the function (samlite's state with its own
# dependency cache, SAM CLI's build output, version control).
_NOT_PACKAGED = frozenset({".samlite", ".aws-sam", ".git"})


class LineForwarder:
    """A runtime's output, read from its pipe with os.read (no hidden Python buffer) and
    forwarded line by line. The reader marks a chunk taken before reading it, so at any
    moment output is either still in the pipe or being forwarded: settle() relies on that
    for runtimes that write no end-of-output marker."""

    def __init__(self, on_output: Callable[[str], None]) -> None:
        self._on_output = on_output
        self._pending = b""
        self.busy = False
        self._last_read_full = False
        # One reader at a time: the pump, or an invoker forwarding what is there now.
        self._lock = threading.Lock()

    def read(self, fd: int) -> bool:
        """Read and forward one chunk (call when fd is readable); False at the end."""
        with self._lock:
            return self._read(fd)

    def forward_now(self, fd: int) -> None:
        """Forward what the pipe (non-blocking) holds now, on the caller's thread."""
        with self._lock:
            while self._read(fd) and self._last_read_full:
                pass

    def wait_for_reader(self) -> None:
        """Return once no reader is forwarding a chunk it has taken from the pipe."""
        with self._lock:
            pass

    def _read(self, fd: int) -> bool:
        self.busy = True
        self._last_read_full = False
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            self.busy = False
            return True
        except OSError:
            chunk = b""
        try:
            if not chunk:
                return False
            self._last_read_full = len(chunk) == 65536
            *lines, self._pending = (self._pending + chunk).split(b"\n")
            for raw in lines:
                self._on_output(raw.decode("utf-8", "replace").rstrip("\r"))
            return True
        finally:
            self.busy = False

    def finish(self) -> None:
        """Forward a last line that had no newline."""
        self.busy = False
        if self._pending:
            pending, self._pending = self._pending, b""
            self._on_output(pending.decode("utf-8", "replace").rstrip("\r"))

    def settle(self, fd: Callable[[], int | None], timeout_s: float) -> None:
        """Return once what was written to the pipe so far has been forwarded (bounded)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                current = fd()
                if current is None:
                    return
                readable, _, _ = select.select([current], [], [], 0)
            except (OSError, ValueError):
                return   # closed: the runtime is gone
            if not readable and not self.busy:
                return
            time.sleep(0.0005)


def signal_name(number: int) -> str:
    """A signal as Lambda names it in "Runtime exited with error: signal: killed" (Go's
    wording: killed, terminated, …)."""
    names = {signal.SIGKILL: "killed", signal.SIGTERM: "terminated"}
    try:
        sig = signal.Signals(number)
    except ValueError:
        return f"signal {number}"
    return names.get(sig, sig.name.lower().removeprefix("sig"))


class TmpUsage:
    """What a host folder holds, walked again only when its entries changed or a second has
    passed (as the process environment measures /tmp)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._path = os.fspath(folder)   # os.stat of a str: Path.stat costs three calls more
        self._seen = -1
        self._walked_at = 0.0
        self._mb = 0.0

    def used_mb(self) -> float:
        try:
            changed = os.stat(self._path).st_mtime_ns   # noqa: PTH116 - once per invoke
        except OSError:
            return 0.0
        now = time.monotonic()
        if changed == self._seen and now - self._walked_at < 1.0:
            return self._mb
        total = 0
        for root, _dirs, files in os.walk(self.folder):
            for name in files:
                with contextlib.suppress(OSError):
                    info = (Path(root) / name).lstat()
                    if stat.S_ISREG(info.st_mode):
                        total += info.st_blocks * 512
        self._seen, self._walked_at, self._mb = changed, now, total / _MIB
        return self._mb


def opt_folder(layer_dirs: tuple[Path, ...], staging: Path,
               installed: tuple[Path | None, ...] = (),
               built: frozenset[Path] = frozenset()) -> Path | None:
    """The folder to mount at /opt: nothing without layers, the layer itself when there is
    one (and samlite installed nothing for it), else the layers merged in order into
    `staging`, a later layer's file replacing an earlier one's, as Lambda extracts them; a
    layer's installed requirements join its python/ folder, and a `built` layer (a Python
    BuildMethod) is that python/ folder, as `sam build` lays it out. Merged with hard links where
    the file system allows (no copying), else copies. One tree, not a mount per layer,
    because /opt/bin, /opt/lib, /opt/python and /opt/nodejs each gather files from every
    layer."""
    if not layer_dirs:
        return None
    packages = dict(zip(layer_dirs, installed, strict=False))
    if len(layer_dirs) == 1 and packages.get(layer_dirs[0]) is None \
            and layer_dirs[0] not in built:
        return layer_dirs[0]
    staging.mkdir(parents=True, exist_ok=True)
    for layer in layer_dirs:
        if layer in built:
            (staging / "python").mkdir(exist_ok=True)
        _merge(layer, staging / "python" if layer in built else staging)
        if (folder := packages.get(layer)) is not None:
            (staging / "python").mkdir(exist_ok=True)
            _merge(folder, staging / "python")
    return staging


def task_root_folder(code_dir: Path, dependency_dir: Path | None, staging: Path) -> Path:
    """The folder to mount at /var/task: the code itself, or with installed requirements
    the two merged into `staging` as `sam build` lays out its artifact (the code's files
    win over a package's of the same name)."""
    if dependency_dir is None:
        return code_dir
    staging.mkdir(parents=True, exist_ok=True)
    _merge(dependency_dir, staging)
    _merge(code_dir, staging, skip=_NOT_PACKAGED)
    return staging


def _merge(source: Path, target: Path, *, skip: frozenset[str] = frozenset()) -> None:
    """`source`'s tree into `target`, leaving out the top-level entries named in `skip`."""
    for root, dirs, files in os.walk(source):
        here = target / Path(root).relative_to(source)
        if root == str(source):
            dirs[:] = [name for name in dirs if name not in skip]
            files = [name for name in files if name not in skip]
        for name in list(dirs):
            if (Path(root) / name).is_symlink():
                dirs.remove(name)
                files.append(name)
            else:
                existing = here / name
                if existing.is_symlink() or (existing.exists() and not existing.is_dir()):
                    existing.unlink()
                existing.mkdir(exist_ok=True)
        for name in files:
            src, dst = Path(root) / name, here / name
            if dst.is_dir() and not dst.is_symlink():
                shutil.rmtree(dst)
            elif dst.exists() or dst.is_symlink():
                dst.unlink()
            if src.is_symlink():
                dst.symlink_to(src.readlink())
                continue
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)


def tmp_over_limit(usage: TmpUsage, limit_mb: int) -> str | None:
    """Why an environment's /tmp is past EphemeralStorage, or None. No kernel enforces the
    total on a plain folder, so environments check it while they run."""
    used_mb = usage.used_mb()
    if used_mb <= limit_mb:
        return None
    return (f"/tmp holds {used_mb:.0f} MB, more than EphemeralStorage {limit_mb} MB "  # noqa: S108 - a message
            "(Lambda would fail the writes with No space left on device)")
