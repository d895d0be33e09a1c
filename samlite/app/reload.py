"""What a burst of saved files means for a running app: which functions must get fresh
environments (their CodeUri or one of their layers' ContentUri changed), whose requirements
must be installed again (a requirements file, or one it includes, changed) and whether the
template must be reloaded (the template, samconfig.toml or the --env-vars file changed).
Pure: paths in, a ChangePlan out; root.py applies it and watch.py supplies the paths.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from samlite.errors import Mark
from samlite.graph.model import Graph, Route, TriggerKind
from samlite.runtime.spec import FunctionSpec

MAX_NAMED_FILES = 3   # a log line names this many files, then says "and N more"


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangePlan:
    reload_template: bool = False
    recycle: tuple[str, ...] = ()    # logical ids whose code or layers changed
    why: str = ""                    # one line: "HelloFunction: hello/app.py changed"
    settings_changed: tuple[str, ...] = ()   # "template.yaml", relative to the project
    code_changes: tuple[str, ...] = ()       # "HelloFunction: hello/app.py changed", ...
    reinstall: tuple[str, ...] = ()   # functions and layers whose requirements changed

    @property
    def is_empty(self) -> bool:
        return not self.reload_template and not self.recycle and not self.reinstall

    def line(self, template_change: str) -> str:
        """`why`, with what reloading the template did: "template.yaml changed:
        +NewFunction; HelloFunction: src/app.py changed"."""
        if not self.settings_changed:
            return self.why
        head = f"{', '.join(self.settings_changed)} changed: {template_change}"
        return "; ".join((head, *self.code_changes))


def watch_roots(template: Path, specs: Sequence[FunctionSpec],
                extra_files: Iterable[Path] = ()) -> set[Path]:
    """What to watch: every function's code folder and layer folders (recursively), and the
    template and the extra files (samconfig.toml, --env-vars) on their own. An Image
    function's code folder is its Metadata.DockerContext (none with only an ImageUri)."""
    roots = {_absolute(template), *(_absolute(p) for p in extra_files)}
    for spec in specs:
        roots.update(code_folders(spec))
        roots.update(spec.layer_dirs)
    return roots


def code_folders(spec: FunctionSpec) -> tuple[Path, ...]:
    """The folder a function's code comes from: its CodeUri, or an Image function's
    DockerContext."""
    if spec.package_type != "Image":
        return (spec.code_dir,)
    return (spec.docker_context,) if spec.docker_context is not None else ()


def plan_changes(changed: Iterable[Path], *, template: Path, specs: Sequence[FunctionSpec],
                 extra_files: Iterable[Path] = (),
                 requirements: Mapping[str, Sequence[Path]] | None = None,
                 same_code: Iterable[str] = ()) -> ChangePlan:
    """The plan for these changed paths. A file under a shared folder (a layer, or one
    CodeUri for several functions) recycles every function using it. `requirements` maps
    a function or layer to its requirements file and the files that one includes;
    `same_code` names functions whose code is byte for byte what it was (a save of the
    same bytes, `touch`): their files are no change."""
    paths = {_absolute(p) for p in changed}
    setting_files = {_absolute(template), *(_absolute(p) for p in extra_files)}
    settings_changed = sorted(paths & setting_files)
    code_paths = paths - setting_files
    project_dir = _absolute(template).parent

    touched: dict[str, set[Path]] = {}
    unchanged = set(same_code)
    for spec in (spec for spec in specs if spec.logical_id not in unchanged):
        folders = [*code_folders(spec), *spec.layer_dirs]
        hits = {p for p in code_paths if any(p.is_relative_to(f) for f in folders)}
        if hits:
            touched[spec.logical_id] = hits

    # Functions that changed because of the same files share one clause.
    clauses: dict[tuple[Path, ...], list[str]] = {}
    for logical_id, hits in touched.items():
        clauses.setdefault(tuple(sorted(hits)), []).append(logical_id)
    reinstall = tuple(sorted(owner for owner, files in (requirements or {}).items()
                             if paths & {_absolute(f) for f in files}))
    settings = tuple(_relative(p, project_dir) for p in settings_changed)
    code = tuple(f"{', '.join(sorted(ids))}: {_names(files, project_dir)} changed"
                 for files, ids in sorted(clauses.items(), key=lambda item: sorted(item[1])))
    parts = (f"{', '.join(settings)} changed",) if settings else ()
    if reinstall and not code:   # an included file outside every code folder
        code = (f"requirements of {', '.join(reinstall)} changed",)
    return ChangePlan(reload_template=bool(settings), recycle=tuple(sorted(touched)),
                      why="; ".join((*parts, *code)), settings_changed=settings,
                      code_changes=code, reinstall=reinstall)


