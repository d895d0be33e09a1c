"""The app's requirements, installed before its functions start: which functions and layers
need pip (build/plan.py), their installs in the cache (build/install.py), and the npm
dependencies of Node.js functions that have not run `npm install` (build/npm.py), with a
progress line each, what the startup table and notices say about them, and the specs that use them.

`--no-build` installs nothing: what is cached is still used, and what is not is named.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from samlite.build.install import DependencyCache, Fallback
from samlite.build.npm import LOCK_FILES, MANIFEST, missing_dependencies, npm_install
from samlite.build.npm import cache_key as npm_cache_key
from samlite.build.plan import (
    REQUIREMENTS_FILE,
    Dependencies,
    Owner,
    dependencies_of,
    included_files,
    unbuilt_layers,
)
from samlite.errors import DependencyInstallError
from samlite.graph.model import Function, Graph
from samlite.progress import NO_PROGRESS, Progress
from samlite.runtime.spec import FunctionSpec, with_dependencies
from samlite.state import DEFAULT_STATE_DIR_NAME

DEPS_DIR_NAME = "deps"
SAM_BUILD_DIR = Path(".aws-sam") / "build"


class DepsState:
    """What the startup table says of a function's requirements (the DEPS column)."""

    CACHED = "cached"          # installed by an earlier start
    INSTALLED = "installed"    # installed by this start
    MISSING = "not installed"  # --no-build and not in the cache


@dataclass(frozen=True, slots=True, kw_only=True)
class DependencyReport:
    installed: Mapping[str, Path] = field(default_factory=dict)   # owner id -> folder
    states: Mapping[str, str] = field(default_factory=dict)       # function id -> DepsState
    missing: tuple[Dependencies, ...] = ()                        # --no-build, not cached
    # owner id -> the requirements file and those it includes (a change reinstalls)
    files: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)


def deps_root(*, project_dir: Path, state_dir: Path | None) -> Path:
    """Where installs are cached: `<state dir>/deps`, else the project's `.samlite/deps`."""
    return (state_dir or project_dir / DEFAULT_STATE_DIR_NAME) / DEPS_DIR_NAME


def prepare(graph: Graph, *, project_dir: Path, runtime_kind: str, cache_dir: Path,
            build: bool = True, python_for: Callable[[str], str],
            progress: Progress = NO_PROGRESS,
            fallback: Fallback | None = None) -> DependencyReport:
    """Install (unless `build` is False) every requirements file the graph has that is not
    in the cache. DependencyInstallError names the function, or the layer and the
    functions using it."""
    cache = DependencyCache(cache_dir, python_for=python_for, fallback=fallback)
    wanted = dependencies_of(graph, project_dir=project_dir, runtime_kind=runtime_kind)
    installed: dict[str, Path] = {}
    owner_states: dict[str, str] = {}
    missing: list[Dependencies] = []
    fresh: set[Path] = set()
    for dependencies in wanted:
        owner = dependencies.owner
        if cache.is_cached(dependencies):
            installed[owner] = cache.path_for(dependencies)
            # another function with the same requirements may have installed them just now
            owner_states[owner] = DepsState.INSTALLED if installed[owner] in fresh \
                else DepsState.CACHED
        elif not build:
            missing.append(dependencies)
            owner_states[owner] = DepsState.MISSING
        else:
            with progress.task(f"Installing {_label(dependencies, graph)}'s requirements "
                               f"({_relative(dependencies.requirements, project_dir)})"):
                try:
                    installed[owner] = cache.ensure(dependencies).path
                    fresh.add(installed[owner])
                except DependencyInstallError as exc:
                    raise DependencyInstallError(
                        str(exc).replace(dependencies.label, _label(dependencies, graph), 1)
                    ) from exc
            owner_states[owner] = DepsState.INSTALLED
    node_files: dict[str, tuple[Path, ...]] = {}
    if runtime_kind == "process":
        for fn in node_functions(graph, project_dir=project_dir):
            folder = (project_dir / (fn.code_uri or ".")).resolve()
            node_files[fn.logical_id] = tuple(folder / name for name in (MANIFEST, *LOCK_FILES)
                                              if (folder / name).is_file())
            path, owner_states[fn.logical_id] = _install_node(
                fn.logical_id, fn.runtime or "", folder, cache_dir, build=build,
                progress=progress, project_dir=project_dir)
            if path is not None:
                installed[fn.logical_id] = path
    return DependencyReport(
        installed=installed, states=_function_states(graph, owner_states),
        missing=tuple(missing),
        files={**{d.owner: included_files(d.requirements) for d in wanted}, **node_files})



