"""Statistics about a text document, shared through a Lambda layer.

Lambda unpacks a layer under /opt and puts /opt/python on sys.path, so any function that
lists the layer can `import docstats`. Nothing here touches AWS: it is plain Python, easy to
unit-test.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")   # letters, with apostrophes
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
STOP_WORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in",
    "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will",
    "with"))


class DocumentError(ValueError):
    """The document cannot be summarised (wrong encoding, empty, malformed)."""


def decode(body: bytes) -> str:
    """Documents must be UTF-8 text; anything else is an error worth retrying by hand."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"not UTF-8 text (byte {exc.start})") from exc
    if not text.strip():
        raise DocumentError("the document is empty")
    return text


def words(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


def top_words(text: str, count: int = 5) -> list[dict[str, object]]:
    tally = Counter(word for word in words(text) if word not in STOP_WORDS)
    ranked = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    return [{"word": word, "count": n} for word, n in ranked[:count]]


def first_sentence(text: str, limit: int = 200) -> str:
    """The opening sentence of the body text (Markdown headings are skipped)."""
    flat = " ".join(line.strip() for line in text.splitlines()
                    if line.strip() and not line.lstrip().startswith("#"))
    sentence = SENTENCE_END.split(flat, maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def text_stats(text: str) -> dict[str, object]:
    return {
        "kind": "text",
        "lines": len(text.splitlines()),
        "words": len(words(text)),
        "characters": len(text),
        "top_words": top_words(text),
        "summary": first_sentence(text),
    }


def markdown_stats(text: str) -> dict[str, object]:
    stats = text_stats(text)
    headings = [line.lstrip("#").strip() for line in text.splitlines()
                if line.startswith("#")]
    return {**stats, "kind": "markdown", "headings": headings}


def csv_stats(text: str) -> dict[str, object]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise DocumentError("the CSV file has no header row")
    header, data = rows[0], rows[1:]
    for number, row in enumerate(data, start=2):
        if len(row) != len(header):
            raise DocumentError(
                f"row {number} has {len(row)} fields, the header has {len(header)}")
    return {"kind": "csv", "columns": header, "rows": len(data)}


def analyse(key: str, body: bytes) -> dict[str, object]:
    """Statistics for one document, chosen by the file's extension."""
    text = decode(body)
    if key.endswith(".csv"):
        return csv_stats(text)
    if key.endswith(".md"):
        return markdown_stats(text)
    return text_stats(text)
