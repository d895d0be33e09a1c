"""`samlite up`'s dashboard options: a --ui-port the app already serves is refused, naming
the ports; the default follows --port 0 (any free port), as function URLs do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from samlite.app.root import App, AppOptions
from samlite.cli.run import dashboard_for
from samlite.errors import UsageError

from .conftest import APP


def test_a_ui_port_the_app_serves_is_refused(tmp_path: Path) -> None:
    shutil.copytree(APP, tmp_path / "app")
    app = App(tmp_path / "app" / "template.yaml", AppOptions(
        aws_port=0, http_port=0, runtime="process", state_dir=tmp_path / "state"))
    aws_port = int(str(app.endpoint_url).rsplit(":", 1)[1])
    with pytest.raises(UsageError, match=rf"--ui-port {aws_port} is a port this app already "
                                         r"serves \(.*\); choose another"):
        dashboard_for(app, aws_port)
