"""Every process of one process environment, however its runtime's children try to leave
(`setsid`, double forks): found, measured, counted and killed together, as Lambda resets its
whole sandbox. Two kinds, chosen once per samlite process (`tree_kinds`):

- a cgroup v2 of its own where the kernel lets samlite make one: membership is the kernel's,
  `cgroup.kill` ends every member, and `pids.max` / `memory.max` apply where those
  controllers can be enabled, so children count against the function's limits;
- else the runtime's session plus every process carrying the environment's tag variable
  (children inherit it, as Jenkins' ProcessTreeKiller finds a build's processes), from /proc.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from samlite.runtime.environments.private_dirs import process_start_time

log = logging.getLogger(__name__)

# Lambda quotas ("Lambda quotas", execution environment): 1,024 processes/threads.
MAX_PROCESSES = 1024
TAG_VARIABLE = "_SAMLITE_ENVIRONMENT"
_KILL_WAIT_S = 2.0
_PAGE = os.sysconf("SC_PAGE_SIZE")


class ProcessTree(Protocol):
    def launch_prefix(self) -> list[str]:
        """What the runtime's command runs behind, so it is a member before it can fork."""
        ...

    def variables(self) -> dict[str, str]:
        """Environment variables the runtime (and so its children) must carry."""
        ...

    def started(self, pid: int) -> None: ...

    def pids(self) -> list[int]:
        """The live member processes now (zombies are gone already)."""
        ...

    def task_count(self) -> int:
        """Processes and threads, as Lambda's 1,024 cap counts them."""
        ...

    def memory_bytes(self, runtime_pid: int | None = None) -> int:
        """The members' memory now, shared pages counted once; 0 where it is measured per
        process and the runtime (`runtime_pid`) is the only member: its own peak (VmHWM),
        which the caller reads, is never less than that."""
        ...

    def out_of_memory(self) -> bool:
        """The kernel killed a member for passing memory.max."""
        ...

    def kill(self) -> bool:
        """SIGKILL every member; True once none is left (bounded wait)."""
        ...

    def close(self) -> None:
        """Kill what is left and release the tree's kernel objects."""
        ...


TreeFactory = Callable[[str, int], ProcessTree]   # (env_id, memory_mb) -> its tree


# --- the cgroup v2 kind ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class CgroupParent:
    """The cgroup samlite makes its environments' cgroups in, and the controllers they get."""

    folder: Path
    controllers: frozenset[str]


def cgroup_parent() -> CgroupParent | None:
    """A cgroup of this samlite process's own, under the one it runs in, when cgroup v2 is
    mounted and writable here; None otherwise. Sweeps those of samlite processes that died."""
    mount = _cgroup2_mount()
    own = _own_cgroup()
    if mount is None or own is None:
        return None
    home = mount / own.lstrip("/")
    if not os.access(home, os.W_OK):
        return None
    _remove_ended_parents(home)
    pid = os.getpid()
    folder = home / f"samlite-{pid}.{process_start_time(pid)}"
    try:
        folder.mkdir(exist_ok=True)
    except OSError:
        return None
    enabled = set()
    available = _read(folder / "cgroup.controllers").split()
    for controller in ("pids", "memory"):
        if controller in available:
            with contextlib.suppress(OSError):
                (folder / "cgroup.subtree_control").write_text(f"+{controller}")
                enabled.add(controller)
    return CgroupParent(folder=folder, controllers=frozenset(enabled))


def _cgroup2_mount() -> Path | None:
    # /proc/self/mountinfo: "... mount-point options - fstype source super-options" (proc(5))
    for line in _read(Path("/proc/self/mountinfo")).splitlines():
        fields, _, tail = line.partition(" - ")
        if tail.split(" ", 1)[0] == "cgroup2":
            return Path(fields.split()[4])
    return None


def _own_cgroup() -> str | None:
    # cgroups(7): the cgroup v2 line of /proc/<pid>/cgroup is "0::<path>".
    for line in _read(Path("/proc/self/cgroup")).splitlines():
        if line.startswith("0::"):
            return line[3:]
    return None


def _remove_ended_parents(home: Path) -> None:
    """Kill what is left in the cgroups of samlite processes that have ended (SIGKILL)."""
    with contextlib.suppress(OSError):
        for entry in home.glob("samlite-*.*"):
            pid, _, started = entry.name.removeprefix("samlite-").partition(".")
            if pid.isdigit() and started.lstrip("-").isdigit() \
                    and process_start_time(int(pid)) != int(started):
                for child in entry.iterdir():
                    if child.is_dir():
                        CgroupTree.reopen(child).close()
                with contextlib.suppress(OSError):
                    entry.rmdir()


