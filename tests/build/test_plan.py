"""Which requirements an app has, and the cache key of each install."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.build.plan import (
    Dependencies,
    Owner,
    cache_key,
    dependencies_of,
    included_files,
    python_version,
    unbuilt_layers,
)
from samlite.graph.build import build_graph
from samlite.template.load import load_template
from samlite.template.resolve import resolve

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  WithRequirements:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: with/, Handler: app.handler, Runtime: python3.12,
                 Architectures: [arm64], Layers: [!Ref Shared, !Ref Plain]}
  WithoutRequirements:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: without/, Handler: app.handler, Runtime: python3.12}
  NodeFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: node/, Handler: app.handler, Runtime: nodejs20.x}
  Inline:
    Type: AWS::Serverless::Function
    Properties: {InlineCode: "def handler(e, c): pass", Handler: index.handler,
                 Runtime: python3.12}
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: shared/}
    Metadata: {BuildMethod: python3.11}
  Plain:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: plain/}
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    for folder in ("with", "without", "node", "shared", "plain"):
        (tmp_path / folder).mkdir()
    for folder in ("with", "node", "shared"):
        (tmp_path / folder / "requirements.txt").write_text("tabulate==0.9.0\n")
    return tmp_path


def _plan(project: Path, runtime_kind: str = "process") -> tuple[Dependencies, ...]:
    graph = build_graph(resolve(load_template(project / "template.yaml")))
    return dependencies_of(graph, project_dir=project, runtime_kind=runtime_kind)


def test_python_functions_and_layers_with_requirements_need_installs(tmp_path: Path) -> None:
    project = _project(tmp_path)
    found = {(d.owner, d.owner_kind, d.python_version, d.architecture) for d in _plan(project)}
    assert found == {("WithRequirements", Owner.FUNCTION, "3.12", "arm64"),
                     ("Shared", Owner.LAYER, "3.11", "arm64")}


def test_a_requirements_file_of_comments_only_needs_no_install(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "without" / "requirements.txt").write_text("# none yet\n\n  # boto3 is there\n")
    (project / "shared" / "requirements.txt").write_text("# nothing\n")
    assert {d.owner for d in _plan(project)} == {"WithRequirements"}


def test_a_layer_without_build_method_is_not_built_but_named(tmp_path: Path) -> None:
    """sam build builds no layer without a BuildMethod: its requirements.txt stays unused."""
    project = _project(tmp_path)
    (project / "plain" / "requirements.txt").write_text("six\n")
    assert "Plain" not in {d.owner for d in _plan(project)}
    graph = build_graph(resolve(load_template(project / "template.yaml")))
    assert [layer.logical_id for layer in unbuilt_layers(graph, project_dir=project)] == \
        ["Plain"]


def _dependencies(requirements: Path, **changes: str) -> Dependencies:
    values = {"python_version": "3.12", "architecture": "x86_64", "runtime_kind": "process",
              **changes}
    return Dependencies(owner="Fn", owner_kind=Owner.FUNCTION, requirements=requirements,
                        **values)


def test_the_key_is_stable_and_follows_everything_that_changes_the_install(
        tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("-r base.txt\ntabulate\n")
    (tmp_path / "base.txt").write_text("six==1.16.0\n")
    key = cache_key(_dependencies(requirements))
    assert key == cache_key(_dependencies(requirements))
    assert key.startswith("py3.12-x86_64-process-")
    others = {cache_key(_dependencies(requirements, python_version="3.13")),
              cache_key(_dependencies(requirements, architecture="arm64")),
              cache_key(_dependencies(requirements, runtime_kind="docker"))}
    assert key not in others and len(others) == 3
    (tmp_path / "base.txt").write_text("six==1.17.0\n")   # an included file changed
    assert cache_key(_dependencies(requirements)) != key


def test_included_files_follow_pips_include_syntax(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "requirements.txt").write_text(
        "-r sub/a.txt  # comment\n--constraint=c.txt\n-r missing.txt\nrequests\n")
    (tmp_path / "sub" / "a.txt").write_text("--requirement b.txt\n")
    (tmp_path / "sub" / "b.txt").write_text("-r ../requirements.txt\n")   # a loop
    (tmp_path / "c.txt").write_text("")
    assert [p.relative_to(tmp_path).as_posix()
            for p in included_files(tmp_path / "requirements.txt")] == [
        "requirements.txt", "sub/a.txt", "c.txt", "sub/b.txt"]


@pytest.mark.parametrize(("runtime", "version"), [
    ("python3.12", "3.12"), ("python3.9", "3.9"), ("nodejs20.x", None), ("python3", None),
    (None, None), ("provided.al2023", None)])
def test_python_version_of_a_runtime(runtime: str | None, version: str | None) -> None:
    assert python_version(runtime) == version
