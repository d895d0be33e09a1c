"""The Python probe remembers a binary's version across runs, and asks again when the
binary changes or is a wrapper."""

from __future__ import annotations

import shutil
import stat
import sys
from pathlib import Path

from samlite.runtime.environments.python_probe import probe_python

THIS = f"{sys.version_info.major}.{sys.version_info.minor}"


def counting_wrapper(folder: Path, target: str) -> tuple[Path, Path]:
    """A script that runs `target` and counts its runs in a file."""
    count = folder / "runs"
    script = folder / "python-wrapper"
    script.write_text(f'#!/bin/sh\necho x >> "{count}"\nexec "{target}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, count


def test_the_answer_names_the_real_executable_and_its_version(tmp_path: Path) -> None:
    version, executable = probe_python(sys.executable, cache_dir=tmp_path / "cache") or ("", "")
    assert version == THIS
    assert Path(executable).exists()


def test_a_binary_is_asked_once_across_runs(tmp_path: Path) -> None:
    real = probe_python(sys.executable, cache_dir=tmp_path / "cache")
    assert real is not None
    copy = tmp_path / "python-copy"
    shutil.copy2(real[1], copy)   # a binary of its own, whose answer is itself
    first = probe_python(str(copy), cache_dir=tmp_path / "cache")
    copy.chmod(0o600)   # no longer runnable: only the remembered answer can come back
    assert probe_python(str(copy), cache_dir=tmp_path / "cache") == first


def test_a_changed_binary_is_asked_again(tmp_path: Path) -> None:
    real = probe_python(sys.executable, cache_dir=tmp_path / "cache")
    assert real is not None
    copy = tmp_path / "python-copy"
    shutil.copy2(real[1], copy)
    assert probe_python(str(copy), cache_dir=tmp_path / "cache") is not None
    copy.write_bytes(b"#!/bin/sh\nexit 3\n")   # replaced: its identity changed
    assert probe_python(str(copy), cache_dir=tmp_path / "cache") is None


def test_a_wrapper_is_asked_every_time(tmp_path: Path) -> None:
    script, runs = counting_wrapper(tmp_path, sys.executable)
    for _ in range(2):
        found = probe_python(str(script), cache_dir=tmp_path / "cache")
        assert found is not None and found[0] == THIS
    assert runs.read_text().count("x") == 2


def test_a_missing_python_is_none(tmp_path: Path) -> None:
    assert probe_python(str(tmp_path / "python9.9"), cache_dir=tmp_path / "cache") is None
