"""npm installs of a Node.js function's package.json into the cache: which functions need
one, the key that names an install, a failure (the install itself: tests/cli/
test_node_functions.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from samlite.build.npm import cache_key, missing_dependencies, npm_install
from samlite.errors import DependencyInstallError


def manifest(folder: Path, dependencies: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(json.dumps({"name": "fn", "version": "1.0.0",
                                                     "dependencies": dependencies}))
    return folder


def test_only_dependencies_missing_from_node_modules_need_an_install(tmp_path: Path) -> None:
    folder = manifest(tmp_path / "fn", {"ms": "2.1.3", "here": "1.0.0"})
    (folder / "node_modules" / "here").mkdir(parents=True)
    (folder / "node_modules" / "here" / "package.json").write_text("{}")
    assert missing_dependencies(folder) == ("ms",)


def test_the_key_changes_with_the_manifest_and_the_node_version(tmp_path: Path) -> None:
    folder = manifest(tmp_path / "fn", {"ms": "2.1.3"})
    first = cache_key(folder, 20)
    assert cache_key(folder, 22) != first
    manifest(folder, {"ms": "2.1.2"})
    assert cache_key(folder, 20) != first


def test_npm_failing_names_the_function_and_leaves_nothing(tmp_path: Path) -> None:
    folder = manifest(tmp_path / "fn", {"ms": "2.1.3"})

    def failing_npm(command: list[str], **_options: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, 1, "", "npm error 404 Not Found - ms")

    with pytest.raises(DependencyInstallError,
                       match=r"function Fn: npm install of .*package.json failed \(exit 1\):"
                             r"\n  npm error 404 Not Found - ms"):
        npm_install(folder, tmp_path / "cache", node_major=20, label="function Fn",
                    npm="npm", run=failing_npm)
    assert not [p for p in (tmp_path / "cache").iterdir() if p.is_dir()]   # no install, no staging
