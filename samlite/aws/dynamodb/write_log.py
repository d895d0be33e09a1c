"""Item writes not yet folded into dynamodb.sqlite3, in a file beside it: one line per write,
appended with a single write(2) before the write is answered. Like a WAL commit with
synchronous=NORMAL, the line is then in the operating system's hands, so it survives a
SIGKILL (not a power loss); it costs a fraction of a commit. persist.py folds the lines into
the database in one transaction (every FOLD_EVERY writes, before any other change of items,
at close, and at the next start) and then empties the file.

A line: the table's name as JSON text, a tab, the item's key (model.key_text), a tab, the
item as JSON text (nothing: deleted). JSON text holds no raw tab or newline. A last line
without its newline is a write cut short by the kill that ended the process, so it was never
answered: it is dropped.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

FOLD_EVERY = 256     # lines between folds: a fold's transaction costs about one commit


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedWrite:
    table: str
    key: str                   # model.key_text
    item_json: str | None      # None: deleted


class WriteLog:
    """The file's writes are in `unfolded`, oldest first: those an earlier run left, read
    at open, then each one appended."""

    def __init__(self, path: Path) -> None:
        """A line that cannot be read (not the last, cut-short one) is a ValueError."""
        self.path = path
        self.unfolded = _read(path)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def append(self, write: LoggedWrite) -> None:
        line = f"{json.dumps(write.table)}\t{write.key}\t{write.item_json or ''}\n"
        os.write(self._fd, line.encode())
        self.unfolded.append(write)

    def clear(self) -> None:
        """Every write is in the database now."""
        os.ftruncate(self._fd, 0)
        self.unfolded = []

    def close(self) -> None:
        os.close(self._fd)


def _read(path: Path) -> list[LoggedWrite]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    lines = text.split("\n")
    out = []
    for number, line in enumerate(lines[:-1], start=1):   # the last: "" or cut short
        table, key, item = line.split("\t")
        table_name = json.loads(table)
        if not isinstance(table_name, str):
            raise ValueError(f"line {number}: {table!r} is not a table name")
        out.append(LoggedWrite(table=table_name, key=key, item_json=item or None))
    return out
