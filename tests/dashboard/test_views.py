"""What the pages show, computed from records and the graph: an invocation's chain, the
duration percentiles of the Functions page, and the rows a page's event stream carries."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from samlite.app.root import AppOptions, load_graph
from samlite.dashboard.views import (
    TIMELINE_COLUMNS,
    TimelineFilter,
    TimelineView,
    _percentile,
    chain_of,
    graph_view,
    timeline_batch,
)
from samlite.runtime.records import InvocationRecord, Payload

ORDERS = Path(__file__).resolve().parents[2] / "sample-apps" / "orders-service"
ORDER_EVENTS = Path(__file__).resolve().parents[2] / "sample-apps" / "order-events"


def record(seq: int, function: str, at_s: float) -> InvocationRecord:
    return InvocationRecord(
        seq=seq, request_id=f"id-{seq}", function=function, version="$LATEST",
        trigger="invoke", is_cold=False, started_at_s=at_s, duration_ms=1.0,
        billed_duration_ms=1, memory_size_mb=128, max_memory_used_mb=30,
        init_duration_ms=None, status="ok", error_type=None,
        event=Payload(text="{}", size_bytes=2), response=Payload(text="{}", size_bytes=2),
        log_lines=())


def test_a_requests_chain_follows_the_graph_through_the_queue_to_the_worker() -> None:
    graph, _ = load_graph(ORDERS / "template.yaml", AppOptions())
    create = record(1, "CreateOrderFunction", 100.0)
    worker = record(2, "WorkerFunction", 101.5)
    unrelated = record(3, "GetOrderFunction", 101.0)
    much_later = record(4, "WorkerFunction", 200.0)
    records = [create, unrelated, worker, much_later]
    assert chain_of(create, records, graph) == [create, worker]
    assert chain_of(worker, records, graph) == [create, worker]


def test_a_retry_keeps_its_request_id_and_joins_the_chain() -> None:
    graph, _ = load_graph(ORDERS / "template.yaml", AppOptions())
    first = record(1, "GetOrderFunction", 10.0)
    retry = dataclasses.replace(record(2, "GetOrderFunction", 70.0), request_id="id-1")
    assert chain_of(first, [first, retry], graph) == [first, retry]


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert (_percentile(values, 50), _percentile(values, 99)) == (50.0, 99.0)
    assert _percentile([], 50) is None
    assert _percentile([7.0], 99) == 7.0


def test_an_event_put_on_a_bus_chains_the_request_to_the_rules_target() -> None:
    # POST /orders/{id}/pay puts OrderPaid on the bus its environment names; the bus's rule
    # hands it to the receipt function.
    graph, _ = load_graph(ORDER_EVENTS / "template.yaml", AppOptions())
    pay = record(1, "OrdersApiFunction", 100.0)
    receipt = record(2, "ReceiptFunction", 100.4)
    assert chain_of(receipt, [pay, receipt], graph) == [pay, receipt]
    assert chain_of(pay, [pay, receipt], graph) == [pay, receipt]


def test_the_app_graph_draws_the_bus_to_its_rule() -> None:
    graph, _ = load_graph(ORDER_EVENTS / "template.yaml", AppOptions())
    assert {"source": "OrdersBus", "target": "ReceiptFunctionOrderPaid", "kind": "trigger",
            "label": ""} in graph_view(graph)["edges"]


def test_a_page_streamed_the_newest_rows_it_keeps_gets_those_of_its_filter_and_a_count() -> None:
    records = [dataclasses.replace(record(seq, "Hello" if seq % 2 else "Worker", seq),
                                   status="error" if seq % 3 == 0 else "ok",
                                   trigger=f"GET /hello/{seq}")
               for seq in range(1, 13)]                      # oldest first, as a batch
    hello = TimelineView(TimelineFilter(function="Hello"), newest=3)
    batch = timeline_batch(records, hello)
    assert batch is not None
    ids = [row[TIMELINE_COLUMNS.index("request_id")] for row in batch["rows"]]
    assert (ids, batch["older"]) == (["id-7", "id-9", "id-11"], 3)   # of 1, 3, ... 11
    errors = TimelineView(TimelineFilter(status="error", trigger="HELLO/1"))
    assert [row[0] for row in timeline_batch(records, errors)["rows"]] == ["id-12"]
    assert "older" not in timeline_batch(records)   # every row: nothing left out to count
    assert timeline_batch(records, TimelineView(newest=0)) is None   # a page that shows none
    assert timeline_batch(records, TimelineView(TimelineFilter(function="Other"))) is None
    each = timeline_batch(records, TimelineView(per_function=True))   # the App page's lights
    assert ([row[0] for row in each["rows"]], each["older"]) == (["id-11", "id-12"], 10)
