"""The package's layers point one way (docs/architecture.md): every import, including those
inside functions, goes down the layer order or stays in its package; no modules and no
packages import each other in a loop; pure code never imports I/O code; and each foreign
library is imported in its one home only."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from fnmatch import fnmatch
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "samlite"

# Bottom to top: a module may import its own layer and the layers before it, never after.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ground floor", ("samlite", "samlite.errors", "samlite.clock", "samlite.state",
                      "samlite.socket_reader",
                      "samlite.thread_affinity",
                      "samlite.progress")),
    ("template", ("samlite.template",)),
    ("dialects", ("samlite.dialects",)),
    ("iam", ("samlite.iam",)),
    ("scaffold", ("samlite.scaffold",)),
    ("graph", ("samlite.graph",)),
    ("validation", ("samlite.validation",)),
    ("build", ("samlite.build",)),
    ("runtime", ("samlite.runtime",)),
    ("http", ("samlite.http",)),
    ("aws", ("samlite.aws",)),
    ("sources", ("samlite.sources",)),
    ("app", ("samlite.app",)),
    ("dashboard", ("samlite.dashboard",)),
    ("cli", ("samlite.cli",)),
    ("testing", ("samlite.testing",)),
)

# Pure code: no sockets, threads, subprocesses, Docker, file watching or click.
PURE = ("template/*", "dialects/*", "iam/*", "graph/*", "validation/*", "progress.py",
        "build/layer_arns.py",
        "runtime/invocation.py", "runtime/spec.py", "runtime/images.py",
        "runtime/async_records.py", "runtime/process_support.py",
        "runtime/triggers.py", "runtime/usage.py", "dashboard/pages.py",
        "http/messages.py", "http/framing.py", "http/admission.py",
        "aws/s3/object_event.py",
        "aws/sqs/message.py", "aws/sqs/limits.py",
        "sources/gateway/events.py", "sources/gateway/routes.py",
        "sources/gateway/cors.py", "sources/gateway/jwt_claims.py",
        "sources/gateway/mapping_templates.py",
        "sources/gateway/rest_mapping.py", "sources/s3/events.py", "sources/sqs/events.py",
        "app/reload.py", "cli/generate_event.py", "cli/summary.py")
IO = ("samlite.runtime.service", "samlite.runtime.runtime_api", "samlite.runtime.environments",
      "samlite.http.server", "samlite.sources.gateway.server", "samlite.sources.invoke_api",
      "samlite.app.root", "samlite.app.aws", "samlite.app.watch", "samlite.cli.main",
      "socket", "subprocess", "threading", "http", "docker", "watchdog", "click", "asyncio")
# Each foreign library and the modules (globs under samlite/) that alone may import it.
HOMES = {"click": ("cli/*",), "watchdog": ("app/watch.py",),
         "docker": ("runtime/environments/docker.py",),
         "moto": ("aws/*/backend.py", "aws/*/route.py"),
         "jwt": ("sources/gateway/jwt_keys.py",),
         "airspeed": ("dialects/velocity.py",),
         "regex": ("dialects/java_regex.py",)}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


PATHS: Mapping[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


@cache
def imported(module: str) -> frozenset[str]:
    """Every module `module` imports, anywhere in its body: samlite's own resolved to the
    module really loaded (`from samlite.x import y` is samlite.x.y when y is a module)."""
    path = PATHS[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(_known(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                names.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in PATHS
                          else _known(base))
    names.discard(module)
    return frozenset(names)


def _known(name: str) -> str:
    """The longest prefix of a dotted name that is one of samlite's modules (or the name)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in PATHS:
            return ".".join(parts[:end])
    return name


def _own(names: Iterable[str]) -> set[str]:
    return {n for n in names if n in PATHS}


def layer_of(module: str) -> int:
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or (p != "samlite" and module.startswith(f"{p}."))
               for p in prefixes):
            return rank
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS and to "
                         "docs/architecture.md")


@pytest.mark.parametrize("module", sorted(PATHS), ids=lambda m: m.removeprefix("samlite."))
def test_imports_go_down_the_layers(module: str) -> None:
    own = layer_of(module)
    upward = sorted(f"{target} ({LAYERS[layer_of(target)][0]})"
                    for target in _own(imported(module)) if layer_of(target) > own)
    assert not upward, f"{module} ({LAYERS[own][0]}) imports upward: {upward}"


def _cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _package(module: str) -> str:
    """A module's package; each flat module (the ground floor, the plugin) counts as its own."""
    parent = module.rpartition(".")[0]
    return module if PATHS[module].name == "__init__.py" or parent == "samlite" else parent


def test_no_module_imports_itself_in_a_loop() -> None:
    assert _cycles({m: _own(imported(m)) for m in PATHS}) == []


def _nested(a: str, b: str) -> bool:
    return a == b or a.startswith(f"{b}.") or b.startswith(f"{a}.")


def test_no_packages_import_each_other_in_a_loop() -> None:
    """Between packages neither of which holds the other (a sub-package is part of its parent:
    runtime/environments/ implements what runtime/service.py runs, from runtime/spec.py)."""
    edges: dict[str, set[str]] = {}
    for module in PATHS:
        source = _package(module)
        edges.setdefault(source, set()).update(
            target for target in map(_package, _own(imported(module)))
            if not _nested(source, target))
    assert _cycles(edges) == []


def test_the_layer_test_sees_a_loop_and_an_upward_import() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert layer_of("samlite.cli.main") > layer_of("samlite.app.root") > layer_of(
        "samlite.sources.gateway.server") > layer_of("samlite.aws.s3.service") > layer_of(
        "samlite.http.server") > layer_of("samlite.runtime.service") > layer_of(
        "samlite.graph.model") > layer_of("samlite.template.load") > layer_of("samlite.errors")
    # `from samlite.x import y` counts as importing the module samlite.x.y
    assert "samlite.runtime.api_errors" in imported("samlite.runtime.async_invoke")


def test_only_the_ground_floor_and_the_plugin_are_flat() -> None:
    flat = {m for m in PATHS if m.count(".") == 1 and PATHS[m].name != "__init__.py"}
    ground = set(LAYERS[0][1]) - {"samlite"}
    assert flat == ground | {"samlite.testing"}, "new code belongs in a package's layer"


def _matches(path: Path, globs: Iterable[str]) -> bool:
    return any(fnmatch(_name(path), g) for g in globs)


@pytest.mark.parametrize("path", [p for p in PATHS.values() if _matches(p, PURE)], ids=_name)
def test_pure_modules_do_no_io(path: Path) -> None:
    io = {m for m in imported(_module_name(path))
          if any(m == io or m.startswith(f"{io}.") for io in IO)}
    assert not io


@pytest.mark.parametrize("path", sorted(PATHS.values()), ids=_name)
def test_foreign_libraries_have_one_home(path: Path) -> None:
    for library, homes in HOMES.items():
        if not _matches(path, homes):
            assert not {m for m in imported(_module_name(path)) if m.split(".")[0] == library}
