"""The code of the methods `@dataclass` generates, kept across runs of the commands that run
functions. On Python 3.11 and 3.12 dataclasses compiles every generated method from source
(six for a frozen class) each time a module defining one is imported: ~25 of the ~40 ms
CPU that importing graph/model.py costs, and a one-shot invoke imports ~130 dataclasses.
The same source always compiles to the same code, so the code is kept in samlite's private
cache (marshal, keyed by the source text and the interpreter's exact version) and reused.

Only dataclasses' own `exec` is redirected (the name in its module), so the classes it makes
are the ones it always made. Process state on purpose: it is installed by the `samlite`
command for its own process only (never in a library user's or a test's process).
"""

from __future__ import annotations

import contextlib
import dataclasses
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

# A bound on the file: past it, a save keeps only what this run used (code of old sources
# would otherwise pile up as the model changes).
MAX_ENTRIES = 4_000
# One file per command: `invoke` then reads only the code it uses (~760 entries, ~2 ms),
# not also what `up` adds (~1,200 in all).
_FILE = "dataclass-code-{command}-{tag}-{version}-O{optimize}.marshal"


class CodeCache:
    """Source text -> its compiled code, read from `path` and written back by save()."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._codes: dict[str, CodeType] = _read(path) if path is not None else {}
        self._used: set[str] = set()
        self._added = 0

    def exec(self, source: Any, globals: Any = None, locals: Any = None) -> None:
        """As the builtin exec, with the code of a source text compiled once across runs.
        Compiled as exec compiles a string for dataclasses: no inherited __future__ flags."""
        if not isinstance(source, str):
            exec(source, globals, locals)   # noqa: S102 - as dataclasses would
            return
        code = self._codes.get(source)
        if code is None:
            code = compile(source, "<string>", "exec", dont_inherit=True)
            self._codes[source] = code
            self._added += 1
        self._used.add(source)
        exec(code, globals, locals)   # noqa: S102 - dataclasses' generated methods

    def save(self) -> None:
        """Write the file when this run compiled something new (atomically: another samlite
        may be writing it too; the last one wins, and the next run compiles what it lacks)."""
        if self.path is None or not self._added:
            return
        # Copies first (each made under the GIL at once): another thread may be importing.
        codes, used = dict(self._codes), set(self._used)
        if len(codes) > MAX_ENTRIES:
            codes = {source: codes[source] for source in used if source in codes}
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}")
        try:
            partial.write_bytes(marshal.dumps(codes))
            partial.replace(self.path)
        except (OSError, ValueError):   # a cache: without it, samlite compiles as before
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            return
        self._added = 0


def _read(path: Path) -> dict[str, CodeType]:
    try:
        found = marshal.loads(path.read_bytes())   # noqa: S302 - our own, in a 0700 folder
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {source: code for source, code in found.items()
            if isinstance(source, str) and isinstance(code, CodeType)}


def cache_file(command: str) -> Path | None:
    """The command's file in samlite's private cache for this interpreter (None when the
    folder cannot be made or is not safely ours: the code in it is run)."""
    from samlite.errors import UnsafeFolder
    from samlite.runtime.environments.private_dirs import cache_root, private_dir

    name = _FILE.format(command=command, tag=sys.implementation.cache_tag,
                        version=".".join(map(str, sys.version_info[:3])),
                        optimize=sys.flags.optimize)
    try:
        return private_dir(cache_root()) / name
    except (UnsafeFolder, RuntimeError):   # RuntimeError: no home folder to be found
        return None


_installed: CodeCache | None = None


def install(command: str) -> None:
    """Route dataclasses' exec through `command`'s cache for the rest of this process
    (once)."""
    global _installed
    if _installed is None:
        _installed = CodeCache(cache_file(command))
        dataclasses.exec = _installed.exec  # type: ignore[attr-defined]


def save() -> None:
    """Write what this process compiled, if the cache is installed."""
    if _installed is not None:
        _installed.save()
