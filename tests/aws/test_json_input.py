"""JSON-protocol requests SDKs never send (hand-made, or from a fuzzer) get the service's
400 with a reason, never a 500 from inside moto: Secrets Manager, Parameter Store, SQS."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import pytest

from samlite.aws.secretsmanager.service import LocalSecrets
from samlite.aws.sqs.service import LocalSqs
from samlite.aws.ssm.service import LocalParameters
from samlite.clock import SystemClock
from samlite.http.server import Endpoint

ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture(scope="module")
def address() -> Iterator[tuple[str, int]]:
    secrets = LocalSecrets(db_path=None, account_id=ACCOUNT, region=REGION)
    parameters = LocalParameters(db_path=None, account_id=ACCOUNT, region=REGION)
    sqs = LocalSqs(db_path=None, account_id=ACCOUNT, region=REGION, clock=SystemClock())
    endpoint = Endpoint([secrets.route(), parameters.route(), sqs.route()])
    endpoint.start()
    try:
        yield endpoint.address
    finally:
        endpoint.stop()
        for service in (secrets, parameters, sqs):
            service.close()


def post(address: tuple[str, int], target: str, body: bytes,
         content_type: str = "application/x-amz-json-1.1") -> tuple[int, dict[str, str]]:
    conn = http.client.HTTPConnection(*address, timeout=10)
    try:
        conn.request("POST", "/", body=body,
                     headers={"X-Amz-Target": target, "Content-Type": content_type})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


@pytest.mark.parametrize(("case", "target", "body", "content_type", "code"), [
    ("empty body", "secretsmanager.GetSecretValue", b"", "application/x-amz-json-1.1",
     "ValidationException"),
    ("not an object", "AmazonSSM.GetParameter", b"[]", "application/x-amz-json-1.1",
     "SerializationException"),
    ("not json", "AmazonSSM.PutParameter", b"\xff", "application/x-amz-json-1.1",
     "SerializationException"),
    ("a number for a name", "secretsmanager.CreateSecret", b'{"Name": 5}',
     "application/x-amz-json-1.1", "SerializationException"),
    ("plain json content type", "secretsmanager.ListSecrets", b"{}", "application/json",
     "SerializationException"),
    ("no such operation", "secretsmanager.Bogus", b"{}", "application/x-amz-json-1.1",
     "UnknownOperationException"),
    ("sqs with plain json", "AmazonSQS.SendMessage", b"{}", "application/json",
     "SerializationException"),
])
def test_bad_json_input_is_a_400_with_the_reason(address: tuple[str, int], case: str,
                                                 target: str, body: bytes, content_type: str,
                                                 code: str) -> None:
    status, answer = post(address, target, body, content_type)
    assert (status, answer["__type"]) == (400, code)
    assert answer["message"]
