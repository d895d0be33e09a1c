"""Services the endpoint does not run answer in their own protocol: boto3 clients of a
query, EC2, JSON, RPC v2 CBOR, rest-json and rest-xml service each raise a ClientError with
code NotImplemented and a message naming the service and its AWS_ENDPOINT_URL_* variable."""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from samlite.aws.endpoint_variables import (
    ENDPOINT_VARIABLES,
    TOLD_APART,
    endpoint_variable_for,
    endpoint_variables,
)
from samlite.aws.sdk_names import SDK_NAMES
from samlite.aws.unserved import UnservedRoute
from samlite.aws.wire_errors import REST_XML_SIGNING_NAMES, cbor_text_map
from samlite.http.server import Endpoint


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    endpoint = Endpoint([UnservedRoute()])
    endpoint.start()
    try:
        yield endpoint.url
    finally:
        endpoint.stop()


def client(url: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")  # noqa: S106


CASES: list[tuple[str, str, Callable[[Any], Any], str]] = [
    ("query protocol (CloudFormation)", "cloudformation", lambda c: c.list_stacks(),
     "AWS_ENDPOINT_URL_CLOUDFORMATION"),
    ("query protocol (SES)", "ses", lambda c: c.list_identities(), "AWS_ENDPOINT_URL_SES"),
    ("query protocol (IAM)", "iam", lambda c: c.list_roles(), "AWS_ENDPOINT_URL_IAM"),
    ("ec2 protocol", "ec2", lambda c: c.describe_regions(), "AWS_ENDPOINT_URL_EC2"),
    ("json protocol (Kinesis)", "kinesis", lambda c: c.list_streams(),
     "AWS_ENDPOINT_URL_KINESIS"),
    ("rpc v2 cbor (CloudWatch)", "cloudwatch", lambda c: c.list_metrics(),
     "AWS_ENDPOINT_URL_CLOUDWATCH"),
    ("rest-json (SES v2)", "sesv2", lambda c: c.list_email_identities(),
     "AWS_ENDPOINT_URL_SESV2"),
    ("rest-json (API Gateway)", "apigateway", lambda c: c.get_rest_apis(),
     "AWS_ENDPOINT_URL_API_GATEWAY"),
    ("rest-xml (Route 53)", "route53", lambda c: c.list_hosted_zones(),
     "AWS_ENDPOINT_URL_ROUTE_53"),
    ("rest-json (API Gateway v2)", "apigatewayv2", lambda c: c.get_apis(),
     "AWS_ENDPOINT_URL_APIGATEWAYV2"),
    ("rest-json (Pinpoint Email)", "pinpoint-email", lambda c: c.list_email_identities(),
     "AWS_ENDPOINT_URL_PINPOINT_EMAIL"),
    ("rpc v2 cbor (Mail Manager)", "mailmanager", lambda c: c.list_archives(),
     "AWS_ENDPOINT_URL_MAILMANAGER"),
    ("json (Forecast Query)", "forecastquery", lambda c: c.query_forecast(
        ForecastArn="arn:aws:forecast:us-east-1:1:forecast/f", Filters={"k": "v"}),
     "AWS_ENDPOINT_URL_FORECASTQUERY"),
]


@pytest.mark.parametrize(("case", "service", "call", "variable"), CASES,
                         ids=[c[0] for c in CASES])
def test_unserved_service_raises_a_clean_client_error(url: str, case: str, service: str,
                                                      call: Callable[[Any], Any],
                                                      variable: str) -> None:
    with pytest.raises(ClientError) as raised:
        call(client(url, service))
    error = raised.value.response["Error"]
    assert error["Code"] == "NotImplemented"
    assert f"; {service} is not run locally" in error["Message"]   # named as its SDK names it
    # One variable: the one for this client, not every client's of the signing name.
    assert error["Message"].endswith(f"with {variable}.")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_clients_a_request_cannot_tell_apart_are_offered_as_one_of() -> None:
    # RDS, Neptune and DocumentDB share signing name, protocol and API version.
    assert endpoint_variable_for("rds", target=None, version="2014-10-31", path="/") == (
        "AWS_ENDPOINT_URL_DOCDB", "AWS_ENDPOINT_URL_NEPTUNE", "AWS_ENDPOINT_URL_RDS")


def test_told_apart_table_matches_botocore() -> None:
    session = botocore.session.get_session()
    by_signing: dict[str, list[Any]] = collections.defaultdict(list)
    for service in session.get_available_services():
        model = session.get_service_model(service)
        by_signing[model.metadata.get("signingName") or model.metadata["endpointPrefix"]]\
            .append(model)
    for signing, entries in TOLD_APART.items():
        keys = {(how, key) for how, key, _ in entries}
        for model in by_signing[signing]:
            metadata = model.metadata
            expected = {"json": ("target", metadata.get("targetPrefix")),
                        "query": ("version", metadata["apiVersion"]),
                        "ec2": ("version", metadata["apiVersion"]),
                        "smithy-rpc-v2-cbor": ("service", metadata.get("targetPrefix"))}
            if model.protocol in expected:
                assert expected[model.protocol] in keys, (signing, model.service_name)
    shared = {name for name, variables in ENDPOINT_VARIABLES.items() if len(variables) > 1}
    assert set(TOLD_APART) == shared


def _signing_names() -> dict[str, set[tuple[str, str]]]:
    session = botocore.session.get_session()
    names: dict[str, set[tuple[str, str]]] = collections.defaultdict(set)
    for service in session.get_available_services():
        model = session.get_service_model(service)
        metadata = model.metadata
        signing = metadata.get("signingName") or metadata["endpointPrefix"]
        names[signing].add((model.protocol, metadata["serviceId"]))
    return names


def test_rest_xml_table_matches_botocore() -> None:
    rest_xml = {name for name, models in _signing_names().items()
                if any(protocol == "rest-xml" for protocol, _ in models)}
    assert rest_xml == REST_XML_SIGNING_NAMES


def test_endpoint_variable_table_matches_botocore() -> None:
    for signing, models in _signing_names().items():
        expected = sorted("AWS_ENDPOINT_URL_" + sid.upper().replace(" ", "_").replace("-", "_")
                          for _, sid in models)
        assert sorted(endpoint_variables(signing)) == expected, signing
    assert set(ENDPOINT_VARIABLES) <= set(_signing_names())


def test_cbor_map_decodes_with_botocore() -> None:
    from botocore.parsers import RpcV2CBORParser

    long_text = "x" * 300
    body = cbor_text_map({"__type": "NotImplemented", "message": long_text})
    parser = RpcV2CBORParser()
    parsed = parser.parse_data_item(parser.get_peekable_stream_from_bytes(body))
    assert parsed == {"__type": "NotImplemented", "message": long_text}


def test_sdk_name_table_matches_botocore() -> None:
    session = botocore.session.get_session()
    expected = {}
    for service in session.get_available_services():
        metadata = session.get_service_model(service).metadata
        if service != (metadata.get("signingName") or metadata["endpointPrefix"]):
            variable = metadata["serviceId"].upper().replace(" ", "_").replace("-", "_")
            expected[variable] = service
    # The table is generated from the botocore named in its docstring; a newer botocore may
    # add services (theirs are named by signing name until the table is made again), but
    # must not contradict an entry.
    assert {variable: expected.get(variable, name) for variable, name in SDK_NAMES.items()} \
        == SDK_NAMES
    assert len(set(SDK_NAMES) & set(expected)) >= 0.9 * len(SDK_NAMES)
