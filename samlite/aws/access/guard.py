"""IAM on the endpoint: a route tried before every service's, which claims a request only to
refuse it. A request signed with a function's credentials has its signature checked (a
tampered or unsigned one is refused as AWS refuses it), then each IAM action it needs is
evaluated against the function's policies and the resource's own policy. Any other caller
(the developer's terminal, tests, the aws cli) is the account's administrator and passes.

Modes: `enforce` refuses a denied call in the service's own error shape and wording; `warn`
lets it through and logs it once per (function, action, resource), with the SAM policy
template that would grant it; `off` installs no guard."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from samlite.aws.access.denials import (
    access_denied,
    bad_signature,
    bad_token,
    denial_text,
    not_signed,
)
from samlite.aws.access.operations import SERVICES, Place, operation_of
from samlite.aws.signature import access_key_id, signed_service
from samlite.aws.sigv4 import BadSignature, NotSigned, holds, signature_of
from samlite.graph.model import Graph
from samlite.http.messages import Request, Response
from samlite.iam.evaluation import Decision, evaluate
from samlite.iam.evaluation import Request as Authorization
from samlite.iam.function_policy import FunctionPolicy
from samlite.iam.sam_templates import Pseudo
from samlite.iam.suggestion import granting_template
from samlite.runtime.spec import FunctionSpec

LogSink = Callable[[str, str], None]     # (function or "samlite", line)
_MAX_DECISIONS = 10_000                  # kept decisions; forgotten all at once past it


class IamMode(StrEnum):
    ENFORCE = "enforce"
    WARN = "warn"
    OFF = "off"


@dataclass(frozen=True, slots=True, kw_only=True)
class _Identity:
    secret_access_key: str
    session_token: str
    policy: FunctionPolicy


class AccessGuard:
    def __init__(self, *, mode: IamMode, pseudo: Pseudo, note: LogSink) -> None:
        self._mode = mode
        self._pseudo = pseudo
        self._note = note
        self._place = Place(account_id=pseudo.account_id, region=pseudo.region,
                            partition=pseudo.partition)
        self._identities: dict[str, _Identity] = {}
        self._tokens: frozenset[str] = frozenset()
        self._graph = Graph()
        self._said: set[tuple[str, ...]] = set()
        self._decisions: dict[tuple[object, ...], Decision] = {}
        self._lock = threading.Lock()
        self._pending = threading.local()

    @property
    def mode(self) -> IamMode:
        return self._mode

    def update(self, graph: Graph, specs: Sequence[FunctionSpec]) -> None:
        """The functions' keys and policies, at start and after each reload."""
        identities = {}
        for spec in specs:
            policy = graph.access.function(spec.logical_id)
            if spec.credentials is not None and policy is not None:
                identities[spec.credentials.access_key_id] = _Identity(
                    secret_access_key=spec.credentials.secret_access_key,
                    session_token=spec.credentials.session_token, policy=policy)
        secrets = {s.name: s.arn for s in graph.secrets}
        place = Place(account_id=self._pseudo.account_id, region=self._pseudo.region,
                      partition=self._pseudo.partition, secret_arn=secrets.get)
        with self._lock:
            self._identities = identities
            self._tokens = frozenset(i.session_token for i in identities.values())
            self._graph, self._place = graph, place
            self._decisions = {}

    # --- the Route protocol -------------------------------------------------------------
    def handles(self, request: Request) -> bool:
        refusal = self._refusal(request)
        self._pending.refusal = (request, refusal) if refusal is not None else None
        return refusal is not None

    def handle(self, request: Request) -> Response:
        pending = getattr(self._pending, "refusal", None)
        self._pending.refusal = None
        if pending is not None and pending[0] is request:
            return pending[1]
        refusal = self._refusal(request)
        if refusal is None:       # not ours: only reached when called without handles()
            raise RuntimeError("AccessGuard.handle called for a request it lets through")
        return refusal

    # --- deciding -----------------------------------------------------------------------
    def _refusal(self, request: Request) -> Response | None:
        if not self._identities and not self._tokens:
            return None       # no function has credentials of its own: every call is let in
        key = access_key_id(request)
        identity = self._identities.get(key) if key is not None else None
        if identity is None:
            token = request.header("x-amz-security-token")
            if key is None and token is not None and token in self._tokens:
                service = signed_service(request) or "s3"
                return not_signed(request, service)      # a handler's, but unsigned
            return None                                  # the account's administrator
        try:
            signature = signature_of(request)
        except (NotSigned, BadSignature):
            return bad_signature(request, signed_service(request) or "s3")
        service = signature.service
        if signature.session_token != identity.session_token:
            return bad_token(request, service)
        if not holds(signature, request, secret_key=identity.secret_access_key):
            return bad_signature(request, service)
        if service not in SERVICES:
            return None
        operation = operation_of(request, service, self._place)
        if operation is None:
            return None
        fp = identity.policy
        if operation.unmapped is not None:
            self._say_once(fp.logical_id, ("unmapped", service, operation.unmapped),
                           f"warning: IAM is not checked for {service} {operation.unmapped}: "
                           "samlite has no IAM action for it, so the call goes through (on "
                           "AWS it needs its own permission)")
            return None
        for authorization in operation.authorizations:
            decision = self._decide(key, fp, authorization)
            self._say_unjudged(fp, decision)
            if decision.is_allowed:
                continue
            message = denial_text(service, fp.caller, authorization, decision,
                                  named=operation.named.get(authorization.resource))
            what = (authorization.action, authorization.resource)
            if self._mode is IamMode.ENFORCE:
                self._say_once(fp.logical_id, ("denied", *what),
                               lambda m=message, a=authorization:
                               f"IAM denied: {m}{self._hint(a)}")
                return access_denied(request, service, message)
            self._say_once(fp.logical_id, ("warn", *what),
                           lambda m=message, a=authorization:
                           f"warning: IAM would deny this on AWS: {m}{self._hint(a)}")
        return None

    def _decide(self, key: str, fp: FunctionPolicy, authorization: Authorization) -> Decision:
        """The decision for this caller, action, resource and condition keys; kept, as a
        function makes the same few calls over and over and its policies only change with
        the template (update() forgets them)."""
        memo_key = (key, authorization.action, authorization.resource,
                    tuple(sorted(authorization.keys.items())))
        found = self._decisions.get(memo_key)
        if found is None:
            found = evaluate(fp.caller, authorization, identity=fp.policies,
                             resource_policy=self._graph.access.resource_policy(
                                 authorization.resource))
            if len(self._decisions) >= _MAX_DECISIONS:
                self._decisions.clear()
            self._decisions[memo_key] = found
        return found

    def _hint(self, authorization: Authorization) -> str:
        template = granting_template(authorization.action, authorization.resource,
                                     pseudo=self._pseudo, logical_id_of=self._logical_id_of)
        return f" (add to its Policies: {template})" if template else ""

    def _logical_id_of(self, name: str) -> str | None:
        graph = self._graph
        for group, attribute in ((graph.buckets, "bucket_name"), (graph.queues, "queue_name"),
                                 (graph.tables, "table_name"), (graph.topics, "topic_name"),
                                 (graph.functions, "function_name")):
            for node in group:
                if getattr(node, attribute, None) == name:
                    return node.logical_id
        return None

    def _say_unjudged(self, fp: FunctionPolicy, decision: Decision) -> None:
        for condition in decision.unjudged:
            self._say_once(fp.logical_id, ("unjudged", condition),
                           f"warning: IAM condition {condition} cannot be judged locally; "
                           "its statement is treated as not matching")

    def _say_once(self, function: str, what: tuple[str, ...],
                  line: str | Callable[[], str]) -> None:
        key = (function, *what)
        with self._lock:
            if key in self._said:
                return
            self._said.add(key)
        self._note(function, line() if callable(line) else line)
