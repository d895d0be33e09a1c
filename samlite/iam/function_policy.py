"""A function's effective policy, read from its resolved template: the role SAM makes for it
(AWSLambdaBasicExecutionRole, the policies SAM adds for its event sources, tracing, dead-letter
queue and destinations, and its `Policies`: SAM policy templates, inline documents and statement
lists, managed policy names or ARNs), or the `Role` it names (a template AWS::IAM::Role with
its Policies, ManagedPolicyArns and the AWS::IAM::Policy / ManagedPolicy resources attached to
it). Follows "AWS SAM policy templates" and "AWS::Serverless::Function Policies / Role" (SAM
developer guide). What cannot be known here (an external role, an unknown managed policy)
allows everything, with a warning that names it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from samlite.errors import Mark
from samlite.iam.evaluation import Caller
from samlite.iam.managed import POLICIES, managed_name
from samlite.iam.policy import Effect, Policy, PolicyError, Statement, allow_all
from samlite.iam.policy import policy_from_document as _document
from samlite.iam.sam_templates import Pseudo, expand, is_template
from samlite.template.model import PseudoParameters, ResolvedTemplate, Resource, Unresolved
from samlite.template.names import function_name, generated_name, get_att_value, ref_value
from samlite.template.nodes import mark_at

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
FUNCTION_TYPES = (SERVERLESS_FUNCTION, "AWS::Lambda::Function")
BASIC_EXECUTION = "AWSLambdaBasicExecutionRole"
# The managed policy SAM attaches for each poll-based event source type.
_EVENT_POLICIES = {"SQS": "AWSLambdaSQSQueueExecutionRole",
                   "DynamoDB": "AWSLambdaDynamoDBExecutionRole",
                   "Kinesis": "AWSLambdaKinesisExecutionRole"}
EVENT_SOURCE_POLICIES = tuple(_EVENT_POLICIES.values())
# What SAM grants for a DeadLetterQueue / EventInvokeConfig destination of each type.
_DESTINATION_ACTIONS = {"SQS": "sqs:SendMessage", "SNS": "sns:Publish",
                        "Lambda": "lambda:InvokeFunction", "EventBridge": "events:PutEvents"}


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionPolicy:
    logical_id: str
    caller: Caller                     # its role and session (the function's name)
    policies: tuple[Policy, ...]       # identity-based, in the template's order
    warnings: tuple[str, ...] = ()     # what allows everything, and why
    at: Mark | None = None


def function_policies(resolved: ResolvedTemplate) -> dict[str, FunctionPolicy]:
    """Every function's effective policy, by logical id."""
    pseudo = resolved.pseudo
    return {lid: _function(res, resolved, pseudo) for lid, res in resolved.resources.items()
            if res.type in FUNCTION_TYPES}


def _function(res: Resource, resolved: ResolvedTemplate, pseudo: PseudoParameters
              ) -> FunctionPolicy:
    props = res.properties
    name = function_name(res.logical_id, props)
    session = name if isinstance(name, str) else res.logical_id
    role = props.get("Role")
    if role is not None or res.type != SERVERLESS_FUNCTION:
        return _named_role(res, role, session, resolved, pseudo)
    reader = _Reader(res, pseudo)
    policies = [reader.managed(BASIC_EXECUTION, f"{reader.sams_role('')} {BASIC_EXECUTION}",
                               ())]
    policies.extend(reader.sam_additions())
    entries = props.get("Policies")
    items = entries if isinstance(entries, list) else [entries] if entries is not None else []
    for index, entry in enumerate(items):
        policies.extend(reader.policies_entry(entry, ("Policies", index)
                                              if isinstance(entries, list) else ("Policies",),
                                              resolved))
    caller = Caller(account_id=pseudo.account_id, partition=pseudo.partition,
                    role_name=generated_name(f"{res.logical_id}Role", pseudo),
                    session_name=session)
    return FunctionPolicy(logical_id=res.logical_id, caller=caller, policies=tuple(policies),
                          warnings=tuple(reader.warnings), at=res.at)


