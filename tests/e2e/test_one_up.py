"""One `samlite up` per state dir, and `invoke` / `trigger` finding their own project's up:
real `samlite` processes, every port picked by the system (never 3000 or 3001)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from samlite.cli.run import NO_UP_NOTICE
from samlite.testing import wait_for

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Env:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      Events:
        Read:
          Type: HttpApi
          Properties: {Path: /env, Method: get}
        Nightly:
          Type: Schedule
          Properties: {Schedule: cron(0 3 * * ? *)}
"""
# Which AWS endpoint the function was given: the one of the `up` it was attached to, or none.
HANDLER = """\
import os


def handler(event, context):
    print("fired by", event.get("source", "a call"))
    return {"endpoint": os.environ.get("AWS_ENDPOINT_URL")}
"""
SAMLITE = [sys.executable, "-m", "samlite.cli"]
UP = [*SAMLITE, "up", "--port", "0", "--aws-port", "0", "--no-watch", "--runtime", "process"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}


def make_project(folder: Path) -> Path:
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "app.py").write_text(HANDLER)
    (folder / "template.yaml").write_text(TEMPLATE)
    return folder


@dataclass
class Up:
    """A running `samlite up`, its output (stdout and stderr) read as it comes."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(self.lines)

    def url(self, pattern: str) -> str:
        found = re.search(pattern + r"(http://127\.0\.0\.1:\d+)", self.text())
        assert found, self.text()
        return found[1]

    @property
    def http_url(self) -> str:
        return self.url(r"samlite is ready: ")

    @property
    def endpoint_url(self) -> str:
        return self.url(r"AWS endpoint \([^)]*\): ")

    def get(self, path: str) -> dict[str, object]:
        with urllib.request.urlopen(self.http_url + path, timeout=30) as reply:  # noqa: S310
            return json.loads(reply.read())


@pytest.fixture
def start_up() -> Iterator[object]:
    """start_up(project) -> Up, once ready; every one started is killed at the end."""
    started: list[Up] = []

    def start(folder: Path) -> Up:
        process = subprocess.Popen(UP, cwd=folder, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, env=ENV)
        up = Up(process)
        started.append(up)

        def read() -> None:
            for line in process.stdout or ():
                up.lines.append(line.rstrip("\n"))

        threading.Thread(target=read, daemon=True).start()
        wait_for(lambda: "samlite is ready" in up.text() or process.poll() is not None,
                 timeout_s=60, message="samlite up ready")
        assert process.poll() is None, up.text()
        return up

    yield start
    for up in started:
        if up.process.poll() is None:
            up.process.kill()
        up.process.wait(10)


def samlite(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SAMLITE, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=ENV, stdin=subprocess.DEVNULL, check=False)


def invoked_endpoint(done: subprocess.CompletedProcess[str]) -> object:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["endpoint"]


def test_a_second_up_on_the_state_dir_exits_2_naming_the_first(tmp_path: Path,
                                                                 start_up) -> None:
    project = make_project(tmp_path / "app")
    first = start_up(project)

    second = samlite("up", "--port", "0", "--aws-port", "0", "--no-watch", "--reset",
                     cwd=project)

    assert second.returncode == 2, second.stderr
    http, aws = (url.removeprefix("http://") for url in (first.http_url, first.endpoint_url))
    assert f"another samlite up (pid {first.process.pid}) is running on the state dir " \
           f"{(project / '.samlite').resolve()}, serving HTTP on {http}, AWS endpoint on " \
           f"{aws}" in second.stderr
    assert second.stdout == ""              # it stopped before starting anything
    assert "Traceback" not in second.stderr
    assert first.get("/env") == {"endpoint": first.endpoint_url}   # the first keeps serving
    assert first.process.poll() is None


def test_after_a_sigkill_the_record_is_ignored_and_a_new_up_starts(tmp_path: Path,
                                                                   start_up) -> None:
    project = make_project(tmp_path / "app")
    killed = start_up(project)
    killed.process.kill()
    killed.process.wait(10)
    assert (project / ".samlite" / "up.json").exists()   # SIGKILL left its record behind

    invoked = samlite("invoke", cwd=project)
    assert invoked_endpoint(invoked) is None            # nothing answers there: not attached
    # only said: no up runs for this project, so the function's AWS calls go to AWS
    assert NO_UP_NOTICE in invoked.stderr
    assert "samlite up" not in invoked.stderr.replace(NO_UP_NOTICE, "")

    again = start_up(project)                            # the kernel dropped the lock
    assert again.get("/env") == {"endpoint": again.endpoint_url}
    assert json.loads((project / ".samlite" / "up.json").read_text())["pid"] == \
        again.process.pid


def test_invoke_and_trigger_find_their_projects_up_on_any_port(tmp_path: Path,
                                                                start_up) -> None:
    project = make_project(tmp_path / "app")
    up = start_up(project)

    invoked = samlite("invoke", cwd=project)
    fired = samlite("trigger", "EnvNightly", "-t", str(project / "template.yaml"),
                    cwd=tmp_path)

    assert invoked_endpoint(invoked) == up.endpoint_url
    assert f"The function's AWS calls go to the samlite up running at {up.endpoint_url} " \
           f"(pid {up.process.pid})" in invoked.stderr
    assert fired.returncode == 0, fired.stderr
    assert fired.stdout.startswith("EnvNightly fired: RequestId ")
    wait_for(lambda: "fired by aws.events" in up.text(), timeout_s=30,
             message="the schedule's invocation in the running up")
    up.process.send_signal(signal.SIGINT)
    assert up.process.wait(10) == 0
    assert not (project / ".samlite" / "up.json").exists()   # withdrawn when it stopped


def test_another_projects_up_is_never_attached(tmp_path: Path, start_up) -> None:
    mine = make_project(tmp_path / "mine")
    other = start_up(make_project(tmp_path / "other"))

    # No up of this project: nothing is looked for on any port, so the other app's up
    # (where a default port would have found it) is not attached: the function's AWS calls
    # go to AWS, and that is all that is said of an up.
    alone = samlite("invoke", cwd=mine)
    assert invoked_endpoint(alone) is None
    assert NO_UP_NOTICE in alone.stderr
    assert "samlite up" not in alone.stderr.replace(NO_UP_NOTICE, "")
    no_up = samlite("trigger", "EnvNightly", cwd=mine)
    assert no_up.returncode == 2
    assert "no samlite up is running for template.yaml (none recorded in .samlite)" \
           in no_up.stderr

    # This project's up was killed, and the other project's up took its port since.
    record = json.loads((tmp_path / "other" / ".samlite" / "up.json").read_text())
    record.update(pid=2 ** 22 + 1, template=str((mine / "template.yaml").resolve()),
                  state_dir=str((mine / ".samlite").resolve()))
    (mine / ".samlite").mkdir(exist_ok=True)   # invoke keeps its credential seed there
    (mine / ".samlite" / "up.json").write_text(json.dumps(record))

    invoked = samlite("invoke", cwd=mine)
    fired = samlite("trigger", "EnvNightly", cwd=mine)

    refusal = (f"the samlite up at {other.endpoint_url} (pid {other.process.pid}) serves "
               f"{(tmp_path / 'other' / 'template.yaml').resolve()}, not "
               f"{(mine / 'template.yaml').resolve()}; not attached to it")
    assert invoked_endpoint(invoked) is None
    assert refusal in invoked.stderr
    assert fired.returncode == 2
    assert refusal in fired.stderr
    assert "fired by" not in other.text()               # nothing reached the other app
    # Given explicitly, --aws-port still fires in whatever up answers there.
    port = other.endpoint_url.rsplit(":", 1)[1]
    explicit = samlite("trigger", "EnvNightly", "--aws-port", port, cwd=mine)
    assert explicit.returncode == 0, explicit.stderr
    wait_for(lambda: "fired by aws.events" in other.text(), timeout_s=30,
             message="the explicitly targeted up's schedule")
