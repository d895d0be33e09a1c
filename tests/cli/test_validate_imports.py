"""`samlite validate` in a fresh interpreter imports only what validating needs: each heavy
library or package below is a cost every CI run would pay for nothing (issue 24)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"

# What running functions needs, never validating: the AWS endpoint (moto and its stack), the
# runtime, Docker, file watching, JWTs, Velocity and Java regexes (only for templates that
# have them), jsonschema (only to phrase a schema error), and click's optional parts; and
# what only a problem needs (difflib, to suggest a fix) or what reading package data the
# long way brings (importlib.resources: tempfile, shutil and three compressors).
HEAVY = ("moto", "boto3", "botocore", "werkzeug", "watchdog", "docker", "jwt", "airspeed",
         "regex", "jsonschema", "referencing", "cfn_flip", "click.testing",
         "click.shell_completion", "samlite.runtime", "samlite.aws", "samlite.sources",
         "samlite.http", "samlite.app.root", "samlite.scaffold", "samlite.graph.model",
         "samlite.build", "difflib", "importlib.resources", "tempfile", "shutil", "lzma",
         "bz2", "samlite.graph.readers.definition_intrinsics")

# A big template's checks are shared with a forked child (cli/check_shares.py), whose imports
# this process never sees: the probe runs both shares here, so it lists what both import.
PROBE = """
import json, sys
import samlite.cli.check_shares as shares
shares.run_shares_at_once = lambda first, second: (first(), second())
from samlite.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def imported_by_validate(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, "validate", *args], check=False,
                          capture_output=True, text=True, timeout=120)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.startswith(HEAVY) and
                  any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_validating_a_large_app_imports_nothing_heavy(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from generate import write_app
    finally:
        sys.path.remove(str(BENCHMARKS))
    template = write_app(tmp_path)
    modules = imported_by_validate(str(template))
    assert heavy(modules) == []
    # It has no filter patterns and no dynamic references: their parsers stay out too.
    assert {"samlite.dialects.event_patterns", "samlite.dialects.dynamic_references"}.isdisjoint(
        modules)


@pytest.mark.parametrize("name", ["api_with_cors.yaml", "function_with_dlq.yaml",
                                  "s3_filter.yaml"])
def test_validating_a_corpus_template_imports_nothing_heavy(name: str) -> None:
    path = CORPUS / "sam-translator" / "valid" / name
    assert heavy(imported_by_validate(str(path))) == []


def test_a_schema_error_is_still_phrased(tmp_path: Path) -> None:
    """jsonschema stays out only while templates are valid: a wrong value still gets its
    message (the probe proves the import is lazy, not gone)."""
    template = tmp_path / "template.yaml"
    template.write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
                        "    Properties: {DelaySeconds: soon}\n", encoding="utf-8")
    assert "jsonschema" in imported_by_validate(str(template))
