"""`samlite up` takes its options from samconfig.toml, as SAM CLI does, when the command line
does not give them: a real `samlite up` process, its ports picked free by the test."""

from __future__ import annotations

import socket
import subprocess
import threading
from pathlib import Path

from samlite.testing import wait_for
from tests.e2e.test_one_up import ENV, SAMLITE, make_project


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_up_serves_on_samconfigs_ports_and_a_given_flag_wins(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app")
    http_port, ui_port, up_table_port, aws_port = (free_port() for _ in range(4))
    (project / "samconfig.toml").write_text(
        "version = 0.1\n"
        "[default.up.parameters]\n"
        f"port = {up_table_port}\naws_port = {aws_port}\nui_port = {ui_port}\n"
        'iam = "enforce"\n'
        "[default.local_start_api.parameters]\n"
        f"port = {http_port}\n")   # SAM CLI's start-api table: it wins over up's
    lines: list[str] = []
    process = subprocess.Popen([*SAMLITE, "up", "--aws-port", "0", "--no-watch", "--runtime",
                                "process"], cwd=project, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=ENV)
    try:
        threading.Thread(target=lambda: lines.extend(line.rstrip("\n")
                                                     for line in process.stdout or ()),
                         daemon=True).start()
        wait_for(lambda: any("samlite is ready" in line for line in lines)
                 or process.poll() is not None, timeout_s=60, message="samlite up ready")
        text = "\n".join(lines)
        assert (f"samlite is ready: http://127.0.0.1:{http_port} · dashboard "
                f"http://127.0.0.1:{ui_port}") in text, text
        assert f"127.0.0.1:{aws_port}" not in text   # --aws-port 0 was given: it wins
        assert "IAM: enforce (from samconfig.toml [default.up.parameters];" in text
    finally:
        process.kill()
        process.wait(10)


def test_a_bad_samconfig_value_names_the_file_and_key(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app")
    (project / "samconfig.toml").write_text(
        'version = 0.1\n[default.up.parameters]\nport = "nope"\n')
    done = subprocess.run([*SAMLITE, "up", "--no-watch"], cwd=project, capture_output=True,
                          text=True, timeout=120, env=ENV, stdin=subprocess.DEVNULL,
                          check=False)
    assert done.returncode == 2   # ConfigError
    assert "samconfig.toml: port = 'nope': 'nope' is not a valid integer range" in done.stderr


def test_start_lambda_listens_on_samconfigs_port(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app")
    port = free_port()
    (project / "samconfig.toml").write_text(
        f'version = 0.1\n[default.local_start_lambda.parameters]\nport = {port}\niam = "off"\n')
    lines: list[str] = []
    process = subprocess.Popen([*SAMLITE, "start-lambda", "--runtime", "process"], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=ENV)
    try:
        threading.Thread(target=lambda: lines.extend(line.rstrip("\n")
                                                     for line in process.stdout or ()),
                         daemon=True).start()
        wait_for(lambda: any("Lambda Invoke API on" in line for line in lines)
                 or process.poll() is not None, timeout_s=60, message="start-lambda ready")
        text = "\n".join(lines)
        assert f"Lambda Invoke API on http://127.0.0.1:{port} (Ctrl-C to stop)" in text, text
        assert "IAM: off (from samconfig.toml [default.local_start_lambda.parameters];" in text
    finally:
        process.kill()
        process.wait(10)
