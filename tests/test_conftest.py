"""tests/conftest.py's corpus rule, run as a test author meets it: in a checkout without the
shared corpus, the tests that name it skip; a missing file found while a test runs fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = '''
from pathlib import Path

CORPUS = Path(__file__).parents[2] / "shared" / "corpus"


def test_reads_a_template_of_the_corpus():
    assert (CORPUS / "apps" / "x" / "template.yaml").read_text()


def test_reads_a_file_at_a_wrong_path():
    # A path bug, whose message happens to name "corpus": not a reason to skip.
    Path("/nowhere/shared/corpus/apps/x/template.yaml").read_text()
'''


def test_without_the_corpus_only_tests_naming_it_skip_and_a_missing_file_fails(
        tmp_path: Path) -> None:
    project = tmp_path / "checkout"             # no ../shared/corpus beside it
    (project / "tests").mkdir(parents=True)
    shutil.copy(Path(__file__).with_name("conftest.py"), project / "tests" / "conftest.py")
    (project / "tests" / "test_reading.py").write_text(TESTS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "SAMLITE_REQUIRE_CORPUS")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-rfs", "-p", "no:cacheprovider", "tests"],
        cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False)
    summary = result.stdout.splitlines()
    assert result.returncode == 1, result.stdout
    assert any(line.startswith("SKIPPED") and "test_reading.py" in line
               and "corpus tests skipped" in line for line in summary), result.stdout
    assert "FAILED tests/test_reading.py::test_reads_a_file_at_a_wrong_path" in result.stdout
    assert "FileNotFoundError" in result.stdout
    assert "1 failed, 1 skipped" in result.stdout
