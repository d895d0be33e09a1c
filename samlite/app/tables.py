"""The composition root's DynamoDB part: the local DynamoDB made on first need (an app without
a table starts without moto's DynamoDB), the template's tables made to exist, the stream
event source mappings that read them, and the TTL sweep. app/aws.py holds one of these.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from samlite.aws.dynamodb.model import TARGET_PREFIXES
from samlite.clock import Clock
from samlite.errors import Problem, TemplateError
from samlite.graph.model import Graph, Trigger
from samlite.http.messages import Request, Response
from samlite.sources.dynamodb.poller import StreamEventSources
from samlite.state import StateDir

if TYPE_CHECKING:
    from samlite.aws.dynamodb.service import LocalDynamoDb

TABLE_REFUSED = "E2301"   # a table CreateTable refuses, found when samlite up starts
# How often expired items are looked for (AWS: within a few days; locally within a second).
TTL_SWEEP_S = 1.0


class Tables:
    def __init__(self, graph: Graph, *, state: StateDir | None, account_id: str, region: str,
                 clock: Clock, invoker: Any, queues: Any,
                 queue_name_for: Callable[[str], str | None],
                 note: Callable[[str, str], None]) -> None:
        self._state = state
        self._account_id = account_id
        self._region = region
        self._clock = clock
        self._lock = threading.RLock()
        self._service: LocalDynamoDb | None = None
        self._stopping = threading.Event()
        self._sweeper: threading.Thread | None = None
        self.sources = StreamEventSources(graph, streams=_LazyStreams(self), invoker=invoker,
                                          queues=queues, queue_name_for=queue_name_for,
                                          region=region, account_id=account_id, clock=clock,
                                          note=note)

    @property
    def service(self) -> LocalDynamoDb:
        with self._lock:
            if self._service is None:
                from samlite.aws.dynamodb.service import LocalDynamoDb

                self._service = LocalDynamoDb(
                    db_path=self._state.dynamodb_db if self._state is not None else None,
                    account_id=self._account_id, region=self._region, clock=self._clock)
            return self._service

    def ensure(self, graph: Graph) -> None:
        """The template's tables exist; one DynamoDB refuses (an index on an attribute
        AttributeDefinitions lacks, ...) is a TemplateError naming it, with DynamoDB's words."""
        from samlite.aws.dynamodb.errors import DynamoError

        problems = []
        for table in graph.tables:
            try:
                self.service.ensure_table(table)
            except DynamoError as exc:
                problems.append(Problem(
                    code=TABLE_REFUSED, at=table.at, resource=table.logical_id,
                    path=f"Resources.{table.logical_id}.Properties",
                    message=f"the local DynamoDB refuses table {table.table_name}: "
                            f"{exc.code}: {exc.message}"))
        if problems:
            raise TemplateError(problems)

    def start(self, graph: Graph) -> None:
        self.sources.start()
        if any(t.ttl_attribute for t in graph.tables) and self._sweeper is None:
            self._sweeper = threading.Thread(target=self._sweep, daemon=True,
                                             name="dynamodb-ttl")
            self._sweeper.start()

    def update(self, graph: Graph) -> None:
        self.ensure(graph)
        self.sources.update(graph)

    def stop_reading(self) -> None:
        """The stream readers take no new batch; the ones being invoked finish."""
        self.sources.stop()
        with self._lock:
            service = self._service
        if service is not None:
            service.wake_readers()

    def stop(self) -> None:
        self._stopping.set()
        self.sources.stop()
        with self._lock:
            service = self._service
        if service is not None:
            service.wake_readers()
        self.sources.join()
        if self._sweeper is not None:
            self._sweeper.join(2.0)
        if service is not None:
            service.close()

    def fire(self, trigger: Trigger) -> str:
        """`samlite trigger` of a DynamoDB stream trigger: the newest record its filter lets
        through, handed to the function again."""
        from samlite.errors import UsageError

        try:
            request_id = self.sources.replay_latest(trigger.logical_id, trigger.function)
        except StopIteration:
            raise UsageError(f"{trigger.logical_id}: its stream is not read locally (see "
                             "Not run locally at startup)") from None
        if request_id is None:
            raise UsageError(f"{trigger.logical_id}: the stream of {trigger.source} has no "
                             "record its filter lets through; write an item first (aws "
                             "dynamodb put-item --endpoint-url ...)")
        return request_id

    def route(self) -> _TablesRoute:
        return _TablesRoute(self)

    def _sweep(self) -> None:
        while not self._stopping.wait(TTL_SWEEP_S):
            self.service.expire_items()


class _LazyStreams:
    """The local DynamoDB as the stream pollers use it, made on first use."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tables.service, name)


class _TablesRoute:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def handles(self, request: Request) -> bool:
        # Asked of every call on the endpoint (twice): no import here, as in service.py's
        # is_dynamodb_call, which it matches.
        return (request.header("x-amz-target") or "").startswith(TARGET_PREFIXES)

    def handle(self, request: Request) -> Response:
        return self._tables.service.route().handle(request)