def describe_template_change(old_specs: Sequence[FunctionSpec],
                             new_specs: Sequence[FunctionSpec],
                             old_routes: Sequence[Route] = (),
                             new_routes: Sequence[Route] = (),
                             old_graph: Graph | None = None,
                             new_graph: Graph | None = None) -> str:
    """The difference between two loads of a template: "+NewFunction, -OldFunction,
    ~HelloFunction; routes +GET /new, -POST /old; queues +Jobs; tables ~Orders;
    triggers ~Worker.Jobs; APIs ~MyHttpApi", or "nothing to apply". Tables, topics, buses,
    rules, secrets and parameters are named too."""
    functions = _diff({s.logical_id: s for s in old_specs}, {s.logical_id: s for s in new_specs})
    routes = _diff({_route_key(r): r.target for r in old_routes},
                   {_route_key(r): r.target for r in new_routes})
    parts = [", ".join(functions)] if functions else []
    if routes:
        parts.append("routes " + ", ".join(routes))
    if old_graph is not None and new_graph is not None:
        for label, old_part, new_part in (
                ("buckets", old_graph.buckets, new_graph.buckets),
                ("queues", old_graph.queues, new_graph.queues),
                ("schedules", old_graph.schedules, new_graph.schedules)):
            changed = _diff({n.logical_id: _without_marks(n) for n in old_part},
                            {n.logical_id: _without_marks(n) for n in new_part})
            if changed:
                parts.append(f"{label} " + ", ".join(changed))
        for label, field in (("tables", "tables"), ("topics", "topics"),
                             ("buses", "event_buses"), ("rules", "event_rules"),
                             ("secrets", "secrets"), ("parameters", "parameters")):
            changed = _diff({n.logical_id: _unmarked(n) for n in getattr(old_graph, field)},
                            {n.logical_id: _unmarked(n) for n in getattr(new_graph, field)})
            if changed:
                parts.append(f"{label} " + ", ".join(changed))
        triggers = _diff(_event_sources(old_graph), _event_sources(new_graph))
        if triggers:
            parts.append("triggers " + ", ".join(triggers))
        apis = _diff(_api_settings(old_graph), _api_settings(new_graph))
        if apis:
            parts.append("APIs " + ", ".join(apis))
    return "; ".join(parts) or "nothing to apply"


def _api_settings(graph: Graph) -> dict[str, object]:
    """Each API with all it serves: its own settings (authorizers, CORS, gateway responses,
    models...) and its routes' (scopes, integrations, validators, parameter mappings...)."""
    routes: dict[str, list[object]] = {}
    for route in graph.routes:
        routes.setdefault(route.api, []).append(_unmarked(route))
    return {api.logical_id: (_unmarked(api), tuple(routes.get(api.logical_id, ())))
            for api in graph.apis}


def _unmarked(value: object) -> object:
    """`value` compared by what it says, at any depth: marks (where it sits) left out."""
    if isinstance(value, Mark):
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,
                tuple(_unmarked(getattr(value, f.name)) for f in dataclasses.fields(value)
                      if f.compare))
    if isinstance(value, tuple | list):
        return tuple(_unmarked(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, _unmarked(item)) for key, item in value.items())
    return value


def _without_marks(node: object) -> object:
    """A node compared by what it says, not where it sits (moved lines are no change)."""
    return dataclasses.replace(node, at=None) if dataclasses.is_dataclass(node) \
        and hasattr(node, "at") else node  # type: ignore[arg-type]


def _event_sources(graph: Graph) -> dict[str, object]:
    return {f"{t.function}.{t.logical_id}": _without_marks(t) for t in graph.triggers
            if t.kind in (TriggerKind.S3, TriggerKind.SQS)}


def _diff(old: dict[str, object], new: dict[str, object]) -> list[str]:
    added = [f"+{name}" for name in sorted(new.keys() - old.keys())]
    removed = [f"-{name}" for name in sorted(old.keys() - new.keys())]
    changed = [f"~{name}" for name in sorted(old.keys() & new.keys()) if old[name] != new[name]]
    return added + removed + changed


def _route_key(route: Route) -> str:
    # Two APIs may both serve GET /hello; the API is named only when it is not implicit.
    api = "" if route.api in ("ServerlessRestApi", "ServerlessHttpApi") else f"{route.api} "
    return f"{api}{route.method} {route.path}"


def _names(paths: Sequence[Path], project_dir: Path) -> str:
    shown = [_relative(p, project_dir) for p in paths[:MAX_NAMED_FILES]]
    rest = len(paths) - len(shown)
    return ", ".join(shown) + (f" and {rest} more" if rest else "")


def _relative(path: Path, project_dir: Path) -> str:
    return str(path.relative_to(project_dir)) if path.is_relative_to(project_dir) else str(path)


def _absolute(path: Path) -> Path:
    # resolve(): watchdog reports real paths, and the template may be given through a symlink
    return Path(path).resolve()
