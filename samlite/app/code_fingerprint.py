"""Whether a function's code really changed since it last published a version: a SHA-256
over the files of its code folder and layer folders (names and bytes), as a deploy compares
CodeSha256 and publishes nothing for the same code. A save of the same bytes, or `touch`,
changes nothing. Files are read again only when their size or mtime moved; caches and
editor files (watch.is_noise) are left out.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from samlite.app.reload import code_folders
from samlite.app.watch import NOISE_FOLDERS, is_noise
from samlite.runtime.spec import FunctionSpec

_Stat = tuple[int, int]   # (size, mtime_ns): unchanged means the bytes need no new read


class CodeFingerprints:
    """The code digest each function last published with. Not thread-safe: the app's
    reload lock serialises its callers."""

    def __init__(self) -> None:
        self._published: dict[str, str] = {}
        self._files: dict[Path, tuple[_Stat, str]] = {}

    def remember(self, specs: Iterable[FunctionSpec]) -> None:
        """Take these functions' code as it is now as what they last published."""
        for spec in specs:
            self._published[spec.logical_id] = self.digest(spec)

    def changed(self, spec: FunctionSpec) -> bool:
        """True when the code differs from what was remembered (or nothing was); the code
        as it is now is remembered either way."""
        digest = self.digest(spec)
        before = self._published.get(spec.logical_id)
        self._published[spec.logical_id] = digest
        return digest != before

    def digest(self, spec: FunctionSpec) -> str:
        whole = hashlib.sha256()
        for index, folder in enumerate((*code_folders(spec), *spec.layer_dirs)):
            for relative, path in _files(folder):
                whole.update(f"{index}/{relative}\0{self._file_digest(path)}\n".encode())
        return whole.hexdigest()

    def _file_digest(self, path: Path) -> str:
        try:
            stat = path.stat()
            key = (stat.st_size, stat.st_mtime_ns)
            known = self._files.get(path)
            if known is not None and known[0] == key:
                return known[1]
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return "unreadable"   # gone or locked mid-save; the next save reads it again
        self._files[path] = (key, digest)
        return digest


def _files(folder: Path) -> Iterator[tuple[str, Path]]:
    """The files under `folder`, sorted, without walking into caches or VCS folders."""
    found = []
    for here, dirs, names in os.walk(folder):
        dirs[:] = [name for name in dirs if name not in NOISE_FOLDERS]
        for name in names:
            path = Path(here, name)
            relative = path.relative_to(folder)
            if not is_noise(relative) and path.is_file():
                found.append((relative.as_posix(), path))
    yield from sorted(found)
