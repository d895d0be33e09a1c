"""Every problem code is documented in docs/rules.md with a failing example and its fix, and
each example is run through the real validation pipeline: the example must produce its code
and the fix must be clean of it, so no example can rot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from samlite.errors import Mark, Problem
from samlite.template.load import parse_template
from samlite.template.resolve import resolve
from samlite.template.schema import check_schema
from samlite.validation.codes import KNOWN_CODES, describe
from samlite.validation.pipeline import validate_file
from samlite.validation.report import ReportFormat, render
from samlite.validation.rule_docs import RuleDoc, all_rule_docs

RULES_PAGE = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
DOCS = all_rule_docs()
ENTRIES = sorted({id(d): d for d in DOCS.values()}.values(), key=lambda d: d.code)
RUN_BY_VALIDATE = [d for d in ENTRIES if d.found_by == "samlite validate"]


def run(tmp_path: Path, template: str, files: dict[str, str], doc: RuleDoc, *,
        code_must_exist: bool, is_fix: bool = False) -> list[Problem]:
    overrides = doc.parameter_overrides
    if is_fix and doc.fix_parameter_overrides is not None:
        overrides = doc.fix_parameter_overrides
    for name, text in {**files, "template.yaml": template}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(validate_file(tmp_path / "template.yaml", code_must_exist=code_must_exist,
                              parameter_overrides=overrides,
                              today=doc.as_of).problems)


def test_every_known_code_is_documented() -> None:
    assert KNOWN_CODES - set(DOCS) == set()
    assert set(DOCS) - KNOWN_CODES == set()


@pytest.mark.parametrize("doc", RUN_BY_VALIDATE, ids=lambda d: d.code)
def test_the_example_produces_its_code(tmp_path: Path, doc: RuleDoc) -> None:
    # 61xx pairs: the E form is what `samlite up` reports (code must exist by then)
    found = run(tmp_path, doc.example, dict(doc.files), doc,
                code_must_exist=doc.code.startswith("E61"))
    codes = {p.code for p in found}
    if doc.python_below and sys.version_info[:2] >= doc.python_below:
        assert doc.code not in codes   # this Python reads the newer syntax, and it is valid
        return
    assert (doc.shown_as or doc.code) in codes, "\n".join(map(str, found))


@pytest.mark.parametrize("doc", [d for d in ENTRIES if d.shown_as], ids=lambda d: d.code)
def test_a_finding_shown_under_another_code_is_made_by_its_own_stage(doc: RuleDoc) -> None:
    loaded = parse_template(doc.example, name="template.yaml")
    found = [*check_schema(loaded), *resolve(loaded).problems]
    assert doc.code in {p.code for p in found}


@pytest.mark.parametrize("doc", [d for d in RUN_BY_VALIDATE if d.code.startswith("E61")],
                         ids=lambda d: "/".join(d.also))
def test_the_example_produces_the_other_letter_under_validate(tmp_path: Path,
                                                              doc: RuleDoc) -> None:
    found = run(tmp_path, doc.example, dict(doc.files), doc, code_must_exist=False)
    assert set(doc.also) & {p.code for p in found}, "\n".join(map(str, found))


@pytest.mark.parametrize("doc", RUN_BY_VALIDATE, ids=lambda d: d.code)
def test_the_fix_is_valid(tmp_path: Path, doc: RuleDoc) -> None:
    files = dict(doc.files if doc.fix_files is None else doc.fix_files)
    found = run(tmp_path, doc.fix, files, doc, code_must_exist=doc.code.startswith("E61"),
                is_fix=True)
    codes = {p.code for p in found}
    assert not codes & {doc.code, *doc.also}, "\n".join(map(str, found))
    assert not [p for p in found if p.is_error], "\n".join(map(str, found))


def test_every_code_has_a_heading_in_the_rules_page() -> None:
    page = RULES_PAGE.read_text(encoding="utf-8")
    assert [c for c in sorted(KNOWN_CODES) if f"\n### {c}\n" not in page] == []


def test_sarif_rules_come_from_the_rule_docs_and_link_the_codes_heading() -> None:
    problem = Problem(code="E4002", message="too short", at=Mark("template.yaml", 9, 7))
    sarif = json.loads(render([problem], ReportFormat.SARIF))
    [rule] = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert rule["shortDescription"]["text"] == DOCS["E4002"].title
    assert rule["fullDescription"]["text"] == DOCS["E4002"].why
    anchor = rule["helpUri"].rpartition("#")[2]
    assert f"\n### {anchor.upper()}\n" in RULES_PAGE.read_text(encoding="utf-8")


def test_describe_gives_the_title_and_the_reason() -> None:
    title, why = describe("E2001")
    assert (title, why) == (DOCS["E2001"].title, DOCS["E2001"].why)


def test_validate_does_not_import_the_rule_docs(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(RUN_BY_VALIDATE[0].fix, encoding="utf-8")
    probe = ("import sys; from samlite.cli.main import main\n"
             "try:\n    main(['validate', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
             "print([m for m in sys.modules if m.startswith('samlite.validation.rule_docs')])")
    out = subprocess.run([sys.executable, "-c", probe, str(template)], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def _tables_refused(tmp_path: Path, template: str) -> list[str]:
    """What `samlite up` meets creating the template's tables: DynamoDB's refusals."""
    from samlite.aws.dynamodb.errors import DynamoError
    from samlite.aws.dynamodb.model import create_table_params
    from samlite.aws.dynamodb.service import LocalDynamoDb
    from samlite.aws.dynamodb.table_rules import refusal
    from samlite.clock import ManualClock
    from samlite.graph.build import build_graph

    tmp_path.mkdir()
    (tmp_path / "template.yaml").write_text(template, encoding="utf-8")
    validation = validate_file(tmp_path / "template.yaml")
    assert validation.is_valid and validation.resolved is not None
    dynamodb = LocalDynamoDb(db_path=None, account_id="123456789012", region="us-east-1",
                             clock=ManualClock())
    refused = []
    for table in build_graph(validation.resolved).tables:
        # up checks its tables with the rules before it is ready, and makes them after.
        ruled = refusal(create_table_params(table))
        try:
            dynamodb.ensure_table(table)
        except DynamoError as exc:
            refused.append(exc.code)
            assert ruled is not None and (ruled.code, ruled.message) == (exc.code, exc.message)
        else:
            assert ruled is None
    return refused


def test_the_table_example_is_refused_when_up_creates_it_and_its_fix_is_not(
        tmp_path: Path) -> None:
    doc = DOCS["E2301"]
    assert doc.found_by == "samlite up"
    assert _tables_refused(tmp_path / "example", doc.example) == ["ValidationException"]
    assert _tables_refused(tmp_path / "fix", doc.fix) == []
