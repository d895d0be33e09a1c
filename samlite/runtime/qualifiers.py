"""Which version of a function one call means: a Qualifier ($LATEST, a version number or an
alias name) -> the version that runs and the ARN the handler sees as invoked_function_arn.
Pure.

Follows the Lambda developer guide, "Lambda function versions" and "Lambda function
aliases": an unqualified ARN runs $LATEST and stays unqualified in the context; a qualified
one keeps its qualifier; an alias runs the version it points at. Locally only the newest
published version has code (the project folder is the only copy), so an older number answers
VersionNotKept, saying so, where Lambda would run that version's snapshot.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from samlite.runtime import api_errors
from samlite.runtime.spec import LATEST, FunctionSpec


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """A function at one version, as one call names it."""

    spec: FunctionSpec          # its `version` is the one that runs
    invoked_arn: str            # the ARN as called: unqualified, or with the qualifier
    qualifier: str | None = None

    @property
    def version(self) -> str:
        return self.spec.version


def resolve(spec: FunctionSpec, qualifier: str | None, *, newest: int) -> Target:
    """`newest`: the function's newest published version (0: none published).
    Raises ResourceNotFound for a qualifier the function does not have."""
    if not qualifier:
        return Target(spec=_at(spec, LATEST), invoked_arn=spec.arn)
    arn = f"{spec.arn}:{qualifier}"
    if qualifier == LATEST:
        version = LATEST
    elif qualifier.isdigit():
        if not 1 <= int(qualifier) <= newest:
            raise api_errors.function_not_found(arn)
        if int(qualifier) < newest:
            raise api_errors.version_not_kept(spec.arn, qualifier, newest)
        version = str(newest)
    else:
        alias = spec.alias(qualifier)
        if alias is None:
            raise api_errors.function_not_found(arn)
        version = str(newest) if alias.on_published_version and newest else LATEST
    return Target(spec=_at(spec, version), invoked_arn=arn, qualifier=qualifier)


def alias_version(spec: FunctionSpec, name: str, *, newest: int) -> str:
    """The version an alias points at now. Raises ResourceNotFound (Lambda's GetAlias
    wording) when the function has no such alias."""
    alias = spec.alias(name)
    if alias is None:
        raise api_errors.alias_not_found(f"{spec.arn}:{name}")
    return str(newest) if alias.on_published_version and newest else LATEST


def qualifier_of(arn: str) -> str | None:
    """`arn:aws:lambda:region:account:function:name:qualifier` -> the qualifier."""
    parts = arn.split(":")
    return parts[7] if arn.startswith("arn:") and len(parts) == 8 else None


def _at(spec: FunctionSpec, version: str) -> FunctionSpec:
    return spec if spec.version == version else dataclasses.replace(spec, version=version)
