"""The docs name only samlite commands that exist: every `samlite WORD ...` code span of
README.md and docs/*.md is a command of the CLI (coming-from.md's tables map SAM CLI's
commands onto these)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from samlite.cli.main import main

PROJECT = Path(__file__).resolve().parents[2]
DOCS = (PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md")))
OUTPUT_LINES = {"is"}   # `samlite is ready: …` quotes what up prints, not a command


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_samlite_command_a_doc_names_exists(doc: Path) -> None:
    named = set(re.findall(r"`samlite ([a-z][a-z-]*)", doc.read_text(encoding="utf-8")))
    # list_commands, not .commands: most commands are imported only when first asked for.
    commands = set(main.list_commands(None))  # type: ignore[arg-type]  # ctx unused
    assert named - commands - OUTPUT_LINES == set()


def test_coming_from_maps_the_sam_commands_a_newcomer_types() -> None:
    text = (PROJECT / "docs" / "coming-from.md").read_text(encoding="utf-8")
    table = text.split("## From AWS SAM CLI", 1)[1].split("\n\n", 2)[1]
    rows = {line.split("|")[1].strip() for line in table.splitlines()[2:]}
    for command in ("sam init", "sam build", "sam local start-api", "sam local invoke",
                    "sam local generate-event", "sam validate", "sam sync --watch", "sam logs"):
        assert any(row.startswith(f"`{command}") for row in rows), command
