"""A Python function's code is never compiled to bytecode beside it (a cached .pyc is trusted
on its source's mtime second and size, so a quick same-size save could run old code), by the
interpreter's -B flag: no PYTHONDONTWRITEBYTECODE in the handler's environment, not one of
the variables Lambda defines."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.runtime.environments.process import ProcessEnvironment
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import FunctionSpec

APP = """\
import os, sys
import helper

def handler(event, context):
    return {"variable": "PYTHONDONTWRITEBYTECODE" in os.environ,
            "flag": sys.flags.dont_write_bytecode, "helper": helper.NAME}
"""


@pytest.fixture
def code_dir() -> Iterator[Path]:
    """Outside the host's /tmp, which a private /tmp would hide."""
    base = "/var/tmp" if Path("/var/tmp").is_dir() else str(Path.home())
    folder = Path(tempfile.mkdtemp(prefix="samlite-bytecode-", dir=base))
    (folder / "app.py").write_text(APP)
    (folder / "helper.py").write_text('NAME = "helper"\n')
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_no_bytecode_is_written_and_the_handler_sees_no_variable_for_it(
        code_dir: Path) -> None:
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime="python3.11", code_dir=code_dir)
    service = LambdaService([spec], environments=ProcessEnvironment,
                            log=lambda _fn, _line: None, tmp_root=code_dir.parent / (
                                code_dir.name + "-envs"))
    service.start()
    try:
        result = service.invoke("Fn", b"{}")
    finally:
        service.stop(grace_s=1)
        shutil.rmtree(code_dir.parent / (code_dir.name + "-envs"), ignore_errors=True)
    assert json.loads(result.payload) == {"variable": False, "flag": 1, "helper": "helper"}
    assert not (code_dir / "__pycache__").exists()
