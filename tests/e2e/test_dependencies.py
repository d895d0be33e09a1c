"""Requirements installed without a build step, as a user sees it: `samlite up` and `samlite
invoke` in a real subprocess, real pip against the package index, real HTTP calls.
`tabulate`, `termcolor` and `humanize` are small pure-Python packages that samlite's own
environment does not have, so a handler imports them only from what samlite installed."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.testing import wait_for
from tests.runtime.conftest import require_docker

RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
DOCKER_RUNTIME = "python3.11"   # the Lambda-like image CI builds (scripts/ci-docker.sh)
TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: <<Runtime: {RUNTIME}, Timeout: 10, Handler: app.handler>>
Resources:
  TableFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: table/
      Events: <<Get: <<Type: HttpApi, Properties: <<Path: /table, Method: get>>>>>>
  ColorFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: color/
      Layers: [!Ref Shared]
      Events: <<Get: <<Type: HttpApi, Properties: <<Path: /color, Method: get>>>>>>
  PlainFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: plain/
      Events: <<Get: <<Type: HttpApi, Properties: <<Path: /plain, Method: get>>>>>>
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties: <<ContentUri: shared/, CompatibleRuntimes: [{RUNTIME}]>>
    Metadata: <<BuildMethod: {RUNTIME}>>
"""
TABLE = """\
import importlib.util
import uuid

import tabulate

ENVIRONMENT = uuid.uuid4().hex   # one per execution environment (its import)


def handler(event, context):
    return {"tabulate": tabulate.__version__, "environment": ENVIRONMENT,
            "humanize": importlib.util.find_spec("humanize") is not None}
"""
COLOR = """\
import uuid

import termcolor

ENVIRONMENT = uuid.uuid4().hex


def handler(event, context):
    return {"colored": termcolor.colored("hi", "red", force_color=True), "environment": ENVIRONMENT}
"""
PLAIN = """\
import uuid

ENVIRONMENT = uuid.uuid4().hex


def handler(event, context):
    return {"environment": ENVIRONMENT}
"""


def write_app(folder: Path, table_requirements: str = "tabulate==0.9.0\n",
              runtime: str = RUNTIME) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    template = TEMPLATE.replace("{RUNTIME}", runtime).replace("<<", "{").replace(">>", "}")
    (folder / "template.yaml").write_text(template)
    for name, code in (("table", TABLE), ("color", COLOR), ("plain", PLAIN)):
        (folder / name).mkdir()
        (folder / name / "app.py").write_text(code)
    (folder / "table" / "requirements.txt").write_text(table_requirements)
    (folder / "shared").mkdir()
    (folder / "shared" / "requirements.txt").write_text("termcolor\n")
    return folder


class Up:
    """A running `samlite up`: its stdout lines, its stderr file, its HTTP URL."""

    def __init__(self, app: Path, *flags: str) -> None:
        self.stderr_path = app / "up.stderr"
        with self.stderr_path.open("w") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "samlite.cli", "up", "--port", "0", "--aws-port", "0",
                 "--runtime", "process", *flags], cwd=app, stdout=subprocess.PIPE,
                stderr=stderr, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: list[str] = []
        ready = threading.Event()

        def read() -> None:
            for line in self.process.stdout or ():
                self.lines.append(line.rstrip("\n"))
                if line.startswith("samlite is ready"):
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(120):   # the first start installs with pip
            self.stop()
            raise AssertionError("samlite up was not ready:\n" + "\n".join(self.lines) +
                                 "\n" + self.stderr)
        ready_line = next(line for line in self.lines if line.startswith("samlite is ready"))
        self.url = re.search(r"(http://\S+)", ready_line)[1]  # type: ignore[index]

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def deps(self, function: str) -> str:
        """The DEPS cell of `function` in the startup table."""
        row = next(line for line in self.lines if line.split()[:1] == [function])
        return re.split(r"\s{2,}", row.strip())[-1]

    def get(self, path: str) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"{self.url}{path}", timeout=20) as reply:  # noqa: S310
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@pytest.fixture
def running() -> Iterator[list[Up]]:
    """Every `samlite up` a test starts is stopped at its end."""
    started: list[Up] = []
    yield started
    for up in started:
        up.stop()


def start(running: list[Up], app: Path, *flags: str) -> Up:
    up = Up(app, *flags)
    running.append(up)
    return up


def invoke(app: Path, function: str, *flags: str,
           runtime: str = "process") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "samlite.cli", "invoke", function, "--aws-endpoint-url",
         "http://127.0.0.1:9", "--runtime", runtime, *flags], cwd=app, capture_output=True,
        text=True, timeout=180, check=False)


def test_up_installs_requirements_and_a_second_start_runs_no_pip(
        tmp_path: Path, running: list[Up]) -> None:
    app = write_app(tmp_path / "app")
    first = start(running, app)
    assert first.get("/table")[1]["tabulate"] == "0.9.0"
    assert first.get("/color")[1]["colored"] == "\x1b[31mhi\x1b[0m"   # from the layer
    assert first.get("/plain")[0] == 200
    assert (first.deps("TableFunction"), first.deps("ColorFunction"),
            first.deps("PlainFunction")) == ("installed", "installed", "-")
    assert "Installing function TableFunction's requirements (table/requirements.txt)" \
        in first.stderr
    assert "Installing layer Shared (used by ColorFunction)'s requirements" in first.stderr
    first.stop()

    second = start(running, app)
    assert (second.deps("TableFunction"), second.deps("ColorFunction")) == ("cached", "cached")
    assert "Installing" not in second.stderr   # no pip ran
    assert second.get("/table")[1]["tabulate"] == "0.9.0"
    installs = [p.name for p in (app / ".samlite" / "deps").iterdir()
                if not p.name.endswith(".lock")]
    assert len(installs) == 2


