"""Installing requirements into the dependency cache: once per key, atomically, with pip's
own words when it fails. Installs reach the package index, as users' installs do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from samlite.build.install import DependencyCache, DependencyInstallError, installs, pip_command
from samlite.build.plan import Dependencies, Owner


def _dependencies(project: Path, text: str, **changes: str) -> Dependencies:
    requirements = project / "requirements.txt"
    requirements.write_text(text)
    values = {"python_version": f"{sys.version_info.major}.{sys.version_info.minor}",
              "architecture": "x86_64", "runtime_kind": "process", **changes}
    return Dependencies(owner="OrdersFunction", owner_kind=Owner.FUNCTION,
                        requirements=requirements, **values)


def _cache(root: Path, **kwargs: Any) -> DependencyCache:
    return DependencyCache(root, python_for=lambda version: sys.executable, **kwargs)


def test_an_install_is_importable_and_a_second_one_runs_no_pip(tmp_path: Path) -> None:
    dependencies = _dependencies(tmp_path, "tabulate==0.9.0\n")
    first = _cache(tmp_path / "deps").ensure(dependencies)
    assert not first.was_cached
    assert (first.path / "tabulate").is_dir()
    version = subprocess.run([sys.executable, "-I", "-c",
                              f"import sys; sys.path.insert(0, {str(first.path)!r}); "
                              "import tabulate; print(tabulate.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version == "0.9.0"

    def no_pip(*args: object, **kwargs: object) -> subprocess.CompletedProcess[str]:
        raise AssertionError("pip ran for a cached install")

    again = _cache(tmp_path / "deps", run=no_pip).ensure(dependencies)
    assert (again.was_cached, again.path) == (True, first.path)
    assert sorted(p.name for p in (tmp_path / "deps").iterdir()
                  if not p.name.endswith(".lock")) == [first.path.name]


def test_a_failed_install_names_the_function_and_leaves_nothing_cached(tmp_path: Path) -> None:
    dependencies = _dependencies(tmp_path, "samlite-no-such-package-xyz==1.0\n")
    cache = _cache(tmp_path / "deps")
    with pytest.raises(DependencyInstallError) as failed:
        cache.ensure(dependencies)
    message = str(failed.value)
    assert message.startswith("function OrdersFunction: pip could not install ")
    assert "samlite-no-such-package-xyz" in message   # pip's own words follow
    assert failed.value.exit_code == 1
    assert not cache.is_cached(dependencies)
    assert [p.name for p in (tmp_path / "deps").iterdir() if not p.name.endswith(".lock")] == []


def test_installs_says_which_ones_pip_must_run(tmp_path: Path) -> None:
    dependencies = _dependencies(tmp_path, "tabulate==0.9.0\n")
    cache = _cache(tmp_path / "deps")
    started: list[str] = []
    installs(cache, [dependencies], on_start=lambda d: started.append(d.owner))
    installs(cache, [dependencies], on_start=lambda d: started.append(d.owner))
    assert started == ["OrdersFunction"]


def test_docker_installs_ask_pip_for_linux_wheels_of_the_functions_python(
        tmp_path: Path) -> None:
    dependencies = _dependencies(tmp_path, "tabulate\n", runtime_kind="docker",
                                 architecture="arm64", python_version="3.13")
    command = pip_command(dependencies, tmp_path / "out", python="/unused/python3.13")
    assert command[0] == sys.executable
    flags = " ".join(command)
    assert "--platform manylinux2014_aarch64 --implementation cp --python-version 3.13 " \
           "--only-binary=:all:" in flags


def test_the_cache_folder_is_private(tmp_path: Path) -> None:
    cache = _cache(tmp_path / "deps")
    cache.ensure(_dependencies(tmp_path, "tabulate==0.9.0\n"))
    assert (tmp_path / "deps").stat().st_mode & 0o077 == 0
