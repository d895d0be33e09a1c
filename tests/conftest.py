"""Shared test helpers: where the shared corpus lives (read in place, never copied).

The corpus sits beside the project (`../shared/corpus`). A checkout without it (a user's
clone) skips the tests that read it, saying so; CI (`CI=true`) and
`SAMLITE_REQUIRE_CORPUS=1` make its absence a failure instead. Whether a test skips is
decided from the folder's existence alone, at collection: an error a test raises while it
runs (a FileNotFoundError naming "corpus" too) is a failure, never a skip, so a wrong path
cannot hide.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT / ".." / "shared" / "corpus"
CORPUS_REQUIRED = os.environ.get("CI") == "true" or \
    os.environ.get("SAMLITE_REQUIRE_CORPUS") == "1"
MISSING = (f"the shared corpus of real SAM templates is not at {CORPUS.resolve()} "
           "(it sits beside the project in samlite's workspace); corpus tests skipped")


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        if CORPUS_REQUIRED:
            pytest.fail(f"the shared corpus is missing at {CORPUS}; it must sit beside the "
                        "project")
        pytest.skip(MISSING)
    return CORPUS


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without the corpus, the tests that name it (in their name or body) skip."""
    if CORPUS.is_dir() or CORPUS_REQUIRED:
        return
    import inspect

    for item in items:
        function = getattr(item, "function", None)
        try:
            source = inspect.getsource(function) if function is not None else ""
        except (OSError, TypeError):
            source = ""
        if "corpus" in item.name.lower() or "CORPUS" in source \
                or item.nodeid.startswith("tests/conformance/"):
            item.add_marker(pytest.mark.skip(reason=MISSING), append=False)


def pytest_report_header(config: pytest.Config) -> str | None:
    return None if CORPUS.is_dir() else f"samlite: {MISSING}"
