"""samlite's own folders on the host: its cache ($XDG_CACHE_HOME/samlite, else
~/.cache/samlite) and the folders under it, each created private (0700) and checked for owner
and mode before use, because samlite runs what they hold (the AWS SDK on a function's
PYTHONPATH) or hands them to functions (each environment's /tmp). Never a predictable name in
a shared folder such as /tmp, where another local user could create it first.

Per-run folders are named for the samlite process that made them (pid and start time), so a
later samlite removes those whose process has ended, even by SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from samlite.errors import UnsafeFolder

PRIVATE_MODE = 0o700
_RUN_NAME = re.compile(r"(?P<pid>\d+)\.(?P<started>\d+)-")


def cache_root(environ: Mapping[str, str] | None = None) -> Path:
    """Where samlite caches for this user. The XDG Base Directory specification: a relative
    $XDG_CACHE_HOME is invalid and ignored; the default is ~/.cache."""
    variables = os.environ if environ is None else environ
    base = variables.get("XDG_CACHE_HOME", "")
    if base and Path(base).is_absolute():
        return Path(base) / "samlite"
    return Path.home() / ".cache" / "samlite"


def private_dir(path: Path) -> Path:
    """`path`, created with mode 0700 when missing, once checked to be a real folder (not a
    link) owned by this user that no one else can write, and then made 0700 (a 755 folder of
    ours, as older samlites and `mkdir -p` make, can hold nothing planted). Raises
    UnsafeFolder otherwise: a folder someone else made or can write may already hold code
    they planted."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=PRIVATE_MODE)
        info = os.lstat(path)
    except OSError as exc:
        raise UnsafeFolder(f"cannot create samlite's folder {path}: {exc.strerror}; set "
                           "XDG_CACHE_HOME to a folder of yours") from exc
    problem = _why_unsafe(info)
    if problem is not None:
        raise UnsafeFolder(
            f"{path} {problem}; samlite keeps code it runs there, so it must be a folder "
            f"only you own and can write (mode 700). Remove it (samlite makes it again), or "
            f"set XDG_CACHE_HOME to a folder of yours")
    if stat.S_IMODE(info.st_mode) != PRIVATE_MODE:
        path.chmod(PRIVATE_MODE)
    return path


def _why_unsafe(info: os.stat_result) -> str | None:
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link"
    if not stat.S_ISDIR(info.st_mode):
        return "is not a folder"
    if info.st_uid != os.geteuid():
        return f"belongs to user id {info.st_uid}, not to you ({os.geteuid()})"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"has mode {stat.S_IMODE(info.st_mode):o}: other users can write in it"
    return None


def run_dir(parent: Path) -> Path:
    """A new private folder for this samlite process under `parent` (made private too),
    after removing the folders there of samlite processes that have ended."""
    private_dir(parent)
    remove_ended_runs(parent)
    pid = os.getpid()
    return Path(tempfile.mkdtemp(prefix=f"{pid}.{process_start_time(pid)}-", dir=parent))


def remove_ended_runs(parent: Path) -> list[Path]:
    """Remove run folders whose samlite process is gone (its pid is free or now belongs to
    a process that started at another time); returns what was removed."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in parent.iterdir():
            match = _RUN_NAME.match(entry.name)
            if match is None or not entry.is_dir() or entry.is_symlink():
                continue
            pid = int(match["pid"])
            if process_start_time(pid) != int(match["started"]):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


def process_start_time(pid: int) -> int:
    """When a process started, in clock ticks since boot (/proc/<pid>/stat, field 22; see
    proc(5)); -1 when there is no such process. Without /proc, 1 for any live process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        if Path("/proc/self").exists():
            return -1
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return -1
        except PermissionError:
            pass   # alive, someone else's
        return 1
    # Fields after the command name, which is in parentheses and may itself hold ") ".
    return int(text[text.rindex(")") + 2:].split()[19])
