"""Write a new project from a shipped template: copy templates/<name>/<language>/ into a
folder that is empty or absent, filling in the project's name and runtime. Nothing else:
which template and runtime are allowed is catalog.py's business.

Files are stored as `<name>.tmpl` so that the shipped handlers and tests are neither linted,
collected by pytest nor imported as samlite's own modules; `dot-<name>` becomes `.<name>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from samlite.errors import UsageError

SUFFIX = ".tmpl"
DOT = "dot-"
COMMON = "_common"


@dataclass(frozen=True, slots=True, kw_only=True)
class NewProject:
    template: str        # "hello-api"
    language: str        # "python": the variant's folder
    name: str            # the project's (and the stack's) name
    runtime: str         # "python3.13"

    def fill(self, text: str) -> str:
        return (text.replace("{{project_name}}", self.name)
                    .replace("{{runtime}}", self.runtime)
                    .replace("{{template}}", self.template))


def source_files(template: str, language: str) -> dict[str, str]:
    """Relative output path -> the shipped text, for one template's variant: the files every
    project of the language gets (templates/_common/<language>/), then the template's own."""
    templates = files("samlite.scaffold").joinpath("templates")
    found: dict[str, str] = {}
    _collect(templates.joinpath(COMMON, language), "", found)
    own = len(found)
    _collect(templates.joinpath(template, language), "", found)
    if len(found) == own:   # a catalog entry without its folder is samlite's bug, said plainly
        raise UsageError(f"samlite ships no files for {template} ({language})")
    return found


def _collect(folder: Traversable, prefix: str, into: dict[str, str]) -> None:
    if not folder.is_dir():
        return
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        name = entry.name.removeprefix(DOT)
        name = f".{name}" if entry.name.startswith(DOT) else name
        if entry.is_dir():
            _collect(entry, f"{prefix}{name}/", into)
        elif entry.name.endswith(SUFFIX):
            into[prefix + name.removesuffix(SUFFIX)] = entry.read_text(encoding="utf-8")


def write_project(project: NewProject, folder: Path) -> tuple[Path, ...]:
    """Write `project` into `folder` (created if absent) and return the files written.
    A folder that already holds anything is refused: nothing of the user's is overwritten."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} exists and is not a folder; choose another DIR")
    if folder.is_dir() and any(folder.iterdir()):
        raise UsageError(f"{folder} is not empty; samlite init writes only into an empty or "
                         "new folder (choose another DIR, or empty this one)")
    written = []
    for relative, text in source_files(project.template, project.language).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(project.fill(text), encoding="utf-8")
        written.append(path)
    return tuple(written)
