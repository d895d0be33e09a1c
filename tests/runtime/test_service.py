"""The Lambda service with real execution environments (processes and containers, see
conftest.py): results, Lambda's errors and limits, concurrency, lifecycle and log lines, as a
caller and a log reader see them."""

from __future__ import annotations

import json
import re
import sys
import threading
from pathlib import Path

import pytest

from samlite.clock import ManualClock
from samlite.runtime import api_errors
from samlite.runtime.service import LambdaService

from .conftest import ServiceMaker, function_spec


def invoke(service: LambdaService, event: dict[str, object], **options: object) -> dict:
    result = service.invoke("Fn", json.dumps(event).encode(), **options)  # type: ignore[arg-type]
    return {"body": json.loads(result.payload), "error": result.function_error,
            "report": result.report, "logs": result.logs}


def test_warm_invokes_reuse_one_environment(make_service: ServiceMaker) -> None:
    service, _ = make_service()
    first = invoke(service, {"n": 1})
    second = invoke(service, {"n": 2})
    assert first["body"] == {"n": 1} and second["body"] == {"n": 2}
    assert first["report"].init_duration_ms is not None
    assert second["report"].init_duration_ms is None
    assert service.environment_count("Fn") == 1


def test_log_lines_are_lambdas(make_service: ServiceMaker) -> None:
    service, lines = make_service()
    invoke(service, {"print": "hello from the handler"})
    text = [line for _, line in lines]
    request_id = re.match(r"START RequestId: (\S+) Version: \$LATEST", text[1])[1]  # type: ignore[index]
    assert text[0] == "init "
    assert text[2] == "hello from the handler"
    assert text[3] == f"END RequestId: {request_id}"
    assert re.fullmatch(
        rf"REPORT RequestId: {request_id}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
        r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t", text[4])


def test_tail_logs_hold_the_invocations_lines(make_service: ServiceMaker) -> None:
    service, _ = make_service()
    logs = invoke(service, {"print": "tail me"}, tail_logs=True)["logs"]
    assert logs.startswith("START RequestId: ")
    assert "tail me\nEND RequestId: " in logs
    assert "\nREPORT RequestId: " in logs


def test_timeout_kills_the_environment_and_says_so_as_lambda(
        make_service: ServiceMaker, custom_runtime: Path) -> None:
    service, lines = make_service(function_spec(custom_runtime, timeout_s=1))
    result = invoke(service, {"sleep": 30})
    assert result["error"] == "Unhandled"
    assert result["body"]["errorType"] == "Sandbox.Timedout"
    assert result["body"]["errorMessage"].endswith("Error: Task timed out after 1.00 seconds")
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ "
                            r"Task timed out after 1\.00 seconds", line) for _, line in lines)
    assert "Status: timeout" in lines[-1][1]
    after = invoke(service, {"n": 1})
    assert after["body"] == {"n": 1}
    assert after["report"].init_duration_ms is not None   # a fresh environment


def test_a_crashed_environment_fails_its_invoke_and_is_replaced(
        make_service: ServiceMaker) -> None:
    service, _ = make_service()
    crashed = invoke(service, {"exit": 7})
    assert crashed["body"]["errorType"] == "Runtime.ExitError"
    assert crashed["body"]["errorMessage"].endswith(
        "Error: Runtime exited with error: exit status 7")
    assert invoke(service, {"n": 1})["body"] == {"n": 1}


def test_memory_past_memory_size_is_killed_as_out_of_memory(
        make_service: ServiceMaker, custom_runtime: Path) -> None:
    # At 128 MB a container gets 7.2 % of a CPU: filling 300 MB takes ~2 s of the default
    # 3 s on an idle machine, so the timeout is longer here, or a busy one times out first.
    service, lines = make_service(function_spec(custom_runtime, memory_mb=128, timeout_s=15))
    result = invoke(service, {"alloc_mb": 300})
    assert result["body"]["errorType"] == "Runtime.OutOfMemory"
    assert result["body"]["errorMessage"].endswith(
        "Error: Runtime exited with error: signal: killed")
    assert "Max Memory Used: 128 MB" in lines[-1][1]
    assert invoke(service, {"n": 1})["body"] == {"n": 1}


def test_memory_under_memory_size_is_reported(make_service: ServiceMaker,
                                              custom_runtime: Path) -> None:
    service, _ = make_service(function_spec(custom_runtime, memory_mb=512))
    report = invoke(service, {"alloc_mb": 100})["report"]
    assert 100 <= report.max_memory_used_mb < 512


