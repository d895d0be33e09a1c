"""Watching files: a burst of events is reported once, after the burst; noise never is. The
coalescing is tested with explicit timestamps; the real watcher (inotify) with bounded waits."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from samlite.app.watch import Debouncer, Roots, Watcher, is_noise

# --- coalescing, no clock needed ---------------------------------------------------------


def test_a_burst_is_one_batch_due_after_its_last_event() -> None:
    debouncer = Debouncer(quiet_s=0.05)
    debouncer.add([Path("a.py")], now=10.0)
    debouncer.add([Path("a.py"), Path("b.py")], now=10.03)
    assert debouncer.due_at() == pytest.approx(10.08)
    assert debouncer.take(now=10.07) == frozenset()
    assert debouncer.take(now=10.08) == {Path("a.py"), Path("b.py")}
    assert debouncer.due_at() is None
    assert debouncer.take(now=99.0) == frozenset()


def test_endless_writes_are_still_reported_after_max_delay() -> None:
    debouncer = Debouncer(quiet_s=0.05, max_delay_s=1.0)
    for step in range(40):                      # an event every 40 ms for 1.6 s
        debouncer.add([Path(f"{step}.log")], now=step * 0.04)
        if debouncer.take(now=step * 0.04):
            break
    assert step == 25                           # 25 * 0.04 = 1.0 s after the first


def test_an_empty_add_starts_nothing() -> None:
    debouncer = Debouncer(quiet_s=0.05)
    debouncer.add([], now=1.0)
    assert debouncer.due_at() is None


@pytest.mark.parametrize(("name", "noise"), [
    ("src/app.py", False),
    ("src/__pycache__/app.cpython-312.pyc", True),
    ("src/app.pyc", True),
    (".git/index", True),
    (".samlite/state.json", True),
    (".aws-sam/build/Fn/app.py", True),
    ("src/.app.py.swp", True),
    ("src/app.py~", True),
    ("src/.#app.py", True),
    ("src/4913", True),
    ("src/app.py___jb_tmp___", True),
    ("src/.goutputstream-XYZ12", True),
    ("src/git_helpers.py", False),
])
def test_noise(name: str, noise: bool) -> None:
    assert is_noise(Path(name)) is noise


def test_nested_roots_share_one_watch_and_files_watch_their_folder_alone(
        tmp_path: Path) -> None:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "layer").mkdir()
    template = tmp_path / "template.yaml"
    roots = Roots([tmp_path / "src", tmp_path / "src" / "pkg", tmp_path / "layer", template,
                   tmp_path / "src" / "samconfig.toml"])
    assert roots.watches() == {(tmp_path / "src", True), (tmp_path / "layer", True),
                               (tmp_path, False)}
    assert roots.relevant(template)
    assert roots.relevant(tmp_path / "src" / "pkg" / "a.py")
    assert not roots.relevant(tmp_path / "README.md")          # beside the template
    assert not roots.relevant(tmp_path / "src" / "__pycache__" / "a.pyc")


# --- the real watcher --------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.batches: list[frozenset[Path]] = []
        self._cond = threading.Condition()

    def __call__(self, paths: frozenset[Path]) -> None:
        with self._cond:
            self.batches.append(paths)
            self._cond.notify_all()

    def wait_for(self, count: int, timeout_s: float = 5.0) -> list[frozenset[Path]]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.batches) >= count, timeout_s), \
                f"only {len(self.batches)} of {count} batches came"
            return list(self.batches)


@pytest.fixture
def code(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "app.py").write_text("v = 0\n", encoding="utf-8")
    return folder.resolve()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def watcher(code: Path, recorder: Recorder) -> Iterator[Watcher]:
    with Watcher([code, code.parent / "template.yaml"], recorder) as started:
        yield started


def editor_save(path: Path, text: str) -> None:
    """What vim does on :w (backupcopy=no): probe file, backup by rename, write, chmod,
    drop the backup; plus its swap file and Python's bytecode cache nearby."""
    probe = path.parent / "4913"
    probe.write_text("", encoding="utf-8")
    probe.unlink()
    backup = path.with_name(path.name + "~")
    path.rename(backup)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)
    os.utime(path)
    backup.unlink()
    (path.parent / f".{path.name}.swp").write_bytes(b"swap")
    (path.parent / "__pycache__").mkdir(exist_ok=True)
    (path.parent / "__pycache__" / "app.cpython-312.pyc").write_bytes(b"pyc")


def test_an_editor_save_is_one_callback_with_the_saved_file(
        watcher: Watcher, recorder: Recorder, code: Path) -> None:
    editor_save(code / "app.py", "v = 1\n")
    [batch] = recorder.wait_for(1)
    assert batch == {code / "app.py"}
    # Anything left over from the save would land in the next batch, which has only this:
    (code / "other.py").write_text("", encoding="utf-8")
    assert recorder.wait_for(2)[1] == {code / "other.py"}


