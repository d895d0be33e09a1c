"""The validation pipeline: load -> schema -> resolve -> checks, collecting every Problem.

It reads the template (and, for code checks, looks at the project folder) and nothing else,
so `samlite up` runs the same pipeline before it starts anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from samlite.errors import Problem, UsageError
from samlite.template import includes
from samlite.template.load import LoadedTemplate, load_template
from samlite.template.pseudo import PseudoParameters
from samlite.validation.checks.context import ModuleParser

if TYPE_CHECKING:   # imported by the share that resolves (a forked child never does)
    from samlite.template.model import ResolvedTemplate

# SAM CLI's default names, in the order it looks for them.
DEFAULT_TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")

# The work after loading, in two shares of about equal cost (importing the check modules and
# running them, on the benchmark's 500-resource template): resolving and the other check
# modules, then the schema check and these, which read the loaded template alone (they are
# given no resolved template, so a second process can run them while this one resolves).
# A caller that can run both at once passes `run_shares`.
SECOND_SHARE = frozenset({"references", "schedules", "code", "inline_code", "sam_rules",
                          "definition_files", "messaging"})
# Below this many resources, a second process costs more than it saves.
MIN_RESOURCES_TO_SHARE = 150
# A file this big (the benchmark generator's 150 resources take ~59 KB) has its shares forked
# before loading: each process then loads it for itself, the two at once, and the child
# copies none of the parent's loaded template (~3,600 pages of 4 KB, written to as their
# objects' reference counts change, on the 500-resource benchmark).
MIN_BYTES_TO_SHARE_BEFORE_LOADING = 60_000

Share = Callable[[], list[list[Problem]]]          # the problems of each part, in order
RunShares = Callable[[Share, Share], tuple[list[list[Problem]], list[list[Problem]]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Validation:
    loaded: LoadedTemplate
    resolved: ResolvedTemplate | None
    problems: tuple[Problem, ...]       # sorted by place, each reported once
    suppressed: int = 0                 # left out by the template's own Metadata.samlite

    @property
    def is_valid(self) -> bool:
        return not any(p.is_error for p in self.problems)


def find_template(directory: Path) -> Path:
    """template.yaml / template.yml / template.json in `directory`, as SAM CLI looks."""
    for name in DEFAULT_TEMPLATE_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    names = ", ".join(DEFAULT_TEMPLATE_NAMES)
    raise UsageError(f"no template found in {directory.resolve()} (looked for {names}); "
                     "pass one with -t")


def validate_file(
    path: Path,
    *,
    name: str | None = None,
    parameter_overrides: Mapping[str, str] | None = None,
    pseudo: PseudoParameters | None = None,
    code_must_exist: bool = False,
    parse_module: ModuleParser | None = None,
    today: date | None = None,
    run_shares: RunShares | None = None,
) -> Validation:
    """Every problem in one template. Raises UnreadableFile only when it cannot be read.
    `parse_module` reads handler modules (default: samlite's own `ast`; app/ passes one
    that asks each function's own Python); runtimes' deprecation dates are judged on `today`
    (default: the calendar's). `run_shares(first, second)` returns both shares' results,
    perhaps computed at once (cli/check_shares.py); by default they run one after the other."""
    def load() -> LoadedTemplate:
        return includes.expand(load_template(path, name=name))

    if run_shares is not None and _file_size(path) >= MIN_BYTES_TO_SHARE_BEFORE_LOADING:
        return _validate(load, fork_before_loading=True, project_dir=path.parent,
                         parameter_overrides=parameter_overrides, pseudo=pseudo,
                         code_must_exist=code_must_exist, parse_module=parse_module,
                         today=today, run_shares=run_shares)
    return validate_loaded(load(), project_dir=path.parent,
                           parameter_overrides=parameter_overrides, pseudo=pseudo,
                           code_must_exist=code_must_exist, parse_module=parse_module,
                           today=today, run_shares=run_shares)


def validate_loaded(
    loaded: LoadedTemplate,
    *,
    project_dir: Path,
    parameter_overrides: Mapping[str, str] | None = None,
    pseudo: PseudoParameters | None = None,
    code_must_exist: bool = False,
    parse_module: ModuleParser | None = None,
    today: date | None = None,
    run_shares: RunShares | None = None,
) -> Validation:
    return _validate(lambda: loaded, fork_before_loading=False, project_dir=project_dir,
                     parameter_overrides=parameter_overrides, pseudo=pseudo,
                     code_must_exist=code_must_exist, parse_module=parse_module, today=today,
                     run_shares=run_shares)


def _validate(
    load: Callable[[], LoadedTemplate],
    *,
    fork_before_loading: bool,
    project_dir: Path,
    parameter_overrides: Mapping[str, str] | None,
    pseudo: PseudoParameters | None,
    code_must_exist: bool,
    parse_module: ModuleParser | None,
    today: date | None,
    run_shares: RunShares | None,
) -> Validation:
    """`fork_before_loading`: the shares are run by `run_shares` at once, each loading the
    template for itself (a forked child then copies none of the parent's loaded template)."""
    from samlite.validation.checks import CHECK_MODULES, checks_of
    from samlite.validation.checks.context import CheckContext

    loaded_here: LoadedTemplate | None = None

    def loaded_once() -> LoadedTemplate:
        nonlocal loaded_here
        if loaded_here is None:
            loaded_here = load()
        return loaded_here

    resolved: ResolvedTemplate | None = None
    first = tuple(m for m in CHECK_MODULES if m not in SECOND_SHARE)
    second = tuple(m for m in CHECK_MODULES if m in SECOND_SHARE)

    def run_modules(ctx: CheckContext, modules: tuple[str, ...]) -> list[list[Problem]]:
        return [[p for check in checks_of(m) for p in check(ctx)] for m in modules]

    # Each share imports its own modules: when the second runs in a forked child, the fork
    # comes before either import, and each process pays only for its own. A template that
    # did not load (empty, unreadable YAML, not a mapping) has nothing more to check, and
    # its loading problems are this process's alone.
    def run_first() -> list[list[Problem]]:
        loaded = loaded_once()
        if not loaded.root:
            return []
        from samlite.template.resolve import resolve

        nonlocal resolved
        resolved = resolve(loaded, parameter_overrides=parameter_overrides or {},
                           pseudo=pseudo or PseudoParameters())
        ctx = CheckContext(loaded=loaded, resolved=resolved, project_dir=project_dir,
                           code_must_exist=code_must_exist, parse_module=parse_module,
                           today=today)
        return [list(resolved.problems), *run_modules(ctx, first)]

    def run_second() -> list[list[Problem]]:
        loaded = loaded_once()
        if not loaded.root:
            return []
        from samlite.template.schema import check_schema

        ctx = CheckContext(loaded=loaded, resolved=None, project_dir=project_dir,
                           code_must_exist=code_must_exist, parse_module=parse_module,
                           today=today)
        return [list(check_schema(loaded)), *run_modules(ctx, second)]

    if fork_before_loading and run_shares is not None:
        first_found, second_found = run_shares(run_first, run_second)
        loaded = loaded_once()
    else:
        loaded = loaded_once()
        if not loaded.root:
            first_found, second_found = [], []
        elif run_shares is not None and _resource_count(loaded) >= MIN_RESOURCES_TO_SHARE:
            first_found, second_found = run_shares(run_first, run_second)
        else:
            first_found, second_found = run_first(), run_second()
    problems: list[Problem] = list(loaded.problems)
    if not loaded.root:
        return Validation(loaded=loaded, resolved=None, problems=_tidy(problems))
    # In the order of old: loading, schema, resolving, then each check module's problems.
    found = dict(zip(first, first_found[1:], strict=True))
    found.update(zip(second, second_found[1:], strict=True))
    problems.extend(second_found[0])
    problems.extend(first_found[0])
    for module in CHECK_MODULES:
        problems.extend(found[module])
    # Imported here: its types are built after a fork, by the process that merges the shares.
    from samlite.validation import suppressions

    outcome = suppressions.apply(_tidy(problems),
                                 suppressions.from_template(loaded.root, at=loaded.root.mark))
    return Validation(loaded=loaded, resolved=resolved, problems=outcome.problems,
                      suppressed=outcome.suppressed)


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:   # loading says why it cannot be read
        return 0


def _resource_count(loaded: LoadedTemplate) -> int:
    resources = loaded.root.get("Resources")
    return len(resources) if isinstance(resources, Mapping) else 0


def _tidy(problems: list[Problem]) -> tuple[Problem, ...]:
    """Sorted by place; the same finding from two checks is shown once. Resolution and the
    reference checks both meet a broken reference: the check's wording (lower code) wins.
    The schema and a SAM rule both meet a wrong value: the SAM rule's wording (what SAM's
    translator would say) wins."""
    first: dict[tuple[object, ...], Problem] = {}
    for p in problems:
        key = _finding(p)
        if key is not None and (key not in first or _wins(p, first[key])):
            first[key] = p
    seen: set[tuple[object, ...]] = set()
    unique: list[Problem] = []
    for p in sorted(problems, key=lambda p: (p.at, p.code)):
        key = _finding(p)
        if key is not None and first[key] is not p:
            continue
        key = (p.at, p.path, p.message)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return tuple(unique)


def _wins(p: Problem, other: Problem) -> bool:
    if p.code[1] == "7" or other.code[1] == "7":
        return p.code > other.code
    return p.code < other.code


def _finding(p: Problem) -> tuple[object, ...] | None:
    """What identifies one finding that several checks may report, or None."""
    if not p.path:
        return None
    if p.code[1] == "3":
        return ("reference", p.at.file, p.path)
    if p.is_error and p.code[1] in "127":      # schema, Globals and SAM rules
        return ("value", p.at.file, p.at.line, p.path)
    return None