class CgroupTree:
    def __init__(self, folder: Path, *, memory_mb: int, controllers: frozenset[str],
                 max_processes: int = MAX_PROCESSES) -> None:
        self.folder = folder
        self.max_processes = max_processes
        self.counts_memory = "memory" in controllers   # else memory.current does not exist
        self._files = _KeptFiles(folder)
        folder.mkdir(exist_ok=True)
        if "pids" in controllers:
            (folder / "pids.max").write_text(str(max_processes))
        if "memory" in controllers:
            (folder / "memory.max").write_text(str(memory_mb * 1024 * 1024))
            with contextlib.suppress(OSError):   # no swap to hide in, as on Lambda
                (folder / "memory.swap.max").write_text("0")
            # Passing MemorySize ends the whole sandbox on Lambda (Runtime.OutOfMemory), not
            # just the process the kernel picks.
            with contextlib.suppress(OSError):
                (folder / "memory.oom.group").write_text("1")

    @classmethod
    def reopen(cls, folder: Path) -> CgroupTree:
        tree = cls.__new__(cls)
        tree.folder, tree.max_processes = folder, MAX_PROCESSES
        tree.counts_memory, tree._files = False, _KeptFiles(folder)
        return tree

    def launch_prefix(self) -> list[str]:
        # The shell moves itself into the cgroup, then becomes the runtime: no moment when
        # the runtime runs outside it (subprocess has no CLONE_INTO_CGROUP).
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"',
                str(self.folder / "cgroup.procs")]

    def variables(self) -> dict[str, str]:
        return {}

    def started(self, pid: int) -> None:
        pass

    def pids(self) -> list[int]:
        return [int(word) for word in self._files.read("cgroup.procs").split()]

    def task_count(self) -> int:
        return len(self._files.read("cgroup.threads").split())

    def memory_bytes(self, runtime_pid: int | None = None) -> int:
        if self.counts_memory:
            current = self._files.read("memory.current").strip()
            if current.isdigit():
                return int(current)
        pids = self.pids()
        if pids == [runtime_pid]:
            return 0
        return sum(_proportional_bytes(pid) for pid in pids)

    def out_of_memory(self) -> bool:
        for line in _read(self.folder / "memory.events").splitlines():
            name, _, count = line.partition(" ")
            if name == "oom_kill" and count.strip() not in ("", "0"):
                return True
        return False

    def kill(self) -> bool:
        killer = self.folder / "cgroup.kill"   # Linux 5.14+
        try:
            killer.write_text("1")
        except OSError:
            for pid in self.pids():
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        return _until(lambda: not self.pids(), _KILL_WAIT_S)

    def close(self) -> None:
        if not self.folder.exists():
            self._files.close()
            return
        self.kill()
        self._files.close()   # else each environment ever started would hold them
        with contextlib.suppress(OSError):
            self.folder.rmdir()


# --- the /proc kind ------------------------------------------------------------------------
class SessionTree:
    """The runtime's session (it starts one) and whatever carries this tree's tag."""

    def __init__(self, env_id: str, max_processes: int = MAX_PROCESSES) -> None:
        self.tag = f"{env_id}.{secrets.token_hex(8)}"
        self.max_processes = max_processes
        self._needle = f"\0{TAG_VARIABLE}={self.tag}\0".encode()
        self._session: int | None = None
        self._tagged: dict[tuple[int, int], bool] = {}   # (pid, start) -> carries the tag

    def launch_prefix(self) -> list[str]:
        return []

    def variables(self) -> dict[str, str]:
        return {TAG_VARIABLE: self.tag}

    def started(self, pid: int) -> None:
        self._session = pid   # started with start_new_session: its pid is the session id

    def pids(self) -> list[int]:
        return [entry.pid for entry in self._members()]

    def task_count(self) -> int:
        return sum(entry.threads for entry in self._members())

    def memory_bytes(self, runtime_pid: int | None = None) -> int:
        pids = self.pids()
        if pids == [runtime_pid]:
            return 0
        return sum(_proportional_bytes(pid) for pid in pids)

    def out_of_memory(self) -> bool:
        return False   # no memory.max here: the service's sampling decides

    def kill(self) -> bool:
        def gone() -> bool:
            members = self.pids()
            for pid in members:   # again each round: a member may fork while dying
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            return not members
        return _until(gone, _KILL_WAIT_S)

    def close(self) -> None:
        self.kill()

    def _members(self) -> list[_ProcEntry]:
        if self._session is None:
            return []
        members, seen = [], set()
        for entry in _processes():
            key = (entry.pid, entry.started)
            seen.add(key)
            if entry.state == "Z":
                continue
            if entry.session == self._session or self._carries_tag(key):
                members.append(entry)
        self._tagged = {key: tagged for key, tagged in self._tagged.items() if key in seen}
        return members

    def _carries_tag(self, key: tuple[int, int]) -> bool:
        if key not in self._tagged:
            try:
                environ = Path(f"/proc/{key[0]}/environ").read_bytes()
            except OSError:
                environ = b""   # another user's, or already gone
            if not environ:
                # Unknown, not "untagged": a process between fork and exec (or exec and its
                # new memory) shows no environment for a moment; asked again next time.
                return False
            self._tagged[key] = self._needle in b"\0" + environ
        return self._tagged[key]


