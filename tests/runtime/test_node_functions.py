"""Node.js functions through the whole service, as local processes running node_loop.cjs:
how handlers are found (CommonJS, ES modules, nested paths), async and callback handlers,
Lambda's Runtime.* errors, the console's line format, and the AWS SDK v3 Lambda includes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.runtime.environments.process import ProcessEnvironment
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import FunctionSpec

RUNTIME = "nodejs20.x"
TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


@pytest.fixture
def services() -> Iterator[list[LambdaService]]:
    made: list[LambdaService] = []
    yield made
    for service in made:
        service.stop(grace_s=1)


def start(services: list[LambdaService], code: Path, files: dict[str, str],
          handler: str = "app.handler", **fields: object) -> tuple[LambdaService, list[str]]:
    for name, text in files.items():
        (code / name).parent.mkdir(parents=True, exist_ok=True)
        (code / name).write_text(text, encoding="utf-8")
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler=handler, runtime=RUNTIME,
                        code_dir=code, **fields)  # type: ignore[arg-type]
    lines: list[str] = []
    service = LambdaService([spec], environments=ProcessEnvironment,
                            log=lambda _fn, line: lines.append(line),
                            tmp_root=code.parent / "envs")
    service.start()
    services.append(service)
    return service, lines


def invoke(service: LambdaService, event: object = None, **options: object) -> tuple[object,
                                                                                     str | None]:
    result = service.invoke("Fn", json.dumps(event or {}).encode(), **options)  # type: ignore[arg-type]
    return json.loads(result.payload), result.function_error


# --- finding the handler -------------------------------------------------------------------

@pytest.mark.parametrize(("case", "files", "handler"), [
    ("commonjs .js", {"app.js": "exports.handler = async (e) => ['cjs', e.n];"},
     "app.handler"),
    ("commonjs .cjs", {"app.cjs": "module.exports.handler = async (e) => ['cjs', e.n];"},
     "app.handler"),
    ("es module .mjs", {"app.mjs": "export const handler = async (e) => ['esm', e.n];"},
     "app.handler"),
    ("type module .js", {"package.json": '{"type": "module"}',
                         "app.js": "export const handler = async (e) => ['esm', e.n];"},
     "app.handler"),
    ("nested folder and property", {
        "src/handlers/app.js": "exports.api = { get: async (e) => ['nested', e.n] };"},
     "src/handlers/app.api.get"),
], ids=lambda value: value if isinstance(value, str) and " " in value else "")
def test_handlers_are_found_as_lambda_finds_them(services: list[LambdaService], tmp_path: Path,
                                                 case: str, files: dict[str, str],
                                                 handler: str) -> None:
    service, _ = start(services, tmp_path / "code", files, handler)
    body, error = invoke(service, {"n": 1})
    assert error is None
    assert body[1] == 1


@pytest.mark.parametrize(("case", "files", "handler", "error_type", "message"), [
    ("missing module", {"app.js": ""}, "nothere.handler", "Runtime.ImportModuleError",
     "Error: Cannot find module 'nothere'"),
    ("missing export", {"app.js": "exports.other = 1;"}, "app.handler",
     "Runtime.HandlerNotFound", "app.handler is undefined or not exported"),
    ("not a function", {"app.js": "exports.handler = 1;"}, "app.handler",
     "Runtime.HandlerNotFound", "app.handler is not a function"),
    ("syntax error", {"app.js": "exports.handler = async () => {"}, "app.handler",
     "Runtime.UserCodeSyntaxError", "SyntaxError: Unexpected end of input"),
    ("no dot", {"app.js": ""}, "app", "Runtime.MalformedHandlerName", "Bad handler"),
    ("parent folder", {"app.js": ""}, "../app.handler", "Runtime.MalformedHandlerName",
     "'../app.handler' is not a valid handler name. Use absolute paths when specifying root "
     "directories in handler names."),
], ids=lambda value: value if isinstance(value, str) and " " in value else "")
def test_init_failures_are_lambdas_runtime_errors(services: list[LambdaService],
                                                  tmp_path: Path, case: str,
                                                  files: dict[str, str], handler: str,
                                                  error_type: str, message: str) -> None:
    service, lines = start(services, tmp_path / "code", files, handler)
    body, error = invoke(service)
    assert error == "Unhandled"
    assert body["errorType"] == error_type
    assert body["errorMessage"].startswith(message)
    assert any("\tERROR\tUncaught Exception \t{" in line for line in lines)


def test_a_missing_package_of_an_es_module_fails_as_on_lambda(services: list[LambdaService],
                                                              tmp_path: Path) -> None:
    # AWS's client (UserFunction.js, _loadUserApp) makes only CommonJS's MODULE_NOT_FOUND a
    # Runtime.ImportModuleError; import's ERR_MODULE_NOT_FOUND reaches Lambda as it is.
    files = {"app.mjs": "import x from 'not-a-pkg';\nexport const handler = async () => x;"}
    service, _ = start(services, tmp_path / "code", files)
    body, error = invoke(service)
    assert error == "Unhandled"
    assert body["errorType"] == "Error"
    assert body["errorMessage"].startswith("Cannot find package 'not-a-pkg' imported from ")
    assert body["trace"][0].startswith("Error [ERR_MODULE_NOT_FOUND]: Cannot find package")
    assert not [line for line in body["trace"] if "data:" in line or "samlite" in line]


# --- async and callback handlers -----------------------------------------------------------

@pytest.mark.parametrize(("case", "source", "expected"), [
    ("async return", "exports.handler = async (e) => e.n + 1;", 2),
    ("promise return", "exports.handler = (e) => Promise.resolve(e.n + 1);", 2),
    ("callback", "exports.handler = (e, c, callback) => callback(null, e.n + 1);", 2),
    ("context.succeed", "exports.handler = (e, c) => { c.succeed(e.n + 1); };", 2),
    ("sync without a result", "exports.handler = (e, c, callback) => {};", None),
], ids=lambda value: value if isinstance(value, str) and " " in value else "")
def test_async_and_callback_handlers_answer(services: list[LambdaService], tmp_path: Path,
                                            case: str, source: str, expected: object) -> None:
    service, _ = start(services, tmp_path / "code", {"app.js": source})
    assert invoke(service, {"n": 1}) == (expected, None)


CALLBACK_WITH_TIMER = """
exports.handler = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = event.wait;
  setTimeout(() => console.log('timer ran'), 300);
  callback(null, 'answered');
};
"""


@pytest.mark.parametrize("wait", [True, False])
def test_a_callback_waits_for_the_event_loop_unless_told_not_to(
        services: list[LambdaService], tmp_path: Path, wait: bool) -> None:
    service, lines = start(services, tmp_path / "code", {"app.js": CALLBACK_WITH_TIMER})
    assert invoke(service, {"wait": wait}) == ("answered", None)
    ran_before_end = any(line.endswith("timer ran") for line in
                         lines[:next(i for i, x in enumerate(lines) if x.startswith("END"))])
    assert ran_before_end is wait


def test_a_callback_error_is_posted_with_a_trace(services: list[LambdaService],
                                                 tmp_path: Path) -> None:
    source = "exports.handler = (e, c, cb) => cb(new RangeError('too far'));"
    service, lines = start(services, tmp_path / "code", {"app.js": source})
    body, error = invoke(service)
    assert error == "Unhandled"
    assert body["errorType"] == "RangeError"
    assert body["errorMessage"] == "too far"
    assert body["trace"][0] == "RangeError: too far"
    assert any(re.search(r"\tERROR\tInvoke Error \t\{\"errorType\":\"RangeError\"", line)
               for line in lines)


def test_a_result_json_cannot_hold_fails_the_invoke(services: list[LambdaService],
                                                    tmp_path: Path) -> None:
    source = "exports.handler = async () => { const loop = {}; loop.self = loop; return loop; };"
    service, _ = start(services, tmp_path / "code", {"app.js": source})
    body, error = invoke(service)
    assert error == "Unhandled"
    assert (body["errorType"], body["errorMessage"]) == ("Error",
                                                         "Unable to stringify response body")


def test_an_async_handler_that_never_settles_is_a_node_js_exit(
        services: list[LambdaService], tmp_path: Path) -> None:
    source = "exports.handler = async () => new Promise(() => {});"
    service, _ = start(services, tmp_path / "code", {"app.js": source})
    body, _ = invoke(service)
    assert body["errorType"] == "Runtime.NodeJsExit"


def test_an_unhandled_rejection_fails_the_invoke_and_the_next_gets_a_fresh_environment(
        services: list[LambdaService], tmp_path: Path) -> None:
    source = ("exports.handler = async (e) => {\n"
              "  if (e.reject) { Promise.reject(new Error('lost')); "
              "await new Promise((r) => setTimeout(r, 1000)); }\n"
              "  return 'fine';\n};")
    service, _ = start(services, tmp_path / "code", {"app.js": source})
    body, _ = invoke(service, {"reject": True})
    assert body["errorType"] == "Runtime.UnhandledPromiseRejection"
    assert body["errorMessage"] == "Error: lost"
    assert invoke(service) == ("fine", None)


def test_a_rejection_left_floating_is_logged_in_the_invocation_whose_answer_stands(
        services: list[LambdaService], tmp_path: Path) -> None:
    # Lambda's client has posted "done" before Node reports the rejection (the same tick);
    # the log line is the invocation's, then the environment ends.
    source = ("let invokes = 0;\n"
              "exports.handler = async (e) => {\n"
              "  invokes += 1;\n"
              "  if (e.reject) { Promise.reject(new Error('lost')); }\n"
              "  return invokes;\n};")
    service, lines = start(services, tmp_path / "code", {"app.js": source})
    assert invoke(service, {"reject": True}) == (1, None)
    end = next(i for i, line in enumerate(lines) if line.startswith("END"))
    assert [line for line in lines[:end] if "\tERROR\tUnhandled Promise Rejection \t"
            '{"errorType":"Runtime.UnhandledPromiseRejection","errorMessage":"Error: lost"'
            in line]
    assert invoke(service) == (1, None)   # a fresh environment


# --- the context and the console -----------------------------------------------------------

def test_client_context_and_identity_reach_the_handler(services: list[LambdaService],
                                                       tmp_path: Path) -> None:
    import base64

    source = ("exports.handler = async (e, c) => [c.clientContext.custom, c.functionVersion,"
              " c.logGroupName];")
    service, _ = start(services, tmp_path / "code", {"app.js": source})
    context = base64.b64encode(json.dumps({"custom": {"tenant": "t1"}}).encode()).decode()
    body, _ = invoke(service, client_context=context)
    assert body == [{"tenant": "t1"}, "$LATEST", "/aws/lambda/Fn"]


def test_console_lines_have_lambdas_text_format(services: list[LambdaService],
                                                tmp_path: Path) -> None:
    source = "exports.handler = async () => { console.warn('careful', 42); return 1; };"
    service, lines = start(services, tmp_path / "code", {"app.js": source})
    request_id = service.invoke("Fn", b"{}").request_id
    assert any(re.fullmatch(rf"{TIMESTAMP}\t{request_id}\tWARN\tcareful 42", line)
               for line in lines)


def test_json_log_format_and_log_level(services: list[LambdaService], tmp_path: Path) -> None:
    source = ("exports.handler = async () => { console.debug('hidden'); "
              "console.info({ order: 7 }); return 1; };")
    service, lines = start(services, tmp_path / "code", {"app.js": source},
                           variables={"AWS_LAMBDA_LOG_FORMAT": "JSON",
                                      "AWS_LAMBDA_LOG_LEVEL": "INFO"})
    request_id = service.invoke("Fn", b"{}").request_id
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert [(r["level"], r["message"], r["requestId"]) for r in records] == \
        [("INFO", {"order": 7}, request_id)]


# --- the AWS SDK ---------------------------------------------------------------------------

@pytest.mark.parametrize(("case", "files"), [
    ("require", {"app.js": "const { S3Client } = require('@aws-sdk/client-s3');\n"
                           "exports.handler = async () => typeof S3Client;"}),
    ("import", {"app.mjs": "import { S3Client } from '@aws-sdk/client-s3';\n"
                           "export const handler = async () => typeof S3Client;"}),
], ids=lambda value: value if isinstance(value, str) else "")
def test_the_aws_sdk_v3_is_there_as_on_lambda(services: list[LambdaService], tmp_path: Path,
                                              case: str, files: dict[str, str]) -> None:
    service, _ = start(services, tmp_path / "code", files)
    assert invoke(service) == ("function", None)


def test_a_layers_node_version_folder_comes_first(services: list[LambdaService],
                                                  tmp_path: Path) -> None:
    layer = tmp_path / "layer"
    for folder, word in ((layer / "nodejs" / "node_modules" / "word", "any"),
                         (layer / "nodejs" / "node20" / "node_modules" / "word", "node20")):
        folder.mkdir(parents=True)
        (folder / "index.js").write_text(f"module.exports = '{word}';", encoding="utf-8")
    source = "exports.handler = async () => require('word');"
    service, _ = start(services, tmp_path / "code", {"app.js": source}, layer_dirs=(layer,))
    assert invoke(service) == ("node20", None)


# --- which node ----------------------------------------------------------------------------

@pytest.mark.parametrize(("case", "installed", "runtime", "chosen"), [
    ("its own major", ("18.20.1", "20.11.0", "22.3.0"), "nodejs20.x", "20.11.0"),
    ("the newest of that major", ("20.1.0", "20.11.0"), "nodejs20.x", "20.11.0"),
    ("the closest, newer on a tie", ("18.20.1", "22.3.0"), "nodejs20.x", "22.3.0"),
    ("the closest", ("18.20.1", "24.0.0"), "nodejs22.x", "24.0.0"),
], ids=lambda value: value if isinstance(value, str) and " " in value else "")
def test_the_node_a_runtime_runs_on(monkeypatch: pytest.MonkeyPatch, case: str,
                                    installed: tuple[str, ...], runtime: str,
                                    chosen: str) -> None:
    from samlite.runtime.environments import node

    nodes = tuple(node.NodeBinary(path=f"/n/{v}/bin/node", version=v) for v in installed)
    monkeypatch.setattr(node, "installed_nodes", lambda: nodes)
    assert node.node_for(runtime).version == chosen   # type: ignore[union-attr]


def test_another_major_is_named_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    from samlite.runtime.environments import node

    found = (node.NodeBinary(path="/usr/bin/node", version="20.11.0"),)
    monkeypatch.setattr(node, "installed_nodes", lambda: found)
    assert node.node_mismatch("nodejs20.x") is None
    assert node.node_mismatch("nodejs22.x") == (
        "this machine has no Node.js 22, so they run on Node.js 20.11.0 (/usr/bin/node); "
        "install Node.js 22 (nvm, fnm or your package manager) to match Lambda, or use "
        "--runtime docker to run Lambda's image")
    assert "so it runs on Node.js 20.11.0" in (node.node_mismatch("nodejs22.x", one=True) or "")


# --- BuildMethod esbuild -------------------------------------------------------------------

def test_a_typescript_function_is_bundled_with_esbuild(services: list[LambdaService],
                                                       tmp_path: Path) -> None:
    from samlite.graph.model import EsbuildBuild

    files = {"app.ts": "import { greet } from './greet';\n"
                       "export const handler = async (e: { name: string }) => greet(e.name);\n",
             "greet.ts": "export const greet = (name: string): string => `hello ${name}`;\n"}
    service, _ = start(services, tmp_path / "code", files, esbuild=EsbuildBuild(minify=False))
    assert invoke(service, {"name": "Ada"}) == ("hello Ada", None)


def test_an_esbuild_error_is_named_at_start(services: list[LambdaService],
                                            tmp_path: Path) -> None:
    from samlite.errors import EnvironmentStartError
    from samlite.graph.model import EsbuildBuild

    files = {"app.ts": "import { nothing } from './missing';\nexport const handler = nothing;\n"}
    service, _ = start(services, tmp_path / "code", files, esbuild=EsbuildBuild())
    with pytest.raises(EnvironmentStartError, match=r"Fn: esbuild could not bundle it "
                       r"\(Metadata BuildMethod esbuild\):\n.*Could not resolve \"./missing\""):
        invoke(service)
