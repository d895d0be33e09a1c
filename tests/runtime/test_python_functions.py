"""Python functions through the whole service: samlite's runtime loop in a real process, and
the image's runtime client in a container."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from samlite.runtime import api_errors
from samlite.runtime.spec import FunctionSpec

from .conftest import PYTHON_RUNTIME, ServiceMaker


def python_function(tmp_path: Path, source: str, **fields: object) -> FunctionSpec:
    code = tmp_path / "src"
    code.mkdir(exist_ok=True)
    (code / "app.py").write_text(source, encoding="utf-8")
    return FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime=PYTHON_RUNTIME, code_dir=code, **fields)  # type: ignore[arg-type]


def test_a_missing_module_is_an_import_module_error(make_service: ServiceMaker,
                                                    tmp_path: Path) -> None:
    spec = replace(python_function(tmp_path, "def handler(e, c): return 1\n"),
                   handler="nothere.handler")
    service, _ = make_service(spec)
    result = service.invoke("Fn", b"{}")
    body = json.loads(result.payload)
    assert result.function_error == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"] == "Unable to import module 'nothere': No module named 'nothere'"


def test_layers_are_importable_and_a_later_layer_wins(make_service: ServiceMaker,
                                                      tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for layer, word in ((first, "first"), (second, "second")):
        (layer / "python").mkdir(parents=True)
        (layer / "python" / "shared.py").write_text(f"WORD = {word!r}\n", encoding="utf-8")
    (first / "python" / "only_first.py").write_text("OK = True\n", encoding="utf-8")
    spec = python_function(
        tmp_path, "import shared, only_first\n"
                  "def handler(e, c): return [shared.WORD, only_first.OK]\n",
        layer_dirs=(first, second))
    service, _ = make_service(spec)
    assert json.loads(service.invoke("Fn", b"{}").payload) == ["second", True]


def test_the_context_has_lambdas_fields(make_service: ServiceMaker, tmp_path: Path) -> None:
    spec = python_function(
        tmp_path, "def handler(e, c):\n"
                  "    return [c.function_name, c.memory_limit_in_mb, c.invoked_function_arn,\n"
                  "            c.aws_request_id, 0 < c.get_remaining_time_in_millis() <= 3000]\n",
        timeout_s=3.0)
    service, _ = make_service(spec)
    result = service.invoke("Fn", b"{}")
    name, memory, arn, request_id, remaining_ok = json.loads(result.payload)
    assert (name, memory, remaining_ok) == ("Fn", "128", True)
    assert arn == "arn:aws:lambda:us-east-1:123456789012:function:Fn"
    assert request_id == result.request_id


def test_client_context_reaches_the_handler(make_service: ServiceMaker, tmp_path: Path) -> None:
    import base64

    spec = python_function(tmp_path, "def handler(e, c): return c.client_context.custom\n")
    service, _ = make_service(spec)
    context = base64.b64encode(json.dumps({"custom": {"tenant": "t1"}}).encode()).decode()
    result = service.invoke("Fn", b"{}", client_context=context)
    assert json.loads(result.payload) == {"tenant": "t1"}


def test_the_log_stream_and_x_ray_variables_are_lambdas(make_service: ServiceMaker,
                                                        tmp_path: Path) -> None:
    # "Defined runtime environment variables" (Lambda developer guide) and a function's own
    # environment on Lambda: 2024/01/28/[$LATEST]e3c5df2a83b9470b8737aa2613c47db6,
    # AWS_XRAY_CONTEXT_MISSING=LOG_ERROR, AWS_XRAY_DAEMON_ADDRESS=169.254.79.129:2000.
    spec = python_function(
        tmp_path, "import os\n"
                  "def handler(e, c):\n"
                  "    return [c.log_stream_name, os.environ['AWS_LAMBDA_LOG_STREAM_NAME'],\n"
                  "            os.environ['AWS_XRAY_CONTEXT_MISSING'],\n"
                  "            os.environ['AWS_XRAY_DAEMON_ADDRESS']]\n")
    service, _ = make_service(spec)
    stream, variable, context_missing, daemon = json.loads(service.invoke("Fn", b"{}").payload)
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", stream)
    assert variable == stream
    assert (context_missing, daemon) == ("LOG_ERROR", "169.254.79.129:2000")


def test_a_functions_own_x_ray_variables_win(make_service: ServiceMaker, tmp_path: Path) -> None:
    spec = python_function(
        tmp_path, "import os\n"
                  "def handler(e, c): return os.environ['AWS_XRAY_CONTEXT_MISSING']\n",
        variables={"AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR"})
    service, _ = make_service(spec)
    assert json.loads(service.invoke("Fn", b"{}").payload) == "IGNORE_ERROR"


TENANT_APP = ("import os\n"
              "calls = 0\n"
              "def handler(e, c):\n"
              "    global calls\n"
              "    calls += 1\n"
              "    return [c.tenant_id, calls]\n")


def test_a_tenant_isolated_function_gets_the_tenant_in_its_context_and_own_environments(
        make_service: ServiceMaker, tmp_path: Path) -> None:
    # "Lambda tenant isolation": context.tenant_id is the invoke's TenantId, and each tenant's
    # invocations run in execution environments of that tenant's own.
    service, _ = make_service(python_function(tmp_path, TENANT_APP, is_tenant_isolated=True))
    answers = [json.loads(service.invoke("Fn", b"{}", tenant_id=tenant).payload)
               for tenant in ("blue", "blue", "green", "blue")]
    assert answers == [["blue", 1], ["blue", 2], ["green", 1], ["blue", 3]]
    assert service.environment_count("Fn") == 2


@pytest.mark.parametrize(("case", "isolated", "tenant_id"), [
    ("isolated function without a tenant", True, None),
    ("plain function with a tenant", False, "blue"),
])
def test_a_tenant_id_that_does_not_fit_the_function_is_refused(
        make_service: ServiceMaker, tmp_path: Path, case: str, isolated: bool,
        tenant_id: str | None) -> None:
    # "Troubleshooting tenant isolation": InvalidParameterValueException either way.
    service, _ = make_service(python_function(tmp_path, TENANT_APP,
                                              is_tenant_isolated=isolated))
    with pytest.raises(api_errors.InvalidParameterValue):
        service.invoke("Fn", b"{}", tenant_id=tenant_id)
    with pytest.raises(api_errors.InvalidParameterValue):
        service.invoke_async("Fn", b"{}", tenant_id=tenant_id)
    assert service.environment_count("Fn") == 0


@pytest.mark.parametrize("say", [
    "print(f'said {event}')",
    "os.write(1, f'said {event}\\n'.encode())",   # past sys.stdout: the loop never sees it
    "os.write(2, f'said {event}\\n'.encode())",
    "subprocess.run(['echo', f'said {event}'], check=True)",   # a child's, on the same pipe
], ids=["print", "fd 1", "fd 2", "a child process"])
def test_each_warm_invocations_output_comes_between_its_start_and_end(
        make_service: ServiceMaker, tmp_path: Path, say: str) -> None:
    # Printing and silent invocations in turn on one warm environment: whatever a handler
    # prints is logged (and tailed) before its END and REPORT, never in another's.
    spec = python_function(tmp_path, "import os, subprocess\n"
                                     "def handler(event, context):\n"
                                     "    if event:\n"
                                     f"        {say}\n"
                                     "    return event\n")
    service, lines = make_service(spec)
    results = [service.invoke("Fn", json.dumps(n % 2 and n).encode(), tail_logs=True)
               for n in range(8)]

    logged = [line for _, line in lines if not line.startswith(("INIT", "EXTENSION"))]
    for n, result in enumerate(results):
        said = [f"said {n}"] if n % 2 else []
        start = logged.index(f"START RequestId: {result.request_id} Version: $LATEST")
        assert logged[start + 1:start + 2 + len(said)] == \
            [*said, f"END RequestId: {result.request_id}"]
        assert said == [line for line in result.logs.splitlines() if line.startswith("said")]
    assert service.environment_count("Fn") == 1


def test_report_gives_the_most_memory_the_runtime_has_held(make_service: ServiceMaker,
                                                           tmp_path: Path) -> None:
    # REPORT's Max Memory Used is a peak: 60 MB held once still shows after it is freed.
    spec = python_function(
        tmp_path, "def handler(e, c):\n"
                  "    held = b'x' * (60 << 20) if e.get('big') else b''\n"
                  "    return len(held)\n", memory_mb=512)
    service, _ = make_service(spec)
    small = service.invoke("Fn", b"{}").report.max_memory_used_mb
    big = service.invoke("Fn", b'{"big": true}').report.max_memory_used_mb
    after = service.invoke("Fn", b"{}").report.max_memory_used_mb
    assert big >= small + 55
    assert after >= big
