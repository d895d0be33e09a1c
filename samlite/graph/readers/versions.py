"""Versions and aliases: AWS::Lambda::Version and AWS::Lambda::Alias resources, SAM's
AutoPublishAlias, and which alias each function's event sources invoke. Pure.

Follows the Lambda developer guide ("Lambda function versions", "Lambda function aliases")
and SAM's translator, which publishes a version and an alias `<Fn>Alias<name>` for
AutoPublishAlias, puts ProvisionedConcurrencyConfig on that alias and connects every event
source of the function to the alias rather than to the function.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from samlite.graph.model import Function, FunctionAlias, NotRunLocally
from samlite.graph.parts import SERVERLESS_FUNCTION, GraphParts
from samlite.graph.values import as_int, as_map, as_text, key_at
from samlite.template.model import Resource

LATEST = "$LATEST"


def read_version(parts: GraphParts, res: Resource) -> bool:
    """An AWS::Lambda::Version: its function publishes version 1 at start (locally every
    Version resource of a function is that one version)."""
    props, raw = parts.props(res)
    fid = parts.function_target(parts.refs.dig(raw, "FunctionName"), props.get("FunctionName"))
    if fid is None:
        return False
    pending = parts.pending_for(fid[0])
    pending.versions.append(res.logical_id)
    count = _provisioned(props)
    if count and pending.provisioned is None:
        pending.provisioned = (count, "1")
    return True


def read_alias(parts: GraphParts, res: Resource) -> bool:
    """An AWS::Lambda::Alias: points at $LATEST or at the function's published version."""
    props, raw = parts.props(res)
    fid = parts.function_target(parts.refs.dig(raw, "FunctionName"), props.get("FunctionName"))
    name = as_text(props.get("Name"))
    if fid is None or name is None:
        return False
    pending = parts.pending_for(fid[0])
    pending.aliases.append(FunctionAlias(
        logical_id=res.logical_id, name=name,
        on_published_version=as_text(props.get("FunctionVersion")) != LATEST, at=res.at))
    count = _provisioned(props)
    if count:
        pending.provisioned = (count, name)
    if as_map(props.get("RoutingConfig")).get("AdditionalVersionWeights"):
        parts.not_local.append(NotRunLocally(
            subject=f"{res.logical_id}.RoutingConfig", type=res.type,
            at=key_at(props, "RoutingConfig", res.at),
            reason="weighted aliases are not run locally: locally one version has code, so "
                   "every invocation of the alias runs its FunctionVersion; test the other "
                   "version's code by saving it in the project folder"))
    return True


def sam_versions(parts: GraphParts, res: Resource, props: Mapping[str, Any]) -> dict[str, Any]:
    """The Function fields AutoPublishAlias and the pending Version/Alias resources give."""
    pending = parts.pending_for(res.logical_id)
    alias = as_text(props.get("AutoPublishAlias")) if res.type == SERVERLESS_FUNCTION else None
    aliases = list(pending.aliases)
    if alias is not None:
        aliases.insert(0, FunctionAlias(logical_id=f"{res.logical_id}Alias{alias}", name=alias,
                                        at=key_at(props, "AutoPublishAlias", res.at)))
        _name_deployment_preference(parts, res, props)
    count = _provisioned(props)
    provisioned = (count, alias) if count else pending.provisioned   # alias None: $LATEST
    return {
        "publishes_versions": alias is not None or bool(pending.versions),
        "aliases": tuple(aliases),
        "provisioned_concurrency": provisioned[0] if provisioned else 0,
        "provisioned_qualifier": provisioned[1] if provisioned else None,
    }


def link_event_qualifiers(parts: GraphParts) -> None:
    """Each function's event target: the AutoPublishAlias (SAM's rule), else the alias or
    version the template's event sources name. Named when they name several."""
    for index, fn in enumerate(parts.functions):
        named = list(dict.fromkeys(parts.pending_for(fn.logical_id).qualifiers))
        qualifier = fn.auto_publish_alias or (named[0] if named else None)
        if not fn.auto_publish_alias and len(named) > 1:
            _name_mixed_qualifiers(parts, fn, named)
        if qualifier not in (None, LATEST):
            parts.functions[index] = dataclasses.replace(fn, event_qualifier=qualifier)


def _name_mixed_qualifiers(parts: GraphParts, fn: Function, named: list[str]) -> None:
    parts.not_local.append(NotRunLocally(
        subject=fn.logical_id, type=fn.resource_type, at=fn.at,
        reason=f"its event sources name different versions or aliases ({', '.join(named)}); "
               f"locally every event source invokes {named[0]}; name one alias in all of "
               "them to run as deployed"))


def _name_deployment_preference(parts: GraphParts, res: Resource,
                                 props: Mapping[str, Any]) -> None:
    if "DeploymentPreference" not in props:
        return
    parts.not_local.append(NotRunLocally(
        subject=f"{res.logical_id}.DeploymentPreference", type=res.type,
        at=key_at(props, "DeploymentPreference", res.at),
        reason="gradual deployments are not run locally: no CodeDeploy traffic shifting, "
               "alarms or PreTraffic/PostTraffic hooks; the alias points at the new version "
               "at once on each reload. Invoke the hook functions yourself (samlite invoke) "
               "to test them"))


def _provisioned(props: Mapping[str, Any]) -> int:
    config = as_map(props.get("ProvisionedConcurrencyConfig"))
    return as_int(config.get("ProvisionedConcurrentExecutions"), 0) or 0
