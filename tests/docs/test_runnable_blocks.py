"""Every shell block README.md and docs/*.md mark as runnable (a fence opened with
```sh runnable) runs and exits 0, so a documented command cannot silently rot.

A doc's blocks run in order, as a reader types them into one terminal: in a fresh folder
holding a copy of sample-apps/, each block in its own `bash -e` that starts where the
previous one ended (its `cd` carries over; variables do not). Only blocks that finish and
need no network or Docker are marked: `samlite up` serves until Ctrl-C, so it never is.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
DOCS = (PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md")))
FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```$", re.M | re.S)
MARKER = "runnable"


def runnable_blocks(text: str) -> list[str]:
    blocks = []
    for fence in FENCE.finditer(text):
        words = fence["info"].split()
        if MARKER in words:
            assert words[0] in ("sh", "bash"), f"only shell blocks run: {fence['info']!r}"
            blocks.append(fence["body"])
    return blocks


def reader_env() -> dict[str, str]:
    """A reader's shell with samlite installed: its scripts on PATH, none of our pytest
    options, and no Docker engine (the blocks must run offline, the same on every machine)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    bin_dir = str(Path(sys.executable).parent)
    return {**env, "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
            "DOCKER_HOST": "unix:///nonexistent/docker.sock"}


DOCS_WITH_BLOCKS = [doc for doc in DOCS if runnable_blocks(doc.read_text(encoding="utf-8"))]


def test_the_newcomer_pages_have_runnable_blocks() -> None:
    assert {doc.name for doc in DOCS_WITH_BLOCKS} >= {"README.md", "getting-started.md"}


@pytest.mark.parametrize("doc", DOCS_WITH_BLOCKS, ids=lambda p: p.name)
def test_every_runnable_block_exits_0(doc: Path, tmp_path: Path) -> None:
    shutil.copytree(PROJECT / "sample-apps", tmp_path / "sample-apps",
                    ignore=shutil.ignore_patterns(".samlite", ".aws-sam", "__pycache__",
                                                  ".pytest_cache"))
    here = tmp_path
    where_it_ended = tmp_path / ".cwd-after-block"
    for number, block in enumerate(runnable_blocks(doc.read_text(encoding="utf-8")), start=1):
        script = f'{block}\npwd > "{where_it_ended}"\n'
        done = subprocess.run(["bash", "-e", "-c", script], cwd=here, env=reader_env(),
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, (f"{doc.name}, runnable block {number} exited "
                                      f"{done.returncode}:\n{block}\n--- stdout\n"
                                      f"{done.stdout[-2000:]}\n--- stderr\n{done.stderr[-2000:]}")
        here = Path(where_it_ended.read_text().strip())


def test_only_blocks_marked_runnable_are_run() -> None:
    text = "```sh runnable\nfalse\n```\n\n```sh\nnot marked\n```\n"
    assert runnable_blocks(text) == ["false\n"]
