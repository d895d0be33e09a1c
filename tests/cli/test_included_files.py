"""A file the template includes that cannot be parsed stops `validate` and `up` with an error
at the template line that names it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from samlite.cli.main import main
from tests.sources.gateway.test_openapi_files_e2e import REST_SPEC, TEMPLATE


@pytest.mark.parametrize("command", [
    pytest.param(["validate"], id="validate"),
    pytest.param(["up", "--port", "0", "--aws-port", "0", "--no-watch", "-t"], id="up"),
])
def test_an_unparsable_included_file_is_an_error_at_the_template_line(
        tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "openapi").mkdir()
    (tmp_path / "openapi" / "http.yaml").write_text("paths: [\n")
    (tmp_path / "openapi" / "rest.json").write_text(REST_SPEC)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    result = CliRunner().invoke(main, [*command, str(tmp_path / "template.yaml")])
    assert result.exit_code != 0
    assert "ready" not in result.stdout
    assert f"{tmp_path / 'template.yaml'}:20:34: error E0010 " \
        "Resources.Included.Properties.DefinitionBody: Fn::Transform AWS::Include names " \
        "'openapi/http.yaml', which is not a YAML or JSON mapping " \
        f"({tmp_path / 'openapi/http.yaml'}:2:1: not valid YAML" in result.output
