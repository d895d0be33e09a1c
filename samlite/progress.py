"""Progress of long work (building an image, starting many environments): the parts that do
the work say what they are doing through a Progress; the CLI decides how it looks (a live
line on a terminal, plain lines in a log). Tests and the pytest plugin pass NO_PROGRESS."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Protocol


class Progress(Protocol):
    def task(self, label: str) -> contextlib.AbstractContextManager[None]:
        """Report `label` (e.g. "Building image hello:latest for HelloFunction") while the
        block runs, and how long it took."""
        ...


class _NoProgress:
    @contextlib.contextmanager
    def task(self, label: str) -> Iterator[None]:
        yield


NO_PROGRESS: Progress = _NoProgress()
