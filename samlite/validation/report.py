"""Problems -> text, JSON, SARIF 2.1.0, GitHub Actions annotations or JUnit XML. Pure:
returns strings.

SARIF follows the OASIS SARIF 2.1.0 spec (the subset GitHub code scanning reads); the GitHub
format is the workflow-command syntax `::error file=…,line=…,col=…,title=…::message`. JUnit
follows the XML that Jenkins, GitLab and Azure Pipelines read (testsuites > testsuite >
testcase > failure): one testcase per template, one failure per error; every problem, with
the warnings, is also in the testcase's system-out, as some readers keep only the first
failure of a testcase.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from enum import StrEnum

from samlite import __version__
from samlite.errors import Mark, Problem, UnreadableFile

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS_URL = "https://github.com/samlite/samlite/blob/main/docs/validate.md"
RULES_URL = "https://github.com/samlite/samlite/blob/main/docs/rules.md"


class ReportFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"
    JUNIT = "junit"


def render(problems: Sequence[Problem], fmt: ReportFormat, *, files: Iterable[str] = (),
           suppressed: int = 0) -> str:
    """The whole report for `problems` found in `files` (listed so a clean file shows too);
    `suppressed` problems were left out by the user's suppressions."""
    match fmt:
        case ReportFormat.TEXT:
            return _text(problems, tuple(files), suppressed)
        case ReportFormat.JUNIT:
            return _junit(problems, tuple(files))
        case ReportFormat.JSON:
            return json.dumps([_as_dict(p) for p in problems], indent=2) + "\n"
        case ReportFormat.SARIF:
            return json.dumps(_sarif(problems), indent=2) + "\n"
        case ReportFormat.GITHUB:
            return "".join(_github_line(p) + "\n" for p in problems)


UNREADABLE = "E0011"


def unreadable_problem(path: object, error: UnreadableFile) -> Problem:
    """A template that could not be read at all, as a problem of the report (its message
    without the path, which the problem's place already names)."""
    name = str(path)
    message = str(error).removeprefix(f"{name}: ")
    return Problem(code=UNREADABLE, at=Mark(name, 1, 1), message=message)


def summary(problems: Sequence[Problem], files: Sequence[str], suppressed: int = 0) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    what = ", ".join(files) or "no template"
    left_out = f"{suppressed} suppressed" if suppressed else ""
    if not errors and not warnings:
        return f"{what}: valid" + (f" ({left_out})" if left_out else "")
    verdict = "invalid" if errors else "valid"
    counts = [_count(errors, "error"), _count(warnings, "warning")] + ([left_out] * bool(left_out))
    return f"{what}: {verdict} ({', '.join(counts)})"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _text(problems: Sequence[Problem], files: tuple[str, ...], suppressed: int) -> str:
    lines = [str(p) for p in problems]
    lines.append(summary(problems, files, suppressed))
    return "\n".join(lines) + "\n"


def _junit(problems: Sequence[Problem], files: tuple[str, ...]) -> str:
    from xml.etree import ElementTree  # only this format needs it

    names = list(dict.fromkeys([*files, *(p.at.file for p in problems)]))
    suites = ElementTree.Element("testsuites", name="samlite validate")
    suite = ElementTree.SubElement(suites, "testsuite", name="samlite validate",
                                   tests=str(len(names)))
    failed = 0
    for name in names:
        mine = [p for p in problems if p.at.file == name]
        case = ElementTree.SubElement(suite, "testcase", classname="samlite.validate",
                                      name=name, file=name)
        errors = [p for p in mine if p.is_error]
        failed += bool(errors)
        for p in errors:
            failure = ElementTree.SubElement(case, "failure", type=p.code,
                                             message=_one_line(p))
            failure.text = str(p)
        if mine:
            ElementTree.SubElement(case, "system-out").text = "\n".join(map(str, mine)) + "\n"
    for element in (suites, suite):
        element.set("failures", str(failed))
        element.set("errors", "0")
    suites.set("tests", str(len(names)))
    ElementTree.indent(suites)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ElementTree.tostring(suites, encoding="unicode") + "\n")


def _one_line(p: Problem) -> str:
    return f"{p.code} line {p.at.line}: " + (f"{p.path}: {p.message}" if p.path else p.message)


def _as_dict(p: Problem) -> dict[str, object]:
    return {
        "file": p.at.file, "line": p.at.line, "column": p.at.column,
        "severity": str(p.severity), "code": p.code, "path": p.path,
        "resource": p.resource, "message": p.message,
    }


def _sarif(problems: Sequence[Problem]) -> dict[str, object]:
    codes = sorted({p.code for p in problems})
    rules = [_sarif_rule(code) for code in codes]
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


def _sarif_rule(code: str) -> dict[str, object]:
    from samlite.validation.codes import describe

    short, full = describe(code)
    return {"id": code, "name": code, "shortDescription": {"text": short},
            "fullDescription": {"text": full}, "helpUri": f"{RULES_URL}#{code.lower()}"}


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
