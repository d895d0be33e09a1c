"""A function the process runtime runs on another Python than its Runtime, or on another
architecture than its Architectures, is named once: by `samlite up` (runtime_notices), by
`samlite invoke` for the invoked function, and in the pytest plugin's log."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from samlite.app.root import App, AppOptions, invoke_function
from samlite.runtime.environments import python as python_runtime
from samlite.runtime.process_support import architecture_mismatch

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Arm:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.14
      Architectures: [arm64]
      CodeUri: src/
      Handler: app.handler
  Plain:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.14
      CodeUri: src/
      Handler: app.handler
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # This machine, as the test sees it: no python3.14, an x86_64 processor.
    monkeypatch.setattr(python_runtime, "python_for", lambda runtime: sys.executable)
    monkeypatch.setattr("platform.machine", lambda: "x86_64")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "import sys\n\ndef handler(event, context):\n    return sys.executable\n")
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return tmp_path / "template.yaml"


@pytest.mark.parametrize(("case", "architecture", "machine", "differs"), [
    ("arm64 on an x86_64 machine", "arm64", "x86_64", True),
    ("arm64 on Linux's aarch64", "arm64", "aarch64", False),
    ("x86_64 on Windows' AMD64", "x86_64", "AMD64", False),
    ("x86_64 on an Apple arm64", "x86_64", "arm64", True),
])
def test_architecture_mismatch(case: str, architecture: str, machine: str,
                               differs: bool) -> None:
    assert (architecture_mismatch(architecture, machine) is not None) is differs


def test_up_names_the_python_and_the_architecture_once_each(project: Path) -> None:
    app = App(project, AppOptions(runtime="process"))
    try:
        notices = app.runtime_notices()
    finally:
        app.close()
    assert [line.split(":")[1] for line in notices if "python3.14" in line
            or "(arm64)" in line] == [" Arm, Plain (python3.14)", " Arm (arm64)"]
    [arm] = [line for line in notices if "(arm64)" in line]
    assert ": it runs as processes on this machine's x86_64, not arm64" in arm   # one: Arm
    [python] = [line for line in notices if "(python3.14)" in line]
    assert "python3.14, so they run on Python" in python   # two: Arm and Plain
    assert "--runtime docker" in arm


def test_under_debug_the_notices_offer_docker_as_they_do_without(project: Path) -> None:
    app = App(project, AppOptions(debug_functions=("Plain",)))
    try:
        notices = app.process_mismatch_notices()
    finally:
        app.close()
    assert len(notices) == 2
    assert all("use --runtime docker to run Lambda's" in line for line in notices)


def test_invoke_names_what_differs_for_the_invoked_function(project: Path) -> None:
    said: list[str] = []
    result = invoke_function(project, "Plain", b"{}", AppOptions(runtime="process"),
                             log=lambda _fn, _line: None, notice=said.append)
    ran_on = json.loads(result.payload)   # the handler's sys.executable
    assert [line for line in said if "python3.14" in line] == [
        f"warning: Plain (python3.14): this machine has no working python3.14, so it runs "
        f"on Python {sys.version_info.major}.{sys.version_info.minor} ({ran_on}); "
        "install Python 3.14 (pyenv, uv or your package manager) to match Lambda, or use "
        "--runtime docker to run Lambda's image"]
    if sys.prefix != sys.base_prefix:   # never samlite's virtual environment (runtime.md)
        assert not ran_on.startswith(sys.prefix)
    assert not [line for line in said if "arm64" in line]   # only the invoked function's
