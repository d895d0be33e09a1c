"""Where an object's bytes live on disk: the one place a user's S3 key becomes a path.

A key a file system can hold is the plain file `buckets/<bucket>/<key>`. Any other key (NUL,
"." or ".." segments, empty segments such as "a//b", a leading or trailing "/", a segment
over 255 bytes, a key that would be both a file and a folder such as "a" beside "a/b") is
kept as `buckets/.unmapped/<bucket>/<sha256 of key>` instead: no bucket name starts with ".",
so that folder is never a bucket, and the key itself is kept exactly by the metadata store.
No key, however hostile, yields a path outside its bucket's folders.

Links are never followed below the buckets folder: a symlink (or a FIFO, a socket) there is not
an object, is not read, and no write goes through it; a write to a key whose file is a symlink
replaces the link with the object's file, leaving the link's target alone. Writes go to a temp
file (`.samlite-tmp-*`) renamed over the target; those a killed samlite left are removed at the
next start and are never objects.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import secrets
import stat
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

log = logging.getLogger(__name__)

# NAME_MAX on Linux, macOS (APFS) and Windows (NTFS counts UTF-16 units, close enough).
MAX_SEGMENT_BYTES = 255
# PATH_MAX on Linux is 4096 bytes including the NUL; leave room for our temp suffix.
MAX_PATH_BYTES = 4000
UNMAPPED_DIR_NAME = ".unmapped"
# Our own in-flight writes; a key holding this marker is unmapped so it never looks like one.
TEMP_MARK = ".samlite-tmp-"
# Not on Windows; there the lstat checks before each open stand alone.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)      # opening a FIFO must not wait for a writer


def plain_relpath(key: str) -> PurePosixPath | None:
    """The path of `key` inside its bucket folder, or None when no file system can hold the
    key as a plain file there (then it is unmapped). Pure; `key_for_relpath` reverses it."""
    if not key or key.startswith("/") or key.endswith("/") or "\x00" in key:
        return None
    try:
        key.encode("utf-8")          # lone surrogates can't name a file portably
    except UnicodeEncodeError:
        return None
    parts = key.split("/")
    for part in parts:
        if part in ("", ".", "..") or TEMP_MARK in part:
            return None
        if len(part.encode("utf-8")) > MAX_SEGMENT_BYTES:
            return None
    if len(key.encode("utf-8")) > MAX_PATH_BYTES:
        return None
    return PurePosixPath(*parts)


def key_for_relpath(rel: PurePosixPath) -> str:
    return "/".join(rel.parts)


def unmapped_name(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def is_temp_file(path: Path) -> bool:
    return TEMP_MARK in path.name


@dataclass(frozen=True, slots=True, kw_only=True)
class Placement:
    """Where one key's bytes are: a plain file in the bucket folder, or an unmapped one."""
    path: Path
    is_plain: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class FileStat:
    size: int
    mtime_ns: int


class BucketLayout:
    """Which keys of one bucket are plain files, remembering them so that no key becomes
    both a file and a folder ("a" and "a/b": the later one is unmapped). Thread-safe."""

    def __init__(self, *, folder: Path, unmapped_folder: Path, case_sensitive: bool = True
                 ) -> None:
        self.folder = folder
        self.unmapped_folder = unmapped_folder
        self._case_sensitive = case_sensitive
        self._files: dict[str, str] = {}          # folded relpath -> key
        self._dirs: Counter[str] = Counter()      # folded folder relpath -> files under it
        self._lock = threading.Lock()

    def _fold(self, text: str) -> str:
        return text if self._case_sensitive else text.casefold()

    def plain_path(self, key: str) -> Path | None:
        """The key's file if it is placed as one (no I/O)."""
        rel = plain_relpath(key)
        if rel is None:
            return None
        with self._lock:
            if self._files.get(self._fold(str(rel))) != key:
                return None
        return self.folder.joinpath(*rel.parts)

    def place(self, key: str) -> Placement:
        """Decide (and remember) where `key` goes: its plain file when the file system can
        hold it there beside the keys already placed, its unmapped file otherwise."""
        rel = plain_relpath(key)
        if rel is not None:
            folded = self._fold(str(rel))
            with self._lock:
                owner = self._files.get(folded)
                if owner == key:
                    return Placement(path=self.folder.joinpath(*rel.parts), is_plain=True)
                ancestors = [self._fold(str(p)) for p in rel.parents if str(p) != "."]
                clash = (owner is not None or folded in self._dirs
                         or any(a in self._files for a in ancestors))
                if not clash:
                    self._files[folded] = key
                    self._dirs.update(ancestors)
                    return Placement(path=self.folder.joinpath(*rel.parts), is_plain=True)
        return Placement(path=self.unmapped_folder / unmapped_name(key), is_plain=False)

    def release(self, key: str) -> None:
        """Forget a key's plain file (the object is gone or moved to unmapped)."""
        rel = plain_relpath(key)
        if rel is None:
            return
        folded = self._fold(str(rel))
        with self._lock:
            if self._files.get(folded) != key:
                return
            del self._files[folded]
            for parent in rel.parents:
                if str(parent) == ".":
                    continue
                name = self._fold(str(parent))
                self._dirs[name] -= 1
                if self._dirs[name] <= 0:
                    del self._dirs[name]

    def key_for_file(self, path: Path) -> str | None:
        """The key a file under the bucket folder stands for, or None for paths that are not
        plain objects (our temp files, files outside, names that aren't UTF-8)."""
        try:
            rel = path.relative_to(self.folder)
        except ValueError:
            return None
        if not rel.parts or is_temp_file(path):
            return None
        key = "/".join(rel.parts)
        try:
            key.encode("utf-8")
        except UnicodeEncodeError:   # a name os.fsdecode could only escape: not an S3 key
            return None
        return key if plain_relpath(key) is not None else None

    def plain_keys_under(self, path: Path) -> list[str]:
        """Placed keys whose file is `path` or lies under it (a folder that went away)."""
        try:
            rel = path.relative_to(self.folder)
        except ValueError:
            return []
        prefix = self._fold("/".join(rel.parts))
        with self._lock:
            if not prefix:
                return list(self._files.values())
            return [key for folded, key in self._files.items()
                    if folded == prefix or folded.startswith(prefix + "/")]


