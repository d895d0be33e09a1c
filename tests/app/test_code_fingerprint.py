"""A function's code changes only when its bytes do: as a deploy compares CodeSha256."""

from __future__ import annotations

import os
from pathlib import Path

from samlite.app.code_fingerprint import CodeFingerprints
from tests.sources.fakes import spec


def remembered(tmp_path: Path) -> tuple[CodeFingerprints, Path]:
    code = tmp_path / "src"
    code.mkdir()
    (code / "app.py").write_text("v = 1\n", encoding="utf-8")
    fingerprints = CodeFingerprints()
    fingerprints.remember([spec("Fn", code_dir=code)])
    return fingerprints, code


def test_touch_and_a_save_of_the_same_bytes_are_no_change(tmp_path: Path) -> None:
    fingerprints, code = remembered(tmp_path)
    os.utime(code / "app.py", ns=(1, 1))
    (code / "app.py").write_text("v = 1\n", encoding="utf-8")
    (code / "__pycache__").mkdir()
    (code / "__pycache__" / "app.cpython-312.pyc").write_bytes(b"pyc")   # an import's cache
    assert not fingerprints.changed(spec("Fn", code_dir=code))


def test_new_bytes_a_new_file_or_a_deleted_one_are_a_change(tmp_path: Path) -> None:
    fingerprints, code = remembered(tmp_path)
    fn = spec("Fn", code_dir=code)
    (code / "app.py").write_text("v = 2\n", encoding="utf-8")
    edited = fingerprints.changed(fn)
    (code / "util.py").write_text("", encoding="utf-8")
    added = fingerprints.changed(fn)
    (code / "util.py").unlink()
    deleted = fingerprints.changed(fn)
    assert (edited, added, deleted, fingerprints.changed(fn)) == (True, True, True, False)
