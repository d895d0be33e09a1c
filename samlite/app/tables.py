"""The composition root's DynamoDB part: the template's tables checked against CreateTable's
rules before `up` is ready (pure: a table DynamoDB refuses stops it, named), then made in the
local DynamoDB after ready, in the background (moto's import is most of a table's startup
cost); a DynamoDB call that comes first waits for them. Also the stream event source mappings
that read the tables, and the TTL sweep. app/aws.py holds one of these.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samlite.aws.dynamodb.errors import DynamoError
from samlite.aws.dynamodb.model import TARGET_PREFIXES, create_table_params
from samlite.aws.dynamodb.table_rules import refusal
from samlite.clock import Clock
from samlite.errors import Problem, TemplateError
from samlite.graph.model import Graph, Table, Trigger
from samlite.http.messages import Request, Response
from samlite.sources.dynamodb.poller import StreamEventSources
from samlite.state import StateDir, unusable

if TYPE_CHECKING:
    from samlite.aws.dynamodb.persist import DynamoPersistence
    from samlite.aws.dynamodb.service import LocalDynamoDb

TABLE_REFUSED = "E2301"   # a table CreateTable refuses, found when samlite up starts
# How often expired items are looked for (AWS: within a few days; locally within a second).
TTL_SWEEP_S = 1.0
# When the tables are made, unless a call needs them sooner: once `up` (or the pytest plugin)
# says the app is ready (serving()), else, for an App started by other means, this long after
# start().
PREPARE_AFTER_S = 2.0


class Tables:
    def __init__(self, graph: Graph, *, state: StateDir | None, account_id: str, region: str,
                 clock: Clock, invoker: Any, queues: Any,
                 queue_name_for: Callable[[str], str | None],
                 note: Callable[[str, str], None]) -> None:
        self._graph = graph
        self._state = state
        self._account_id = account_id
        self._region = region
        self._clock = clock
        self._note = note
        # Held while the local DynamoDB is made and its tables created: a call waits on it.
        self._lock = threading.RLock()
        self._service: LocalDynamoDb | None = None
        self._persistence: DynamoPersistence | None = None     # opened before ready
        self._started = False
        self._preparing: threading.Thread | None = None
        self._is_reading = False
        self._stopping = threading.Event()
        self._serving = threading.Event()
        self._sweeper: threading.Thread | None = None
        self.sources = StreamEventSources(graph, streams=_LazyStreams(self), invoker=invoker,
                                          queues=queues, queue_name_for=queue_name_for,
                                          region=region, account_id=account_id, clock=clock,
                                          note=note)

    @property
    def service(self) -> LocalDynamoDb:
        """The local DynamoDB, made on first need with the template's tables in it; once the
        app has started, with the stream readers started too, before the call that made it
        writes (a LATEST reader starts from the stream's end)."""
        with self._lock:
            if self._service is None:
                from samlite.aws.dynamodb.service import LocalDynamoDb

                self._service = LocalDynamoDb(
                    db_path=self._state.dynamodb_db if self._state is not None else None,
                    account_id=self._account_id, region=self._region, clock=self._clock,
                    persistence=self._persistence)
                for problem in self._create(self._service, self._graph):
                    # The rules let it through (ensure): a samlite bug, said loudly.
                    self._note("samlite", f"error: table not made: {problem}")
                if gc.get_freeze_count():
                    # `up` moved what start-up made out of the cyclic GC's way once ready
                    # (cli/options.py); moto's DynamoDB, made after, joins it, as it did when
                    # the tables were made before ready (else a full collection walks it).
                    gc.freeze()
                if self._started:
                    self._start_reading()
            return self._service

    def ensure(self, graph: Graph) -> None:
        """The template's tables pass CreateTable's rules (a table DynamoDB refuses, such as an
        index on an attribute AttributeDefinitions lacks, is a TemplateError naming it, with
        DynamoDB's words); they exist now if the local DynamoDB does, else when it is made."""
        problems = [problem for table in graph.tables
                    if (problem := _refused(table, refusal(create_table_params(table))))]
        if problems:
            raise TemplateError(problems)
        with self._lock:
            self._graph = graph
            if self._service is not None:
                problems = self._create(self._service, graph)
            elif graph.tables and self._state is not None and self._persistence is None:
                self._persistence = _opened(self._state.dynamodb_db)
        if problems:
            raise TemplateError(problems)

    def start(self, graph: Graph) -> None:
        with self._lock:
            self._started = True
            if self._service is not None or not graph.tables:
                self._start_reading()
            else:
                self._prepare_in_background()
        if any(t.ttl_attribute for t in graph.tables) and self._sweeper is None:
            self._sweeper = threading.Thread(target=self._sweep, daemon=True,
                                             name="dynamodb-ttl")
            self._sweeper.start()

    def update(self, graph: Graph) -> None:
        self.ensure(graph)
        with self._lock:
            self.sources.update(graph)
            if graph.tables and self._started and self._service is None:
                self._prepare_in_background()

    def _start_reading(self) -> None:
        if not self._is_reading and not self._stopping.is_set():
            self._is_reading = True
            self.sources.start()

    def serving(self) -> None:
        """`up` is ready: the tables are made now, in the background."""
        self._serving.set()

    def _prepare_in_background(self) -> None:
        """Make the local DynamoDB and the template's tables while the app serves, once `up`
        is ready (moto's import would otherwise compete with the rest of start-up for the
        GIL). A DynamoDB call that comes first makes them itself, or waits for this."""
        if self._preparing is not None and self._preparing.is_alive():
            return

        def prepare() -> None:
            self._serving.wait(PREPARE_AFTER_S)
            if self._stopping.is_set():
                return
            try:
                _ = self.service
            except Exception as exc:   # said loudly; the next call tries again
                self._note("samlite", f"error: the local DynamoDB could not be made: {exc}")

        self._preparing = threading.Thread(target=prepare, name="samlite-dynamodb",
                                           daemon=True)
        self._preparing.start()

    def _create(self, service: LocalDynamoDb, graph: Graph) -> list[Problem]:
        problems = []
        for table in graph.tables:
            try:
                service.ensure_table(table)
            except DynamoError as exc:
                problems.append(_refused(table, exc))
        return [p for p in problems if p is not None]

    def stop_reading(self) -> None:
        """The stream readers take no new batch; the ones being invoked finish."""
        self._stopping.set()
        self._serving.set()     # a prepare still waiting ends
        with self._lock:    # after the background start of the readers, if it is under way
            service = self._service
        self.sources.stop()
        if service is not None:
            service.wake_readers()

    def stop(self) -> None:
        self._stopping.set()
        self._serving.set()
        with self._lock:
            service = self._service
        self.sources.stop()
        if service is not None:
            service.wake_readers()
        self.sources.join()
        if self._sweeper is not None:
            self._sweeper.join(2.0)
        if service is not None:
            service.close()
        elif self._persistence is not None:
            self._persistence.close()

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


def _opened(path: Path) -> DynamoPersistence:
    """The tables and items of earlier runs, opened: a damaged or foreign file, or a kept
    table the local DynamoDB would not make again, stops `up` naming the file (as the restore
    after ready would find it)."""
    from samlite.aws.dynamodb.persist import DynamoPersistence

    persistence = DynamoPersistence(path)
    try:
        for saved in persistence.tables():
            if not isinstance(saved.params, dict):
                raise unusable(path, ValueError(f"table {saved.name}: its CreateTable "
                                                "request is not a JSON object"))
            if (refused := refusal(saved.params)) is not None:
                raise unusable(path, refused)
    except BaseException:
        persistence.close()
        raise
    return persistence


def _refused(table: Table, error: DynamoError | None) -> Problem | None:
    if error is None:
        return None
    return Problem(code=TABLE_REFUSED, at=table.at, resource=table.logical_id,
                   path=f"Resources.{table.logical_id}.Properties",
                   message=f"the local DynamoDB refuses table {table.table_name}: "
                           f"{error.code}: {error.message}")


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