def node_functions(graph: Graph, *, project_dir: Path) -> tuple[Function, ...]:
    """The Node.js functions whose package.json names dependencies that their node_modules
    lacks (the user has not run `npm install`): samlite installs those."""
    found = []
    for fn in graph.functions:
        if not (fn.runtime or "").startswith("nodejs") or fn.package_type != "Zip" \
                or fn.inline_code is not None or (fn.code_uri or "").startswith("s3://"):
            continue
        if missing_dependencies((project_dir / (fn.code_uri or ".")).resolve()):
            found.append(fn)
    return tuple(found)


def _install_node(owner: str, runtime: str, folder: Path, cache_dir: Path, *, build: bool,
                  progress: Progress, project_dir: Path) -> tuple[Path | None, str]:
    """The folder holding the function's installed node_modules (None under --no-build
    when it is not cached), and its DepsState."""
    from samlite.runtime.environments.node import wanted_major

    major = wanted_major(runtime) or 0
    root = cache_dir / "npm"
    cached = root / npm_cache_key(folder, major)
    if cached.is_dir():
        return cached, DepsState.CACHED
    if not build:
        return None, DepsState.MISSING
    label = f"function {owner}"
    with progress.task(f"Installing {label}'s npm dependencies "
                       f"({_relative(folder / MANIFEST, project_dir)})"):
        return npm_install(folder, root, node_major=major, label=label).path, \
            DepsState.INSTALLED


def apply(specs: Sequence[FunctionSpec], graph: Graph,
          report: DependencyReport) -> tuple[FunctionSpec, ...]:
    """The specs with their installed requirements (and their layers') on their path."""
    return with_dependencies(specs, graph, report.installed)


def notices(report: DependencyReport, graph: Graph, *, project_dir: Path) -> list[str]:
    """What to say once at startup: requirements --no-build left out, and a `sam build`
    output samlite does not use."""
    lines = []
    if report.missing:
        named = "; ".join(f"{_label(d, graph)} ({_relative(d.requirements, project_dir)})"
                          for d in report.missing)
        lines.append(f"--no-build: requirements not installed for {named}; their imports "
                     "fail until samlite installs them (start without --no-build)")
    lines += [f"{layer.at.file}:{layer.at.line}: layer {layer.logical_id} has a "
              f"{REQUIREMENTS_FILE} but no Metadata BuildMethod, so sam build does not install "
              "it and neither does samlite; add `Metadata: BuildMethod: python3.x` to have it "
              "installed" for layer in unbuilt_layers(graph, project_dir=project_dir)]
    if (project_dir / SAM_BUILD_DIR).is_dir():
        lines.append(f"{SAM_BUILD_DIR} exists: samlite runs functions from their source "
                     "folders and installs their requirements itself; it does not read "
                     "sam build's output")
    return lines


def merged(old: DependencyReport, new: DependencyReport) -> DependencyReport:
    """A report after reinstalling some owners: `new`'s view, with owners installed at this
    start still said to be so."""
    states = {name: DepsState.INSTALLED if old.states.get(name) == DepsState.INSTALLED
              and state == DepsState.CACHED else state for name, state in new.states.items()}
    return dataclasses.replace(new, states=states)


def _function_states(graph: Graph, owners: Mapping[str, str]) -> dict[str, str]:
    """A function's state: its own requirements' and its layers', the worst of them."""
    order = (DepsState.MISSING, DepsState.INSTALLED, DepsState.CACHED)
    states = {}
    for fn in graph.functions:
        found = [owners[name] for name in (fn.logical_id, *fn.layers) if name in owners]
        if found:
            states[fn.logical_id] = next(state for state in order if state in found)
    return states


def _label(dependencies: Dependencies, graph: Graph) -> str:
    """"function HelloFunction", or "layer Shared (used by A, B)"."""
    if dependencies.owner_kind is not Owner.LAYER:
        return dependencies.label
    users = sorted(fn.logical_id for fn in graph.functions if dependencies.owner in fn.layers)
    return f"{dependencies.label} (used by {', '.join(users) or 'no function'})"


def _relative(path: Path, base: Path) -> str:
    base = base.resolve()
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)
