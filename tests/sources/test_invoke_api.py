"""The Invoke API: HTTP in, one service call, HTTP out — first as plain requests against a
fake service, then through a real boto3 client, which is the judge of the wire format."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from samlite.errors import EnvironmentStartError
from samlite.http.messages import Request, Response
from samlite.http.server import Endpoint
from samlite.runtime.api_errors import request_too_large, reserved_concurrency_exceeded
from samlite.sources.invoke_api import LOG_TAIL_BYTES, InvokeApi
from tests.sources.fakes import FakeService, spec

INVOKE = "/2015-03-31/functions/HelloFunction/invocations"


def post(api: InvokeApi, body: bytes = b"", path: str = INVOKE, **headers: str) -> Response:
    return api.handle(Request(method="POST", path=path, body=body,
                              headers={k.lower().replace("_", "-"): v for k, v in headers.items()}))


def header(response: Response, name: str) -> str | None:
    return dict((k.lower(), v) for k, v in response.headers).get(name.lower())


def error_of(response: Response) -> tuple[int, str | None, dict[str, str]]:
    return response.status, header(response, "X-Amzn-ErrorType"), json.loads(response.body)


def test_request_response_returns_the_payload() -> None:
    service = FakeService()
    response = post(InvokeApi(service), b'{"name": "Ada"}')
    assert response.status == 200
    assert json.loads(response.body) == {"echo": {"name": "Ada"}}
    assert header(response, "X-Amz-Executed-Version") == "$LATEST"
    assert header(response, "X-Amz-Function-Error") is None
    assert service.calls[0].function == "HelloFunction"


def test_no_payload_is_an_empty_object() -> None:
    service = FakeService()
    post(InvokeApi(service))
    assert service.calls[0].payload == b"{}"


def test_function_error_is_200_with_unhandled() -> None:
    response = post(InvokeApi(FakeService()), b'{"fail": "boom"}')
    assert response.status == 200
    assert header(response, "X-Amz-Function-Error") == "Unhandled"
    assert json.loads(response.body)["errorMessage"] == "boom"


def test_tail_returns_the_last_4_kb_of_the_log_base64() -> None:
    logs = "START RequestId: r-1\n" + "x" * 5000 + "\nEND RequestId: r-1\n"
    service = FakeService(logs=logs)
    response = post(InvokeApi(service), X_Amz_Log_Type="Tail")
    tail = base64.b64decode(header(response, "X-Amz-Log-Result") or "")
    assert tail == logs.encode()[-LOG_TAIL_BYTES:]
    assert tail.endswith(b"END RequestId: r-1\n")
    assert service.calls[0].tail_logs


def test_no_log_header_without_tail() -> None:
    assert header(post(InvokeApi(FakeService())), "X-Amz-Log-Result") is None


def test_event_is_queued_and_answered_202() -> None:
    service = FakeService()
    response = post(InvokeApi(service), b"{}", X_Amz_Invocation_Type="Event")
    assert response.status == 202
    assert header(response, "X-Amzn-RequestId") == "r-async"
    assert [c.kind for c in service.calls] == ["async"]


def test_dry_run_checks_and_runs_nothing() -> None:
    service = FakeService()
    response = post(InvokeApi(service), b"{}", X_Amz_Invocation_Type="DryRun")
    assert (response.status, response.body, service.calls) == (204, b"", [])


def test_client_context_is_passed_through() -> None:
    service = FakeService()
    context = base64.b64encode(b'{"custom": {"a": "b"}}').decode()
    post(InvokeApi(service), X_Amz_Client_Context=context)
    assert service.calls[0].client_context == context


def test_qualifier_and_encoded_arn_reach_the_service() -> None:
    service = FakeService()
    arn = "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3AHelloFunction"
    api = InvokeApi(service)
    response = api.handle(Request(method="POST", path=f"/2015-03-31/functions/{arn}/invocations",
                                  query={"Qualifier": ("live",)}))
    assert response.status == 200
    assert service.lookups == [(
        "arn:aws:lambda:us-east-1:123456789012:function:HelloFunction", "live")]


@pytest.mark.parametrize(("case", "body", "headers", "expected"), [
    ("unknown function", b"{}", {}, (404, "ResourceNotFoundException")),
    ("payload not JSON", b"{nope", {}, (400, "InvalidRequestContentException")),
    ("unknown invocation type", b"{}", {"X_Amz_Invocation_Type": "Later"},
     (400, "InvalidParameterValueException")),
    ("unknown log type", b"{}", {"X_Amz_Log_Type": "All"}, (400, "InvalidParameterValueException")),
])
def test_call_errors_have_aws_shapes(case: str, body: bytes, headers: dict[str, str],
                                     expected: tuple[int, str]) -> None:
    path = INVOKE.replace("HelloFunction", "Missing") if case == "unknown function" else INVOKE
    status, error_type, document = error_of(post(InvokeApi(FakeService()), body, path, **headers))
    assert (status, error_type) == expected
    assert document["Type"] == "User"
    assert document["message"]


def test_unknown_function_message_names_the_arn() -> None:
    response = post(InvokeApi(FakeService()), path=INVOKE.replace("HelloFunction", "Nope"))
    assert json.loads(response.body)["message"] == (
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:Nope")


def test_throttling_carries_the_reason() -> None:
    service = FakeService(raises=reserved_concurrency_exceeded())
    status, error_type, document = error_of(post(InvokeApi(service)))
    assert (status, error_type) == (429, "TooManyRequestsException")
    assert document["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"


def test_a_function_that_cannot_start_here_says_why_as_a_service_exception() -> None:
    service = FakeService(raises=EnvironmentStartError(
        "FromS3: its code is in S3 (s3://b/app.zip), which samlite does not fetch"))
    status, error_type, document = error_of(post(InvokeApi(service)))
    assert (status, error_type) == (500, "ServiceException")
    assert document["message"] == ("FromS3: its code is in S3 (s3://b/app.zip), which "
                                   "samlite does not fetch")


def test_get_function_and_list_functions() -> None:
    service = FakeService(functions=(spec(), spec("GreetFunction", memory_mb=256)))
    api = InvokeApi(service)
    got = api.handle(Request(method="GET", path="/2015-03-31/functions/GreetFunction"))
    listed = api.handle(Request(method="GET", path="/2015-03-31/functions/"))
    config = json.loads(got.body)["Configuration"]
    assert (config["FunctionName"], config["MemorySize"], config["Runtime"]) == (
        "GreetFunction", 256, "python3.12")
    names = [f["FunctionName"] for f in json.loads(listed.body)["Functions"]]
    assert names == ["HelloFunction", "GreetFunction"]


# Through boto3: botocore must parse every answer into the right fields and exceptions.

@pytest.fixture
def served() -> Iterator[tuple[FakeService, object]]:
    service = FakeService(functions=(spec(), spec("GreetFunction")))
    with Endpoint([InvokeApi(service)], port=0) as endpoint:
        client = boto3.client(
            "lambda", endpoint_url=endpoint.url, region_name="us-east-1",
            aws_access_key_id="samlite", aws_secret_access_key="samlite",  # noqa: S106
            config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=10))
        yield service, client
        client.close()


def test_boto3_invoke(served: tuple[FakeService, object]) -> None:
    _, client = served
    reply = client.invoke(FunctionName="HelloFunction", Payload=b'{"a": 1}',  # type: ignore[attr-defined]
                          LogType="Tail")
    assert reply["StatusCode"] == 200
    assert json.loads(reply["Payload"].read()) == {"echo": {"a": 1}}
    assert reply["ExecutedVersion"] == "$LATEST"
    assert base64.b64decode(reply["LogResult"]).startswith(b"START RequestId: r-1")
    assert "FunctionError" not in reply


def test_boto3_function_error(served: tuple[FakeService, object]) -> None:
    _, client = served
    reply = client.invoke(FunctionName="HelloFunction", Payload=b'{"fail": "no"}')  # type: ignore[attr-defined]
    assert (reply["StatusCode"], reply["FunctionError"]) == (200, "Unhandled")
    assert json.loads(reply["Payload"].read())["errorMessage"] == "no"


def test_boto3_event_and_dry_run(served: tuple[FakeService, object]) -> None:
    service, client = served
    event = client.invoke(FunctionName="GreetFunction", InvocationType="Event",  # type: ignore[attr-defined]
                          Payload=b"{}")
    dry = client.invoke(FunctionName="GreetFunction", InvocationType="DryRun")  # type: ignore[attr-defined]
    assert (event["StatusCode"], dry["StatusCode"]) == (202, 204)
    assert event["ResponseMetadata"]["RequestId"] == "r-async"
    assert [(c.function, c.kind) for c in service.calls] == [("GreetFunction", "async")]


def test_boto3_tenant_id_reaches_the_service_sync_and_async(
        served: tuple[FakeService, object]) -> None:
    # boto3 sends Invoke's TenantId as X-Amz-Tenant-Id (botocore's lambda model).
    service, client = served
    client.invoke(FunctionName="HelloFunction", TenantId="blue")  # type: ignore[attr-defined]
    client.invoke(FunctionName="HelloFunction", TenantId="green",  # type: ignore[attr-defined]
                  InvocationType="Event")
    client.invoke(FunctionName="HelloFunction")  # type: ignore[attr-defined]
    assert [(c.kind, c.tenant_id) for c in service.calls] == [
        ("sync", "blue"), ("async", "green"), ("sync", None)]


def test_a_tenant_id_outside_the_models_pattern_is_refused() -> None:
    response = post(InvokeApi(FakeService()), X_Amz_Tenant_Id="blue#1")
    status, error_type, body = error_of(response)
    assert (status, error_type) == (400, "InvalidParameterValueException")
    assert body["message"].startswith(
        "1 validation error detected: Value 'blue#1' at 'tenantId' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ")


def test_boto3_qualifier_alias_and_arn(served: tuple[FakeService, object]) -> None:
    _, client = served
    arn = "arn:aws:lambda:us-east-1:123456789012:function:HelloFunction"
    by_alias = client.invoke(FunctionName=arn, Qualifier="live")  # type: ignore[attr-defined]
    assert by_alias["StatusCode"] == 200
    with pytest.raises(client.exceptions.ResourceNotFoundException):  # type: ignore[attr-defined]
        client.invoke(FunctionName="HelloFunction", Qualifier="prod")  # type: ignore[attr-defined]


@pytest.mark.parametrize(("case", "raises", "kwargs", "code", "status"), [
    ("missing function", None, {"FunctionName": "Missing"}, "ResourceNotFoundException", 404),
    ("not JSON", None, {"FunctionName": "HelloFunction", "Payload": b"{x"},
     "InvalidRequestContentException", 400),
    ("throttled", reserved_concurrency_exceeded(), {"FunctionName": "HelloFunction"},
     "TooManyRequestsException", 429),
    ("too large", request_too_large(7_000_000, 6_291_456), {"FunctionName": "HelloFunction"},
     "RequestTooLargeException", 413),
])
def test_boto3_parses_error_shapes(served: tuple[FakeService, object], case: str,
                                   raises: Exception | None, kwargs: dict[str, object],
                                   code: str, status: int) -> None:
    service, client = served
    service.raises = raises  # type: ignore[assignment]
    modeled = getattr(client.exceptions, code)  # type: ignore[attr-defined]
    with pytest.raises(ClientError) as caught:
        client.invoke(**kwargs)  # type: ignore[attr-defined]
    assert isinstance(caught.value, modeled)
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert caught.value.response["Error"]["Message"]
    if case == "throttled":
        assert caught.value.response["Reason"] == (
            "ReservedFunctionConcurrentInvocationLimitExceeded")


def test_boto3_get_function_and_list_functions(served: tuple[FakeService, object]) -> None:
    _, client = served
    got = client.get_function(FunctionName="GreetFunction")  # type: ignore[attr-defined]
    listed = client.list_functions()  # type: ignore[attr-defined]
    assert got["Configuration"]["FunctionArn"].endswith(":function:GreetFunction")
    assert sorted(f["FunctionName"] for f in listed["Functions"]) == [
        "GreetFunction", "HelloFunction"]


def test_boto3_get_function_configuration(served: tuple[FakeService, object]) -> None:
    _, client = served
    config = client.get_function_configuration(  # type: ignore[attr-defined]
        FunctionName="GreetFunction")
    assert (config["FunctionName"], config["Runtime"], config["Handler"]) == (
        "GreetFunction", "python3.12", "app.handler")
    assert config["MemorySize"] == 128 and config["Timeout"] == 3


@pytest.mark.parametrize(("case", "call"), [
    ("update-function-configuration",
     lambda c: c.update_function_configuration(FunctionName="HelloFunction", Timeout=9)),
    ("create-event-source-mapping",
     lambda c: c.create_event_source_mapping(FunctionName="HelloFunction",
                                             EventSourceArn="arn:aws:sqs:us-east-1:1:q")),
    ("tag-resource (another API version)",
     lambda c: c.tag_resource(Resource="arn:aws:lambda:us-east-1:1:function:HelloFunction",
                              Tags={"a": "b"})),
], ids=lambda v: v if isinstance(v, str) else "")
def test_boto3_other_control_plane_calls_say_change_the_template(
        served: tuple[FakeService, object], case: str, call: object) -> None:
    _, client = served
    with pytest.raises(ClientError) as raised:
        call(client)  # type: ignore[operator]
    error = raised.value.response["Error"]
    assert error["Code"] == "NotImplemented"
    assert "is not run locally" in error["Message"]
    assert "Change the template instead (samlite reloads it)" in error["Message"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
