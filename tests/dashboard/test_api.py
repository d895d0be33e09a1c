"""The dashboard's JSON API and event stream, as a script (or the pages) use them."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
from pathlib import Path

import pytest

from samlite.dashboard.views import TIMELINE_COLUMNS
from samlite.testing import wait_for

from .conftest import Running


def test_an_http_request_and_an_upload_are_listed_with_their_triggers(running: Running) -> None:
    running.http("/hello/ada")
    running.send("PUT", "/api/buckets/uploads/object?key=notes/a.txt", b"hi", "text/plain")
    rows = wait_for(lambda: len(r := running.get("/api/invocations")) == 2 and r)
    assert [(r["function"], r["trigger"], r["status"]) for r in rows] == [
        ("OnUpload", "s3 ObjectCreated:Put uploads/notes/a.txt", "ok"),
        ("Hello", "GET /hello/ada", "ok")]
    assert [r["function"] for r in running.get("/api/invocations?function=Hello")] == ["Hello"]


def test_an_invocation_detail_has_its_event_response_and_logs(running: Running) -> None:
    running.http("/hello/grace")
    [row] = running.get("/api/invocations")
    detail = running.get(f"/api/invocations/{row['request_id']}")
    assert json.loads(detail["event"]["text"])["pathParameters"] == {"name": "grace"}
    assert json.loads(detail["response"]["text"])["body"] == '{"hello": "grace"}'
    assert "greeting grace" in detail["log_lines"]
    assert detail["log_lines"][-1].startswith(f"REPORT RequestId: {row['request_id']}")


def test_replay_runs_the_event_again_or_an_edited_one(running: Running) -> None:
    running.http("/hello/ada")
    [row] = running.get("/api/invocations")
    event = json.loads(running.get(f"/api/invocations/{row['request_id']}")["event"]["text"])
    event["pathParameters"]["name"] = "lin"
    replayed = running.send("POST", f"/api/invocations/{row['request_id']}/replay",
                            {"event": json.dumps(event)})
    assert replayed["status"] == "ok" and "lin" in replayed["response"]
    newest = running.get("/api/invocations")[0]
    assert (newest["request_id"], newest["trigger"]) == (
        replayed["request_id"], f"replay of {row['request_id']}")


def test_invoke_takes_a_function_and_an_event(running: Running) -> None:
    result = running.send("POST", "/api/invoke", {"function": "Nightly", "event": "{}"})
    assert result["status"] == "ok" and json.loads(result["response"]) == "done"


def test_a_bad_event_is_refused_with_a_reason(running: Running) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        running.send("POST", "/api/invoke", {"function": "Nightly", "event": "{nope"})
    assert refused.value.code == 400
    assert "not valid JSON" in json.loads(refused.value.read())["error"]


def test_queues_send_peek_redrive_and_purge(running: Running) -> None:
    queues = {q["logical_id"]: q for q in running.get("/api/queues")}
    dlq, jobs = queues["JobsDLQ"]["name"], queues["Jobs"]["name"]
    assert queues["JobsDLQ"]["is_dead_letter_queue_of"] == [jobs]
    running.send("POST", f"/api/queues/{dlq}/send", {"body": "poison"})
    assert [m["body"] for m in running.get(f"/api/queues/{dlq}/messages")] == ["poison"]
    assert running.send("POST", f"/api/queues/{dlq}/redrive") == {"moved": 1, "to": jobs}
    assert {q["logical_id"]: q["visible"] for q in running.get("/api/queues")} == \
        {"Jobs": 1, "JobsDLQ": 0}
    running.send("POST", f"/api/queues/{jobs}/purge")
    assert running.get(f"/api/queues/{jobs}/messages") == []


def test_buckets_list_download_and_delete(running: Running) -> None:
    running.send("PUT", "/api/buckets/uploads/object?key=a.txt", b"hello", "text/plain")
    assert [o["key"] for o in running.get("/api/buckets/uploads/objects")] == ["a.txt"]
    assert running.get("/api/buckets") == [{"name": "uploads", "logical_id": "Uploads"}]
    running.send("DELETE", "/api/buckets/uploads/object?key=a.txt")
    assert running.get("/api/buckets/uploads/objects") == []


def test_functions_graph_and_schedules(running: Running) -> None:
    running.http("/hello/ada")
    hello = next(f for f in running.get("/api/functions") if f["name"] == "Hello")
    assert (hello["invocations"], hello["errors"], hello["routes"]) == (1, 0, ["GET /hello/{name}"])
    graph = running.get("/api/graph")
    assert {"source": "Uploads", "target": "OnUpload"}.items() <= next(
        e for e in graph["edges"] if e["target"] == "OnUpload").items()
    [schedule] = running.get("/api/schedules")
    fired = running.send("POST", f"/api/schedules/{schedule['name']}/fire")
    wait_for(lambda: running.app.invocations.find(fired["request_id"]))
    assert running.get("/api/schedules")[0]["last"]["request_id"] == fired["request_id"]


def test_the_event_stream_sends_each_new_invocation(running: Running) -> None:
    host, port = running.url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET /api/events HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        received = bytearray()
        wait_for(lambda: received.extend(sock.recv(4096)) or b": connected" in received)
        thread = threading.Thread(target=running.http, args=("/hello/sse",))
        thread.start()
        wait_for(lambda: b"event: invocations" in received
                 or received.extend(sock.recv(4096)) or b"event: invocations" in received)
        thread.join()
    assert b"text/event-stream" in received
    data = json.loads(received.split(b"event: invocations\ndata: ", 1)[1].split(b"\n\n", 1)[0])
    streamed = [dict(zip(data["columns"], values, strict=True)) for values in data["rows"]]
    [listed] = running.get("/api/invocations")   # the list's row, whose columns it carries
    assert streamed == [{name: listed[name] for name in data["columns"]}]
    assert streamed[0]["trigger"] == "GET /hello/sse"
    assert {"request_id", "function", "trigger", "status", "duration_ms"} <= set(data["columns"])


def test_a_filtered_event_stream_sends_only_the_rows_it_asked_for(running: Running) -> None:
    host, port = running.url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET /api/events?function=Hello&rows=500 HTTP/1.1\r\n"
                     f"Host: {host}:{port}\r\n\r\n".encode())
        received = bytearray()
        wait_for(lambda: received.extend(sock.recv(4096)) or b": connected" in received)
        running.send("PUT", "/api/buckets/uploads/object?key=first.txt", b"x", "text/plain")
        wait_for(lambda: running.app.invocations.all(function="OnUpload"))
        running.http("/hello/after")
        wait_for(lambda: b"event: invocations" in received
                 or received.extend(sock.recv(4096)) or b"event: invocations" in received)
    data = json.loads(received.split(b"event: invocations\ndata: ", 1)[1].split(b"\n\n", 1)[0])
    at = data["columns"].index("trigger")
    assert ([values[at] for values in data["rows"]], data["older"]) == (["GET /hello/after"], 0)


def test_an_event_stream_asked_for_rows_it_cannot_make_is_refused(running: Running) -> None:
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(running.url + "api/events?rows=all", timeout=10)  # noqa: S310
    assert refused.value.code == 400
    assert "rows must be a whole number" in json.loads(refused.value.read())["error"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(running.url + "api/events?per=route", timeout=10)  # noqa: S310
    assert "per takes only 'function'" in json.loads(refused.value.read())["error"]


def test_pages_are_served_with_their_script_and_no_network(running: Running) -> None:
    import urllib.request

    with urllib.request.urlopen(running.url + "invocations", timeout=10) as reply:  # noqa: S310
        html = reply.read().decode()
    assert '<script src="/static/dashboard.js"></script>' in html
    assert "http://" not in html.replace(running.url, "") and "https://" not in html


def test_a_reload_is_listed_and_streamed(running: Running) -> None:
    stream = running.dashboard.hub.stream()
    next(stream)
    code = running.app.template.parent / "src" / "app.py"
    code.write_text(code.read_text().replace("greeting", "welcoming"))
    line = running.app.reload(frozenset({code}))
    assert line is not None
    assert [r["line"] for r in running.get("/api/reloads")] == [line]
    reloads = next(stream).split(b"event: reloads\ndata: ", 1)[1].split(b"\n\n", 1)[0]
    assert [r["line"] for r in json.loads(reloads)] == [line]
    running.http("/hello/ada")
    newest = running.get("/api/invocations")[0]["request_id"]
    assert "welcoming ada" in running.get(f"/api/invocations/{newest}")["log_lines"]


def test_a_queue_url_is_the_one_an_sdk_gets_from_the_endpoint(running: Running) -> None:
    import boto3

    endpoint = running.app.endpoint_url
    sqs = boto3.client("sqs", endpoint_url=endpoint,
                       region_name=running.app.options.pseudo.region,
                       aws_access_key_id="local", aws_secret_access_key="local")  # noqa: S106
    [row] = [q for q in running.get("/api/queues") if q["logical_id"] == "Jobs"]
    assert row["url"] == sqs.get_queue_url(QueueName=row["name"])["QueueUrl"]
    assert row["url"].startswith(f"{endpoint}/")


def test_queue_actions_take_the_logical_id_as_well_as_the_name(running: Running) -> None:
    running.send("POST", "/api/queues/JobsDLQ/send", {"body": "poison"})
    assert [m["body"] for m in running.get("/api/queues/JobsDLQ/messages")] == ["poison"]
    jobs = next(q["name"] for q in running.get("/api/queues") if q["logical_id"] == "Jobs")
    assert running.send("POST", "/api/queues/JobsDLQ/redrive", {"to": "Jobs"}) == \
        {"moved": 1, "to": jobs}
    running.send("POST", "/api/queues/Jobs/purge")
    assert running.get(f"/api/queues/{jobs}/messages") == []


@pytest.mark.parametrize(("queue", "body", "says"), [
    ("Jobs", {}, "is no queue's dead-letter queue (no RedrivePolicy names it)"),
    ("Jobs", {"to": "Jobs"}, "cannot be redriven to itself"),
    ("JobsDLQ", {"to": "JobsDLQ"}, "cannot be redriven to itself"),
], ids=["a queue that is no dead-letter queue", "a queue into itself", "a DLQ into itself"])
def test_a_redrive_with_nowhere_to_go_is_refused_naming_the_queue(
        running: Running, queue: str, body: dict[str, str], says: str) -> None:
    name = next(q["name"] for q in running.get("/api/queues") if q["logical_id"] == queue)
    running.send("POST", f"/api/queues/{queue}/send", {"body": "kept"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        running.send("POST", f"/api/queues/{queue}/redrive", body)
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["error"].startswith(f"{name} {says}")
    assert [m["body"] for m in running.get(f"/api/queues/{queue}/messages")] == ["kept"]


def test_bucket_actions_take_the_logical_id_as_well_as_the_name(running: Running) -> None:
    running.send("PUT", "/api/buckets/Uploads/object?key=b.txt", b"hi", "text/plain")
    assert [o["key"] for o in running.get("/api/buckets/Uploads/objects")] == ["b.txt"]
    assert [o["key"] for o in running.get("/api/buckets/uploads/objects")] == ["b.txt"]


@pytest.mark.parametrize(("method", "path", "names"), [
    ("POST", "/api/queues/Nope/send", "Jobs ("),
    ("GET", "/api/buckets/Nope/objects", "Uploads (uploads)"),
], ids=["queue", "bucket"])
def test_an_unknown_name_says_which_names_are_accepted(running: Running, method: str, path: str,
                                                        names: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        running.send(method, path, {"body": "x"})
    assert refused.value.code == 404
    error = json.loads(refused.value.read())["error"]
    assert "'Nope'" in error and names in error


def test_the_docs_show_an_s3_trigger_as_the_timeline_shows_it(running: Running) -> None:
    docs = (Path(__file__).parents[2] / "docs" / "dashboard.md").read_text()
    running.send("PUT", "/api/buckets/uploads/object?key=docs/a.txt", b"hi", "text/plain")
    [row] = wait_for(lambda: running.get("/api/invocations"))
    assert f"`{row['trigger']}` for the key `docs/a.txt` in\nthe bucket `uploads`" in docs


def test_the_docs_say_the_pages_are_filled_by_script() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "dashboard.md").read_text()
    assert "--dump-dom" in docs and "shows empty tables" in docs


def test_the_docs_name_the_streamed_columns_in_order() -> None:
    docs = " ".join((Path(__file__).parents[2] / "docs" / "dashboard.md").read_text().split())
    assert "The columns are " + ", ".join(f"`{c}`" for c in TIMELINE_COLUMNS) + "," in docs


@pytest.mark.parametrize("query", ["limit=abc", "limit=-1", "after=abc", "after=1.5",
                                   "status=bogus"])
def test_a_listing_asked_for_what_it_cannot_read_is_refused_with_a_reason(
        running: Running, query: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        running.get(f"/api/invocations?{query}")
    assert refused.value.code == 400
    name, _, value = query.partition("=")
    error = json.loads(refused.value.read())["error"]
    assert name in error and repr(value) in error


def test_an_event_stream_for_a_status_no_invocation_has_is_refused(running: Running) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        running.get("/api/events?status=failed")
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["error"] == \
        "status is one of ok, error, timeout, not 'failed'"


def test_pages_are_titled_with_the_project_folder_when_the_template_path_is_relative(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    import urllib.request

    from samlite.app.root import App, AppOptions
    from samlite.dashboard.server import Dashboard

    from .conftest import APP

    project = tmp_path / "orders"
    shutil.copytree(APP, project)
    monkeypatch.chdir(project)      # `samlite up` in the project: -t defaults to template.yaml
    app = App(Path("template.yaml"), AppOptions(aws_port=None, http_port=None,
                                                runtime="process", state_dir=Path(".samlite")))
    dashboard = Dashboard(app, port=0, event_templates={})
    dashboard.bind()
    dashboard.start()
    try:
        with urllib.request.urlopen(dashboard.url + "invocations", timeout=10) as page:  # noqa: S310
            html = page.read().decode()
    finally:
        dashboard.stop()
        app.close()
    assert "<title>Invocations · orders · samlite</title>" in html
    assert '<span class="app-name">orders</span>' in html
