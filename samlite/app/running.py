"""One `samlite up` per state dir, and how the other commands find it. `up` holds an OS lock
on `<state dir>/up.lock` while it runs (the kernel drops a flock when its process dies,
SIGKILL included, so a lock is never stale) and publishes its pid, template and URLs in
`<state dir>/up.json`. `samlite invoke` and `trigger` read that file and attach only when
the endpoint's ping (sources/control.py) says it serves their template from that state dir:
a record whose owner is gone is ignored, one whose port another app now holds is refused.
POSIX only, as the rest of samlite (fcntl.flock)."""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from samlite.errors import StateFileError, UsageError
from samlite.state import StateDir

Ping = Callable[[str], Mapping[str, object] | None]   # endpoint URL -> its ping, or None

PING_TIMEOUT_S = 1.0   # a loopback samlite answers in milliseconds; this bounds a stuck port


@dataclass(frozen=True, slots=True, kw_only=True)
class RunningUp:
    """What `up.json` holds: which `samlite up` serves this state dir, and where."""

    pid: int
    template: str               # absolute path
    state_dir: str              # absolute path
    endpoint_url: str           # the local AWS endpoint, e.g. http://127.0.0.1:3001
    http_url: str | None        # the HTTP gateway, e.g. http://127.0.0.1:3000

    def ports(self) -> str:
        """'HTTP on 127.0.0.1:3000, AWS endpoint on 127.0.0.1:3001'"""
        parts = [f"HTTP on {_address(self.http_url)}"] if self.http_url else []
        return ", ".join([*parts, f"AWS endpoint on {_address(self.endpoint_url)}"])


@dataclass(frozen=True, slots=True, kw_only=True)
class Lookup:
    """What `invoke` and `trigger` found for their project."""

    up: RunningUp | None = None   # this project's `up`, answering now
    refusal: str | None = None    # why the `up` the record points at is not this project's


class StateDirInUse(UsageError):
    """A second `samlite up` on a state dir another one holds (exit 2, like a busy port)."""


class UpClaim:
    """The lock of one state dir, from claim() until release(); a context manager."""

    def __init__(self, state: StateDir, lock_fd: int) -> None:
        self._state = state
        self._lock_fd: int | None = lock_fd

    def publish(self, *, template: Path, endpoint_url: str, http_url: str | None,
                ) -> RunningUp:
        """Say where this `up` serves (once its ports are bound): replaces up.json whole,
        so a reader sees the old record or the new one, never half of one."""
        record = RunningUp(pid=os.getpid(), template=str(template.resolve()),
                           state_dir=str(self._state.root.resolve()),
                           endpoint_url=endpoint_url, http_url=http_url)
        _write_atomically(self._state.running_file, json.dumps(asdict(record)) + "\n")
        return record

    def release(self) -> None:
        """Withdraw the record, then the lock (in that order: whoever locks next writes
        its own record over nothing of ours)."""
        if self._lock_fd is None:
            return
        try:
            self._state.running_file.unlink(missing_ok=True)
        finally:
            os.close(self._lock_fd)   # closing the only descriptor drops the flock
            self._lock_fd = None

    def __enter__(self) -> UpClaim:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def claim(state: StateDir) -> UpClaim:
    """Lock `state` for this `samlite up`, before it binds a port or touches a file there.
    StateDirInUse names the `up` that holds it (pid and ports); StateFileError when the
    lock file can't be made or locked."""
    lock_file = state.lock_file
    try:
        state.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)   # not inherited (PEP 446)
    except OSError as exc:
        raise StateFileError(f"{lock_file} can't be made ({exc.strerror or exc}); "
                             "samlite up locks its state dir with it") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StateDirInUse(_in_use(state)) from None
    except OSError as exc:
        os.close(fd)
        raise StateFileError(f"{lock_file} can't be locked ({exc.strerror or exc}); choose "
                             "a --state-dir on a local file system") from exc
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)   # who holds it, for the next one's error
    return UpClaim(state, fd)


def _in_use(state: StateDir) -> str:
    holder = _holder_pid(state)
    record = read_record(state)
    who = f"pid {holder}" if holder is not None else "pid unknown"
    if record is not None and record.pid == holder:
        where = f", serving {record.ports()}"
    else:
        where = " (still starting: its ports are not bound yet)"
    return (f"another samlite up ({who}) is running on the state dir {state.root}{where}. "
            "Stop it first, or give this one a state dir of its own with --state-dir")


def _holder_pid(state: StateDir) -> int | None:
    try:
        return int(state.lock_file.read_text().strip())
    except (OSError, ValueError):
        return None   # between its lock and its pid being written


def read_record(state: StateDir) -> RunningUp | None:
    """up.json as its `up` wrote it; None when absent or not a record (it is only a hint:
    find_up checks it against the endpoint before anything is sent there)."""
    try:
        fields = json.loads(state.running_file.read_text(encoding="utf-8"))
        record = RunningUp(**fields)
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(record.endpoint_url, str) or not record.endpoint_url.startswith("http"):
        return None
    return record


def find_up(state: StateDir, template: Path, *, ping: Ping | None = None) -> Lookup:
    """This project's running `samlite up`: the one up.json in `state` names, if its
    endpoint still answers and says it serves `template` from `state`."""
    record = read_record(state)
    if record is None:
        return Lookup()
    answer = (ping or ping_endpoint)(record.endpoint_url)
    if answer is None:
        return Lookup()   # its owner is gone (killed): nothing to attach to, nothing to say
    expected_template = str(template.resolve())
    expected_state = str(state.root.resolve())
    served_template, served_state = answer.get("template"), answer.get("stateDir")
    if (served_template, served_state) == (expected_template, expected_state):
        return Lookup(up=record)
    pid = f" (pid {answer['pid']})" if "pid" in answer else ""
    if served_template is None:
        serves = "does not say which app it serves"
    elif served_template != expected_template:
        serves = f"serves {served_template}, not {expected_template}"
    else:
        serves = f"keeps its state in {served_state}, not {expected_state}"
    return Lookup(refusal=f"the samlite up at {record.endpoint_url}{pid} {serves}; "
                          "not attached to it")


def ping_endpoint(url: str) -> Mapping[str, object] | None:
    """The ping of the samlite endpoint at `url`, or None when no samlite answers there.
    Never through a proxy: the endpoint is on this machine."""
    import urllib.error  # here: most commands find no up.json and ping nothing
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/_samlite/ping", timeout=PING_TIMEOUT_S) as reply:
            answer = json.loads(reply.read())
    except (OSError, ValueError, urllib.error.URLError):
        return None
    return answer if isinstance(answer, dict) and "samlite" in answer else None


def _address(url: str) -> str:
    return url.split("://", 1)[-1].rstrip("/")


def _write_atomically(path: Path, text: str) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
