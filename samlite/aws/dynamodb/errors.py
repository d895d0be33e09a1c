"""DynamoDB's and DynamoDB Streams' errors as their JSON protocol answers them: status 400,
`{"__type": "com.amazonaws.dynamodb.v20120810#<Code>", "message": ...}` (the error shapes of
botocore's dynamodb and dynamodbstreams models; the protocol's error body from the AWS JSON
1.0 protocol description)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from samlite.http.messages import Response

_DYNAMODB = "com.amazonaws.dynamodb.v20120810#"
_STREAMS = "com.amazonaws.streams.dynamodb.v20120810#"


@dataclass(frozen=True, slots=True, kw_only=True)
class DynamoError(Exception):
    code: str
    message: str
    prefix: str = _DYNAMODB
    status: int = 400

    def __str__(self) -> str:   # as a StateFileError quotes it
        return f"{self.code}: {self.message}"


def validation(message: str) -> DynamoError:
    return DynamoError(code="ValidationException", message=message)


def serialization() -> DynamoError:
    return DynamoError(code="SerializationException",
                       message="the request body is not a JSON object")


def unknown_operation(action: str, *, modelled: bool) -> DynamoError:
    """An X-Amz-Target DynamoDB has not (coral's error), or one it has that moto does not
    serve: said so, never answered as something else."""
    message = (f"samlite does not run DynamoDB's {action} locally" if modelled
               else f"{action} is not an operation of DynamoDB")
    return DynamoError(code="UnknownOperationException", prefix="com.amazon.coral.service#",
                       message=message)


def stream_not_found(arn: str) -> DynamoError:
    return DynamoError(code="ResourceNotFoundException", prefix=_STREAMS,
                       message=f"Requested resource not found: Stream: {arn} not found")


def stream_validation(message: str) -> DynamoError:
    return DynamoError(code="ValidationException", prefix=_STREAMS, message=message)


def trimmed(message: str) -> DynamoError:
    return DynamoError(code="TrimmedDataAccessException", prefix=_STREAMS, message=message)


def response(error: DynamoError) -> Response:
    body = json.dumps({"__type": error.prefix + error.code, "message": error.message})
    return Response(status=error.status,
                    headers=(("Content-Type", "application/x-amz-json-1.0"),),
                    body=body.encode())
