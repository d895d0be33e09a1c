"""One big template's checks on two cores: the pipeline's second share runs in a forked
child, which sends its problems back over a pipe, while this process runs the first share.
Only for a process that runs one command and no threads (`samlite validate` of one
template), only on Linux, where fork without exec is safe and cheap (macOS discourages it,
Windows has none), and only while a core is idle: a child forked after loading copies
~3,500 pages as both processes write to memory they share (~10 ms of CPU each on the
benchmark's template; a big file is forked before loading, and each side loads it), a
cost a second core repays and a busy machine does not. Otherwise the shares run one after
the other."""

from __future__ import annotations

import marshal
import os
import sys
import threading
from pathlib import Path

from samlite.errors import Mark, Problem
from samlite.validation.pipeline import Share

Found = list[list[Problem]]


def run_shares_on_idle_cores(first: Share, second: Share) -> tuple[Found, Found]:
    """(first(), second()): at once when a core is idle now, else one after the other."""
    if has_idle_core():
        return run_shares_at_once(first, second)
    return first(), second()


def has_idle_core() -> bool:
    """Whether fewer tasks are running right now, this one included, than this process may
    use cores: the kernel's instantaneous count (the 4th field of /proc/loadavg), not the
    load average, which lags by a minute."""
    try:
        running = int(Path("/proc/loadavg").read_text(encoding="ascii").split()[3].split("/")[0])
        return running < len(os.sched_getaffinity(0))
    except (OSError, ValueError, IndexError, AttributeError):
        return False


def run_shares_at_once(first: Share, second: Share) -> tuple[Found, Found]:
    """(first(), second()), the second computed in a child process. When the child fails
    (a check's bug, a kill) the second share runs here, so the bug shows as it would have."""
    # A thread holding a lock at the fork would leave it held in the child for ever.
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return first(), second()
    read_fd, write_fd = os.pipe()
    child = os.fork()
    if child == 0:   # pragma: no cover - the child ends in os._exit, out of coverage's sight
        os.close(read_fd)
        status = 1
        try:
            data = marshal.dumps(to_plain(second()))
            with os.fdopen(write_fd, "wb") as out:
                out.write(data)
            status = 0
        finally:
            os._exit(status)   # no atexit hooks, no flushing the parent's buffers a second time
    os.close(write_fd)
    pipe = os.fdopen(read_fd, "rb")
    try:
        first_found = first()
        data = pipe.read()
    finally:
        pipe.close()            # a child still writing (this side failed) then stops
        _, status = os.waitpid(child, 0)
    if os.waitstatus_to_exitcode(status) != 0:   # it failed or was killed: all or nothing
        return first_found, second()
    # S302: the bytes are our own child's, through a pipe only the two processes hold.
    return first_found, from_plain(marshal.loads(data))  # noqa: S302


# Problems as marshal's plain values: marshal is built in (pickle's import costs ~1 ms).
Plain = list[list[tuple[object, ...]]]


def to_plain(found: Found) -> Plain:
    return [[(p.code, p.message, p.at.file, p.at.line, p.at.column, p.path, p.resource,
              p.downgraded) for p in part] for part in found]


def from_plain(plain: Plain) -> Found:
    return [[Problem(code=code, message=message, at=Mark(file, line, column), path=path,
                     resource=resource, downgraded=downgraded)
             for code, message, file, line, column, path, resource, downgraded in part]
            for part in plain]
