"""A function the process runtime cannot run (Java, .NET, Ruby, PackageType Image) is
said to be so at startup: its RUNS IN cell says it needs Docker, and "Not run locally" names
it with its file:line and the flag and image that run it; invoking it fails in those words."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from samlite.cli.main import main
from samlite.runtime.process_support import needs_docker

OWN = f"python{sys.version_info.major}.{sys.version_info.minor}"
NO_UP = ("--aws-endpoint-url", "http://127.0.0.1:9")   # never a developer's running up


def write_app(project: Path) -> Path:
    (project / "src").mkdir(parents=True, exist_ok=True)
    (project / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (project / "src" / "index.js").write_text("exports.handler = async () => 2;\n")
    template = project / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Py:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        f"      Handler: app.handler\n      Runtime: {OWN}\n      CodeUri: src\n"
        "  Node:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Handler: index.handler\n      Runtime: nodejs20.x\n      CodeUri: src\n"
        "  Java:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Handler: app.Handler\n      Runtime: java21\n      CodeUri: src\n")
    return template


def up_lines(template: Path, *flags: str) -> list[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "samlite.cli", "up", "--port", "0", "--aws-port", "0",
         "--no-watch", "--runtime", "process", *flags],
        cwd=template.parent, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout or ():
            lines.append(line.rstrip("\n"))
            if line.startswith("samlite is ready"):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(30), "\n".join(lines)
    finally:
        process.terminate()
        process.wait(10)
    return lines


def test_up_says_a_java_function_needs_docker(tmp_path: Path) -> None:
    lines = up_lines(write_app(tmp_path))
    rows = {line.split()[0]: line for line in lines
            if line.startswith("  ") and line.split()[0] in ("Py", "Node", "Java")}
    assert rows["Py"].endswith("process")
    assert rows["Node"].endswith("process")
    assert rows["Java"].endswith("— (needs Docker: java21)")
    not_local = lines[lines.index("Not run locally") + 1:]
    assert not_local[0] == (
        "  template.yaml:15: Java.Runtime (AWS::Serverless::Function): the process runtime "
        "runs Python, Node.js and provided* functions, not java21; run with --runtime docker "
        "(it runs java21 in public.ecr.aws/lambda/java:21-x86_64); invoking it fails until "
        "then")
    assert not any(": Py." in line or ": Node." in line for line in not_local)


def test_invoking_it_fails_in_the_same_words(tmp_path: Path) -> None:
    template = write_app(tmp_path)
    result = CliRunner().invoke(main, ["invoke", "-t", str(template), *NO_UP,
                                       "--runtime", "process", "Java"])
    assert result.exit_code != 0
    assert "Java: the process runtime runs Python, Node.js and provided* functions, not " \
           "java21; run with --runtime docker" in result.stderr
    assert "Traceback" not in result.stderr
    ran = CliRunner().invoke(main, ["invoke", "-t", str(template), *NO_UP,
                                    "--runtime", "process", "Py"])
    assert ran.exit_code == 0, ran.stderr
    assert ran.stdout.strip() == "1"
    node = CliRunner().invoke(main, ["invoke", "-t", str(template), *NO_UP,
                                     "--runtime", "process", "Node"])
    assert node.exit_code == 0, node.stderr
    assert node.stdout.strip() == "2"


@pytest.mark.parametrize(("runtime", "package_type", "needs"), [
    ("python3.13", "Zip", None),
    ("python3.9", "Zip", None),          # run on samlite's own Python, with a warning
    ("provided.al2023", "Zip", None),
    ("provided", "Zip", None),
    ("nodejs22.x", "Zip", None),         # on the local node, the closest major with a warning
    ("java21", "Zip", "java21"),
    ("dotnet8", "Zip", "dotnet8"),
    ("ruby3.3", "Zip", "ruby3.3"),
    (None, "Image", "PackageType Image"),
    (OWN, "Image", "PackageType Image"),
])
def test_which_functions_the_process_runtime_runs(runtime: str | None, package_type: str,
                                                   needs: str | None) -> None:
    assert needs_docker(runtime, package_type) == needs
