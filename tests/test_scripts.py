"""scripts/: the CI and image-building shell scripts parse, run their argument checks, and
ci-docker.sh drives dockerd as CI needs. Docker, dockerd and apt are replaced by stubs on PATH,
so nothing here builds an image or starts an engine (that is what CI itself does)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
BUILD = SCRIPTS / "build-lambda-image.sh"
BUILD_NODE = SCRIPTS / "build-lambda-node-image.sh"
IMAGE_LIB = SCRIPTS / "lambda-image-lib.sh"   # sourced by both builds
CI_DOCKER = SCRIPTS / "ci-docker.sh"
MOTO_RANGE = SCRIPTS / "test-moto-range.sh"
FakeEngine = tuple[dict[str, str], Path]   # (environment for the script, stub folder)


def run(script: Path, *args: str, env: dict[str, str] | None = None,
        timeout_s: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(script), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout_s, check=False)


def stub(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


@pytest.mark.parametrize("script", [BUILD, BUILD_NODE, CI_DOCKER, MOTO_RANGE],
                         ids=lambda p: p.name)
def test_script_is_executable_and_parses(script: Path) -> None:
    assert os.access(script, os.X_OK)
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0


def test_the_builds_share_one_library_that_parses() -> None:
    assert subprocess.run(["bash", "-n", str(IMAGE_LIB)], check=False).returncode == 0
    for script in (BUILD, BUILD_NODE):
        assert 'source "$(dirname "$SCRIPT")/lambda-image-lib.sh"' in script.read_text()


def test_build_help_names_the_options() -> None:
    result = run(BUILD, "--help")
    assert result.returncode == 0
    assert all(option in result.stdout for option in ("--python", "--tag", "--force"))


@pytest.mark.parametrize(("case", "args", "message"), [
    ("unknown argument", ["--pyhton", "3.11"], "unknown argument: --pyhton"),
    ("no Debian release has it", ["--python", "3.12"],
     "no Debian release ships Python 3.12 as python3; use 3.9, 3.11 or 3.13"),
])
def test_build_rejects_bad_arguments(case: str, args: list[str], message: str) -> None:
    result = run(BUILD, *args)
    assert result.returncode == 1
    assert message in result.stderr


def test_node_build_help_names_the_options() -> None:
    result = run(BUILD_NODE, "--help")
    assert result.returncode == 0
    assert all(option in result.stdout for option in ("--node", "--tag", "--force"))


@pytest.mark.parametrize(("case", "args", "message"), [
    ("unknown argument", ["--nod", "20"], "unknown argument: --nod"),
    ("no Debian release has it", ["--node", "22"],
     "no Debian release ships Node.js 22; use 18 or 20"),
    ("a client for node 22", ["--ric-version", "4.0.2"],
     "aws-lambda-ric 4.0.2: only 3.x runs on Node.js 18 and 20"),
])
def test_node_build_rejects_bad_arguments(case: str, args: list[str], message: str) -> None:
    result = run(BUILD_NODE, *args)
    assert result.returncode == 1
    assert message in result.stderr


def test_build_refuses_to_run_without_root(tmp_path: Path) -> None:
    stub(tmp_path, "id", "echo 1000")
    result = run(BUILD, env={"PATH": f"{tmp_path}:{os.environ['PATH']}"})
    assert result.returncode == 1
    assert "must run as root" in result.stderr


@pytest.fixture
def fake_engine(tmp_path: Path) -> Iterator[FakeEngine]:
    """Stubs for id (root), docker (answers once dockerd has started), debootstrap and
    apt-get; yields (env, stub folder). Any stub dockerd still running is ended afterwards."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub(bin_dir, "id", "echo 0")
    stub(bin_dir, "debootstrap", "exit 0")
    stub(bin_dir, "apt-get", "exit 1")     # nothing may be installed here
    stub(bin_dir, "docker", f'[ -e {tmp_path}/up ] || exit 1\necho 20.10-stub')
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}",
           "SAMLITE_CI_DOCKER_DIR": str(tmp_path / "state"),
           "SAMLITE_CI_DOCKER_WAIT_S": "2"}
    yield env, tmp_path
    pid_file = tmp_path / "dockerd.stub-pid"
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)