def test_sed_in_place_reports_the_edited_file_not_its_temp_file(
        watcher: Watcher, recorder: Recorder, code: Path) -> None:
    temp = code / "sedK2OgdR"                  # what `sed -i` writes, then renames over
    temp.write_text("v = 1\n", encoding="utf-8")
    temp.rename(code / "app.py")
    assert recorder.wait_for(1) == [{code / "app.py"}]


def test_a_deleted_file_is_still_a_change(watcher: Watcher, recorder: Recorder,
                                          code: Path) -> None:
    (code / "app.py").unlink()
    assert recorder.wait_for(1) == [{code / "app.py"}]


def test_a_plain_write_is_reported_with_its_file(
        watcher: Watcher, recorder: Recorder, code: Path) -> None:
    (code / "app.py").write_text("v = 2\n", encoding="utf-8")
    # Not before the quiet period is the Debouncer's rule (tested above, without a clock);
    # how soon after it is benchmarks/up.py's figure.
    assert recorder.wait_for(1) == [{code / "app.py"}]


def test_reading_a_file_is_not_a_change(watcher: Watcher, recorder: Recorder,
                                        code: Path) -> None:
    (code / "app.py").read_text(encoding="utf-8")     # a runtime importing the handler
    (code / "new.py").write_text("", encoding="utf-8")
    assert recorder.wait_for(1) == [{code / "new.py"}]


def test_the_template_folder_reports_only_the_template(
        watcher: Watcher, recorder: Recorder, code: Path) -> None:
    (code.parent / "notes.txt").write_text("x", encoding="utf-8")
    (code.parent / "template.yaml").write_text("Resources: {}\n", encoding="utf-8")
    assert recorder.wait_for(1) == [{code.parent / "template.yaml"}]


def test_set_roots_follows_new_folders_and_forgets_old_ones(
        recorder: Recorder, code: Path) -> None:
    # The new folder exists before watching starts: its creation event is not what this
    # test is about (a late one is test_a_late_event_of_an_unscheduled_watch_is_dropped's).
    other = code.parent / "other"
    other.mkdir()
    with Watcher([code, code.parent / "template.yaml"], recorder) as watcher:
        watcher.set_roots([other])
        (code / "app.py").write_text("v = 3\n", encoding="utf-8")
        (other / "app.py").write_text("v = 3\n", encoding="utf-8")
        assert recorder.wait_for(1) == [{other / "app.py"}]


@dataclass(frozen=True)
class OsEvent:
    """The fields of a watchdog event the watcher reads (tests may not import watchdog)."""
    event_type: str
    src_path: str
    is_directory: bool = False
    dest_path: str = ""


class HandOperatedObserver:
    """Stands in for watchdog's Observer: records the handler of each watch, so a test can
    deliver an event through a given watch when it chooses (late, after set_roots)."""

    def __init__(self) -> None:
        self.daemon = False
        self.handlers: dict[tuple[Path, bool], Any] = {}

    def schedule(self, handler: Any, path: str, *,
                 recursive: bool, event_filter: object = None) -> tuple[Path, bool]:
        self.handlers[(Path(path), recursive)] = handler
        return (Path(path), recursive)

    def unschedule(self, watch: tuple[Path, bool]) -> None:
        pass          # keeps the handler: the late event still reaches the watcher

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def join(self, timeout: float | None = None) -> None: ...


def test_a_late_event_of_an_unscheduled_watch_is_dropped(recorder: Recorder,
                                                          code: Path) -> None:
    # The old roots watch the template's folder; the new root is created in it just before
    # set_roots, and that creation is reported by the old watch only after the swap.
    observer = HandOperatedObserver()
    other = code.parent / "other"
    other.mkdir()
    with Watcher([code, code.parent / "template.yaml"], recorder,
                 observer_factory=lambda: observer) as watcher:   # type: ignore[arg-type,return-value]
        old_watch = observer.handlers[(code.parent, False)]
        watcher.set_roots([other])
        old_watch.on_any_event(OsEvent("created", str(other), is_directory=True))
        observer.handlers[(other, True)].on_any_event(OsEvent("modified", str(other / "a.py")))
        assert recorder.wait_for(1) == [{other / "a.py"}]


def test_a_failing_callback_does_not_stop_the_watcher(code: Path) -> None:
    seen = Recorder()

    def flaky(paths: frozenset[Path]) -> None:
        seen(paths)
        if len(seen.batches) == 1:
            raise RuntimeError("boom")

    with Watcher([code], flaky):
        (code / "a.py").write_text("", encoding="utf-8")
        seen.wait_for(1)
        (code / "b.py").write_text("", encoding="utf-8")
        assert seen.wait_for(2)[1] == {code / "b.py"}


def test_stop_ends_its_threads(code: Path, recorder: Recorder) -> None:
    before = set(threading.enumerate())
    watcher = Watcher([code], recorder)
    watcher.start()
    watcher.stop()
    assert not [t for t in set(threading.enumerate()) - before if t.is_alive()]
