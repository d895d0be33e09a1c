"""The list of known codes (which suppressions are checked against) is the codes the source
reports: a new code not added there would make its own suppression a W0011."""

from __future__ import annotations

import re
from pathlib import Path

import samlite
from samlite.validation.codes import KNOWN_CODES

SOURCE = Path(samlite.__file__).parent
LITERAL = re.compile(r"""["']([EW]\d{4})["']""")
EITHER_LETTER = re.compile(r"""f["']\{letter\}(\d{4})["']""")


def reported_codes() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if path.name == "codes.py":
            continue
        text = path.read_text(encoding="utf-8")
        found.update(LITERAL.findall(text))
        found.update(letter + number for number in EITHER_LETTER.findall(text)
                     for letter in "EW")
    return found


def test_every_code_the_source_reports_is_known() -> None:
    assert reported_codes() - KNOWN_CODES == set()


def test_every_known_code_is_reported_somewhere() -> None:
    assert KNOWN_CODES - reported_codes() == set()

