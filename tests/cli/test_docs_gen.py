"""The generated docs match the code: docs/cli.md the click commands, docs/template-support.md
the schemas and samlite/graph/support.py, and support.py what the graph builder really reads."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from samlite.cli import docs_gen
from samlite.cli.main import main as cli_main
from samlite.graph import support
from samlite.graph.model import LOCAL_KINDS
from samlite.graph.readers.sam_events import EVENT_KINDS

PROJECT = Path(__file__).resolve().parents[2]
STALE = f"out of date: run `{docs_gen.REGENERATE}` and commit the result"

SCHEMAS = docs_gen.load_schemas()
RESOURCES = docs_gen.resource_schemas(SCHEMAS)
EVENTS = docs_gen.event_schemas(SCHEMAS)
SCOPES = {**RESOURCES, **{support.event_scope(t): s for t, s in EVENTS.items()}}


# ---- the files on disk are what the generator writes now


def test_cli_reference_is_up_to_date() -> None:
    on_disk = (PROJECT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert on_disk == docs_gen.cli_reference(cli_main), f"docs/cli.md is {STALE}"


def test_template_support_is_up_to_date() -> None:
    on_disk = (PROJECT / "docs" / "template-support.md").read_text(encoding="utf-8")
    assert on_disk == docs_gen.support_matrix(), f"docs/template-support.md is {STALE}"


def test_rules_reference_is_up_to_date() -> None:
    on_disk = (PROJECT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert on_disk == docs_gen.rules_reference(), f"docs/rules.md is {STALE}"


def test_check_reports_stale_files_until_they_are_written(tmp_path: Path) -> None:
    assert docs_gen.main(["--docs-dir", str(tmp_path), "--check"]) == 1
    assert docs_gen.main(["--docs-dir", str(tmp_path)]) == 0
    assert docs_gen.main(["--docs-dir", str(tmp_path), "--check"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cli.md", "rules.md",
                                                          "template-support.md"]


# ---- the CLI reference covers every command and option click knows


def _commands(group: object, path: str, ctx: object) -> list[tuple[str, object]]:
    found = []
    for name in group.list_commands(ctx):   # type: ignore[attr-defined]
        cmd = group.get_command(ctx, name)   # type: ignore[attr-defined]
        sub = cmd.make_context(name, [], parent=ctx, resilient_parsing=True)
        found.append((f"{path} {name}", cmd))
        if hasattr(cmd, "list_commands"):
            found += _commands(cmd, f"{path} {name}", sub)
    return found


ALL_COMMANDS = _commands(cli_main, "samlite",
                         cli_main.make_context("samlite", [], resilient_parsing=True))


@pytest.mark.parametrize(("path", "command"), ALL_COMMANDS, ids=[p for p, _ in ALL_COMMANDS])
def test_every_command_has_a_section_with_its_usage_and_options(path: str,
                                                                command: object) -> None:
    text = docs_gen.cli_reference(cli_main)
    section = text.split(f"# {path}\n", 1)[1].split("\n#", 1)[0]
    assert f"```\n{path} [OPTIONS]" in section
    for param in command.params:   # type: ignore[attr-defined]
        if param.param_type_name == "option" and not param.hidden:
            assert f"`{param.opts[0]}`" in section, param.opts[0]


def test_top_level_commands_are_listed_in_the_index() -> None:
    index = docs_gen.cli_reference(cli_main).split("## samlite\n", 1)[0]
    for name in cli_main.commands:
        assert f"[`samlite {name}`](#samlite-{name})" in index


# ---- support.py names only real properties, and statuses come out as declared


@pytest.mark.parametrize("declared", [support.RUNS_LOCALLY, support.NOT_RUN],
                         ids=["RUNS_LOCALLY", "NOT_RUN"])
def test_declared_properties_exist_in_the_schemas(declared: dict[str, dict[str, str]]) -> None:
    unknown = [f"{scope}.{name}" for scope, names in declared.items() for name in names
               if name not in SCOPES.get(scope, {}).get("properties", {})]
    assert unknown == []


def test_no_property_both_runs_and_does_not() -> None:
    both = [f"{scope}.{name}" for scope, names in support.RUNS_LOCALLY.items()
            for name in names if name in support.NOT_RUN.get(scope, {})]
    assert both == []


def test_every_resource_type_with_a_schema_says_what_samlite_does_with_it() -> None:
    assert set(support.RESOURCE_NOTES) == set(RESOURCES)


def test_only_event_types_samlite_runs_declare_running_properties() -> None:
    running = {scope.removeprefix("Events.") for scope in support.RUNS_LOCALLY
               if scope.startswith("Events.")}
    local = {t for t, (kind, _) in EVENT_KINDS.items() if kind in LOCAL_KINDS}
    assert running == local


def test_the_property_naming_a_local_events_source_runs() -> None:
    for event_type, (kind, source_key) in EVENT_KINDS.items():
        if kind in LOCAL_KINDS and source_key:
            assert source_key in support.RUNS_LOCALLY[support.event_scope(event_type)]


def test_statuses_follow_the_declaration_then_the_schema() -> None:
    schema = {"properties": {"VisibilityTimeout": {"type": "integer"},
                             "Tags": {"type": "array", "x-expected": "a list"},
                             "Loose": {"x-expected": "anything"}}}
    rows = {r.name: r for r in docs_gen.property_support("AWS::SQS::Queue", schema)}
    assert rows["VisibilityTimeout"].status == docs_gen.RUNS
    assert rows["VisibilityTimeout"].note == support.RUNS_LOCALLY["AWS::SQS::Queue"][
        "VisibilityTimeout"]
    assert rows["Tags"].status == docs_gen.VALIDATED
    assert rows["Loose"].status == docs_gen.IGNORED


def test_not_run_event_types_are_marked_so() -> None:
    text = docs_gen.support_matrix()
    assert "| Kinesis | not run (validated only) |" in text
    assert "| [SQS](#events-sqs) | runs locally |" in text


# ---- every property the graph builder reads is declared


def _top_level_reads(path: Path) -> set[str]:
    """Keys read from a variable named `props` (a resource's or an event's Properties):
    props.get("X"), props["X"], "X" in props, with both arms of an `a if c else b`."""
    found: set[str] = set()

    def keys(node: ast.expr) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return keys(node.body) + keys(node.orelse)
        return []

    def is_props(node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id == "props"

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get" and is_props(node.func.value) and node.args):
            found.update(keys(node.args[0]))
        elif isinstance(node, ast.Subscript) and is_props(node.value):
            found.update(keys(node.slice))
        elif (isinstance(node, ast.Compare) and len(node.ops) == 1
              and isinstance(node.ops[0], ast.In) and is_props(node.comparators[0])):
            found.update(keys(node.left))
    return found


GRAPH_FILES = (*sorted((PROJECT / "samlite" / "graph" / "readers").glob("*.py")),
               PROJECT / "samlite" / "graph" / "values.py")
GRAPH_READS = sorted(set().union(*map(_top_level_reads, GRAPH_FILES)))


def test_the_scan_finds_the_graph_builders_reads() -> None:
    assert {"Handler", "VisibilityTimeout", "StageVariables", "Variables",
            "SelfManagedEventSource"} <= set(GRAPH_READS)


@pytest.mark.parametrize("name", GRAPH_READS)
def test_every_property_the_graph_reads_is_declared(name: str) -> None:
    declared = [scope for scope, schema in SCOPES.items()
                if name in schema.get("properties", {})
                and (name in support.RUNS_LOCALLY.get(scope, {})
                     or name in support.NOT_RUN.get(scope, {}))]
    assert declared, (f"samlite/graph/readers/ reads {name!r}: declare what it does in "
                      "samlite/graph/support.py (RUNS_LOCALLY, or NOT_RUN with the reason), then "
                      f"run `{docs_gen.REGENERATE}`")


# ---- docs/up.md's API Gateway table names every integration type and authorizer kind


def _up_table_rows() -> dict[tuple[str, str], str]:
    """(kind, apis) -> the Locally cell, from docs/up.md's "What runs locally" table."""
    text = (PROJECT / "docs" / "up.md").read_text(encoding="utf-8")
    table = text.split("### What runs locally", 1)[1].split("\n\n", 2)[1]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in table.splitlines()]
    return {(row[0], row[1]): row[3] for row in rows[2:]}


@pytest.mark.parametrize("kind", support.GATEWAY_INTEGRATIONS + support.GATEWAY_AUTHORIZERS,
                         ids=lambda k: f"{k.name} ({k.apis})")
def test_up_md_says_what_each_gateway_kind_does(kind: support.GatewayKind) -> None:
    rows = _up_table_rows()
    assert (kind.name, kind.apis) in rows, f"docs/up.md's API Gateway table has no row for {kind}"
    said = rows[(kind.name, kind.apis)]
    assert said.startswith("runs") if kind.runs else said.startswith("not run"), (
        f"docs/up.md says {said!r} for {kind.name} ({kind.apis}); support.py says "
        f"runs={kind.runs}")
