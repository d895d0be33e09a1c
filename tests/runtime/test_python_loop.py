"""The Python runtime loop as a real process against a fake Runtime API: what a handler sees,
what Lambda's runtime posts and logs, and the end-of-output marker."""

from __future__ import annotations

import base64
import json
import os
import queue
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from samlite.runtime.spec import FunctionSpec, lambda_variables

LOOP = Path(__file__).resolve().parents[2] / "samlite" / "runtime" / "python_loop.py"
API = "/2018-06-01/runtime"
WAIT_S = 20.0
NBSP = "\u00a0"


@dataclass(frozen=True, slots=True, kw_only=True)
class Post:
    path: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def document(self) -> dict:
        return json.loads(self.body)


@dataclass(slots=True, kw_only=True)
class FakeRuntimeApi:
    """Hands out scripted invocations on /next, records what the runtime posts. After the
    script it closes every connection, so the runtime finds the server gone and exits."""

    script: queue.Queue = field(default_factory=queue.Queue)
    posts: list[Post] = field(default_factory=list)
    client_ports: list[int] = field(default_factory=list)
    first_next_at: float | None = None
    asked: threading.Event = field(default_factory=threading.Event)
    finished: bool = False
    close_after_each: bool = False
    server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                api.client_ports.append(self.client_address[1])
                if api.first_next_at is None:
                    api.first_next_at = time.perf_counter()
                api.asked.set()
                item = None if api.finished else api.script.get(timeout=WAIT_S)
                if item is None:
                    api.finished = True
                    self.close_connection = True
                    return
                request_id, body, headers = item
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self._close_if_asked()
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                api.client_ports.append(self.client_address[1])
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                api.posts.append(Post(path=self.path, headers=dict(self.headers), body=body))
                self.send_response(202)
                self.send_header("Content-Length", "2")
                self._close_if_asked()
                self.end_headers()
                self.wfile.write(b"{}")

            def _close_if_asked(self) -> None:
                if api.close_after_each:
                    self.send_header("Connection", "close")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()
        return f"127.0.0.1:{self.server.server_address[1]}"

    def invoke(self, event: object = None, *, body: bytes | None = None,
               **headers: str) -> str:
        request_id = f"req-{self.script.qsize() + len(self.posts) + 1}-{time.monotonic_ns()}"
        raw = json.dumps(event if event is not None else {}).encode() if body is None else body
        sent = {name.replace("_", "-"): value for name, value in headers.items()}
        sent.setdefault("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 3000))
        sent.setdefault("Lambda-Runtime-Invoked-Function-Arn",
                        "arn:aws:lambda:us-east-1:123456789012:function:Fn")
        self.script.put((request_id, raw, sent))
        return request_id

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@dataclass(frozen=True, slots=True, kw_only=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    posts: list[Post]
    api: FakeRuntimeApi

    def post_for(self, request_id: str) -> Post:
        return next(p for p in self.posts if f"/invocation/{request_id}/" in p.path)

    def response(self, request_id: str) -> object:
        post = self.post_for(request_id)
        assert post.path.endswith("/response"), post
        return json.loads(post.body)


def write_files(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def environment(task: Path, runtime_api: str, handler: str, *, layers: tuple[Path, ...] = (),
                extra: Mapping[str, str] | None = None) -> dict[str, str]:
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler=handler,
                        runtime=f"python{sys.version_info.major}.{sys.version_info.minor}",
                        code_dir=task, memory_mb=256)
    env = lambda_variables(spec, runtime_api=runtime_api, task_root=str(task),
                           runtime_dir=str(LOOP.parent), log_stream="samlite/test")
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    path = [str(task)]
    for layer in layers:
        path += [str(layer / "python" / "lib" / version / "site-packages"), str(layer / "python")]
    env["PYTHONPATH"] = os.pathsep.join(path)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


def run_loop(tmp_path: Path, files: Mapping[str, str], invocations, *,
             handler: str = "app.handler", layers: tuple[Path, ...] = (),
             extra_env: Mapping[str, str] | None = None, close_after_each: bool = False,
             ) -> tuple[Run, list[str]]:
    """Run the loop until it has served `invocations(api)` (which queues them and returns
    their ids) and found the server gone."""
    task = tmp_path / "task"
    task.mkdir(exist_ok=True)
    write_files(task, files)
    api = FakeRuntimeApi(close_after_each=close_after_each)
    address = api.start()
    try:
        ids = list(invocations(api))
        api.script.put(None)
        process = subprocess.run(
            [sys.executable, "-u", str(LOOP)], cwd=task, capture_output=True, timeout=WAIT_S,
            env=environment(task, address, handler, layers=layers, extra=extra_env))
    finally:
        api.stop()
    run = Run(returncode=process.returncode, stdout=process.stdout.decode(),
              stderr=process.stderr.decode(), posts=list(api.posts), api=api)
    return run, ids


COUNTER = {"app.py": """
    import builtins
    builtins.imports = getattr(builtins, "imports", 0) + 1
    calls = 0

    def handler(event, context):
        global calls
        calls += 1
        return {"calls": calls, "imports": builtins.imports, "event": event}
"""}


def test_warm_invokes_reuse_the_module_imported_at_init(tmp_path: Path) -> None:
    run, (first, second) = run_loop(
        tmp_path, COUNTER, lambda api: [api.invoke({"n": 1}), api.invoke({"n": 2})])

    assert run.response(first) == {"calls": 1, "imports": 1, "event": {"n": 1}}
    assert run.response(second) == {"calls": 2, "imports": 1, "event": {"n": 2}}
    assert run.post_for(first).headers["Content-Type"] == "application/json"
    assert (run.returncode, run.stderr) == (0, "")   # server gone: a quiet exit


def test_one_keep_alive_connection_serves_every_request(tmp_path: Path) -> None:
    run, _ = run_loop(tmp_path, COUNTER, lambda api: [api.invoke(), api.invoke()])

    ports = run.api.client_ports       # next, post, next, post, next (closed), next again
    assert len(ports) == 6
    assert len(set(ports[:5])) == 1
    assert ports[5] != ports[0]        # the retry on a fresh connection, which closes too


def test_a_connection_the_server_closes_is_reopened(tmp_path: Path) -> None:
    run, (_, second) = run_loop(tmp_path, COUNTER, lambda api: [api.invoke(), api.invoke()],
                                close_after_each=True)

    assert run.response(second)["calls"] == 2
    assert len(set(run.api.client_ports[:4])) == 4


CONTEXT = {"app.py": """
    import os, time

    def handler(event, context):
        cc = context.client_context
        return {
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "aws_request_id": context.aws_request_id,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "identity": [context.identity.cognito_identity_id,
                         context.identity.cognito_identity_pool_id],
            "client_context": None if cc is None else {
                "custom": cc.custom, "env": cc.env,
                "client": None if cc.client is None else [
                    cc.client.installation_id, cc.client.app_title,
                    cc.client.app_version_name, cc.client.app_version_code,
                    cc.client.app_package_name]},
            "tenant_id": context.tenant_id,
            "remaining_ms": context.get_remaining_time_in_millis(),
            "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        }
"""}


def test_the_context_has_every_field_lambda_gives_it(tmp_path: Path) -> None:
    client_context = {"client": {"installation_id": "inst", "app_title": "App",
                                 "app_version_name": "1.0", "app_version_code": "7",
                                 "app_package_name": "com.example"},
                      "custom": {"k": "v"}, "env": {"locale": "en"}}
    arn = "arn:aws:lambda:us-east-1:123456789012:function:Fn:live"
    run, (full, bare) = run_loop(tmp_path, CONTEXT, lambda api: [
        api.invoke(Lambda_Runtime_Invoked_Function_Arn=arn,
                   Lambda_Runtime_Deadline_Ms=str(int(time.time() * 1000) + 60_000),
                   Lambda_Runtime_Trace_Id="Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
                   Lambda_Runtime_Client_Context=json.dumps(client_context),
                   Lambda_Runtime_Cognito_Identity=json.dumps(
                       {"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}),
                   Lambda_Runtime_Aws_Tenant_Id="tenant-a"),
        api.invoke(Lambda_Runtime_Deadline_Ms=str(int(time.time() * 1000) - 5)),
    ])

    seen = run.response(full)
    remaining = seen.pop("remaining_ms")
    # From the 60 s deadline header, not the fake's 3 s default: the 50 s between them leave
    # a loaded machine all the time it needs to start the loop's process.
    assert 10_000 < remaining <= 60_000
    assert seen == {
        "function_name": "Fn", "function_version": "$LATEST", "invoked_function_arn": arn,
        "memory_limit_in_mb": "256",            # a string, as awslambdaric reads it
        "aws_request_id": full, "log_group_name": "/aws/lambda/Fn",
        "log_stream_name": "samlite/test", "identity": ["id-1", "pool-1"],
        "client_context": {"custom": {"k": "v"}, "env": {"locale": "en"},
                           "client": ["inst", "App", "1.0", "7", "com.example"]},
        "tenant_id": "tenant-a",
        "trace": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
    }
    later = run.response(bare)
    assert (later["remaining_ms"], later["client_context"], later["identity"],
            later["tenant_id"], later["trace"]) == (0, None, [None, None], None, None)


def test_a_client_context_that_is_not_json_fails_the_invoke(tmp_path: Path) -> None:
    encoded = base64.b64encode(b'{"custom": {}}').decode()
    run, (rid,) = run_loop(tmp_path, CONTEXT, lambda api: [
        api.invoke(Lambda_Runtime_Client_Context=encoded)])

    document = run.post_for(rid).document
    assert document["errorType"] == "Runtime.LambdaContextUnmarshalError"
    assert document["errorMessage"].startswith("Unable to parse Client Context JSON: ")


def test_a_handler_exception_gives_lambdas_error_document_and_log(tmp_path: Path) -> None:
    files = {"app.py": """
        def handler(event, context):
            return helper()

        def helper():
            raise ValueError("boom")
    """}
    run, (rid,) = run_loop(tmp_path, files, lambda api: [api.invoke()])

    app = tmp_path / "task" / "app.py"
    post = run.post_for(rid)
    assert post.path == f"{API}/invocation/{rid}/error"
    assert post.headers["Lambda-Runtime-Function-Error-Type"] == "ValueError"
    assert post.document == {
        "errorMessage": "boom", "errorType": "ValueError", "requestId": rid,
        "stackTrace": [f'  File "{app}", line 3, in handler\n    return helper()\n',
                       f'  File "{app}", line 6, in helper\n    raise ValueError("boom")\n'],
    }
    assert (f"[ERROR] ValueError: boom\nTraceback (most recent call last):\n"
            f'{NBSP * 2}File "{app}", line 3, in handler\n{NBSP * 4}return helper()\n'
            f'{NBSP * 2}File "{app}", line 6, in helper\n{NBSP * 4}raise ValueError("boom")\n'
            f"\x1esamlite:end {rid}\n") in run.stdout


def syntax_error_message(task: Path) -> str:
    try:
        compile((task / "app.py").read_text(), str(task / "app.py"), "exec")
    except SyntaxError as exc:
        return str(exc)
    raise AssertionError("app.py compiles")


INIT_ERRORS = [
    pytest.param({}, "app", "Runtime.MalformedHandlerName",
                 "Bad handler 'app': not enough values to unpack (expected 2, got 1)",
                 id="handler without a dot"),
    pytest.param({}, "missing.handler", "Runtime.ImportModuleError",
                 "Unable to import module 'missing': No module named 'missing'",
                 id="module missing"),
    pytest.param({"app.py": "import requests_not_installed\n"}, "app.handler",
                 "Runtime.ImportModuleError",
                 "Unable to import module 'app': No module named 'requests_not_installed'",
                 id="dependency missing"),
    pytest.param({"app.py": "x = 1\n"}, "app.handler", "Runtime.HandlerNotFound",
                 "Handler 'handler' missing on module 'app'", id="function missing"),
    pytest.param({"src/app.py": "x = 1\n"}, "src/app.run", "Runtime.HandlerNotFound",
                 "Handler 'run' missing on module 'src/app'", id="function missing, path"),
    pytest.param({}, "sys.handler", "Runtime.BuiltInModuleConflict",
                 "Cannot use built-in module sys as a handler module", id="built-in module"),
    pytest.param({"app.py": "raise RuntimeError('no config')\n"}, "app.handler",
                 "RuntimeError", "no config", id="module raises"),
]


@pytest.mark.parametrize(("files", "handler", "error_type", "message"), INIT_ERRORS)
def test_init_failures_are_posted_and_logged_as_lambda_words_them(
        tmp_path: Path, files: dict[str, str], handler: str, error_type: str,
        message: str) -> None:
    run, _ = run_loop(tmp_path, files, lambda api: [api.invoke()], handler=handler)

    (post,) = run.posts
    assert post.path == f"{API}/init/error"
    assert post.headers["Lambda-Runtime-Function-Error-Type"] == error_type
    assert post.document["errorType"] == error_type
    assert post.document["errorMessage"] == message
    assert post.document["requestId"] == ""
    assert run.returncode == 1
    assert run.api.first_next_at is None              # never asked for an invocation
    assert f"[ERROR] {error_type}: {message}\nTraceback (most recent call last):" in run.stdout
    assert re.search(r"^\[WARNING\]\t\S+Z\t\tLAMBDA_WARNING: Unhandled exception\.",
                     run.stdout, re.MULTILINE)


def test_an_import_failure_has_an_empty_stack_trace(tmp_path: Path) -> None:
    run, _ = run_loop(tmp_path, {}, lambda api: [], handler="missing.handler")

    assert run.posts[0].document["stackTrace"] == []
    assert run.stdout.endswith("Unable to import module 'missing': No module named 'missing'\n"
                               "Traceback (most recent call last):\n")


def test_a_module_raising_at_import_reports_its_own_frames(tmp_path: Path) -> None:
    run, _ = run_loop(tmp_path, {"app.py": "x = 1\nraise RuntimeError('no config')\n"},
                      lambda api: [])

    last = run.posts[0].document["stackTrace"][-1]
    assert last == (f'  File "{tmp_path / "task" / "app.py"}", line 2, in <module>\n'
                    "    raise RuntimeError('no config')\n")
    assert "python_loop.py" not in "".join(run.posts[0].document["stackTrace"])


def test_a_syntax_error_is_user_code_syntax_error(tmp_path: Path) -> None:
    run, _ = run_loop(tmp_path, {"app.py": "def handler(:\n    pass\n"}, lambda api: [])

    app = tmp_path / "task" / "app.py"
    document = run.posts[0].document
    assert document["errorType"] == "Runtime.UserCodeSyntaxError"
    assert document["errorMessage"] == (
        f"Syntax error in module 'app': {syntax_error_message(tmp_path / 'task')}")
    assert document["stackTrace"] == [f'  File "{app}" Line 1\n    def handler(:\n']


def test_a_response_that_is_not_json_is_a_marshal_error(tmp_path: Path) -> None:
    files = {"app.py": "def handler(event, context):\n    return {1, 2}\n"}
    run, (rid,) = run_loop(tmp_path, files, lambda api: [api.invoke()])

    assert run.post_for(rid).document == {
        "errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
        "errorType": "Runtime.MarshalError", "requestId": rid, "stackTrace": []}
    assert ("[ERROR] Runtime.MarshalError: Unable to marshal response: Object of type set is "
            "not JSON serializable\nTraceback (most recent call last):\n") in run.stdout


def test_an_event_that_is_not_json_is_an_unmarshal_error(tmp_path: Path) -> None:
    run, (rid,) = run_loop(tmp_path, COUNTER, lambda api: [api.invoke(body=b"not json")])

    assert run.post_for(rid).document["errorMessage"] == (
        "Unable to unmarshal input: Expecting value: line 1 column 1 (char 0)")


def test_responses_are_encoded_as_awslambdaric_encodes_them(tmp_path: Path) -> None:
    files = {"app.py": """
        from decimal import Decimal

        def handler(event, context):
            if event == "bytes":
                return b"\\x00raw"
            return {"price": Decimal("1.10"), "nan": Decimal("NaN"), "text": "h\\u00e9",
                    "nested": [b"utf8 bytes"], "none": None}
    """}
    run, (mixed, raw) = run_loop(tmp_path, files, lambda api: [api.invoke({}),
                                                                 api.invoke("bytes")],
                                 extra_env={"AWS_EXECUTION_ENV": "AWS_Lambda_python3.11"})

    assert run.post_for(mixed).body == (
        b'{"price": 1.10, "nan": NaN, "text": "h\\u00e9", "nested": ["utf8 bytes"], '
        b'"none": null}')
    assert run.post_for(raw).body == b"\x00raw"
    assert run.post_for(raw).headers["Content-Type"] == "application/unknown"


def test_python_312_and_later_keep_non_ascii_text(tmp_path: Path) -> None:
    files = {"app.py": "def handler(event, context):\n    return 'h\\u00e9'\n"}
    run, (rid,) = run_loop(tmp_path, files, lambda api: [api.invoke()],
                           extra_env={"AWS_EXECUTION_ENV": "AWS_Lambda_python3.13"})

    assert run.post_for(rid).body == '"hé"'.encode()


LOGGING = {"app.py": """
    import logging, os
    logger = logging.getLogger()
    logger.warning("at init")

    def handler(event, context):
        if "AWS_LAMBDA_LOG_LEVEL" not in os.environ:
            logger.setLevel(logging.INFO)
        logger.info("hello %s", "there")
        print("printed")
        context.log("via context\\n")
        logging.getLogger("lib").debug("hidden unless DEBUG")
        return {}
"""}


def test_logs_use_lambdas_text_format_and_request_id(tmp_path: Path) -> None:
    run, (rid,) = run_loop(tmp_path, LOGGING, lambda api: [api.invoke()])

    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    lines = run.stdout.split("\n")   # not splitlines(): it splits at the marker's \x1e too
    assert re.fullmatch(rf"\[WARNING\]\t{stamp}\t\tat init", lines[0])
    assert re.fullmatch(rf"\[INFO\]\t{stamp}\t{rid}\thello there", lines[1])
    assert lines[2:] == ["printed", "via context", f"\x1esamlite:end {rid}", ""]


def test_json_log_format_and_log_level(tmp_path: Path) -> None:
    run, (rid,) = run_loop(tmp_path, LOGGING, lambda api: [api.invoke()], extra_env={
        "AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "DEBUG"})

    records = [json.loads(line) for line in run.stdout.split("\n") if line.startswith("{")]
    assert [(r["level"], r["message"], r["logger"], r.get("requestId")) for r in records] == [
        ("WARNING", "at init", "root", ""),
        ("INFO", "hello there", "root", rid),
        ("DEBUG", "hidden unless DEBUG", "lib", rid)]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", records[0]["timestamp"])


def test_json_format_logs_errors_as_one_json_line(tmp_path: Path) -> None:
    files = {"app.py": "def handler(event, context):\n    raise KeyError('k')\n"}
    run, (rid,) = run_loop(tmp_path, files, lambda api: [api.invoke()],
                           extra_env={"AWS_LAMBDA_LOG_FORMAT": "JSON"})

    error = json.loads(run.stdout.split("\n")[0])
    assert (error["log_level"], error["errorType"], error["errorMessage"], error["requestId"]) \
        == ("ERROR", "KeyError", "'k'", rid)


def test_each_invocation_ends_its_output_with_a_marker_line(tmp_path: Path) -> None:
    files = {"app.py": """
        def handler(event, context):
            print("partial", end="")
            return event
    """}
    run, (first, second) = run_loop(tmp_path, files, lambda api: [api.invoke(1), api.invoke(2)])

    assert run.stdout == (f"partial\n\x1esamlite:end {first}\n"
                          f"partial\n\x1esamlite:end {second}\n")


def test_a_handler_path_with_slashes_and_layers_on_the_path(tmp_path: Path) -> None:
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    layer = tmp_path / "layer"
    write_files(layer, {f"python/lib/{version}/site-packages/from_site.py": "NAME = 'site'\n",
                        "python/from_python.py": "NAME = 'python'\n"})
    files = {"src/handlers/app.py": """
        import from_python, from_site

        def handler(event, context):
            return [from_site.NAME, from_python.NAME, __name__]
    """}
    run, (rid,) = run_loop(tmp_path, files, lambda api: [api.invoke()],
                           handler="src/handlers/app.handler", layers=(layer,))

    assert run.response(rid) == ["site", "python", "src.handlers.app"]


def test_the_functions_modules_never_meet_the_loops_neighbours(tmp_path: Path) -> None:
    files = {"service.py": "def handler(event, context):\n    return 'mine'\n"}
    run, (rid,) = run_loop(tmp_path, files, lambda api: [api.invoke()],
                           handler="service.handler")

    assert run.response(rid) == "mine"


@pytest.mark.parametrize("call", ["sys.exit(3)", "os._exit(3)"])
def test_a_handler_that_exits_ends_the_process(tmp_path: Path, call: str) -> None:
    files = {"app.py": f"import os, sys\ndef handler(event, context):\n    {call}\n"}
    run, _ = run_loop(tmp_path, files, lambda api: [api.invoke()])

    assert (run.returncode, run.posts, run.stderr) == (3, [], "")


def test_ctrl_c_while_waiting_for_an_invocation_exits_quietly(tmp_path: Path) -> None:
    write_files(tmp_path, COUNTER)
    api = FakeRuntimeApi()
    address = api.start()
    process = subprocess.Popen([sys.executable, "-u", str(LOOP)], cwd=tmp_path,
                               env=environment(tmp_path, address, "app.handler"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert api.asked.wait(WAIT_S)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=WAIT_S)
    finally:
        process.kill()
        api.script.put(None)
        api.stop()
    assert (process.returncode, out, err) == (130, b"", b"")


def test_a_deep_stack_trace_still_reaches_the_server(tmp_path: Path) -> None:
    files = {"app.py": """
        def handler(event, context):
            return other(event, context)

        def other(event, context):   # alternating frames, which tracebacks do not fold
            return handler(event, context)
    """}
    run, (rid,) = run_loop(tmp_path, files, lambda api: [api.invoke()])

    document = run.post_for(rid).document
    assert document["errorType"] == "RecursionError"
    assert len(document["stackTrace"]) > 100


def test_an_invocation_that_prints_nothing_writes_nothing(tmp_path: Path) -> None:
    # The service forwards what the pipe holds when the answer comes; a marker here would
    # only wake samlite's output pump for nothing.
    files = {"app.py": "def handler(event, context):\n    return event\n"}
    run, (first, second) = run_loop(tmp_path, files, lambda api: [api.invoke(1), api.invoke(2)])

    assert run.stdout == ""
    assert [json.loads(run.post_for(rid).body) for rid in (first, second)] == [1, 2]
