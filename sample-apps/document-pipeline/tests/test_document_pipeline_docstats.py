"""Unit tests for the shared layer's code: plain Python, no samlite needed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

# The layer's code lives where Lambda expects it (python/ inside the layer); load it by path
# so the tests need no sys.path changes.
LAYER_MODULE = Path(__file__).resolve().parents[1] / "layers/shared/python/docstats.py"
_spec = importlib.util.spec_from_file_location("docstats", LAYER_MODULE)
assert _spec and _spec.loader
docstats = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(docstats)


def test_text_counts_words_lines_and_top_words() -> None:
    stats = docstats.analyse("notes.txt", b"The cat sat.\nThe cat ran away!\n")

    assert stats["kind"] == "text"
    assert stats["lines"] == 2
    assert stats["words"] == 7
    assert stats["top_words"][0] == {"word": "cat", "count": 2}   # "the" is a stop word
    assert stats["summary"] == "The cat sat."


def test_markdown_lists_headings_and_skips_them_in_the_summary() -> None:
    stats = docstats.analyse("readme.md", b"# Title\n\nBody text here. More.\n## Usage\n")

    assert stats["headings"] == ["Title", "Usage"]
    assert stats["summary"] == "Body text here."


def test_csv_reports_columns_and_rows() -> None:
    stats = docstats.analyse("sales.csv", b"region,total\nnorth,10\nsouth,12\n")

    assert stats == {"kind": "csv", "columns": ["region", "total"], "rows": 2}


@pytest.mark.parametrize(("key", "body", "message"), [
    ("latin1.txt", "caf\xe9".encode("latin-1"), "not UTF-8"),
    ("blank.md", b"  \n\n", "empty"),
    ("ragged.csv", b"a,b\n1,2\n3\n", "row 3 has 1 fields"),
], ids=["not-utf8", "empty", "ragged-csv"])
def test_bad_documents_raise_document_error(key: str, body: bytes, message: str) -> None:
    with pytest.raises(docstats.DocumentError, match=message):
        docstats.analyse(key, body)
