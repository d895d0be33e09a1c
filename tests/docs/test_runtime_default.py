"""One `--runtime` default, said the same way everywhere: the generated CLI reference (from
`--help`) is the source, and no sentence of README.md or docs/*.md names another default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from samlite.runtime.choice import DEFAULT_RUNTIME_TEXT

PROJECT = Path(__file__).resolve().parents[2]
DOCS = (PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md")))
# The pages a newcomer reads about where functions run: each states the default in full.
STATE_IT = ("README.md", "getting-started.md", "runtime.md", "docker.md", "coming-from.md")

VALUE = r"`?(?:--runtime )?(auto|process|docker)`?"
# Ways a sentence claims a default runtime ("process (the default", "the default is docker",
# "processes unless you ask for Docker").
CLAIMS = (
    re.compile(VALUE + r",? \((?:the |is the )?default\b", re.I),
    re.compile(VALUE + r" (?:is|by) (?:the )?default\b", re.I),
    re.compile(r"\bdefault (?:runtime )?(?:is |: ?)" + VALUE, re.I),
    re.compile(r"\b(process)(?:es)? unless you ask for docker", re.I),
)


def flat(text: str) -> str:
    return " ".join(text.split())


def cli_default() -> str:
    cli = (PROJECT / "docs" / "cli.md").read_text(encoding="utf-8")
    defaults = set(re.findall(r"^\| `--runtime` \| [^|]+ \| `(\w+)` \|", cli, flags=re.M))
    assert len(defaults) == 1, f"docs/cli.md gives --runtime these defaults: {defaults}"
    return defaults.pop()


def claimed_defaults(text: str) -> list[tuple[str, str]]:
    """(value, sentence) for every sentence that names a default for --runtime."""
    found = []
    for sentence in re.split(r"(?<=[.;])\s+", flat(text)):
        if "runtime" not in sentence.lower() and "docker" not in sentence.lower():
            continue
        found += [(m.group(1).lower(), sentence) for claim in CLAIMS
                  for m in claim.finditer(sentence)]
    return found


def test_the_cli_reference_states_the_default_in_the_shared_words() -> None:
    cli = flat((PROJECT / "docs" / "cli.md").read_text(encoding="utf-8"))
    assert cli_default() == "auto"
    assert DEFAULT_RUNTIME_TEXT in cli


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_doc_names_another_default(doc: Path) -> None:
    default = cli_default()
    wrong = [(value, sentence) for value, sentence
             in claimed_defaults(doc.read_text(encoding="utf-8")) if value != default]
    assert not wrong, f"{doc.name} contradicts docs/cli.md (default {default}): {wrong}"


@pytest.mark.parametrize("name", STATE_IT)
def test_the_pages_about_runtimes_state_the_default_in_the_same_words(name: str) -> None:
    doc = PROJECT / name if name == "README.md" else PROJECT / "docs" / name
    assert DEFAULT_RUNTIME_TEXT in flat(doc.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("case", "sentence", "value"), [
    ("value then (the default", "`--runtime process` (the default, needs nothing) runs it.",
     "process"),
    ("the default is", "The default runtime is docker when it answers.", "docker"),
    ("implied by unless", "It runs Python functions as local processes unless you ask for "
     "Docker (`--runtime docker`).", "process"),
    ("the shared words", DEFAULT_RUNTIME_TEXT + ".", "auto"),
])
def test_the_check_sees_a_claimed_default(case: str, sentence: str, value: str) -> None:
    assert [v for v, _ in claimed_defaults(sentence)] == [value]