def test_ci_docker_uses_an_engine_that_answers(fake_engine: FakeEngine) -> None:
    env, tmp = fake_engine
    (tmp / "up").touch()
    stub(tmp / "bin", "dockerd", f"touch {tmp}/dockerd-started")
    result = run(CI_DOCKER, "--help", env=env)      # --help: the image build only prints usage
    assert result.returncode == 0, result.stderr
    assert "using the running engine (20.10-stub)" in result.stdout
    # Both images are built: the Python one, then the Node.js one.
    assert re.findall(r"Usage: \S+/(\S+)", result.stdout) == ["build-lambda-image.sh",
                                                             "build-lambda-node-image.sh"]
    assert not (tmp / "dockerd-started").exists()


def test_ci_docker_starts_dockerd_without_bridge_or_iptables(fake_engine: FakeEngine) -> None:
    env, tmp = fake_engine
    stub(tmp / "bin", "dockerd",
         f'echo $$ > {tmp}/dockerd.stub-pid\necho "$@" > {tmp}/dockerd.args\n'
         f"touch {tmp}/up\nexec sleep 30")
    result = run(CI_DOCKER, "--help", env=env)
    assert result.returncode == 0, result.stderr
    assert "answers (20.10-stub)" in result.stdout
    args = (tmp / "dockerd.args").read_text().split()
    assert args[:2] == ["--bridge=none", "--iptables=false"]
    assert args[args.index("--data-root") + 1] == str(tmp / "state" / "data")


@pytest.mark.parametrize(("case", "dockerd", "message"), [
    ("dockerd exits", 'echo "failed to start daemon: no cgroups" >&2; exit 1',
     "dockerd exited before answering"),
    ("dockerd never answers", "echo $$ > {tmp}/dockerd.stub-pid; echo still starting; "
     "exec sleep 30", "did not answer within 2s"),
])
def test_ci_docker_fails_with_the_dockerd_log_tail(
        fake_engine: FakeEngine, case: str, dockerd: str, message: str) -> None:
    env, tmp = fake_engine
    stub(tmp / "bin", "dockerd", dockerd.format(tmp=tmp))
    result = run(CI_DOCKER, "--help", env=env)
    assert result.returncode == 1
    assert message in result.stderr
    log_line = "no cgroups" if case == "dockerd exits" else "still starting"
    assert log_line in result.stderr



def moto_requirement() -> Requirement:
    config = tomllib.loads((SCRIPTS.parent / "pyproject.toml").read_text(encoding="utf-8"))
    return next(Requirement(d) for d in config["project"]["dependencies"]
                if Requirement(d).name == "moto")


def script_setting(script: Path, name: str) -> str:
    match = re.search(rf"^{name}=(\S+)$", script.read_text(), re.MULTILINE)
    assert match is not None, f"{script.name} sets no {name}"
    return match.group(1)


def test_the_moto_range_script_tests_the_ends_pyproject_claims() -> None:
    specifier = moto_requirement().specifier
    lowest, highest = (Version(script_setting(MOTO_RANGE, name))
                       for name in ("LOWEST", "HIGHEST"))
    lower_bounds = [Version(s.version) for s in specifier if s.operator == ">="]
    assert lower_bounds == [lowest], f"LOWEST={lowest}, pyproject.toml says moto{specifier}"
    assert highest in specifier and lowest <= highest


def test_ci_runs_the_moto_range_script() -> None:
    assert "bash scripts/test-moto-range.sh" in (SCRIPTS.parent / ".ci" / "run").read_text()


def test_ci_installs_chromium_for_the_browser_tests_before_they_run() -> None:
    """Under CI=true the dashboard's browser tests fail without chromium (never skip), so
    .ci/run installs it with apt in its CI block, before the tests."""
    ci = (SCRIPTS.parent / ".ci" / "run").read_text()
    ci_block = ci.split('if [ "${CI:-}" = "true" ]; then', 1)[1].split("\nfi\n", 1)[0]
    assert "apt-get install -y -q chromium" in ci_block
    assert ci.index("apt-get install -y -q chromium") < ci.index('bash -c "$TEST_COMMAND"')
