"""The endpoint's SigV4 check holds for every request boto3 signs (each operation of the
operations table, S3 keys with spaces and pluses, presigned URLs) and fails for any change."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.config import Config

from samlite.aws.sigv4 import holds, signature_of
from samlite.http.messages import Request
from tests.aws.access.test_operations import CASES
from tests.aws.access.wire import ENDPOINT, client, wire

KEY, SECRET, TOKEN = "ASIAEXAMPLEKEY00", "secret/with+chars", "token=="


def signed(service: str, operation: str, params: dict[str, Any]) -> Request:
    return wire(service, operation, made=client(service, key=KEY, secret=SECRET, token=TOKEN),
                **params)


@pytest.mark.parametrize(("service", "operation", "params"),
                         [case[1:4] for case in CASES], ids=[case[0] for case in CASES])
def test_a_boto3_signature_holds_and_a_changed_one_does_not(
        service: str, operation: str, params: dict[str, Any]) -> None:
    request = signed(service, operation, params)
    signature = signature_of(request)
    assert holds(signature, request, secret_key=SECRET)
    assert not holds(signature, request, secret_key=SECRET + "x")
    assert not holds(signature, dataclasses.replace(request, method="PATCH"),
                     secret_key=SECRET)


def test_a_presigned_url_holds() -> None:
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                      aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                      aws_session_token=TOKEN, config=Config(signature_version="s3v4"))
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "inbox", "Key": "a b.txt"})
    parts = urlsplit(url)
    request = Request(method="GET", path=parts.path, raw_query=parts.query,
                      query={k: tuple(v) for k, v in parse_qs(parts.query).items()},
                      headers={"host": parts.netloc})
    assert holds(signature_of(request), request, secret_key=SECRET)
    moved = dataclasses.replace(request, path="/inbox/other.txt")
    assert not holds(signature_of(moved), moved, secret_key=SECRET)


@pytest.mark.parametrize("name", [".", "..", ".hidden", "fn"])
def test_a_signature_over_a_path_with_dot_segments_holds(name: str) -> None:
    # Lambda's path names the function: "." and ".." are segments botocore removes before
    # signing (and the check must remove them too), ".hidden" is not one.
    request = signed("lambda", "invoke", {"FunctionName": name})
    assert f"/functions/{name}/" in request.path
    assert holds(signature_of(request), request, secret_key=SECRET)
    assert not holds(signature_of(request), request, secret_key=SECRET + "x")
