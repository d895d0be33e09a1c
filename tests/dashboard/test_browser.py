"""The dashboard in a real headless browser (Debian's chromium, driven by Playwright's Python
client; no browser is downloaded): rows appear live, an invocation opens with its logs and
replays, a dead letter is redriven, and an upload from the bucket page runs its function.

Skipped only where no chromium is installed, and never under CI (CI=true: fails instead;
.ci/run installs it with apt). Screenshots go to $SAMLITE_SCREENSHOTS when set (docs/images
for the docs), else to the test's tmp folder."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from samlite.testing import wait_for

from .conftest import Running

CHROMIUM = os.environ.get("SAMLITE_CHROMIUM") or shutil.which("chromium") \
    or shutil.which("chromium-browser")
# How long a row may take to appear: the target is 200 ms (benchmarks/dashboard.py measures
# it); this only bounds a wait, and a loaded machine can be slow.
LIVE_MS = 20_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = CHROMIUM is None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = True
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true, but no chromium and Playwright: apt-get install -y chromium; "
                        "pip install -e '.[dev]'")
        pytest.skip("no chromium here (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where chromium's sandbox will not start.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(LIVE_MS)
    yield page
    context.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SAMLITE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_page(page: Any, running: Running, path: str) -> None:
    page.goto(running.url + path.lstrip("/"))
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#live.on")   # the event stream is connected


def s3_client(running: Running) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=running.app.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="local",
                        aws_secret_access_key="local")  # noqa: S106 - any works locally


def test_an_http_request_and_an_upload_appear_live_and_one_replays(
        page: Any, running: Running, shots: Path) -> None:
    open_page(page, running, "/invocations")
    running.http("/hello/ada")
    s3_client(running).put_object(Bucket="uploads", Key="reports/q1.txt", Body=b"numbers")
    hello = page.locator("#timeline tbody tr[data-function=Hello]")
    upload = page.locator("#timeline tbody tr[data-function=OnUpload]")
    hello.wait_for()
    upload.wait_for()
    assert hello.locator(".trigger").inner_text() == "GET /hello/ada"
    assert upload.locator(".trigger").inner_text() == "s3 ObjectCreated:Put uploads/reports/q1.txt"
    page.screenshot(path=str(shots / "dashboard-invocations.png"))

    hello_id = hello.get_attribute("data-request-id")
    hello.locator("a").click()
    page.wait_for_url(f"**/invocations/{hello_id}")
    page.wait_for_selector("body[data-ready=true]")
    logs = page.locator("pre.logs").inner_text()
    assert "greeting ada" in logs and "REPORT RequestId: " in logs
    page.screenshot(path=str(shots / "dashboard-invocation.png"), full_page=True)

    event = page.locator("#event")
    event.fill(event.input_value().replace('"name": "ada"', '"name": "bob"'))
    page.locator("#replay").click()
    replayed = page.locator("p.replayed a")
    replayed.wait_for()
    replay_id = replayed.inner_text()
    replayed.click()
    page.wait_for_url(f"**/invocations/{replay_id}")
    page.wait_for_selector("body[data-ready=true]")
    assert "greeting bob" in page.locator("pre.logs").inner_text()
    assert "replay of" in page.locator("dl.summary").inner_text()


def test_every_page_loads_without_a_failed_request_or_a_script_error(
        page: Any, running: Running) -> None:
    from samlite.dashboard.pages import PAGES

    failed: list[str] = []
    page.on("response", lambda response: response.status >= 400
            and failed.append(f"{response.status} {response.url}"))
    # (a page's event stream is cut when the next page opens: that is no failure)
    page.on("requestfailed", lambda request: request.failure != "net::ERR_ABORTED"
            and failed.append(f"failed {request.url} {request.failure}"))
    page.on("pageerror", lambda error: failed.append(f"script error {error}"))
    for name in PAGES:
        open_page(page, running, "/" if name == "app" else f"/{name}")
    assert failed == []


def test_rows_arriving_together_are_listed_newest_first(page: Any, running: Running) -> None:
    open_page(page, running, "/invocations")
    for name in ("a", "b", "c"):   # b and c end within one batch interval of a's message
        running.http(f"/hello/{name}")
    rows = page.locator("#timeline tbody tr")
    from playwright.sync_api import expect

    expect(rows).to_have_count(3, timeout=LIVE_MS)
    assert rows.locator(".trigger").all_inner_texts() == [
        "GET /hello/c", "GET /hello/b", "GET /hello/a"]


def test_a_filter_chosen_in_the_page_applies_to_the_rows_that_arrive_after(
        page: Any, running: Running) -> None:
    from playwright.sync_api import expect

    open_page(page, running, "/invocations?function=OnUpload")
    page.locator("select[name=function]").select_option("Hello")   # the stream follows it
    expect(page.locator("#timeline tbody tr")).to_have_count(0)
    s3_client(running).put_object(Bucket="uploads", Key="skipped.txt", Body=b"x")
    wait_for(lambda: running.app.invocations.all(function="OnUpload"))
    running.http("/hello/shown")
    rows = page.locator("#timeline tbody tr")
    expect(rows.first).to_have_attribute("data-function", "Hello", timeout=LIVE_MS)
    page.wait_for_timeout(300)   # a second batch, were the upload's row still to come
    assert rows.locator(".trigger").all_inner_texts() == ["GET /hello/shown"]


def test_a_reload_appears_live_on_the_reloads_page(page: Any, running: Running) -> None:
    open_page(page, running, "/reloads")
    code = running.app.template.parent / "src" / "app.py"
    code.write_text(code.read_text().replace("greeting", "welcoming"))
    line = running.app.reload(frozenset({code}))
    assert line is not None
    page.locator("#reloads li pre", has_text=line.splitlines()[0]).wait_for(timeout=LIVE_MS)


def test_a_dead_letter_is_redriven_from_the_queues_page(page: Any, running: Running,
                                                         shots: Path) -> None:
    queues = {q["logical_id"]: q["name"] for q in running.get("/api/queues")}
    running.send("POST", f"/api/queues/{queues['JobsDLQ']}/send", {"body": '{"job": 7}'})
    open_page(page, running, "/queues")
    dlq = page.locator(f"section.queue[data-queue='{queues['JobsDLQ']}']")
    dlq.locator(".messages td pre", has_text='{"job": 7}').wait_for()
    page.screenshot(path=str(shots / "dashboard-queues.png"), full_page=True)
    dlq.locator("button.redrive").click()
    page.locator(".notice", has_text=f"Moved 1 message(s) to {queues['Jobs']}").wait_for()
    from playwright.sync_api import expect

    expect.set_options(timeout=LIVE_MS)

    jobs = page.locator(f"section.queue[data-queue='{queues['Jobs']}']")
    expect(jobs.locator("p").first).to_have_text(re.compile(r"^1 visible"))
    expect(dlq.locator("p").first).to_have_text(re.compile(r"^0 visible"))


def test_an_upload_from_the_bucket_page_runs_its_function(page: Any, running: Running,
                                                          shots: Path, tmp_path: Path) -> None:
    document = tmp_path / "invoice.txt"
    document.write_text("total: 42\n")
    open_page(page, running, "/buckets")
    page.locator("input[type=file]").set_input_files(str(document))
    page.locator("#upload").click()
    page.locator("#objects tr[data-key='invoice.txt']").wait_for()
    page.screenshot(path=str(shots / "dashboard-buckets.png"), full_page=True)
    open_page(page, running, "/invocations?function=OnUpload")
    row = page.locator("#timeline tbody tr[data-function=OnUpload]")
    row.wait_for()
    assert row.locator(".trigger").inner_text() == "s3 ObjectCreated:Put uploads/invoice.txt"


def test_the_functions_and_schedules_pages_follow_new_invocations(
        page: Any, running: Running) -> None:
    from playwright.sync_api import expect

    open_page(page, running, "/functions")
    running.http("/hello/counted")
    invocations = page.locator("tr[data-function=Hello] td").nth(7)
    expect(invocations).to_have_text("1", timeout=LIVE_MS)
    [schedule] = running.get("/api/schedules")
    open_page(page, running, "/schedules")
    fired = running.send("POST", f"/api/schedules/{schedule['name']}/fire")
    expect(page.locator(f"tr[data-schedule='{schedule['name']}'] a")).to_have_attribute(
        "href", f"/invocations/{fired['request_id']}", timeout=LIVE_MS)


def test_the_app_graph_lights_up_a_function_as_it_runs(page: Any, running: Running,
                                                       shots: Path) -> None:
    open_page(page, running, "/")
    node = page.locator("svg.graph [data-node=Hello]")
    node.wait_for()
    running.http("/hello/graph")
    page.locator("svg.graph [data-node=Hello].lit").wait_for()
    page.screenshot(path=str(shots / "dashboard-app.png"))
    # ...and goes dark once it has stopped running.
    page.locator("svg.graph [data-node=Hello].lit").wait_for(state="detached", timeout=LIVE_MS)
    for name in ("functions", "schedules", "invoke"):
        open_page(page, running, f"/{name}")
        page.screenshot(path=str(shots / f"dashboard-{name}.png"), full_page=True)
    assert page.locator("select[name=template] option", has_text="s3 put").count() == 1


SAMPLE_APPS = Path(__file__).resolve().parents[2] / "sample-apps"


@pytest.mark.parametrize("sample", ["orders-service", "document-pipeline", "fan-out"])
def test_a_sample_apps_graph_draws_every_function_and_queue(
        browser: Any, sample: str, tmp_path: Path, shots: Path) -> None:
    from samlite.app.root import App, AppOptions
    from samlite.dashboard.server import Dashboard

    shutil.copytree(SAMPLE_APPS / sample, tmp_path / sample)
    app = App(tmp_path / sample / "template.yaml", AppOptions(
        aws_port=0, http_port=0, runtime="process", state_dir=tmp_path / "state"))
    dashboard = Dashboard(app, port=0)
    dashboard.bind()
    app.start()
    dashboard.start()
    context = browser.new_context(viewport={"width": 1280, "height": 640})
    try:
        page = context.new_page()
        page.set_default_timeout(LIVE_MS)
        page.goto(dashboard.url)
        page.wait_for_selector("body[data-ready=true]")
        drawn = set(page.locator("svg.graph [data-node]").evaluate_all(
            "nodes => nodes.map(n => n.dataset.node)"))
        expected = {f.logical_id for f in app.graph.functions} | \
            {q.logical_id for q in app.graph.queues}
        assert expected <= drawn
        page.screenshot(path=str(shots / f"sample-{sample}.png"))
    finally:
        context.close()
        dashboard.stop()
        app.stop()


def burst(running: Running, count: int, name: str = "n") -> None:
    """`count` HTTP invocations of Hello, four at a time (a busy gateway's batches)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: running.http(f"/hello/{name}{n}"), range(count)))


def test_every_row_shown_after_busy_batches_shows_its_own_invocation(
        page: Any, running: Running) -> None:
    from playwright.sync_api import expect

    open_page(page, running, "/invocations")
    burst(running, 80, "first")
    burst(running, 80, "second")   # replaces every row in view, in batches
    kept = {record["request_id"]: record for record in running.get("/api/invocations")}
    newest = running.get("/api/invocations?limit=1")[0]["request_id"]
    rows = page.locator("#timeline tbody tr")
    expect(rows.first).to_have_attribute("data-request-id", newest, timeout=LIVE_MS)
    shown = page.evaluate("""() => [...document.querySelectorAll('#timeline tbody tr')]
      .map((tr) => ({
        id: tr.dataset.requestId, cells: [...tr.cells].map((td) => td.textContent),
        href: tr.querySelector('a').getAttribute('href'), title: tr.cells[2].title}))""")
    assert len(shown) > 20
    for row in shown:
        record = kept[row["id"]]
        assert row["cells"][1:4] == [record["function"], record["trigger"], record["status"]]
        assert row["cells"][8] == record["request_id"] and row["title"] == record["trigger"]
        assert row["href"] == f"/invocations/{record['request_id']}"
    assert [row["id"] for row in shown] == list(kept)[:len(shown)]   # newest first, no gap


def test_after_a_burst_of_600_the_newest_is_first_and_the_500th_is_at_the_end(
        page: Any, running: Running) -> None:
    from playwright.sync_api import expect

    open_page(page, running, "/invocations")
    burst(running, 600)
    kept = running.get("/api/invocations")   # the 500 newest, newest first
    rows = page.locator("#timeline tbody tr")
    expect(rows.first).to_have_attribute("data-request-id", kept[0]["request_id"],
                                         timeout=LIVE_MS)
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    expect(rows.last).to_have_attribute("data-request-id", kept[-1]["request_id"],
                                        timeout=LIVE_MS)
    assert rows.last.locator(".trigger").inner_text() == kept[-1]["trigger"]


def test_a_row_scrolled_to_in_a_long_list_opens_its_details(page: Any, running: Running) -> None:
    burst(running, 600)
    open_page(page, running, "/invocations")
    wanted = running.get("/api/invocations")[300]
    row = page.locator(f"#timeline tbody tr[data-request-id='{wanted['request_id']}']")
    assert row.count() == 0 or not row.is_visible()   # far below the first screen
    while not row.count():   # scrolled to by the user, a screen at a time
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(50)
    row.locator("a").click()
    page.wait_for_url(f"**/invocations/{wanted['request_id']}")
    page.wait_for_selector("body[data-ready=true]")
    name = wanted["trigger"].rsplit("/", 1)[1]
    assert f"greeting {name}" in page.locator("pre.logs").inner_text()
    assert wanted["request_id"] in page.locator("dl.summary").inner_text()


def test_rows_read_further_down_stay_in_place_as_new_ones_arrive(
        page: Any, running: Running) -> None:
    burst(running, 200)
    open_page(page, running, "/invocations")
    page.evaluate("() => window.scrollTo(0, 2000)")
    page.wait_for_timeout(200)
    top_row = "() => document.elementFromPoint(400, 300).closest('tr').dataset.requestId"
    reading = page.evaluate(top_row)
    burst(running, 30)
    from playwright.sync_api import expect

    newest = running.get("/api/invocations?limit=1")[0]["request_id"]
    expect(page.locator(f"#timeline tr[data-request-id='{newest}']")).to_have_count(0)
    page.wait_for_timeout(500)   # the batches drawn
    assert page.evaluate(top_row) == reading
    page.evaluate("() => window.scrollTo(0, 0)")
    expect(page.locator("#timeline tbody tr").first).to_have_attribute(
        "data-request-id", newest, timeout=LIVE_MS)
