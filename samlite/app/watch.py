"""Watch folders and files for saved changes and report each burst of them once. The only
module that imports watchdog; it knows nothing of functions or templates (reload.py decides
what a change means).

An editor's save is a burst of 8-14 events (temp file, rename over, chmod, ...): they are
coalesced into one `on_change(paths)` call, `debounce_s` after the last event of the burst.
A file created and gone again within the burst (`sed -i`'s temp file, a safe-write's
copy) is left out of it: it never was a change to the code.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog import events
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from samlite.clock import Clock, SystemClock

log = logging.getLogger(__name__)

OnChange = Callable[[frozenset[Path]], None]

# Folders whose contents never change what a function runs: caches, VCS, our state and
# `sam build`'s output.
NOISE_FOLDERS = frozenset({"__pycache__", ".git", ".hg", ".svn", ".samlite", ".aws-sam",
                           ".mypy_cache", ".pytest_cache", ".ruff_cache"})
# Editors' swap, backup and probe files: vim (.swp/.swx, `~`, "4913"), emacs (`.#` locks,
# `~`), JetBrains safe-write (`___jb_tmp___`), gedit (`.goutputstream-`).
NOISE_SUFFIXES = (".pyc", ".pyo", ".swp", ".swx", ".swo", "~", "___jb_tmp___", "___jb_old___")
NOISE_PREFIXES = (".#", ".goutputstream-")
NOISE_NAMES = frozenset({"4913", ".DS_Store"})

# Reading a file (a runtime importing the handler) fires opened/closed_no_write: those must
# never count as changes, or every cold start would trigger a reload.
CHANGE_EVENTS = frozenset({events.EVENT_TYPE_CREATED, events.EVENT_TYPE_MODIFIED,
                           events.EVENT_TYPE_DELETED, events.EVENT_TYPE_MOVED,
                           events.EVENT_TYPE_CLOSED, "attrib"})   # attrib: `touch` (watchdog 5+)
_EVENT_CLASSES = tuple(
    cls for name in ("FileCreatedEvent", "FileModifiedEvent", "FileDeletedEvent",
                     "FileMovedEvent", "FileClosedEvent", "FileAttribEvent", "DirCreatedEvent",
                     "DirDeletedEvent", "DirMovedEvent")
    if (cls := getattr(events, name, None)) is not None)


def is_noise(path: Path) -> bool:
    """True for files whose change can't matter: caches, VCS folders, editor temp files."""
    name = path.name
    return (any(part in NOISE_FOLDERS for part in path.parts)
            or name in NOISE_NAMES or name.endswith(NOISE_SUFFIXES)
            or name.startswith(NOISE_PREFIXES))


class Debouncer:
    """Coalescing, pure: paths go in with the time they were seen; a batch is due `quiet_s`
    after the last of them (but never more than `max_delay_s` after the first, so a
    never-ending stream of writes is still reported). Not thread-safe; Watcher locks it."""

    def __init__(self, *, quiet_s: float, max_delay_s: float = 1.0) -> None:
        self.quiet_s = quiet_s
        self.max_delay_s = max(max_delay_s, quiet_s)
        self._pending: set[Path] = set()
        self._first = 0.0
        self._last = 0.0

    def add(self, paths: Iterable[Path], now: float) -> None:
        new = set(paths)
        if not new:
            return
        if not self._pending:
            self._first = now
        self._pending |= new
        self._last = now

    def due_at(self) -> float | None:
        """When the pending batch should be delivered; None when nothing is pending."""
        if not self._pending:
            return None
        return min(self._last + self.quiet_s, self._first + self.max_delay_s)

    def take(self, now: float) -> frozenset[Path]:
        """The batch, if it is due at `now` (then it is cleared); else an empty set."""
        due = self.due_at()
        if due is None or now < due:
            return frozenset()
        batch = frozenset(self._pending)
        self._pending.clear()
        return batch


class Roots:
    """What to watch. A folder is watched recursively; a file is watched through its folder,
    non-recursively, reporting only that file (so the template's folder, which may hold a
    virtualenv or node_modules, is not walked). Folders inside another root, and files inside
    a watched folder, add no watch of their own."""

    def __init__(self, roots: Iterable[Path]) -> None:
        paths = {Path(root).absolute() for root in roots}
        folders = {p for p in paths if p.is_dir()}
        self.folders = frozenset(f for f in folders
                                 if not any(f != other and f.is_relative_to(other)
                                            for other in folders))
        self.files = frozenset(p for p in paths - folders
                               if p.parent.is_dir() and not self._in_folder(p))

    def _in_folder(self, path: Path) -> bool:
        return any(path.is_relative_to(folder) for folder in self.folders)

    def watches(self) -> frozenset[tuple[Path, bool]]:
        """(folder, recursive) pairs, one per OS watch."""
        return frozenset({(f, True) for f in self.folders}
                         | {(p.parent, False) for p in self.files
                            if not self._in_folder(p.parent)})

    def relevant(self, path: Path) -> bool:
        if path in self.files:
            return True
        for folder in self.folders:
            if path.is_relative_to(folder):
                return not is_noise(path.relative_to(folder))
        return False


