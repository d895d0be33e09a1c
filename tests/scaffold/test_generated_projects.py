"""Every template `samlite init` ships, generated as a user would: the project passes
`samlite validate`, `samlite up` starts it (to its ready line), and its own tests pass under
pytest. One test per template and language (Python, Node.js), each in its own processes, as a
user's terminal runs them; a Node.js project's tests are Python too, run the same way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from samlite.scaffold.catalog import LANGUAGE_DEFAULTS, TEMPLATES

SAMLITE = (sys.executable, "-m", "samlite.cli")


def variants() -> list[tuple[str, str]]:
    """(template, runtime) for each language a template ships, with the language's default
    runtime (nodejs22.x runs on whichever node this machine has, as a user's would)."""
    return [(t.name, LANGUAGE_DEFAULTS[language]) for t in TEMPLATES for language in t.languages]


def user_env() -> dict[str, str]:
    """The environment of a user's shell: no pytest options of ours (CI's junitxml) and no
    Docker engine, so functions run as processes on every machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return {**env, "DOCKER_HOST": "unix:///nonexistent/docker.sock", "PYTHONUNBUFFERED": "1"}


def up_until_ready(project: Path) -> list[str]:
    """`samlite up` on free ports, stopped with Ctrl-C once it says it is ready; its stdout."""
    process = subprocess.Popen([*SAMLITE, "up", "--port", "0", "--aws-port", "0", "--no-watch"],
                               cwd=project, env=user_env(), text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    lines: list[str] = []
    try:
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("samlite is ready: "):
                break
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert lines and lines[-1].startswith("samlite is ready: "), "\n".join(lines) + err
    assert process.returncode == 0, err
    return lines


@pytest.mark.parametrize(("template", "runtime"), variants(),
                         ids=[f"{template}-{runtime}" for template, runtime in variants()])
def test_a_generated_project_validates_starts_and_passes_its_tests(
        tmp_path: Path, template: str, runtime: str) -> None:
    project = tmp_path / "my-app"
    made = subprocess.run([*SAMLITE, "init", str(project), "--template", template,
                           "--runtime", runtime, "--no-input"], env=user_env(),
                          capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr

    validated = subprocess.run([*SAMLITE, "validate"], cwd=project, env=user_env(),
                               capture_output=True, text=True, check=False)
    assert (validated.returncode, validated.stdout) == (0, "template.yaml: valid\n"), \
        validated.stdout + validated.stderr

    started = up_until_ready(project)
    assert started[0].startswith("Runtime: process (auto: no Docker engine answers")
    assert not any(line.strip() == "Not run locally" for line in started), "\n".join(started)

    tested = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=project, env=user_env(), capture_output=True, text=True,
                            check=False)
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-2000:]
    assert " passed" in tested.stdout.splitlines()[-1]