@dataclass(frozen=True, slots=True)
class _ProcEntry:
    pid: int
    state: str
    session: int
    threads: int
    started: int


def _processes() -> Iterator[_ProcEntry]:
    with os.scandir("/proc") as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                text = Path(entry.path, "stat").read_text(encoding="ascii", errors="replace")
            except OSError:
                continue
            # proc(5): after "pid (comm) ", state is field 3, session 6, threads 20, start 22.
            fields = text[text.rindex(")") + 2:].split()
            yield _ProcEntry(pid=int(entry.name), state=fields[0], session=int(fields[3]),
                             threads=int(fields[17]), started=int(fields[19]))


# --- choosing ------------------------------------------------------------------------------
@functools.cache
def tree_kinds() -> TreeFactory:
    """The kind of tree this machine allows, decided (and logged) once per samlite process."""
    parent = cgroup_parent()
    if parent is None:
        log.warning("no writable cgroup v2 here: process environments are tracked through "
                    "/proc (their session and a tag variable); memory is summed from /proc "
                    "and the %d-process cap is checked by sampling", MAX_PROCESSES)
        return session_trees()
    log.info("process environments run in cgroups under %s (controllers: %s)", parent.folder,
             ", ".join(sorted(parent.controllers)) or "none; memory sampled from /proc")
    return cgroup_trees(parent)


def cgroup_trees(parent: CgroupParent, max_processes: int = MAX_PROCESSES) -> TreeFactory:
    def make(env_id: str, memory_mb: int) -> ProcessTree:
        return CgroupTree(parent.folder / env_id, memory_mb=memory_mb,
                          controllers=parent.controllers, max_processes=max_processes)
    return make


def session_trees(max_processes: int = MAX_PROCESSES) -> TreeFactory:
    return lambda env_id, _memory_mb: SessionTree(env_id, max_processes)


def _proportional_bytes(pid: int) -> int:
    """A process's proportional set size (shared pages divided among their users, so forked
    children are not counted twice; proc(5) smaps_rollup), else its resident size."""
    text = _read(Path(f"/proc/{pid}/smaps_rollup"))
    start = text.find("\nPss:")
    if start >= 0:
        with contextlib.suppress(ValueError):
            return int(text[start + 5:text.index("kB", start)].strip()) * 1024
    words = _read(Path(f"/proc/{pid}/statm")).split()
    return int(words[1]) * _PAGE if len(words) > 1 else 0


class _KeptFiles:
    """A cgroup's files read often (its members, their memory), each opened once and re-read
    with pread: one system call per reading instead of Python's open, fstat, ioctl, lseek,
    reads and close, each of which hands the GIL to another thread under load."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._fds: dict[str, int] = {}
        self._lock = threading.Lock()
        self._closed = False

    def read(self, name: str) -> str:
        """The file's text now; "" when it cannot be read (the cgroup is gone). Under the
        lock, so close() cannot free a descriptor that a read then finds reused."""
        with self._lock:
            if self._closed:
                return ""
            fd = self._fds.get(name)
            try:
                if fd is None:
                    fd = self._fds[name] = os.open(self._folder / name,
                                                   os.O_RDONLY | os.O_CLOEXEC)
                chunks, offset = [], 0
                while chunk := os.pread(fd, 65536, offset):
                    chunks.append(chunk)
                    offset += len(chunk)
                    if len(chunk) < 65536:
                        break
            except OSError:
                return ""
        return b"".join(chunks).decode("ascii", "replace")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            fds, self._fds = self._fds, {}
        for fd in fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""


def _until(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)
    return True