class Watcher:
    """Reports saved changes under `roots` to `on_change`, one call per burst, from its own
    thread (calls never overlap; events during a call make the next batch). Exceptions in
    `on_change` are logged and the watcher carries on."""

    def __init__(self, roots: Iterable[Path], on_change: OnChange, *, debounce_s: float = 0.05,
                 ignore: Callable[[Path], bool] | None = None, max_delay_s: float = 1.0,
                 clock: Clock | None = None,
                 observer_factory: Callable[[], BaseObserver] = Observer) -> None:
        self.on_change = on_change
        self._ignore = ignore or (lambda path: False)
        self._clock = clock or SystemClock()
        self._debouncer = Debouncer(quiet_s=debounce_s, max_delay_s=max_delay_s)
        self._born: set[Path] = set()   # created since the last batch was taken
        self._cond = threading.Condition()
        self._roots = Roots(roots)
        self._scheduled: dict[tuple[Path, bool], ObservedWatch] = {}
        # The watches the current roots want, swapped with them under the lock: a late event
        # from a watch the new roots dropped (not yet unscheduled) is dropped too, not judged
        # by new roots it may happen to match (the old root's parent reporting the new root's
        # creation).
        self._live_watches = self._roots.watches()
        self._observer_factory = observer_factory
        self._observer: BaseObserver | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    @property
    def roots(self) -> Roots:
        return self._roots

    def start(self) -> None:
        if self._observer is not None:
            return
        # watchdog 6+ warns when a folder created inside a watched tree is added twice (its
        # own recursive auto-add racing the creation event); the watch is still right.
        warnings.filterwarnings("ignore", category=RuntimeWarning,
                                message=r"Callback with id .* already exists for watch")
        self._stopping = False
        self._observer = self._observer_factory()
        self._observer.daemon = True
        self._apply_roots()
        self._observer.start()
        self._thread = threading.Thread(target=self._deliver_loop, name="samlite-watch",
                                        daemon=True)
        self._thread.start()

    def stop(self, *, timeout_s: float = 2.0) -> None:
        """Stop watching; a batch not yet delivered is dropped."""
        observer, thread = self._observer, self._thread
        self._observer = self._thread = None
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if observer is not None:
            observer.stop()
            if observer is not threading.current_thread():
                observer.join(timeout_s)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)
        self._scheduled.clear()

    def set_roots(self, roots: Iterable[Path]) -> None:
        """Watch these instead (the template added or dropped code folders)."""
        new_roots = Roots(roots)
        with self._cond:
            self._roots = new_roots
            self._live_watches = new_roots.watches()
        if self._observer is not None:
            self._apply_roots()

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- internals -----------------------------------------------------------------------
    def _apply_roots(self) -> None:
        observer = self._observer
        if observer is None:
            return
        wanted = self._roots.watches()
        for key in set(self._scheduled) - wanted:
            observer.unschedule(self._scheduled.pop(key))
        for key in sorted(wanted - set(self._scheduled)):
            folder, recursive = key
            try:
                self._scheduled[key] = observer.schedule(
                    _Handler(self, key), str(folder), recursive=recursive,
                    event_filter=list(_EVENT_CLASSES))
            except OSError as exc:   # gone since, or out of inotify watches
                log.warning("cannot watch %s: %s", folder, exc)

    def observed(self, paths: Iterable[Path], *, watch: tuple[Path, bool] | None = None,
                 created: bool = False) -> None:
        """Paths the OS reported through `watch` (the watchdog handler calls this; tests may
        too, without a watch); `created`: they were just made. Events of a watch the current
        roots no longer want are late ones from before `set_roots`, and dropped."""
        with self._cond:
            if watch is not None and watch not in self._live_watches:
                return
            roots = self._roots
            kept = [p for p in paths if roots.relevant(p) and not self._ignore(p)]
            if not kept:
                return
            if created:
                self._born.update(kept)
            self._debouncer.add(kept, self._clock.monotonic())
            self._cond.notify_all()

    def _deliver_loop(self) -> None:
        while True:
            with self._cond:
                batch: frozenset[Path] = frozenset()
                while not self._stopping and not batch:
                    due = self._debouncer.due_at()
                    if due is None:
                        self._cond.wait()
                        continue
                    now = self._clock.monotonic()
                    batch = self._debouncer.take(now)
                    if not batch:
                        self._cond.wait(due - now)
                if self._stopping:
                    return
                born, self._born = self._born & batch, self._born - batch
            batch = frozenset(p for p in batch if p not in born or p.exists())
            if not batch:
                continue
            try:
                self.on_change(batch)
            except Exception:
                log.exception("on_change failed for %d paths", len(batch))


class _Handler(events.FileSystemEventHandler):
    def __init__(self, watcher: Watcher, watch: tuple[Path, bool]) -> None:
        self._watcher = watcher
        self._watch = watch

    def on_any_event(self, event: events.FileSystemEvent) -> None:
        # A folder's own "modified" only echoes a change to one of its entries, which has
        # its own event (and creating __pycache__ would otherwise count).
        if event.event_type not in CHANGE_EVENTS or (
                event.is_directory and event.event_type == events.EVENT_TYPE_MODIFIED):
            return
        source = _path(event.src_path)
        self._watcher.observed([source], watch=self._watch,
                               created=event.event_type == events.EVENT_TYPE_CREATED)
        if event.dest_path:   # a rename's new name is a file made by it
            self._watcher.observed([_path(event.dest_path)], watch=self._watch, created=True)


def _path(raw: str | bytes) -> Path:
    return Path(raw.decode() if isinstance(raw, bytes) else raw)
