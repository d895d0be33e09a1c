"""Layer ARNs made local, for every command that runs functions: each ARN a function names
becomes the folder the user mapped it to, or an install of its requirements (a mapped
requirements file, or Powertools from the package index) into a layer-shaped cache under
the state directory; an ARN that is neither is named under "Not run locally" with the flag
that maps it, never skipped in silence. What an ARN is comes from build/layer_arns.py.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from samlite.app.parameters_secrets import is_extension_layer
from samlite.aws.parameters_secrets_extension import DEFAULT_PORT, PORT_VARIABLE
from samlite.build.install import DependencyCache, Installed
from samlite.build.layer_arns import (
    LAYER_FLAG,
    MappedFolder,
    MappedRequirements,
    Powertools,
    Unknown,
    classify,
    layer_mappings,
)
from samlite.build.plan import Dependencies, Owner, python_version
from samlite.errors import Mark
from samlite.graph.model import Function, Graph, NotRunLocally
from samlite.progress import NO_PROGRESS, Progress

CACHE_FOLDER = "layer-arns"        # under the state directory
EXEC_WRAPPER = "AWS_LAMBDA_EXEC_WRAPPER"
NOT_LOCAL_TYPE = "layer ARN"


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalLayers:
    """What the ARNs of one graph are here."""

    dirs: Mapping[tuple[str, str], Path] = field(default_factory=dict)  # (function, ARN)
    not_run_locally: tuple[NotRunLocally, ...] = ()
    rows: tuple[tuple[str, str, str], ...] = ()     # (function, layer, what runs) for `up`


class LayerArnResolver:
    def __init__(self, *, project_dir: Path, state_dir: Path, mappings: Mapping[str, str | Path],
                 runtime_kind: str, python_for: Callable[[str], str],
                 progress: Progress = NO_PROGRESS) -> None:
        """`mappings` are `--layer ARN=PATH` pairs (relative paths: from the project folder);
        `python_for("3.12")` is the interpreter whose pip installs for that version."""
        self.project_dir = project_dir
        self.mappings = layer_mappings([f"{arn}={path}" for arn, path in mappings.items()],
                                       base=project_dir)
        self.runtime_kind = runtime_kind
        self._root = state_dir / CACHE_FOLDER
        self._cache = DependencyCache(self._root / "installs", python_for=python_for,
                                      packages_under="python")
        self._progress = progress

    def resolve(self, graph: Graph) -> LocalLayers:
        """Every ARN of every function, installed where it must be (DependencyInstallError
        when pip fails)."""
        local_ids = {layer.logical_id for layer in graph.layers}
        dirs: dict[tuple[str, str], Path] = {}
        not_local: list[NotRunLocally] = []
        rows: list[tuple[str, str, str]] = []
        for fn in graph.functions:
            for index, ref in enumerate(fn.layers):
                if ref in local_ids:
                    continue
                at = fn.layer_marks[index] if index < len(fn.layer_marks) else fn.at
                if is_extension_layer(ref) and ref.strip() not in self.mappings:
                    port = dict(fn.environment).get(PORT_VARIABLE) or DEFAULT_PORT
                    rows.append((fn.logical_id, ref.rsplit(":layer:", 1)[-1],
                                 f"its HTTP API on localhost:{port}, served by samlite"))
                    continue
                source = classify(ref, self.mappings)
                if isinstance(source, MappedFolder):
                    dirs[fn.logical_id, ref] = source.folder
                    rows.append((fn.logical_id, source.arn.short,
                                 f"{self._shown(source.folder)} ({LAYER_FLAG})"))
                    continue
                if isinstance(source, Unknown):
                    not_local.append(_not_local(fn, ref, at,
                                                "cannot be downloaded here; map it to the "
                                                f"layer's folder or a requirements file: "
                                                f"{source.flag}{self._wrapper_note(fn, graph)}"))
                    continue
                version = python_version(fn.runtime)
                if version is None or fn.package_type != "Zip":
                    not_local.append(_not_local(
                        fn, ref, at,
                        f"its packages install for Python functions only ({fn.runtime or 'no'}"
                        f" runtime here); map it to the layer's folder: {LAYER_FLAG} "
                        f"{ref}=PATH"))
                    continue
                requirements = source.requirements if isinstance(source, MappedRequirements) \
                    else self._requirements_file(source.requirement)
                installed = self._install(fn, ref, version, requirements, source)
                dirs[fn.logical_id, ref] = installed.path
                rows.append((fn.logical_id, source.arn.short, _what(source, installed)))
        return LocalLayers(dirs=dirs, not_run_locally=tuple(not_local), rows=tuple(rows))

    def _install(self, fn: Function, arn: str, version: str, requirements: Path,
                 source: Powertools | MappedRequirements) -> Installed:
        dependencies = Dependencies(
            owner=arn, owner_kind=Owner.LAYER, requirements=requirements,
            python_version=version,
            architecture=fn.architectures[0] if fn.architectures else "x86_64",
            runtime_kind=self.runtime_kind)
        if self._cache.is_cached(dependencies):
            return self._cache.ensure(dependencies)
        what = source.requirement if isinstance(source, Powertools) else str(requirements)
        with self._progress.task(f"Installing {what} for layer {source.arn.short} "
                                 f"(Python {version}, {dependencies.architecture})"):
            return self._cache.ensure(dependencies)

    def _requirements_file(self, requirement: str) -> Path:
        """A requirements file holding `requirement`, named by its content (so the install
        cache, keyed by content, finds an earlier install of it)."""
        text = f"{requirement}\n"
        folder = self._root / "requirements"
        path = folder / f"{hashlib.sha256(text.encode()).hexdigest()[:16]}.txt"
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return path

    def _wrapper_note(self, fn: Function, graph: Graph) -> str:
        """A wrapper under /opt comes from a layer (Lambda developer guide, "Wrapper
        scripts"): when no layer of the template holds it, the missing ARN may be the one."""
        wrapper = dict(fn.environment).get(EXEC_WRAPPER, "")
        if not wrapper.startswith("/opt/"):
            return ""
        rest = wrapper.removeprefix("/opt/")
        if any((self.project_dir / layer.content_uri / rest).exists()
               for layer in graph.layers
               if layer.logical_id in fn.layers and layer.content_uri):
            return ""
        return (f" ({EXEC_WRAPPER} {wrapper} is in no layer here: {fn.logical_id} does not "
                "start until the layer that holds it is mapped)")

    def _shown(self, path: Path) -> str:
        try:
            return os.path.relpath(path, self.project_dir)
        except ValueError:
            return str(path)

def has_layer_arns(graph: Graph) -> bool:
    """Whether a function names a layer that is not one of the template's."""
    local_ids = {layer.logical_id for layer in graph.layers}
    return any(ref not in local_ids for fn in graph.functions for ref in fn.layers)


def _not_local(fn: Function, arn: str, at: Mark, why: str) -> NotRunLocally:
    return NotRunLocally(subject=f"{fn.logical_id}.Layers", type=NOT_LOCAL_TYPE, at=at,
                         reason=f"{arn} {why}")


def _what(source: Powertools | MappedRequirements, installed: Installed) -> str:
    cached = "deps: cached" if installed.was_cached else "deps: installed"
    if isinstance(source, MappedRequirements):
        return f"{source.requirements} ({LAYER_FLAG}; {cached})"
    shipped = installed_version(installed.path / "python", "aws_lambda_powertools")
    if source.version is not None:
        return f"aws-lambda-powertools {source.version}, as that layer version ships ({cached})"
    return (f"aws-lambda-powertools {shipped or '?'}, the newest {source.major}.x: the "
            f"release of layer version {source.arn.version} is not known here ({cached})")


def installed_version(packages: Path, distribution: str) -> str | None:
    """The version of `distribution` pip installed into `packages` (its .dist-info)."""
    for info in sorted(packages.glob(f"{distribution}-*.dist-info")):
        return info.name.removeprefix(f"{distribution}-").removesuffix(".dist-info")
    return None
