"""`samlite up` as a user runs it: a real subprocess, real HTTP clients, real saves."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.testing import wait_for

PROJECT = Path(__file__).resolve().parents[2]
HELLO = PROJECT / "sample-apps" / "hello-api"


class Up:
    def __init__(self, process: subprocess.Popen[str], lines: list[str]) -> None:
        self.process = process
        self.lines = lines
        ready = next(line for line in lines if line.startswith("samlite is ready"))
        self.url = re.search(r"(http://\S+)", ready)[1]  # type: ignore[index]
        urls = [line for line in lines if "→ HiFunction" in line and ":" in line
                and "/hi " not in line and "GET" not in line]
        self.function_url = urls[0].split()[0] if urls else ""

    def get(self, path: str, base: str | None = None) -> tuple[int, dict]:
        try:
            url = f"{base or self.url}{path}"   # always the loopback URL samlite printed
            with urllib.request.urlopen(url, timeout=10) as reply:  # noqa: S310
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())


def _wait_ready(process: subprocess.Popen[str], lines: list[str]) -> None:
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout or ():
            lines.append(line.rstrip("\n"))
            if line.startswith("samlite is ready"):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(20):
        process.kill()
        raise AssertionError("samlite up was not ready within 20 s:\n" + "\n".join(lines))


@pytest.fixture
def up(tmp_path: Path) -> Iterator[Up]:
    app = tmp_path / "hello-api"
    shutil.copytree(HELLO, app)
    process = subprocess.Popen(
        [sys.executable, "-m", "samlite.cli", "up", "--port", "0", "--aws-port", "0"],
        cwd=app, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    _wait_ready(process, lines)
    yield Up(process, lines)
    if process.poll() is None:
        process.kill()
        process.wait(5)


def test_routes_and_function_url_serve(up: Up) -> None:
    assert up.get("/hello?name=Bo") == (200, {"message": "Hello, Bo"})
    assert up.get("/hello/Ada") == (200, {"message": "Hello, Ada"})
    status, body = up.get("/hi")
    assert (status, body["message"]) == (200, "Hello from /hi")
    status, body = up.get("/any/path", base=up.function_url.rstrip("/"))
    assert (status, body["message"]) == (200, "Hello from /any/path")
    assert up.get("/nope")[0] == 403   # REST: Missing Authentication Token


def test_startup_table_lists_functions_routes_and_urls(up: Up) -> None:
    text = "\n".join(up.lines)
    assert "HelloFunction  python3.12  256 MB  5 s" in text
    assert re.search(r"GET http://127\.0\.0\.1:\d+/hello/\{name\} → GreetFunction", text)
    assert "Function URLs (1)" in text


def test_a_saved_handler_is_served_at_once(up: Up, tmp_path: Path) -> None:
    code = tmp_path / "hello-api" / "hello" / "app.py"
    assert up.get("/hello")[1] == {"message": "Hello, world"}
    code.write_text(code.read_text().replace('"world"', '"saved world"'))
    # Unsaved, the old text is served forever: 30 s only bounds the wait. How soon the new
    # code is served is benchmarks/up.py's "save to new code served" figure.
    wait_for(lambda: up.get("/hello")[1] == {"message": "Hello, saved world"}, timeout_s=30,
             interval_s=0.05, message="the saved code to be served")


def test_ctrl_c_stops_everything_within_two_seconds(up: Up) -> None:
    up.get("/hello")
    children = subprocess.run(["pgrep", "-P", str(up.process.pid)], capture_output=True,
                              text=True, check=False).stdout.split()
    assert children   # the environment that served /hello
    up.process.send_signal(signal.SIGINT)
    # How soon it stops (the issue promises 2 s) is benchmarks/up.py's figure, not a test's.
    assert up.process.wait(10) == 0
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or \
            "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


def test_a_busy_port_names_it(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "samlite.cli", "up", "--port", str(port), "--aws-port", "0",
             "-t", str(HELLO / "template.yaml")],
            capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode != 0
    assert str(port) in done.stderr
    assert "--port" in done.stderr
    assert "Traceback" not in done.stderr


def test_log_format_json_gives_machines_one_object_per_line(tmp_path: Path) -> None:
    app = tmp_path / "hello-api"
    shutil.copytree(HELLO, app, ignore=shutil.ignore_patterns(".samlite", "tests"))
    process = subprocess.Popen(
        [sys.executable, "-m", "samlite.cli", "up", "--port", "0", "--aws-port", "0",
         "--log-format", "json", "--no-watch"],
        cwd=app, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        ready = None
        for line in process.stdout or ():
            event = json.loads(line)
            if event["event"] == "ready":
                ready = event
                break
        assert ready is not None
        assert set(ready["functions"]) == {"HelloFunction", "GreetFunction", "HiFunction"}
        with urllib.request.urlopen(f"{ready['url']}/hello/Ada", timeout=10) as reply:  # noqa: S310
            assert json.loads(reply.read()) == {"message": "Hello, Ada"}
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    logs = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(entry.get("function") == "GreetFunction"
               and entry["message"].startswith("START RequestId:") for entry in logs)


def test_the_dashboard_is_in_the_startup_table_and_the_ready_line(up: Up) -> None:
    text = "\n".join(up.lines)
    [url] = re.findall(r"Dashboard \(invocations, logs, replay, queues, buckets\): (\S+)", text)
    assert re.search(rf"samlite is ready: http://127\.0\.0\.1:\d+ · dashboard {url} ", text)
    up.get("/hello")
    with urllib.request.urlopen(url + "api/invocations", timeout=10) as reply:  # noqa: S310
        [row] = json.loads(reply.read())
    assert (row["function"], row["trigger"]) == ("HelloFunction", "GET /hello")


def test_a_template_edit_applies_while_up_runs_with_its_flags(tmp_path: Path) -> None:
    # Options given as flags (--iam, --secrets-file) are read again on a template reload,
    # in the watcher's thread: they must still hold, and the reload must happen.
    app = tmp_path / "hello-api"
    shutil.copytree(HELLO, app)
    (app / "secrets.json").write_text('{"secretsmanager": {}, "ssm": {}}')
    process = subprocess.Popen(
        [sys.executable, "-m", "samlite.cli", "up", "--port", "0", "--aws-port", "0",
         "--no-ui", "--iam", "enforce", "--secrets-file", "secrets.json"],
        cwd=app, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    try:
        _wait_ready(process, lines)
        running = Up(process, lines)
        template = app / "template.yaml"
        template.write_text(template.read_text().replace("Path: /hi", "Path: /hey"))
        wait_for(lambda: running.get("/hey")[0] == 200, timeout_s=30, interval_s=0.1,
                 message="the edited route to be served")
        assert not [line for line in lines if "Traceback" in line or "failed" in line]
    finally:
        process.kill()
        process.wait(5)