def _named_role(res: Resource, role: Any, session: str, resolved: ResolvedTemplate,
                pseudo: PseudoParameters) -> FunctionPolicy:
    reader = _Reader(res, pseudo)
    where = mark_at(res.raw, ("Properties", "Role"), res.at)
    found = _template_role(role, resolved, pseudo) if isinstance(role, str) else None
    if found is None:
        shown = role if isinstance(role, str) else str(role) if isinstance(role, Unresolved) \
            else "(none)"
        role_name = shown.rsplit("/", 1)[-1] if isinstance(role, str) else res.logical_id
        reader.warnings.append(
            f"{where}: {res.logical_id}: Role {shown} is not a role of this template, so its "
            "policies are unknown here; every call it makes is allowed")
        caller = Caller(account_id=pseudo.account_id, partition=pseudo.partition,
                        role_name=role_name, session_name=session)
        return FunctionPolicy(logical_id=res.logical_id, caller=caller,
                              policies=(allow_all(f"{where} Role {shown}"),),
                              warnings=tuple(reader.warnings), at=res.at)
    role_res, role_name = found
    policies = list(reader.role_policies(role_res, resolved))
    caller = Caller(account_id=pseudo.account_id, partition=pseudo.partition,
                    role_name=role_name, session_name=session)
    return FunctionPolicy(logical_id=res.logical_id, caller=caller, policies=tuple(policies),
                          warnings=tuple(reader.warnings), at=res.at)


def _template_role(arn: str, resolved: ResolvedTemplate, pseudo: PseudoParameters
                   ) -> tuple[Resource, str] | None:
    """The template's AWS::IAM::Role an ARN (or name) points at, with its name."""
    for lid, res in resolved.resources.items():
        if res.type != "AWS::IAM::Role":
            continue
        name = ref_value(res.type, lid, res.properties, pseudo)
        role_arn = get_att_value(res.type, lid, "Arn", res.properties, pseudo)
        if arn in (name, role_arn) and isinstance(name, str):
            return res, name
    return None


