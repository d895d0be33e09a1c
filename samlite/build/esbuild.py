"""Bundles a `Metadata: BuildMethod: esbuild` function as `sam build` does: esbuild from npm
(installed once into the cache with build/npm.py), run on the function's entry points with
its BuildProperties ("Building Node.js Lambda functions with esbuild", AWS SAM developer
guide), into a folder that becomes the function's task root. The command is pure; running
it is `bundle`.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from samlite.build.npm import cache_key as npm_cache_key
from samlite.build.npm import npm_install
from samlite.errors import EnvironmentStartError
from samlite.graph.model import EsbuildBuild, Graph, NotRunLocally

ESBUILD_VERSION = "0.28.2"   # the npm release of late 2026; bump with care
# sam build's target when BuildProperties names none (aws-lambda-builders' esbuild workflow).
DEFAULT_TARGET = "es2020"
HANDLER_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx")
ESBUILD_TAIL_LINES = 25

Runner = Callable[..., subprocess.CompletedProcess[str]]


def entry_points(build: EsbuildBuild, *, code_dir: Path, handler: str) -> tuple[str, ...]:
    """The files esbuild starts from: EntryPoints, else the handler's own file (the first
    of HANDLER_EXTENSIONS that exists), relative to the code folder."""
    if build.entry_points:
        return build.entry_points
    module = handler.rpartition("/")[0] + "/" if "/" in handler else ""
    module += handler.rpartition("/")[2].split(".", 1)[0]
    for extension in HANDLER_EXTENSIONS:
        if (code_dir / f"{module}{extension}").is_file():
            return (f"{module}{extension}",)
    return (f"{module}.js",)   # esbuild then says it cannot find it


def esbuild_command(build: EsbuildBuild, *, esbuild: Path, code_dir: Path, handler: str,
                    out_dir: Path) -> list[str]:
    entries = entry_points(build, code_dir=code_dir, handler=handler)
    if not build.entry_points and "/" in entries[0]:
        # One entry makes one file in --outdir; the handler names it with its folder.
        out_dir = out_dir / entries[0].rpartition("/")[0]
    command = [str(esbuild), *entries, "--bundle", "--platform=node", f"--outdir={out_dir}",
               f"--target={build.target or DEFAULT_TARGET}",
               f"--main-fields={','.join(build.main_fields)}", "--log-level=warning"]
    if build.format:
        command.append(f"--format={build.format}")
    if build.minify:
        command.append("--minify")
    if build.sourcemap:
        command.append("--sourcemap")
    command += [f"--external:{name}" for name in build.external]
    command += [f"--loader:{rule}" for rule in build.loader]
    command += [f"--out-extension:{rule}" for rule in build.out_extension]
    return command


def _esbuild_folder(cache_dir: Path) -> Path:
    return cache_dir / f"esbuild-{ESBUILD_VERSION}"


def esbuild_is_installed(cache_dir: Path, *, node_major: int) -> bool:
    folder = _esbuild_folder(cache_dir)
    return (folder / "package.json").is_file() and \
        (folder / npm_cache_key(folder, node_major)).is_dir()


def esbuild_binary(cache_dir: Path, *, node_major: int) -> Path:
    """esbuild ESBUILD_VERSION from npm, installed under `cache_dir` unless it is there.
    Raises DependencyInstallError (build/npm.py)."""
    folder = _esbuild_folder(cache_dir)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    manifest = folder / "package.json"
    text = json.dumps({"name": "samlite-esbuild", "private": True,
                       "dependencies": {"esbuild": ESBUILD_VERSION}}) + "\n"
    if not manifest.is_file() or manifest.read_text(encoding="utf-8") != text:
        manifest.write_text(text, encoding="utf-8")
    installed = npm_install(folder, folder, node_major=node_major,
                            label=f"esbuild {ESBUILD_VERSION}")
    return installed.node_modules / ".bin" / "esbuild"


def bundle(build: EsbuildBuild, *, logical_id: str, esbuild: Path, code_dir: Path,
           handler: str, out_dir: Path, run: Runner = subprocess.run) -> None:
    """Bundle into `out_dir`; EnvironmentStartError with esbuild's own words when it fails
    (a type error is not one: esbuild strips types without checking them, as sam build)."""
    command = esbuild_command(build, esbuild=esbuild, code_dir=code_dir, handler=handler,
                              out_dir=out_dir)
    try:
        done = run(command, cwd=code_dir, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise EnvironmentStartError(f"{logical_id}: cannot run esbuild ({exc})") from exc
    if done.returncode != 0:
        output = ((done.stderr or "") + (done.stdout or "")).strip().splitlines()
        tail = "\n".join(f"  {line}" for line in output[-ESBUILD_TAIL_LINES:])
        raise EnvironmentStartError(f"{logical_id}: esbuild could not bundle it "
                                    f"(Metadata BuildMethod esbuild):\n{tail}")



def not_bundled_in_docker(graph: Graph, runtime_kind: str) -> tuple[NotRunLocally, ...]:
    """Under --runtime docker, `BuildMethod: esbuild` functions run from their CodeUri as it
    is (the bundle is made only for local processes): named at startup."""
    if runtime_kind != "docker":
        return ()
    return tuple(NotRunLocally(
        subject=f"{fn.logical_id}.Metadata.BuildMethod", type=fn.resource_type,
        reason="esbuild bundles functions for --runtime process only; in Docker the function "
               "runs from its CodeUri unbundled (TypeScript does not run); use --runtime "
               "process", at=fn.at)
        for fn in graph.functions if fn.esbuild is not None)
