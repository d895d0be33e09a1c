"""Where installed requirements go on a handler's path, and what the startup says of them.
Pure: folders and graphs in, paths and lines out (the installs themselves are tested in
tests/build/ and, end to end, in tests/e2e/test_dependencies.py)."""

from __future__ import annotations

from pathlib import Path

from samlite.app.dependencies import DepsState, prepare
from samlite.cli.summary import startup_lines
from samlite.graph.build import build_graph
from samlite.runtime.environments.host_files import opt_folder, task_root_folder
from samlite.runtime.environments.python import python_path
from samlite.template.load import load_template
from samlite.template.resolve import resolve
from tests.sources.fakes import spec


def test_a_functions_packages_follow_its_code_and_a_layers_join_its_python_folder() -> None:
    code, first, second = Path("/code"), Path("/layers/a"), Path("/layers/b")
    path = python_path(code, (first, second), "3.12", Path("/deps/fn"),
                       (Path("/deps/a"), None)).split(":")
    assert path == ["/code", "/deps/fn",
                    "/layers/b/python/lib/python3.12/site-packages", "/layers/b/python",
                    "/layers/a/python/lib/python3.12/site-packages", "/layers/a/python",
                    "/deps/a"]


def test_without_installs_the_path_is_as_before() -> None:
    assert python_path(Path("/code"), (), "3.12") == "/code"


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_docker_task_root_merges_packages_under_the_code(tmp_path: Path) -> None:
    code = _tree(tmp_path / "code", {"app.py": "code", "util.py": "code's",
                                     ".samlite/deps/x.py": "state"})
    deps = _tree(tmp_path / "deps", {"tabulate/__init__.py": "pkg", "util.py": "package's"})
    root = task_root_folder(code, deps, tmp_path / "task")
    assert (root / "tabulate" / "__init__.py").read_text() == "pkg"
    assert (root / "util.py").read_text() == "code's"   # the code wins, as first on the path
    assert not (root / ".samlite").exists()
    assert task_root_folder(code, None, tmp_path / "unused") == code


def test_docker_opt_puts_a_layers_packages_in_its_python_folder(tmp_path: Path) -> None:
    layer = _tree(tmp_path / "layer", {"python/own.py": "own"})
    deps = _tree(tmp_path / "deps", {"termcolor/__init__.py": "pkg"})
    opt = opt_folder((layer,), tmp_path / "opt", (deps,))
    assert opt == tmp_path / "opt"
    assert sorted(p.name for p in (opt / "python").iterdir()) == ["own.py", "termcolor"]
    assert opt_folder((layer,), tmp_path / "unused", (None,)) == layer


TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  WithLayer:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: fn/, Handler: app.handler, Runtime: python3.12, Layers: [!Ref Shared]}
  Plain:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: plain/, Handler: app.handler, Runtime: python3.12}
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: shared/}
    Metadata: {BuildMethod: python3.12}
"""


def test_no_build_names_whats_missing_and_runs_no_pip(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    for folder in ("fn", "plain", "shared"):
        (tmp_path / folder).mkdir()
    (tmp_path / "fn" / "requirements.txt").write_text("tabulate\n")
    (tmp_path / "shared" / "requirements.txt").write_text("termcolor\n")
    graph = build_graph(resolve(load_template(tmp_path / "template.yaml")))

    def no_python(version: str) -> str:
        raise AssertionError("pip ran under --no-build")

    report = prepare(graph, project_dir=tmp_path, runtime_kind="process",
                     cache_dir=tmp_path / "deps", build=False, python_for=no_python)
    assert report.states == {"WithLayer": DepsState.MISSING}
    assert [d.owner for d in report.missing] == ["WithLayer", "Shared"]
    assert set(report.files) == {"WithLayer", "Shared"}
    lines = startup_lines(graph, [spec("WithLayer"), spec("Plain")], runtime_kind="process",
                          route_lines=[], function_urls={}, dependencies=report.states)
    assert lines[1].split() == ["FUNCTION", "RUNTIME", "MEMORY", "TIMEOUT", "RUNS", "IN",
                                "DEPS"]
    assert lines[2].endswith("process  not installed")
    assert lines[3].endswith("process  -")