def test_a_requirements_edit_reinstalls_and_recycles_only_that_function(
        tmp_path: Path, running: list[Up]) -> None:
    app = write_app(tmp_path / "app")
    up = start(running, app)
    before = {path: up.get(path)[1] for path in ("/table", "/color", "/plain")}
    assert before["/table"]["humanize"] is False
    (app / "table" / "requirements.txt").write_text("tabulate==0.9.0\nhumanize\n")
    wait_for(lambda: up.get("/table")[1]["humanize"], timeout_s=60,
             message="the new requirement installed")
    assert up.get("/table")[1]["environment"] != before["/table"]["environment"]
    assert up.get("/color")[1]["environment"] == before["/color"]["environment"]
    assert up.get("/plain")[1]["environment"] == before["/plain"]["environment"]
    assert any("TableFunction: table/requirements.txt changed" in line for line in up.lines)


@pytest.mark.parametrize("runtime", ["process", "docker"])
def test_invoke_installs_into_the_projects_cache(tmp_path: Path, runtime: str) -> None:
    if runtime == "docker":
        require_docker()
    app = write_app(tmp_path / "app", runtime=RUNTIME if runtime == "process"
                    else DOCKER_RUNTIME)
    done = invoke(app, "TableFunction", runtime=runtime)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["tabulate"] == "0.9.0"
    assert "Installing function TableFunction's requirements" in done.stderr
    assert any((app / ".samlite" / "deps").glob(f"py*-{runtime}-*"))
    layer = invoke(app, "ColorFunction", runtime=runtime)
    assert json.loads(layer.stdout)["colored"] == "\x1b[31mhi\x1b[0m", layer.stderr
    again = invoke(app, "TableFunction", runtime=runtime)
    assert "Installing" not in again.stderr
    assert json.loads(again.stdout)["tabulate"] == "0.9.0"


def test_a_failing_install_exits_1_with_pips_words_naming_the_function(
        tmp_path: Path) -> None:
    app = write_app(tmp_path / "app", table_requirements="samlite-no-such-package-xyz==1.0\n")
    done = invoke(app, "PlainFunction")
    assert done.returncode == 1
    assert "function TableFunction: pip could not install" in done.stderr
    assert "samlite-no-such-package-xyz" in done.stderr   # pip's own line
    assert "Traceback" not in done.stderr
    assert [p for p in (app / ".samlite" / "deps").iterdir() if p.is_dir()] == []


def test_no_build_installs_nothing_and_names_what_is_missing(
        tmp_path: Path, running: list[Up]) -> None:
    app = write_app(tmp_path / "app")
    up = start(running, app, "--no-build")
    assert "--no-build: requirements not installed for function TableFunction " \
           "(table/requirements.txt); layer Shared (used by ColorFunction) " \
           "(shared/requirements.txt)" in up.stderr
    assert (up.deps("TableFunction"), up.deps("PlainFunction")) == ("not installed", "-")
    assert not (app / ".samlite" / "deps").exists()
    status, _ = up.get("/table")
    assert status == 500   # the handler's import fails, as it would on Lambda


def test_a_sam_build_folder_is_named_once_and_not_read(tmp_path: Path) -> None:
    app = write_app(tmp_path / "app")
    (app / ".aws-sam" / "build").mkdir(parents=True)
    done = invoke(app, "PlainFunction", "--no-build")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count(".aws-sam/build exists: samlite runs functions from their "
                             "source folders") == 1


# A package with no wheel at all, only a source distribution that builds offline (an in-tree
# PEP 517 backend that needs nothing installed): pip's Linux-wheel install finds nothing,
# so samlite builds it inside the function's image.
BACKEND = '''\
import base64, hashlib, os, zipfile

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist = "nowheel-1.0.dist-info"
    files = {"nowheel.py": open("nowheel.py", "rb").read(),
             dist + "/METADATA": b"Metadata-Version: 2.1\\nName: nowheel\\nVersion: 1.0\\n",
             dist + "/WHEEL": b"Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\n"
                              b"Tag: py3-none-any\\n"}
    record = []
    name = "nowheel-1.0-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:
        for path, data in files.items():
            wheel.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{path},sha256={digest.decode()},{len(data)}")
        wheel.writestr(dist + "/RECORD", "\\n".join([*record, dist + "/RECORD,,"]) + "\\n")
    return name
'''


def _source_only_package(dist: Path) -> None:
    import io
    import tarfile

    files = {"pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\n'
                               'backend-path = ["."]\n',
             "backend.py": BACKEND, "nowheel.py": "BUILT_IN = 'the image'\n",
             "PKG-INFO": "Metadata-Version: 2.1\nName: nowheel\nVersion: 1.0\n"}
    dist.mkdir(parents=True)
    with tarfile.open(dist / "nowheel-1.0.tar.gz", "w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"nowheel-1.0/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_docker_builds_a_package_without_a_linux_wheel_in_the_functions_image(
        tmp_path: Path) -> None:
    require_docker()
    app = write_app(tmp_path / "app", runtime=DOCKER_RUNTIME,
                    table_requirements="--no-index\n--find-links dist\nnowheel==1.0\n")
    _source_only_package(app / "table" / "dist")
    (app / "table" / "app.py").write_text(
        "import nowheel\n\ndef handler(event, context):\n    return nowheel.BUILT_IN\n")
    done = invoke(app, "TableFunction", runtime="docker")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == "the image"