def test_a_file_larger_than_ephemeral_storage_cannot_be_written(
        make_service: ServiceMaker, custom_runtime: Path) -> None:
    # /tmp is not memory; writing 600 MB takes seconds on a loaded machine, and the limit
    # under test is storage, not time: a long timeout.
    service, _ = make_service(function_spec(custom_runtime, ephemeral_storage_mb=512,
                                            memory_mb=1769, timeout_s=120))
    assert invoke(service, {"tmp_file_mb": 600})["body"]["tmp"] == "File too large"
    assert invoke(service, {"tmp_file_mb": 10})["body"]["tmp"] == "written"


def test_tmp_over_ephemeral_storage_in_total_recycles_the_environment(
        make_service: ServiceMaker, custom_runtime: Path) -> None:
    service, lines = make_service(function_spec(custom_runtime, ephemeral_storage_mb=512,
                                                memory_mb=1769))
    invoke(service, {"tmp_files_mb": 520})
    assert any("more than EphemeralStorage 512 MB" in line for _, line in lines)
    assert invoke(service, {"n": 1})["report"].init_duration_ms is not None


def test_tmp_over_ephemeral_storage_ends_the_invoke_that_fills_it(
        make_service: ServiceMaker, custom_runtime: Path) -> None:
    # Checked while the environment runs, not only after the invoke: the writes are done,
    # the handler is still sleeping when the environment is ended.
    service, lines = make_service(function_spec(custom_runtime, ephemeral_storage_mb=512,
                                                memory_mb=1769, timeout_s=30))
    result = invoke(service, {"tmp_files_mb": 520, "then_sleep": 20})
    assert result["error"] == "Unhandled"
    assert result["body"]["errorType"] == "Runtime.ExitError"
    assert any("more than EphemeralStorage 512 MB" in line for _, line in lines)


def test_each_environment_starts_with_its_own_empty_tmp(make_service: ServiceMaker) -> None:
    service, _ = make_service()
    assert invoke(service, {"tmp_touch": "mine", "tmp_list": True})["body"]["tmp_list"] == \
        ["mine"]
    assert invoke(service, {"tmp_list": True})["body"]["tmp_list"] == ["mine"]   # warm
    service.recycle(["Fn"])
    assert invoke(service, {"tmp_list": True})["body"]["tmp_list"] == []


def test_lambda_environment_variables(make_service: ServiceMaker, custom_runtime: Path) -> None:
    service, _ = make_service(function_spec(custom_runtime, memory_mb=256,
                                            variables={"TABLE": "orders"}))
    names = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION",
             "AWS_LAMBDA_FUNCTION_VERSION", "_HANDLER", "TABLE", "AWS_ACCESS_KEY_ID", "HOME"]
    env = invoke(service, {"env": names})["body"]["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "Fn"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_REGION"] == "us-east-1"
    assert env["_HANDLER"] == "unused"
    assert env["TABLE"] == "orders"
    assert env["AWS_ACCESS_KEY_ID"]


def test_reserved_concurrency_caps_environments_and_throttles_the_rest(
        make_service: ServiceMaker, custom_runtime: Path) -> None:
    service, _ = make_service(function_spec(custom_runtime, reserved_concurrency=5))
    outcomes: list[str] = []
    lock = threading.Lock()

    def call() -> None:
        try:
            result = invoke(service, {"sleep": 0.5})
            outcome = "ok" if result["error"] is None else "error"
        except api_errors.TooManyRequests as exc:
            outcome = exc.fields["Reason"]
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=call) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(outcomes) == 50
    assert 1 <= outcomes.count("ok") <= 45
    assert set(outcomes) == {"ok", "ReservedFunctionConcurrentInvocationLimitExceeded"}
    assert service.environment_count("Fn") == 5