class _Reader:
    """Reads one function's policy entries, collecting warnings."""

    def __init__(self, res: Resource, pseudo: PseudoParameters) -> None:
        self.res = res
        self.pseudo = pseudo
        self.sam_pseudo = Pseudo(partition=pseudo.partition, region=pseudo.region,
                                 account_id=pseudo.account_id)
        self.warnings: list[str] = []

    def _where(self, path: tuple[str | int, ...], root: Any = None) -> Mark:
        return mark_at(root if root is not None else self.res.raw,
                       ("Properties", *path) if root is None else path, self.res.at)

    def _source(self, path: tuple[str | int, ...], label: str, root: Any = None) -> str:
        where = self._where(path, root)
        return f"{where.file}:{where.line} {label}"

    def sams_role(self, why: str) -> str:
        """The label of what SAM adds to the role it makes: the function's line and why."""
        return f"{self.res.at.file}:{self.res.at.line} (SAM's role{why})"

    def managed(self, arn: str, label: str, path: tuple[str | int, ...], root: Any = None
                ) -> Policy:
        """An AWS managed policy by name or ARN, from managed.py's table; an unknown one
        allows everything, with a warning."""
        name = managed_name(arn)
        if name in POLICIES:
            return Policy(statements=POLICIES[name], source=label)
        self.warnings.append(
            f"{self._where(path, root)}: {self.res.logical_id}: the managed policy {arn} is "
            "not one samlite knows, so every call it makes is allowed (IAM is not checked "
            "for it)")
        return allow_all(label)

    def policies_entry(self, entry: Any, path: tuple[str | int, ...],
                       resolved: ResolvedTemplate) -> Iterator[Policy]:
        if isinstance(entry, str):
            customer = _customer_policy(entry, resolved, self.pseudo)
            if customer is not None:
                yield from self._documents(customer, resolved)
                return
            yield self.managed(entry, self._source(path, entry), path)
            return
        if isinstance(entry, Mapping) and "Statement" in entry:
            yield self._document(entry, path, "inline policy")
            return
        if isinstance(entry, list):
            yield self._document(entry, path, "inline statements")
            return
        if isinstance(entry, Mapping) and len(entry) == 1:
            (name, arguments), = entry.items()
            if is_template(name):
                try:
                    statements = expand(name, arguments, self.sam_pseudo)
                except PolicyError as exc:
                    self.warnings.append(f"{self._where(path)}: {self.res.logical_id}: {exc}")
                    return
                label = f"{name}: {_arguments(arguments)}"
                yield self._document(statements, path, label)
                return
        self.warnings.append(f"{self._where(path)}: {self.res.logical_id}: Policies entry "
                             f"{entry!r} is not a policy SAM takes; it grants nothing here")

    def _document(self, document: Any, path: tuple[str | int, ...], label: str,
                  root: Any = None) -> Policy:
        source = self._source(path, label, root)
        try:
            return _document(document, source=source)
        except PolicyError as exc:
            self.warnings.append(f"{exc}; it grants nothing here")
            return Policy(statements=(), source=source)

    def sam_additions(self) -> Iterator[Policy]:
        """What SAM adds to the role it makes, beyond Policies."""
        props = self.res.properties
        events = props.get("Events")
        kinds = {str(e.get("Type")) for e in events.values() if isinstance(e, Mapping)} \
            if isinstance(events, Mapping) else set()
        for kind in sorted(kinds & set(_EVENT_POLICIES)):
            yield self.managed(_EVENT_POLICIES[kind],
                               f"{self.sams_role(f', {kind} event')} {_EVENT_POLICIES[kind]}",
                               ("Events",))
        if props.get("Tracing") == "Active":
            yield self.managed("AWSXrayWriteOnlyAccess",
                               f"{self.sams_role(', Tracing')} AWSXrayWriteOnlyAccess",
                               ("Tracing",))
        dead = props.get("DeadLetterQueue")
        if isinstance(dead, Mapping):
            yield from self._destination(dead.get("Type"), dead.get("TargetArn"),
                                         ("DeadLetterQueue",), "DeadLetterQueue")
        invoke = props.get("EventInvokeConfig")
        config = invoke.get("DestinationConfig") if isinstance(invoke, Mapping) else None
        for when in ("OnSuccess", "OnFailure"):
            target = config.get(when) if isinstance(config, Mapping) else None
            if isinstance(target, Mapping):
                yield from self._destination(
                    target.get("Type"), target.get("Destination"),
                    ("EventInvokeConfig", "DestinationConfig", when), f"destination {when}")

    def _destination(self, kind: Any, arn: Any, path: tuple[str | int, ...], label: str
                     ) -> Iterator[Policy]:
        action = _DESTINATION_ACTIONS.get(str(kind))
        if action is not None and isinstance(arn, str):
            yield Policy(statements=(Statement(effect=Effect.ALLOW, actions=(action,),
                                               resources=(arn,)),),
                         source=f"{self.sams_role(f', {label}')} {action}")

    def role_policies(self, role: Resource, resolved: ResolvedTemplate) -> Iterator[Policy]:
        props = role.properties
        inline = props.get("Policies")
        for index, item in enumerate(inline if isinstance(inline, list) else []):
            if isinstance(item, Mapping):
                label = f"{role.logical_id} policy {item.get('PolicyName', index)}"
                yield self._document(item.get("PolicyDocument"),
                                     ("Properties", "Policies", index), label, role.raw)
        arns = props.get("ManagedPolicyArns")
        for index, arn in enumerate(arns if isinstance(arns, list) else []):
            path: tuple[str | int, ...] = ("Properties", "ManagedPolicyArns", index)
            customer = _customer_policy(arn, resolved, self.pseudo) \
                if isinstance(arn, str) else None
            if customer is not None:
                yield from self._documents(customer, resolved)
            elif isinstance(arn, str):
                yield self.managed(arn, f"{self._source(path, '', role.raw)}{arn}", path,
                                   role.raw)
        role_name = ref_name(role, self.pseudo)
        for res in resolved.resources.values():
            attached = res.properties.get("Roles")
            if res.type in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") \
                    and isinstance(attached, list) and role_name in attached:
                yield from self._documents(res, resolved)

    def _documents(self, res: Resource, resolved: ResolvedTemplate) -> Iterator[Policy]:
        """An AWS::IAM::Policy or AWS::IAM::ManagedPolicy resource's document."""
        yield self._document(res.properties.get("PolicyDocument"),
                             ("Properties", "PolicyDocument"), res.logical_id, res.raw)


def ref_name(res: Resource, pseudo: PseudoParameters) -> str | None:
    name = ref_value(res.type, res.logical_id, res.properties, pseudo)
    return name if isinstance(name, str) else None


def _customer_policy(arn: str, resolved: ResolvedTemplate, pseudo: PseudoParameters
                     ) -> Resource | None:
    """The template's AWS::IAM::ManagedPolicy an ARN is (Ref gives the ARN)."""
    return next((res for res in resolved.resources.values()
                 if res.type == "AWS::IAM::ManagedPolicy"
                 and ref_name(res, pseudo) == arn), None)


def _arguments(arguments: Any) -> str:
    if not isinstance(arguments, Mapping) or not arguments:
        return "{}"
    return "{" + ", ".join(f"{key}: {value}" for key, value in arguments.items()) + "}"
