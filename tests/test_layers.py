"""The package's layers point one way (STYLE.md): pure code never imports I/O code, and each
foreign library is imported in one module only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "samlite"
PURE = ("template", "graph.py", "graph_build.py", "graph_values.py", "graph_render.py",
        "checks", "report.py", "schedule_expressions.py", "runtimes.py", "summary.py",
        "runtime/invocation.py", "runtime/spec.py", "runtime/images.py",
        "sources/http_events.py", "sources/http_routes.py", "sources/cors.py",
        "sources/s3_events.py", "sources/sqs_events.py", "event_filter.py",
        "runtime/async_records.py", "aws/object_event.py", "aws/sqs_message.py",
        "generate_event.py", "progress.py")
IO = ("samlite.runtime.service", "samlite.runtime.runtime_api", "samlite.runtime.environments",
      "samlite.sources.endpoint", "samlite.sources.http_gateway", "samlite.sources.invoke_api",
      "samlite.app", "samlite.watch", "samlite.cli",
      "socket", "subprocess", "threading", "http", "docker", "watchdog", "click", "asyncio")
ONLY_IN = {"click": "cli.py", "watchdog": "watch.py", "docker": "runtime/environments/docker.py"}


def python_files(*roots: str) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        path = PACKAGE / root
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path] * path.exists()
    return found


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


@pytest.mark.parametrize("path", python_files(*PURE), ids=_name)
def test_pure_modules_do_no_io(path: Path) -> None:
    assert not {m for m in imported_modules(path) if _is_io(m)}


def _is_io(module: str) -> bool:
    return any(module == io or module.startswith(f"{io}.") for io in IO)


@pytest.mark.parametrize("path", python_files("."), ids=_name)
def test_foreign_libraries_have_one_home(path: Path) -> None:
    for library, home in ONLY_IN.items():
        if _name(path) != home:
            assert not {m for m in imported_modules(path) if m.split(".")[0] == library}
