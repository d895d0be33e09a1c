"""The soak test (soak_body.py) in a process of its own: in the suite's process, what two
thousand earlier tests left behind moves the resident memory it measures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BODY = Path(__file__).with_name("soak_body.py")
PROJECT = Path(__file__).resolve().parents[2]


def test_twenty_thousand_mixed_requests_grow_neither_memory_nor_objects(
        tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
         f"--basetemp={tmp_path / 'soak'}", str(BODY)],
        cwd=PROJECT, capture_output=True, text=True, timeout=600, check=False)
    figures = [line for line in done.stdout.splitlines() if line.startswith("soak: ")]
    print(*figures, sep="\n")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert len(figures) == 1, done.stdout[-4000:]   # the soak ran to its end, once
