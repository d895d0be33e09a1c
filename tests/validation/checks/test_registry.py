"""The registry of checks: every check module runs, and one that fails to import stops
`samlite validate` loudly instead of leaving its rules out of a clean-looking report."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner  # noqa: TID251 - validate as a user runs it

import samlite.validation.checks as checks_package
from samlite.cli.main import main
from samlite.validation.checks import all_checks

VALID = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue: {Type: AWS::SQS::Queue}
"""


def check_modules() -> list[str]:
    """The package's modules that declare CHECKS (the contract all_checks() reads)."""
    names = [m.name for m in pkgutil.iter_modules(checks_package.__path__)]
    return [n for n in names
            if hasattr(importlib.import_module(f"{checks_package.__name__}.{n}"), "CHECKS")]


@pytest.mark.parametrize("name", check_modules())
def test_every_check_module_is_registered(name: str) -> None:
    module = importlib.import_module(f"{checks_package.__name__}.{name}")
    registered = set(all_checks())
    assert module.CHECKS and set(module.CHECKS) <= registered


def test_a_check_module_that_fails_to_import_stops_validate_loudly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "template.yaml").write_text(VALID, encoding="utf-8")
    assert CliRunner().invoke(main, ["validate", str(tmp_path / "template.yaml")]).exit_code == 0
    broken = f"{checks_package.__name__}.limits"
    monkeypatch.delattr(checks_package, "limits")
    monkeypatch.setitem(sys.modules, broken, None)      # its import now raises ImportError
    with pytest.raises(ImportError, match=broken):
        all_checks()
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "template.yaml")])
    assert result.exit_code == 70                      # a bug, said as one; never "valid"
    assert broken in result.output
