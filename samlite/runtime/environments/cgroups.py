"""A container's cgroup files on the host, found from its id (cgroup v1 and v2, Docker's
cgroupfs and systemd drivers) and read or written directly: its peak memory (a pread, no
engine call), its CPU burst (Docker's API has no field for it) and its CPU accounting.
No docker import; nothing here starts or stops anything.

CPU burst (kernel 5.14+, "CFS Bandwidth Control", Documentation/scheduler/sched-bwc.rst):
a group may bank quota it left unused, up to `burst`, and spend it in a later period; the
kernel refuses a burst larger than the quota, and the long-run average stays quota/period.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True, slots=True, kw_only=True)
class CpuStat:
    """A container's CPU accounting so far, in v1's and v2's common terms."""
    usage_us: int          # CPU time its processes used
    nr_periods: int        # enforcement periods in which it was runnable
    nr_throttled: int      # periods that ended with it throttled (quota spent)
    nr_bursts: int         # periods in which it spent banked (burst) quota


def is_cgroup_v2(root: Path = CGROUP_ROOT) -> bool:
    return (root / "cgroup.controllers").exists()


def container_dirs(container_id: str, controller: str, *,
                   root: Path = CGROUP_ROOT) -> tuple[Path, ...]:
    """Where a container's cgroup may be for one v1 controller ("cpu", "memory"; ignored
    under v2, which has one tree), with the cgroupfs driver then the systemd one."""
    if is_cgroup_v2(root):
        bases = (root,)
    else:   # "cpu" is often mounted as "cpu,cpuacct" (with cpu a link to it)
        names = {"cpu": ("cpu", "cpu,cpuacct"), "cpuacct": ("cpuacct", "cpu,cpuacct")}
        bases = tuple(root / name for name in names.get(controller, (controller,)))
    return tuple(base / tail for base in bases
                 for tail in (f"docker/{container_id}",
                              f"system.slice/docker-{container_id}.scope"))


def memory_files(container_id: str, *, root: Path = CGROUP_ROOT) -> tuple[str, ...]:
    """Where the host keeps a container's peak memory: v2 memory.peak, v1
    memory.max_usage_in_bytes."""
    name = "memory.peak" if is_cgroup_v2(root) else "memory.max_usage_in_bytes"
    return tuple(str(folder / name) for folder in container_dirs(container_id, "memory",
                                                                 root=root))


def set_cpu_burst(container_id: str, burst_us: int, *, root: Path = CGROUP_ROOT) -> bool:
    """Let the container bank up to `burst_us` of unused quota (v2 cpu.max.burst, v1
    cpu.cfs_burst_us; both microseconds). Whether it was written: not when the kernel has
    no burst, the folder is not where Docker's drivers put it, or this user may not write
    it (rootless Docker)."""
    name = "cpu.max.burst" if is_cgroup_v2(root) else "cpu.cfs_burst_us"
    for folder in container_dirs(container_id, "cpu", root=root):
        with contextlib.suppress(OSError):
            (folder / name).write_text(f"{burst_us}\n", encoding="ascii")
            return True
    return False


def cpu_burst_us(container_id: str, *, root: Path = CGROUP_ROOT) -> int | None:
    """The burst the container has now; None when it cannot be read."""
    name = "cpu.max.burst" if is_cgroup_v2(root) else "cpu.cfs_burst_us"
    for folder in container_dirs(container_id, "cpu", root=root):
        with contextlib.suppress(OSError, ValueError):
            return int((folder / name).read_text(encoding="ascii"))
    return None


def cpu_stat(container_id: str, *, root: Path = CGROUP_ROOT) -> CpuStat | None:
    """The container's CPU accounting (v2 cpu.stat; v1 cpu.stat and cpuacct.usage); None
    when its cgroup is not found."""
    for folder in container_dirs(container_id, "cpu", root=root):
        try:
            fields = _fields(folder / "cpu.stat")
            if is_cgroup_v2(root):
                usage_us = fields["usage_usec"]
            else:
                usage_us = next(int((accounting / "cpuacct.usage").read_text()) // 1000
                                for accounting in container_dirs(container_id, "cpuacct",
                                                                 root=root)
                                if (accounting / "cpuacct.usage").exists())
            return CpuStat(usage_us=usage_us, nr_periods=fields["nr_periods"],
                           nr_throttled=fields["nr_throttled"],
                           nr_bursts=fields.get("nr_bursts", 0))
        except (OSError, KeyError, ValueError, StopIteration):
            continue
    return None


def _fields(path: Path) -> dict[str, int]:
    pairs = (line.split() for line in path.read_text(encoding="ascii").splitlines())
    return {pair[0]: int(pair[1]) for pair in pairs if len(pair) == 2}
