"""A Lambda service that answers in-process (the seam the Invoke API and the app use), and
the function specs it serves. Its "handler" echoes the event; {"fail": ...} makes it fail."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from samlite.runtime.api_errors import function_not_found
from samlite.runtime.invocation import Invocation, Result, error_document
from samlite.runtime.qualifiers import Target, resolve
from samlite.runtime.spec import AliasSpec, FunctionSpec


def spec(logical_id: str = "HelloFunction", **changes: object) -> FunctionSpec:
    values: dict[str, object] = {
        "logical_id": logical_id, "function_name": logical_id, "handler": "app.handler",
        "runtime": "python3.12", "code_dir": Path("/code"),
        "aliases": (AliasSpec(name="live"),), "publishes_versions": True}
    values.update(changes)
    return FunctionSpec(**values)  # type: ignore[arg-type]


@dataclass
class Call:
    function: str
    payload: bytes
    kind: str = "sync"
    tail_logs: bool = False
    client_context: str | None = None
    tenant_id: str | None = None
    trigger: str | None = None


@dataclass
class FakeService:
    functions: Sequence[FunctionSpec] = (spec(),)
    logs: str = "START RequestId: r-1 Version: $LATEST\nEND RequestId: r-1\n"
    raises: Exception | None = None               # what the next invoke raises
    calls: list[Call] = field(default_factory=list)
    lookups: list[tuple[str, str | None]] = field(default_factory=list)
    started: bool = False
    stopped: bool = False
    options: dict[str, object] = field(default_factory=dict)
    invoked: threading.Event = field(default_factory=threading.Event)
    prewarmed: list[str] = field(default_factory=list)   # what prewarm was asked to start

    def start(self, *, async_events: bool = True) -> None:
        self.started = True

    def start_async_events(self) -> None:
        pass

    def drain(self, timeout_s: float) -> int:
        return 0

    def prewarm(self, functions: Sequence[str]) -> None:
        self.prewarmed.extend(functions)

    def stop(self, *, grace_s: float = 2.0) -> None:
        self.stopped = True

    def function_for(self, name: str) -> FunctionSpec:
        bare = name.split(":function:")[-1].split(":")[0]
        for candidate in self.functions:
            if bare == candidate.function_name:
                return candidate
        raise function_not_found(f"arn:aws:lambda:us-east-1:123456789012:function:{name}")

    def target(self, name: str, qualifier: str | None = None) -> Target:
        self.lookups.append((name, qualifier))
        spec = self.function_for(name)
        return resolve(spec, qualifier, newest=self.newest_version(spec.logical_id))

    def newest_version(self, function: str) -> int:
        return 1 if self.function_for(function).publishes_versions else 0

    def invoke_target(self, target: Target, payload: bytes, *, tail_logs: bool = False,
                      client_context: str | None = None,
                      tenant_id: str | None = None) -> Result:
        return self.invoke(target.spec.logical_id, payload, tail_logs=tail_logs,
                           client_context=client_context, tenant_id=tenant_id)

    def invoke_target_async(self, target: Target, payload: bytes, *,
                            tenant_id: str | None = None) -> str:
        return self.invoke_async(target.spec.logical_id, payload, tenant_id=tenant_id)

    def invoke(self, function: str, payload: bytes, *, tail_logs: bool = False,
               client_context: str | None = None, request_id: str | None = None,
               tenant_id: str | None = None) -> Result:
        self.calls.append(Call(function=function, payload=payload, tail_logs=tail_logs,
                               client_context=client_context, tenant_id=tenant_id))
        self.invoked.set()
        if self.raises is not None:
            raise self.raises
        event = json.loads(payload)
        if isinstance(event, dict) and "fail" in event:
            return Result(request_id="r-1", function_error="Unhandled", logs=self.logs,
                          payload=error_document("Exception", str(event["fail"]), trace=[]))
        return Result(request_id="r-1", payload=json.dumps({"echo": event}).encode(),
                      logs=self.logs)

    def invoke_async(self, function: str, payload: bytes, *,
                     tenant_id: str | None = None, trigger: str | None = None) -> str:
        self.calls.append(Call(function=function, payload=payload, kind="async",
                               tenant_id=tenant_id, trigger=trigger))
        self.invoked.set()
        if self.raises is not None:
            raise self.raises
        return "r-async"

    def run_invocation(self, invocation: Invocation) -> Result:
        return self.invoke(invocation.function, invocation.payload)

    def use_async_events(self, events: object) -> None:
        self.async_events = events


def fake_factory(service: FakeService) -> Callable[..., FakeService]:
    """A stand-in for LambdaService(functions, **options) that hands back `service`."""

    def make(functions: Sequence[FunctionSpec], **options: object) -> FakeService:
        service.functions = tuple(functions)
        service.options = options
        return service

    return make
