"""samlite's caches and per-run folders are private to the user who runs it: another local
user can neither plant code samlite will run nor leave folders samlite will trust, and the
folders of a samlite killed with SIGKILL do not pile up."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.errors import UnsafeFolder
from samlite.runtime.environments import process
from samlite.runtime.environments import python as python_env
from samlite.runtime.environments.private_dirs import (
    cache_root,
    private_dir,
    remove_ended_runs,
    run_dir,
)
from samlite.runtime.service import LambdaService

NOBODY = 65534


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    python_env.aws_sdk_dir.cache_clear()
    yield home / "samlite"
    python_env.aws_sdk_dir.cache_clear()


def test_the_cache_is_the_users_xdg_cache() -> None:
    assert cache_root({"XDG_CACHE_HOME": "/home/ada/.c"}) == Path("/home/ada/.c/samlite")
    assert cache_root({}) == Path.home() / ".cache" / "samlite"
    assert cache_root({"XDG_CACHE_HOME": "relative"}) == Path.home() / ".cache" / "samlite"


def test_a_planted_sdk_folder_in_the_shared_temp_dir_is_never_used(
        cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared-tmp"
    shared.mkdir(mode=0o1777)
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    import hashlib

    tag = hashlib.sha256(sys.prefix.encode()).hexdigest()[:12]
    planted = shared / f"samlite-aws-sdk-{os.getuid()}-{tag}" / "boto3"
    planted.mkdir(parents=True)
    (planted / "__init__.py").write_text("__version__ = 'planted'\n", encoding="utf-8")

    folder = python_env.aws_sdk_dir()

    assert folder is not None and folder.parent == cache_home
    assert (folder.stat().st_mode & 0o777, cache_home.stat().st_mode & 0o777) == (0o700, 0o700)
    done = subprocess.run([sys.executable, "-S", "-c", "import boto3; print(boto3.__version__)"],
                          env={"PYTHONPATH": str(folder)}, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() != "planted"


@pytest.mark.parametrize(("case", "spoil", "says"), [
    ("made by another user", lambda p: os.chown(p, NOBODY, NOBODY), "belongs to user id 65534"),
    ("open to everyone", lambda p: p.chmod(0o777), "has mode 777"),
    ("group-writable", lambda p: p.chmod(0o770), "has mode 770"),
])
def test_a_cache_folder_someone_else_can_write_is_refused_by_name(
        cache_home: Path, case: str, spoil: object, says: str) -> None:
    cache_home.mkdir(parents=True, mode=0o700)
    spoil(cache_home)  # type: ignore[operator]
    with pytest.raises(UnsafeFolder) as refused:
        python_env.aws_sdk_dir()
    assert str(cache_home) in str(refused.value)
    assert says in str(refused.value)


def test_a_readable_cache_folder_of_ours_is_made_private(cache_home: Path) -> None:
    cache_home.mkdir(parents=True, mode=0o755)
    cache_home.chmod(0o755)   # what `mkdir -p` under umask 022 makes
    assert private_dir(cache_home) == cache_home
    assert cache_home.stat().st_mode & 0o777 == 0o700


def test_a_link_in_place_of_the_cache_folder_is_refused(cache_home: Path,
                                                        tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    cache_home.parent.mkdir()
    cache_home.symlink_to(elsewhere)
    with pytest.raises(UnsafeFolder, match="is a symbolic link"):
        private_dir(cache_home)


def test_environment_tmp_folders_live_in_the_private_cache(cache_home: Path) -> None:
    service = LambdaService([], environments=process.ProcessEnvironment)
    try:
        assert service.tmp_root.parent == cache_home / "environments"
        assert service.tmp_root.stat().st_mode & 0o777 == 0o700
    finally:
        service.stop()
    assert not service.tmp_root.exists()


def test_folders_of_a_samlite_killed_with_sigkill_are_removed_at_the_next_start(
        cache_home: Path) -> None:
    parent = cache_home / "environments"
    code = ("import sys; from pathlib import Path\n"
            "from samlite.runtime.environments.private_dirs import run_dir\n"
            "folder = run_dir(Path(sys.argv[1])); (folder / 'Fn-1').mkdir()\n"
            "print(folder, flush=True)\n"
            "import os, signal; os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", code, str(parent)], capture_output=True,
                          text=True, check=False)
    left = Path(done.stdout.strip())
    assert left.is_dir()   # what a SIGKILL leaves behind

    mine = run_dir(parent)

    assert not left.exists()
    assert mine.is_dir()
    assert remove_ended_runs(parent) == []   # a live samlite's folder stays
