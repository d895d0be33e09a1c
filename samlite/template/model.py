"""What resolution hands everything after it: the resolved template, its resources and
values that cannot be known locally (the pseudo parameters samlite fills in live in
pseudo.py, and are importable from here too). Pure data; resolve.py makes them,
intrinsics.py and names.py read them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from samlite.errors import Mark, Problem
from samlite.template.load import LoadedTemplate
from samlite.template.pseudo import PseudoParameters as PseudoParameters  # its old home


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A value that cannot be known locally (Fn::ImportValue, an attribute AWS invents).
    Kept as text so it can still be shown, compared and passed along."""

    expression: str

    def __str__(self) -> str:
        return f"${{{self.expression}}}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Resource:
    logical_id: str
    type: str
    # Resolved values: str/int/float/bool/None, lists and dicts of them, or Unresolved.
    # Containers that came from the template are MappingNode/SequenceNode and keep marks.
    properties: Mapping[str, Any]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    condition: str | None = None
    at: Mark                      # where the resource's logical id is written
    raw: Mapping[str, Any]        # the resource's node as loaded (intrinsics unevaluated)


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedTemplate:
    loaded: LoadedTemplate
    pseudo: PseudoParameters
    parameters: Mapping[str, Any]          # effective value of every parameter
    conditions: Mapping[str, bool]
    resources: Mapping[str, Resource]      # only resources whose Condition holds;
                                           # Globals merged into Serverless resources
    outputs: Mapping[str, Any]
    problems: tuple[Problem, ...] = ()     # bad parameter values, unresolvable references…
