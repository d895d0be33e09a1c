"""The pre-commit hook this repository offers, run as a user's pre-commit runs it:
`pre-commit try-repo` builds the hook's environment from this checkout and runs it on a
project's files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
BAD = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Small:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      MemorySize: 64
      InlineCode: "def handler(event, context): return 1"
"""


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   cwd=folder, check=True, capture_output=True)


def test_the_hook_checks_templates_and_fails_the_commit_on_an_error(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (REPOSITORY / ".git").exists():
        pytest.fail("this test needs git and a git checkout of samlite")
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    (project / "template.yaml").write_text(BAD, encoding="utf-8")
    (project / "stacks" / "api.template.yml").write_text(BAD.replace("64", "96"),
                                                          encoding="utf-8")
    (project / "config.yaml").write_text("not: a template\n", encoding="utf-8")
    git(project, "init", "-q")
    git(project, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPOSITORY),
                           "samlite-validate", "--all-files"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "template.yaml:9:19: error E2001" in out
    assert "stacks/api.template.yml:9:19: error E2001" in out
    assert "config.yaml" not in out
