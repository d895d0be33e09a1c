"""A private /tmp and a read-only task root for a process environment, as Lambda's sandbox
has them: on Linux, a mount namespace of the environment's own (util-linux `unshare`; a user
namespace too when samlite is not root) in which the environment's folder is mounted on /tmp
and the task root and layers are bind-mounted read-only where they are. Deciding whether
this machine allows it (probed once) and the command prefix that sets it up; not starting
anything else.

Where the kernel refuses namespaces, or a folder the function needs lies under the host's
/tmp (the new /tmp would hide it), the environment keeps the older way: TMPDIR points at its
folder, so `tempfile` is private but a literal "/tmp/x" is the host's.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from samlite.runtime.environments.private_dirs import cache_root, private_dir

log = logging.getLogger(__name__)

HOST_TMP = Path("/tmp")  # noqa: S108 - the path a handler writes literally, mounted over
_PROBE_TIMEOUT_S = 10.0
# Runs inside the new namespace: /tmp first (its source is resolved before it is hidden),
# then each read-only folder, then the runtime. Paths come as arguments, never as code.
_MOUNT_SCRIPT = (
    'tmp=$1; shift; mount --bind "$tmp" /tmp || exit 126; '
    'while [ "$1" != -- ]; do '
    'mount --rbind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 126; shift; done; '
    'shift; exec "$@"'
)


@dataclass(frozen=True, slots=True, kw_only=True)
class NamespaceSupport:
    """Whether process environments get a mount namespace here, and how, or why not."""

    unshare_flags: tuple[str, ...] = ()   # () when namespaces are refused
    problem: str | None = None

    @property
    def available(self) -> bool:
        return bool(self.unshare_flags)


PARTIAL_ISOLATION = (
    "isolation is partial: {why}, so each environment's /tmp is a private folder given "
    "as TMPDIR (tempfile uses it) but a literal '/tmp/...' path is the host's shared /tmp, "
    "and the task root and layers are writable")


_probing = threading.Lock()


def namespace_support() -> NamespaceSupport:
    """Probed once per samlite process: mounting a folder on /tmp in a new namespace. A
    caller meeting a probe under way (probe_namespaces_ahead) waits for its answer."""
    with _probing:
        return _probe()


def probe_namespaces_ahead() -> None:
    """Start the probe in the background now (it waits on a process for ~5-10 ms), so the
    first environment's start finds the answer ready."""
    threading.Thread(target=namespace_support, name="namespace-probe", daemon=True).start()


@functools.cache
def _probe() -> NamespaceSupport:
    unshare, mount = shutil.which("unshare"), shutil.which("mount")
    if unshare is None or mount is None:
        return NamespaceSupport(problem="util-linux's unshare and mount are not installed")
    flags = ("--mount",) if os.geteuid() == 0 else ("--user", "--map-root-user", "--mount")
    probe = Path(tempfile.mkdtemp(prefix="probe-", dir=private_dir(cache_root())))
    try:
        done = subprocess.run(
            [unshare, *flags, "--", "/bin/sh", "-c", _MOUNT_SCRIPT, "sh", str(probe), "--",
             "/bin/sh", "-c", "echo ok > /tmp/probe"],
            capture_output=True, text=True, timeout=_PROBE_TIMEOUT_S, check=False)
        worked = done.returncode == 0 and (probe / "probe").is_file()
        output = (done.stderr or done.stdout).strip().splitlines()
    except (OSError, subprocess.TimeoutExpired) as exc:
        worked, output = False, [str(exc)]
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    if not worked:
        reason = output[-1] if output else "it failed"
        log.warning("no mount namespaces for process environments: %s", reason)
        return NamespaceSupport(problem=f"this kernel refuses mount namespaces ({reason})")
    return NamespaceSupport(unshare_flags=(unshare, *flags))


def under_host_tmp(paths: Iterable[Path]) -> Path | None:
    """The first of `paths` the new /tmp would hide (it lies under the host's /tmp)."""
    host_tmp = HOST_TMP.resolve()
    for path in paths:
        resolved = path.resolve()
        if resolved == host_tmp or host_tmp in resolved.parents:
            return path
    return None


def namespace_prefix(support: NamespaceSupport, *, tmp_dir: Path,
                     read_only: Sequence[Path]) -> list[str]:
    """What the runtime's command runs behind: a new mount namespace with `tmp_dir` on /tmp
    and `read_only` folders made read-only in place. The same process then becomes the
    runtime (no fork), so its pid, its cgroup and its session are the runtime's."""
    folders = list(dict.fromkeys(str(path) for path in read_only if path.is_dir()))
    return [*support.unshare_flags, "--", "/bin/sh", "-c", _MOUNT_SCRIPT, "sh", str(tmp_dir),
            *folders, "--"]
