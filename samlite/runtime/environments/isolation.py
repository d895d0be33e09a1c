"""A private /tmp and a read-only file system around it for a process environment, as
Lambda's sandbox has them: on Linux, a mount namespace of the environment's own (util-linux
`unshare`; a user namespace too when samlite is not root) in which the environment's folder
is mounted on /tmp, the task root and layers are bind-mounted read-only where they are, and
every other writable mount (the root, /home, /dev/shm, ...) is remounted read-only, in that
namespace only. Deciding whether this machine allows it (probed once) and the command prefix
that sets it up; not starting anything else.

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
# then each read-only folder, then every other writable mount read-only, then the runtime.
# mountinfo's fifth field is the mount point (octal-escaped: unescaped only when it has a
# backslash, as a subshell costs a fork), its sixth starts with rw or ro, and the file
# system type follows a "-". Left alone: the kernel's own (/proc, /sys, /dev and its pts and
# mqueue: device nodes take writes on Lambda too), namespace files (nsfs), and a point seen
# already (a remount reaches the top mount there). Each remount is a `mount` run (~1.3 ms);
# one that refuses is left as it is (the probe says whether the root took it). Paths come
# as arguments, never as code.
_MOUNT_SCRIPT = (
    'tmp=$1; shift; mount --bind "$tmp" /tmp || exit 126; '
    'while [ "$1" != -- ]; do '
    'mount --rbind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 126; shift; done; '
    "seen=' '; "
    'while read -r _ _ _ _ point options rest; do '
    'case "$options" in ro|ro,*) continue;; esac; '
    'case "$rest" in *"- nsfs "*) continue;; esac; '
    'case "$point" in /tmp|/tmp/*|/proc|/proc/*|/sys|/sys/*|/dev|/dev/pts|/dev/mqueue) '
    'continue;; esac; '
    'case "$seen" in *" $point "*) continue;; esac; seen="$seen$point "; '
    'case "$point" in *\\\\*) point=$(printf "%b" "$point");; esac; '
    'mount -o remount,bind,ro "$point" 2>/dev/null; '
    'done < /proc/self/mountinfo; '
    'shift; exec "$@"'
)
# What the probe runs inside: /tmp is the probe's folder, and the folder beside it (the
# host's, in samlite's cache) must have become read-only.
_PROBE_SCRIPT = 'echo ok > /tmp/probe; (echo x > "$0/root-writable") 2>/dev/null; exit 0'


@dataclass(frozen=True, slots=True, kw_only=True)
class NamespaceSupport:
    """Whether process environments get a mount namespace here, and how, or why not."""

    unshare_flags: tuple[str, ...] = ()   # () when namespaces are refused
    problem: str | None = None
    # Why the host's file system outside /tmp stays writable in the namespace; None when
    # it is read-only there, as on Lambda.
    writable_root: str | None = None

    @property
    def available(self) -> bool:
        return bool(self.unshare_flags)


PARTIAL_ISOLATION = (
    "isolation is partial: {why}, so each environment's /tmp is a private folder given "
    "as TMPDIR (tempfile uses it) but a literal '/tmp/...' path is the host's shared /tmp, "
    "and the task root, the layers and the rest of the host's file system are writable")
WRITABLE_ROOT = (
    "the host's file system outside /tmp stays writable for functions ({why}), where "
    "Lambda's is read-only: a write there that works here fails on AWS")


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
    beside = Path(tempfile.mkdtemp(prefix="probe-", dir=private_dir(cache_root())))
    probe = beside / "tmp"
    probe.mkdir()
    try:
        done = subprocess.run(
            [unshare, *flags, "--", "/bin/sh", "-c", _MOUNT_SCRIPT, "sh", str(probe), "--",
             "/bin/sh", "-c", _PROBE_SCRIPT, str(beside)],
            capture_output=True, text=True, timeout=_PROBE_TIMEOUT_S, check=False)
        worked = done.returncode == 0 and (probe / "probe").is_file()
        root_writable = (beside / "root-writable").exists()
        output = (done.stderr or done.stdout).strip().splitlines()
    except (OSError, subprocess.TimeoutExpired) as exc:
        worked, root_writable, output = False, True, [str(exc)]
    finally:
        shutil.rmtree(beside, ignore_errors=True)
    if not worked:
        reason = output[-1] if output else "it failed"
        log.warning("no mount namespaces for process environments: %s", reason)
        return NamespaceSupport(problem=f"this kernel refuses mount namespaces ({reason})")
    return NamespaceSupport(
        unshare_flags=(unshare, *flags),
        writable_root="the kernel refused to remount it read-only in the environment's "
                      "namespace" if root_writable else None)


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
