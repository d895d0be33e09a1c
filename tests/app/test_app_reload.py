"""Hot reload end to end: a real app (LambdaService, Python handlers in child processes)
watching its template and code; saves are waited for with bounded waits, never sleeps."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.app.root import App, AppOptions
from samlite.graph.model import Graph

HANDLER = '''
import time
VERSION = "{version}"

def handler(event, context):
    if "sleep" in event:
        print("sleeping", flush=True)
        time.sleep(event["sleep"])
    return {{"version": VERSION, "function": context.function_name}}
'''

FUNCTION = """
  {name}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {folder}/
      Handler: app.handler
"""


def template_text(*functions: tuple[str, str]) -> str:
    resources = "".join(FUNCTION.format(name=name, folder=folder) for name, folder in functions)
    return f"""AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 5
Resources:{resources}"""


def save(path: Path, text: str) -> None:
    """An editor's atomic save: write a temporary file, then rename it over the old one."""
    temporary = path.with_name(f".{path.name}.tmp~")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.template = root / "template.yaml"
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: queue.Queue[tuple[str, str]] = queue.Queue()

    def code(self, folder: str, version: str) -> None:
        (self.root / folder).mkdir(exist_ok=True)
        save(self.root / folder / "app.py", HANDLER.format(version=version))

    def next_line(self) -> str:
        return self.lines.get(timeout=10)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = Project(tmp_path)
    project.code("hello", "v1")
    project.code("other", "v1")
    project.template.write_text(template_text(("HelloFunction", "hello"),
                                              ("OtherFunction", "other")), encoding="utf-8")
    return project


@pytest.fixture
def app(project: Project) -> Iterator[App]:
    app = App(project.template, AppOptions(idle_timeout_s=600),
              log=lambda function, line: project.output.put((function, line)))
    with app:
        app.watch(project.lines.put)
        yield app


def invoke(app: App, name: str, event: object | None = None) -> dict[str, str]:
    result = app.invoke(name, json.dumps(event or {}).encode())
    assert not result.is_error, result.payload
    return json.loads(result.payload)


def test_a_saved_handler_serves_the_next_request_and_others_stay_warm(
        app: App, project: Project) -> None:
    assert invoke(app, "HelloFunction")["version"] == "v1"
    invoke(app, "OtherFunction")
    project.code("hello", "v2")
    assert project.next_line() == "HelloFunction: hello/app.py changed"
    assert invoke(app, "HelloFunction")["version"] == "v2"
    warm = app.invoke("OtherFunction", b"{}")
    assert warm.report is not None and warm.report.init_duration_ms is None


def test_an_invoke_in_flight_finishes_on_the_old_code(app: App, project: Project) -> None:
    results: list[dict[str, str]] = []
    slow = threading.Thread(target=lambda: results.append(
        invoke(app, "HelloFunction", {"sleep": 0.5})))
    slow.start()
    while project.output.get(timeout=10) != ("HelloFunction", "sleeping"):
        pass
    project.code("hello", "v2")
    project.next_line()
    slow.join(10)
    assert results == [{"version": "v1", "function": "HelloFunction"}]
    assert invoke(app, "HelloFunction")["version"] == "v2"


def test_a_template_edit_applies_new_and_removed_functions(app: App, project: Project) -> None:
    graphs: list[Graph] = []
    app.on_graph_change(graphs.append)
    invoke(app, "OtherFunction")
    project.code("new", "v1")
    save(project.template, template_text(("HelloFunction", "hello"), ("NewFunction", "new")))
    assert project.next_line() == "template.yaml changed: +NewFunction, -OtherFunction"
    assert invoke(app, "NewFunction") == {"version": "v1", "function": "NewFunction"}
    assert [fn.logical_id for fn in graphs[0].functions] == ["HelloFunction", "NewFunction"]
    # The new function's folder is watched now.
    project.code("new", "v2")
    assert project.next_line() == "NewFunction: new/app.py changed"
    assert invoke(app, "NewFunction")["version"] == "v2"


def test_a_broken_template_keeps_the_last_good_app_serving(app: App, project: Project) -> None:
    good = project.template.read_text(encoding="utf-8")
    save(project.template, good + "  Broken: [unclosed\n")
    line = project.next_line()
    assert line.startswith("template.yaml changed: it has errors; the last good version "
                           "keeps serving\n")
    assert f"{project.template}:" in line       # the problems, as `samlite validate` shows
    assert invoke(app, "HelloFunction")["version"] == "v1"
    save(project.template, good.replace("Timeout: 5", "Timeout: 6"))
    assert project.next_line() == ("template.yaml changed: ~HelloFunction, ~OtherFunction")


def test_files_no_function_uses_change_nothing(app: App, project: Project) -> None:
    assert app.reload(frozenset({project.root / "README.md"})) is None
