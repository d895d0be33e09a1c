"""Which dependencies an app needs installed, as `sam build` would package them, and the key
each is cached under. Pure but for reading requirements files.

A function's CodeUri folder with a `requirements.txt`, and a layer with
`Metadata: BuildMethod: python3.x` and a `requirements.txt` in its ContentUri, each need their
requirements installed (AWS SAM developer guide, "Building Lambda functions with Python" and
"Building Lambda layers"). `sam build` builds no layer without a BuildMethod (SAM CLI's
release notes for 0.50.0), so neither does samlite: `unbuilt_layers` names them instead.
The key covers everything that changes what pip installs: the
requirements and the files they include (`-r`, `-c`), the Python version, the architecture
and where the function runs (process: this machine's wheels; docker: Linux wheels).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from samlite.graph.model import Graph, Layer

REQUIREMENTS_FILE = "requirements.txt"
INCLUDE_FLAGS = ("-r", "--requirement", "-c", "--constraint")
KEY_VERSION = "1"   # bump when the layout of a cached install changes


class Owner(StrEnum):
    FUNCTION = "function"
    LAYER = "layer"


@dataclass(frozen=True, slots=True, kw_only=True)
class Dependencies:
    """One requirements file to install for one function or layer."""

    owner: str                  # the function's or layer's logical id
    owner_kind: Owner
    requirements: Path          # absolute
    python_version: str         # "3.12"
    architecture: str           # "x86_64" | "arm64"
    runtime_kind: str           # "process" | "docker"

    @property
    def label(self) -> str:
        return f"{self.owner_kind.value} {self.owner}"


def dependencies_of(graph: Graph, *, project_dir: Path,
                    runtime_kind: str) -> tuple[Dependencies, ...]:
    """Every requirements file of the graph's Python functions and layers that exists."""
    found: list[Dependencies] = []
    for fn in graph.functions:
        version = python_version(fn.runtime)
        if version is None or fn.package_type != "Zip" or fn.inline_code is not None:
            continue
        if fn.code_uri and fn.code_uri.startswith("s3://"):
            continue
        requirements = (project_dir / (fn.code_uri or ".")).resolve() / REQUIREMENTS_FILE
        if requirements.is_file() and not names_nothing(requirements):
            found.append(Dependencies(
                owner=fn.logical_id, owner_kind=Owner.FUNCTION, requirements=requirements,
                python_version=version,
                architecture=fn.architectures[0] if fn.architectures else "x86_64",
                runtime_kind=runtime_kind))
    for layer in graph.layers:
        dependencies = _layer_dependencies(layer, graph, project_dir, runtime_kind)
        if dependencies is not None:
            found.append(dependencies)
    return tuple(found)


def _layer_dependencies(layer: Layer, graph: Graph, project_dir: Path,
                        runtime_kind: str) -> Dependencies | None:
    if layer.content_uri and layer.content_uri.startswith("s3://"):
        return None
    requirements = (project_dir / (layer.content_uri or ".")).resolve() / REQUIREMENTS_FILE
    version = python_version(layer.build_method)   # the Python sam build builds with
    if version is None or not requirements.is_file() or names_nothing(requirements):
        return None
    users = [fn for fn in graph.functions if layer.logical_id in fn.layers]
    architecture = next((a for a in layer.compatible_architectures), None) or next(
        (fn.architectures[0] for fn in users if fn.architectures), "x86_64")
    return Dependencies(owner=layer.logical_id, owner_kind=Owner.LAYER,
                        requirements=requirements, python_version=version,
                        architecture=architecture, runtime_kind=runtime_kind)


def names_nothing(requirements: Path) -> bool:
    """A requirements file of comments and blank lines only (as `samlite init` writes one):
    pip would install nothing, so it is not run."""
    text = requirements.read_text(encoding="utf-8", errors="replace")
    return not any(line.split("#", 1)[0].strip() for line in text.splitlines())


def unbuilt_layers(graph: Graph, *, project_dir: Path) -> tuple[Layer, ...]:
    """Layers with a requirements.txt but no Python BuildMethod: deployed as they are, without
    those requirements installed."""
    return tuple(
        layer for layer in graph.layers
        if python_version(layer.build_method) is None
        and not (layer.content_uri or "").startswith("s3://")
        and ((project_dir / (layer.content_uri or ".")) / REQUIREMENTS_FILE).is_file())


def python_version(runtime: str | None) -> str | None:
    """"3.12" for "python3.12" (a runtime or a layer's BuildMethod), else None."""
    if not runtime or not runtime.startswith("python"):
        return None
    version = runtime.removeprefix("python")
    major, _, minor = version.partition(".")
    return version if major.isdigit() and minor.isdigit() else None


def cache_key(dependencies: Dependencies) -> str:
    """Names the install: equal keys, equal installs."""
    digest = hashlib.sha256()
    for part in (KEY_VERSION, dependencies.python_version, dependencies.architecture,
                 dependencies.runtime_kind):
        digest.update(part.encode() + b"\0")
    for path in included_files(dependencies.requirements):
        digest.update(path.read_bytes() + b"\0")
    return f"py{dependencies.python_version}-{dependencies.architecture}-" \
           f"{dependencies.runtime_kind}-{digest.hexdigest()[:20]}"


def included_files(requirements: Path) -> tuple[Path, ...]:
    """The requirements file and those it includes with -r / -c (pip's syntax), in order;
    a missing include is left out (pip reports it when it installs)."""
    seen: list[Path] = []
    pending = [requirements]
    while pending:
        path = pending.pop(0)
        if path in seen or not path.is_file():
            continue
        seen.append(path)
        text = path.read_text(encoding="utf-8", errors="replace")
        pending.extend((path.parent / name).resolve() for name in _includes(text))
    return tuple(seen)


def _includes(text: str) -> list[str]:
    """File names after -r/--requirement/-c/--constraint (as "-r x" or "--requirement=x")."""
    names = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].replace("=", " ", 1).split() \
            if line.lstrip().startswith("--") else line.split("#", 1)[0].split()
        if len(words) >= 2 and words[0] in INCLUDE_FLAGS:
            names.append(words[1])
    return names
