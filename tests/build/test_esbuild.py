"""`Metadata: BuildMethod: esbuild` as `sam build` reads it: the properties and their
defaults from the template, and the esbuild command they make (the bundle itself runs in
tests/runtime/test_node_functions.py)."""

from __future__ import annotations

from pathlib import Path

from samlite.build.esbuild import esbuild_command, not_bundled_in_docker
from samlite.graph.build import build_graph
from samlite.graph.model import EsbuildBuild
from samlite.template.load import load_template
from samlite.template.resolve import resolve

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: app.handler, Runtime: nodejs20.x}
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        Minify: false
        Target: es2022
        Sourcemap: true
        EntryPoints: [app.ts]
        External: ["@aws-sdk/*"]
  Plain:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: app.handler, Runtime: nodejs20.x}
"""


def test_build_properties_are_read_with_sams_defaults(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    graph = build_graph(resolve(load_template(tmp_path / "template.yaml")))
    functions = {fn.logical_id: fn for fn in graph.functions}
    assert functions["Fn"].esbuild == EsbuildBuild(
        entry_points=("app.ts",), external=("@aws-sdk/*",), minify=False, sourcemap=True,
        target="es2022", main_fields=("main", "module"))
    assert functions["Plain"].esbuild is None


def test_the_command_bundles_the_handlers_file_for_node(tmp_path: Path) -> None:
    (tmp_path / "handlers").mkdir()
    (tmp_path / "handlers" / "api.ts").write_text("")
    command = esbuild_command(EsbuildBuild(), esbuild=Path("/bin/esbuild"), code_dir=tmp_path,
                              handler="handlers/api.handler", out_dir=Path("/out"))
    assert command == ["/bin/esbuild", "handlers/api.ts", "--bundle", "--platform=node",
                       "--outdir=/out/handlers", "--target=es2020", "--main-fields=main,module",
                       "--log-level=warning", "--minify"]


def test_docker_names_the_functions_it_runs_unbundled(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    graph = build_graph(resolve(load_template(tmp_path / "template.yaml")))
    assert not_bundled_in_docker(graph, "process") == ()
    [named] = not_bundled_in_docker(graph, "docker")
    assert (named.subject, named.at.line) == ("Fn.Metadata.BuildMethod", 3)
    assert named.reason.endswith("use --runtime process")
