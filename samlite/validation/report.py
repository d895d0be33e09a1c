"""Problems -> text, JSON, SARIF 2.1.0 or GitHub Actions annotations. Pure: returns strings.

SARIF follows the OASIS SARIF 2.1.0 spec (the subset GitHub code scanning reads); the GitHub
format is the workflow-command syntax `::error file=…,line=…,col=…,title=…::message`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from enum import StrEnum

from samlite import __version__
from samlite.errors import Problem

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS_URL = "https://github.com/samlite/samlite/blob/main/docs/validate.md"


class ReportFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"


def render(problems: Sequence[Problem], fmt: ReportFormat, *, files: Iterable[str] = ()) -> str:
    """The whole report for `problems` found in `files` (listed so a clean file shows too)."""
    match fmt:
        case ReportFormat.TEXT:
            return _text(problems, tuple(files))
        case ReportFormat.JSON:
            return json.dumps([_as_dict(p) for p in problems], indent=2) + "\n"
        case ReportFormat.SARIF:
            return json.dumps(_sarif(problems), indent=2) + "\n"
        case ReportFormat.GITHUB:
            return "".join(_github_line(p) + "\n" for p in problems)


def summary(problems: Sequence[Problem], files: Sequence[str]) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    what = ", ".join(files) or "no template"
    if not errors and not warnings:
        return f"{what}: valid"
    verdict = "invalid" if errors else "valid"
    return f"{what}: {verdict} ({_count(errors, 'error')}, {_count(warnings, 'warning')})"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _text(problems: Sequence[Problem], files: tuple[str, ...]) -> str:
    lines = [str(p) for p in problems]
    lines.append(summary(problems, files))
    return "\n".join(lines) + "\n"


def _as_dict(p: Problem) -> dict[str, object]:
    return {
        "file": p.at.file, "line": p.at.line, "column": p.at.column,
        "severity": str(p.severity), "code": p.code, "path": p.path,
        "resource": p.resource, "message": p.message,
    }


def _sarif(problems: Sequence[Problem]) -> dict[str, object]:
    codes = sorted({p.code for p in problems})
    rules = [{"id": code, "helpUri": DOCS_URL} for code in codes]
    results = [
        {
            "ruleId": p.code,
            "ruleIndex": codes.index(p.code),
            "level": "error" if p.is_error else "warning",
            "message": {"text": f"{p.path}: {p.message}" if p.path else p.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": p.at.file},
                    "region": {"startLine": p.at.line, "startColumn": p.at.column},
                },
                **({"logicalLocations": [{"name": p.resource, "kind": "resource"}]}
                   if p.resource else {}),
            }],
        }
        for p in problems
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "samlite", "version": __version__,
                                "informationUri": DOCS_URL, "rules": rules}},
            "results": results,
        }],
    }


def _github_escape(text: str, *, is_property: bool = False) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts (escapeData)
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if is_property:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _github_line(p: Problem) -> str:
    level = "error" if p.is_error else "warning"
    props = ",".join(
        f"{key}={_github_escape(str(value), is_property=True)}"
        for key, value in (("file", p.at.file), ("line", p.at.line), ("col", p.at.column),
                           ("title", f"samlite {p.code}"))
    )
    body = f"{p.path}: {p.message}" if p.path else p.message
    return f"::{level} {props}::{_github_escape(body)}"
