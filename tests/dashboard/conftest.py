"""A running app of tests/dashboard/app with its dashboard, for the API and browser tests."""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from samlite.app.root import App, AppOptions
from samlite.dashboard.server import Dashboard

APP = Path(__file__).parent / "app"


@dataclass
class Running:
    app: App
    dashboard: Dashboard

    @property
    def url(self) -> str:
        return self.dashboard.url

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=10) as reply:  # noqa: S310
            return json.loads(reply.read())

    def send(self, method: str, path: str, body: bytes | dict[str, Any] = b"",
             content_type: str = "application/json") -> Any:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        request = urllib.request.Request(  # noqa: S310 - our own http:// URL
            self.url + path.lstrip("/"), data=data, method=method,
            headers={"Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310
            return json.loads(reply.read())

    def http(self, path: str) -> bytes:
        gateway = self.app.gateway
        assert gateway is not None
        with urllib.request.urlopen(gateway.url + path, timeout=10) as reply:  # noqa: S310
            return reply.read()


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    project = tmp_path / "app"
    shutil.copytree(APP, project)
    app = App(project / "template.yaml", AppOptions(
        aws_port=0, http_port=0, runtime="process", state_dir=project / ".samlite"))
    dashboard = Dashboard(app, port=0, event_templates={"s3 put": {"Records": []}})
    dashboard.bind()
    app.start()
    dashboard.start()
    try:
        yield Running(app=app, dashboard=dashboard)
    finally:
        dashboard.stop()
        app.stop()
