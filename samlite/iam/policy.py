"""IAM policy documents as frozen data: statements with Effect, Action/NotAction,
Resource/NotResource, Principal/NotPrincipal and Condition, read from the JSON shape the IAM
user guide's "IAM JSON policy element reference" defines. Parsing only; evaluation.py
decides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Effect(Enum):
    ALLOW = "Allow"
    DENY = "Deny"


class PolicyError(ValueError):
    """A document IAM would refuse (no Effect, no Action, ...): its message says which."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    operator: str                 # as written: "StringEquals", "ArnLikeIfExists", ...
    key: str                      # "aws:SourceArn"; compared without case, as IAM does
    values: tuple[str, ...]       # several values: any of them may match


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    effect: Effect
    actions: tuple[str, ...]
    not_action: bool = False      # NotAction: every action but these
    resources: tuple[str, ...] = ("*",)
    not_resource: bool = False
    # Resource-based policies only: the principals the statement is about ("*": anyone);
    # None in identity-based policies, which apply to their own identity.
    principals: tuple[str, ...] | None = None
    not_principal: bool = False
    conditions: tuple[Condition, ...] = ()
    sid: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    statements: tuple[Statement, ...]
    source: str                   # where it comes from: "template.yaml:14 S3ReadPolicy"


ALLOW_ALL = Statement(effect=Effect.ALLOW, actions=("*",))


def allow_all(source: str) -> Policy:
    """What an external role or an unknown managed policy stands for: anything."""
    return Policy(statements=(ALLOW_ALL,), source=source)


def policy_from_document(document: Any, *, source: str, resource_based: bool = False
                         ) -> Policy:
    """A policy document ({"Statement": [...]}) or a bare statement list, as SAM's
    Policies takes both."""
    if isinstance(document, Mapping):
        raw = document.get("Statement")
        if raw is None:
            raise PolicyError(f"{source}: a policy document needs a Statement")
    else:
        raw = document
    items = raw if isinstance(raw, list | tuple) else [raw]
    return Policy(statements=tuple(statement_from(item, source=source,
                                                  resource_based=resource_based)
                                   for item in items), source=source)


def statement_from(raw: Any, *, source: str, resource_based: bool = False) -> Statement:
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{source}: a statement must be an object (got {raw!r})")
    try:
        effect = Effect(raw.get("Effect"))
    except ValueError:
        raise PolicyError(f"{source}: Effect must be Allow or Deny "
                          f"(got {raw.get('Effect')!r})") from None
    actions, not_action = _either(raw, "Action", "NotAction", source)
    if "Resource" in raw or "NotResource" in raw:
        resources, not_resource = _either(raw, "Resource", "NotResource", source)
    elif resource_based:
        resources, not_resource = ("*",), False   # the resource the policy is attached to
    else:
        raise PolicyError(f"{source}: a statement needs Resource or NotResource")
    principals: tuple[str, ...] | None = None
    not_principal = False
    if "Principal" in raw or "NotPrincipal" in raw:
        not_principal = "NotPrincipal" in raw
        principals = _principals(raw.get("NotPrincipal" if not_principal else "Principal"))
    sid = raw.get("Sid")
    return Statement(effect=effect, actions=actions, not_action=not_action,
                     resources=resources, not_resource=not_resource,
                     principals=principals, not_principal=not_principal,
                     conditions=_conditions(raw.get("Condition"), source),
                     sid=str(sid) if sid is not None else None)


def _either(raw: Mapping[str, Any], name: str, negated: str, source: str
            ) -> tuple[tuple[str, ...], bool]:
    if name in raw and negated in raw:
        raise PolicyError(f"{source}: a statement has {name} or {negated}, not both")
    if name not in raw and negated not in raw:
        raise PolicyError(f"{source}: a statement needs {name} or {negated}")
    values = _strings(raw.get(negated if negated in raw else name))
    return values, negated in raw


def _strings(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else [value]
    return tuple(str(item) for item in items if item is not None)


def _principals(value: Any) -> tuple[str, ...]:
    """"*", {"AWS": "*"}, {"AWS": [arn, account id]}, {"Service": "sns.amazonaws.com"}:
    flattened, services kept as written so they never match a role."""
    if not isinstance(value, Mapping):
        return _strings(value)
    return tuple(p for kind, named in value.items() for p in
                 (_strings(named) if kind == "AWS" else
                  tuple(f"{kind}:{n}" for n in _strings(named))))


def _conditions(value: Any, source: str) -> tuple[Condition, ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise PolicyError(f"{source}: Condition must be an object (got {value!r})")
    out = []
    for operator, keys in value.items():
        if not isinstance(keys, Mapping):
            raise PolicyError(f"{source}: Condition {operator} must map keys to values")
        out.extend(Condition(operator=str(operator), key=str(key), values=_strings(vals))
                   for key, vals in keys.items())
    return tuple(out)