def is_case_sensitive(folder: Path) -> bool:
    """Probe the file system that holds `folder` (macOS and Windows usually fold case)."""
    folder.mkdir(parents=True, exist_ok=True)
    probe = folder / f"{TEMP_MARK}Case-{os.getpid()}-{secrets.token_hex(4)}"
    os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600))
    try:
        return not (folder / probe.name.swapcase()).exists()
    finally:
        probe.unlink(missing_ok=True)


def is_regular_file(path: Path) -> bool:
    """A plain file itself: not a symlink (to a file or not), FIFO, socket or device."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def first_link(root: Path, path: Path) -> Path | None:
    """The first symlink among the folders from `root` (excluded) down to `path` (included),
    or None: the user chose where the state directory lives, not what is linked inside it."""
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            return current
    return None


def read_file(path: Path, *, within: Path) -> tuple[bytes, FileStat]:
    """The bytes and stat of a regular file under `within`, read without following a symlink
    (the file's or a folder's between): anything else raises OSError."""
    link = first_link(within, path)
    if link is not None:
        raise OSError(errno.ELOOP, "a symlink; samlite follows no links in bucket folders",
                      str(link))
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    with os.fdopen(fd, "rb") as file:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return file.read(), FileStat(size=st.st_size, mtime_ns=st.st_mtime_ns)


def remove_temp_files(folder: Path) -> int:
    """Remove the temp files of writes a killed samlite left under `folder` (at startup, before
    anything is written); returns how many."""
    removed = 0
    for root, _dirs, names in os.walk(folder):        # never descends into symlinked folders
        for name in names:
            if TEMP_MARK in name:
                with contextlib.suppress(FileNotFoundError):
                    (Path(root) / name).unlink()      # a link named so: the link only
                    removed += 1
    return removed


def write_file(placement: Placement, data: bytes, *, within: Path) -> FileStat:
    """Write `data` to the placement atomically (temp file, then rename over), never
    through a symlink below `within` (a linked folder raises NotADirectoryError; a link at
    the target itself is replaced); returns the size and mtime it ended with."""
    target = placement.path
    _make_folders(target.parent, within=within)
    # A fresh name, created exclusively: a planted file or link by that name can't be reused.
    temp = target.with_name(f"{TEMP_MARK}{os.getpid()}-{secrets.token_hex(6)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)
    return stat_file(target)


def _make_folders(folder: Path, *, within: Path) -> None:
    within.mkdir(parents=True, exist_ok=True)
    current = within
    for part in folder.relative_to(within).parts:
        current = current / part
        with contextlib.suppress(FileExistsError):
            current.mkdir()
        if current.is_symlink() or not current.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a folder of its own (a symlink or "
                                     "a file); samlite writes through no links", str(current))


def stat_file(path: Path) -> FileStat:
    st = path.lstat()       # of a link itself: a link is never taken for its target
    return FileStat(size=st.st_size, mtime_ns=st.st_mtime_ns)


def remove_file(path: Path, *, stop_at: Path) -> None:
    """Remove a file and the folders it leaves empty, up to (not including) `stop_at`.
    Through a symlinked folder (`stop_at` itself or one below it), nothing is removed."""
    if first_link(stop_at.parent, path.parent) is not None:
        log.warning("s3: not removing %s: a folder on its way is a symlink", path)
        return
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    parent = path.parent
    while parent != stop_at and parent.is_relative_to(stop_at):
        try:
            parent.rmdir()
        except OSError:   # not empty (or gone): nothing more to tidy
            return
        parent = parent.parent
