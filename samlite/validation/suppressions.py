"""Suppressions as cfn-lint users know them: codes ignored or downgraded to warnings, from the
command line, samconfig.toml, pyproject.toml, the template's top-level `Metadata` and a
resource's own `Metadata`:

    Metadata:
      samlite:
        ignore: [E6002]        # or "E6002,W3009"
        warn: [E5001]

A resource's list applies to problems of that resource only. A code samlite does not know
is reported (W0011) where it was written, so a typo does not silence nothing in silence.
Pure: the callers read the files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from samlite.errors import Mark, Problem
from samlite.template.nodes import MappingNode, mark_of
from samlite.validation.codes import KNOWN_CODES

UNKNOWN_CODE = "W0011"
_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True, slots=True, kw_only=True)
class Rules:
    """Codes to leave out and codes to report as warnings."""

    ignore: frozenset[str] = frozenset()
    warn: frozenset[str] = frozenset()

    def __or__(self, other: Rules) -> Rules:
        return Rules(ignore=self.ignore | other.ignore, warn=self.warn | other.warn)


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppressions:
    everywhere: Rules = Rules()
    by_resource: Mapping[str, Rules] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()     # unknown codes, lists that are not lists


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    problems: tuple[Problem, ...]
    suppressed: int          # problems left out


def codes_from(value: object) -> tuple[str, ...]:
    """`E6002,W3009`, `E6002 W3009` or a list of either, as given (upper-cased)."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple(code.upper() for item in items for code in _SEPARATORS.split(str(item))
                 if code)


def from_settings(ignore: Iterable[object], warn: Iterable[object], *, source: str,
                  at: Mark) -> Suppressions:
    """Codes from flags or a settings file (`source` names it in the unknown-code warning)."""
    ignored = tuple(code for value in ignore for code in codes_from(value))
    warned = tuple(code for value in warn for code in codes_from(value))
    return Suppressions(everywhere=Rules(ignore=frozenset(ignored), warn=frozenset(warned)),
                        problems=_unknown(ignored + warned, source=source, at=at))


def from_template(root: Mapping[str, Any], *, at: Mark) -> Suppressions:
    """The template's top-level `Metadata.samlite` and each resource's."""
    problems: list[Problem] = []
    everywhere = _read(root.get("Metadata"), "Metadata", None, at, problems)
    by_resource: dict[str, Rules] = {}
    resources = root.get("Resources")
    if isinstance(resources, Mapping):
        for logical_id, resource in resources.items():
            if isinstance(resource, Mapping) and "Metadata" in resource:
                rules = _read(resource["Metadata"], f"Resources.{logical_id}.Metadata",
                              logical_id, mark_of(resource, at), problems)
                if rules.ignore or rules.warn:
                    by_resource[str(logical_id)] = rules
    return Suppressions(everywhere=everywhere, by_resource=by_resource,
                        problems=tuple(problems))


def combine(parts: Sequence[Suppressions]) -> Suppressions:
    everywhere = Rules()
    by_resource: dict[str, Rules] = {}
    for part in parts:
        everywhere = everywhere | part.everywhere
        for logical_id, rules in part.by_resource.items():
            by_resource[logical_id] = by_resource.get(logical_id, Rules()) | rules
    return Suppressions(everywhere=everywhere, by_resource=by_resource,
                        problems=tuple(p for part in parts for p in part.problems))


def apply(problems: Sequence[Problem], suppressions: Suppressions) -> Outcome:
    """Problems without the ignored ones, downgraded ones as warnings, and the suppressions'
    own problems (never suppressed themselves, or a bad list could hide its own mistake)."""
    kept: list[Problem] = []
    suppressed = 0
    for p in problems:
        rules = suppressions.everywhere
        if p.resource is not None and p.resource in suppressions.by_resource:
            rules = rules | suppressions.by_resource[p.resource]
        if p.code in rules.ignore:
            suppressed += 1
        elif p.code in rules.warn and p.is_error:
            kept.append(replace(p, downgraded=True))
        else:
            kept.append(p)
    kept.extend(suppressions.problems)
    return Outcome(problems=tuple(sorted(kept, key=lambda p: (p.at, p.code))),
                   suppressed=suppressed)


def _read(metadata: object, path: str, resource: str | None, at: Mark,
          problems: list[Problem]) -> Rules:
    if not isinstance(metadata, Mapping):
        return Rules()
    own = metadata.get("samlite")
    if not isinstance(own, Mapping):
        return Rules()
    here = metadata.mark_of("samlite") if isinstance(metadata, MappingNode) else at
    found: dict[str, tuple[str, ...]] = {}
    for key in ("ignore", "warn"):
        value = own.get(key)
        where = own.mark_of(key) if isinstance(own, MappingNode) else here
        if value is not None and not isinstance(value, (str, list)):
            problems.append(Problem(
                code=UNKNOWN_CODE, at=where, path=f"{path}.samlite.{key}", resource=resource,
                message="a list of problem codes (or one string of codes) was expected"))
            continue
        found[key] = codes_from(value)
        problems.extend(_unknown(found[key], source=f"{path}.samlite.{key}", at=where,
                                 resource=resource))
    return Rules(ignore=frozenset(found.get("ignore", ())),
                 warn=frozenset(found.get("warn", ())))


def _unknown(codes: Iterable[str], *, source: str, at: Mark,
             resource: str | None = None) -> tuple[Problem, ...]:
    return tuple(
        Problem(code=UNKNOWN_CODE, at=at, path=source, resource=resource,
                message=f"{code} is not a samlite problem code, so it suppresses nothing "
                        "(docs/rules.md lists them)")
        for code in dict.fromkeys(codes) if code not in KNOWN_CODES)
