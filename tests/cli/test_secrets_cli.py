"""`--secrets-file` as a user gives it to `samlite invoke`, and the exit code without it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from samlite.cli.main import main
from tests.e2e.test_secrets_app import HANDLER, TEMPLATE


def test_samlite_invoke_takes_the_secrets_file_flag_and_exits_2_without_it(
        tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"secretsmanager": {"outside/api-key": "k-123"}}))
    template = str(tmp_path / "template.yaml")
    done = CliRunner().invoke(main, ["invoke", "Show", "-t", template,
                                     "--secrets-file", str(secrets)])
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["API_KEY"] == "key=k-123"
    refused = CliRunner().invoke(main, ["invoke", "Show", "-t", template])
    assert refused.exit_code == 2
    assert "{{resolve:secretsmanager:outside/api-key}}" in refused.stderr
    assert "--secrets-file" in refused.stderr
