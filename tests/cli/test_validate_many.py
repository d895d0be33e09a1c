"""Many templates in one `samlite validate`: named one by one, or as a glob samlite expands
(quoted, so it works the same in every shell and in CI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from samlite.cli.main import main

GOOD = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
"""
BAD = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {DelaySeconds: soon}
"""


@pytest.fixture
def stacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in [("stacks/a/template.yaml", GOOD), ("stacks/b/template.yaml", BAD),
                       ("stacks/b/deep/c.yaml", GOOD), ("other.yaml", GOOD)]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def validate(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_recursive_glob_checks_every_match_in_one_run(stacks: Path) -> None:
    code, out, _ = validate("stacks/**/*.yaml")
    assert code == 1
    assert out.splitlines()[0].startswith("stacks/b/template.yaml:5:32: error E2001")
    assert out.splitlines()[-1] == ("stacks/a/template.yaml, stacks/b/deep/c.yaml, "
                                    "stacks/b/template.yaml: invalid (1 error, 0 warnings)")


def test_files_and_globs_mix(stacks: Path) -> None:
    code, out, _ = validate("other.yaml", "stacks/a/*.yaml")
    assert (code, out.splitlines()[-1]) == (0, "other.yaml, stacks/a/template.yaml: valid")


def test_a_glob_that_matches_nothing_is_a_usage_error(stacks: Path) -> None:
    code, _, err = validate("stacks/**/*.yml")
    assert (code, err.strip()) == (2, "Error: no template matches 'stacks/**/*.yml'")


def test_many_templates_shared_among_processes_report_as_one_process_does(
        stacks: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from samlite.cli import validate_many

    for n in range(40):
        (stacks / "many" / f"t{n:02}.yaml").parent.mkdir(exist_ok=True)
        (stacks / "many" / f"t{n:02}.yaml").write_text(BAD if n % 3 else GOOD, encoding="utf-8")
    args = ("many/*.yaml", "missing.yaml", "other.yaml")
    shared = validate(*args)
    monkeypatch.setattr(validate_many, "MIN_TEMPLATES_TO_FORK", 10**6)
    assert validate(*args) == shared
    code, out, err = shared
    assert (code, err) == (2, "")
    assert "missing.yaml:1:1: error E0011 no such file" in out.splitlines()
    assert out.splitlines()[-1].endswith("invalid (27 errors, 0 warnings)")


def test_results_come_back_in_the_order_given() -> None:
    from samlite.cli.validate_many import check_each

    paths = [Path(f"t{n}.yaml") for n in range(50)]
    assert check_each(paths, str) == [str(p) for p in paths]