def test_peak_concurrency_counts_the_most_invocations_at_once(
        make_service: ServiceMaker, custom_runtime: Path) -> None:
    service, _ = make_service(function_spec(custom_runtime))

    def at_once(count: int) -> None:
        threads = [threading.Thread(target=invoke, args=(service, {"sleep": 0.5}))
                   for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    at_once(2)
    assert service.usage("Fn").peak_concurrency == 2
    invoke(service, {})   # a warm one again, one at a time: the peak stays
    assert service.usage("Fn").peak_concurrency == 2
    at_once(3)
    assert service.usage("Fn").peak_concurrency == 3


def test_reserved_concurrency_zero_throttles_everything(make_service: ServiceMaker,
                                                         custom_runtime: Path) -> None:
    service, _ = make_service(function_spec(custom_runtime, reserved_concurrency=0))
    with pytest.raises(api_errors.TooManyRequests):
        invoke(service, {"n": 1})


def test_provisioned_concurrency_is_warm_before_the_first_invoke(
        make_service: ServiceMaker, custom_runtime: Path) -> None:
    service, _ = make_service(function_spec(custom_runtime, provisioned_concurrency=2))
    assert service.environment_count("Fn") == 2
    assert invoke(service, {"n": 1})["report"].init_duration_ms is None


def test_idle_environments_are_reaped(make_service: ServiceMaker, clock: ManualClock) -> None:
    service, _ = make_service(clock=clock, idle_timeout_s=60)
    invoke(service, {"n": 1})
    clock.advance(seconds=59)
    assert service.reap_idle() == 0
    clock.advance(seconds=1)
    assert service.reap_idle() == 1
    assert invoke(service, {"n": 2})["report"].init_duration_ms is not None


def test_a_debugged_functions_environment_is_never_reaped(
        make_service: ServiceMaker, custom_runtime: Path, clock: ManualClock) -> None:
    service, _ = make_service(function_spec(custom_runtime, debug_port=5678), clock=clock,
                              idle_timeout_s=60)
    invoke(service, {"n": 1})
    clock.advance(seconds=3600)
    assert service.reap_idle() == 0
    assert invoke(service, {"n": 2})["report"].init_duration_ms is None   # still warm


def test_requests_over_six_megabytes_are_refused(make_service: ServiceMaker) -> None:
    service, _ = make_service()
    with pytest.raises(api_errors.RequestTooLarge):
        service.invoke("Fn", b'"' + b"x" * (6 * 1024 * 1024) + b'"')


def test_responses_over_six_megabytes_fail_as_lambda_says(make_service: ServiceMaker) -> None:
    service, _ = make_service()
    result = invoke(service, {"big": 6 * 1024 * 1024 + 1})
    assert result["body"]["errorType"] == "Function.ResponseSizeTooLarge"
    assert result["error"] == "Unhandled"


def test_function_errors_come_back_as_the_runtime_posted_them(
        make_service: ServiceMaker) -> None:
    service, _ = make_service()
    result = invoke(service, {"fail": True, "errorMessage": "boom"})
    assert result["error"] == "Unhandled"
    assert result["body"]["errorMessage"] == "boom"


def test_unknown_functions_are_not_found(make_service: ServiceMaker) -> None:
    service, _ = make_service()
    with pytest.raises(api_errors.ResourceNotFound, match="Function not found: arn:aws:"):
        service.invoke("Nope", b"{}")


@pytest.mark.parametrize("name", ["Fn", "Fn:$LATEST",
                                  "arn:aws:lambda:us-east-1:123456789012:function:Fn",
                                  "123456789012:function:Fn"])
def test_functions_are_found_by_name_or_arn(make_service: ServiceMaker, name: str) -> None:
    service, _ = make_service()
    assert service.function_for(name).logical_id == "Fn"


def test_async_invokes_run(make_service: ServiceMaker) -> None:
    service, lines = make_service()
    done = threading.Event()
    request_id = service.invoke_async("Fn", b'{"print": "async ran"}')
    for _ in range(200):
        if any(line == "async ran" for _, line in lines):
            done.set()
            break
        threading.Event().wait(0.02)
    assert done.is_set()
    assert request_id


def test_stop_leaves_no_process(make_service: ServiceMaker) -> None:
    service, _ = make_service()
    pid_line = invoke(service, {"env": ["TMPDIR"]})
    assert pid_line
    service.stop(grace_s=1)
    assert service.environment_count("Fn") == 0


def test_recycle_replaces_idle_environments_and_keeps_others_warm(
        make_service: ServiceMaker, custom_runtime: Path) -> None:
    other = function_spec(custom_runtime, logical_id="Other", function_name="Other")
    service, _ = make_service(function_spec(custom_runtime), other)
    invoke(service, {"n": 1})
    service.invoke("Other", b"{}")
    assert service.recycle(["Fn"]) == 1
    assert invoke(service, {"n": 2})["report"].init_duration_ms is not None
    assert service.invoke("Other", b"{}").report.init_duration_ms is None   # still warm


def test_recycle_lets_a_busy_invoke_finish_on_the_old_environment(
        make_service: ServiceMaker) -> None:
    service, _ = make_service()
    results: list[dict] = []
    worker = threading.Thread(target=lambda: results.append(invoke(service, {"sleep": 0.5})))
    worker.start()
    for _ in range(100):   # bounded wait until the invoke is running
        if service.environment_count("Fn") == 1:
            break
        threading.Event().wait(0.02)
    service.recycle(["Fn"])
    worker.join(10)
    assert results[0]["body"] == {"sleep": 0.5}
    assert invoke(service, {"n": 1})["report"].init_duration_ms is not None


def test_update_functions_adds_removes_and_recycles(make_service: ServiceMaker,
                                                    custom_runtime: Path) -> None:
    service, _ = make_service()
    invoke(service, {"n": 1})
    added = function_spec(custom_runtime, logical_id="New", function_name="New")
    changed = function_spec(custom_runtime, memory_mb=256)
    assert service.update_functions([changed, added]) == ("Fn", "New")
    assert invoke(service, {"n": 1})["report"].memory_size_mb == 256
    assert json.loads(service.invoke("New", b'{"n": 2}').payload) == {"n": 2}
    assert service.update_functions([added]) == ("Fn",)
    with pytest.raises(api_errors.ResourceNotFound):
        service.invoke("Fn", b"{}")


def test_an_environment_started_ahead_serves_the_first_invoke_and_reports_its_init(
        make_service: ServiceMaker) -> None:
    service, _ = make_service()
    service.prewarm(["Fn"])      # returns at once; the invoke may come mid-init
    first = invoke(service, {"n": 1})
    assert first["body"] == {"n": 1}
    assert first["report"].init_duration_ms is not None   # still this environment's cold start
    assert service.environment_count("Fn") == 1


def test_prewarm_leaves_a_function_with_a_live_environment_alone(
        make_service: ServiceMaker) -> None:
    service, _ = make_service()
    invoke(service, {"n": 1})
    service.prewarm(["Fn"])
    assert service.environment_count("Fn") == 1
    assert invoke(service, {"n": 2})["report"].init_duration_ms is None


HANGS_UP_WHILE_WAITING = '''#!{python}
import os, socket, time
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")

def ask(sock):
    sock.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")

first = socket.create_connection((host, int(port)))
ask(first)
time.sleep(0.3)
first.close()   # a runtime client's own timeout: it hangs up, and asks again a little later
time.sleep(0.5)
second = socket.create_connection((host, int(port)))
ask(second)
reader = second.makefile("rb")
head = {{}}
reader.readline()
while (line := reader.readline()) not in (b"\\r\\n", b""):
    name, _, value = line.decode().partition(":")
    head[name.strip().lower()] = value.strip()
event = reader.read(int(head["content-length"]))
request_id = head["lambda-runtime-aws-request-id"]
second.sendall(f"POST /2018-06-01/runtime/invocation/{{request_id}}/response HTTP/1.1\\r\\n"
               f"Host: x\\r\\nContent-Length: {{len(event)}}\\r\\n\\r\\n".encode() + event)
reader.readline()
time.sleep(5)
'''


# Processes only: the invoke is timed from the environment's start, which is the runtime's
# first /next within milliseconds for a process; a container's start (its Python at 7.2 % of
# a CPU) moves that /next by hundreds of milliseconds, and the invoke then meets the first
# /next before it is hung up. The hand-off under test is the same code for both.
@pytest.mark.parametrize("runtime", ["process"])
@pytest.mark.parametrize("invoke_after_s", [0.55, 2.0],
                         ids=["between its hang-up and its new /next", "after its new /next"])
def test_a_runtime_that_hangs_up_its_waiting_next_gets_the_event_on_its_new_one(
        make_service: ServiceMaker, runtime: str, tmp_path: Path, invoke_after_s: float) -> None:
    # An event is never written to a /next connection its runtime has closed: it waits for
    # the runtime's next /next (Lambda's runtime clients may time out and ask again).
    code = tmp_path / "hangs-up"
    code.mkdir()
    bootstrap = code / "bootstrap"
    bootstrap.write_text(HANGS_UP_WHILE_WAITING.format(python=sys.executable),
                         encoding="utf-8")
    bootstrap.chmod(0o755)
    service, _ = make_service(function_spec(code))
    service.prewarm(["Fn"])
    threading.Event().wait(invoke_after_s)

    result = service.invoke("Fn", b'{"n": 1}')

    assert (result.function_error, json.loads(result.payload)) == (None, {"n": 1})


class _Queue:
    """Stands for the app's durable asynchronous queue: counts its starts."""

    def __init__(self) -> None:
        self.starts = 0

    def start(self) -> None:
        self.starts += 1

    def stop(self) -> None:
        pass


def test_a_service_started_without_async_events_runs_none_until_asked(
        tmp_path: Path, custom_runtime: Path) -> None:
    # up starts its service while the app is still built: queued events wait for start()
    service = LambdaService([function_spec(custom_runtime)], environments=lambda s: None,  # type: ignore[arg-type]
                            tmp_root=tmp_path / "envs")
    service.start(async_events=False)
    queue = _Queue()
    try:
        service.use_async_events(queue)  # type: ignore[arg-type]
        assert queue.starts == 0
        service.start_async_events()
        service.start_async_events()
        assert queue.starts == 1
    finally:
        service.stop(grace_s=1)
